"""The loan book as of past days: cards, arrears and classes against a reference computed independently
here, allowances, the problem-loan ratio, what falls due, and loans paid out without an application."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from central.ledger import Ledger
from central.loans import applications as apps
from central.loans import portfolio
from central.loans.applications import LoanRefused
from central.loans.schedule import add_months
from central.office import entries, identity, lending, record

AT = datetime(2026, 3, 2, 9, 0)
DAY = AT.date()


def _loan(ledger: Ledger, office: identity.Office, member: str, amount: int, term: int) -> str:
    made = apps.apply(ledger, member, "umum", amount, term, "modal", by=member)
    apps.decide(ledger, made.id, approve=True, role="ketua", by="A003", reason="layak")
    loan = lending.disburse(ledger, office, made.id, by="bendahara", at=AT).application.loan
    assert loan is not None
    return loan


def _pay(
    ledger: Ledger, office: identity.Office, member: str, loan: str, on: date, principal: int, interest: int
) -> None:
    body = entries.installment(member, loan, principal, interest)
    record.record(ledger, office, body, at=datetime(on.year, on.month, on.day, 10, 0), by="bendahara")


def _reference_days_late(dues: list[tuple[date, int]], paid: list[tuple[date, int]], as_of: date) -> int:
    """Oldest installment not covered by what was paid up to ``as_of``: cumulative sums, no penalty."""
    money = sum(amount for day, amount in paid if day <= as_of)
    owed = 0
    for due, total in dues:
        owed += total
        if money < owed:
            return max(0, (as_of - due).days) if due <= as_of else 0
    return 0


def _klass(days: int) -> str:
    return (
        "macet"
        if days >= 271
        else "diragukan"
        if days >= 181
        else "kurang-lancar"
        if days >= 91
        else "lancar"
    )


def _aging_says_what_cards_say(ledger: Ledger, days: list[date]) -> dict[str, Any]:
    """On each of ``days``, every loan's aging row equals its card (none for a loan owing nothing); the
    last day's cards by loan."""
    settled: dict[str, Any] = {}
    for as_of in days:
        settled = {c.loan: c for c in portfolio.cards(ledger, as_of)}
        rows = {r.loan: r for r in portfolio.aging(ledger, as_of).rows}
        for loan, card in settled.items():
            state = card.state
            if card.outstanding_rp <= 0 and state.arrears_rp <= 0:
                assert loan not in rows
                continue
            row = rows[loan]
            assert (row.outstanding_rp, row.arrears_rp, row.days_late) == (
                card.outstanding_rp,
                state.arrears_rp,
                state.days_late,
            ), (loan, as_of)
    return settled


def test_aging_as_of_past_days_matches_an_independent_reference(lent: tuple[Ledger, identity.Office]) -> None:
    ledger, office = lent
    behaviours = {"A001": "on time", "A002": "stops after two", "A004": "never pays", "A006": "pays late"}
    loans = {m: _loan(ledger, office, m, 2_400_000, 12) for m in behaviours}
    plan: dict[str, list[tuple[date, int]]] = {}
    for member, how in behaviours.items():
        card = portfolio.cards(ledger, DAY, loan=loans[member])[0]
        lines = card.state.lines
        plan[member] = [(line.due, line.principal_rp + line.interest_rp) for line in lines]
        if how == "on time":
            pays = [(line.due, line) for line in lines[:10]]
        elif how == "stops after two":
            pays = [(line.due, line) for line in lines[:2]]
        elif how == "pays late":
            pays = [(line.due + timedelta(days=100), line) for line in lines[:5]]
        else:
            pays = []
        for on, line in pays:
            _pay(ledger, office, member, loans[member], on, line.principal_rp, line.interest_rp)
        plan[member + ":paid"] = [(on, line.principal_rp + line.interest_rp) for on, line in pays]
    for as_of in [add_months(DAY, k) + timedelta(days=d) for k in range(16) for d in (0, 15)]:
        book = portfolio.aging(ledger, as_of)
        by_member = {row.member: row for row in book.rows}
        for member in behaviours:
            expected = _reference_days_late(plan[member], plan[member + ":paid"], as_of)
            row = by_member.get(member)
            got = row.days_late if row is not None else 0
            assert got == expected, (member, as_of)
            if row is not None:
                assert row.klass == _klass(expected), (member, as_of)
        assert book.outstanding_rp == sum(r.outstanding_rp for r in book.rows)
        assert sum(c.loans for c in book.classes) == len(book.rows)


def test_allowance_problem_ratio_and_portfolio_at_risk(lent: tuple[Ledger, identity.Office]) -> None:
    ledger, office = lent
    for member in ("A001", "A002"):
        _loan(ledger, office, member, 1_200_000, 12)
    first = portfolio.cards(ledger, DAY, member="A001")[0]
    for line in first.state.lines[:8]:
        _pay(ledger, office, "A001", first.loan, line.due, line.principal_rp, line.interest_rp)
    as_of = add_months(DAY, 8)  # A002 has paid nothing: its first installment is ~7 months late
    book = portfolio.aging(ledger, as_of)
    late = next(r for r in book.rows if r.member == "A002")
    assert late.klass == "diragukan" and late.outstanding_rp == 1_200_000
    assert late.allowance_rp == 900_000  # 75 %
    good = next(r for r in book.rows if r.member == "A001")
    assert good.klass == "lancar" and good.allowance_rp == round(good.outstanding_rp * Decimal("0.005"))
    assert book.problem_ratio == Decimal(1_200_000) / (1_200_000 + good.outstanding_rp)
    assert book.at_risk_rp(30) == 1_200_000 and book.at_risk_rp(0) == book.outstanding_rp
    due = portfolio.due_between(ledger, as_of, as_of + timedelta(days=31))
    assert {card.member for card, _ in due} == {"A001", "A002"}


def test_a_loan_without_an_application_follows_the_configured_term(
    lent: tuple[Ledger, identity.Office],
) -> None:
    ledger, office = lent
    record.record(
        ledger, office, entries.loan_disbursement("A008", "PJ-LAMA", 1_200_000), at=AT, by="bendahara"
    )
    card = portfolio.cards(ledger, DAY, member="A008")[0]
    assert card.product is None and card.application is None
    months = ledger.config.loan_term_months
    assert (
        len(card.state.lines) == months and sum(line.principal_rp for line in card.state.lines) == 1_200_000
    )
    assert {line.interest_rp for line in card.state.lines} == {0}
    assert portfolio.cards(ledger, DAY - timedelta(days=1), member="A008") == []  # not yet paid out then


def test_paying_at_the_office_splits_by_the_schedule_and_refuses_more_than_owed(
    lent: tuple[Ledger, identity.Office],
) -> None:
    ledger, office = lent
    loan = _loan(ledger, office, "A009", 1_000_000, 4)
    first = portfolio.cards(ledger, DAY, loan=loan)[0].state.lines[0]
    on = datetime(first.due.year, first.due.month, first.due.day, 11, 0)
    done = lending.pay(ledger, office, loan, first.interest_rp + 100_000, by="kasir", at=on)
    assert (done.interest_rp, done.principal_rp, done.held_rp) == (first.interest_rp, 100_000, 0)
    card = portfolio.cards(ledger, first.due, loan=loan)[0]
    assert card.outstanding_rp == 900_000
    owed = sum(line.owed_rp for line in card.state.lines)
    with pytest.raises(LoanRefused, match="needs only"):
        lending.pay(ledger, office, loan, owed + 1, by="kasir", at=on)
    final = lending.pay(ledger, office, loan, owed, by="kasir", at=on)
    assert final.principal_rp == 900_000
    assert portfolio.cards(ledger, first.due, loan=loan)[0].state.paid_off
    after = apps.apply(ledger, "A009", "umum", 1_000_000, 4, "lagi", by="A009")
    assert after.state == "submitted"


def test_the_aging_read_from_sums_equals_settling_every_payment(lent: tuple[Ledger, identity.Office]) -> None:
    """``aging`` reads a loan without penalty from the sum of its payments; ``cards`` settles them one by
    one. Both agree on every loan and day, with a voided payment (left out by both) and a loan that is
    never paid."""
    from sqlalchemy import select

    from central.ledger import schema

    ledger, office = lent
    loans = {m: _loan(ledger, office, m, 1_200_000, 6) for m in ("A001", "A002", "A004")}
    for member, count in (("A001", 6), ("A002", 3)):
        card = portfolio.cards(ledger, DAY, loan=loans[member])[0]
        for line in card.state.lines[:count]:
            _pay(
                ledger,
                office,
                member,
                loans[member],
                line.due + timedelta(days=3),
                line.principal_rp,
                line.interest_rp,
            )
    t = schema.transactions
    with ledger.read() as conn:
        first = conn.execute(
            select(t.c.id, t.c.unit, t.c.member, t.c.payment, t.c.total_rp)
            .where(t.c.kind == "installment", t.c.loan == loans["A001"])
            .order_by(t.c.day)
            .limit(1)
        ).one()
    record.record(
        ledger, office, entries.void(first.id, first._asdict(), "salah catat"), at=AT, by="bendahara"
    )
    _aging_says_what_cards_say(
        ledger, [add_months(DAY, k) + timedelta(days=d) for k in range(9) for d in (0, 20)]
    )
    rows = {r.loan: r for r in portfolio.aging(ledger, add_months(DAY, 8) + timedelta(days=20)).rows}
    assert rows[loans["A001"]].arrears_rp > 0  # the voided first payment is owed again


def test_the_aging_of_loans_with_a_late_penalty_equals_their_cards(
    lent: tuple[Ledger, identity.Office],
) -> None:
    """A loan with a penalty rule is aged from the sum of its payments while it was never a penalty period
    late (``schedule.quiet_position``) and settled payment by payment once it was: either way the aging
    says what its card says, on every day, with a voided payment and payments on the same day."""
    from sqlalchemy import select, update

    from central.ledger import schema
    from central.loans.tables import loan_applications

    ledger, office = lent
    behaviours = {"A001": "on time", "A002": "late once", "A004": "never pays", "A006": "twice a day"}
    loans = {m: _loan(ledger, office, m, 1_200_000, 6) for m in behaviours}
    with ledger.write() as conn:
        conn.execute(update(loan_applications).values(penalty_month_pct="2"))
    for member, how in behaviours.items():
        card = portfolio.cards(ledger, DAY, loan=loans[member])[0]
        for number, line in enumerate(card.state.lines):
            late = how == "late once" and number == 2
            on = line.due + timedelta(days=45 if late else 2)
            if how == "never pays":
                break
            if how == "twice a day":
                half = line.principal_rp // 2
                _pay(ledger, office, member, loans[member], on, half, line.interest_rp)
                _pay(ledger, office, member, loans[member], on, line.principal_rp - half, 0)
            elif not late or number < 4:
                _pay(ledger, office, member, loans[member], on, line.principal_rp, line.interest_rp)
    t = schema.transactions
    with ledger.read() as conn:
        first = conn.execute(
            select(t.c.id, t.c.unit, t.c.member, t.c.payment, t.c.total_rp)
            .where(t.c.kind == "installment", t.c.loan == loans["A001"])
            .order_by(t.c.day.desc())
            .limit(1)
        ).one()
    record.record(
        ledger, office, entries.void(first.id, first._asdict(), "salah catat"), at=AT, by="bendahara"
    )
    days = [add_months(DAY, k) + timedelta(days=d) for k in range(9) for d in (0, 20, 40)]
    settled = _aging_says_what_cards_say(ledger, days)
    assert any(line.penalty_rp > 0 for line in settled[loans["A002"]].state.lines)
