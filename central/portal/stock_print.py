"""The stock reports, a stock count and the shrinkage report as ``downloads.Doc`` values: one generic print
template (``print_stock.html``, tables of labelled columns) for the portal's ``downloads.respond`` and for
the command line's ``--pdf`` (``savings_print.pdf`` renders any Doc the same way)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from central.books.reports import Section
from central.portal import downloads, text
from central.stock import rules
from central.stock.counts import Count
from central.stock.reports import Table
from central.stock.shiftloss import SHIFT_COLUMNS
from central.stock.shrinkage import ITEM_COLUMNS, UNIT_COLUMNS, Report

# Columns shown as rupiah in print (the CSV keeps plain digits).
MONEY: Final = frozenset(
    {"value_rp", "order_rp", "sold_rp", "cost_rp", "loss_rp", "surplus_rp", "net_rp", "sales_rp", "margin_rp"}
)
COUNT_COLUMNS: Final = ("sku", "name", "counted", "expected", "diff", "cost_rp", "value_rp")
COUNT_LABELS: Final = {
    "counted": "ct_col_counted",
    "expected": "ct_col_expected",
    "diff": "ct_col_diff",
    "cost_rp": "ct_col_cost",
    "value_rp": "ct_col_value",
}


def label(column: str, lang: str) -> str:
    """A column's heading in ``lang``."""
    key = COUNT_LABELS.get(column) or f"st_col_{column}"
    return text.t(key, lang) if key in text.MESSAGES else column


def _block(
    title: str, columns: tuple[str, ...], rows: tuple[tuple[Any, ...], ...], lang: str
) -> dict[str, Any]:
    return {
        "title": title,
        "labels": [label(c, lang) for c in columns],
        "money": [c in MONEY for c in columns],
        "rows": rows,
    }


def table_doc(table: Table, lang: str) -> downloads.Doc:
    """One of the stock reports (on hand, reorder, slow movers, below cost)."""
    title = text.t(f"st_title_{table.name}", lang)
    unit = table.unit or text.t("st_all_units", lang)
    return downloads.Doc(
        kind=f"stock_{table.name}",
        title=title,
        period=f"{unit} · {text.t('st_as_of', lang, day=table.as_of.isoformat())}",
        dates=(table.as_of.isoformat(),),
        sections=(Section(table.name, title, table.columns, table.rows),),
        template="print_stock.html",
        context={"blocks": [_block("", table.columns, table.rows, lang)]},
        rows=len(table.rows),
        number=table.unit or "",
    )


def shrinkage_doc(report: Report, lang: str) -> downloads.Doc:
    """The shrinkage report of a period: per unit, per item, then per clerk shift."""
    units_title, items_title = text.t("sh_units", lang), text.t("sh_items", lang)
    shifts_title = text.t("sh_shifts", lang)
    return downloads.Doc(
        kind="shrinkage",
        title=text.t("sh_title", lang),
        period=text.t("sh_period", lang, start=report.start, end=report.end),
        dates=(report.start, report.end),
        sections=(
            Section("units", units_title, UNIT_COLUMNS, report.units),
            Section("items", items_title, ITEM_COLUMNS, report.items),
            Section("shifts", shifts_title, SHIFT_COLUMNS, report.shifts),
        ),
        template="print_stock.html",
        context={
            "blocks": [
                _block(units_title, UNIT_COLUMNS, report.units, lang),
                _block(items_title, ITEM_COLUMNS, report.items, lang),
                _block(shifts_title, SHIFT_COLUMNS, report.shifts, lang),
            ]
        },
        rows=len(report.units) + len(report.items) + len(report.shifts),
        number=report.unit or "",
    )


def count_rows(count: Count) -> tuple[tuple[Any, ...], ...]:
    """A count's lines as rows of ``COUNT_COLUMNS``."""
    return tuple(
        (
            line.sku,
            line.name,
            rules.show(line.counted_milli),
            "" if line.expected_milli is None else rules.show(line.expected_milli),
            "" if line.diff_milli is None else rules.show(line.diff_milli),
            line.cost_rp,
            line.value_rp,
        )
        for line in count.lines
    )


def count_doc(count: Count, lang: str, tz: Any) -> downloads.Doc:
    """A stock count's sheet: its lines with expected, difference and value, and the totals."""
    rows = count_rows(count)
    started = datetime.fromtimestamp(count.started_ts, tz).strftime("%Y-%m-%d %H:%M")
    title = text.t("ct_count_title", lang, id=count.id, unit=count.unit)
    return downloads.Doc(
        kind="count",
        title=title,
        period=f"{count.section or text.t('ct_all_items', lang)} · {started} · "
        f"{text.t('ct_state_' + count.state, lang)}",
        dates=(started[:10],),
        sections=(Section("lines", title, COUNT_COLUMNS, rows),),
        template="print_stock.html",
        context={
            "blocks": [_block("", COUNT_COLUMNS, rows, lang)],
            "totals": [
                (text.t("ct_loss", lang), count.loss_rp),
                (text.t("ct_surplus", lang), count.surplus_rp),
                (text.t("ct_net", lang), count.net_rp),
            ],
        },
        rows=len(rows),
        number=str(count.id),
    )
