"""The treasurer pays out an approved loan: a ``loan_disbursement`` envelope on the office's chain, then the
application marked disbursed. Idempotent on the application: its loan id is fixed (``PJ-000042``), so a
second call, or a call after a crash between the two steps, finds the loan in the ledger and pays nothing
again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from sqlalchemy import select

from central.ledger import Ledger, schema
from central.loans import applications as apps
from central.loans import portfolio, writeoff
from central.loans.applications import Application, LoanRefused
from central.loans.schedule import Installment, Payment, settle
from central.office import adjusting, entries
from central.office.identity import Office
from central.office.record import record


@dataclass(frozen=True)
class Disbursed:
    """The application after disbursing; ``already`` when it had been paid out before (nothing new)."""

    application: Application
    already: bool


def disburse(ledger: Ledger, office: Office, ident: int, *, by: str, at: datetime | None = None) -> Disbursed:
    """Pay out application ``ident`` if it is approved; refuse anything else with the reason."""
    current = apps.get(ledger, ident)
    if current.state == "disbursed":
        return Disbursed(current, already=True)
    if current.state != "approved":
        raise LoanRefused(
            f"application {ident} is {current.state}: only an approved application is paid out",
            f"pengajuan {ident} berstatus {current.state}: hanya pengajuan yang disetujui yang dicairkan",
        )
    loan = apps.loan_id(ident)
    lo = schema.loans
    with ledger.read() as conn:
        found = conn.execute(select(lo.c.tx, lo.c.day).where(lo.c.loan == loan)).first()
    if found is None:
        body = entries.loan_disbursement(current.member, loan, current.granted_rp)
        made = record(ledger, office, body, at=at, by=by)
        with ledger.read() as conn:
            found = conn.execute(select(lo.c.tx, lo.c.day).where(lo.c.loan == loan)).one()
        assert found.tx == made.id
    done = apps.mark_disbursed(ledger, ident, loan=loan, tx=str(found.tx), day=str(found.day), by=by)
    return Disbursed(done, already=False)


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
        rule = ledger.config.loans.product(card.product).overpayment if card.product else "refuse"
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
