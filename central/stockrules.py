"""The stock rules of the configuration (``[stock]``): the sales window behind velocity, the reorder lead
time, cover and minimums, when an item is a slow mover, who approves a stock count, the accounts a count's
difference is booked on, and whether the catalog downlink carries stock. Pure: a mapping in, frozen data
out; every problem is a ``ConfigError`` naming the key and the fix (docs/config.md)::

    [stock]
    window_days = 30                  # average daily sales over this many days up to the day asked
    lead_time_days = 7                # days from ordering to the goods on the shelf
    cover_days = 14                   # days of sales an order covers beyond the lead time
    min_qty = 0                       # safety stock of every item, in its selling unit
    slow_days = 60                    # an item with stock and no sale in this many days is a slow mover
    approvers = ["manajer"]           # roles that approve a closed count (and so post its shrinkage)
    shrinkage_expense = "5801"        # Dr when counted is below expected
    surplus_income = "4801"           # Cr when counted is above expected
    downlink = true                   # the catalog downlink carries each unit's stock on hand

    [stock.minimums]                  # an item's own safety stock, over min_qty
    "8991234500017" = 24
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from central.errors import ConfigError

MAX_DAYS: Final = 3660
MAX_QTY: Final = 10**9
MAX_MINIMUMS: Final = 100_000
ROLES: Final = frozenset(
    {
        "anggota",
        "kasir",
        "kader",
        "pengurus",
        "ketua",
        "sekretaris",
        "bendahara",
        "pengawas",
        "manajer",
        "staf",
    }
)
_KEYS: Final = frozenset(
    {
        "window_days",
        "lead_time_days",
        "cover_days",
        "min_qty",
        "slow_days",
        "approvers",
        "shrinkage_expense",
        "surplus_income",
        "downlink",
        "minimums",
    }
)


@dataclass(frozen=True)
class StockPolicy:
    """``[stock]``, validated (quantities in whole selling units)."""

    window_days: int = 30
    lead_time_days: int = 7
    cover_days: int = 14
    min_qty: int = 0
    slow_days: int = 60
    approvers: tuple[str, ...] = ("manajer",)
    shrinkage_expense: str = "5801"
    surplus_income: str = "4801"
    downlink: bool = True
    minimums: Mapping[str, int] = field(default_factory=dict)

    def minimum(self, sku: str) -> int:
        """The safety stock of ``sku`` in whole units: its own, else ``min_qty``."""
        return self.minimums.get(sku, self.min_qty)


DEFAULT_STOCK: Final = StockPolicy()


def _int(table: Mapping[str, Any], key: str, default: int, lo: int, hi: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"stock.{key} must be a whole number, got {value!r}")
    if not lo <= value <= hi:
        raise ConfigError(f"stock.{key} must be between {lo} and {hi}, got {value}")
    return value


def _account(table: Mapping[str, Any], key: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"stock.{key} must be an account code of the chart, got {value!r}")
    return value


def parse(data: Mapping[str, Any] | None) -> StockPolicy:
    """The ``[stock]`` table (``None``: every default)."""
    table = data or {}
    if not isinstance(table, Mapping):
        raise ConfigError("[stock] must be a table")
    extra = sorted(set(table) - _KEYS)
    if extra:
        raise ConfigError(f"unknown key(s) in [stock]: {', '.join(extra)}; see docs/config.md for the keys")
    approvers = table.get("approvers", list(DEFAULT_STOCK.approvers))
    if not isinstance(approvers, list) or not approvers or not all(isinstance(r, str) for r in approvers):
        raise ConfigError('stock.approvers must be a non-empty list of roles, e.g. ["manajer"]')
    unknown = sorted(set(approvers) - ROLES)
    if unknown:
        raise ConfigError(
            f"stock.approvers names unknown role(s) {', '.join(unknown)}; "
            f"roles are {', '.join(sorted(ROLES))}"
        )
    if set(approvers) & {"anggota", "kasir", "kader"}:
        raise ConfigError("stock.approvers: a member, clerk or cadre may not approve a stock count")
    downlink = table.get("downlink", True)
    if not isinstance(downlink, bool):
        raise ConfigError(f"stock.downlink must be true or false, got {downlink!r}")
    minimums = table.get("minimums", {})
    if not isinstance(minimums, Mapping) or len(minimums) > MAX_MINIMUMS:
        raise ConfigError(
            f"[stock.minimums] must be a table of sku = whole quantity (at most {MAX_MINIMUMS})"
        )
    mins: dict[str, int] = {}
    for sku, qty in minimums.items():
        if isinstance(qty, bool) or not isinstance(qty, int) or not 0 <= qty <= MAX_QTY:
            raise ConfigError(
                f"stock.minimums.{sku} must be a whole quantity from 0 to {MAX_QTY}, got {qty!r}"
            )
        mins[str(sku)] = qty
    expense = _account(table, "shrinkage_expense", DEFAULT_STOCK.shrinkage_expense)
    income = _account(table, "surplus_income", DEFAULT_STOCK.surplus_income)
    if expense == income:
        raise ConfigError("stock.shrinkage_expense and stock.surplus_income must be two different accounts")
    return StockPolicy(
        window_days=_int(table, "window_days", DEFAULT_STOCK.window_days, 1, MAX_DAYS),
        lead_time_days=_int(table, "lead_time_days", DEFAULT_STOCK.lead_time_days, 0, MAX_DAYS),
        cover_days=_int(table, "cover_days", DEFAULT_STOCK.cover_days, 0, MAX_DAYS),
        min_qty=_int(table, "min_qty", DEFAULT_STOCK.min_qty, 0, MAX_QTY),
        slow_days=_int(table, "slow_days", DEFAULT_STOCK.slow_days, 1, MAX_DAYS),
        approvers=tuple(approvers),
        shrinkage_expense=expense,
        surplus_income=income,
        downlink=downlink,
        minimums=mins,
    )
