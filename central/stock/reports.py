"""What the shop acts on, per unit as of a day: the reorder list (what to buy and how much, from velocity,
the lead time and the minimum in ``[stock]``), slow movers (stock but no sale in ``slow_days``), and items
sold below cost over the velocity window. Rows are plain tuples of a column list, so the command line
prints them as a table, CSV or JSON and the portal shows and downloads them alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from sqlalchemy import and_, func, select

from central.ledger import Ledger, schema
from central.stock import onhand, rules

ONHAND_COLUMNS: Final = (
    "unit",
    "sku",
    "name",
    "onhand",
    "last_purchase",
    "last_sale",
    "avg_daily",
    "days_left",
    "value_rp",
)
REORDER_COLUMNS: Final = (
    "unit",
    "sku",
    "name",
    "onhand",
    "avg_daily",
    "reorder_point",
    "order_qty",
    "order_rp",
)
SLOW_COLUMNS: Final = ("unit", "sku", "name", "onhand", "last_sale", "days_since_sale", "value_rp")
BELOW_COST_COLUMNS: Final = ("unit", "sku", "name", "lines", "qty", "sold_rp", "cost_rp", "loss_rp")


@dataclass(frozen=True)
class Table:
    """A report: its name, column keys, rows and the day it is as of."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    as_of: date
    unit: str | None

    def dicts(self) -> list[dict[str, Any]]:
        """The rows as mappings of column to value (JSON)."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def _value(pos: onhand.Position) -> int:
    return rules.value_rp(max(0, pos.onhand_milli), pos.cost_rp)


def onhand_table(ledger: Ledger, as_of: date, unit: str | None = None) -> Table:
    """Stock on hand of every item with its last purchase and sale days, velocity, days left and value at
    the product's cost."""
    rows = tuple(
        (
            p.unit,
            p.sku,
            p.name,
            rules.show(p.onhand_milli),
            p.last_purchase or "",
            p.last_sale or "",
            str(p.avg_daily),
            "" if p.days_left is None else p.days_left,
            _value(p),
        )
        for p in onhand.positions(ledger, as_of, unit)
    )
    return Table("onhand", ONHAND_COLUMNS, rows, as_of, unit)


def reorder_table(ledger: Ledger, as_of: date, unit: str | None = None) -> Table:
    """The items at or below their reorder point, with what to buy (whole units) and its cost. An item
    neither tracked (bought or counted) nor sold in the window is left out: the unit does not stock it."""
    policy = ledger.config.stock
    rows = []
    for p in onhand.positions(ledger, as_of, unit):
        if not p.tracked and p.sold_milli <= 0:
            continue
        found = rules.reorder(
            p.onhand_milli,
            p.sold_milli,
            p.window_days,
            policy.lead_time_days,
            policy.cover_days,
            policy.minimum(p.sku),
        )
        if found.order_qty > 0:
            rows.append(
                (
                    p.unit,
                    p.sku,
                    p.name,
                    rules.show(p.onhand_milli),
                    str(p.avg_daily),
                    rules.show(found.point_milli),
                    found.order_qty,
                    found.order_qty * p.cost_rp,
                )
            )
    return Table("reorder", REORDER_COLUMNS, tuple(rows), as_of, unit)


def slow_table(ledger: Ledger, as_of: date, unit: str | None = None, days: int | None = None) -> Table:
    """Items with stock and no sale in ``days`` (``[stock] slow_days``) up to ``as_of``, longest first."""
    days = days or ledger.config.stock.slow_days
    limit = (as_of - timedelta(days=days - 1)).isoformat()
    rows = []
    for p in onhand.positions(ledger, as_of, unit):
        if p.onhand_milli <= 0 or (p.last_sale is not None and p.last_sale >= limit):
            continue
        since = "" if p.last_sale is None else (as_of - date.fromisoformat(p.last_sale)).days
        rows.append((p.unit, p.sku, p.name, rules.show(p.onhand_milli), p.last_sale or "", since, _value(p)))
    rows.sort(key=lambda r: (-(int(r[5]) if r[5] != "" else 10**9), r[0], r[1]))
    return Table("slow", SLOW_COLUMNS, tuple(rows), as_of, unit)


def below_cost_table(ledger: Ledger, as_of: date, unit: str | None = None) -> Table:
    """Items sold below their cost over the velocity window up to ``as_of`` (sales standing, not voided):
    how many lines, the quantity, what they brought, what they cost and the loss."""
    t, line, p = schema.transactions, schema.sale_lines, schema.products
    window = ledger.config.stock.window_days
    start = (as_of - timedelta(days=window - 1)).isoformat()
    voided = select(t.c.ref).where(t.c.kind == "void", t.c.ref.is_not(None), t.c.day <= as_of.isoformat())
    where = [
        t.c.kind == "sale",
        t.c.day >= start,
        t.c.day <= as_of.isoformat(),
        line.c.price_rp < line.c.cost_rp,
        t.c.id.not_in(voided),
    ]
    if unit is not None:
        where.append(t.c.unit == unit)
    with ledger.read() as conn:
        milli = onhand.milli_of(conn, line.c.qty)
        query = (
            select(
                t.c.unit,
                line.c.sku,
                func.max(p.c.name),
                func.count(),
                func.sum(milli),
                func.sum(line.c.amount_rp),
                func.sum(line.c.cost_total_rp),
            )
            .select_from(line.join(t, t.c.id == line.c.tx).outerjoin(p, and_(p.c.sku == line.c.sku)))
            .where(*where)
            .group_by(t.c.unit, line.c.sku)
        )
        found = conn.execute(query).all()
    rows = [
        (
            str(r[0]),
            str(r[1]),
            str(r[2] or r[1]),
            int(r[3]),
            rules.show(int(r[4] or 0)),
            int(r[5] or 0),
            int(r[6] or 0),
            int(r[6] or 0) - int(r[5] or 0),
        )
        for r in found
    ]
    rows.sort(key=lambda r: (-r[7], r[0], r[1]))
    return Table("below_cost", BELOW_COST_COLUMNS, tuple(rows), as_of, unit)


REPORTS: Final = {
    "onhand": onhand_table,
    "reorder": reorder_table,
    "slow": slow_table,
    "below-cost": below_cost_table,
}
