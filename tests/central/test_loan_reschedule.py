"""Rescheduling a loan: the new schedule's math, the request, preview and decision with its trail, the old
schedule kept as a version, aging following the new schedule from the reschedule day, every forbidden
step refused with nothing changed, and (hypothesis) the loan card balancing with the journal."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from central import config, sample
from central.ledger import Ledger, schema
from central.loans import applications as apps
from central.loans import portfolio, rescheduling, versions
from central.loans import schedule as sched
from central.loans.applications import LoanRefused
from central.loans.tables import loan_reschedule_events, loan_reschedules, loan_schedule_versions
from central.office import identity, lending
from tests.central.conftest import MULTIPLE, PRODUCT

PENALTY = {**PRODUCT, "code": "denda", "name": "Pinjaman berdenda", "penalty_month_pct": "2"}


def _at(ledger: Ledger, day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=ledger.config.tz)


def _ts(ledger: Ledger, day: date, hour: int = 12) -> int:
    return int(_at(ledger, day, hour).timestamp())


def _lend(
    ledger: Ledger, office: identity.Office, member: str, amount: int, term: int, product: str = "umum"
) -> str:
    made = apps.apply(ledger, member, product, amount, term, "modal usaha", by=member)
    apps.decide(ledger, made.id, approve=True, role="ketua", by="ketua", reason="layak")
    start = _at(ledger, date(2026, 3, 2), 9)
    loan = lending.disburse(ledger, office, made.id, by="bendahara", at=start).application.loan
    assert loan is not None
    return loan


def _journal(ledger: Ledger, member: str) -> tuple[int, int]:
    """(loans receivable still owed, interest income) in the journal for ``member``."""
    j = schema.journal
    posting = ledger.config.posting
    with ledger.read() as conn:
        debit, credit = conn.execute(
            select(func.coalesce(func.sum(j.c.debit_rp), 0), func.coalesce(func.sum(j.c.credit_rp), 0)).where(
                j.c.member == member, j.c.account == posting.loans
            )
        ).one()
        interest = conn.execute(
            select(func.coalesce(func.sum(j.c.credit_rp - j.c.debit_rp), 0)).where(
                j.c.member == member, j.c.account == posting.interest_income
            )
        ).scalar_one()
    return int(debit) - int(credit), int(interest)


def _counts(ledger: Ledger) -> tuple[int, ...]:
    with ledger.read() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in (
                loan_reschedules,
                loan_reschedule_events,
                loan_schedule_versions,
                schema.transactions,
            )
        )


def test_the_new_schedule_lends_exactly_the_outstanding_and_spreads_the_arrears() -> None:
    """The new principal adds up to what was outstanding; unpaid interest and penalty are spread over
    the new installments as interest, to the rupiah."""
    rows = versions.new_schedule("anuitas", 1_234_567, 100_001, Decimal("1.25"), 7, date(2026, 9, 10), 2)
    assert sum(i.principal_rp for i in rows) == 1_234_567
    plain = sched.build("anuitas", 1_234_567, Decimal("1.25"), 7, date(2026, 9, 10), grace_months=2)
    assert sum(i.interest_rp for i in rows) == sum(i.interest_rp for i in plain) + 100_001
    assert [i.principal_rp for i in rows[:2]] == [0, 0] and rows[0].due == date(2026, 10, 10)
    assert versions.spread(10, 3) == (3, 3, 4) and sum(versions.spread(100_001, 7)) == 100_001
    only_interest = versions.new_schedule("flat", 0, 900, Decimal(1), 3, date(2026, 9, 10))
    assert [(i.principal_rp, i.interest_rp) for i in only_interest] == [(0, 300)] * 3


@given(
    method=st.sampled_from(sched.METHODS),
    principal=st.integers(1, 10**10),
    arrears=st.integers(0, 10**9),
    rate=st.decimals(0, 5, places=2),
    term=st.integers(1, 120),
    grace=st.integers(0, 119),
)
def test_any_new_schedule_adds_up(
    method: str, principal: int, arrears: int, rate: Decimal, term: int, grace: int
) -> None:
    """Whatever the terms, the new principal is the outstanding and the arrears are neither lost nor
    invented."""
    grace = min(grace, term - 1)
    rows = versions.new_schedule(method, principal, arrears, rate, term, date(2026, 1, 31), grace)
    base = sched.build(method, principal, rate, term, date(2026, 1, 31), grace_months=grace)
    assert sum(i.principal_rp for i in rows) == principal
    assert sum(i.interest_rp for i in rows) - sum(i.interest_rp for i in base) == arrears
    assert len(rows) == term


def test_a_loan_in_arrears_is_rescheduled_and_aging_follows_the_new_schedule(
    lent: tuple[Ledger, identity.Office],
) -> None:
    """A loan two installments paid and then silent falls into kurang lancar; the member asks, the chair
    approves; the old schedule is kept as version 1 with its paid rows as they were, the new one (the
    outstanding over 18 months, 2 of grace) is current, and aging follows it from the approval day."""
    ledger, office = lent
    loan = _lend(ledger, office, "A001", 2_400_000, 12)
    card = portfolio.cards(ledger, date(2026, 3, 2), loan=loan)[0]
    for line in card.state.lines[:2]:
        lending.pay(
            ledger,
            office,
            loan,
            line.principal_rp + line.interest_rp,
            by="bendahara",
            at=_at(ledger, line.due),
        )
    day = date(2026, 9, 10)
    before = portfolio.cards(ledger, day, loan=loan)[0]
    assert before.state.days_late == (day - before.state.lines[2].due).days > 90
    assert portfolio.aging(ledger, day).rows[0].klass == "kurang-lancar"

    shown = rescheduling.preview(ledger, loan, term_months=18, grace_months=2, on=day)
    overdue = before.state.overdue()
    assert shown.outstanding_rp == before.outstanding_rp
    assert shown.arrears_rp == sum(line.interest_rp for line in overdue)
    assert sum(i.principal_rp for i in shown.schedule) == before.outstanding_rp
    # the worked example of docs/loans.md
    assert (before.state.days_late, shown.outstanding_rp, shown.arrears_rp) == (100, 2_019_634, 69_125)
    assert [(i.due, i.principal_rp, i.interest_rp) for i in shown.schedule[:2]] == [
        (date(2026, 10, 10), 0, 24_036),
        (date(2026, 11, 10), 0, 24_036),
    ]
    asked = rescheduling.request(
        ledger,
        loan,
        term_months=18,
        grace_months=2,
        reason="gaji dipotong",
        by="A001",
        member="A001",
        now=_ts(ledger, day, 9),
    )
    assert (asked.state, asked.outstanding_rp, asked.arrears_rp) == (
        "submitted",
        shown.outstanding_rp,
        shown.arrears_rp,
    )
    done = rescheduling.decide(
        ledger, asked.id, approve=True, role="ketua", by="ketua", reason="usaha pulih", now=_ts(ledger, day)
    )
    assert (done.state, done.effective_day, done.decided_by) == ("approved", "2026-09-10", "ketua")
    assert [e["action"] for e in rescheduling.events(ledger, asked.id)] == ["request", "approve"]

    after = portfolio.cards(ledger, day, loan=loan)[0]
    assert after.rescheduled_on == day and after.state.days_late == 0
    assert len(after.state.lines) == 18 and after.outstanding_rp == before.outstanding_rp
    assert sum(line.principal_rp for line in after.state.lines) == before.outstanding_rp
    old = after.history[0].state.lines
    assert [line for line in old if line.paid_on] == [line for line in before.state.lines if line.paid_on]
    assert len([line for line in old if line.paid_on]) == 2
    assert portfolio.aging(ledger, day).rows[0].klass == "lancar"
    assert portfolio.aging(ledger, day - timedelta(days=1)).rows[0].klass == "kurang-lancar"  # history
    later = date(2027, 1, 15)  # nothing paid: late from the new schedule's first due day
    assert portfolio.aging(ledger, later).rows[0].days_late == (later - date(2026, 10, 10)).days == 97
    assert portfolio.aging(ledger, day - timedelta(days=1)).rows[0].days_late == 99

    kept = rescheduling.schedule_versions(ledger, loan)
    assert [(v.version, v.reschedule, v.effective_day) for v in kept] == [
        (1, None, "2026-03-02"),
        (2, asked.id, "2026-09-10"),
    ]
    assert len(kept[0].lines) == 12 and len(kept[1].lines) == 18
    assert kept[1].principal_rp == before.outstanding_rp

    # paying the new schedule splits by it, and the card balances with the journal
    first = after.state.lines[0]
    paid = lending.pay(ledger, office, loan, first.interest_rp, by="bendahara", at=_at(ledger, first.due))
    assert (paid.principal_rp, paid.interest_rp) == (0, first.interest_rp)
    owed, interest = _journal(ledger, "A001")
    final = portfolio.cards(ledger, first.due, loan=loan)[0]
    assert owed == final.outstanding_rp
    paid_interest = sum(
        line.interest_paid_rp + line.penalty_paid_rp
        for part in (*final.history, final)
        for line in part.state.lines
    )
    assert interest == paid_interest


def test_forbidden_steps_are_refused_with_the_reason_and_change_nothing(
    lent: tuple[Ledger, identity.Office],
) -> None:
    """A member deciding, deciding twice, a request on a paid-off or unknown loan, a second request while
    one waits, a member asking for another's loan and impossible terms: each refused, nothing changed."""
    ledger, office = lent
    loan = _lend(ledger, office, "A002", 1_200_000, 6)
    day = date(2026, 5, 5)
    asked = rescheduling.request(
        ledger, loan, term_months=12, reason="sakit", by="A002", member="A002", now=_ts(ledger, day)
    )
    counts = _counts(ledger)
    refusals = [
        (
            lambda: rescheduling.decide(
                ledger,
                asked.id,
                approve=True,
                role="anggota",
                by="A002",
                reason="saya setuju",
                now=_ts(ledger, day),
            ),
            "only ketua, sekretaris may decide",
        ),
        (
            lambda: rescheduling.request(
                ledger, loan, term_months=9, reason="lagi", by="A002", now=_ts(ledger, day)
            ),
            "already has reschedule request",
        ),
        (
            lambda: rescheduling.request(
                ledger,
                loan,
                term_months=9,
                reason="bukan punya",
                by="A005",
                member="A005",
                now=_ts(ledger, day),
            ),
            "is not member A005's own",
        ),
        (
            lambda: rescheduling.request(
                ledger, "PJ-999999", term_months=9, reason="tidak ada", by="kantor", now=_ts(ledger, day)
            ),
            "no loan 'PJ-999999'",
        ),
        (
            lambda: rescheduling.preview(ledger, loan, term_months=6, grace_months=6, on=day),
            "the grace must be 0 to 5",
        ),
        (lambda: rescheduling.preview(ledger, loan, term_months=0, on=day), "the new term must be 1 to"),
        (
            lambda: rescheduling.decide(
                ledger, asked.id, approve=False, role="ketua", by="ketua", reason="", now=_ts(ledger, day)
            ),
            "the reason must be",
        ),
    ]
    for step, words in refusals:
        with pytest.raises(LoanRefused, match=words) as refused:
            step()
        assert refused.value.text("id") != refused.value.text("en")
        assert _counts(ledger) == counts
    assert rescheduling.get(ledger, asked.id).state == "submitted"

    rescheduling.decide(
        ledger,
        asked.id,
        approve=False,
        role="sekretaris",
        by="sekr",
        reason="belum perlu",
        now=_ts(ledger, day),
    )
    counts = _counts(ledger)
    with pytest.raises(LoanRefused, match="is rejected: it was decided before"):
        rescheduling.decide(
            ledger,
            asked.id,
            approve=True,
            role="ketua",
            by="ketua",
            reason="ubah pikiran",
            now=_ts(ledger, day),
        )
    assert _counts(ledger) == counts and rescheduling.get(ledger, asked.id).state == "rejected"
    assert portfolio.cards(ledger, day, loan=loan)[0].rescheduled_on is None

    card = portfolio.cards(ledger, day, loan=loan)[0]
    lending.pay(
        ledger,
        office,
        loan,
        sum(line.owed_rp for line in card.state.lines),
        by="bendahara",
        at=_at(ledger, day),
    )
    counts = _counts(ledger)
    with pytest.raises(LoanRefused, match="is not open: its principal is paid off") as refused:
        rescheduling.request(ledger, loan, term_months=12, reason="lagi", by="A002", now=_ts(ledger, day, 15))
    assert "sudah lunas" in refused.value.text("id")
    assert _counts(ledger) == counts


def test_a_loan_paid_off_while_a_request_waits_is_not_rescheduled(
    lent: tuple[Ledger, identity.Office],
) -> None:
    """Approving checks again that the loan is open: a loan repaid in the meantime is refused."""
    ledger, office = lent
    loan = _lend(ledger, office, "A004", 1_200_000, 6)
    day = date(2026, 4, 1)
    asked = rescheduling.request(
        ledger, loan, term_months=12, reason="sakit", by="kantor", now=_ts(ledger, day, 9)
    )
    card = portfolio.cards(ledger, day, loan=loan)[0]
    lending.pay(
        ledger,
        office,
        loan,
        sum(line.owed_rp for line in card.state.lines),
        by="bendahara",
        at=_at(ledger, day),
    )
    with pytest.raises(LoanRefused, match="is not open"):
        rescheduling.decide(
            ledger, asked.id, approve=True, role="ketua", by="ketua", reason="boleh", now=_ts(ledger, day, 14)
        )
    assert rescheduling.get(ledger, asked.id).state == "submitted"
    assert rescheduling.schedule_versions(ledger, loan) == []


def test_penalty_and_unpaid_interest_are_carried_not_forgiven(lent: tuple[Ledger, identity.Office]) -> None:
    """On a product with a late penalty, what accrued and the overdue interest are spread over the new
    installments; paying the whole new schedule pays them, and the journal agrees with the card."""
    ledger, office = lent
    raw = config.merge_over_defaults(
        config._default_raw(), {"loans": {"products": [PRODUCT, MULTIPLE, PENALTY]}}
    )
    ledger.init(config.parse(raw))
    loan = _lend(ledger, office, "A006", 1_200_000, 6, "denda")
    day = date(2026, 8, 20)
    before = portfolio.cards(ledger, day, loan=loan)[0]
    penalty = sum(line.penalty_rp for line in before.state.lines)
    interest = sum(line.interest_rp for line in before.state.overdue())
    assert penalty > 0
    asked = rescheduling.request(
        ledger,
        loan,
        term_months=10,
        rate_month_pct=Decimal("0.5"),
        reason="panen gagal",
        by="kantor",
        now=_ts(ledger, day, 9),
    )
    assert asked.arrears_rp == penalty + interest
    rescheduling.decide(
        ledger, asked.id, approve=True, role="ketua", by="ketua", reason="boleh", now=_ts(ledger, day)
    )
    card = portfolio.cards(ledger, day, loan=loan)[0]
    total = sum(line.owed_rp for line in card.state.lines)
    plain = sched.build("anuitas", 1_200_000, Decimal("0.5"), 10, day)
    assert total == 1_200_000 + sum(i.interest_rp for i in plain) + penalty + interest
    lending.pay(ledger, office, loan, total, by="bendahara", at=_at(ledger, day + timedelta(days=3)))
    owed, income = _journal(ledger, "A006")
    assert owed == 0 and income == total - 1_200_000
    assert apps.apply(ledger, "A006", "umum", 1_000_000, 6, "lagi", by="A006").state == "submitted"


def _fresh(root: Path) -> tuple[Ledger, identity.Office]:
    ledger = Ledger.open(str(root / "ledger.sqlite"))
    raw = config.merge_over_defaults(config._default_raw(), {"loans": {"products": [PENALTY]}})
    ledger.init(config.parse(raw))
    data = sample.generate(seed=7, start=date(2026, 3, 1), end=date(2026, 3, 2), members=3, per_day=1)
    sample.load_into(ledger, data)
    return ledger, identity.init(ledger, root / "office.key")[0]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.lists(st.tuples(st.integers(1, 400), st.integers(1, 300_000)), max_size=4),
    after=st.lists(st.tuples(st.integers(1, 400), st.integers(1, 400_000)), max_size=4),
    term=st.integers(1, 24),
    grace=st.integers(0, 3),
    rate=st.sampled_from([None, Decimal(0), Decimal("0.75"), Decimal(2)]),
    wait=st.integers(1, 400),
)
def test_after_any_payments_and_one_reschedule_the_card_balances_with_the_journal(
    before: list[tuple[int, int]],
    after: list[tuple[int, int]],
    term: int,
    grace: int,
    rate: Decimal | None,
    wait: int,
) -> None:
    """Any payments (on any days, late or early, with penalties), one reschedule on any day, then more
    payments: the principal the card says is owed is what the journal says, and the interest and penalty
    the card says were paid are the journal's interest income."""
    with tempfile.TemporaryDirectory() as root:
        ledger, office = _fresh(Path(root))
        try:
            member = ledger.members()[0]["number"]
            loan = _lend(ledger, office, member, 2_000_000, 12, "denda")
            start = date(2026, 3, 2)
            for offset, amount in sorted(before):
                on = start + timedelta(days=offset)
                if on >= start + timedelta(days=wait):
                    continue
                with contextlib.suppress(LoanRefused):  # beyond the whole loan
                    lending.pay(ledger, office, loan, amount, by="bendahara", at=_at(ledger, on))
            day = start + timedelta(days=wait)
            try:
                asked = rescheduling.request(
                    ledger,
                    loan,
                    term_months=term,
                    grace_months=min(grace, term - 1),
                    rate_month_pct=rate,
                    reason="jadwal ulang",
                    by="kantor",
                    now=_ts(ledger, day, 9),
                )
                rescheduling.decide(
                    ledger,
                    asked.id,
                    approve=True,
                    role="ketua",
                    by="ketua",
                    reason="boleh",
                    now=_ts(ledger, day, 11),
                )
                event("rescheduled")
            except LoanRefused as err:
                assert "not open" in str(err)
                event("paid off before the reschedule")
            for offset, amount in sorted(after):
                later = _at(ledger, day + timedelta(days=offset), 14)
                with contextlib.suppress(LoanRefused):  # beyond the whole loan
                    lending.pay(ledger, office, loan, amount, by="bendahara", at=later)
            end = day + timedelta(days=401)
            card = portfolio.cards(ledger, end, loan=loan)[0]
            owed, income = _journal(ledger, member)
            assert owed == card.outstanding_rp >= 0
            parts = (*card.history, card)
            assert income == sum(
                line.interest_paid_rp + line.penalty_paid_rp for part in parts for line in part.state.lines
            )
            assert (
                sum(line.principal_rp for line in card.state.lines)
                + sum(line.principal_paid_rp for part in card.history for line in part.state.lines)
                == 2_000_000
            )
        finally:
            ledger.close()
