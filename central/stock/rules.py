"""Stock's pure rules: exact quantities in thousandths (milli-units, as the devices keep them), velocity,
days of stock left, the reorder quantity, and a count line's difference valued at cost. Plain data in,
plain data out; no database, no clock.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final, NamedTuple

MILLI: Final = 1000
QTY_RE: Final = re.compile(r"^\d{1,9}([.,]\d{1,3})?$")


class BadQuantity(ValueError):
    """A typed quantity is not a number >= 0 with at most 3 decimals."""


def parse_milli(text: str | int) -> int:
    """``"1.250"`` (or ``"1,250"``, or 3) as 1250 thousandths; ``BadQuantity`` otherwise."""
    if isinstance(text, bool):
        raise BadQuantity(str(text))
    if isinstance(text, int):
        if text < 0:
            raise BadQuantity(str(text))
        return text * MILLI
    cleaned = text.strip()
    if not QTY_RE.match(cleaned):
        raise BadQuantity(text)
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation as err:  # pragma: no cover - the pattern lets only numbers through
        raise BadQuantity(text) from err
    return int(value * MILLI)


def wire_milli(qty: str | int) -> int:
    """An envelope line's ``qty`` (int, or decimal text with at most 3 decimals) in thousandths."""
    if isinstance(qty, int):
        return qty * MILLI
    value = Decimal(qty) * MILLI
    if value != value.to_integral_value():
        raise BadQuantity(qty)
    return int(value)


def show(milli: int) -> str:
    """Thousandths as the quantity a person reads: ``12``, ``1.25``, ``-0.5``."""
    sign = "-" if milli < 0 else ""
    whole, frac = divmod(abs(milli), MILLI)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:03d}".rstrip("0")


def wire(milli: int) -> int | str:
    """Thousandths as a catalog downlink's ``stock``: an int when whole, else decimal text like ``"1.25"``."""
    return milli // MILLI if milli % MILLI == 0 else show(milli)


def ceil_div(a: int, b: int) -> int:
    """``a / b`` rounded up (``b`` > 0)."""
    return -((-a) // b)


def days_left(onhand_milli: int, sold_milli: int, window_days: int) -> int | None:
    """Whole days the stock lasts at the window's average daily sales (None: nothing sold in the window)."""
    if sold_milli <= 0:
        return None
    return max(0, onhand_milli) * window_days // sold_milli


class Reorder(NamedTuple):
    """Whether to reorder an item and how much, in whole units."""

    point_milli: int  # reorder when on hand is at or below this
    target_milli: int  # what an order should bring stock up to
    order_qty: int  # whole units to buy (0: none)


def reorder(  # noqa: PLR0917 - the rule's six figures, named at every call
    onhand_milli: int, sold_milli: int, window_days: int, lead_days: int, cover_days: int, minimum: int
) -> Reorder:
    """The reorder rule (docs/stock.md): with ``d`` the average daily sales over the window, reorder when on
    hand <= ``d * lead + minimum`` and buy up to ``d * (lead + cover) + minimum``, in whole units, rounded
    up. An item with no sales in the window is reordered only when it is below its minimum."""
    minimum_milli = minimum * MILLI
    point = ceil_div(sold_milli * lead_days, window_days) + minimum_milli
    target = ceil_div(sold_milli * (lead_days + cover_days), window_days) + minimum_milli
    if onhand_milli > point or (sold_milli <= 0 and onhand_milli >= minimum_milli):
        return Reorder(point, target, 0)
    return Reorder(point, target, max(0, ceil_div(target - onhand_milli, MILLI)))


def value_rp(diff_milli: int, cost_rp: int) -> int:
    """``diff_milli`` thousandths at ``cost_rp`` a unit, in rupiah rounded half away from zero."""
    sign = -1 if diff_milli < 0 else 1
    whole, rest = divmod(abs(diff_milli) * cost_rp * 2 + MILLI, 2 * MILLI)
    del rest
    return sign * whole


def pct(part: int, whole: int) -> str:
    """``part`` as a percent of ``whole`` with two decimals (``"12.50"``), or empty when there is no whole."""
    if whole <= 0:
        return ""
    return str((Decimal(part) * 100 / whole).quantize(Decimal("0.01")))
