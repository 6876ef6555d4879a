"""The treasurer pays out an approved loan: a ``loan_disbursement`` envelope of the whole amount granted on
the office's chain, the product's fees as one ``loan_fee`` journal (Dr cash / Cr loan fee income and
insurance payable), then the application marked disbursed. Idempotent on the application: its loan id is
fixed (``PJ-000042``) and the fee journal carries it, so a second call, or a call after a crash between any
two steps, finds what is in the ledger and records nothing twice.

Fees at payout (docs/loans.md): the administration fee is ``admin_fee_pct`` of the amount granted and the
insurance premium ``insurance_pct`` of it, each rounded half up to whole rupiah, by the product as the
config has it at payout (a product no longer in the config: no fees). The member owes the whole amount
either way. With ``fees_from_amount`` the treasurer keeps the fees and hands over the rest; without it,
the whole amount is handed over and the member pays the fees in cash at the counter. The books are the
same: the disbursement credits cash with the whole amount, the fee journal debits it with the fees."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from sqlalchemy import select

from central.accounts import LIABILITY
from central.config import SAVINGS_LOAN_UNIT
from central.ledger import Ledger, schema
from central.loanrules import LoanProduct
from central.loans import applications as apps
from central.loans import portfolio, writeoff
from central.loans.applications import Application, LoanRefused
from central.loans.schedule import Installment, Payment, settle
from central.messages import rupiah as _rp
from central.office import adjusting, entries
from central.office import record as rec
from central.office.identity import Office
from central.office.record import record
from sync import envelope as wire

FEE_PURPOSE: Final = "loan_fee"
# The fee journal's note says how the fees were paid (read back by ``fee_journal``).
NOTE_FROM_AMOUNT: Final = "biaya dipotong dari pencairan"
NOTE_AT_COUNTER: Final = "biaya dibayar tunai oleh anggota"


@dataclass(frozen=True)
class Payout:
    """What paying out a loan moves. The member owes ``granted_rp``; the fees are booked at payout; the
    treasurer hands over ``handed_rp``: the amount less the fees when they are kept from it
    (``fees_from_amount``), else the whole amount (the member pays the fees in cash)."""

    granted_rp: int
    admin_fee_rp: int = 0
    insurance_rp: int = 0
    fees_from_amount: bool = True
    fee_tx: str | None = None  # the loan_fee journal, once recorded
    product: str | None = None
    no_product: bool = False  # the product is no longer in the config: no fees

    @property
    def fees_rp(self) -> int:
        return self.admin_fee_rp + self.insurance_rp

    @property
    def handed_rp(self) -> int:
        return self.granted_rp - self.fees_rp if self.fees_from_amount else self.granted_rp

    def plain(self) -> dict[str, object]:
        """For JSON output: the fields and the amounts derived from them."""
        return {
            "granted_rp": self.granted_rp,
            "admin_fee_rp": self.admin_fee_rp,
            "insurance_rp": self.insurance_rp,
            "fees_rp": self.fees_rp,
            "fees_from_amount": self.fees_from_amount,
            "handed_rp": self.handed_rp,
            "fee_tx": self.fee_tx,
            "product": self.product,
            "no_product": self.no_product,
        }


def percent_of(amount_rp: int, pct: Decimal) -> int:
    """``pct`` percent of ``amount_rp``, rounded half up to whole rupiah."""
    return int((Decimal(amount_rp) * pct / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fees(product: LoanProduct | None, granted_rp: int, code: str | None = None) -> Payout:
    """The fees of paying out ``granted_rp`` under ``product`` (None: a product no longer in the config,
    ``code`` its code: no fees). Pure."""
    if product is None:
        return Payout(granted_rp, product=code, no_product=True)
    return Payout(
        granted_rp,
        admin_fee_rp=percent_of(granted_rp, product.admin_fee_pct),
        insurance_rp=percent_of(granted_rp, product.insurance_pct),
        fees_from_amount=product.fees_from_amount,
        product=product.code,
    )


def fee_lines(
    payout: Payout, loan: str, *, cash: str, income: str | None, payable: str | None
) -> list[entries.EntryLine]:
    """The fee journal's lines: Dr cash the fees / Cr ``income`` the administration fee and ``payable`` the
    insurance premium (a zero line is left out by ``entries.journal``). Pure."""
    lines = [entries.dr(cash, payout.fees_rp, f"biaya pinjaman {loan}")]
    if payout.admin_fee_rp:
        assert income is not None
        lines.append(entries.cr(income, payout.admin_fee_rp, f"biaya administrasi {loan}"))
    if payout.insurance_rp:
        assert payable is not None
        lines.append(entries.cr(payable, payout.insurance_rp, f"premi asuransi {loan}"))
    return lines


def describe(payout: Payout, lang: str) -> str:
    """What the treasurer hands over, and why, in ``lang`` ("Dibayarkan Rp X (pokok Rp G - ...)")."""
    en = lang == "en"
    handed = f"{'Handed over' if en else 'Dibayarkan'} {_rp(payout.handed_rp, lang)}"
    if payout.no_product:
        return handed + (
            f" (product {payout.product} is no longer in the config: no fees)"
            if en
            else f" (produk {payout.product} sudah tidak ada di konfigurasi: tanpa biaya)"
        )
    if not payout.fees_rp:
        return handed + (" (no fees)" if en else " (tanpa biaya)")
    parts = []
    if payout.admin_fee_rp:
        parts.append(
            f"{'administration fee' if en else 'biaya administrasi'} {_rp(payout.admin_fee_rp, lang)}"
        )
    if payout.insurance_rp:
        parts.append(f"{'insurance' if en else 'asuransi'} {_rp(payout.insurance_rp, lang)}")
    if payout.fees_from_amount:
        principal = f"{'principal' if en else 'pokok'} {_rp(payout.granted_rp, lang)}"
        return f"{handed} ({' - '.join([principal, *parts])})"
    total = _rp(payout.fees_rp, lang)
    if en:
        return f"{handed}; the member pays the fees in cash at the counter: {' + '.join(parts)} = {total}"
    return f"{handed}; anggota membayar biaya tunai di loket: {' + '.join(parts)} = {total}"


def fee_journal(ledger: Ledger, loan: str, granted_rp: int) -> Payout | None:
    """The fees recorded for ``loan`` (its ``loan_fee`` journal), or None when there is none. The premium is
    what the journal credits to a liability account, the administration fee the rest."""
    t = schema.transactions
    with ledger.read() as conn:
        rows = list(
            conn.execute(
                select(t.c.id, t.c.note, t.c.body)
                .where(t.c.kind == "journal", t.c.loan == loan)
                .order_by(t.c.day, t.c.ts)
            )
        )
    for row in rows:
        body = wire.parse(row.body)
        if body.get("purpose") != FEE_PURPOSE:
            continue
        insurance = admin = 0
        for line in body["lines"]:
            account = ledger.config.account(line["account"])
            if account is not None and account.type == LIABILITY:
                insurance += int(line["credit_rp"])
            else:
                admin += int(line["credit_rp"])
        return Payout(
            granted_rp,
            admin_fee_rp=admin,
            insurance_rp=insurance,
            fees_from_amount=str(row.note or "") != NOTE_AT_COUNTER,
            fee_tx=str(row.id),
        )
    return None


def quote(ledger: Ledger, app: Application) -> Payout:
    """What paying out ``app`` moves: for a loan paid out, what was recorded (no fee journal: no fees);
    before, what the product in the config says now."""
    product = ledger.config.loans.product(app.product)
    if app.loan:
        found = fee_journal(ledger, app.loan, app.granted_rp)
        if found is not None:
            return replace(found, product=app.product)
        return Payout(app.granted_rp, product=app.product, no_product=product is None)
    return fees(product, app.granted_rp, app.product)


def _fee_accounts(ledger: Ledger, payout: Payout) -> tuple[str | None, str | None]:
    """The [posting] accounts ``payout``'s fees need; ``LoanRefused`` naming those missing."""
    config = ledger.config
    missing = []
    if payout.admin_fee_rp and config.loan_fee_income is None:
        missing.append("loan_fee_income")
    if payout.insurance_rp and config.insurance_payable is None:
        missing.append("insurance_payable")
    if missing:
        names = ", ".join(missing)
        raise LoanRefused(
            f"product {payout.product} charges fees at payout: add {names} under [posting] in the config "
            "(an account of the chart each, docs/config.md); nothing was paid out",
            f"produk {payout.product} memungut biaya saat pencairan: tambahkan {names} di [posting] "
            "konfigurasi (masing-masing akun dari bagan akun, docs/config.md); belum ada yang dicairkan",
        )
    return config.loan_fee_income, config.insurance_payable


def _record_fees(
    ledger: Ledger,
    office: Office,
    app: Application,
    loan: str,
    payout: Payout,
    *,
    at: datetime | None,
    by: str,
) -> Payout:
    """Record ``payout``'s fee journal for ``loan`` unless the ledger has one (checked again under the office
    chain lock, so two calls at once record it once); the fees as recorded."""
    income, payable = _fee_accounts(ledger, payout)
    lines = fee_lines(payout, loan, cash=ledger.config.posting.cash, income=income, payable=payable)
    body = entries.journal(FEE_PURPOSE, lines, unit=SAVINGS_LOAN_UNIT, member=app.member, loan=loan)
    body["note"] = NOTE_FROM_AMOUNT if payout.fees_from_amount else NOTE_AT_COUNTER
    rec.precheck(ledger, body)
    with rec.chain_lock(ledger):
        found = fee_journal(ledger, loan, payout.granted_rp)
        if found is not None:
            return found
        signed = rec.sign_next(ledger, office, [body], at=rec.stamp(ledger, at), by=by)
        refused = rec.ingest_signed(ledger, office, signed)
    if refused:
        raise LoanRefused(
            f"the ledger refused the fee journal of {loan}: {refused[0]}",
            f"buku besar menolak jurnal biaya {loan}: {refused[0]}",
        )
    found = fee_journal(ledger, loan, payout.granted_rp)
    assert found is not None
    return found


@dataclass(frozen=True)
class Disbursed:
    """The application after disbursing; ``already`` when it had been paid out before (nothing new); what
    was handed over and the fees (``payout``)."""

    application: Application
    already: bool
    payout: Payout


def disburse(ledger: Ledger, office: Office, ident: int, *, by: str, at: datetime | None = None) -> Disbursed:
    """Pay out application ``ident`` if it is approved, its fees with it; refuse anything else with the
    reason, before anything is recorded."""
    current = apps.get(ledger, ident)
    if current.state == "disbursed":
        return Disbursed(current, already=True, payout=quote(ledger, current))
    if current.state != "approved":
        raise LoanRefused(
            f"application {ident} is {current.state}: only an approved application is paid out",
            f"pengajuan {ident} berstatus {current.state}: hanya pengajuan yang disetujui yang dicairkan",
        )
    loan = apps.loan_id(ident)
    payout = fees(ledger.config.loans.product(current.product), current.granted_rp, current.product)
    recorded_fees = fee_journal(ledger, loan, current.granted_rp)
    if recorded_fees is None and payout.fees_rp:
        _fee_accounts(ledger, payout)  # refused here, before the payout is recorded
    lo = schema.loans
    with ledger.read() as conn:
        found = conn.execute(select(lo.c.tx, lo.c.day).where(lo.c.loan == loan)).first()
    if found is None:
        body = entries.loan_disbursement(current.member, loan, current.granted_rp)
        made = record(ledger, office, body, at=at, by=by)
        with ledger.read() as conn:
            found = conn.execute(select(lo.c.tx, lo.c.day).where(lo.c.loan == loan)).one()
        assert found.tx == made.id
    if recorded_fees is None and payout.fees_rp:
        recorded_fees = _record_fees(ledger, office, current, loan, payout, at=at, by=by)
    if recorded_fees is not None:
        payout = replace(recorded_fees, product=current.product)
    done = apps.mark_disbursed(ledger, ident, loan=loan, tx=str(found.tx), day=str(found.day), by=by)
    return Disbursed(done, already=False, payout=payout)


@dataclass(frozen=True)
class Paid:
    """An installment the office recorded: how the amount was split, and what was held as savings."""

    loan: str
    principal_rp: int
    interest_rp: int  # interest and any penalty (both income of the savings-and-loan unit)
    held_rp: int  # beyond the whole loan, kept as sukarela savings (a product with overpayment = "hold")
    ids: tuple[str, ...]
    recovered_rp: int = 0  # paid on a written-off loan: recovery income (central.loans.writeoff)


HOLD_PRODUCT: Final = "sukarela"


def split(ledger: Ledger, loan: str, amount_rp: int, on: date) -> tuple[int, int, int]:
    """How ``amount_rp`` paid on ``on`` settles ``loan``: (principal, interest and penalty, beyond the loan).

    The loan's card as of ``on`` is settled with the payment added; the difference is this payment's part
    (penalty and interest first, then principal, oldest installment first: ``central.loans.schedule``).
    """
    before = portfolio.cards(ledger, on, loan=loan)
    if not before:
        raise LoanRefused(f"no loan {loan!r} paid out by {on}", f"tidak ada pinjaman {loan!r} per {on}")
    card = before[0]
    schedule = [
        Installment(line.number, line.due, line.principal_rp, line.interest_rp, 0)
        for line in card.state.lines
    ]
    penalty = Decimal(0)
    if card.application is not None:
        app = apps.get(ledger, card.application)
        penalty = app.penalty_month_pct or Decimal(0)
    after = settle(schedule, [*card.payments, Payment(on, amount_rp)], on, penalty_month_pct=penalty)
    principal = card.state.principal_outstanding_rp - after.principal_outstanding_rp
    beyond = after.excess_rp - card.state.excess_rp
    return principal, amount_rp - principal - beyond, beyond


def pay(
    ledger: Ledger, office: Office, loan: str, amount_rp: int, *, by: str, at: datetime | None = None
) -> Paid:
    """Record ``amount_rp`` paid on ``loan`` at the office, split by the schedule. Beyond the whole loan,
    the product decides: refused (``overpayment = "refuse"``, the default) or held as sukarela savings.
    On a written-off loan the payment is a recovery, booked as income (``central.office.adjusting``)."""
    if amount_rp <= 0:
        raise LoanRefused("the amount must be more than 0 rupiah", "jumlah harus lebih dari 0 rupiah")
    with ledger.read() as conn:
        gone = writeoff.written_off(conn, loans=[loan]).get(loan)
    if gone is not None:
        done = adjusting.recover(ledger, office, loan, amount_rp, by=by, at=at)
        return Paid(
            loan=loan, principal_rp=0, interest_rp=0, held_rp=0, ids=(done.id,), recovered_rp=amount_rp
        )
    on = (at or datetime.now(ledger.config.tz)).date()
    cards = portfolio.cards(ledger, on, loan=loan)
    if not cards:
        raise LoanRefused(f"no loan {loan!r} paid out by {on}", f"tidak ada pinjaman {loan!r} per {on}")
    card = cards[0]
    principal, interest, beyond = split(ledger, loan, amount_rp, on)
    if beyond:
        product = ledger.config.loans.product(card.product) if card.product else None
        rule = product.overpayment if product is not None else "refuse"
        if rule != "hold":
            owed = amount_rp - beyond
            raise LoanRefused(
                f"loan {loan} needs only Rp {owed:,} to be paid off; Rp {beyond:,} more is not taken",
                f"pinjaman {loan} lunas dengan Rp {owed:,}; kelebihan Rp {beyond:,} tidak diterima".replace(
                    ",", "."
                ),
            )
    ids: list[str] = []
    if principal or interest:
        done = record(
            ledger, office, entries.installment(card.member, loan, principal, interest), at=at, by=by
        )
        ids.append(done.id)
    if beyond:
        held = record(
            ledger, office, entries.savings_deposit(card.member, HOLD_PRODUCT, beyond), at=at, by=by
        )
        ids.append(held.id)
    return Paid(loan=loan, principal_rp=principal, interest_rp=interest, held_rp=beyond, ids=tuple(ids))
