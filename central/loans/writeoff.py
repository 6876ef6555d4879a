"""Writing off a bad loan (penghapusan piutang) against the allowance, with a decider's approval, and the
recoveries that may still come in after it.

A write-off is one ``journal`` envelope (purpose ``write_off``) on the office's chain, naming the member
and the loan:

    Dr allowance (PPAP)            the loan's principal outstanding, as far as the allowance holds it
    Dr allowance expense           the rest, when the allowance is smaller (it never turns into a debit)
    Cr loans receivable            the loan's principal outstanding in the ledger

Its note says who approved it and why. The rules, each refused with the reason and nothing changed:

* the approver is a member whose role is one of ``[loans] deciders`` (as for deciding applications) and
  who is active; a reason of 3 to 200 characters;
* the loan is in the class ``[loans] write_off_from`` or a later one (default: the last class, macet) on
  the day of the write-off;
* a loan is written off once; the principal outstanding is above 0.

Only principal is written off: interest is income when paid (never accrued), so nothing of it is on the
books. After the write-off the loan leaves the aging, the allowance and portfolio at risk; its card and
the member's credit history show it written off. The member still owes it: with ``one_open_loan`` no new
loan is granted while a written-off loan is not recovered in full.

This module reads what the ledger holds of write-offs and recoveries; ``central.office.adjusting``
checks the rules and records the entries.

A later payment on a written-off loan is a **recovery**: ``central loans pay`` books it as one ``journal``
(purpose ``recovery``): Dr cash / Cr ``[posting] recovery_income``, up to what was written off and not yet
recovered. An installment a device records on a written-off loan is quarantined with the reason (the
ledger would otherwise take principal off a receivable that is no longer there); the office records the
money as a recovery and dismisses the quarantined entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy import Connection, select

from central.ledger import schema
from sync import envelope as wire

WRITE_OFF: Final = "write_off"
RECOVERY: Final = "recovery"


@dataclass(frozen=True)
class WrittenOff:
    """A written-off loan: when, by which entry, how much principal, how much has come back since."""

    loan: str
    member: str
    day: date
    tx: str
    principal_rp: int
    recovered_rp: int
    note: str

    @property
    def unrecovered_rp(self) -> int:
        return max(self.principal_rp - self.recovered_rp, 0)


def written_off(
    conn: Connection,
    *,
    loans: Iterable[str] | None = None,
    member: str | None = None,
    as_of: date | None = None,
) -> dict[str, WrittenOff]:
    """The loans written off (of ``loans`` or of ``member`` if given) by ``as_of``, with their recoveries;
    voided entries left out."""
    t = schema.transactions
    query = select(t.c.id, t.c.loan, t.c.member, t.c.day, t.c.total_rp, t.c.note, t.c.body).where(
        t.c.kind == "journal", t.c.loan.is_not(None)
    )
    if loans is not None:
        query = query.where(t.c.loan.in_(sorted(set(loans))))
    if member is not None:
        query = query.where(t.c.member == member)
    if as_of is not None:
        query = query.where(t.c.day <= as_of.isoformat())
    rows = list(conn.execute(query.order_by(t.c.day, t.c.ts)))
    if not rows:
        return {}
    voided = set(
        conn.execute(select(t.c.ref).where(t.c.kind == "void", t.c.ref.in_([r.id for r in rows]))).scalars()
    )
    found: dict[str, WrittenOff] = {}
    recovered: dict[str, int] = {}
    for row in rows:
        if row.id in voided:
            continue
        purpose = wire.parse(row.body).get("purpose")
        if purpose == WRITE_OFF and row.loan not in found:
            found[str(row.loan)] = WrittenOff(
                str(row.loan),
                str(row.member),
                date.fromisoformat(str(row.day)),
                str(row.id),
                int(row.total_rp),
                0,
                str(row.note or ""),
            )
        elif purpose == RECOVERY:
            recovered[str(row.loan)] = recovered.get(str(row.loan), 0) + int(row.total_rp)
    return {
        loan: WrittenOff(w.loan, w.member, w.day, w.tx, w.principal_rp, recovered.get(loan, 0), w.note)
        for loan, w in found.items()
    }


def unrecovered_rp(conn: Connection, member: str) -> int:
    """What the member's written-off loans still lack to be recovered in full."""
    return sum(w.unrecovered_rp for w in written_off(conn, member=member).values())
