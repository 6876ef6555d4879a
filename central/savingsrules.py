"""The savings rules of the configuration: simpanan pokok (once, at joining) and simpanan wajib (every
month), with the history of the wajib amount as the members' meetings changed it. Pure: a mapping in,
frozen data out; every problem is a ``ConfigError`` naming the key and the fix (docs/config.md)::

    [savings]
    pokok_rp = 100000
    wajib_rp = 50000                  # from the first month on, unless the history says otherwise
    wajib_from = "2020-01"            # dues are counted from this month (or the member's joining month)

    [[savings.wajib_history]]         # the amount changed by a members' meeting (RAT), from a month on
    from = "2025-01"
    rp = 75000
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from central.errors import ConfigError

MONTH_RE: Final = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_HISTORY: Final = 120
MAX_RP: Final = 10**10
_KEYS: Final = frozenset({"pokok_rp", "wajib_rp", "wajib_from", "wajib_history"})
_HISTORY_KEYS: Final = frozenset({"from", "rp"})


def month_index(text: str) -> int:
    """``YYYY-MM`` as a number of months (so months compare and subtract)."""
    found = MONTH_RE.match(text)
    if found is None:
        raise ValueError(text)
    return int(found.group(1)) * 12 + int(found.group(2)) - 1


def month_text(index: int) -> str:
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}"


@dataclass(frozen=True)
class SavingsPolicy:
    """Pokok and wajib amounts; ``wajib`` holds (first month index, rupiah) steps in month order."""

    pokok_rp: int
    wajib: tuple[tuple[int, int], ...]
    wajib_from: int

    def wajib_rp(self, month: int) -> int:
        """The wajib amount of month ``month`` (a ``month_index``); 0 before the dues start."""
        if month < self.wajib_from:
            return 0
        amount = 0
        for start, rp in self.wajib:
            if start <= month:
                amount = rp
        return amount


def _rp(table: Mapping[str, Any], key: str, where: str, default: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RP:
        raise ConfigError(f"{where}.{key} must be whole rupiah from 0 to {MAX_RP}, got {value!r}")
    return int(value)


def _month(table: Mapping[str, Any], key: str, where: str, default: str) -> int:
    value = table.get(key, default)
    if not isinstance(value, str) or MONTH_RE.match(value) is None:
        raise ConfigError(f'{where}.{key} must be a month like "2025-01", got {value!r}')
    return month_index(value)


def parse(data: Mapping[str, Any] | None) -> SavingsPolicy:
    """The ``[savings]`` table (``None``: no dues: pokok and wajib 0)."""
    table = data or {}
    if not isinstance(table, Mapping):
        raise ConfigError("[savings] must be a table")
    extra = sorted(set(table) - _KEYS)
    if extra:
        raise ConfigError(f"unknown key(s) in [savings]: {', '.join(extra)}; see docs/config.md for the keys")
    start = _month(table, "wajib_from", "savings", "2000-01")
    steps = [(start, _rp(table, "wajib_rp", "savings", 0))]
    history = table.get("wajib_history", [])
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        raise ConfigError("savings.wajib_history must be a list of tables ([[savings.wajib_history]])")
    if len(history) > MAX_HISTORY:
        raise ConfigError(f"savings.wajib_history has {len(history)} entries; at most {MAX_HISTORY}")
    for index, step in enumerate(history):
        where = f"savings.wajib_history[{index}]"
        extra = sorted(set(step) - _HISTORY_KEYS)
        if extra:
            raise ConfigError(f"unknown key(s) in {where}: {', '.join(extra)}; the keys are from and rp")
        if "from" not in step or "rp" not in step:
            raise ConfigError(f'{where} needs both from (a month like "2025-01") and rp')
        steps.append((_month(step, "from", where, ""), _rp(step, "rp", where, 0)))
    months = [m for m, _ in steps[1:]]
    if months != sorted(set(months)) or (months and months[0] <= start):
        raise ConfigError(
            "savings.wajib_history: the months must rise, each after wajib_from, one change per month"
        )
    return SavingsPolicy(pokok_rp=_rp(table, "pokok_rp", "savings", 0), wajib=tuple(steps), wajib_from=start)


DEFAULT_SAVINGS: Final = SavingsPolicy(pokok_rp=0, wajib=((month_index("2000-01"), 0),), wajib_from=24000)
