"""The office's work on quarantine: list and show refused envelopes, retry one after fixing its cause
(through the same idempotent ingest), or dismiss it with a reason. Each action is audited (who, when,
what, why, and what came of it) in ``quarantine_actions``; each row has a state: open, accepted (a
retry committed it) or dismissed.

Also what a device is told about its refused envelopes (``refusal_notice``, sent by ``central serve``
on the device's own ``down/refused`` topic, see ``sync.refusals``).
"""

from __future__ import annotations

import getpass
import time
from dataclasses import dataclass
from typing import Any, Final, Protocol

from sqlalchemy import Connection, Engine, func, select

from central.config import Config
from central.errors import CentralError
from central.ledger import schema
from central.ledger.ingest import ingest
from sync import refusals as notice_mod

MAX_BY: Final = 100
MAX_ACTION_REASON: Final = 500
MAX_LIST: Final = 10_000


class Ledger(Protocol):
    """What these functions need of ``central.ledger.store.Ledger``."""

    @property
    def engine(self) -> Engine: ...

    @property
    def config(self) -> Config: ...

    def require_current(self) -> None: ...


class QuarantineError(CentralError):
    """An office action on quarantine that cannot be done; the message says why, in id and en."""

    def __init__(self, id_text: str, en_text: str) -> None:
        super().__init__(en_text)
        self.id_text = id_text
        self.en_text = en_text

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``id`` or ``en``)."""
        return self.en_text if lang == "en" else self.id_text


class UnknownQuarantineRow(QuarantineError):
    """No quarantine row has this number."""

    def __init__(self, qid: int) -> None:
        super().__init__(
            f"tidak ada baris karantina nomor {qid}; lihat `quarantine list`",
            f"no quarantine row {qid}; see `quarantine list`",
        )


class NotOpen(QuarantineError):
    """The row was already settled (accepted by a retry, or dismissed)."""

    def __init__(self, qid: int, state: str) -> None:
        super().__init__(
            f"baris karantina {qid} sudah selesai ({state}); hanya baris terbuka yang bisa dicoba ulang "
            "atau diabaikan",
            f"quarantine row {qid} is already settled ({state}); only open rows can be retried or dismissed",
        )


class ReasonRequired(QuarantineError):
    """Dismissing needs a reason."""

    def __init__(self) -> None:
        super().__init__(
            "sebutkan alasannya dengan --reason (misalnya: transaksi uji coba)",
            "give the reason with --reason (for example: a test transaction)",
        )


@dataclass(frozen=True)
class Action:
    """One office action on a quarantine row."""

    action: str  # retry, dismiss
    actor: str
    ts: int
    reason: str
    outcome: str


@dataclass(frozen=True)
class Entry:
    """A quarantine row; ``body`` and ``actions`` are filled by ``show`` only."""

    qid: int
    received_ts: int
    id: str | None
    device: str | None
    seq: int | None
    reason: str
    state: str
    holds_position: bool  # an authentic refusal: its device's ack moved past it
    body: str = ""
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What an office action did."""

    qid: int
    state: str  # the row's state afterwards
    detail: str  # accepted / already committed / refused again: <reason> / dismissed


def _who(by: str | None) -> str:
    name = (by or "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (OSError, KeyError):
            name = "?"
    return name[:MAX_BY]


def _entry(row: Any, positions: set[str], body: str = "", actions: tuple[Action, ...] = ()) -> Entry:
    return Entry(
        int(row.qid),
        int(row.received_ts),
        row.id,
        row.device,
        None if row.seq is None else int(row.seq),
        row.reason,
        row.state,
        row.digest in positions,
        body,
        actions,
    )


def _positions(conn: Connection, digests: list[str]) -> set[str]:
    r = schema.refusals
    if not digests:
        return set()
    return {d for (d,) in conn.execute(select(r.c.digest).where(r.c.digest.in_(digests)))}


def list_entries(ledger: Ledger, state: str | None = None, limit: int = MAX_LIST) -> list[Entry]:
    """Quarantine rows, newest first, optionally only those in ``state``."""
    ledger.require_current()  # the state column came with schema version 3
    q = schema.quarantine
    columns = (q.c.qid, q.c.received_ts, q.c.id, q.c.device, q.c.seq, q.c.reason, q.c.state, q.c.digest)
    query = select(*columns).order_by(q.c.qid.desc()).limit(min(limit, MAX_LIST))
    if state is not None:
        query = query.where(q.c.state == state)
    with ledger.engine.connect() as conn:
        rows = conn.execute(query).all()
        positions = _positions(conn, [row.digest for row in rows])
    return [_entry(row, positions) for row in rows]


def _row(conn: Connection, qid: int) -> Any:
    q = schema.quarantine
    row = conn.execute(select(q).where(q.c.qid == qid)).first()
    if row is None:
        raise UnknownQuarantineRow(qid)
    return row


def show(ledger: Ledger, qid: int) -> Entry:
    """One quarantine row with the body as received and the office's actions on it."""
    ledger.require_current()
    a = schema.quarantine_actions
    with ledger.engine.connect() as conn:
        row = _row(conn, qid)
        positions = _positions(conn, [row.digest])
        actions = tuple(
            Action(r.action, r.actor, int(r.ts), r.reason, r.outcome)
            for r in conn.execute(select(a).where(a.c.qid == qid).order_by(a.c.action_id))
        )
    return _entry(row, positions, row.body, actions)


def _record(
    conn: Connection, qid: int, action: str, *, by: str, reason: str, outcome: str, state: str
) -> None:
    q = schema.quarantine
    conn.execute(q.update().where(q.c.qid == qid).values(state=state))
    conn.execute(
        schema.quarantine_actions.insert().values(
            qid=qid,
            action=action,
            actor=by,
            ts=int(time.time()),
            reason=reason[:MAX_ACTION_REASON],
            outcome=outcome,
        )
    )


def retry(ledger: Ledger, qid: int, *, by: str | None = None, reason: str = "") -> Outcome:
    """Ingest the stored body again (after its cause was fixed, e.g. the member imported late), through
    the same idempotent ingest with the device's signature required. Accepted (or found committed
    meanwhile): the row becomes ``accepted``. Refused again: it stays open, the new reason is recorded
    (and quarantined once, like any refusal)."""
    ledger.require_current()
    who = _who(by)
    with ledger.engine.connect() as conn:
        row = _row(conn, qid)
    if row.state != "open":
        raise NotOpen(qid, row.state)
    report = ingest(ledger, [row.body], require_signature=True, retry=True)
    if report.accepted:
        state, detail = "accepted", "accepted"
    elif report.duplicates:
        state, detail = "accepted", "already committed"
    else:
        state = "open"
        detail = "refused again: " + (report.rejected[0].reason if report.rejected else "?")
    q = schema.quarantine
    with ledger.engine.connect() as plain:
        conn = plain.execution_options(immediate=True)
        with conn.begin():
            current = conn.execute(select(q.c.state).where(q.c.qid == qid)).scalar_one()
            if current != "open":  # someone else settled it meanwhile
                raise NotOpen(qid, current)
            _record(conn, qid, "retry", by=who, reason=reason, outcome=detail, state=state)
    return Outcome(qid, state, detail)


def dismiss(ledger: Ledger, qid: int, *, reason: str, by: str | None = None) -> Outcome:
    """Settle an open row without ingesting it (a test transaction, a duplicate entered by hand, ...)."""
    ledger.require_current()
    if not reason.strip():
        raise ReasonRequired()
    who = _who(by)
    with ledger.engine.connect() as plain:
        conn = plain.execution_options(immediate=True)
        with conn.begin():
            row = _row(conn, qid)
            if row.state != "open":
                raise NotOpen(qid, row.state)
            why = reason.strip()
            _record(conn, qid, "dismiss", by=who, reason=why, outcome="dismissed", state="dismissed")
    return Outcome(qid, "dismissed", "dismissed")


def counts(ledger: Ledger) -> dict[str, int]:
    """Quarantine rows per state."""
    q = schema.quarantine
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(q.c.state, func.count()).group_by(q.c.state)).all()
    return {state: int(n) for state, n in rows}


# -- what a device is told -------------------------------------------------------------------------------


def refusal_notice(ledger: Ledger, device: str) -> notice_mod.Notice:
    """A device's refused envelopes (its latest ``sync.refusals.MAX_ITEMS`` by seq) with each one's
    state (``refused`` while open or dismissed, ``accepted`` once an office retry committed it)."""
    r = schema.refusals
    q = schema.quarantine
    with ledger.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(r).where(r.c.device == device)).scalar_one()
        rows = conn.execute(
            select(r.c.seq, r.c.id, r.c.reason, q.c.state)
            .select_from(r.outerjoin(q, q.c.digest == r.c.digest))
            .where(r.c.device == device)
            .order_by(r.c.seq.desc())
            .limit(notice_mod.MAX_ITEMS)
        ).all()
    items = tuple(
        notice_mod.Item(int(seq), ident, reason, "accepted" if state == "accepted" else "refused")
        for seq, ident, reason, state in sorted(rows, key=lambda row: int(row[0]))
    )
    return notice_mod.Notice(device, int(total), items)


def actions_mark(ledger: Ledger) -> int:
    """The latest office action's number (0 if none): ``central serve`` re-sends the devices' notices
    when it changes."""
    a = schema.quarantine_actions
    with ledger.engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(a.c.action_id), 0))).scalar_one())


def devices_with_refusals(ledger: Ledger) -> list[str]:
    """Devices that have at least one refused envelope holding its position."""
    r = schema.refusals
    with ledger.engine.connect() as conn:
        return [d for (d,) in conn.execute(select(r.c.device).distinct().order_by(r.c.device))]
