"""The statement of changes in equity (laporan perubahan ekuitas) of a book year.

Columns: simpanan pokok, simpanan wajib, the reserve (cadangan), SHU (the year's and earlier years' not yet
allocated: revenue minus expenses plus the movements of the SHU summary account 3301), and any other equity
account (opening-balance equity, ...). Rows: the balance on 1 January, then the year's movements, then the
balance on 31 December, which is the balance sheet's equity of that day to the rupiah:

- deposits of pokok and wajib (credits), and pokok and wajib paid back (debits; a member who leaves);
- the year's SHU (revenue minus expenses of the year);
- the allocation of a closed year by the year-end close (``central.yearend``, an entry of unit ``shu``
  dated 31 December): its reserve part moves from the SHU column to the reserve, the rest leaves equity
  for the members' SHU and the funds (liabilities); a reopened year's reversal counts back;
- anything else that moved an equity account (an adjusting entry, opening balances).

Reads the per-day sums (``account_days``) and the year-end's own entries only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from sqlalchemy import func, select

from central.accounts import EQUITY, EXPENSE, REVENUE
from central.config import Config
from central.ledger import schema
from central.ledger.balances import account_sums

if TYPE_CHECKING:
    from central.ledger import Ledger

POKOK: Final = "pokok"
WAJIB: Final = "wajib"
RESERVE: Final = "reserve"
SHU: Final = "shu"
OTHER: Final = "other"
COLUMNS: Final = (POKOK, WAJIB, RESERVE, SHU, OTHER)
MOVEMENTS: Final = ("deposits", "withdrawals", "surplus", "to_reserve", "distributed", "other")
YEAREND_UNIT: Final = "shu"  # the unit of the year-end close's entries (central.yearend.policy)
YEAREND_TX_FROM: Final = "shu:"  # their transaction ids: shu:<year>:close:<n>, shu:<year>:reopen:<n>
YEAREND_TX_TO: Final = "shu;"
FIRST_DAY: Final = "0000-01-01"

TEXT: Final[Mapping[str, tuple[str, str]]] = {
    POKOK: ("Simpanan pokok", "Simpanan pokok"),
    WAJIB: ("Simpanan wajib", "Simpanan wajib"),
    RESERVE: ("Cadangan", "Reserve"),
    SHU: ("SHU belum dibagi", "Undistributed SHU"),
    OTHER: ("Ekuitas lain", "Other equity"),
    "total": ("Jumlah", "Total"),
    "opening": ("Saldo 1 Januari {year}", "Balance at 1 January {year}"),
    "closing": ("Saldo 31 Desember {year}", "Balance at 31 December {year}"),
    "deposits": ("Setoran simpanan pokok dan wajib", "Pokok and wajib deposited"),
    "withdrawals": ("Pengembalian simpanan pokok dan wajib", "Pokok and wajib paid back"),
    "surplus": ("SHU tahun {year}", "SHU (surplus) of {year}"),
    "to_reserve": ("Pembagian SHU: ke cadangan", "SHU allocated: to the reserve"),
    "distributed": (
        "Pembagian SHU: jasa anggota dan dana-dana",
        "SHU allocated: members' share and funds",
    ),
    "other": ("Mutasi lain", "Other movements"),
}


@dataclass(frozen=True)
class EquityYear:
    """One year's changes in equity; every tuple of amounts follows ``COLUMNS``."""

    year: int
    opening: tuple[int, ...]
    movements: tuple[tuple[str, tuple[int, ...]], ...]  # (key of MOVEMENTS, amounts); all keys, in order
    closing: tuple[int, ...]

    @property
    def opening_rp(self) -> int:
        return sum(self.opening)

    @property
    def closing_rp(self) -> int:
        return sum(self.closing)


def _reserve_account(config: Config) -> str:
    raw = config.raw.get("shu", {})
    overrides = raw.get("accounts", {}) if isinstance(raw, dict) else {}
    fund = str(raw.get("reserve_fund", "cadangan")) if isinstance(raw, dict) else "cadangan"
    default = "3201"
    return str(overrides.get(fund, default)) if isinstance(overrides, dict) else default


def _surplus_account(config: Config) -> str:
    raw = config.raw.get("shu", {})
    overrides = raw.get("accounts", {}) if isinstance(raw, dict) else {}
    return str(overrides.get("surplus", "3301")) if isinstance(overrides, dict) else "3301"


def column_of(config: Config) -> dict[str, str]:
    """The statement column of every equity account of the chart."""
    pokok, wajib = config.posting.savings_account(POKOK), config.posting.savings_account(WAJIB)
    fixed = {pokok: POKOK, wajib: WAJIB, _reserve_account(config): RESERVE, _surplus_account(config): SHU}
    return {a.code: fixed.get(a.code, OTHER) for a in config.chart if a.type == EQUITY}


def _columns(config: Config, sums: Mapping[str, tuple[int, int]]) -> dict[str, int]:
    """Balances (credit-normal) per column of ``sums``; revenue and expenses are the SHU column."""
    columns = column_of(config)
    kinds = {a.code: a.type for a in config.chart}
    result = dict.fromkeys(COLUMNS, 0)
    for code, (debit, credit) in sums.items():
        if code in columns:
            result[columns[code]] += credit - debit
        elif kinds.get(code) in (REVENUE, EXPENSE):
            result[SHU] += credit - debit
    return result


def compute(ledger: Ledger, year: int) -> EquityYear:
    """The changes in equity of ``year`` (1 January to 31 December)."""
    config = ledger.config
    lo, hi = f"{year:04d}-01-01", f"{year:04d}-12-31"
    before = f"{year - 1:04d}-12-31"
    columns = column_of(config)
    j = schema.journal
    with ledger.read() as conn:
        earlier = account_sums(conn, FIRST_DAY, before) if year > 1 else {}
        during = account_sums(conn, lo, hi)
        closes = {
            str(code): (int(d or 0), int(c or 0))
            for code, d, c in conn.execute(
                select(j.c.account, func.sum(j.c.debit_rp), func.sum(j.c.credit_rp))
                .where(
                    j.c.tx >= YEAREND_TX_FROM,
                    j.c.tx < YEAREND_TX_TO,
                    j.c.unit == YEAREND_UNIT,
                    j.c.day >= lo,
                    j.c.day <= hi,
                    j.c.account.in_(list(columns)),
                )
                .group_by(j.c.account)
            )
        }
    opening = _columns(config, earlier)
    moves = {key: dict.fromkeys(COLUMNS, 0) for key in MOVEMENTS}
    kinds = {a.code: a.type for a in config.chart}
    for code, (all_debit, all_credit) in during.items():
        close_debit, close_credit = closes.get(code, (0, 0))
        column = columns.get(code)
        if column is None:
            if kinds.get(code) in (REVENUE, EXPENSE):
                moves["surplus"][SHU] += all_credit - all_debit
            continue
        debit, credit = all_debit - close_debit, all_credit - close_credit  # the close's lines apart
        if column in (POKOK, WAJIB):
            moves["deposits"][column] += credit
            moves["withdrawals"][column] -= debit
        else:
            moves["other"][column] += credit - debit
        allocated = close_credit - close_debit
        if column == RESERVE:
            moves["to_reserve"][RESERVE] += allocated
            moves["to_reserve"][SHU] -= allocated
        elif column == SHU:
            moves["distributed"][SHU] += allocated
        else:
            moves["other"][column] += allocated
    # the SHU column's close movement is everything allocated; what went to the reserve is its own row
    moves["distributed"][SHU] -= moves["to_reserve"][SHU]
    closing = {c: opening[c] + sum(m[c] for m in moves.values()) for c in COLUMNS}
    return EquityYear(
        year,
        tuple(opening[c] for c in COLUMNS),
        tuple((key, tuple(moves[key][c] for c in COLUMNS)) for key in MOVEMENTS),
        tuple(closing[c] for c in COLUMNS),
    )


def text(key: str, lang: str, **values: object) -> str:
    """The statement's words for ``key`` (a column, a movement, opening, closing) in ``lang``."""
    pair = TEXT.get(key, (key, key))
    return (pair[1] if lang == "en" else pair[0]).format(**values)
