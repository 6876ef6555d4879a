"""The shrinkage report (susut persediaan) per unit and period: each item's difference from the approved
counts posted in the period (quantity and value at cost), and the unit's totals beside its sales and gross
margin from the journal, so a percent of sales and of margin shows what seed 003 found (over 64 % of the
shop's margin leaking); and per clerk shift, the lines' values shared over the shifts the clerks handed in
(``central.stock.shiftloss``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select

from central.branches import scope
from central.ledger import Ledger, schema
from central.stock import branch as counted
from central.stock import rules, shiftloss
from central.stock.tables import ensure_tables, stock_count_lines, stock_counts

SHIFT_DEVICE: Final = shiftloss.SHIFT_COLUMNS.index("device")
ITEM_COLUMNS: Final = ("unit", "sku", "name", "counts", "diff_qty", "loss_rp", "surplus_rp", "net_rp")
UNIT_COLUMNS: Final = (
    "unit",
    "counts",
    "loss_rp",
    "surplus_rp",
    "net_rp",
    "sales_rp",
    "margin_rp",
    "pct_sales",
    "pct_margin",
)


@dataclass(frozen=True)
class Report:
    """The shrinkage of a period: per item, and per unit with sales and margin."""

    start: str
    end: str
    unit: str | None
    items: tuple[tuple[object, ...], ...]
    units: tuple[tuple[object, ...], ...]
    shifts: tuple[tuple[object, ...], ...] = ()  # rows of ``shiftloss.SHIFT_COLUMNS``
    branch: str | None = None  # None: every branch


def report(
    ledger: Ledger, start: str, end: str, unit: str | None = None, branch: str | None = None
) -> Report:
    """The shrinkage of counts approved with ``posted_day`` from ``start`` to ``end`` (YYYY-MM-DD); with
    ``branch``, the counts of that branch (``central.stock.branch.count_in_branch``) beside the sales and
    margin its devices recorded, and its devices' shifts."""
    ensure_tables(ledger)
    c, line, p, j, t = stock_counts, stock_count_lines, schema.products, schema.journal, schema.transactions
    where = [c.c.state == "approved", c.c.posted_day >= start, c.c.posted_day <= end]
    if unit is not None:
        where.append(c.c.unit == unit)
    known = scope.load(ledger) if branch is not None else None
    books_where = []
    if known is not None:
        where.append(counted.count_in_branch(c.c.id, known, branch))
        books_where.append(j.c.tx.in_(select(t.c.id).where(scope.in_branch(t.c.device, known, branch))))
    value = line.c.value_rp
    with ledger.read() as conn:
        per_item = conn.execute(
            select(
                line.c.unit,
                line.c.sku,
                func.max(p.c.name),
                func.count(func.distinct(c.c.id)),
                func.sum(line.c.counted_milli - line.c.expected_milli),
                func.sum(func.abs(value) - value) / 2,
                func.sum(func.abs(value) + value) / 2,
                func.sum(value),
            )
            .select_from(line.join(c, c.c.id == line.c.count).outerjoin(p, p.c.sku == line.c.sku))
            .where(*where, line.c.value_rp != 0)
            .group_by(line.c.unit, line.c.sku)
        ).all()
        per_unit = {
            str(r[0]): (int(r[1]), int(r[2] or 0), int(r[3] or 0))
            for r in conn.execute(
                select(c.c.unit, func.count(), func.sum(c.c.loss_rp), func.sum(c.c.surplus_rp))
                .where(*where)
                .group_by(c.c.unit)
            )
        }
        books: dict[str, tuple[int, int]] = {}
        for code in sorted(per_unit):
            conf = ledger.config.unit(code)
            if conf is None or conf.accounts is None:
                continue
            acc = conf.accounts
            rows = {
                str(r[0]): int(r[1] or 0) - int(r[2] or 0)
                for r in conn.execute(
                    select(j.c.account, func.sum(j.c.credit_rp), func.sum(j.c.debit_rp))
                    .where(
                        j.c.account.in_((acc.revenue_member, acc.revenue_non_member, acc.cogs)),
                        j.c.unit == code,
                        j.c.day >= start,
                        j.c.day <= end,
                        *books_where,
                    )
                    .group_by(j.c.account)
                )
            }
            sales = rows.get(acc.revenue_member, 0) + rows.get(acc.revenue_non_member, 0)
            books[code] = (sales, sales + rows.get(acc.cogs, 0))
    items = tuple(
        sorted(
            (
                (
                    str(r[0]),
                    str(r[1]),
                    str(r[2] or r[1]),
                    int(r[3]),
                    rules.show(int(r[4] or 0)),
                    int(r[5] or 0),
                    int(r[6] or 0),
                    int(r[7] or 0),
                )
                for r in per_item
            ),
            key=lambda r: (r[7], r[0], r[1]),
        )
    )
    units = []
    for code in sorted(per_unit):
        counts, loss, surplus = per_unit[code]
        sales, margin = books.get(code, (0, 0))
        lost = loss - surplus
        units.append(
            (
                code,
                counts,
                loss,
                surplus,
                surplus - loss,
                sales,
                margin,
                rules.pct(lost, sales),
                rules.pct(lost, margin),
            )
        )
    shifts = shiftloss.rows(ledger, start, end, unit)
    if known is not None and branch is not None:  # the branch's devices' shifts (a few rows a month)
        mine = set(known.devices(branch))
        shifts = tuple(r for r in shifts if r[SHIFT_DEVICE] in mine)
    return Report(start, end, unit, items, tuple(units), tuple(shifts), branch)
