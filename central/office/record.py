"""Recording office entries: sign bodies as the next envelopes of the office chain and ingest them through
``Ledger.ingest(..., require_signature=True)``, the path every device's envelopes take.

**One chain, never forked, never gapped.** Office commands take the office chain lock (a PostgreSQL
advisory lock; on SQLite an ``flock`` on ``<db>.office.lock`` beside the file), read the chain head from
the committed transactions (highest seq of the office device and its chain hash), sign the next envelopes,
ingest them, and only then let go. The head is read from what is committed, never from a counter kept
apart, so an envelope signed but never committed (a crash between signing and ingest, a refusal) leaves
nothing behind: the next entry takes the same seq. An operating system releases both locks when a process
dies. A refused entry stays in quarantine with its reason (like a device's); the next entry follows
whatever position the ledger holds for the office chain (see ``chain_head``).
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import func, select

from central.ledger import Ledger, late, schema
from central.ledger.lookups import _loan_outstanding
from central.office import entries
from central.office.errors import EntryInvalid, EntryRefused
from central.office.identity import Office
from sync import envelope as wire

# PostgreSQL advisory lock of the office chain (beside ingest's 0x4B4F5031).
PG_OFFICE_LOCK: Final = 0x4B4F5032
LOCK_SUFFIX: Final = ".office.lock"


@dataclass(frozen=True)
class JournalLine:
    """One posted line of an office entry, with the account's name."""

    account: str
    name: str
    debit_rp: int
    credit_rp: int
    memo: str


@dataclass(frozen=True)
class Recorded:
    """An office entry committed to the ledger: its envelope and the journal lines it posted."""

    id: str
    seq: int
    kind: str
    at: str
    unit: str
    member: str | None
    total_rp: int
    by: str | None
    lines: tuple[JournalLine, ...]


def _lock_file(ledger: Ledger) -> Path:
    database = ledger.engine.url.database or ledger.target
    path = Path(database)
    return path.with_name(path.stem + LOCK_SUFFIX)


@contextlib.contextmanager
def chain_lock(ledger: Ledger) -> Iterator[None]:
    """Hold the office chain lock: one office entry at a time, across threads, processes and machines."""
    if ledger.engine.dialect.name == "postgresql":
        with ledger.engine.connect() as conn:
            conn.exec_driver_sql("SELECT pg_advisory_lock(%s)", (PG_OFFICE_LOCK,))
            try:
                yield
            finally:
                conn.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (PG_OFFICE_LOCK,))
        return
    with _lock_file(ledger).open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def chain_head(ledger: Ledger, device: str) -> tuple[int, str]:
    """(highest seq the ledger holds, its chain hash) of ``device``; (0, GENESIS) before its first envelope.

    Positions are held by committed transactions and, where the ledger keeps them (a ``refusals`` table),
    by authentic envelopes it refused: the next entry links to whichever holds the highest seq.
    """
    tables = [schema.transactions]
    refusals = schema.metadata.tables.get("refusals")
    if refusals is not None:
        tables.append(refusals)
    head = (0, wire.GENESIS)
    with ledger.read() as conn:
        for t in tables:
            row = conn.execute(
                select(t.c.seq, t.c.chain).where(t.c.device == device).order_by(t.c.seq.desc()).limit(1)
            ).first()
            if row is not None and int(row[0]) > head[0]:
                head = (int(row[0]), str(row[1]))
    return head


def stamp(ledger: Ledger, at: datetime | None) -> str:
    """``at`` (default now) as an envelope's ``at``: ISO 8601 to the second, in the cooperative's zone."""
    when = datetime.now(ledger.config.tz) if at is None else at
    if when.tzinfo is None:
        when = when.replace(tzinfo=ledger.config.tz)
    return when.isoformat(timespec="seconds")


def sign_next(
    ledger: Ledger, office: Office, bodies: Sequence[Mapping[str, Any]], *, at: str, by: str | None
) -> list[dict[str, Any]]:
    """The bodies signed as the next envelopes of the office chain. Call it holding ``chain_lock``.

    ``EntryInvalid`` when ``at`` falls in a closed year (``refuse_closed``): nothing is signed."""
    refuse_closed(ledger, at)
    seq, prev = chain_head(ledger, office.device)
    signed = []
    for body in bodies:
        seq += 1
        env = entries.envelope(
            body, ident=wire.new_id(), device=office.device, seq=seq, prev=prev, at=at, by=by
        )
        env = entries.checked(wire.sign(entries.checked(env), office.key))
        prev = wire.chain_hash(env)
        signed.append(env)
    return signed


def refuse_closed(ledger: Ledger, at: str) -> None:
    """``EntryInvalid`` when the local date of ``at`` is in a closed year: a closed year stays closed for
    the office's entries until it is reopened (``reopen-year``, which is audited)."""
    day = datetime.fromisoformat(at).astimezone(ledger.config.tz).date()
    if day.year in late.closed_years(ledger):
        raise EntryInvalid(
            f"the year {day.year} is closed: an entry dated {day.isoformat()} cannot be made; date it in "
            f"the open year, or reopen {day.year} first (`reopen-year {day.year} --reason ...`)",
            f"tahun {day.year} sudah ditutup: entri bertanggal {day.isoformat()} tidak bisa dibuat; beri "
            f"tanggal di tahun berjalan, atau buka kembali dulu tahun {day.year} "
            f"(`reopen-year {day.year} --reason ...`)",
        )


def ingest_signed(ledger: Ledger, office: Office, signed: Sequence[dict[str, Any]]) -> list[str]:
    """Ingest signed office envelopes as a device's are ingested; the reasons of those refused."""
    report = ledger.ingest(signed, require_signature=True, expected_device=office.device)
    return [rejection.reason for rejection in report.rejected]


def record(
    ledger: Ledger,
    office: Office,
    body: Mapping[str, Any],
    *,
    at: datetime | None = None,
    by: str | None = None,
    before_ingest: Callable[[list[dict[str, Any]]], None] | None = None,
) -> Recorded:
    """Check, sign and ingest one office entry; ``EntryInvalid`` or ``EntryRefused`` when it is not made.

    ``before_ingest`` (tests) sees the signed envelope between signing and ingest.
    """
    ledger.require_current()
    precheck(ledger, body)
    with chain_lock(ledger):
        signed = sign_next(ledger, office, [body], at=stamp(ledger, at), by=by)
        if before_ingest is not None:
            before_ingest(signed)
        refused = ingest_signed(ledger, office, signed)
    if refused:
        raise EntryRefused(
            f"the ledger refused the entry: {refused[0]}", f"buku besar menolak entri ini: {refused[0]}"
        )
    return recorded(ledger, [signed[0]["id"]])[0]


def recorded(ledger: Ledger, ids: Sequence[str]) -> list[Recorded]:
    """The committed office entries ``ids`` with their journal lines, in the order given."""
    t, j, a = schema.transactions, schema.journal, schema.accounts
    with ledger.read() as conn:
        rows = {
            row.id: row
            for row in conn.execute(
                select(
                    t.c.id, t.c.seq, t.c.kind, t.c.at, t.c.unit, t.c.member, t.c.total_rp, t.c.clerk
                ).where(t.c.id.in_(list(ids)))
            )
        }
        lines: dict[str, list[JournalLine]] = {}
        query = (
            select(
                j.c.tx,
                j.c.account,
                func.coalesce(a.c.name, j.c.account),
                j.c.debit_rp,
                j.c.credit_rp,
                j.c.memo,
            )
            .select_from(j.outerjoin(a, a.c.code == j.c.account))
            .where(j.c.tx.in_(list(ids)))
            .order_by(j.c.tx, j.c.line)
        )
        for tx, account, name, debit, credit, memo in conn.execute(query):
            lines.setdefault(tx, []).append(JournalLine(account, name, int(debit), int(credit), memo))
    return [
        Recorded(
            ident,
            int(rows[ident].seq),
            rows[ident].kind,
            rows[ident].at,
            rows[ident].unit,
            rows[ident].member,
            int(rows[ident].total_rp),
            rows[ident].clerk,
            tuple(lines.get(ident, ())),
        )
        for ident in ids
    ]


# -- checks before signing: the common mistakes get a readable reason and leave nothing in quarantine ------


def precheck(ledger: Ledger, body: Mapping[str, Any]) -> None:
    """Refuse, before anything is signed, an entry the ledger would refuse for a reason known now."""
    config = ledger.config
    if config.unit(body["unit"]) is None:
        units = ", ".join(u.code for u in config.units)
        raise EntryInvalid(
            f"unknown unit {body['unit']!r}; the units are {units}",
            f"unit {body['unit']!r} tidak dikenal; unitnya: {units}",
        )
    member = body.get("member")
    kind = body["kind"]
    m, j, lo = schema.members, schema.journal, schema.loans
    with ledger.read() as conn:
        if (
            member is not None
            and conn.execute(select(m.c.number).where(m.c.number == member)).first() is None
        ):
            raise EntryInvalid(
                f"unknown member {member!r}; import the member first",
                f"anggota {member!r} tidak dikenal; impor dulu anggotanya",
            )
        if kind == "journal":
            _precheck_journal(config, body)
        elif kind == "savings_withdrawal":
            account = config.posting.savings_account(body["product"])
            have = _balance(conn, j, member, account)
            if -have < body["total"]:
                raise EntryInvalid(
                    f"member {member} has Rp {-have:,} in {body['product']};"
                    f" cannot withdraw Rp {body['total']:,}",
                    f"simpanan {body['product']} anggota {member} Rp {-have:,};"
                    f" tidak bisa ditarik Rp {body['total']:,}",
                )
        elif kind == "loan_disbursement":
            if conn.execute(select(lo.c.loan).where(lo.c.loan == body["loan"])).first() is not None:
                raise EntryInvalid(
                    f"loan id {body['loan']} is already used; give the new loan its own id",
                    f"nomor pinjaman {body['loan']} sudah dipakai; beri nomor lain",
                )
            owed = _balance(conn, j, member, config.posting.loans)
            if owed > 0:
                raise EntryInvalid(
                    f"member {member} still owes Rp {owed:,} on a loan;"
                    " no new loan before the old one is repaid",
                    f"anggota {member} masih berutang Rp {owed:,};"
                    " tidak ada pinjaman baru sebelum yang lama lunas",
                )
        elif kind == "installment":
            owner = conn.execute(select(lo.c.member).where(lo.c.loan == body["loan"])).scalar_one_or_none()
            if owner is None or owner != member:
                raise EntryInvalid(
                    f"member {member} has no loan {body['loan']!r}",
                    f"anggota {member} tidak punya pinjaman {body['loan']!r}",
                )
            outstanding = _loan_outstanding(conn, [body["loan"]], config.posting.loans).get(body["loan"], 0)
            if body["principal_rp"] > outstanding:
                raise EntryInvalid(
                    f"loan {body['loan']} has Rp {outstanding:,} principal outstanding,"
                    f" less than {body['principal_rp']:,}",
                    f"sisa pokok pinjaman {body['loan']} Rp {outstanding:,},"
                    f" kurang dari {body['principal_rp']:,}",
                )


def _precheck_journal(config: Any, body: Mapping[str, Any]) -> None:
    """A journal's accounts are in the chart (the ledger would quarantine it otherwise)."""
    for line in body["lines"]:
        if config.account(line["account"]) is None:
            raise EntryInvalid(
                f"account {line['account']!r} is not in the chart of accounts ([[accounts]] in the config)",
                f"akun {line['account']!r} tidak ada di bagan akun ([[accounts]] di konfigurasi)",
            )


def _balance(conn: Any, j: Any, member: str | None, account: str) -> int:
    """Debits minus credits of ``member`` on ``account``."""
    row = conn.execute(
        select(func.coalesce(func.sum(j.c.debit_rp), 0), func.coalesce(func.sum(j.c.credit_rp), 0)).where(
            j.c.member == member, j.c.account == account
        )
    ).first()
    return int(row[0]) - int(row[1])


def void_body(ledger: Ledger, ref: str, reason: str) -> dict[str, Any]:
    """The void of committed transaction ``ref``, repeating its unit, member, payment and total."""
    t = schema.transactions
    with ledger.read() as conn:
        row = (
            conn.execute(
                select(t.c.kind, t.c.unit, t.c.member, t.c.payment, t.c.total_rp).where(t.c.id == ref)
            )
            .mappings()
            .first()
        )
        voided = conn.execute(select(t.c.id).where(t.c.ref == ref, t.c.kind == "void")).first()
    if row is None:
        raise EntryInvalid(
            f"no transaction {ref!r} in the ledger", f"transaksi {ref!r} tidak ada di buku besar"
        )
    if row["kind"] in ("void", "dispute"):
        raise EntryInvalid(
            f"{ref} is a {row['kind']}; only money transactions can be voided",
            f"{ref} adalah {row['kind']}; hanya transaksi uang yang bisa dibatalkan",
        )
    if voided is not None:
        raise EntryInvalid(
            f"transaction {ref} is already voided ({voided[0]})",
            f"transaksi {ref} sudah dibatalkan ({voided[0]})",
        )
    return entries.void(ref, dict(row), reason)
