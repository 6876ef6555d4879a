"""SHR (simpanan hari raya) and SMSK payouts: once a year, on the date in the config, each member's whole
balance of the product is paid out (docs/savings.md).

SHR is saved through the year and paid shortly before Idul Fitri; the feast moves about eleven days a year,
so ``[savings.shr] payout_dates`` lists each year's date. **Decision:** the seeds name SMSK only beside SHR
(seed 004 gives both a point per Rp 100.000 saved in the year), so SMSK follows the same rule: saved
through the year, paid out on the dates of ``[savings.smsk] payout_dates``.

The list is every member with a balance of the product at the end of the payout day before the payout
(what they receive), and whether it was paid; paying records one ``savings_withdrawal`` per member on the
office's chain and remembers it (``savings_payouts``), so paying again pays only those not yet paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import func, select

from central.ledger import Ledger, schema
from central.office import entries
from central.office.identity import Office
from central.office.record import record
from central.savings.errors import SavingsRefused
from central.savings.tables import ensure_tables, savings_payouts
from central.savingsrules import HOLIDAY_PRODUCTS

PRODUCTS: Final = HOLIDAY_PRODUCTS


@dataclass(frozen=True)
class Payout:
    """One member's payout of a product on a day: the amount, and the envelope once paid."""

    product: str
    day: date
    member: str
    name: str
    amount_rp: int
    tx: str | None

    @property
    def paid(self) -> bool:
        return self.tx is not None


def payout_day(ledger: Ledger, product: str, *, year: int | None = None, day: date | None = None) -> date:
    """The payout date: ``day`` (one of the configured dates, or any when none is configured), else the
    configured date of ``year``. ``SavingsRefused`` names the config key when there is none."""
    if product not in PRODUCTS:
        raise SavingsRefused(
            f"{product!r} is not paid out on a date; the products are {', '.join(PRODUCTS)}",
            f"{product!r} tidak dibayar pada tanggal tertentu; produknya: {', '.join(PRODUCTS)}",
        )
    dates = ledger.config.savings.payouts(product)
    if day is not None:
        if dates and day not in dates:
            listed = ", ".join(d.isoformat() for d in dates)
            raise SavingsRefused(
                f"{day} is not a payout date of {product} ([savings.{product}] payout_dates: {listed})",
                f"{day} bukan tanggal pembayaran {product} ([savings.{product}] payout_dates: {listed})",
            )
        return day
    wanted = year if year is not None else datetime.now(ledger.config.tz).year
    for found in dates:
        if found.year == wanted:
            return found
    raise SavingsRefused(
        f"no {product} payout date in {wanted}: add it to [savings.{product}] payout_dates (docs/config.md) "
        "or give --date",
        f"tidak ada tanggal pembayaran {product} tahun {wanted}: tambahkan di [savings.{product}] "
        "payout_dates (docs/config.md) atau beri --date",
    )


def listing(ledger: Ledger, product: str, day: date) -> list[Payout]:
    """What each member receives of ``product`` on ``day``: those paid, with what was paid, and those with
    a balance at the end of ``day`` still to pay; by member number."""
    ensure_tables(ledger)
    account = ledger.config.posting.savings_account(product)
    j, s, m = schema.journal, savings_payouts, schema.members
    with ledger.read() as conn:
        names = {str(n): str(name) for n, name in conn.execute(select(m.c.number, m.c.name))}
        paid = {
            str(r.member): (int(r.amount_rp), str(r.tx))
            for r in conn.execute(select(s).where(s.c.product == product, s.c.day == day.isoformat()))
        }
        balances = {
            str(member): int(balance or 0)
            for member, balance in conn.execute(
                select(j.c.member, func.sum(j.c.credit_rp) - func.sum(j.c.debit_rp))
                .where(j.c.account == account, j.c.member.is_not(None), j.c.day <= day.isoformat())
                .group_by(j.c.member)
            )
        }
    rows = [
        Payout(product, day, member, names.get(member, ""), amount, tx)
        for member, (amount, tx) in paid.items()
    ]
    rows.extend(
        Payout(product, day, member, names.get(member, ""), balance, None)
        for member, balance in balances.items()
        if balance > 0 and member not in paid
    )
    return sorted(rows, key=lambda r: r.member)


def pay(
    ledger: Ledger, office: Office, product: str, day: date, *, by: str, at: datetime | None = None
) -> list[Payout]:
    """Pay every member not yet paid on ``day`` their balance (capped at what they hold now); the list
    after paying."""
    now = at or datetime.now(ledger.config.tz)
    if now.date() < day:
        raise SavingsRefused(
            f"the {product} payout is on {day}; it is not paid before",
            f"pembayaran {product} pada {day}; tidak dibayar sebelum tanggal itu",
        )
    account = ledger.config.posting.savings_account(product)
    j = schema.journal
    for row in listing(ledger, product, day):
        if row.paid:
            continue
        with ledger.read() as conn:
            held = conn.execute(
                select(
                    func.coalesce(func.sum(j.c.credit_rp), 0) - func.coalesce(func.sum(j.c.debit_rp), 0)
                ).where(j.c.account == account, j.c.member == row.member)
            ).scalar_one()
        amount = min(row.amount_rp, int(held))
        if amount <= 0:
            continue
        made = record(ledger, office, entries.savings_withdrawal(row.member, product, amount), at=at, by=by)
        with ledger.write() as conn:
            conn.execute(
                savings_payouts.insert().values(
                    product=product, day=day.isoformat(), member=row.member, amount_rp=amount, tx=made.id
                )
            )
    return listing(ledger, product, day)
