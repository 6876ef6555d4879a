"""Loan schedules and how payments settle them. Pure: dates and integer rupiah in, frozen data out.

Three interest methods, as Indonesian cooperatives name them (docs/loans.md has worked examples):

* ``flat``: interest each month on the amount lent, ``P * r``; principal ``P / n``.
* ``efektif`` (declining balance): interest each month on what is still owed, ``B * r``; principal ``P / n``.
* ``anuitas`` (annuity): one installment ``A = P * r / (1 - (1 + r) ** -n)`` every month; of it, interest is
  ``B * r`` and the rest is principal.

``r`` is the monthly rate. With ``grace`` months the first installments are interest only (on the whole
amount) and the principal is spread over the remaining ``n - grace`` months. Every amount is rounded to
whole rupiah half up; the last installment takes what rounding left, so the principal always adds up to
the amount lent exactly.

``settle`` applies payments to a schedule. Each payment pays, oldest installment first, its penalty, then
its interest, then its principal (the order Fineract calls "penalties, interest, principal"); money left
after everything due on the payment's day pays the next installments in the same order (paying ahead);
anything beyond the whole loan is ``excess`` (the product refuses it or holds it as a deposit). A penalty
accrues on what is unpaid of an installment: ``penalty_month_pct`` for each full 30 days past its due date;
what has accrued never shrinks.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Final, NamedTuple

METHODS: Final = ("flat", "efektif", "anuitas")
PENALTY_PERIOD_DAYS: Final = 30
MAX_TERM: Final = 360
_MONTH_DAYS: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class ScheduleError(ValueError):
    """A schedule that cannot be made (a term, amount or rate out of range)."""


# Installment and Line are named tuples, not frozen dataclasses: the aging of a loan book builds one per
# installment of every loan (two million for 100,000 loans), and a tuple is made five times faster.
class Installment(NamedTuple):
    """One month of a schedule: what is due on ``due``, and the principal still owed after it is paid."""

    number: int
    due: date
    principal_rp: int
    interest_rp: int
    balance_rp: int

    @property
    def total_rp(self) -> int:
        return self.principal_rp + self.interest_rp


@dataclass(frozen=True)
class Payment:
    """Money paid on a loan on ``on``."""

    on: date
    amount_rp: int


class Line(NamedTuple):
    """An installment with what has been paid of it (and the penalty accrued on it)."""

    number: int
    due: date
    principal_rp: int
    interest_rp: int
    penalty_rp: int = 0
    principal_paid_rp: int = 0
    interest_paid_rp: int = 0
    penalty_paid_rp: int = 0
    paid_on: date | None = None  # when the last rupiah of it was paid

    @property
    def owed_rp(self) -> int:
        return (
            self.principal_rp
            + self.interest_rp
            + self.penalty_rp
            - self.principal_paid_rp
            - self.interest_paid_rp
            - self.penalty_paid_rp
        )

    @property
    def unpaid_installment_rp(self) -> int:
        """What remains of principal and interest (the base a penalty accrues on)."""
        return self.principal_rp + self.interest_rp - self.principal_paid_rp - self.interest_paid_rp


@dataclass(frozen=True)
class State:
    """A loan after its payments, as of a day."""

    as_of: date
    lines: tuple[Line, ...]
    excess_rp: int  # paid beyond the whole loan

    @property
    def principal_outstanding_rp(self) -> int:
        return sum(line.principal_rp - line.principal_paid_rp for line in self.lines)

    @property
    def paid_off(self) -> bool:
        return all(line.owed_rp == 0 for line in self.lines)

    def overdue(self) -> tuple[Line, ...]:
        """The installments due on or before ``as_of`` that are not fully paid."""
        return tuple(line for line in self.lines if line.due <= self.as_of and line.owed_rp > 0)

    @property
    def days_late(self) -> int:
        """Days past the oldest unpaid due date (0 when nothing due is unpaid)."""
        late = self.overdue()
        return (self.as_of - late[0].due).days if late else 0

    @property
    def arrears_rp(self) -> int:
        return sum(line.owed_rp for line in self.overdue())

    def next_due(self) -> Line | None:
        """The first installment not fully paid (overdue or not)."""
        return next((line for line in self.lines if line.owed_rp > 0), None)


def _days_in(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month - 1]


def add_months(start: date, months: int) -> date:
    """``start`` moved ``months`` calendar months on, the day kept or clamped to the month's last."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    day = start.day
    return date(year, month, day if day <= 28 else min(day, _days_in(year, month)))


def _rp(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def annuity_payment(amount_rp: int, rate: Decimal, months: int) -> int:
    """The equal monthly installment of an annuity, rounded to whole rupiah half up."""
    if rate == 0:
        return -(-amount_rp // months)
    with localcontext() as ctx:
        ctx.prec = 40
        factor = (1 + rate) ** -months
        return _rp(Decimal(amount_rp) * rate / (1 - factor))


@functools.lru_cache(maxsize=4096)
def amounts(
    method: str, amount_rp: int, rate_month_pct: Decimal, term_months: int, *, grace_months: int = 0
) -> tuple[tuple[int, int], ...]:
    """(principal, interest) of each month of a loan of ``amount_rp`` (``build`` without the dates).

    Kept for the last few thousand terms asked: a cooperative lends round amounts over a few terms, so
    the aging of its whole book computes each distinct schedule once."""
    if method not in METHODS:
        raise ScheduleError(f"unknown interest method {method!r}; use one of {', '.join(METHODS)}")
    if not 1 <= term_months <= MAX_TERM:
        raise ScheduleError(f"the term must be 1 to {MAX_TERM} months, got {term_months}")
    if not 0 <= grace_months < term_months:
        raise ScheduleError(f"the grace must be 0 to {term_months - 1} months, got {grace_months}")
    if amount_rp <= 0:
        raise ScheduleError(f"the amount must be more than 0 rupiah, got {amount_rp}")
    if rate_month_pct < 0:
        raise ScheduleError(f"the rate must be 0 or more, got {rate_month_pct}")
    rate = Decimal(rate_month_pct) / 100
    # Interest in integers: rate = top / bottom exactly, and B * rate rounded half up is
    # (2 * B * top + bottom) // (2 * bottom): the same whole rupiah as in Decimal, at a fraction of the cost.
    top, bottom = rate.as_integer_ratio()
    months = term_months - grace_months
    flat_interest = (2 * amount_rp * top + bottom) // (2 * bottom)
    out = [(0, flat_interest)] * grace_months
    balance = amount_rp
    even = amount_rp // months
    payment = annuity_payment(amount_rp, rate, months) if method == "anuitas" else 0
    for k in range(1, months + 1):
        last = k == months
        interest = flat_interest if method == "flat" else (2 * balance * top + bottom) // (2 * bottom)
        if method == "anuitas":
            principal = balance if last else min(balance, max(0, payment - interest))
        else:
            principal = balance if last else even
        balance -= principal
        out.append((principal, interest))
    return tuple(out)


def build(
    method: str,
    amount_rp: int,
    rate_month_pct: Decimal,
    term_months: int,
    start: date,
    *,
    grace_months: int = 0,
) -> tuple[Installment, ...]:
    """The schedule of a loan of ``amount_rp`` disbursed on ``start``: one installment a month after it."""
    out: list[Installment] = []
    balance = amount_rp
    parts = amounts(method, amount_rp, rate_month_pct, term_months, grace_months=grace_months)
    for number, (principal, interest) in enumerate(parts, start=1):
        balance -= principal
        out.append(Installment(number, add_months(start, number), principal, interest, balance))
    return tuple(out)


def forget_cached() -> None:
    """Empty the schedules kept by ``amounts`` and ``position`` (a benchmark measures them cold)."""
    amounts.cache_clear()
    _running.cache_clear()
    _penalty_starts.cache_clear()


def due_count(start: date, count: int, as_of: date) -> int:
    """How many of ``count`` monthly installments from ``start`` fall due on or before ``as_of``."""
    months = (as_of.year - start.year) * 12 + as_of.month - start.month
    if months > 0 and add_months(start, months) > as_of:
        months -= 1
    return max(0, min(count, months))


@functools.lru_cache(maxsize=4096)
def _running(parts: tuple[tuple[int, int], ...]) -> tuple[list[int], list[int]]:
    """Running sums of the installments' amounts and of their principal (index i: the first i months)."""
    totals, principals = [0], [0]
    for principal, interest in parts:
        totals.append(totals[-1] + principal + interest)
        principals.append(principals[-1] + principal)
    return totals, principals


def position(
    parts: Sequence[tuple[int, int]], start: date, paid_rp: int, as_of: date
) -> tuple[int, int, int]:
    """(principal outstanding, arrears, days late) of a loan without penalties that has been paid
    ``paid_rp`` in all by ``as_of``: what ``settle`` gives for it (with a penalty of 0 nothing changes
    between payments, so paying the sum at once fills the installments exactly as paying it in parts
    does), read from the running sums of its amounts. The aging of a loan book uses it for every loan
    without a penalty rule or a reschedule."""
    totals, principals = _running(tuple(parts))
    count = len(parts)
    # the first installment the money does not cover: totals[k] <= paid < totals[k + 1]
    k = bisect_right(totals, paid_rp) - 1
    if k >= count:
        return 0, 0, 0
    due = due_count(start, count, as_of)
    interest = parts[k][1]
    principal_out = principals[count] - principals[k] - max(0, paid_rp - totals[k] - interest)
    arrears = max(0, totals[due] - paid_rp)
    days = (as_of - add_months(start, k + 1)).days if k < due else 0
    return principal_out, arrears, days


def unpenalised_position(
    parts: Sequence[tuple[int, int]], start: date, payments: Sequence[Payment], as_of: date
) -> tuple[int, int, int] | None:
    """``position`` for a loan with a penalty rule when no penalty can have accrued on it by ``as_of``:
    at each payment, and on ``as_of``, every installment due a full penalty period earlier was already
    paid (installments are paid in order, so that is the running sum of payments against the running
    sum of dues). Then settling it with its penalty rule gives what settling it without one gives.
    None when some installment was a period late: the caller settles it payment by payment."""
    days = sorted((p.on.isoformat(), p.amount_rp) for p in payments if p.on <= as_of)
    return quiet_position(parts, start, days, as_of)


@functools.lru_cache(maxsize=4096)
def _penalty_starts(start: date, count: int) -> tuple[str, ...]:
    """The ISO day from which each installment of a loan disbursed on ``start`` is a full penalty period
    late (its due day plus the period): the installments due a period before day d are the starts <= d."""
    period = timedelta(days=PENALTY_PERIOD_DAYS)
    return tuple((add_months(start, number) + period).isoformat() for number in range(1, count + 1))


def quiet_position(
    parts: Sequence[tuple[int, int]], start: date, payments: Sequence[tuple[str, int]], as_of: date
) -> tuple[int, int, int] | None:
    """``unpenalised_position`` of payments given as (ISO day, amount) in day order, none after ``as_of``.

    Each payment is one bisection of the days its installments turn a period late (ISO days compare as
    text), so the aging of a book reads its payments without making a date of any of them."""
    count = len(parts)
    sums = _running(tuple(parts))[0]
    starts = _penalty_starts(start, count)
    paid = 0
    for day, amount in payments:
        if paid < sums[bisect_right(starts, day)]:
            return None
        paid += amount
    if paid < sums[bisect_right(starts, as_of.isoformat())]:
        return None
    return position(parts, start, paid, as_of)


def settle(
    schedule: Sequence[Installment],
    payments: Sequence[Payment],
    as_of: date,
    *,
    penalty_month_pct: Decimal = Decimal(0),
) -> State:
    """The loan as of ``as_of`` after ``payments`` (those after ``as_of`` are left out), in date order.

    Worked on columns of integers rather than line objects, and from the first installment not fully paid
    (those before it stay paid: a paid installment accrues no penalty), so a loan with n installments
    and m payments costs about n + m steps, not n * m."""
    count = len(schedule)
    due = [i.due for i in schedule]
    principal = [i.principal_rp for i in schedule]
    interest = [i.interest_rp for i in schedule]
    penalty = [0] * count
    principal_paid = [0] * count
    interest_paid = [0] * count
    penalty_paid = [0] * count
    paid_on: list[date | None] = [None] * count
    pct = Decimal(penalty_month_pct)
    first = 0  # every installment before it is fully paid

    def owed(k: int) -> int:
        return (
            principal[k] + interest[k] + penalty[k] - principal_paid[k] - interest_paid[k] - penalty_paid[k]
        )

    def accrue(on: date) -> None:
        """Penalties as of ``on`` on the installments past due: ``pct`` of what is unpaid per full period."""
        if pct <= 0:
            return
        for k in range(first, count):
            if on <= due[k]:
                break  # a schedule runs in date order: the rest are not due yet either
            unpaid = principal[k] + interest[k] - principal_paid[k] - interest_paid[k]
            periods = (on - due[k]).days // PENALTY_PERIOD_DAYS
            if unpaid > 0 and periods > 0:
                penalty[k] = max(penalty[k], _rp(Decimal(unpaid) * pct / 100 * periods))

    excess = 0
    for payment in sorted((p for p in payments if p.on <= as_of), key=lambda p: p.on):
        if payment.amount_rp <= 0:
            raise ScheduleError(f"a payment must be more than 0 rupiah, got {payment.amount_rp}")
        accrue(payment.on)
        money = payment.amount_rp
        k = first
        while money > 0 and k < count:
            before = owed(k)
            if before > 0:
                part = min(money, penalty[k] - penalty_paid[k])
                penalty_paid[k] += part
                money -= part
                part = min(money, interest[k] - interest_paid[k])
                interest_paid[k] += part
                money -= part
                part = min(money, principal[k] - principal_paid[k])
                principal_paid[k] += part
                money -= part
                if owed(k) == 0:
                    paid_on[k] = payment.on
            k += 1
        while first < count and owed(first) == 0:
            first += 1
        excess += money
    accrue(as_of)
    lines = tuple(
        Line(
            schedule[k].number,
            due[k],
            principal[k],
            interest[k],
            penalty[k],
            principal_paid[k],
            interest_paid[k],
            penalty_paid[k],
            paid_on[k],
        )
        for k in range(count)
    )
    return State(as_of=as_of, lines=lines, excess_rp=excess)
