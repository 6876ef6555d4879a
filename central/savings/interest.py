"""Term-deposit (simpanan berjangka) arithmetic: maturity, interest over the term, and how much of it is
earned by a day. Pure: dates and integers in, integers out (docs/savings.md has worked examples).

* The **maturity** is the start plus the term in months (a start on the 31st matures on the last day of a
  shorter month).
* The **interest of the term** is simple interest on the principal, rounded down to the rupiah:
  ``floor(principal x rate_year_pct / 100 x term_months / 12)``.
* Interest is **earned by the day**: by the start of day ``on`` the deposit has been held
  ``min(on - start, term days)`` days, and ``floor(term interest x held days / term days)`` is earned.
  The month-end accrual books what is earned by the first day of the next month less what was booked
  before, so the accruals of a term add up exactly to its interest, and each falls in the month it was
  earned (the SHU of a year bears the year's interest).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Final

HUNDRED: Final = Decimal(100)
MONTHS_A_YEAR: Final = Decimal(12)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, the day of month kept or clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def month_end(year: int, month: int) -> date:
    """The last day of ``month``."""
    return date(year, month, calendar.monthrange(year, month)[1])


def term_interest_rp(principal_rp: int, rate_year_pct: Decimal, term_months: int) -> int:
    """The interest of the whole term, rounded down to the rupiah."""
    exact = Decimal(principal_rp) * rate_year_pct / HUNDRED * Decimal(term_months) / MONTHS_A_YEAR
    return int(exact.to_integral_value(rounding=ROUND_DOWN))


def earned_rp(principal_rp: int, rate_year_pct: Decimal, term_months: int, start: date, on: date) -> int:
    """The interest earned by the start of day ``on`` (0 before the start, the term's interest from the
    maturity on)."""
    maturity = add_months(start, term_months)
    term_days = (maturity - start).days
    held = min(max((on - start).days, 0), term_days)
    whole = term_interest_rp(principal_rp, rate_year_pct, term_months)
    return whole * held // term_days if term_days else whole


def earned_by_month_end(  # noqa: PLR0917 - the deposit's terms, then the month
    principal_rp: int, rate_year_pct: Decimal, term_months: int, start: date, year: int, month: int
) -> int:
    """The interest earned through the last day of ``month`` (what the month-end accruals add up to)."""
    return earned_rp(
        principal_rp, rate_year_pct, term_months, start, month_end(year, month) + timedelta(days=1)
    )


def penalty_rp(principal_rp: int, penalty_pct: Decimal) -> int:
    """The early-withdrawal penalty: ``penalty_pct`` of the principal, rounded down to the rupiah."""
    exact = Decimal(principal_rp) * penalty_pct / HUNDRED
    return int(exact.to_integral_value(rounding=ROUND_DOWN))
