"""The general journal at central (docs/journal.md): drafts, their receipt photos and their decisions in
side tables (created through ``Ledger.create_side_tables``), and the approved entry's money on the office
chain as a ``journal`` envelope (``central.office.record``), so it reaches the cash book, the statements
and the transparency log as every other office entry does.

Every step leaves an event (who, with which role, what, when) in ``journal_events``. The approval posts
under the office chain lock and finds an entry it posted before a crash by the envelope's note
(``NOTE_PREFIX`` + the entry's number), so an approval retried never posts twice.
"""

from __future__ import annotations

import json
import time as _time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)

from central.images import Photo
from central.journal import rules
from central.journal.rules import JournalError, Line
from central.ledger import Ledger, schema
from central.office import entries, record
from central.office.errors import OfficeError
from central.office.identity import Office

MAX_BY: Final = 40
MAX_PHOTOS: Final = 10  # receipt photos per entry
NOTE_PREFIX: Final = "jurnal-umum:"
POSTING_TIME: Final = time(12, 0)  # an entry dated before today is posted at noon of its day
DEFAULT_UNIT: Final = "simpan-pinjam"  # the office's own unit when the entry names none

metadata = MetaData()

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("day", String(10), nullable=False),
    Column("description", String(rules.MAX_DESCRIPTION), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("unit", String(40), nullable=False),
    Column("lines", Text, nullable=False),  # JSON: [[account, debit_rp, credit_rp, memo], ...]
    Column("state", String(10), nullable=False, index=True),
    Column("made_by", String(MAX_BY), nullable=False),
    Column("made_role", String(16), nullable=False),
    Column("made_ts", BigInteger, nullable=False),
    Column("decided_by", String(MAX_BY)),
    Column("decided_role", String(16)),
    Column("decided_ts", BigInteger),
    Column("reason", String(rules.MAX_REASON)),
    Column("posted_tx", String(64)),
)

journal_photos = Table(
    "journal_photos",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry", Integer, nullable=False, index=True),
    Column("jpeg", LargeBinary, nullable=False),
    Column("thumb", LargeBinary, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("by", String(MAX_BY), nullable=False),
    Column("ts", BigInteger, nullable=False),
)

journal_events = Table(
    "journal_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry", Integer, nullable=False, index=True),
    Column("ts", BigInteger, nullable=False),
    Column("by", String(MAX_BY), nullable=False),
    Column("role", String(16), nullable=False),
    Column("action", String(16), nullable=False),  # draft, edit, photo, approve, reject
    Column("detail", String(rules.MAX_REASON)),
)


def ensure_tables(ledger: Ledger) -> None:
    """Create the journal's tables if missing (once per ledger)."""
    ledger.create_side_tables(metadata)


@dataclass(frozen=True)
class PhotoRef:
    """A receipt photo of an entry, without its bytes."""

    id: int
    width: int
    height: int
    sha256: str
    by: str


@dataclass(frozen=True)
class Event:
    """One step of an entry's history."""

    ts: int
    by: str
    role: str
    action: str
    detail: str


@dataclass(frozen=True)
class Entry:
    """One journal entry as stored, with its photos and history."""

    id: int
    day: str
    description: str
    kind: str
    unit: str
    lines: tuple[Line, ...]
    state: str
    made_by: str
    made_role: str
    made_ts: int
    decided_by: str | None
    decided_role: str | None
    decided_ts: int | None
    reason: str | None
    posted_tx: str | None
    photos: tuple[PhotoRef, ...] = ()
    events: tuple[Event, ...] = ()

    @property
    def total_rp(self) -> int:
        """The sum of the debits (equal to the credits)."""
        return sum(x.debit_rp for x in self.lines)

    @property
    def makers(self) -> frozenset[str]:
        """Everybody who drafted or edited it (none of them may decide it)."""
        return frozenset({self.made_by} | {e.by for e in self.events if e.action in ("draft", "edit")})

    def row(self) -> dict[str, Any]:
        """As a plain row (JSON, CSV)."""
        return {
            "id": self.id,
            "day": self.day,
            "kind": self.kind,
            "unit": self.unit,
            "description": self.description,
            "total_rp": self.total_rp,
            "state": self.state,
            "made_by": self.made_by,
            "decided_by": self.decided_by,
            "reason": self.reason,
            "posted_tx": self.posted_tx,
            "photos": len(self.photos),
            "lines": [
                {"account": x.account, "debit_rp": x.debit_rp, "credit_rp": x.credit_rp, "memo": x.memo}
                for x in self.lines
            ],
        }


def _lines_json(lines: Sequence[Line]) -> str:
    return json.dumps([[x.account, x.debit_rp, x.credit_rp, x.memo] for x in lines], ensure_ascii=False)


def _entry(row: Any, photos: Sequence[PhotoRef] = (), events: Sequence[Event] = ()) -> Entry:
    return Entry(
        id=int(row.id),
        day=row.day,
        description=row.description,
        kind=row.kind,
        unit=row.unit,
        lines=tuple(Line(str(a), int(d), int(c), str(m)) for a, d, c, m in json.loads(row.lines)),
        state=row.state,
        made_by=row.made_by,
        made_role=row.made_role,
        made_ts=int(row.made_ts),
        decided_by=row.decided_by,
        decided_role=row.decided_role,
        decided_ts=None if row.decided_ts is None else int(row.decided_ts),
        reason=row.reason,
        posted_tx=row.posted_tx,
        photos=tuple(photos),
        events=tuple(events),
    )


def listing(ledger: Ledger, *, state: str | None = None, limit: int = 200) -> list[Entry]:
    """The entries, newest first (drafts waiting first when ``state`` is None), with their photo refs."""
    ensure_tables(ledger)
    e, p = journal_entries, journal_photos
    query = select(e).order_by((e.c.state != "draft"), e.c.day.desc(), e.c.id.desc()).limit(limit)
    if state is not None:
        query = query.where(e.c.state == state)
    with ledger.read() as conn:
        rows = conn.execute(query).all()
        counts: dict[int, list[PhotoRef]] = {}
        ids = [int(r.id) for r in rows]
        if ids:
            for pr in conn.execute(
                select(p.c.id, p.c.entry, p.c.width, p.c.height, p.c.sha256, p.c.by)
                .where(p.c.entry.in_(ids))
                .order_by(p.c.id)
            ):
                counts.setdefault(int(pr.entry), []).append(
                    PhotoRef(int(pr.id), int(pr.width), int(pr.height), pr.sha256, pr.by)
                )
    return [_entry(r, counts.get(int(r.id), ())) for r in rows]


def get(ledger: Ledger, entry_id: int) -> Entry:
    """One entry with its photos and history, or ``JournalError``."""
    ensure_tables(ledger)
    e, p, ev = journal_entries, journal_photos, journal_events
    with ledger.read() as conn:
        row = conn.execute(select(e).where(e.c.id == entry_id)).first()
        if row is None:
            raise JournalError(
                f"no journal entry number {entry_id}; `central journal list` shows them",
                f"tidak ada jurnal nomor {entry_id}; lihat `central journal list`",
            )
        photos = [
            PhotoRef(int(r.id), int(r.width), int(r.height), r.sha256, r.by)
            for r in conn.execute(
                select(p.c.id, p.c.width, p.c.height, p.c.sha256, p.c.by)
                .where(p.c.entry == entry_id)
                .order_by(p.c.id)
            )
        ]
        events = [
            Event(int(r.ts), r.by, r.role, r.action, r.detail or "")
            for r in conn.execute(select(ev).where(ev.c.entry == entry_id).order_by(ev.c.id))
        ]
    return _entry(row, photos, events)


def photo(ledger: Ledger, photo_id: int, *, thumb: bool = False) -> bytes:
    """The JPEG of a receipt photo (or its thumbnail), or ``JournalError``."""
    ensure_tables(ledger)
    p = journal_photos
    with ledger.read() as conn:
        found = conn.execute(select(p.c.thumb if thumb else p.c.jpeg).where(p.c.id == photo_id)).scalar()
    if found is None:
        raise JournalError(f"no photo number {photo_id}", f"tidak ada foto nomor {photo_id}")
    return bytes(found)


# ---- drafting -------------------------------------------------------------------------------------------


def _by(by: str) -> str:
    value = by.strip()
    if not value or len(value) > MAX_BY:
        raise JournalError(
            f"--by names who does it (1 to {MAX_BY} characters)",
            f"--by menyebut siapa yang melakukannya (1 sampai {MAX_BY} karakter)",
        )
    return value


def _checked(
    ledger: Ledger, day: date, today: date, *, kind: str, unit: str, lines: Sequence[Line]
) -> tuple[Line, ...]:
    config = ledger.config
    rules.kind_ok(kind)
    if day > today:
        raise JournalError(
            f"the entry's date {day.isoformat()} is after today; record it on the day",
            f"tanggal jurnal {day.isoformat()} setelah hari ini; catat pada harinya",
        )
    try:  # a closed year stays closed: refused now, not only when the checker approves
        record.refuse_closed(ledger, record.stamp(ledger, datetime.combine(day, POSTING_TIME)))
    except OfficeError as err:
        raise JournalError(err.text("en"), err.text("id")) from err
    if config.unit(unit) is None:
        units = ", ".join(u.code for u in config.units)
        raise JournalError(
            f"unknown unit {unit!r}; the units are {units}", f"unit {unit!r} tidak dikenal; unitnya: {units}"
        )

    def known(code: str) -> str | None:
        account = config.account(code)
        return None if account is None else account.name

    return rules.checked_lines(lines, known)


def _event(conn: Any, entry: int, by: str, role: str, *, action: str, detail: str, ts: int) -> None:
    conn.execute(
        insert(journal_events).values(
            entry=entry, ts=ts, by=by, role=role, action=action, detail=detail[: rules.MAX_REASON]
        )
    )


def _store_photo(conn: Any, entry: int, shot: Photo, by: str, ts: int) -> None:
    conn.execute(
        insert(journal_photos).values(
            entry=entry,
            jpeg=shot.jpeg,
            thumb=shot.thumb,
            width=shot.width,
            height=shot.height,
            sha256=shot.sha256,
            by=by,
            ts=ts,
        )
    )
    _event(conn, entry, by, "", action="photo", detail=shot.sha256, ts=ts)


def _today(ledger: Ledger, now_ts: int) -> date:
    return datetime.fromtimestamp(now_ts, ledger.config.tz).date()


def draft(
    ledger: Ledger,
    *,
    day: date,
    description: str,
    kind: str,
    lines: Sequence[Line],
    by: str,
    role: str,
    unit: str = DEFAULT_UNIT,
    photos: Sequence[Photo] = (),
    now_ts: int | None = None,
) -> Entry:
    """A new draft entry by ``by`` (a role of ``rules.MAKERS``), with its receipt photos; ``JournalError``
    when a rule refuses it (nothing stored then)."""
    ensure_tables(ledger)
    ts = int(_time.time()) if now_ts is None else now_ts
    who = _by(by)
    rules.may_make(role)
    text = rules.description_ok(description)
    kept = _checked(ledger, day, _today(ledger, ts), kind=kind, unit=unit, lines=lines)
    if len(photos) > MAX_PHOTOS:
        raise JournalError(
            f"at most {MAX_PHOTOS} photos per entry", f"paling banyak {MAX_PHOTOS} foto per jurnal"
        )
    with ledger.write() as conn:
        made = conn.execute(
            insert(journal_entries).values(
                day=day.isoformat(),
                description=text,
                kind=kind,
                unit=unit,
                lines=_lines_json(kept),
                state="draft",
                made_by=who,
                made_role=role,
                made_ts=ts,
            )
        )
        key = made.inserted_primary_key
        assert key is not None
        entry_id = int(key[0])
        _event(conn, entry_id, who, role, action="draft", detail=text, ts=ts)
        for shot in photos:
            _store_photo(conn, entry_id, shot, who, ts)
    return get(ledger, entry_id)


def _open_draft(conn: Any, entry_id: int) -> Any:
    row = conn.execute(select(journal_entries).where(journal_entries.c.id == entry_id)).first()
    if row is None:
        raise JournalError(f"no journal entry number {entry_id}", f"tidak ada jurnal nomor {entry_id}")
    if row.state != "draft":
        raise JournalError(
            f"entry {entry_id} is {row.state} already; a decided entry is not changed "
            "(draft a correcting entry instead)",
            f"jurnal {entry_id} sudah {_state_id(row.state)}; jurnal yang sudah diputus tidak diubah "
            "(buat jurnal koreksi)",
        )
    return row


def _state_id(state: str) -> str:
    return {"draft": "draf", "approved": "disetujui", "rejected": "ditolak"}.get(state, state)


def edit(
    ledger: Ledger,
    entry_id: int,
    *,
    day: date,
    description: str,
    kind: str,
    lines: Sequence[Line],
    by: str,
    role: str,
    unit: str = DEFAULT_UNIT,
    now_ts: int | None = None,
) -> Entry:
    """Change a draft (a role of ``rules.MAKERS``; the editor then may not decide it either)."""
    ensure_tables(ledger)
    ts = int(_time.time()) if now_ts is None else now_ts
    who = _by(by)
    rules.may_make(role)
    text = rules.description_ok(description)
    kept = _checked(ledger, day, _today(ledger, ts), kind=kind, unit=unit, lines=lines)
    with ledger.write() as conn:
        _open_draft(conn, entry_id)
        conn.execute(
            update(journal_entries)
            .where(journal_entries.c.id == entry_id, journal_entries.c.state == "draft")
            .values(day=day.isoformat(), description=text, kind=kind, unit=unit, lines=_lines_json(kept))
        )
        _event(conn, entry_id, who, role, action="edit", detail=text, ts=ts)
    return get(ledger, entry_id)


def add_photo(ledger: Ledger, entry_id: int, shot: Photo, *, by: str, now_ts: int | None = None) -> Entry:
    """Keep one more receipt photo with an entry (a draft or a decided one: evidence may come later)."""
    ensure_tables(ledger)
    ts = int(_time.time()) if now_ts is None else now_ts
    who = _by(by)
    with ledger.write() as conn:
        if conn.execute(select(journal_entries.c.id).where(journal_entries.c.id == entry_id)).first() is None:
            raise JournalError(f"no journal entry number {entry_id}", f"tidak ada jurnal nomor {entry_id}")
        have = conn.execute(
            select(func.count()).select_from(journal_photos).where(journal_photos.c.entry == entry_id)
        ).scalar_one()
        if int(have) >= MAX_PHOTOS:
            raise JournalError(
                f"entry {entry_id} has {MAX_PHOTOS} photos already",
                f"jurnal {entry_id} sudah punya {MAX_PHOTOS} foto",
            )
        _store_photo(conn, entry_id, shot, who, ts)
    return get(ledger, entry_id)


# ---- deciding ------------------------------------------------------------------------------------------


def _posted(ledger: Ledger, entry_id: int) -> str | None:
    t = schema.transactions
    with ledger.read() as conn:
        found = conn.execute(
            select(t.c.id).where(t.c.kind == "journal", t.c.note == f"{NOTE_PREFIX}{entry_id}")
        ).first()
    return None if found is None else str(found[0])


def body(entry: Entry) -> dict[str, Any]:
    """The ``journal`` envelope body an approved ``entry`` posts (memo: the line's, else the description)."""
    made = entries.journal(
        rules.KINDS[entry.kind],
        [
            entries.EntryLine(
                x.account, x.debit_rp, x.credit_rp, (x.memo or entry.description)[: rules.MAX_MEMO]
            )
            for x in entry.lines
        ],
        unit=entry.unit,
    )
    made["note"] = f"{NOTE_PREFIX}{entry.id}"
    return made


def _at(ledger: Ledger, day: str, ts: int) -> str:
    """The envelope time of an entry of ``day``: now when it is today's, else noon of its day."""
    now = datetime.fromtimestamp(ts, ledger.config.tz)
    when = now if day == now.date().isoformat() else datetime.combine(date.fromisoformat(day), POSTING_TIME)
    return record.stamp(ledger, when)


def approve(
    ledger: Ledger, office: Office, entry_id: int, *, by: str, role: str, now_ts: int | None = None
) -> Entry:
    """Approve a draft: a checker who did not draft or edit it posts its ``journal`` envelope on the office
    chain (once, even when retried after a crash) and the entry becomes ``approved``."""
    ensure_tables(ledger)
    ts = int(_time.time()) if now_ts is None else now_ts
    who = _by(by)
    try:
        with record.chain_lock(ledger):
            entry = get(ledger, entry_id)
            rules.may_check(role, who, entry.makers)
            with ledger.read() as conn:
                _open_draft(conn, entry_id)
            made = body(entry)
            posted = _posted(ledger, entry_id)
            if posted is None:
                record.precheck(ledger, made)
                signed = record.sign_next(ledger, office, [made], at=_at(ledger, entry.day, ts), by=who)
                refused = record.ingest_signed(ledger, office, signed)
                if refused:
                    raise JournalError(
                        f"the ledger refused the entry: {refused[0]}",
                        f"buku besar menolak jurnal ini: {refused[0]}",
                    )
                posted = str(signed[0]["id"])
            with ledger.write() as conn:
                conn.execute(
                    update(journal_entries)
                    .where(journal_entries.c.id == entry_id, journal_entries.c.state == "draft")
                    .values(
                        state="approved", decided_by=who, decided_role=role, decided_ts=ts, posted_tx=posted
                    )
                )
                _event(conn, entry_id, who, role, action="approve", detail=posted, ts=ts)
    except OfficeError as err:
        raise JournalError(err.text("en"), err.text("id")) from err
    return get(ledger, entry_id)


def reject(
    ledger: Ledger, entry_id: int, *, by: str, role: str, reason: str, now_ts: int | None = None
) -> Entry:
    """Reject a draft with a reason (a checker who did not draft or edit it); nothing is posted."""
    ensure_tables(ledger)
    ts = int(_time.time()) if now_ts is None else now_ts
    who = _by(by)
    entry = get(ledger, entry_id)
    rules.may_check(role, who, entry.makers)
    why = rules.reason_ok(reason)
    with ledger.write() as conn:
        _open_draft(conn, entry_id)
        conn.execute(
            update(journal_entries)
            .where(journal_entries.c.id == entry_id, journal_entries.c.state == "draft")
            .values(state="rejected", decided_by=who, decided_role=role, decided_ts=ts, reason=why)
        )
        _event(conn, entry_id, who, role, action="reject", detail=why, ts=ts)
    return get(ledger, entry_id)
