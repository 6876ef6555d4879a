"""Stock on hand per unit and item, read from the ledger with grouped SQL (never per row in Python).

An item's quantity in a unit moves by:

- a **purchase** into the unit: + each line's qty;
- a **sale** in the unit: - each line's qty;
- a **void**: the voided purchase's or sale's lines the other way, from the void's own day;
- an **approved stock count**: counted - expected of each counted line, from the moment it was counted.

Transfers between units are not here: the envelope format has no transfer kind yet (a transfer is today a
sale-less move the office records as a count in both units). Quantities are exact thousandths: an
envelope's ``qty`` is an integer or decimal text with at most 3 decimals; SQL turns it into thousandths
(PostgreSQL through NUMERIC, exact; SQLite through a double rounded to the nearest integer, exact for any
quantity below 10^12).

An item is **tracked** in a unit once it has had a purchase or a counted line there: before that central
does not know its stock, and the catalog downlink sends ``null`` (devices then sell it without a stock
check, as before).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Connection, Float, Numeric, and_, case, cast, func, literal, select

from central.ledger import Ledger, schema
from central.stock import rules
from central.stock.tables import ensure_tables, stock_count_lines

APPROVED = "approved"


@dataclass(frozen=True)
class Position:
    """One item in one unit as of a day."""

    unit: str
    sku: str
    name: str
    price_rp: int
    cost_rp: int
    onhand_milli: int
    last_purchase: str | None  # YYYY-MM-DD
    last_sale: str | None
    sold_milli: int  # net of voids, over the window ending on the day asked
    window_days: int
    tracked: bool

    @property
    def avg_daily(self) -> Decimal:
        """Average quantity sold a day over the window (3 decimals)."""
        return (Decimal(self.sold_milli) / rules.MILLI / self.window_days).quantize(Decimal("0.001"))

    @property
    def days_left(self) -> int | None:
        """Whole days the stock lasts at that pace (None: nothing sold in the window)."""
        return rules.days_left(self.onhand_milli, self.sold_milli, self.window_days)


def milli_of(ledger_or_conn: Any, column: Any) -> Any:
    """SQL for a text quantity column in thousandths (exact; see the module's docstring)."""
    if ledger_or_conn.dialect.name == "postgresql":
        return cast(cast(column, Numeric(30, 3)) * 1000, BigInteger)
    return cast(func.round(cast(column, Float) * 1000), BigInteger)


def _voids() -> Any:
    t = schema.transactions
    return select(t.c.ref, t.c.day, t.c.ts).where(t.c.kind == "void").subquery("v")


def line_totals(
    conn: Connection,
    *,
    unit: str | None = None,
    day: str | None = None,
    ts: int | None = None,
    window_from: str | None = None,
) -> dict[tuple[str, str], tuple[int, str | None, str | None, int, bool]]:
    """(unit, sku) -> (net quantity in thousandths, last purchase day, last sale day, sold since
    ``window_from`` net of voids, purchased at all) from purchases, sales and voids up to ``day`` (or up to
    ``ts``, or everything). One grouped query."""
    t, line = schema.transactions, schema.sale_lines
    v = _voids()
    milli = milli_of(conn, line.c.qty)
    is_purchase = t.c.kind == "purchase"
    is_sale = t.c.kind == "sale"
    join_on = v.c.ref == t.c.id
    where: list[Any] = [t.c.kind.in_(("sale", "purchase"))]
    if unit is not None:
        where.append(t.c.unit == unit)
    if day is not None:
        where.append(t.c.day <= day)
        join_on = and_(join_on, v.c.day <= day)
    if ts is not None:
        where.append(t.c.ts <= ts)
        join_on = and_(join_on, v.c.ts <= ts)
    standing = v.c.ref.is_(None)
    sold = (
        case((and_(is_sale, standing, t.c.day >= window_from), milli), else_=0)
        if window_from is not None
        else literal(0)
    )
    query = (
        select(
            t.c.unit,
            line.c.sku,
            func.sum(case((standing, case((is_purchase, milli), else_=-milli)), else_=0)),
            func.max(case((and_(is_purchase, standing), t.c.day), else_=None)),
            func.max(case((and_(is_sale, standing), t.c.day), else_=None)),
            func.sum(sold),
            func.max(case((is_purchase, 1), else_=0)),
        )
        .select_from(line.join(t, t.c.id == line.c.tx).outerjoin(v, join_on))
        .where(*where)
        .group_by(t.c.unit, line.c.sku)
    )
    return {
        (str(r[0]), str(r[1])): (int(r[2] or 0), r[3], r[4], int(r[5] or 0), bool(r[6]))
        for r in conn.execute(query)
    }


def count_totals(
    conn: Connection, *, unit: str | None = None, day: str | None = None, ts: int | None = None
) -> dict[tuple[str, str], int]:
    """(unit, sku) -> counted - expected of the approved counts' lines counted up to ``day`` (or ``ts``)."""
    c = stock_count_lines
    where = [c.c.state == APPROVED]
    if unit is not None:
        where.append(c.c.unit == unit)
    if day is not None:
        where.append(c.c.counted_day <= day)
    if ts is not None:
        where.append(c.c.counted_ts <= ts)
    query = (
        select(c.c.unit, c.c.sku, func.sum(c.c.counted_milli - c.c.expected_milli))
        .where(*where)
        .group_by(c.c.unit, c.c.sku)
    )
    return {(str(r[0]), str(r[1])): int(r[2] or 0) for r in conn.execute(query)}


def counted_items(conn: Connection, unit: str | None = None) -> set[tuple[str, str]]:
    """(unit, sku) of every item an approved count has a line for."""
    c = stock_count_lines
    query = select(c.c.unit, c.c.sku).where(c.c.state == APPROVED).distinct()
    if unit is not None:
        query = query.where(c.c.unit == unit)
    return {(str(r[0]), str(r[1])) for r in conn.execute(query)}


def positions(ledger: Ledger, as_of: date, unit: str | None = None) -> list[Position]:
    """Every item of ``unit`` (or of every unit) as of the end of ``as_of``: the unit's products and any
    other sku that moved there, by unit and sku."""
    ensure_tables(ledger)
    window = ledger.config.stock.window_days
    day = as_of.isoformat()
    start = (as_of - timedelta(days=window - 1)).isoformat()
    p = schema.products
    with ledger.read() as conn:
        moved = line_totals(conn, unit=unit, day=day, window_from=start)
        adjusted = count_totals(conn, unit=unit, day=day)
        counted = counted_items(conn, unit)
        query = select(p.c.sku, p.c.name, p.c.unit, p.c.price_rp, p.c.cost_rp)
        if unit is not None:
            query = query.where(p.c.unit == unit)
        catalog = {(str(r[2]), str(r[0])): r for r in conn.execute(query)}
        names = {
            str(r[0]): r for r in conn.execute(select(p.c.sku, p.c.name, p.c.unit, p.c.price_rp, p.c.cost_rp))
        }
    keys = set(catalog) | set(moved) | set(adjusted)
    out = []
    for key in sorted(keys):
        unit_code, sku = key
        product = catalog.get(key) or names.get(sku)
        net, last_purchase, last_sale, sold, bought = moved.get(key, (0, None, None, 0, False))
        out.append(
            Position(
                unit=unit_code,
                sku=sku,
                name=str(product[1]) if product is not None else sku,
                price_rp=int(product[3]) if product is not None else 0,
                cost_rp=int(product[4]) if product is not None else 0,
                onhand_milli=net + adjusted.get(key, 0),
                last_purchase=last_purchase,
                last_sale=last_sale,
                sold_milli=sold,
                window_days=window,
                tracked=bought or key in counted,
            )
        )
    return out


# The last figures of ``current`` per engine, with the watermark they were read at (see ``current``).
_CURRENT: weakref.WeakKeyDictionary[Any, tuple[tuple[int, int], dict[tuple[str, str], int]]] = (
    weakref.WeakKeyDictionary()
)


def _watermark(conn: Connection) -> tuple[int, int]:
    """What changes whenever stock can: the number of transactions (rows are only ever added) and of
    approved count lines."""
    c = stock_count_lines
    txs = conn.execute(select(func.count()).select_from(schema.transactions)).scalar_one()
    lines = conn.execute(select(func.count()).select_from(c).where(c.c.state == APPROVED)).scalar_one()
    return int(txs), int(lines)


def current(ledger: Ledger) -> dict[tuple[str, str], int]:
    """(unit, sku) -> on hand now (every committed movement, whatever its day) of the tracked items: what
    the catalog downlink carries. ``serve`` asks every few seconds: while no transaction and no approved
    count line was added since the last read (two counts, a fraction of the grouped read), the last
    figures are returned; they are then exactly what a new read would give."""
    ensure_tables(ledger)
    with ledger.read() as conn:
        mark = _watermark(conn)
        kept = _CURRENT.get(ledger.engine)
        if kept is not None and kept[0] == mark:
            return dict(kept[1])
        moved = line_totals(conn)
        adjusted = count_totals(conn)
        counted = counted_items(conn)
    tracked = {k for k, v in moved.items() if v[4]} | counted
    found = {key: moved.get(key, (0,))[0] + adjusted.get(key, 0) for key in tracked}
    _CURRENT[ledger.engine] = (mark, found)
    return dict(found)


def with_stock(ledger: Ledger, products: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Catalog items (``Ledger.products``) with ``stock`` set to their unit's on hand: a whole number or
    decimal text, never below 0 (a negative figure means sales were recorded before their purchase; the
    device then refuses the item until a purchase or count lands); ``null`` for an untracked item, and
    for every item when ``[stock] downlink`` is false."""
    items = [dict(item) for item in products]
    if not ledger.config.stock.downlink:
        return items
    stock = current(ledger)
    for item in items:
        found = stock.get((str(item["unit"]), str(item["sku"])))
        item["stock"] = None if found is None else rules.wire(max(0, found))
    return items
