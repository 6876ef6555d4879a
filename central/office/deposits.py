"""Term deposits (simpanan berjangka) on the office's chain: placing, month-end interest accruals, maturity
(payout or rollover) and early withdrawal (docs/savings.md). What a placement is and what is accrued on it
is ``central.savings.deposits``.

* **place**: a ``savings_deposit`` of product ``berjangka`` (Dr cash / Cr berjangka savings), then the
  placement's row with its terms copied from the product and its maturity.
* **accrue** a month: for every open placement, the interest earned through the month's last day less what
  was accrued before, as a ``journal`` with purpose ``accrual`` dated the month's last day: Dr interest
  expense / Cr interest payable (``[savings] interest_expense``, ``interest_payable``), the member named.
  A month is accrued once per placement: its memo is looked up in the ledger under the office chain lock,
  and the accrual is remembered in ``deposit_accruals``; running it again changes nothing.
* **mature** (on or after the maturity): the rest of the term's interest accrued, then by the product's
  ``at_maturity``: ``payout`` withdraws the principal (``savings_withdrawal``) and pays the interest
  payable in cash (a journal Dr interest payable / Cr cash); ``rollover`` pays the interest and places the
  principal again for a new term (no new money); ``rollover_interest`` adds the interest to the principal
  (Dr interest payable / Cr berjangka savings) and places the sum again.
* **withdraw** before the maturity (early): the interest earned to the day is accrued; then, by the
  product's rule, the accrued interest is forfeited (the accruals reversed: Dr interest payable / Cr
  interest expense) or paid, a penalty of ``early_penalty_pct`` of the principal is taken as income (Dr
  berjangka savings / Cr penalty income) and the rest of the principal is withdrawn. On or after the
  maturity, ``withdraw`` is a payout.
"""

from __future__ import annotations

from datetime import date, datetime
from datetime import time as dtime
from typing import Any

from sqlalchemy import select

from central.errors import UnknownMember
from central.ledger import Ledger
from central.office import entries
from central.office.identity import Office
from central.office.record import record
from central.savings import interest
from central.savings.deposits import (
    MAX_BY,
    PRODUCT,
    STATES,
    UNIT,
    Accrued,
    Closed,
    Placement,
    accrued_months,
    booked,
    code_of,
    due,
    get,
    interest_payable_rp,
    listing,
    memo_of,
    parse_code,
)
from central.savings.errors import SavingsRefused
from central.savings.tables import deposit_accruals, deposit_placements, ensure_tables
from central.savingsrules import MONTH_RE

# what the command line and the portal read through this module as well
__all__ = [
    "STATES",
    "Accrued",
    "Closed",
    "Placement",
    "accrue",
    "code_of",
    "due",
    "get",
    "interest_payable_rp",
    "listing",
    "mature",
    "parse_code",
    "place",
    "withdraw",
]


def _at(ledger: Ledger, day: date, at: datetime | None) -> datetime:
    """The envelope time of an entry of ``day``: ``at`` when it falls on that day, else the day's end."""
    if at is not None and at.date() == day:
        return at
    return datetime.combine(day, dtime(23, 59), tzinfo=ledger.config.tz)


def _today(ledger: Ledger, at: datetime | None) -> date:
    return (at or datetime.now(ledger.config.tz)).date()


def place(
    ledger: Ledger,
    office: Office,
    member: str,
    product_code: str,
    amount_rp: int,
    *,
    by: str,
    start: date | None = None,
    at: datetime | None = None,
) -> Placement:
    """Place ``amount_rp`` of ``member`` in term-deposit product ``product_code`` from ``start`` (default
    today): the money on the office's chain, then the placement with its maturity."""
    product = ledger.config.savings.product(product_code)
    if product is None:
        known = ", ".join(p.code for p in ledger.config.savings.berjangka) or "-"
        raise SavingsRefused(
            f"no term-deposit product {product_code!r}; the products are {known} ([[savings.berjangka]])",
            f"tidak ada produk berjangka {product_code!r}; produknya: {known} ([[savings.berjangka]])",
        )
    if amount_rp <= 0:
        raise SavingsRefused("the amount must be more than 0 rupiah", "jumlah harus lebih dari 0 rupiah")
    try:
        active = bool(ledger.member(member)["active"])
    except UnknownMember as err:
        raise SavingsRefused(
            f"unknown member {member!r}; import the member first", f"anggota {member!r} tidak dikenal"
        ) from err
    if not active:
        raise SavingsRefused(
            f"member {member} is not active; no new term deposit",
            f"anggota {member} tidak aktif; tidak bisa menempatkan simpanan berjangka baru",
        )
    _accounts(ledger)
    day = start or _today(ledger, at)
    made = record(
        ledger, office, entries.savings_deposit(member, PRODUCT, amount_rp), at=_at(ledger, day, at), by=by
    )
    return _insert(ledger, member, product, amount_rp, day=day, tx=made.id, by=by, rolled_from=None)


def _insert(
    ledger: Ledger,
    member: str,
    product: Any,
    amount_rp: int,
    *,
    day: date,
    tx: str | None,
    by: str,
    rolled_from: int | None,
    terms: Placement | None = None,
) -> Placement:
    ensure_tables(ledger)
    source = terms or product
    values = {
        "member": member,
        "product": product.code if terms is None else terms.product,
        "principal_rp": amount_rp,
        "term_months": source.term_months,
        "rate_year_pct": str(source.rate_year_pct),
        "early_penalty_pct": str(source.early_penalty_pct),
        "early_forfeit_interest": int(source.early_forfeit_interest),
        "at_maturity": source.at_maturity,
        "start": day.isoformat(),
        "maturity": interest.add_months(day, source.term_months).isoformat(),
        "state": "open",
        "placed_tx": tx,
        "placed_by": by[:MAX_BY],
        "rolled_from": rolled_from,
    }
    with ledger.write() as conn:
        key = conn.execute(deposit_placements.insert().values(**values)).inserted_primary_key
    assert key is not None
    return get(ledger, int(key[0]))


def _accounts(ledger: Ledger) -> tuple[str, str, str]:
    """(interest expense, interest payable, penalty income), each checked against the chart."""
    policy = ledger.config.savings
    wanted = (
        ("interest_expense", policy.interest_expense, "expense"),
        ("interest_payable", policy.interest_payable, "liability"),
        ("penalty_income", policy.penalty_income, "revenue"),
    )
    for key, code, kind in wanted:
        account = ledger.config.account(code)
        if account is None or account.type != kind:
            raise SavingsRefused(
                f"[savings] {key} = {code!r} must be an {kind} account of the chart ([[accounts]]); "
                "see docs/config.md",
                f"[savings] {key} = {code!r} harus akun {kind} di bagan akun ([[accounts]]); "
                "lihat docs/config.md",
            )
    return policy.interest_expense, policy.interest_payable, policy.penalty_income


# -- accruals -------------------------------------------------------------------------------------------


class _AlreadyBooked(Exception):
    """Raised under the office chain lock when the accrual is in the ledger already: nothing is signed."""


def _remember(ledger: Ledger, placement: Placement, month: str, amount_rp: int, tx: str) -> None:
    a = deposit_accruals
    with ledger.write() as conn:
        found = conn.execute(select(a.c.tx).where(a.c.placement == placement.id, a.c.month == month)).first()
        if found is None:
            conn.execute(a.insert().values(placement=placement.id, month=month, amount_rp=amount_rp, tx=tx))


def _book_accrual(
    ledger: Ledger, office: Office, placement: Placement, month: str, *, amount_rp: int, day: date, by: str
) -> Accrued | None:
    """Record the accrual (None when the ledger holds it already: then it is only remembered). Checked
    again under the office chain lock, so two runs at once book it once."""
    expense, payable, _ = _accounts(ledger)
    memo = memo_of(placement, month)
    body = entries.journal(
        "accrual",
        [entries.dr(expense, amount_rp, memo), entries.cr(payable, amount_rp, memo)],
        unit=UNIT,
        member=placement.member,
    )

    def not_twice(_signed: list[dict[str, Any]]) -> None:
        if booked(ledger, placement, month) is not None:
            raise _AlreadyBooked

    try:
        made = record(ledger, office, body, at=_at(ledger, day, None), by=by, before_ingest=not_twice)
    except _AlreadyBooked:
        found = booked(ledger, placement, month)
        assert found is not None
        _remember(ledger, placement, month, found[1], found[0])
        return None
    _remember(ledger, placement, month, amount_rp, made.id)
    return Accrued(placement.id, placement.member, month, amount_rp, made.id)


def accrue(
    ledger: Ledger, office: Office, month: str, *, by: str, today: date | None = None
) -> list[Accrued]:
    """Accrue ``month`` (``YYYY-MM``, ended by ``today``) for every open placement; idempotent per month."""
    if MONTH_RE.match(month) is None:
        raise SavingsRefused(
            f"{month!r} is not a month like 2026-03", f"{month!r} bukan bulan seperti 2026-03"
        )
    year, mon = int(month[:4]), int(month[5:])
    end = interest.month_end(year, mon)
    now = today or _today(ledger, None)
    if end >= now:
        raise SavingsRefused(
            f"{month} has not ended yet (today is {now}); accrue a month after its last day",
            f"{month} belum berakhir (hari ini {now}); bunga dicatat setelah hari terakhir bulannya",
        )
    _accounts(ledger)
    made: list[Accrued] = []
    for placement in listing(ledger, state="open"):
        if placement.start > end or month in accrued_months(ledger, placement.id):
            continue
        found = booked(ledger, placement, month)
        if found is not None:  # booked, but not remembered (a crash between the two): remember it only
            _remember(ledger, placement, month, found[1], found[0])
            continue
        target = interest.earned_by_month_end(
            placement.principal_rp, placement.rate_year_pct, placement.term_months, placement.start, year, mon
        )
        amount = target - placement.accrued_rp
        if amount > 0:
            done = _book_accrual(ledger, office, placement, month, amount_rp=amount, day=end, by=by)
            if done is not None:
                made.append(done)
    return made


def _catch_up(
    ledger: Ledger, office: Office, placement: Placement, on: date, *, by: str
) -> tuple[Placement, list[str]]:
    """Accrue what is earned by ``on`` and not booked yet (in ``on``'s month), so the books hold it before
    a payout or an early withdrawal."""
    earned = interest.earned_rp(
        placement.principal_rp, placement.rate_year_pct, placement.term_months, placement.start, on
    )
    ids: list[str] = []
    for key in (on.isoformat()[:7], on.isoformat()[:7] + "+"):
        # the month's own key, or (when the month-end run took it, or a crash left it booked but not
        # remembered) the month's second key: one row per booking
        missing = earned - placement.accrued_rp
        if missing <= 0:
            break
        if key in accrued_months(ledger, placement.id):
            continue
        done = _book_accrual(ledger, office, placement, key, amount_rp=missing, day=on, by=by)
        placement = get(ledger, placement.id)
        if done is not None:
            ids.append(done.tx)
    return placement, ids


# -- closing: maturity and early withdrawal --------------------------------------------------------------


def _pay_interest(
    ledger: Ledger,
    office: Office,
    placement: Placement,
    amount_rp: int,
    *,
    on: date,
    at: datetime | None,
    by: str,
) -> str:
    _, payable, _ = _accounts(ledger)
    memo = f"bunga berjangka {placement.code} dibayar"
    body = entries.journal(
        "accrual",
        [entries.dr(payable, amount_rp, memo), entries.cr(ledger.config.posting.cash, amount_rp, memo)],
        unit=UNIT,
        member=placement.member,
    )
    return record(ledger, office, body, at=_at(ledger, on, at), by=by).id


def _close_row(ledger: Ledger, placement: Placement, state: str, on: date, by: str, **values: Any) -> None:
    p = deposit_placements
    with ledger.write() as conn:
        changed = conn.execute(
            p.update()
            .where(p.c.id == placement.id, p.c.state == "open")
            .values(state=state, closed_day=on.isoformat(), closed_by=by[:MAX_BY], **values)
        ).rowcount
    if changed != 1:
        raise SavingsRefused(
            f"{placement.code} was closed meanwhile; nothing more is paid",
            f"{placement.code} sudah ditutup; tidak ada yang dibayar lagi",
        )


def _open(ledger: Ledger, ident: int) -> Placement:
    placement = get(ledger, ident)
    if placement.state != "open":
        raise SavingsRefused(
            f"{placement.code} is {placement.state} (on {placement.closed_day}); nothing is paid again",
            f"{placement.code} sudah {placement.state} ({placement.closed_day}); tidak dibayar lagi",
        )
    return placement


def mature(
    ledger: Ledger,
    office: Office,
    ident: int,
    *,
    by: str,
    at: datetime | None = None,
    rule: str | None = None,
) -> Closed:
    """Close a placement on or after its maturity by its product's rule (or ``rule``: payout, rollover,
    rollover_interest): the rest of its interest accrued, then paid out or placed again."""
    placement = _open(ledger, ident)
    on = _today(ledger, at)
    if on < placement.maturity:
        raise SavingsRefused(
            f"{placement.code} matures on {placement.maturity}; before that use withdraw "
            "(the early withdrawal rule)",
            f"{placement.code} jatuh tempo {placement.maturity}; sebelum itu pakai withdraw "
            "(aturan penarikan awal)",
        )
    how = rule or placement.at_maturity
    if how not in ("payout", "rollover", "rollover_interest"):
        raise SavingsRefused(f"unknown maturity rule {how!r}", f"aturan jatuh tempo {how!r} tidak dikenal")
    placement, ids = _catch_up(ledger, office, placement, placement.maturity, by=by)
    owed = placement.accrued_rp
    rolled: Placement | None = None
    principal_paid = 0
    if how == "payout":
        body = entries.savings_withdrawal(placement.member, PRODUCT, placement.principal_rp)
        ids.append(record(ledger, office, body, at=_at(ledger, on, at), by=by).id)
        principal_paid = placement.principal_rp
        if owed:
            ids.append(_pay_interest(ledger, office, placement, owed, on=on, at=at, by=by))
        state = "paid"
    else:
        again = placement.principal_rp
        if how == "rollover_interest" and owed:
            _, payable, _ = _accounts(ledger)
            savings = ledger.config.posting.savings_account(PRODUCT)
            memo = f"bunga berjangka {placement.code} jadi pokok"
            body = entries.journal(
                "accrual",
                [entries.dr(payable, owed, memo), entries.cr(savings, owed, memo)],
                unit=UNIT,
                member=placement.member,
            )
            ids.append(record(ledger, office, body, at=_at(ledger, on, at), by=by).id)
            again += owed
        elif owed:
            ids.append(_pay_interest(ledger, office, placement, owed, on=on, at=at, by=by))
        state = "rolled"
    _close_row(
        ledger,
        placement,
        state,
        on,
        by,
        interest_paid_rp=owed,
        penalty_rp=0,
        forfeited_rp=0,
        closed_txs=" ".join(ids)[:400],
    )
    if state == "rolled":
        rolled = _insert(
            ledger,
            placement.member,
            None,
            again,
            day=placement.maturity,
            tx=None,
            by=by,
            rolled_from=placement.id,
            terms=placement,
        )
    return Closed(
        get(ledger, placement.id),
        principal_paid,
        owed if how != "rollover_interest" else 0,
        0,
        0,
        rolled,
        tuple(ids),
    )


def withdraw(ledger: Ledger, office: Office, ident: int, *, by: str, at: datetime | None = None) -> Closed:
    """Take a placement out: before its maturity by the early-withdrawal rule, from then on as a payout."""
    placement = _open(ledger, ident)
    on = _today(ledger, at)
    if on >= placement.maturity:
        return mature(ledger, office, ident, by=by, at=at, rule="payout")
    if on < placement.start:
        raise SavingsRefused(
            f"{placement.code} starts on {placement.start}", f"{placement.code} mulai {placement.start}"
        )
    placement, ids = _catch_up(ledger, office, placement, on, by=by)
    expense, payable, income = _accounts(ledger)
    savings = ledger.config.posting.savings_account(PRODUCT)
    accrued = placement.accrued_rp
    when = _at(ledger, on, at)
    forfeited = accrued if placement.early_forfeit_interest else 0
    paid_interest = accrued - forfeited
    if forfeited:
        memo = f"bunga berjangka {placement.code} hangus (ditarik awal)"
        body = entries.journal(
            "accrual",
            [entries.dr(payable, forfeited, memo), entries.cr(expense, forfeited, memo)],
            unit=UNIT,
            member=placement.member,
        )
        ids.append(record(ledger, office, body, at=when, by=by).id)
    penalty = min(
        interest.penalty_rp(placement.principal_rp, placement.early_penalty_pct), placement.principal_rp
    )
    if penalty:
        memo = f"denda penarikan awal {placement.code}"
        body = entries.journal(
            "adjustment",
            [entries.dr(savings, penalty, memo), entries.cr(income, penalty, memo)],
            unit=UNIT,
            member=placement.member,
        )
        ids.append(record(ledger, office, body, at=when, by=by).id)
    principal_paid = placement.principal_rp - penalty
    if principal_paid:
        body = entries.savings_withdrawal(placement.member, PRODUCT, principal_paid)
        ids.append(record(ledger, office, body, at=when, by=by).id)
    if paid_interest:
        ids.append(_pay_interest(ledger, office, placement, paid_interest, on=on, at=at, by=by))
    _close_row(
        ledger,
        placement,
        "withdrawn",
        on,
        by,
        interest_paid_rp=paid_interest,
        penalty_rp=penalty,
        forfeited_rp=forfeited,
        closed_txs=" ".join(ids)[:400],
    )
    return Closed(
        get(ledger, placement.id), principal_paid, paid_interest, penalty, forfeited, None, tuple(ids)
    )
