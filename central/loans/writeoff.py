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

A later payment on a written-off loan is a **recovery**: ``central loans pay`` books it as one ``journal``
(purpose ``recovery``): Dr cash / Cr ``[posting] recovery_income``, up to what was written off and not yet
recovered. An installment a device records on a written-off loan is quarantined with the reason (the
ledger would otherwise take principal off a receivable that is no longer there); the office records the
money as a recovery and dismisses the quarantined entry.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import Connection, insert, select

from central.config import SAVINGS_LOAN_UNIT
from central.errors import UnknownMember
from central.ledger import Ledger, schema
from central.ledger.lookups import _loan_outstanding
from central.loans import portfolio
from central.loans.allowance import balance_rp
from central.loans.applications import MIN_REASON, LoanRefused
from central.loans.tables import MAX_TEXT, ensure_tables, loan_events
from central.messages import rupiah as _rp
from central.office import entries, record
from central.office.identity import Office
from sync import envelope as wire

WRITE_OFF: Final = "write_off"
RECOVERY: Final = "recovery"
NOTE_CHARS: Final = wire.MAX_TEXT_CHARS


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


def _approver(ledger: Ledger, approved_by: str) -> str:
    """The approver's role, when they may approve a write-off; else ``LoanRefused``."""
    deciders = ledger.config.loans.deciders
    try:
        row = ledger.member(approved_by)
    except UnknownMember as err:
        raise LoanRefused(
            f"no member with number {approved_by!r} to approve the write-off",
            f"tidak ada anggota bernomor {approved_by!r} yang menyetujui penghapusan",
        ) from err
    role = str(row["role"])
    if role not in deciders or not row["active"]:
        raise LoanRefused(
            f"only {', '.join(deciders)} may approve a write-off; {approved_by} is {role}"
            + ("" if row["active"] else " and not active"),
            f"hanya {', '.join(deciders)} yang boleh menyetujui penghapusan; {approved_by} adalah {role}"
            + ("" if row["active"] else " dan tidak aktif"),
        )
    return role


def _reason(text: str) -> str:
    cleaned = " ".join(text.split())
    if not MIN_REASON <= len(cleaned) <= MAX_TEXT:
        raise LoanRefused(
            f"the reason must be {MIN_REASON} to {MAX_TEXT} characters",
            f"alasan harus {MIN_REASON} sampai {MAX_TEXT} karakter",
        )
    return cleaned


def _allowed_class(ledger: Ledger, card: portfolio.LoanCard) -> None:
    policy = ledger.config.loans
    klass = policy.klass(card.state.days_late)
    codes = [c.code for c in policy.classes]
    start = policy.write_off_from if policy.write_off_from is not None else codes[-1]
    allowed = codes[codes.index(start) :]
    if klass.code not in allowed:
        first = policy.classes[codes.index(start)]
        raise LoanRefused(
            f"loan {card.loan} is {klass.name} ({card.state.days_late} days late); only loans from class "
            f"{first.name} ({first.min_days} days late) are written off",
            f"pinjaman {card.loan} berstatus {klass.name} (terlambat {card.state.days_late} hari); hanya "
            f"pinjaman mulai kelas {first.name} (terlambat {first.min_days} hari) yang dapat dihapus",
        )


def _already(conn: Connection, loan: str) -> None:
    done = written_off(conn, loans=[loan]).get(loan)
    if done is not None:
        raise LoanRefused(
            f"loan {loan} was written off on {done.day} ({done.tx}); a loan is written off once",
            f"pinjaman {loan} sudah dihapus pada {done.day} ({done.tx}); penghapusan hanya sekali",
        )


def _accounts(ledger: Ledger, keys: tuple[str, ...]) -> None:
    config = ledger.config
    missing = [key for key in keys if getattr(config, key) is None]
    if missing:
        names = ", ".join(missing)
        raise LoanRefused(
            f"this needs {names} under [posting] in the config (docs/config.md)",
            f"ini memerlukan {names} di [posting] konfigurasi (docs/config.md)",
        )


def write_off(
    ledger: Ledger,
    office: Office,
    loan: str,
    *,
    approved_by: str,
    reason: str,
    by: str | None = None,
    at: datetime | None = None,
) -> record.Recorded:
    """Write ``loan`` off against the allowance, approved by ``approved_by`` (see the module's rules)."""
    ledger.require_current()
    _accounts(ledger, ("allowance", "allowance_expense"))
    config = ledger.config
    reason = _reason(reason)
    _approver(ledger, approved_by)
    when = at or datetime.now(config.tz)
    day = (when if when.tzinfo is None else when.astimezone(config.tz)).date()
    found = portfolio.cards(ledger, day, loan=loan)
    if not found:
        raise LoanRefused(f"no loan {loan!r} paid out by {day}", f"tidak ada pinjaman {loan!r} per {day}")
    card = found[0]
    with ledger.read() as conn:
        _already(conn, loan)
    _allowed_class(ledger, card)
    assert config.allowance is not None and config.allowance_expense is not None
    with record.chain_lock(ledger):
        with ledger.read() as conn:
            _already(conn, loan)  # again, under the lock: two approvals at once write off once
            owed = _loan_outstanding(conn, [loan], config.posting.loans).get(loan, 0)
        if owed <= 0:
            raise LoanRefused(
                f"loan {loan} has no principal outstanding; there is nothing to write off",
                f"pinjaman {loan} tidak punya sisa pokok; tidak ada yang dihapus",
            )
        held = balance_rp(ledger, config.allowance, day)
        from_allowance = min(max(held, 0), owed)
        lines = [
            entries.dr(config.allowance, from_allowance, f"penghapusan {loan}"),
            entries.dr(config.allowance_expense, owed - from_allowance, f"penghapusan {loan} di atas PPAP"),
            entries.cr(config.posting.loans, owed, f"penghapusan {loan}"),
        ]
        body = entries.journal(WRITE_OFF, lines, unit=SAVINGS_LOAN_UNIT, member=card.member, loan=loan)
        body["note"] = f"disetujui {approved_by}: {reason}"[:NOTE_CHARS]
        record.precheck(ledger, body)
        signed = record.sign_next(ledger, office, [body], at=record.stamp(ledger, at), by=by)
        refused = record.ingest_signed(ledger, office, signed)
    if refused:
        raise LoanRefused(
            f"the ledger refused the write-off: {refused[0]}", f"buku besar menolak penghapusan: {refused[0]}"
        )
    done = record.recorded(ledger, [signed[0]["id"]])[0]
    if card.application is not None:
        ensure_tables(ledger)
        detail = f"written off {_rp(owed, 'en')} in {done.id}, approved by {approved_by}: {reason}"
        with ledger.write() as conn:
            conn.execute(
                insert(loan_events).values(
                    application=card.application,
                    ts=int(time.time()),
                    who=(by or approved_by)[:40],
                    action="write_off",
                    detail=detail[:400],
                )
            )
    return done


def recover(
    ledger: Ledger,
    office: Office,
    loan: str,
    amount_rp: int,
    *,
    by: str | None = None,
    at: datetime | None = None,
) -> record.Recorded:
    """Book ``amount_rp`` received on written-off ``loan`` as recovery income (Dr cash / Cr recovery)."""
    _accounts(ledger, ("recovery_income",))
    config = ledger.config
    assert config.recovery_income is not None
    if amount_rp <= 0:
        raise LoanRefused("the amount must be more than 0 rupiah", "jumlah harus lebih dari 0 rupiah")
    with record.chain_lock(ledger):
        with ledger.read() as conn:
            gone = written_off(conn, loans=[loan]).get(loan)
        if gone is None:
            raise LoanRefused(f"loan {loan} is not written off", f"pinjaman {loan} tidak dihapus")
        if amount_rp > gone.unrecovered_rp:
            raise LoanRefused(
                f"loan {loan} was written off at {_rp(gone.principal_rp, 'en')}, "
                f"{_rp(gone.recovered_rp, 'en')} of it recovered; at most {_rp(gone.unrecovered_rp, 'en')} "
                "more is taken",
                f"pinjaman {loan} dihapus sebesar {_rp(gone.principal_rp)}, sudah kembali "
                f"{_rp(gone.recovered_rp)}; paling banyak {_rp(gone.unrecovered_rp)} lagi yang diterima",
            )
        memo = f"pemulihan piutang {loan}"
        lines = [
            entries.dr(config.posting.cash, amount_rp, memo),
            entries.cr(config.recovery_income, amount_rp, memo),
        ]
        body = entries.journal(RECOVERY, lines, unit=SAVINGS_LOAN_UNIT, member=gone.member, loan=loan)
        record.precheck(ledger, body)
        signed = record.sign_next(ledger, office, [body], at=record.stamp(ledger, at), by=by)
        refused = record.ingest_signed(ledger, office, signed)
    if refused:
        raise LoanRefused(
            f"the ledger refused the recovery: {refused[0]}", f"buku besar menolak pemulihan: {refused[0]}"
        )
    return record.recorded(ledger, [signed[0]["id"]])[0]
