"""Loan schedules against hand-computed tables, and the laws of settling payments (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.loans.schedule import (
    METHODS,
    Installment,
    Payment,
    ScheduleError,
    add_months,
    annuity_payment,
    build,
    position,
    settle,
    unpenalised_position,
)
from central.loans.schedule import amounts as schedule_amounts
from tests.central import schedule_reference as reference

START = date(2026, 1, 31)


def _rows(schedule: tuple[Installment, ...]) -> list[tuple[int, int, int]]:
    return [(i.principal_rp, i.interest_rp, i.balance_rp) for i in schedule]


def test_flat_matches_the_hand_computed_table() -> None:
    """Rp 1.200.000 over 12 months at 1.5 % flat: Rp 100.000 principal + Rp 18.000 interest each month."""
    schedule = build("flat", 1_200_000, Decimal("1.5"), 12, START)
    assert [i.total_rp for i in schedule] == [118_000] * 12
    assert [i.balance_rp for i in schedule] == [1_200_000 - 100_000 * k for k in range(1, 13)]
    assert sum(i.interest_rp for i in schedule) == 216_000


def test_efektif_matches_the_hand_computed_table() -> None:
    """Declining balance: 1.5 % of what is still owed: 18.000, 16.500, ... 1.500 (117.000 in all)."""
    schedule = build("efektif", 1_200_000, Decimal("1.5"), 12, START)
    assert [i.interest_rp for i in schedule] == [1_500 * k for k in range(12, 0, -1)]
    assert {i.principal_rp for i in schedule} == {100_000}
    assert sum(i.interest_rp for i in schedule) == 117_000


def test_anuitas_matches_the_hand_computed_table() -> None:
    """Rp 10.000.000, 12 months, 1 % a month: A = P r / (1 - (1 + r)^-n) = 888.487,88 -> Rp 888.488."""
    assert annuity_payment(10_000_000, Decimal("0.01"), 12) == 888_488
    schedule = build("anuitas", 10_000_000, Decimal(1), 12, START)
    assert _rows(schedule)[:2] == [(788_488, 100_000, 9_211_512), (796_373, 92_115, 8_415_139)]
    assert [i.total_rp for i in schedule[:-1]] == [888_488] * 11
    assert schedule[-1].balance_rp == 0
    assert abs(schedule[-1].total_rp - 888_488) <= 12  # rounding of eleven months lands on the last
    assert sum(i.principal_rp for i in schedule) == 10_000_000


def test_grace_months_pay_interest_only_then_the_method_runs_over_the_rest() -> None:
    schedule = build("efektif", 600_000, Decimal(2), 6, START, grace_months=2)
    assert _rows(schedule)[:2] == [(0, 12_000, 600_000), (0, 12_000, 600_000)]
    assert [i.principal_rp for i in schedule[2:]] == [150_000] * 4


def test_due_dates_keep_the_day_or_the_months_last_day() -> None:
    assert [add_months(START, k) for k in (1, 2, 3, 13)] == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2027, 2, 28),
    ]
    assert [i.due for i in build("flat", 300, Decimal(0), 3, START)] == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("bunga", 100, Decimal(1), 3), "unknown interest method"),
        (("flat", 0, Decimal(1), 3), "amount"),
        (("flat", 100, Decimal(1), 0), "term"),
        (("flat", 100, Decimal(-1), 3), "rate"),
    ],
)
def test_impossible_schedules_are_refused_with_the_reason(args: tuple, words: str) -> None:
    with pytest.raises(ScheduleError, match=words):
        build(*args, START)


def test_payments_pay_penalty_then_interest_then_principal_oldest_first() -> None:
    """An installment 61 days late with a 2 % monthly penalty: 2 full periods of 2 % of 118.000."""
    schedule = build("flat", 1_200_000, Decimal("1.5"), 12, START)
    late = schedule[0].due + timedelta(days=61)
    state = settle(schedule, [Payment(late, 10_000)], late, penalty_month_pct=Decimal(2))
    first = state.lines[0]
    assert first.penalty_rp == 4_720
    assert (first.penalty_paid_rp, first.interest_paid_rp, first.principal_paid_rp) == (4_720, 5_280, 0)
    assert state.days_late == (late - schedule[0].due).days
    both = [Payment(late, 10_000), Payment(late, 300_000)]
    state = settle(schedule, both, late, penalty_month_pct=Decimal(2))
    assert state.lines[0].paid_on == late and state.lines[1].paid_on == late
    assert state.days_late == (late - schedule[2].due).days  # the third is still unpaid and due
    assert state.principal_outstanding_rp == 1_200_000 - 200_000 - state.lines[2].principal_paid_rp


def test_paying_everything_on_time_pays_off_and_more_is_excess() -> None:
    schedule = build("anuitas", 5_000_000, Decimal("1.25"), 10, START)
    payments = [Payment(i.due, i.total_rp) for i in schedule]
    state = settle(schedule, payments, schedule[-1].due)
    assert state.paid_off and state.excess_rp == 0 and state.principal_outstanding_rp == 0
    assert state.days_late == 0 and state.next_due() is None
    more = settle(schedule, [*payments, Payment(schedule[-1].due, 7)], schedule[-1].due)
    assert more.excess_rp == 7


methods = st.sampled_from(METHODS)
amounts = st.integers(min_value=1, max_value=10**10)
rates = st.decimals(min_value=0, max_value=5, places=2)


@settings(max_examples=300, deadline=None)
@given(method=methods, amount=amounts, rate=rates, term=st.integers(1, 120), grace=st.integers(0, 119))
def test_principal_always_adds_up_to_the_amount_lent(
    method: str, amount: int, rate: Decimal, term: int, grace: int
) -> None:
    schedule = build(method, amount, rate, term, START, grace_months=grace % term)
    assert len(schedule) == term
    assert sum(i.principal_rp for i in schedule) == amount
    assert all(i.principal_rp >= 0 and i.interest_rp >= 0 for i in schedule)
    balances = [i.balance_rp for i in schedule]
    assert balances == sorted(balances, reverse=True) and balances[-1] == 0
    assert [i.due for i in schedule] == sorted({i.due for i in schedule})


@settings(max_examples=300, deadline=None)
@given(
    method=methods,
    amount=st.integers(min_value=1, max_value=10**9),
    rate=rates,
    term=st.integers(1, 36),
    penalty=st.decimals(min_value=0, max_value=5, places=1),
    payments=st.lists(st.tuples(st.integers(0, 1500), st.integers(1, 10**9)), max_size=20),
    as_of=st.integers(0, 1500),
)
def test_no_sequence_of_payments_breaks_the_loan(
    method: str,
    amount: int,
    rate: Decimal,
    term: int,
    penalty: Decimal,
    payments: list[tuple[int, int]],
    as_of: int,
) -> None:
    """Principal never below 0, nothing paid beyond what is due, every rupiah paid accounted for."""
    schedule = build(method, amount, rate, term, START)
    made = [Payment(START + timedelta(days=d), rp) for d, rp in payments]
    day = START + timedelta(days=as_of)
    state = settle(schedule, made, day, penalty_month_pct=penalty)
    assert state.principal_outstanding_rp >= 0
    for line in state.lines:
        assert 0 <= line.interest_paid_rp <= line.interest_rp
        assert 0 <= line.principal_paid_rp <= line.principal_rp
        assert 0 <= line.penalty_paid_rp <= line.penalty_rp
        assert line.owed_rp >= 0
    paid = sum(line.interest_paid_rp + line.principal_paid_rp + line.penalty_paid_rp for line in state.lines)
    assert paid + state.excess_rp == sum(p.amount_rp for p in made if p.on <= day)
    assert state.principal_outstanding_rp == amount - sum(line.principal_paid_rp for line in state.lines)
    assert state.days_late >= 0


@settings(max_examples=400, deadline=None)
@given(
    method=methods,
    amount=amounts,
    rate=st.decimals(min_value=0, max_value=10, places=3),
    term=st.integers(1, 60),
    grace=st.integers(0, 59),
    start=st.dates(min_value=date(1999, 1, 1), max_value=date(2101, 12, 31)),
    penalty=st.decimals(min_value=0, max_value=5, places=2),
    payments=st.lists(st.tuples(st.integers(0, 2000), st.integers(1, 10**9)), max_size=30),
    as_of=st.integers(0, 2200),
)
def test_the_fast_schedule_and_settlement_equal_the_plain_reference(
    method: str,
    amount: int,
    rate: Decimal,
    term: int,
    grace: int,
    start: date,
    penalty: Decimal,
    payments: list[tuple[int, int]],
    as_of: int,
) -> None:
    """Integer interest and column-wise settlement give exactly what the first, plain version gave."""
    schedule = build(method, amount, rate, term, start, grace_months=grace % term)
    assert schedule == reference.build(method, amount, rate, term, start, grace_months=grace % term)
    made = [Payment(start + timedelta(days=d), rp) for d, rp in payments]
    day = start + timedelta(days=as_of)
    fast = settle(schedule, made, day, penalty_month_pct=penalty)
    assert fast == reference.settle(schedule, made, day, penalty_month_pct=penalty)


@settings(max_examples=400, deadline=None)
@given(
    method=methods,
    amount=amounts,
    rate=rates,
    term=st.integers(1, 48),
    grace=st.integers(0, 47),
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    payments=st.lists(st.tuples(st.integers(0, 1800), st.integers(1, 10**9)), max_size=25),
    as_of=st.integers(0, 1900),
)
def test_the_aging_position_of_a_loan_without_penalty_is_what_settle_says(
    method: str,
    amount: int,
    rate: Decimal,
    term: int,
    grace: int,
    start: date,
    payments: list[tuple[int, int]],
    as_of: int,
) -> None:
    schedule = build(method, amount, rate, term, start, grace_months=grace % term)
    made = [Payment(start + timedelta(days=d), rp) for d, rp in payments]
    day = start + timedelta(days=as_of)
    state = settle(schedule, made, day)
    parts = [(i.principal_rp, i.interest_rp) for i in schedule]
    assert tuple(parts) == schedule_amounts(method, amount, rate, term, grace_months=grace % term)
    paid = sum(p.amount_rp for p in made if p.on <= day)
    assert position(parts, start, paid, day) == (
        state.principal_outstanding_rp,
        state.arrears_rp,
        state.days_late,
    )


@settings(max_examples=400, deadline=None)
@given(
    method=methods,
    amount=st.integers(min_value=100_000, max_value=10**9),
    rate=rates,
    term=st.integers(1, 36),
    penalty=st.decimals(min_value=Decimal("0.1"), max_value=5, places=1),
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    lateness=st.lists(st.integers(-20, 70), max_size=36),
    extra=st.lists(st.tuples(st.integers(0, 1200), st.integers(1, 10**8)), max_size=4),
    as_of=st.integers(0, 1300),
)
def test_a_loan_never_a_period_late_settles_as_if_it_had_no_penalty_rule(
    method: str,
    amount: int,
    rate: Decimal,
    term: int,
    penalty: Decimal,
    start: date,
    lateness: list[int],
    extra: list[tuple[int, int]],
    as_of: int,
) -> None:
    """Installments paid around their due dates (some early, some weeks late) and a few other payments:
    whenever ``unpenalised_position`` answers, it is what settling with the penalty rule gives."""
    schedule = build(method, amount, rate, term, start)
    made = [Payment(i.due + timedelta(days=d), i.total_rp) for i, d in zip(schedule, lateness, strict=False)]
    made += [Payment(start + timedelta(days=d), rp) for d, rp in extra]
    day = start + timedelta(days=as_of)
    parts = [(i.principal_rp, i.interest_rp) for i in schedule]
    quick = unpenalised_position(parts, start, made, day)
    state = settle(schedule, made, day, penalty_month_pct=penalty)
    if quick is not None:
        assert quick == (state.principal_outstanding_rp, state.arrears_rp, state.days_late)
        assert all(line.penalty_rp == 0 for line in state.lines)


def test_paying_on_time_needs_no_settling_and_a_month_late_does() -> None:
    schedule = build("anuitas", 1_200_000, Decimal(1), 6, START)
    parts = [(i.principal_rp, i.interest_rp) for i in schedule]
    on_time = [Payment(i.due, i.total_rp) for i in schedule[:3]]
    assert unpenalised_position(parts, START, on_time, schedule[3].due) is not None
    late = [Payment(i.due + timedelta(days=31), i.total_rp) for i in schedule[:3]]
    assert unpenalised_position(parts, START, late, schedule[3].due) is None
