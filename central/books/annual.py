"""The annual statements a cooperative hands its members' meeting (RAT) under SAK EP (Permenkop UKM 2/2024),
each with this year beside last year: the balance sheet (neraca), the income statement (perhitungan hasil
usaha), the cash-flow statement (arus kas, ``central.books.cashflow``), the statement of changes in equity
(perubahan ekuitas, ``central.books.equity``) and the notes for the main accounts (``central.books.notes``).

Every function returns the books' ``Section``s (``central.books.reports``), so the CLI's table, JSON and CSV
and the portal's pages and PDFs render them like every other report. An amount column is named after its
year (``2026_rp``): its label is the year.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from central.accounts import ASSET, EQUITY, EXPENSE, LIABILITY, REVENUE
from central.books import cashflow, equity, notes, reports
from central.books.reports import Section

if TYPE_CHECKING:
    from central.ledger import Ledger

# The equity statement's columns as the books' column keys (their labels: central.messages.LABELS).
EQUITY_COLUMNS: Final = {
    equity.POKOK: "savings_pokok_rp",
    equity.WAJIB: "savings_wajib_rp",
    equity.RESERVE: "reserve_rp",
    equity.SHU: "undistributed_rp",
    equity.OTHER: "other_equity_rp",
}
STATEMENTS: Final = ("balance_sheet", "income", "cash_flow", "equity", "notes")
TEXT: Final[dict[str, tuple[str, str]]] = {
    "balance_sheet": ("Neraca per 31 Desember", "Balance sheet at 31 December"),
    "income": ("Perhitungan hasil usaha", "Income statement"),
    "cash_flow": ("Laporan arus kas", "Cash-flow statement"),
    "equity": ("Laporan perubahan ekuitas", "Statement of changes in equity"),
    "notes": ("Catatan atas laporan keuangan", "Notes to the financial statements"),
    cashflow.OPERATING: ("Arus kas dari aktivitas operasi", "Cash flows from operating activities"),
    cashflow.INVESTING: ("Arus kas dari aktivitas investasi", "Cash flows from investing activities"),
    cashflow.FINANCING: ("Arus kas dari aktivitas pendanaan", "Cash flows from financing activities"),
    "net_operating": ("Arus kas bersih dari aktivitas operasi", "Net cash from operating activities"),
    "net_investing": ("Arus kas bersih dari aktivitas investasi", "Net cash from investing activities"),
    "net_financing": ("Arus kas bersih dari aktivitas pendanaan", "Net cash from financing activities"),
    "cash_change": ("Kenaikan (penurunan) kas", "Increase (decrease) in cash"),
    "net_change": ("Kenaikan (penurunan) bersih kas dan bank", "Net increase (decrease) in cash and bank"),
    "cash_opening": ("Kas dan bank awal tahun", "Cash and bank at the start of the year"),
    "cash_closing": ("Kas dan bank akhir tahun", "Cash and bank at the end of the year"),
    "total_assets": ("Jumlah aset", "Total assets"),
    "total_liabilities": ("Jumlah kewajiban", "Total liabilities"),
    "total_equity": ("Jumlah ekuitas", "Total equity"),
    "total_revenue": ("Jumlah pendapatan", "Total revenue"),
    "total_expense": ("Jumlah beban", "Total expenses"),
    "shu": ("Sisa hasil usaha (SHU)", "Surplus (SHU)"),
    "no_movement": ("Tidak ada arus kas", "No cash flows"),
}


def text(key: str, lang: str) -> str:
    """The statements' words for ``key`` in ``lang``."""
    pair = TEXT.get(key, (key, key))
    return pair[1] if lang == "en" else pair[0]


def year_columns(year: int) -> tuple[str, str]:
    """The two amount columns: this year and last year."""
    return f"{year}_rp", f"{year - 1}_rp"


def _title(key: str, year: int, lang: str) -> str:
    return f"{text(key, lang)} {year} {'and' if lang == 'en' else 'dan'} {year - 1}"


# -- cash flow ----------------------------------------------------------------------------------------


def cash_flow(ledger: Ledger, year: int, lang: str = "id") -> list[Section]:
    """The cash-flow statement of ``year`` beside the year before: one section per activity, then the
    change in cash with the opening and closing balances; ``balanced`` says both years reconcile."""
    table = cashflow.classify(ledger.config)
    periods = [cashflow.compute(ledger, f"{y:04d}-01-01", f"{y:04d}-12-31", table) for y in (year, year - 1)]
    rows = cashflow.statement_lines(ledger.config, periods, lang)
    columns = ("memo", *year_columns(year))
    sections = []
    for cls in cashflow.CLASSES:
        lines = [(name, *amounts) for line_cls, name, amounts in rows if line_cls == cls]
        nets = tuple(p.net_of(cls) for p in periods)
        lines.append((text(f"net_{cls}", lang), *nets))
        sections.append(Section(cls, text(cls, lang), columns, tuple(lines)))
    sections.append(
        Section(
            "cash_change",
            text("cash_change", lang),
            columns,
            (
                (text("net_change", lang), *(p.net_rp for p in periods)),
                (text("cash_opening", lang), *(p.opening_rp for p in periods)),
                (text("cash_closing", lang), *(p.closing_rp for p in periods)),
            ),
            (("balanced", all(cashflow.reconciles(p) for p in periods)),),
        )
    )
    return sections


# -- equity -------------------------------------------------------------------------------------------


def equity_changes(ledger: Ledger, year: int, lang: str = "id") -> list[Section]:
    """The changes in equity over last year and this year: the balance on 1 January of last year, last
    year's movements, the balance on 31 December of last year, this year's movements, the balance on 31
    December; ``balanced`` says each closing balance is the balance sheet's equity of that day."""
    years = [equity.compute(ledger, y) for y in (year - 1, year)]
    keep = [
        n
        for n, column in enumerate(equity.COLUMNS)
        if column != equity.OTHER
        or any(y.opening[n] or y.closing[n] or any(m[n] for _, m in y.movements) for y in years)
    ]
    columns = ("memo", *(EQUITY_COLUMNS[equity.COLUMNS[n]] for n in keep), "total_rp")

    def row(name: str, amounts: Sequence[int]) -> tuple[Any, ...]:
        return (name, *(amounts[n] for n in keep), sum(amounts))

    rows = [row(equity.text("opening", lang, year=year - 1), years[0].opening)]
    for result in years:
        for key, amounts in result.movements:
            if any(amounts):
                rows.append(row(equity.text(key, lang, year=result.year), amounts))
        rows.append(row(equity.text("closing", lang, year=result.year), result.closing))
    sheets = [_equity_on(ledger, f"{y.year:04d}-12-31") for y in years]
    balanced = all(y.closing_rp == sheet for y, sheet in zip(years, sheets, strict=True))
    return [
        Section(
            "equity",
            _title("equity", year, lang),
            columns,
            tuple(rows),
            (("equity_rp", years[1].closing_rp), ("balanced", balanced)),
        )
    ]


def _equity_on(ledger: Ledger, on: str) -> int:
    summary = dict(reports.balance_sheet(ledger, on, "id")[0].summary)
    return int(summary["equity_rp"])


# -- notes --------------------------------------------------------------------------------------------


def notes_sections(ledger: Ledger, year: int, lang: str = "id") -> list[Section]:
    """The notes for the main accounts at the end of ``year`` beside the end of the year before."""
    money = ("memo", *year_columns(year))
    counts = ("memo", str(year), str(year - 1))  # members, not rupiah: no _rp, so never written as Rp
    sections = []
    for number, note in enumerate(notes.compute(ledger, year, lang), start=1):
        columns = money if note.money else counts
        rows: list[tuple[Any, ...]] = [(name, *amounts) for name, amounts in note.lines]
        if note.total:
            rows.append((notes.title("total", lang), *_sum(note.lines)))
        if note.remark:
            rows.append((note.remark, None, None))
        sections.append(Section(note.key, f"{number}. {notes.title(note.key, lang)}", columns, tuple(rows)))
    return sections


def _sum(lines: Sequence[tuple[str, tuple[int, int]]]) -> tuple[int, int]:
    return sum(a for _, (a, _) in lines), sum(b for _, (_, b) in lines)


# -- balance sheet and income, comparative --------------------------------------------------------------


def balance_sheet(ledger: Ledger, year: int, lang: str = "id") -> list[Section]:
    """The balance sheet at 31 December of ``year`` beside 31 December of the year before."""
    sheets = [reports.balance_sheet(ledger, f"{y:04d}-12-31", lang)[0] for y in (year, year - 1)]
    merged = _merge([s.rows for s in sheets], key_width=3)
    order = {ASSET: 0, LIABILITY: 1, EQUITY: 2}
    merged.sort(key=lambda r: (order.get(str(r[0]), 3), r[1] == "", r[1]))
    rows: list[tuple[Any, ...]] = []
    summaries = [dict(s.summary) for s in sheets]
    for side, key in ((ASSET, "assets_rp"), (LIABILITY, "liabilities_rp"), (EQUITY, "equity_rp")):
        rows.extend(r for r in merged if r[0] == side)
        rows.append((side, "", _total_name(side, lang), *(s[key] for s in summaries)))
    return [
        Section(
            "balance_sheet",
            _title("balance_sheet", year, lang),
            ("side", "account", "name", *year_columns(year)),
            tuple(rows),
            (("balanced", all(s["balanced"] for s in summaries)),),
        )
    ]


def _total_name(side: str, lang: str) -> str:
    return text({ASSET: "total_assets", LIABILITY: "total_liabilities", EQUITY: "total_equity"}[side], lang)


def income(ledger: Ledger, year: int, lang: str = "id") -> list[Section]:
    """The income statement of ``year`` beside the year before."""
    periods = [reports.Period(f"{y:04d}-01-01", f"{y:04d}-12-31") for y in (year, year - 1)]
    results = [reports.income(ledger, p, lang)[0] for p in periods]
    merged = _merge([r.rows for r in results], key_width=4)
    merged.sort(key=lambda r: (0 if r[0] == REVENUE else 1, r[2]))
    summaries = [dict(r.summary) for r in results]
    rows: list[tuple[Any, ...]] = [r for r in merged if r[0] == REVENUE]
    rows.append((REVENUE, "", "", text("total_revenue", lang), *(s["revenue_rp"] for s in summaries)))
    rows.extend(r for r in merged if r[0] == EXPENSE)
    rows.append((EXPENSE, "", "", text("total_expense", lang), *(s["expense_rp"] for s in summaries)))
    rows.append(("", "", "", text("shu", lang), *(s["surplus_rp"] for s in summaries)))
    return [
        Section(
            "income",
            _title("income", year, lang),
            ("type", "unit", "account", "name", *year_columns(year)),
            tuple(rows),
        )
    ]


def _merge(tables: Sequence[Sequence[tuple[Any, ...]]], key_width: int) -> list[tuple[Any, ...]]:
    """Rows keyed by their first ``key_width`` values, with the last value of each table side by side."""
    amounts: dict[tuple[Any, ...], list[int]] = {}
    for n, table in enumerate(tables):
        for row in table:
            key = tuple(row[:key_width])
            amounts.setdefault(key, [0] * len(tables))[n] = int(row[-1])
    return [(*key, *values) for key, values in amounts.items()]


def full_set(ledger: Ledger, year: int, lang: str = "id") -> list[Section]:
    """Every statement of ``year`` with last year beside it, in the order the meeting reads them."""
    return [
        *balance_sheet(ledger, year, lang),
        *income(ledger, year, lang),
        *cash_flow(ledger, year, lang),
        *equity_changes(ledger, year, lang),
        *notes_sections(ledger, year, lang),
    ]
