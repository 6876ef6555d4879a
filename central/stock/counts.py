"""Stock counts (stok opname): a session per unit, started at the office, its lines counted (typed in the
portal or on the command line) while the shop keeps selling, closed, then approved by the manager, which
posts the difference at cost on the office chain.

**Sales go on during a count.** Each line keeps the moment it was counted; at close its expected quantity is
on hand at that moment (``onhand`` up to the line's ``counted_ts``: purchases, sales and voids recorded by
then, a device's sale synced late included, since expected is worked out at close). Typing an item again
replaces its line (count every place of an item before typing it).

**A count of every item** (no section) also closes the items with stock that nobody counted: they are
counted 0 at the closing moment, and the closing lists them. A count of a section covers its lines only.

**Value at cost.** A line's difference (counted - expected, thousandths) is valued at the item's last
purchase price into the unit up to the moment counted (what replacing it costs, and the price the
inventory account was debited with), else at the product's cost (what the devices' sales relieve
inventory at), rounded half away from zero per line.

**Posting.** Approval by a role of ``[stock] approvers`` posts one ``journal`` (purpose ``shrinkage``) on
the office chain: Dr ``shrinkage_expense`` / Cr inventory by the value of what is missing, Dr inventory /
Cr ``surplus_income`` by the value of what was found over, in the count's unit, noted ``stok opname
<id>``. The approval is idempotent: under the office chain lock a journal with that note is looked for
first, so a crash between the journal and the count's row, or two approvals at once, post once. Nothing is
posted before approval; a rejected count changes neither stock nor books. From approval on, the count's
lines move on-hand from the moment each was counted.
"""

from __future__ import annotations

import json
import time as _time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, and_, insert, select, text, update

from central.ledger import Ledger, schema
from central.office import entries, record
from central.office.errors import OfficeError
from central.office.identity import Office
from central.stock import onhand, rules
from central.stock.errors import CountRefused, StockError, UnknownCount
from central.stock.tables import (
    COUNT_LINE_KIND,
    MAX_TEXT,
    ensure_tables,
    stock_count_device_lines,
    stock_count_events,
    stock_count_lines,
    stock_counts,
)

STATES: Final = ("open", "closed", "approved", "rejected", "cancelled")
NOTE_PREFIX: Final = "stok opname "
PURPOSE: Final = "shrinkage"
MAX_LINES_PER_COUNT: Final = 20_000
MIN_REASON: Final = 3


@dataclass(frozen=True)
class Line:
    """One counted item (expected, cost and value once the count is closed)."""

    sku: str
    name: str
    counted_milli: int
    counted_ts: int
    counted_by: str
    expected_milli: int | None
    cost_rp: int | None
    value_rp: int | None

    @property
    def diff_milli(self) -> int | None:
        """Counted - expected (below 0: missing)."""
        return None if self.expected_milli is None else self.counted_milli - self.expected_milli


@dataclass(frozen=True)
class Count:
    """A count session with its lines."""

    id: int
    unit: str
    section: str | None
    state: str
    started_ts: int
    started_by: str
    closed_ts: int | None
    closed_by: str | None
    decided_ts: int | None
    decided_by: str | None
    reason: str | None
    loss_rp: int | None
    surplus_rp: int | None
    posted_tx: str | None
    posted_day: str | None
    lines: tuple[Line, ...]

    @property
    def net_rp(self) -> int:
        """Surplus - loss (below 0: a loss)."""
        return (self.surplus_rp or 0) - (self.loss_rp or 0)


def _now(now_ts: int | None) -> int:
    return int(_time.time()) if now_ts is None else now_ts


def _day(ledger: Ledger, ts: int) -> str:
    return datetime.fromtimestamp(ts, ledger.config.tz).date().isoformat()


def _event(conn: Connection, count: int, *, ts: int, who: str, action: str, detail: str) -> None:
    conn.execute(
        insert(stock_count_events).values(
            count=count, ts=ts, who=who[:40], action=action, detail=detail[:400]
        )
    )


def _row(conn: Connection, count_id: int) -> Any:
    row = conn.execute(select(stock_counts).where(stock_counts.c.id == count_id)).mappings().first()
    if row is None:
        raise UnknownCount(f"no stock count number {count_id}", f"tidak ada stok opname nomor {count_id}")
    return row


def _names(conn: Connection) -> dict[str, str]:
    p = schema.products
    return {str(r[0]): str(r[1]) for r in conn.execute(select(p.c.sku, p.c.name))}


def get(ledger: Ledger, count_id: int) -> Count:
    """Count ``count_id`` with its lines by sku (``UnknownCount`` when there is none); the devices' lines
    that arrived are taken in first (``absorb``)."""
    absorb(ledger)
    with ledger.read() as conn:
        row = _row(conn, count_id)
        names = _names(conn)
        found = conn.execute(
            select(stock_count_lines)
            .where(stock_count_lines.c.count == count_id)
            .order_by(stock_count_lines.c.sku)
        ).mappings()
        lines = tuple(
            Line(
                sku=r["sku"],
                name=names.get(r["sku"], r["sku"]),
                counted_milli=int(r["counted_milli"]),
                counted_ts=int(r["counted_ts"]),
                counted_by=r["counted_by"],
                expected_milli=r["expected_milli"],
                cost_rp=r["cost_rp"],
                value_rp=r["value_rp"],
            )
            for r in found
        )
    return Count(**{k: row[k] for k in _COUNT_FIELDS}, lines=lines)


_COUNT_FIELDS: Final = (
    "id",
    "unit",
    "section",
    "state",
    "started_ts",
    "started_by",
    "closed_ts",
    "closed_by",
    "decided_ts",
    "decided_by",
    "reason",
    "loss_rp",
    "surplus_rp",
    "posted_tx",
    "posted_day",
)


def listing(ledger: Ledger, unit: str | None = None, state: str | None = None) -> list[Count]:
    """Counts newest first (without their lines), of ``unit`` and in ``state`` when given."""
    absorb(ledger)
    query = select(stock_counts).order_by(stock_counts.c.id.desc())
    if unit is not None:
        query = query.where(stock_counts.c.unit == unit)
    if state is not None:
        query = query.where(stock_counts.c.state == state)
    with ledger.read() as conn:
        rows = conn.execute(query).mappings().all()
    return [Count(**{k: r[k] for k in _COUNT_FIELDS}, lines=()) for r in rows]


def _selling_unit(ledger: Ledger, unit: str) -> None:
    found = ledger.config.unit(unit)
    if found is None or found.accounts is None:
        selling = ", ".join(u.code for u in ledger.config.units if u.accounts is not None)
        raise StockError(
            f"unit {unit!r} keeps no stock; the units that sell are {selling}",
            f"unit {unit!r} tidak punya persediaan; unit yang berjualan: {selling}",
        )


def start(
    ledger: Ledger, unit: str, *, by: str, section: str | None = None, now_ts: int | None = None
) -> Count:
    """Start a count of ``unit`` (every item, or the items of ``section``); one count at a time per unit
    (open or closed and awaiting its decision)."""
    _selling_unit(ledger, unit)
    ensure_tables(ledger)
    section = (section or "").strip()[:MAX_TEXT] or None
    ts = _now(now_ts)
    with ledger.write() as conn:
        busy = conn.execute(
            select(stock_counts.c.id).where(
                stock_counts.c.unit == unit, stock_counts.c.state.in_(("open", "closed"))
            )
        ).first()
        if busy is not None:
            raise CountRefused(
                f"count {busy[0]} of {unit} is still open or awaiting approval; finish it first",
                f"stok opname {busy[0]} unit {unit} masih terbuka atau menunggu persetujuan; selesaikan dulu",
            )
        made = conn.execute(
            insert(stock_counts).values(
                unit=unit, section=section, state="open", started_ts=ts, started_by=by[:40]
            )
        ).inserted_primary_key
        assert made is not None
        new_id = made[0]
        _event(conn, int(new_id), ts=ts, who=by, action="start", detail=f"{unit} {section or '*'}")
    return get(ledger, int(new_id))


def enter(
    ledger: Ledger, count_id: int, sku: str, qty: str | int, *, by: str, now_ts: int | None = None
) -> Line:
    """Record ``qty`` of ``sku`` counted now in open count ``count_id`` (replacing an earlier line of it)."""
    ensure_tables(ledger)
    sku = sku.strip()
    try:
        milli = rules.parse_milli(qty)
    except rules.BadQuantity as err:
        raise StockError(
            f"quantity {qty!r} must be a number >= 0 with at most 3 decimals",
            f"jumlah {qty!r} harus angka >= 0 dengan paling banyak 3 desimal",
        ) from err
    ts = _now(now_ts)
    with ledger.write() as conn:
        row = _row(conn, count_id)
        name = _put_line(ledger, conn, row, sku, milli, ts=ts, by=by)
    return Line(sku, name, milli, ts, by[:40], None, None, None)


def _put_line(
    ledger: Ledger,
    conn: Connection,
    row: Any,
    sku: str,
    milli: int,
    *,
    ts: int,
    by: str,
    newer_only: bool = False,
) -> str:
    """Put ``sku`` counted ``milli`` at ``ts`` into open count ``row`` (replacing its line); the item's
    name. ``newer_only``: keep a line counted later than ``ts`` (a device's line that arrives late)."""
    count_id = int(row["id"])
    p, c = schema.products, stock_count_lines
    if row["state"] != "open":
        raise CountRefused(
            f"count {count_id} is {row['state']}; lines are entered only while it is open",
            f"stok opname {count_id} berstatus {row['state']}; baris hanya diisi selama terbuka",
        )
    product = conn.execute(select(p.c.unit, p.c.name).where(p.c.sku == sku)).first()
    if product is None or product[0] != row["unit"]:
        raise StockError(
            f"sku {sku!r} is not an item of unit {row['unit']}",
            f"kode barang {sku!r} bukan barang unit {row['unit']}",
        )
    key = and_(c.c.count == count_id, c.c.sku == sku)
    values = {
        "counted_milli": milli,
        "counted_ts": ts,
        "counted_day": _day(ledger, ts),
        "counted_by": by[:40],
    }
    held = conn.execute(select(c.c.counted_ts).where(key)).first()
    if held is None:
        used = conn.execute(select(c.c.sku).where(c.c.count == count_id)).all()
        if len(used) >= MAX_LINES_PER_COUNT:
            raise CountRefused(
                f"a count has at most {MAX_LINES_PER_COUNT} lines",
                f"satu stok opname paling banyak {MAX_LINES_PER_COUNT} baris",
            )
        conn.execute(insert(c).values(count=count_id, unit=row["unit"], sku=sku, state="open", **values))
    elif newer_only and int(held[0]) > ts:
        return str(product[1])
    else:
        conn.execute(update(c).where(key).values(**values))
    _event(conn, count_id, ts=ts, who=by, action="line", detail=f"{sku} {rules.show(milli)}")
    return str(product[1])


# How many devices' count_line envelopes one ``absorb`` takes in one transaction.
ABSORB_BATCH: Final = 500


@dataclass(frozen=True)
class DeviceLine:
    """A ``count_line`` envelope of a device and what became of it (``taken`` or ``late`` with why)."""

    tx: str
    count: int
    device: str
    clerk: str
    ts: int
    lines: int
    status: str
    reason: str | None


def absorb(ledger: Ledger) -> int:
    """Take the devices' ``count_line`` envelopes not yet taken into their counts, oldest first: each line
    enters its open count as a typed line does (at the moment the device counted it; a later line of the
    item stays), by ``clerk@device``. An envelope for a count that is no longer open, of another unit, or
    unknown is kept as ``late`` with the reason (the envelope itself stays in the ledger). Return how
    many envelopes were taken in."""
    ensure_tables(ledger)
    t, d = schema.transactions, stock_count_device_lines
    query = (
        select(t.c.id, t.c.device, t.c.ts, t.c.unit, t.c.body)
        .where(text(COUNT_LINE_KIND), t.c.id.not_in(select(d.c.tx)))
        .order_by(t.c.ts, t.c.id)
        .limit(ABSORB_BATCH)
    )
    with ledger.read() as conn:
        if conn.execute(query.with_only_columns(t.c.id)).first() is None:
            return 0
    done = 0
    with ledger.write() as conn:
        for tx, device, ts, unit, body in conn.execute(query).all():
            env = json.loads(body)
            count_id, clerk = int(env["count"]), str(env["clerk"])[:40]
            by = f"{clerk}@{device}"[:40]
            reason = None
            row = conn.execute(select(stock_counts).where(stock_counts.c.id == count_id)).mappings().first()
            if row is None:
                reason = f"no stock count number {count_id}"
            elif row["unit"] != unit:
                reason = f"count {count_id} is of unit {row['unit']}, the device counted for {unit}"
            elif row["state"] != "open":
                reason = f"count {count_id} was already {row['state']} when the line arrived"
            else:
                for line in env["lines"]:
                    milli = rules.parse_milli(line["qty"])
                    try:
                        _put_line(
                            ledger, conn, row, str(line["sku"]), milli, ts=int(ts), by=by, newer_only=True
                        )
                    except StockError as err:  # an item moved to another unit since the ingest
                        reason = err.text("en")
            conn.execute(
                insert(d).values(
                    tx=tx,
                    count=count_id,
                    device=device,
                    clerk=clerk,
                    ts=int(ts),
                    lines=len(env["lines"]),
                    status="taken" if reason is None else "late",
                    reason=None if reason is None else reason[:MAX_TEXT],
                )
            )
            done += 1
    return done


def device_lines(ledger: Ledger, count_id: int) -> list[DeviceLine]:
    """The devices' envelopes for count ``count_id`` in time order (a late one says why it was not taken)."""
    absorb(ledger)
    d = stock_count_device_lines
    with ledger.read() as conn:
        rows = conn.execute(select(d).where(d.c.count == count_id).order_by(d.c.ts, d.c.tx)).mappings().all()
    return [DeviceLine(**dict(r)) for r in rows]


def open_counts(ledger: Ledger) -> list[dict[str, Any]]:
    """The open counts as the ``counts`` downlink carries them (docs/contracts.md): the devices of a unit
    with an open count offer their clerks the count mode."""
    ensure_tables(ledger)
    with ledger.read() as conn:
        rows = conn.execute(
            select(stock_counts.c.id, stock_counts.c.unit, stock_counts.c.section, stock_counts.c.started_ts)
            .where(stock_counts.c.state == "open")
            .order_by(stock_counts.c.id)
        ).all()
    return [
        {
            "id": str(r[0]),
            "unit": str(r[1]),
            "section": r[2],
            "started": datetime.fromtimestamp(int(r[3]), ledger.config.tz).isoformat(timespec="seconds"),
        }
        for r in rows
    ]


def _expected(conn: Connection, unit: str, times: dict[str, int], start_ts: int) -> dict[str, int]:
    """sku -> on hand at each sku's moment in ``times``: on hand up to ``start_ts`` in one grouped read,
    then the movements after it (a count's day of sales) walked in time order."""
    base_moves = onhand.line_totals(conn, unit=unit, ts=start_ts)
    base_counts = onhand.count_totals(conn, unit=unit, ts=start_ts)
    out = {sku: base_moves.get((unit, sku), (0,))[0] + base_counts.get((unit, sku), 0) for sku in times}
    t, line = schema.transactions, schema.sale_lines
    milli = onhand.milli_of(conn, line.c.qty)
    later = conn.execute(
        select(t.c.ts, t.c.kind, line.c.sku, milli)
        .select_from(line.join(t, t.c.id == line.c.tx))
        .where(t.c.unit == unit, t.c.kind.in_(("sale", "purchase")), t.c.ts > start_ts)
    ).all()
    moves: list[tuple[int, str, int]] = [
        (int(r[0]), str(r[2]), int(r[3]) if r[1] == "purchase" else -int(r[3])) for r in later
    ]
    v, orig = t.alias("v"), t.alias("o")
    voids = conn.execute(
        select(v.c.ts, v.c.day, orig.c.kind, orig.c.ts, line.c.sku, onhand.milli_of(conn, line.c.qty))
        .select_from(v.join(orig, orig.c.id == v.c.ref).join(line, line.c.tx == orig.c.id))
        .where(v.c.kind == "void", orig.c.unit == unit, v.c.ts > start_ts)
    ).all()
    for r in voids:
        sign = -1 if r[2] == "purchase" else 1
        moves.append((int(r[0]), str(r[4]), sign * int(r[5])))
    c = stock_count_lines
    for adj in conn.execute(
        select(c.c.counted_ts, c.c.sku, c.c.counted_milli - c.c.expected_milli).where(
            c.c.state == onhand.APPROVED, c.c.unit == unit, c.c.counted_ts > start_ts
        )
    ):
        moves.append((int(adj[0]), str(adj[1]), int(adj[2])))
    for ts, sku, delta in moves:
        if sku in times and ts <= times[sku]:
            out[sku] += delta
    return out


def _costs(conn: Connection, unit: str, times: dict[str, int]) -> dict[str, int]:
    """sku -> last purchase price into ``unit`` up to the sku's moment (purchases not voided), else the
    product's cost. One read of the unit's purchase lines, driven from the purchases (few) through the
    lines' primary key."""
    t, line, p = schema.transactions, schema.sale_lines, schema.products
    voided = select(t.c.ref).where(t.c.kind == "void", t.c.ref.is_not(None))
    purchases = select(t.c.id).where(t.c.kind == "purchase", t.c.unit == unit, t.c.id.not_in(voided))
    found: dict[str, tuple[int, int]] = {}
    for ts, sku, price in conn.execute(
        select(t.c.ts, line.c.sku, line.c.price_rp)
        .select_from(line.join(t, t.c.id == line.c.tx))
        .where(line.c.tx.in_(purchases))
    ):
        moment = times.get(str(sku))
        if moment is not None and ts <= moment and (sku not in found or ts >= found[sku][0]):
            found[str(sku)] = (int(ts), int(price))
    skus = sorted(times)
    for start in range(0, len(skus), 500):
        part = skus[start : start + 500]
        for sku, cost in conn.execute(select(p.c.sku, p.c.cost_rp).where(p.c.sku.in_(part))):
            found.setdefault(str(sku), (0, int(cost)))
    return {sku: found.get(sku, (0, 0))[1] for sku in skus}


def close(ledger: Ledger, count_id: int, *, by: str, now_ts: int | None = None) -> Count:
    """Close open count ``count_id``: each line's expected quantity at its moment, its difference valued
    at cost; for a count of every item, the unit's uncounted items with stock counted 0 now. The devices'
    lines that reached central before are taken in first; those arriving later stay ``late``."""
    absorb(ledger)
    ts = _now(now_ts)
    c = stock_count_lines
    with ledger.write() as conn:
        row = _row(conn, count_id)
        if row["state"] != "open":
            raise CountRefused(
                f"count {count_id} is {row['state']}, not open; only an open count is closed",
                f"stok opname {count_id} berstatus {row['state']}, tidak terbuka; hanya yang terbuka ditutup",
            )
        unit = row["unit"]
        lines = {
            str(r[0]): int(r[1])
            for r in conn.execute(select(c.c.sku, c.c.counted_ts).where(c.c.count == count_id))
        }
        if row["section"] is None:
            held = onhand.line_totals(conn, unit=unit, ts=ts)
            adjusted = onhand.count_totals(conn, unit=unit, ts=ts)
            for (_, sku), figures in held.items():
                if sku not in lines and figures[0] + adjusted.get((unit, sku), 0) != 0:
                    conn.execute(
                        insert(c).values(
                            count=count_id,
                            unit=unit,
                            sku=sku,
                            counted_milli=0,
                            counted_ts=ts,
                            counted_day=_day(ledger, ts),
                            counted_by=by[:40],
                            state="open",
                        )
                    )
                    lines[sku] = ts
        if not lines:
            raise CountRefused(
                f"count {count_id} has no lines; enter what was counted first",
                f"stok opname {count_id} belum punya baris; isi dulu hasil hitungnya",
            )
        expected = _expected(conn, unit, lines, int(row["started_ts"]))
        costs = _costs(conn, unit, lines)
        loss = surplus = 0
        for sku, counted in conn.execute(
            select(c.c.sku, c.c.counted_milli).where(c.c.count == count_id)
        ).all():
            diff = int(counted) - expected[sku]
            value = rules.value_rp(diff, costs[sku])
            loss += max(0, -value)
            surplus += max(0, value)
            conn.execute(
                update(c)
                .where(c.c.count == count_id, c.c.sku == sku)
                .values(expected_milli=expected[sku], cost_rp=costs[sku], value_rp=value, state="closed")
            )
        conn.execute(
            update(stock_counts)
            .where(stock_counts.c.id == count_id)
            .values(state="closed", closed_ts=ts, closed_by=by[:40], loss_rp=loss, surplus_rp=surplus)
        )
        _event(conn, count_id, ts=ts, who=by, action="close", detail=f"loss {loss} surplus {surplus}")
    return get(ledger, count_id)


def check_approver(ledger: Ledger, role: str) -> None:
    approvers = ledger.config.stock.approvers
    if role not in approvers:
        raise CountRefused(
            f"only {', '.join(approvers)} may approve a stock count, not {role}",
            f"hanya {', '.join(approvers)} yang boleh menyetujui stok opname, bukan {role}",
        )


def entry_lines(count: Count, expense: str, income: str, inventory: str) -> list[entries.EntryLine]:
    """The journal lines of a closed count's difference (none when nothing differs)."""
    note = f"{NOTE_PREFIX}{count.id}"
    out = []
    if count.loss_rp:
        out += [
            entries.dr(expense, count.loss_rp, f"susut persediaan, {note}"),
            entries.cr(inventory, count.loss_rp, f"susut persediaan, {note}"),
        ]
    if count.surplus_rp:
        out += [
            entries.dr(inventory, count.surplus_rp, f"selisih lebih persediaan, {note}"),
            entries.cr(income, count.surplus_rp, f"selisih lebih persediaan, {note}"),
        ]
    return out


def _posted(ledger: Ledger, count_id: int) -> tuple[str, str] | None:
    t = schema.transactions
    with ledger.read() as conn:
        found = conn.execute(
            select(t.c.id, t.c.day).where(t.c.kind == "journal", t.c.note == f"{NOTE_PREFIX}{count_id}")
        ).first()
    return None if found is None else (str(found[0]), str(found[1]))


def _accounts(ledger: Ledger) -> tuple[str, str]:
    policy = ledger.config.stock
    for key in ("shrinkage_expense", "surplus_income"):
        code = getattr(policy, key)
        if ledger.config.account(code) is None:
            raise StockError(
                f"stock.{key} names account {code!r}, which is not in the chart ([[accounts]])",
                f"stock.{key} menyebut akun {code!r}, yang tidak ada di bagan akun ([[accounts]])",
            )
    return policy.shrinkage_expense, policy.surplus_income


def approve(
    ledger: Ledger,
    office: Office | None,
    count_id: int,
    *,
    by: str,
    role: str,
    now_ts: int | None = None,
) -> Count:
    """Approve closed count ``count_id`` and post its difference on the office chain (see the module)."""
    check_approver(ledger, role)
    count = get(ledger, count_id)
    if count.state != "closed":
        raise CountRefused(
            f"count {count_id} is {count.state}; only a closed count is approved",
            f"stok opname {count_id} berstatus {count.state}; hanya yang sudah ditutup yang disetujui",
        )
    ts = _now(now_ts)
    lines = entry_lines(count, *_accounts(ledger), ledger.config.posting.inventory)
    posted: tuple[str, str] | None = None
    if lines:
        if office is None:
            raise StockError("posting needs the office's key", "pembukuan memerlukan kunci kantor")
        at = record.stamp(ledger, datetime.fromtimestamp(ts, ledger.config.tz))
        try:
            with record.chain_lock(ledger):
                posted = _posted(ledger, count_id)  # under the lock: two approvals at once post once
                if posted is None:
                    body = entries.journal(PURPOSE, lines, unit=count.unit)
                    body["note"] = f"{NOTE_PREFIX}{count_id}"
                    record.precheck(ledger, body)
                    signed = record.sign_next(ledger, office, [body], at=at, by=by)
                    refused = record.ingest_signed(ledger, office, signed)
                    if refused:
                        raise StockError(
                            f"the ledger refused the count's entry: {refused[0]}",
                            f"buku besar menolak jurnal stok opname: {refused[0]}",
                        )
                    posted = (str(signed[0]["id"]), _day(ledger, ts))
        except OfficeError as err:
            raise StockError(err.text("en"), err.text("id")) from err
    _finish(ledger, count_id, state="approved", by=by, ts=ts, reason=None, posted=posted)
    return get(ledger, count_id)


def _finish(
    ledger: Ledger,
    count_id: int,
    *,
    state: str,
    by: str,
    ts: int,
    reason: str | None,
    posted: tuple[str, str] | None,
) -> None:
    c = stock_count_lines
    with ledger.write() as conn:
        row = _row(conn, count_id)
        if row["state"] == state:
            return
        conn.execute(
            update(stock_counts)
            .where(stock_counts.c.id == count_id)
            .values(
                state=state,
                decided_ts=ts,
                decided_by=by[:40],
                reason=reason,
                posted_tx=posted[0] if posted else None,
                posted_day=posted[1] if posted else _day(ledger, ts),
            )
        )
        conn.execute(update(c).where(c.c.count == count_id).values(state=state))
        action = {"approved": "approve", "rejected": "reject", "cancelled": "cancel"}[state]
        _event(conn, count_id, ts=ts, who=by, action=action, detail=reason or (posted or ("",))[0])


def _reason(reason: str) -> str:
    text = " ".join(reason.split())[:MAX_TEXT]
    if len(text) < MIN_REASON:
        raise StockError("give a reason (a few words)", "tuliskan alasannya (beberapa kata)")
    return text


def reject(
    ledger: Ledger, count_id: int, *, by: str, role: str, reason: str, now_ts: int | None = None
) -> Count:
    """Reject closed count ``count_id`` with a reason: nothing is posted and stock stays as it was."""
    check_approver(ledger, role)
    text = _reason(reason)
    count = get(ledger, count_id)
    if count.state != "closed":
        raise CountRefused(
            f"count {count_id} is {count.state}; only a closed count is rejected",
            f"stok opname {count_id} berstatus {count.state}; hanya yang sudah ditutup yang ditolak",
        )
    _finish(ledger, count_id, state="rejected", by=by, ts=_now(now_ts), reason=text, posted=None)
    return get(ledger, count_id)


def cancel(ledger: Ledger, count_id: int, *, by: str, reason: str, now_ts: int | None = None) -> Count:
    """Cancel open count ``count_id`` (started by mistake): its lines are kept, nothing counts."""
    text = _reason(reason)
    count = get(ledger, count_id)
    if count.state != "open":
        raise CountRefused(
            f"count {count_id} is {count.state}; only an open count is cancelled",
            f"stok opname {count_id} berstatus {count.state}; hanya yang terbuka yang dibatalkan",
        )
    _finish(ledger, count_id, state="cancelled", by=by, ts=_now(now_ts), reason=text, posted=None)
    return get(ledger, count_id)


def events(ledger: Ledger, count_id: int) -> list[dict[str, Any]]:
    """The count's trail: who did what when."""
    ensure_tables(ledger)
    e = stock_count_events
    with ledger.read() as conn:
        return [
            dict(r)
            for r in conn.execute(
                select(e.c.ts, e.c.who, e.c.action, e.c.detail).where(e.c.count == count_id).order_by(e.c.id)
            ).mappings()
        ]
