"""Year-end: points and SHU (pure rules in ``points`` and ``shu``), the period's inputs read from the
ledger (``inputs``), computing, closing and reopening a year (``closing``), the running estimate the
member summary shows (``estimate``) and their rendering (``render``). See docs/points-and-shu.md.

The names below are the package's public face, for the shells (CLI, portal, demo) and the tests.
"""

from central.yearend.closing import (
    YearResult,
    activity_parts,
    activity_totals,
    close_year,
    close_year_for_demo,
    closed_allocation,
    compute_year,
    points_data,
    record_activity,
    reopen_year,
    shu_data,
    year_history,
)
from central.yearend.estimate import estimate_shares, member_points, member_points_and_shu
from central.yearend.inputs import PeriodInputs, costs_on_rows, income_figures, period_inputs, points_of
from central.yearend.policy import (
    BOARD_ROLES,
    DEFAULT_SHU_ACCOUNTS,
    BadYearendInput,
    ShuAccountMissing,
    YearAlreadyClosed,
    YearBusy,
    YearNotClosed,
    YearNotOver,
    point_policy,
    shu_accounts,
    shu_policy,
)

__all__ = [
    "BOARD_ROLES",
    "DEFAULT_SHU_ACCOUNTS",
    "BadYearendInput",
    "PeriodInputs",
    "ShuAccountMissing",
    "YearAlreadyClosed",
    "YearBusy",
    "YearNotClosed",
    "YearNotOver",
    "YearResult",
    "activity_parts",
    "activity_totals",
    "close_year",
    "close_year_for_demo",
    "closed_allocation",
    "compute_year",
    "costs_on_rows",
    "estimate_shares",
    "income_figures",
    "member_points",
    "member_points_and_shu",
    "period_inputs",
    "point_policy",
    "points_data",
    "points_of",
    "record_activity",
    "reopen_year",
    "shu_accounts",
    "shu_data",
    "shu_policy",
    "year_history",
]
