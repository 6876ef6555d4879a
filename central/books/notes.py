"""Notes to the financial statements (catatan atas laporan keuangan) for the main accounts, at the end of a
book year and of the year before: cash and bank, receivables and loans with their allowance, loans by
collectibility class and the allowance each calls for, inventory, fixed assets, members' savings by product
(with how many members hold each), and equity.

Each note is a list of (text, amount this year, amount last year); the balances come from the per-day sums
(``account_days``), the savers from the journal's account index, the classes from the loan book's aging
(``central.loans.portfolio.aging``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

from sqlalchemy import func, select

from central.accounts import ASSET, EXPENSE, REVENUE, balance_sign
from central.books import cashflow
from central.books.equity import column_of
from central.config import Config
from central.ledger import schema
from central.ledger.balances import account_sums
from central.loans import portfolio

if TYPE_CHECKING:
    from central.ledger import Ledger

FIRST_DAY: Final = "0000-01-01"
NOTES: Final = (
    "cash",
    "receivables",
    "loan_classes",
    "loan_allowance",
    "inventory",
    "fixed_assets",
    "savings",
    "savers",
    "equity",
)
TEXT: Final[Mapping[str, tuple[str, str]]] = {
    "cash": ("Kas dan bank", "Cash and bank"),
    "receivables": ("Piutang dan pinjaman anggota", "Receivables and loans to members"),
    "loan_classes": ("Pinjaman anggota menurut kolektibilitas", "Loans to members by collectibility"),
    "loan_allowance": (
        "Cadangan kerugian pinjaman yang dibutuhkan menurut kolektibilitas",
        "Loan loss allowance called for, by collectibility",
    ),
    "inventory": ("Persediaan", "Inventory"),
    "fixed_assets": ("Aset tetap", "Fixed assets"),
    "savings": ("Simpanan anggota per produk", "Members' savings by product"),
    "equity": ("Ekuitas", "Equity"),
    "total": ("Jumlah", "Total"),
    "net_loans": ("Pinjaman anggota bersih", "Loans to members, net"),
    "savers": ("{name}: penyimpan", "{name}: savers"),
    "shu": ("SHU belum dibagi (termasuk tahun berjalan)", "Undistributed SHU (this year's included)"),
    "savings_note": (
        "Simpanan pokok dan wajib adalah ekuitas; simpanan lain adalah kewajiban kepada anggota.",
        "Pokok and wajib are equity; the other savings are owed to the members (liabilities).",
    ),
    "allowance_note": (
        "Pinjaman disajikan setelah cadangan kerugian (PPAP) menurut kolektibilitasnya.",
        "Loans are shown net of the loss allowance (PPAP) by their collectibility.",
    ),
}


@dataclass(frozen=True)
class Note:
    """One note: its key, the lines (text, amount per year) and a closing remark (may be empty)."""

    key: str
    lines: tuple[tuple[str, tuple[int, int]], ...]
    remark: str = ""
    total: bool = True
    money: bool = True  # False: the amounts are counts (members), not rupiah


def _text(key: str, lang: str, **values: object) -> str:
    pair = TEXT[key]
    return (pair[1] if lang == "en" else pair[0]).format(**values)


def _balances(config: Config, sums: Mapping[str, tuple[int, int]]) -> dict[str, int]:
    kinds = {a.code: a.type for a in config.chart}
    return {
        code: balance_sign(kinds[code]) * (debit - credit)
        for code, (debit, credit) in sums.items()
        if code in kinds
    }


def _savers(ledger: Ledger, accounts: Sequence[str], hi: str) -> dict[str, int]:
    """Per savings account: the members with a balance above 0 at the end of ``hi``."""
    j = schema.journal
    held = (
        select(j.c.account, j.c.member)
        .where(j.c.account.in_(list(accounts)), j.c.day <= hi, j.c.member.is_not(None))
        .group_by(j.c.account, j.c.member)
        .having(func.sum(j.c.credit_rp) - func.sum(j.c.debit_rp) > 0)
        .subquery("held")
    )
    with ledger.read() as conn:
        return {
            str(a): int(n)
            for a, n in conn.execute(select(held.c.account, func.count()).group_by(held.c.account))
        }


def compute(ledger: Ledger, year: int, lang: str = "id") -> list[Note]:
    """The notes at 31 December of ``year``, beside 31 December of the year before."""
    config = ledger.config
    ends = (f"{year:04d}-12-31", f"{year - 1:04d}-12-31")
    with ledger.read() as conn:
        sums_now, sums_before = (account_sums(conn, FIRST_DAY, end) for end in ends)
    now, before = _balances(config, sums_now), _balances(config, sums_before)

    def pair(code: str) -> tuple[int, int]:
        return now.get(code, 0), before.get(code, 0)

    def name(code: str) -> str:
        account = config.account(code)
        return account.name if account is not None else code

    def lines_of(codes: Sequence[str], *, keep_empty: bool = False) -> list[tuple[str, tuple[int, int]]]:
        return [(f"{code} {name(code)}", pair(code)) for code in codes if keep_empty or any(pair(code))]

    notes: list[Note] = []
    cash = cashflow.cash_accounts(config)
    notes.append(Note("cash", tuple(lines_of(cash, keep_empty=True))))

    posting = config.posting
    receivables = [posting.receivable, posting.loans] + ([config.allowance] if config.allowance else [])
    lines = lines_of(receivables, keep_empty=True)
    notes.append(Note("receivables", tuple(lines), _text("allowance_note", lang)))

    notes.extend(_collectibility(ledger, year))

    notes.append(Note("inventory", tuple(lines_of([posting.inventory], keep_empty=True))))

    table = cashflow.classify(config)
    fixed = [
        a.code
        for a in config.chart
        if a.type == ASSET and table.class_of.get(table.line_of.get(a.code, ""), "") == cashflow.INVESTING
    ]
    if fixed:
        notes.append(Note("fixed_assets", tuple(lines_of(fixed, keep_empty=True))))

    savings = [code for _, code in posting.savings]
    savers_now = _savers(ledger, savings, ends[0])
    savers_before = _savers(ledger, savings, ends[1])
    saving_lines = lines_of(savings, keep_empty=True)
    counts = tuple(
        (
            _text("savers", lang, name=name(code)),
            (savers_now.get(code, 0), savers_before.get(code, 0)),
        )
        for code in savings
        if savers_now.get(code) or savers_before.get(code)
    )
    notes.append(Note("savings", tuple(saving_lines), _text("savings_note", lang)))
    if counts:
        notes.append(Note("savers", counts, total=False, money=False))

    columns = column_of(config)
    surplus_codes = {c for c, col in columns.items() if col == "shu"}
    equity_codes = [c for c in columns if c not in surplus_codes]
    shu_now = _shu(config, sums_now, surplus_codes)
    shu_before = _shu(config, sums_before, surplus_codes)
    equity_lines = [*lines_of(equity_codes), (_text("shu", lang), (shu_now, shu_before))]
    notes.append(Note("equity", tuple(equity_lines)))
    return notes


def _collectibility(ledger: Ledger, year: int) -> list[Note]:
    """Loans by collectibility class (kolektibilitas: lancar, kurang lancar, diragukan, macet, by days late,
    ``[loans]``) at both year ends: what they owe, and the allowance each class calls for."""
    years = [portfolio.aging(ledger, date(y, 12, 31)) for y in (year, year - 1)]
    names: dict[str, str] = {}
    owed: dict[str, list[int]] = {}
    allowance: dict[str, list[int]] = {}
    for n, aging in enumerate(years):
        for klass in aging.classes:
            names.setdefault(klass.code, klass.name)
            owed.setdefault(klass.code, [0, 0])[n] = klass.outstanding_rp
            allowance.setdefault(klass.code, [0, 0])[n] = klass.allowance_rp
    if not any(any(v) for v in owed.values()):
        return []
    return [
        Note("loan_classes", tuple((names[c], (v[0], v[1])) for c, v in owed.items())),
        Note("loan_allowance", tuple((names[c], (v[0], v[1])) for c, v in allowance.items())),
    ]


def _shu(config: Config, sums: Mapping[str, tuple[int, int]], surplus: set[str]) -> int:
    """Revenue minus expenses plus the SHU summary account's movements, to date: SHU not yet allocated."""
    kinds = {a.code: a.type for a in config.chart}
    return sum(
        credit - debit
        for code, (debit, credit) in sums.items()
        if kinds.get(code) in (REVENUE, EXPENSE) or code in surplus
    )


def title(key: str, lang: str) -> str:
    """A note's heading."""
    if key == "savers":
        return "Jumlah anggota penyimpan" if lang != "en" else "Members holding savings"
    return _text(key, lang)
