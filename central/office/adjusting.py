"""The office's adjusting entries for the loan book, each one ``journal`` envelope on the office's chain:
the month-end allowance (``run_allowance``, rules in ``central.loans.allowance``), the write-off of a bad
loan against it (``write_off``) and recoveries on written-off loans (``recover``; rules in
``central.loans.writeoff``). Each checks what it can before signing, then again under the office chain
lock, so two runs at once post once; a refusal changes nothing and says why in both languages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from time import time as now_ts
from typing import Final

from sqlalchemy import Connection, insert

from central.config import SAVINGS_LOAN_UNIT
from central.errors import UnknownMember
from central.ledger import Ledger
from central.ledger.lookups import _loan_outstanding
from central.loans import allowance, portfolio, writeoff
from central.loans.applications import MIN_REASON, LoanRefused
from central.loans.tables import MAX_TEXT, ensure_tables, loan_events
from central.messages import rupiah as _rp
from central.office import entries, record
from central.office.identity import Office
from sync import envelope as wire

# The allowance entry is dated the month's last day, at this time of day.
POSTING_TIME: Final = time(23, 59, 59)
NOTE_CHARS: Final = wire.MAX_TEXT_CHARS


@dataclass(frozen=True)
class Outcome:
    """A run: its plan, and either the entry posted, the entry that posted the month before (``already``),
    or neither (nothing to post, or a dry run)."""

    plan: allowance.Plan
    posted: record.Recorded | None
    already: allowance.Posted | None
    dry_run: bool


def run_allowance(
    ledger: Ledger,
    office: Office | None,
    month: str,
    *,
    by: str | None = None,
    dry_run: bool = False,
    today: date | None = None,
    aging: Callable[[Ledger, date], portfolio.Aging] = portfolio.aging,
) -> Outcome:
    """Work out ``month``'s allowance and, unless ``dry_run``, post the difference once
    (``central.loans.allowance``).

    ``office`` may be None for a dry run. ``aging`` is the loan book's aging (tests give their own).
    """
    account, expense = allowance.accounts(ledger)
    as_of = allowance.month_end(month)
    today = today or datetime.now(ledger.config.tz).date()
    pcts = {c.code: c.allowance_pct for c in ledger.config.loans.classes}
    if not dry_run and as_of >= today:
        raise allowance.AllowanceRefused(
            f"{month} has not ended (its last day is {as_of}); run it after that day, "
            "or use --dry-run to see it now",
            f"bulan {month} belum selesai (hari terakhirnya {as_of}); jalankan setelah itu, atau pakai "
            "--dry-run untuk melihatnya sekarang",
        )
    done = allowance.already(ledger, month)
    book = aging(ledger, as_of)
    found = allowance.plan(month, book.classes, pcts, allowance.balance_rp(ledger, account, as_of))
    if done is not None or dry_run or found.difference_rp == 0:
        return Outcome(found, None, done, dry_run)
    if office is None:
        raise allowance.AllowanceRefused(
            "posting needs the office's key", "pembukuan memerlukan kunci kantor"
        )
    at = record.stamp(ledger, datetime.combine(as_of, POSTING_TIME, tzinfo=ledger.config.tz))
    with record.chain_lock(ledger):
        done = allowance.already(ledger, month)  # again, under the lock: two runs at once post once
        if done is not None:
            return Outcome(found, None, done, dry_run)
        # the balance again too: an entry on the account may have landed since it was read
        found = allowance.plan(month, book.classes, pcts, allowance.balance_rp(ledger, account, as_of))
        if found.difference_rp == 0:
            return Outcome(found, None, None, dry_run)
        body = entries.journal(
            allowance.PURPOSE,
            [
                entries.EntryLine(*x)
                for x in allowance.entry_lines(
                    found.difference_rp, allowance=account, expense=expense, month=month
                )
            ],
            unit=SAVINGS_LOAN_UNIT,
        )
        body["note"] = f"{allowance.NOTE_PREFIX}{month}"
        record.precheck(ledger, body)
        signed = record.sign_next(ledger, office, [body], at=at, by=by)
        refused = record.ingest_signed(ledger, office, signed)
    if refused:
        raise allowance.AllowanceRefused(
            f"the ledger refused the allowance entry: {refused[0]}",
            f"buku besar menolak jurnal PPAP: {refused[0]}",
        )
    return Outcome(found, record.recorded(ledger, [signed[0]["id"]])[0], None, dry_run)


def describe(outcome: Outcome, lang: str) -> str:
    """One sentence on what the run did, in ``lang``."""
    p = outcome.plan
    diff = _rp(abs(p.difference_rp), lang)
    if outcome.already is not None:
        return (
            f"The allowance of {p.month} was posted before ({outcome.already.id}); nothing posted again."
            if lang == "en"
            else f"PPAP {p.month} sudah dibukukan sebelumnya ({outcome.already.id}); "
            "tidak ada yang dibukukan lagi."
        )
    if p.difference_rp == 0:
        return (
            "The allowance already equals what is required; nothing to post."
            if lang == "en"
            else "Saldo PPAP sudah sama dengan yang diperlukan; tidak ada yang dibukukan."
        )
    grow = p.difference_rp > 0
    if outcome.dry_run:
        if lang == "en":
            return f"Dry run: would {'raise' if grow else 'release'} the allowance by {diff}; nothing posted."
        return f"Uji coba: PPAP akan {'ditambah' if grow else 'dilepas'} {diff}; tidak ada yang dibukukan."
    assert outcome.posted is not None
    if lang == "en":
        return f"Posted {outcome.posted.id}: allowance {'raised' if grow else 'released'} by {diff}."
    return f"Dibukukan {outcome.posted.id}: PPAP {'ditambah' if grow else 'dilepas'} {diff}."


# -- write-off and recovery ---------------------------------------------------------------------------


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
    done = writeoff.written_off(conn, loans=[loan]).get(loan)
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
        held = allowance.balance_rp(ledger, config.allowance, day)
        from_allowance = min(max(held, 0), owed)
        lines = [
            entries.dr(config.allowance, from_allowance, f"penghapusan {loan}"),
            entries.dr(config.allowance_expense, owed - from_allowance, f"penghapusan {loan} di atas PPAP"),
            entries.cr(config.posting.loans, owed, f"penghapusan {loan}"),
        ]
        body = entries.journal(
            writeoff.WRITE_OFF, lines, unit=SAVINGS_LOAN_UNIT, member=card.member, loan=loan
        )
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
                    ts=int(now_ts()),
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
            gone = writeoff.written_off(conn, loans=[loan]).get(loan)
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
        body = entries.journal(
            writeoff.RECOVERY, lines, unit=SAVINGS_LOAN_UNIT, member=gone.member, loan=loan
        )
        record.precheck(ledger, body)
        signed = record.sign_next(ledger, office, [body], at=record.stamp(ledger, at), by=by)
        refused = record.ingest_signed(ledger, office, signed)
    if refused:
        raise LoanRefused(
            f"the ledger refused the recovery: {refused[0]}", f"buku besar menolak pemulihan: {refused[0]}"
        )
    return record.recorded(ledger, [signed[0]["id"]])[0]
