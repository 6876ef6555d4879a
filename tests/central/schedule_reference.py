"""The loan schedule as it was first written: one frozen line object per step, every payment walking
every installment, interest in Decimal. Slow and plainly correct; ``central.loans.schedule`` (columns of
integers, the first unpaid installment remembered) must give exactly the same schedules and states."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from central.loans.schedule import (
    MAX_TERM,
    METHODS,
    PENALTY_PERIOD_DAYS,
    Installment,
    Line,
    Payment,
    ScheduleError,
    State,
    annuity_payment,
)


def add_months(start: date, months: int) -> date:
    """``start`` moved ``months`` calendar months on, the day kept or clamped to the month's last."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _rp(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


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
    months = term_months - grace_months
    flat_interest = _rp(amount_rp * rate)
    out: list[Installment] = []
    balance = amount_rp
    for number in range(1, grace_months + 1):
        out.append(Installment(number, add_months(start, number), 0, flat_interest, balance))
    even = amount_rp // months
    payment = annuity_payment(amount_rp, rate, months) if method == "anuitas" else 0
    for k in range(1, months + 1):
        number = grace_months + k
        last = k == months
        interest = flat_interest if method == "flat" else _rp(balance * rate)
        if method == "anuitas":
            principal = balance if last else min(balance, max(0, payment - interest))
        else:
            principal = balance if last else even
        balance -= principal
        out.append(Installment(number, add_months(start, number), principal, interest, balance))
    return tuple(out)


def _accrue(line: Line, on: date, pct: Decimal) -> Line:
    """The line with its penalty as of ``on``: ``pct`` of what is unpaid per full period late; never less."""
    if pct <= 0 or on <= line.due or line.unpaid_installment_rp <= 0:
        return line
    periods = (on - line.due).days // PENALTY_PERIOD_DAYS
    if periods <= 0:
        return line
    due = _rp(Decimal(line.unpaid_installment_rp) * pct / 100 * periods)
    return line._replace(penalty_rp=max(line.penalty_rp, due)) if due > line.penalty_rp else line


def _pay(line: Line, money: int, on: date) -> tuple[Line, int]:
    """Pay what ``money`` can of ``line``: penalty, interest, principal; returns the line and what is left."""
    penalty = min(money, line.penalty_rp - line.penalty_paid_rp)
    money -= penalty
    interest = min(money, line.interest_rp - line.interest_paid_rp)
    money -= interest
    principal = min(money, line.principal_rp - line.principal_paid_rp)
    money -= principal
    paid = line._replace(
        penalty_paid_rp=line.penalty_paid_rp + penalty,
        interest_paid_rp=line.interest_paid_rp + interest,
        principal_paid_rp=line.principal_paid_rp + principal,
    )
    if paid.owed_rp == 0 and line.owed_rp > 0:
        paid = paid._replace(paid_on=on)
    return paid, money


def settle(
    schedule: Sequence[Installment],
    payments: Sequence[Payment],
    as_of: date,
    *,
    penalty_month_pct: Decimal = Decimal(0),
) -> State:
    """The loan as of ``as_of`` after ``payments`` (those after ``as_of`` are left out), in date order."""
    lines = [Line(i.number, i.due, i.principal_rp, i.interest_rp) for i in schedule]
    excess = 0
    pct = Decimal(penalty_month_pct)
    for payment in sorted((p for p in payments if p.on <= as_of), key=lambda p: p.on):
        if payment.amount_rp <= 0:
            raise ScheduleError(f"a payment must be more than 0 rupiah, got {payment.amount_rp}")
        lines = [_accrue(line, payment.on, pct) for line in lines]
        money = payment.amount_rp
        for index, line in enumerate(lines):
            if money == 0:
                break
            if line.owed_rp > 0:
                lines[index], money = _pay(line, money, payment.on)
        excess += money
    lines = [_accrue(line, as_of, pct) for line in lines]
    return State(as_of=as_of, lines=tuple(lines), excess_rp=excess)
