"""Dispute cases at central (docs/disputes.md): the members' ``dispute`` envelopes read as cases with the
disputed sale (its device, clerk, time, amount), the decisions of the supervisor or manager, the trail of
who did what when, and the report by clerk and by device.

A case needs no row to exist: the dispute envelope opens it the moment it reaches the ledger (from a kiosk
or from the portal on the office chain), so nothing can be lost between the two. The decision lives in a
side table (``dispute_decisions``, created through ``Ledger.create_side_tables``) and its trail in
``dispute_events``; the money never sits there. Accepting voids the sale with a ``void`` envelope on the
office chain whose note names the case (``sanggahan <case>``), so stock, store credit and points follow
from the void as they do for any void, and a retry after a crash between posting and recording finds that
void and posts nothing again. Both decisions are taken under the office chain lock: two deciders at once
decide once.
"""

from __future__ import annotations

import time as _time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    false,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from central.disputes import rules
from central.disputes.errors import DecisionRefused, DisputeError, UnknownCase
from central.disputes.rules import Case
from central.ledger import Ledger, schema
from central.office import record
from central.office.errors import OfficeError
from central.office.identity import Office

MAX_LISTED: Final = 10_000
MAX_ID: Final = 64
FILTERS: Final = ("open", "decided", "accepted", "rejected", "all")  # the lists' state filter

metadata = MetaData()

dispute_decisions = Table(
    "dispute_decisions",
    metadata,
    Column("tx", String(MAX_ID), primary_key=True),  # the dispute envelope's id: the case
    Column("state", String(12), nullable=False),  # accepted, rejected
    Column("ts", BigInteger, nullable=False),
    Column("by", String(rules.BY_MAX), nullable=False),
    Column("role", String(20), nullable=False),
    Column("reason", String(rules.REASON_MAX)),  # required for a rejection: the member reads it
    Column("void_tx", String(MAX_ID)),  # accepted: the sale's void
    Column("void_posted", Boolean, nullable=False, default=False),  # False: the sale was voided already
)

dispute_events = Table(
    "dispute_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tx", String(MAX_ID), nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("who", String(rules.BY_MAX), nullable=False),
    Column("role", String(20), nullable=False),
    Column("action", String(20), nullable=False),  # accept, reject
    Column("detail", String(400), nullable=False),
)
Index("ix_dispute_events_tx", dispute_events.c.tx)


def ensure_tables(ledger: Ledger) -> None:
    """Create the dispute tables if missing (``Ledger.create_side_tables`` does it once per ledger, and
    serialises two connections creating them at once on PostgreSQL)."""
    ledger.create_side_tables(metadata)


# -- reading cases ---------------------------------------------------------------------------------------


def _query(
    *,
    state: str | None = None,
    unit: str | None = None,
    clerk: str | None = None,
    device: str | None = None,
    member: str | None = None,
    start: str | None = None,
    end: str | None = None,
    ids: Sequence[str] = (),
    sales: Sequence[str] = (),
    devices: Sequence[str] | None = None,
) -> tuple[Any, Any, list[ColumnElement[bool]]]:
    t = schema.transactions
    sale = t.alias("sale")
    void = t.alias("void")
    d = dispute_decisions
    joined = (
        t.outerjoin(sale, sale.c.id == t.c.ref)
        .outerjoin(void, and_(void.c.ref == t.c.ref, void.c.kind == "void"))
        .outerjoin(d, d.c.tx == t.c.id)
    )
    where: list[ColumnElement[bool]] = [t.c.kind == "dispute"]
    if state == "open":
        where.append(d.c.tx.is_(None))
    elif state == "decided":
        where.append(d.c.tx.is_not(None))
    elif state in ("accepted", "rejected"):
        where.append(d.c.state == state)
    if unit:
        where.append(func.coalesce(sale.c.unit, t.c.unit) == unit)
    if clerk:
        where.append(sale.c.clerk == clerk)
    if device:
        where.append(sale.c.device == device)
    if devices is not None:  # a branch's devices (central.branches.scope): where the disputed sale was made
        where.append(sale.c.device.in_(list(devices)) if devices else false())
    if member:
        # through the member's disputes alone (the (member, kind) index): filtering the member's rows by
        # kind would walk every transaction of theirs in time order, on every view of their home page
        mine = t.alias("mine")
        where.append(t.c.id.in_(select(mine.c.id).where(mine.c.member == member, mine.c.kind == "dispute")))
    if start:
        where.append(t.c.day >= start)
    if end:
        where.append(t.c.day <= end)
    if ids:
        where.append(t.c.id.in_(list(ids)))
    if sales:
        where.append(t.c.ref.in_(list(sales)))
    columns = (
        t.c.id,
        t.c.at,
        t.c.day,
        t.c.member,
        t.c.reason,
        t.c.device,
        t.c.ref,
        sale.c.at.label("sale_at"),
        sale.c.day.label("sale_day"),
        sale.c.unit.label("sale_unit"),
        sale.c.device.label("sale_device"),
        sale.c.clerk.label("sale_clerk"),
        sale.c.payment.label("sale_payment"),
        sale.c.total_rp.label("sale_total_rp"),
        void.c.id.label("sale_void"),
        d.c.state,
        d.c.ts.label("decided_ts"),
        d.c.by.label("decided_by"),
        d.c.role.label("decided_role"),
        d.c.reason.label("decision_reason"),
        d.c.void_tx,
        d.c.void_posted,
    )
    return joined, columns, where


def _case(r: Any) -> Case:
    return Case(
        id=str(r.id),
        at=str(r.at),
        day=str(r.day),
        member=r.member,
        words=r.reason or "",
        recorded_by=str(r.device),
        sale=str(r.ref or ""),
        sale_at=r.sale_at,
        sale_day=r.sale_day,
        sale_unit=r.sale_unit,
        sale_device=r.sale_device,
        sale_clerk=r.sale_clerk,
        sale_payment=r.sale_payment,
        sale_total_rp=None if r.sale_total_rp is None else int(r.sale_total_rp),
        sale_void=r.sale_void,
        state=r.state or "open",
        decided_ts=None if r.decided_ts is None else int(r.decided_ts),
        decided_by=r.decided_by,
        decided_role=r.decided_role,
        decision_reason=r.decision_reason,
        void_tx=r.void_tx,
        void_posted=bool(r.void_posted),
    )


def cases(
    ledger: Ledger,
    *,
    state: str | None = None,
    unit: str | None = None,
    clerk: str | None = None,
    device: str | None = None,
    member: str | None = None,
    start: str | None = None,
    end: str | None = None,
    ids: Sequence[str] = (),
    sales: Sequence[str] = (),
    devices: Sequence[str] | None = None,
    limit: int = MAX_LISTED,
    offset: int = 0,
) -> list[Case]:
    """The cases that match, newest dispute first. ``state``: open, decided, accepted, rejected (None or
    ``all``: every case); ``unit``, ``clerk`` and ``device`` are the disputed sale's; ``start``/``end``
    bound the day of the dispute; ``ids`` are cases, ``sales`` disputed sales; ``devices`` (a branch's,
    ``central.branches.scope``) those the disputed sale may have been recorded on."""
    ensure_tables(ledger)
    joined, columns, where = _query(
        state=state,
        unit=unit,
        clerk=clerk,
        device=device,
        member=member,
        start=start,
        end=end,
        ids=ids,
        sales=sales,
        devices=devices,
    )
    t = schema.transactions
    query: Select[Any] = (
        select(*columns)
        .select_from(joined)
        .where(*where)
        .order_by(t.c.ts.desc(), t.c.id.desc())
        .limit(max(0, min(limit, MAX_LISTED)))
        .offset(max(0, offset))
    )
    with ledger.read() as conn:
        return [_case(r) for r in conn.execute(query)]


def count(ledger: Ledger, **filters: Any) -> int:
    """How many cases match ``filters`` (those of ``cases``)."""
    ensure_tables(ledger)
    joined, _columns, where = _query(**filters)
    with ledger.read() as conn:
        return int(conn.execute(select(func.count()).select_from(joined).where(*where)).scalar_one())


def facets(ledger: Ledger) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The clerks and the devices of the disputed sales (for the list's filters), each sorted."""
    t = schema.transactions
    sale = t.alias("sale")
    query = (
        select(sale.c.clerk, sale.c.device)
        .select_from(t.join(sale, sale.c.id == t.c.ref))
        .where(t.c.kind == "dispute")
        .distinct()
        .limit(MAX_LISTED)
    )
    with ledger.read() as conn:
        rows = conn.execute(query).all()
    return tuple(sorted({str(c) for c, _ in rows if c})), tuple(sorted({str(d) for _, d in rows if d}))


def get(ledger: Ledger, key: str) -> Case:
    """The case ``key``: a dispute's id, or the id of the disputed sale when one dispute names it.

    ``UnknownCase`` (bilingual) when there is none, or when the sale was disputed more than once."""
    key = (key or "").strip()
    if not key or len(key) > MAX_ID or not key.isprintable():
        raise UnknownCase(
            f"{key[:MAX_ID]!r} is not a case; a case is named by its dispute's id "
            "(`central disputes list` shows them)",
            f"{key[:MAX_ID]!r} bukan sanggahan; sanggahan disebut dengan id-nya "
            "(lihat `central disputes list`)",
        )
    found = cases(ledger, ids=(key,))
    if not found:
        found = cases(ledger, sales=(key,))
    if len(found) > 1:
        listed = ", ".join(c.id for c in found)
        raise UnknownCase(
            f"sale {key} was disputed {len(found)} times; name the case: {listed}",
            f"penjualan {key} disanggah {len(found)} kali; sebut sanggahannya: {listed}",
        )
    if not found:
        raise UnknownCase(
            f"no dispute case {key!r} (neither a dispute's id nor a disputed sale's); "
            "`central disputes list` shows them",
            f"tidak ada sanggahan {key!r} (bukan id sanggahan, bukan penjualan yang disanggah); "
            "lihat `central disputes list`",
        )
    return found[0]


def member_cases(ledger: Ledger, member: str, sales: Sequence[str] | None = None) -> dict[str, Case]:
    """The member's cases by the sale they dispute (the first dispute of a sale when there are two);
    only those of ``sales`` when given (none for an empty list)."""
    if sales is not None and not sales:
        return {}
    found: dict[str, Case] = {}
    for case in reversed(cases(ledger, member=member, sales=sales or ())):
        found.setdefault(case.sale, case)
    return found


@dataclass(frozen=True)
class Event:
    """One line of a case's trail: when, who (and as which role), what, and the detail."""

    ts: int | None
    at: str
    who: str
    role: str
    action: str
    detail: str


def trail(ledger: Ledger, case: Case) -> list[Event]:
    """The case's history: opened by the dispute envelope (the member, on the device that recorded it),
    then each decision step kept in ``dispute_events``."""
    ensure_tables(ledger)
    e = dispute_events
    tz = ledger.config.tz
    opened = Event(None, case.at, case.member or "-", "anggota", "open", f"{case.recorded_by}: {case.words}")
    with ledger.read() as conn:
        rows = conn.execute(select(e).where(e.c.tx == case.id).order_by(e.c.ts, e.c.id)).mappings().all()
    return [opened] + [
        Event(
            int(r["ts"]),
            datetime.fromtimestamp(int(r["ts"]), tz).isoformat(timespec="seconds"),
            str(r["who"]),
            str(r["role"]),
            str(r["action"]),
            str(r["detail"]),
        )
        for r in rows
    ]


# -- deciding ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    """A decision made: the case after it, and for an acceptance whether it posted the void (False: the
    sale was voided already, by a clerk or the office, and nothing was voided again)."""

    case: Case
    posted: bool


def _now(now_ts: int | None) -> int:
    return int(_time.time()) if now_ts is None else now_ts


def _check_by(by: str) -> None:
    if not by.strip() or len(by) > rules.BY_MAX:
        raise DecisionRefused(
            f"who decides must be named (1 to {rules.BY_MAX} characters)",
            f"yang memutus harus disebut (1 sampai {rules.BY_MAX} karakter)",
        )


def _sale_void(ledger: Ledger, sale: str) -> tuple[str, str | None] | None:
    """(id, note) of the void of ``sale``, None when it is not voided."""
    t = schema.transactions
    with ledger.read() as conn:
        row = conn.execute(select(t.c.id, t.c.note).where(t.c.ref == sale, t.c.kind == "void")).first()
    return None if row is None else (str(row[0]), row[1])


def _write(ledger: Ledger, decided: Case, detail: str) -> None:
    assert decided.decided_ts is not None and decided.decided_by and decided.decided_role
    try:
        with ledger.write() as conn:
            conn.execute(
                insert(dispute_decisions).values(
                    tx=decided.id,
                    state=decided.state,
                    ts=decided.decided_ts,
                    by=decided.decided_by,
                    role=decided.decided_role,
                    reason=decided.decision_reason,
                    void_tx=decided.void_tx,
                    void_posted=decided.void_posted,
                )
            )
            conn.execute(
                insert(dispute_events).values(
                    tx=decided.id,
                    ts=decided.decided_ts,
                    who=decided.decided_by,
                    role=decided.decided_role,
                    action="accept" if decided.state == "accepted" else "reject",
                    detail=detail[:400],
                )
            )
    except IntegrityError as err:  # decided meanwhile by a process that did not take the lock
        raise DecisionRefused(
            f"case {decided.id} was decided meanwhile; a decision is not changed",
            f"sanggahan {decided.id} baru saja diputus; keputusan tidak diubah",
        ) from err


def accept(
    ledger: Ledger,
    office: Office | None,
    key: str,
    *,
    by: str,
    role: str,
    reason: str = "",
    now_ts: int | None = None,
) -> Decided:
    """Accept case ``key``: void the disputed sale on the office chain (a ``void`` envelope noted
    ``sanggahan <case>``) and record the decision. When the sale was voided already the case is accepted
    on that void and nothing is voided again (``Decided.posted`` is False). Refused, with nothing done,
    for a role that may not decide, a case decided already, or a ledger that refuses the void."""
    rules.check_decider(role)  # the role first: no key is needed to be refused
    _check_by(by)
    text = rules.clean_reason(reason, required=False)
    rules.check_open(get(ledger, key))
    ts = _now(now_ts)
    try:
        with record.chain_lock(ledger):
            case = get(ledger, key)  # under the lock: a decision made meanwhile stops this one
            rules.check_open(case)
            if case.sale_total_rp is None:
                raise DecisionRefused(
                    f"the disputed sale {case.sale} is not in the ledger; there is nothing to void",
                    f"penjualan yang disanggah {case.sale} tidak ada di buku besar; tak ada yang dibatalkan",
                )
            found = _sale_void(ledger, case.sale)
            if found is not None:
                void_tx, posted = found[0], found[1] == rules.note(case.id)  # ours: a retry after a crash
            else:
                if office is None:
                    raise DisputeError(
                        "voiding the sale needs the office's key (`central office init`)",
                        "pembatalan penjualan memerlukan kunci kantor (`central office init`)",
                    )
                body = record.void_body(ledger, case.sale, rules.void_reason(text))
                body["note"] = rules.note(case.id)
                record.precheck(ledger, body)
                at = record.stamp(ledger, datetime.fromtimestamp(ts, ledger.config.tz))
                signed = record.sign_next(ledger, office, [body], at=at, by=by)
                refused = record.ingest_signed(ledger, office, signed)
                if refused:
                    raise DisputeError(
                        f"the ledger refused the void of sale {case.sale}: {refused[0]}",
                        f"buku besar menolak pembatalan penjualan {case.sale}: {refused[0]}",
                    )
                void_tx, posted = str(signed[0]["id"]), True
            decided = rules.decide(
                case, "accept", by=by, role=role, reason=text, ts=ts, void_tx=void_tx, void_posted=posted
            )
            how = "voided" if posted else "voided already"
            _write(ledger, decided, f"sale {case.sale} {how} by {void_tx}" + (f": {text}" if text else ""))
    except OfficeError as err:
        raise DisputeError(err.text("en"), err.text("id")) from err
    return Decided(get(ledger, decided.id), posted)


def reject(
    ledger: Ledger, key: str, *, by: str, role: str, reason: str, now_ts: int | None = None
) -> Decided:
    """Reject case ``key`` with a reason the member reads: the books stay as they are."""
    rules.check_decider(role)
    _check_by(by)
    text = rules.clean_reason(reason, required=True)
    rules.check_open(get(ledger, key))
    ts = _now(now_ts)
    with record.chain_lock(ledger):  # the lock an acceptance holds: the two never cross
        case = get(ledger, key)
        decided = rules.decide(case, "reject", by=by, role=role, reason=text, ts=ts)
        _write(ledger, decided, text)
    return Decided(get(ledger, decided.id), False)


# -- the report by clerk and by device ------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """The disputes of a period (by the day of the dispute), by the clerk and by the device of the sale."""

    start: str | None
    end: str | None
    unit: str | None
    clerks: tuple[rules.Tally, ...]
    devices: tuple[rules.Tally, ...]
    total: rules.Tally


def report(
    ledger: Ledger, start: str | None = None, end: str | None = None, unit: str | None = None
) -> Report:
    """Per clerk and per device of the disputed sales: how many disputes and how much, open, accepted and
    rejected (at most ``MAX_LISTED`` disputes of the period)."""
    found = cases(ledger, start=start, end=end, unit=unit)
    clerks = rules.tally(found, rules.by_clerk)
    return Report(start, end, unit, clerks, rules.tally(found, rules.by_device), rules.total(clerks))


CASE_COLUMNS: Final = (
    "id",
    "day",
    "member",
    "sale",
    "sale_day",
    "unit",
    "device",
    "clerk",
    "amount_rp",
    "state",
    "decided_by",
    "reason",
    "words",
)


def row(case: Case) -> dict[str, Any]:
    """A case as a plain row (``CASE_COLUMNS``; JSON, CSV, tables)."""
    return {
        "id": case.id,
        "day": case.day,
        "member": case.member,
        "sale": case.sale,
        "sale_day": case.sale_day,
        "unit": case.sale_unit,
        "device": case.sale_device,
        "clerk": case.sale_clerk,
        "amount_rp": case.amount_rp,
        "state": case.state,
        "decided_by": case.decided_by,
        "reason": case.decision_reason,
        "words": case.words,
    }
