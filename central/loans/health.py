"""The loan book's health as of a day: the problem-loan ratio as the KSP health assessment computes it, and
portfolio at risk. Pure: an aging in, figures out.

Problem-loan ratio (rasio pinjaman bermasalah, often called NPL): the outstanding principal of the loans
in the classes marked ``problem`` (by default kurang lancar, diragukan and macet) over the outstanding
principal of all loans. The KSP health assessment (Pedoman Penilaian Kesehatan KSP/USP Koperasi) scores it
in four bands: at most 5 % sehat, up to 10 % cukup sehat, up to 15 % kurang sehat, above 15 % tidak sehat.
Written-off loans are off the books, so they count in neither part.

Portfolio at risk (PAR n): the outstanding principal of the loans at least ``n`` days late (the whole
principal of such a loan, not only what is overdue), and its share of all outstanding principal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from central.loans.portfolio import Aging

# (upper bound of the ratio in percent, band): the first bound the ratio does not exceed names its band.
BANDS: Final = ((Decimal(5), "sehat"), (Decimal(10), "cukup sehat"), (Decimal(15), "kurang sehat"))
WORST_BAND: Final = "tidak sehat"
BAND_EN: Final = {
    "sehat": "healthy",
    "cukup sehat": "fairly healthy",
    "kurang sehat": "less than healthy",
    "tidak sehat": "unhealthy",
}
PAR_DAYS: Final = (1, 30, 60, 90)


@dataclass(frozen=True)
class AtRisk:
    days: int
    outstanding_rp: int
    pct: Decimal


@dataclass(frozen=True)
class Health:
    """The problem-loan ratio (percent, two decimals), its band, and PAR for ``PAR_DAYS``."""

    as_of: date
    loans: int
    outstanding_rp: int
    problem_rp: int
    problem_pct: Decimal
    band: str
    at_risk: tuple[AtRisk, ...]


def pct(part: int, whole: int) -> Decimal:
    """``part`` / ``whole`` in percent, rounded half up to two decimals (0 for an empty book)."""
    if whole <= 0:
        return Decimal("0.00")
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def band(problem_pct: Decimal) -> str:
    """The health band of a problem-loan ratio in percent."""
    for bound, name in BANDS:
        if problem_pct <= bound:
            return name
    return WORST_BAND


def health(book: Aging) -> Health:
    """The health figures of an aging."""
    total = book.outstanding_rp
    problem = sum(c.outstanding_rp for c in book.classes if c.problem)
    ratio = pct(problem, total)
    risk = tuple(AtRisk(days, book.at_risk_rp(days), pct(book.at_risk_rp(days), total)) for days in PAR_DAYS)
    return Health(book.as_of, len(book.rows), total, problem, ratio, band(ratio), risk)
