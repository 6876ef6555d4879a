"""The treasurer pays out an approved loan: a ``loan_disbursement`` envelope on the office's chain, then the
application marked disbursed. Idempotent on the application: its loan id is fixed (``PJ-000042``), so a
second call, or a call after a crash between the two steps, finds the loan in the ledger and pays nothing
again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from central.ledger import Ledger, schema
from central.loans import applications as apps
from central.loans.applications import Application, LoanRefused
from central.office import entries
from central.office.identity import Office
from central.office.record import record


@dataclass(frozen=True)
class Disbursed:
    """The application after disbursing; ``already`` when it had been paid out before (nothing new)."""

    application: Application
    already: bool


def disburse(
    ledger: Ledger, office: Office, ident: int, *, by: str, at: datetime | None = None
) -> Disbursed:
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
