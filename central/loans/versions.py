"""A loan's schedule across its versions: the one it was paid out with and each approved reschedule.
Pure: terms, payments and a day in, settled segments out (``central.loans.rescheduling`` writes the
versions, ``central.loans.portfolio`` reads a loan's card through ``resettle``).

A reschedule approved at time ``T`` on day ``D`` splits a loan's life in two:

* every payment recorded before ``T`` settles the old schedule, exactly as it did before (so the split of
  each installment already in the journal stays true); the old schedule is then settled as of ``D``;
* what the old schedule still has unpaid on ``D`` is taken over: the principal outstanding becomes the
  amount of the new schedule (``term_months`` installments from ``D``, ``grace_months`` of them interest
  only, at the new rate, by the loan's interest method), and the interest and penalty that had fallen due
  and were not paid (``arrears``) are spread evenly over the new installments as interest: neither forgiven
  nor added to the principal (so no interest is charged on interest, and no journal entry is needed, since
  interest is income only when it is paid);
* every payment recorded from ``T`` on settles the new schedule, whose penalty accrues only on its own
  installments.

Before ``D`` the loan is what it was; from ``D`` its card, arrears and class follow the new schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from central.loans import schedule as sched


@dataclass(frozen=True)
class Terms:
    """The terms of one rescheduled version: from ``effective_ts`` (the approval) on day ``effective_day``."""

    version: int
    effective_ts: int
    effective_day: date
    method: str
    rate_month_pct: Decimal
    term_months: int
    grace_months: int
    penalty_month_pct: Decimal


@dataclass(frozen=True)
class TakenOver:
    """What a new version takes over from the schedule before it, on the day it starts."""

    principal_rp: int
    interest_rp: int  # fallen due and unpaid
    penalty_rp: int  # accrued and unpaid
    days_late: int  # of the old schedule on that day

    @property
    def arrears_rp(self) -> int:
        """Interest and penalty spread over the new installments."""
        return self.interest_rp + self.penalty_rp


@dataclass(frozen=True)
class Segment:
    """One version's stretch of a loan: its schedule, the payments that settle it, and its state (as of the
    day the next version took over, or as of the day asked for when it is the current one)."""

    terms: Terms | None  # None: the schedule the loan was paid out with
    schedule: tuple[sched.Installment, ...]
    payments: tuple[sched.Payment, ...]
    state: sched.State
    taken_over: TakenOver | None  # None for the first


def taken_over(state: sched.State) -> TakenOver:
    """What is left of ``state`` for a new schedule: the principal, and the overdue interest and penalty."""
    overdue = state.overdue()
    return TakenOver(
        principal_rp=state.principal_outstanding_rp,
        interest_rp=sum(line.interest_rp - line.interest_paid_rp for line in overdue),
        penalty_rp=sum(line.penalty_rp - line.penalty_paid_rp for line in state.lines),
        days_late=state.days_late,
    )


def spread(total_rp: int, parts: int) -> tuple[int, ...]:
    """``total_rp`` in ``parts`` whole-rupiah shares that differ by at most one and add up exactly."""
    return tuple(total_rp * k // parts - total_rp * (k - 1) // parts for k in range(1, parts + 1))


def new_schedule(  # noqa: PLR0917 (the terms of a schedule, as sched.build takes them)
    method: str,
    principal_rp: int,
    arrears_rp: int,
    rate_month_pct: Decimal,
    term_months: int,
    start: date,
    grace_months: int = 0,
) -> tuple[sched.Installment, ...]:
    """The schedule of a reschedule: ``principal_rp`` over the new terms from ``start``, with
    ``arrears_rp`` spread evenly over its installments as interest."""
    if principal_rp > 0:
        base = sched.build(
            method, principal_rp, rate_month_pct, term_months, start, grace_months=grace_months
        )
    else:  # nothing but interest left (a late payment made the principal 0): the arrears alone
        if not 1 <= term_months <= sched.MAX_TERM:
            raise sched.ScheduleError(f"the term must be 1 to {sched.MAX_TERM} months, got {term_months}")
        base = tuple(
            sched.Installment(n, sched.add_months(start, n), 0, 0, 0) for n in range(1, term_months + 1)
        )
    shares = spread(max(arrears_rp, 0), len(base))
    return tuple(i._replace(interest_rp=i.interest_rp + share) for i, share in zip(base, shares, strict=True))


def resettle(
    original: Sequence[sched.Installment],
    penalty_month_pct: Decimal,
    payments: Sequence[tuple[int, sched.Payment]],
    versions: Sequence[Terms],
    as_of: date,
) -> tuple[Segment, ...]:
    """A loan as of ``as_of``: one segment per version in force by then, the current one last.

    ``payments`` are ``(recorded unix time, payment)``; a payment belongs to the latest version approved
    before it was recorded.
    """
    active = sorted((v for v in versions if v.effective_day <= as_of), key=lambda v: v.effective_ts)
    schedule = tuple(original)
    pct = Decimal(penalty_month_pct)
    took: TakenOver | None = None
    terms: Terms | None = None
    out: list[Segment] = []
    for index in range(len(active) + 1):
        lo = active[index - 1].effective_ts if index else None
        nxt = active[index] if index < len(active) else None
        mine = tuple(
            payment
            for ts, payment in payments
            if (lo is None or ts >= lo) and (nxt is None or ts < nxt.effective_ts)
        )
        end = nxt.effective_day if nxt is not None else as_of
        state = sched.settle(schedule, mine, end, penalty_month_pct=pct)
        out.append(Segment(terms, schedule, mine, state, took))
        if nxt is None:
            break
        took = taken_over(state)
        terms = nxt
        schedule = new_schedule(
            nxt.method,
            took.principal_rp,
            took.arrears_rp,
            nxt.rate_month_pct,
            nxt.term_months,
            nxt.effective_day,
            nxt.grace_months,
        )
        pct = nxt.penalty_month_pct
    return tuple(out)
