"""The durable SMS outbox in the ledger database: queue once, send at most once, retry with backoff.

A message's life (``notify_outbox.state``)::

    queued --claim--> sending --> sent
       ^                 |-----> queued   (a refusal the modem says may pass later: +CMS 42, 331, ...;
       |                 |                 next try after the backoff, up to [notify] attempts_max)
       |                 |-----> failed   (a permanent refusal: bad number, no credit, too many attempts)
       |                 '-----> unknown  (the modem stopped answering mid-send, or the service died)
       '---- retry (office) ---- failed | unknown | cancelled;   cancel: queued | failed | unknown

A message is marked ``sending`` in its own committed transaction before the first byte goes to the modem,
and ``sent`` right after the modem gives the message reference. So a crash between the two leaves it in
``sending``; on start the service turns every ``sending`` into ``unknown`` (``recover``) instead of
sending it again, because the modem may well have sent it. The office checks with the member and retries
or cancels it: nothing is ever sent twice without a person deciding so. A long text goes out as numbered
parts, and ``parts_sent`` records each part as it goes, so a retry sends only the parts not yet sent.

A member's number is normalised to +62 when the message is queued; one that cannot be used is recorded as
``failed`` with the reason, so the office sees it (and ``retry`` reads the number again after a fix).

A ``sent`` message then waits for the network's status reports (``central.notify.delivery``): each part's
modem reference is kept in ``notify_parts`` when the part goes out, and ``record_report`` matches a report
to the newest part sent to that number with that reference within ``[notify] report_wait_h`` (references
run 0..255 and repeat). Every report is kept in ``notify_reports``, matched or not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from sqlalchemy import Connection, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from central.ledger import Ledger, schema
from central.notify import phone as phones
from central.notify.campaigns import CHOOSABLE, Draft, consented
from central.notify.delivery import Delivery, PartReport, delivery
from central.notify.errors import BadPhone, UnknownMessage, WrongState
from central.notify.tables import (
    MAX_ERROR,
    ensure_tables,
    notify_attempts,
    notify_consent,
    notify_outbox,
    notify_parts,
    notify_reports,
)
from drivers.smsreport import describe

STATES: Final = ("queued", "sending", "sent", "failed", "unknown", "cancelled")
RETRYABLE_STATES: Final = frozenset({"failed", "unknown", "cancelled"})
CANCELLABLE_STATES: Final = frozenset({"queued", "failed", "unknown"})
MAX_LISTED: Final = 1000
IN_LIST_MAX: Final = 500
INTERRUPTED: Final = (
    "terputus saat mengirim: modem mungkin sudah mengirimnya; tanyakan ke anggota, lalu kirim ulang atau "
    "batalkan | interrupted while sending: the modem may have sent it; check with the member, then retry "
    "or cancel"
)


@dataclass(frozen=True)
class Message:
    """One row of the outbox."""

    id: int
    kind: str
    member: str
    period: str
    phone: str | None
    text: str
    state: str
    attempts: int
    parts_sent: int
    next_ts: int
    created_ts: int
    updated_ts: int
    sent_ts: int | None
    error: str | None
    announcement: int | None


@dataclass(frozen=True)
class Queued:
    """What ``enqueue`` did with a batch of drafts."""

    new: int  # rows added (queued, or failed for a number that cannot be used)
    existing: int  # already in the outbox under the same key: nothing changed
    declined: int  # the member opted out of the kind (or never agreed, for a donor call)
    bad_phone: int  # of ``new``: recorded as failed for the number


def _message(row: Any) -> Message:
    return Message(**{name: row._mapping[name] for name in Message.__dataclass_fields__})


def both(err: BadPhone) -> str:
    """An error's text in both languages, as the outbox keeps it (the office may read either)."""
    return f"{err.id_} | {err.en}"[:MAX_ERROR]


def consent_choices(conn: Connection, members: Sequence[str] | None = None) -> dict[tuple[str, str], bool]:
    """(member, kind) -> allowed, as members chose (of ``members``, or everybody)."""
    c = notify_consent
    query = select(c.c.member, c.c.kind, c.c.allowed)
    if members is None:
        return {(str(m), str(k)): bool(a) for m, k, a in conn.execute(query)}
    out: dict[tuple[str, str], bool] = {}
    for start in range(0, len(members), IN_LIST_MAX):
        part = list(members[start : start + IN_LIST_MAX])
        out.update({(str(m), str(k)): bool(a) for m, k, a in conn.execute(query.where(c.c.member.in_(part)))})
    return out


def _phones(conn: Connection, members: Sequence[str]) -> dict[str, str | None]:
    m = schema.members
    out: dict[str, str | None] = {}
    for start in range(0, len(members), IN_LIST_MAX):
        part = list(members[start : start + IN_LIST_MAX])
        out.update(
            {str(n): p for n, p in conn.execute(select(m.c.number, m.c.phone).where(m.c.number.in_(part)))}
        )
    return out


def _insert(ledger: Ledger) -> Any:
    return pg_insert if ledger.engine.dialect.name == "postgresql" else sqlite_insert


def enqueue(
    ledger: Ledger, drafts: Iterable[Draft], now_ts: int, *, announcement: int | None = None
) -> Queued:
    """Queue the drafts that are not in the outbox yet, in one transaction (the unique key decides)."""
    ensure_tables(ledger)
    batch = list(drafts)
    if not batch:
        return Queued(0, 0, 0, 0)
    o = notify_outbox
    insert = _insert(ledger)
    new = existing = declined = bad = 0
    with ledger.write() as conn:
        members = sorted({d.member for d in batch})
        choices = consent_choices(conn, members)
        numbers = _phones(conn, members)
        for draft in batch:
            if not consented(draft.kind, draft.member, choices):
                declined += 1
                continue
            state, error, number = "queued", None, None
            try:
                number = phones.normalise(numbers.get(draft.member))
            except BadPhone as err:
                state, error = "failed", both(err)
            row = {
                "kind": draft.kind,
                "member": draft.member,
                "period": draft.period,
                "phone": number,
                "text": draft.text,
                "state": state,
                "attempts": 0,
                "parts_sent": 0,
                "next_ts": now_ts,
                "created_ts": now_ts,
                "updated_ts": now_ts,
                "error": error,
                "announcement": announcement,
            }
            done = conn.execute(insert(o).values(**row).on_conflict_do_nothing())
            if done.rowcount:
                new += 1
                bad += state == "failed"
            else:
                existing += 1
    return Queued(new, existing, declined, bad)


def recover(ledger: Ledger, now_ts: int) -> int:
    """Turn every ``sending`` message (the service stopped mid-send) into ``unknown``; how many."""
    ensure_tables(ledger)
    o = notify_outbox
    with ledger.write() as conn:
        ids = [int(i) for (i,) in conn.execute(select(o.c.id).where(o.c.state == "sending"))]
        for message in ids:
            _set(conn, message, now_ts, "unknown", INTERRUPTED, state="unknown", error=INTERRUPTED)
    return len(ids)


def _set(conn: Connection, message: int, now_ts: int, outcome: str, detail: str, **values: Any) -> None:
    conn.execute(
        update(notify_outbox).where(notify_outbox.c.id == message).values(updated_ts=now_ts, **values)
    )
    conn.execute(
        notify_attempts.insert().values(
            message=message, ts=now_ts, outcome=outcome, detail=detail[:MAX_ERROR]
        )
    )


def due(ledger: Ledger, now_ts: int, limit: int) -> list[Message]:
    """Queued messages whose time has come, oldest first (at most ``limit``)."""
    ensure_tables(ledger)
    o = notify_outbox
    with ledger.read() as conn:
        rows = conn.execute(
            select(o)
            .where(o.c.state == "queued", o.c.next_ts <= now_ts)
            .order_by(o.c.next_ts, o.c.id)
            .limit(max(0, limit))
        )
        return [_message(row) for row in rows]


def claim(ledger: Ledger, message: int, now_ts: int) -> bool:
    """Mark a queued message ``sending`` (committed before anything goes to the modem); False if another
    sender took it or it was cancelled meanwhile."""
    o = notify_outbox
    with ledger.write() as conn:
        done = conn.execute(
            update(o)
            .where(o.c.id == message, o.c.state == "queued")
            .values(state="sending", attempts=o.c.attempts + 1, updated_ts=now_ts)
        )
        return bool(done.rowcount)


def part_sent(
    ledger: Ledger,
    message: int,
    parts: int,
    now_ts: int,
    *,
    reference: int | None = None,
    phone: str | None = None,
) -> None:
    """Record that the first ``parts`` parts went out (the last one under the modem's ``reference`` to
    ``phone``, kept for matching its status report)."""
    ensure_tables(ledger)
    with ledger.write() as conn:
        conn.execute(
            update(notify_outbox)
            .where(notify_outbox.c.id == message)
            .values(parts_sent=parts, updated_ts=now_ts)
        )
        if reference is not None and phone is not None:
            conn.execute(
                notify_parts.insert().values(
                    message=message, part=parts, phone=phone, reference=reference % 256, sent_ts=now_ts
                )
            )


@dataclass(frozen=True)
class Report:
    """One status report as the office keeps it (``message`` None when it matched nothing)."""

    id: int
    received_ts: int
    reference: int
    phone: str
    centre_ts: int
    discharge_ts: int
    status: int
    message: int | None
    part: int | None


def _report_phone(raw: str) -> str:
    """The report's recipient as the outbox writes numbers (+62...), or as it came if it is not one."""
    try:
        return phones.normalise(raw)
    except BadPhone:
        return raw.strip()[:20]


def record_report(
    ledger: Ledger,
    *,
    reference: int,
    recipient: str,
    centre_ts: int,
    discharge_ts: int,
    status: int,
    now_ts: int,
) -> Report:
    """Keep a status report and put it on the newest part sent to ``recipient`` under ``reference`` within
    ``[notify] report_wait_h`` (nothing else changes when none matches). A "still trying" report never
    replaces a final one already on the part."""
    ensure_tables(ledger)
    p = notify_parts
    number = _report_phone(recipient)
    wait_s = ledger.config.notify.report_wait_s
    with ledger.write() as conn:
        found = conn.execute(
            select(p.c.id, p.c.message, p.c.part, p.c.status)
            .where(p.c.phone == number, p.c.reference == reference, p.c.sent_ts > now_ts - wait_s)
            .order_by(p.c.sent_ts.desc(), p.c.id.desc())
            .limit(1)
        ).first()
        message = part = None
        if found is not None:
            message, part = int(found.message), int(found.part)
            final_before = found.status is not None and not 32 <= int(found.status) < 64
            if not (final_before and 32 <= status < 64):
                conn.execute(
                    update(p)
                    .where(p.c.id == found.id)
                    .values(status=status, discharge_ts=discharge_ts, report_ts=now_ts)
                )
            meaning = describe_status(status)
            conn.execute(
                notify_attempts.insert().values(
                    message=message,
                    ts=now_ts,
                    outcome="report",
                    detail=f"{meaning[0]} | {meaning[1]}; part {part}, ref {reference}"[:MAX_ERROR],
                )
            )
        kept = Report(0, now_ts, reference, number, centre_ts, discharge_ts, status, message, part)
        values = {name: getattr(kept, name) for name in Report.__dataclass_fields__ if name != "id"}
        new = conn.execute(notify_reports.insert().values(**values)).inserted_primary_key
        assert new is not None
    return replace(kept, id=int(new[0]))


def describe_status(status: int) -> tuple[str, str]:
    """A status report's TP-ST in (Indonesian, English)."""
    meaning = describe(status)
    return meaning.id, meaning.en


def reports(ledger: Ledger, *, unmatched: bool = False, limit: int = 200) -> list[Report]:
    """The status reports received, newest first (only those that matched no message if ``unmatched``)."""
    ensure_tables(ledger)
    r = notify_reports
    query = select(r).order_by(r.c.id.desc()).limit(min(max(1, limit), MAX_LISTED))
    if unmatched:
        query = query.where(r.c.message.is_(None))
    with ledger.read() as conn:
        return [
            Report(**{k: row._mapping[k] for k in Report.__dataclass_fields__}) for row in conn.execute(query)
        ]


def awaiting_reports(ledger: Ledger, now_ts: int) -> bool:
    """True when a part sent within ``[notify] report_wait_h`` has no final status report yet."""
    ensure_tables(ledger)
    p = notify_parts
    since = now_ts - ledger.config.notify.report_wait_s
    with ledger.read() as conn:
        found = conn.execute(
            select(p.c.id)
            .where(p.c.sent_ts > since, (p.c.status.is_(None)) | p.c.status.between(32, 63))
            .limit(1)
        ).first()
    return found is not None


def deliveries(ledger: Ledger, messages: Sequence[Message], now_ts: int) -> dict[int, Delivery]:
    """The delivery state of each ``sent`` message of ``messages`` (others have none)."""
    ensure_tables(ledger)
    sent = [m for m in messages if m.state == "sent" and m.sent_ts is not None]
    p = notify_parts
    found: dict[int, list[PartReport]] = {m.id: [] for m in sent}
    with ledger.read() as conn:
        ids = list(found)
        for start in range(0, len(ids), IN_LIST_MAX):
            rows = conn.execute(
                select(p.c.message, p.c.part, p.c.reference, p.c.status, p.c.discharge_ts)
                .where(p.c.message.in_(ids[start : start + IN_LIST_MAX]))
                .order_by(p.c.id)
            )
            for message, part, reference, status, discharge_ts in rows:
                found[int(message)].append(PartReport(int(part), int(reference), status, discharge_ts))
    wait_s = ledger.config.notify.report_wait_s
    out: dict[int, Delivery] = {}
    for m in sent:
        assert m.sent_ts is not None
        out[m.id] = delivery(m.sent_ts, m.parts_sent, found[m.id], now_ts, wait_s)
    return out


def finish(
    ledger: Ledger, message: int, now_ts: int, state: str, detail: str, *, next_ts: int | None = None
) -> None:
    """After an attempt: ``sent``, ``queued`` again (with ``next_ts``), ``failed`` or ``unknown``."""
    assert state in {"sent", "queued", "failed", "unknown"}
    values: dict[str, Any] = {"state": state}
    if state == "sent":
        values.update(sent_ts=now_ts, error=None)
    else:
        values["error"] = detail[:MAX_ERROR]
    if next_ts is not None:
        values["next_ts"] = next_ts
    outcome = "retry" if state == "queued" else state
    with ledger.write() as conn:
        _set(conn, message, now_ts, outcome, detail, **values)


def sent_since(ledger: Ledger, since_ts: int) -> int:
    """How many messages were sent from ``since_ts`` on (the daily cap counts these)."""
    ensure_tables(ledger)
    o = notify_outbox
    with ledger.read() as conn:
        return int(
            conn.execute(select(func.count()).select_from(o).where(o.c.sent_ts >= since_ts)).scalar() or 0
        )


def get(ledger: Ledger, message: int) -> Message:
    """One message; ``UnknownMessage`` if there is none with this number."""
    ensure_tables(ledger)
    with ledger.read() as conn:
        row = conn.execute(select(notify_outbox).where(notify_outbox.c.id == message)).first()
    if row is None:
        raise UnknownMessage(f"no message number {message} in the outbox", f"tidak ada pesan nomor {message}")
    return _message(row)


def attempts(ledger: Ledger, message: int) -> list[tuple[int, str, str]]:
    """(ts, outcome, detail) of a message's attempts and the office's changes, oldest first."""
    ensure_tables(ledger)
    a = notify_attempts
    with ledger.read() as conn:
        rows = conn.execute(
            select(a.c.ts, a.c.outcome, a.c.detail).where(a.c.message == message).order_by(a.c.id)
        )
        return [(int(ts), str(outcome), str(detail)) for ts, outcome, detail in rows]


def listing(
    ledger: Ledger, *, state: str | None = None, member: str | None = None, limit: int = 200
) -> list[Message]:
    """The newest messages first (of one state or member if given), at most ``limit``."""
    ensure_tables(ledger)
    o = notify_outbox
    query = select(o).order_by(o.c.id.desc()).limit(min(max(1, limit), MAX_LISTED))
    if state is not None:
        query = query.where(o.c.state == state)
    if member is not None:
        query = query.where(o.c.member == member)
    with ledger.read() as conn:
        return [_message(row) for row in conn.execute(query)]


def counts(ledger: Ledger) -> dict[str, int]:
    """How many messages are in each state."""
    ensure_tables(ledger)
    o = notify_outbox
    with ledger.read() as conn:
        found = {str(s): int(n) for s, n in conn.execute(select(o.c.state, func.count()).group_by(o.c.state))}
    return {state: found.get(state, 0) for state in STATES}


def retry(ledger: Ledger, message: int, now_ts: int, by: str) -> Message:
    """Queue a failed, unknown or cancelled message again now (attempts start over; the member's number is
    read again, so a corrected number is used)."""
    found = get(ledger, message)
    if found.state not in RETRYABLE_STATES:
        raise WrongState(
            f"message {message} is {found.state}; only failed, unknown or cancelled messages can be retried",
            f"pesan {message} berstatus {found.state}; hanya pesan gagal, tidak pasti atau batal yang bisa "
            "dikirim ulang",
        )
    with ledger.write() as conn:
        number = _phones(conn, [found.member]).get(found.member)
        try:
            target = phones.normalise(number)
        except BadPhone as err:
            raise BadPhone(f"member {found.member}: {err.en}", f"anggota {found.member}: {err.id_}") from err
        o = notify_outbox
        done = conn.execute(
            update(o)
            .where(o.c.id == message, o.c.state == found.state)
            .values(state="queued", attempts=0, next_ts=now_ts, phone=target, updated_ts=now_ts)
        )
        if not done.rowcount:
            raise WrongState(
                f"message {message} changed meanwhile; look again", f"pesan {message} baru berubah"
            )
        conn.execute(
            notify_attempts.insert().values(message=message, ts=now_ts, outcome="retried", detail=f"by {by}")
        )
    return get(ledger, message)


def cancel(ledger: Ledger, message: int, now_ts: int, by: str) -> Message:
    """Cancel a queued, failed or unknown message (it will not be sent)."""
    found = get(ledger, message)
    if found.state not in CANCELLABLE_STATES:
        raise WrongState(
            f"message {message} is {found.state}; only queued, failed or unknown messages can be cancelled",
            f"pesan {message} berstatus {found.state}; hanya pesan antre, gagal atau tidak pasti yang bisa "
            "dibatalkan",
        )
    o = notify_outbox
    with ledger.write() as conn:
        done = conn.execute(
            update(o)
            .where(and_(o.c.id == message, o.c.state == found.state))
            .values(state="cancelled", updated_ts=now_ts)
        )
        if not done.rowcount:
            raise WrongState(
                f"message {message} changed meanwhile; look again", f"pesan {message} baru berubah"
            )
        conn.execute(
            notify_attempts.insert().values(
                message=message, ts=now_ts, outcome="cancelled", detail=f"by {by}"
            )
        )
    return get(ledger, message)


def set_consent(ledger: Ledger, member: str, choices: Mapping[str, bool], now_ts: int, by: str) -> None:
    """Record a member's choices per kind (statutory kinds are not choosable and are ignored); a refused
    kind's messages still queued for the member are cancelled."""
    ensure_tables(ledger)
    c, o = notify_consent, notify_outbox
    with ledger.write() as conn:
        for kind, allowed in choices.items():
            if kind not in CHOOSABLE:
                continue
            conn.execute(c.delete().where(c.c.member == member, c.c.kind == kind))
            conn.execute(
                c.insert().values(
                    member=member, kind=kind, allowed=bool(allowed), updated_ts=now_ts, updated_by=by
                )
            )
            if allowed:
                continue
            # what is still waiting of a kind the member just refused is not sent either
            waiting = conn.execute(
                select(o.c.id).where(o.c.member == member, o.c.kind == kind, o.c.state == "queued")
            ).scalars()
            for message in list(waiting):
                _set(conn, int(message), now_ts, "cancelled", f"opted out by {by}", state="cancelled")


def consent_of(ledger: Ledger, member: str) -> dict[str, bool]:
    """Each choosable kind -> whether ``member`` gets it now (defaults applied)."""
    ensure_tables(ledger)
    with ledger.read() as conn:
        choices = consent_choices(conn, [member])
    return {kind: consented(kind, member, choices) for kind in CHOOSABLE}
