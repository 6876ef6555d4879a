"""Term deposits (simpanan berjangka): the product config, monthly interest accruals as an expense
(hand-computed), maturity payout and rollover, early withdrawal by the product's rule, the books balanced
after each, and the certificate read back from its PDF."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from central import config
from central.errors import ConfigError
from central.ledger import Ledger, schema
from central.office import deposits, identity
from central.savings import interest
from central.savings.errors import SavingsRefused
from central.savingsrules import parse
from central.yearend.inputs import income_figures

# Hand-computed (docs/savings.md): Rp 10.000.000 at 6 % a year for 3 months from 15 January 2026 matures
# on 15 April 2026 after 90 days; the term's interest is 10.000.000 x 6/100 x 3/12 = 150.000.
#   by 1 Feb (17 days held): floor(150.000 x 17/90) = 28.333   -> January accrues 28.333
#   by 1 Mar (45 days):      floor(150.000 x 45/90) = 75.000   -> February accrues 46.667
#   by 1 Apr (76 days):      floor(150.000 x 76/90) = 126.666  -> March accrues 51.666
#   by 15 Apr (90 days):     150.000                           -> April accrues 23.334
B3: dict[str, Any] = {
    "code": "B3",
    "name": "Berjangka 3 bulan",
    "term_months": 3,
    "rate_year_pct": 6,
    "early_penalty_pct": 1,
    "early_forfeit_interest": True,
}
B6: dict[str, Any] = {
    "code": "B6",
    "name": "Berjangka 6 bulan",
    "term_months": 6,
    "rate_year_pct": "7.5",
    "at_maturity": "rollover_interest",
}
START = date(2026, 1, 15)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0)


@pytest.fixture
def office(ledger: Ledger, tmp_path: Path) -> tuple[Ledger, identity.Office]:
    raw = config.merge_over_defaults(config._default_raw(), {"savings": {"berjangka": [B3, B6]}})
    ledger.init(config.parse(raw))
    ledger.ingest([])
    from central.members.rows import MemberRow

    ledger.import_members(
        [
            MemberRow("A001", "Siti Aminah", "2020-01-01", None, None, None, "anggota"),
            MemberRow("A002", "Budi Santoso", "2020-01-01", None, None, None, "ketua"),
            MemberRow("A003", "Wati", "2020-01-01", None, None, None, "bendahara"),
        ]
    )
    return ledger, identity.init(ledger, tmp_path / "office.key")[0]


def _balance(ledger: Ledger, account: str, member: str | None = None) -> int:
    """Debits minus credits on ``account`` (of ``member`` when given)."""
    j = schema.journal
    query = select(
        func.coalesce(func.sum(j.c.debit_rp), 0) - func.coalesce(func.sum(j.c.credit_rp), 0)
    ).where(j.c.account == account)
    if member is not None:
        query = query.where(j.c.member == member)
    with ledger.read() as conn:
        return int(conn.execute(query).scalar_one())


def _books_balance(ledger: Ledger) -> None:
    j = schema.journal
    with ledger.read() as conn:
        debit, credit = conn.execute(select(func.sum(j.c.debit_rp), func.sum(j.c.credit_rp))).one()
    assert int(debit) == int(credit)


def _expense_in(ledger: Ledger, month: str) -> int:
    j = schema.journal
    with ledger.read() as conn:
        return int(
            conn.execute(
                select(func.coalesce(func.sum(j.c.debit_rp - j.c.credit_rp), 0)).where(
                    j.c.account == "5711", j.c.day.like(f"{month}%")
                )
            ).scalar_one()
        )


def test_hand_computed_accruals_month_by_month() -> None:
    """The worked example of docs/savings.md: 28.333, 46.667, 51.666 and 23.334 add up to 150.000."""
    months = [
        interest.earned_by_month_end(10_000_000, Decimal(6), 3, START, 2026, m) for m in (1, 2, 3, 4, 5)
    ]
    assert months == [28_333, 75_000, 126_666, 150_000, 150_000]
    assert interest.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


@settings(max_examples=200, deadline=None)
@given(
    principal=st.integers(min_value=1, max_value=10**10),
    rate=st.decimals(min_value=0, max_value=30, places=2),
    term=st.integers(min_value=1, max_value=36),
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
)
def test_accruals_add_up_to_the_terms_interest(principal: int, rate: Decimal, term: int, start: date) -> None:
    """Month-end accruals never go down and end exactly at the term's interest at the maturity."""
    maturity = interest.add_months(start, term)
    seen = 0
    year, month = start.year, start.month
    while (year, month) <= (maturity.year, maturity.month):
        now = interest.earned_by_month_end(principal, rate, term, start, year, month)
        assert now >= seen
        seen = now
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    assert seen == interest.term_interest_rp(principal, rate, term)


def test_place_accrue_and_pay_out_at_maturity(office: tuple[Ledger, identity.Office]) -> None:
    """The money is on the office chain, each month's interest is an expense of that month (once), and the
    maturity pays principal plus the accrued interest, leaving nothing owed."""
    ledger, key = office
    placed = deposits.place(ledger, key, "A001", "B3", 10_000_000, by="A003", at=_at(START))
    assert placed.maturity == date(2026, 4, 15)
    assert _balance(ledger, "2102", "A001") == -10_000_000
    cash_before = _balance(ledger, "1101")
    made = deposits.accrue(ledger, key, "2026-01", by="A003", today=date(2026, 2, 1))
    assert [a.amount_rp for a in made] == [28_333]
    assert deposits.accrue(ledger, key, "2026-01", by="A003", today=date(2026, 2, 2)) == []  # idempotent
    deposits.accrue(ledger, key, "2026-02", by="A003", today=date(2026, 3, 1))
    deposits.accrue(ledger, key, "2026-03", by="A003", today=date(2026, 4, 1))
    assert [_expense_in(ledger, m) for m in ("2026-01", "2026-02", "2026-03")] == [28_333, 46_667, 51_666]
    assert deposits.interest_payable_rp(ledger, "A001") == 126_666
    closed = deposits.mature(ledger, key, placed.id, by="A003", at=_at(date(2026, 4, 20)))
    assert (closed.principal_paid_rp, closed.interest_paid_rp) == (10_000_000, 150_000)
    assert _expense_in(ledger, "2026-04") == 23_334
    assert cash_before - _balance(ledger, "1101") == 10_000_000 + 150_000
    assert _balance(ledger, "2102", "A001") == 0
    assert deposits.interest_payable_rp(ledger, "A001") == 0
    assert closed.placement.state == "paid"
    # the interest is an expense of the year: the year's surplus (SHU before allocation) bears all of it
    assert income_figures(ledger, "2026-01-01", "2026-12-31").surplus_rp == -150_000
    _books_balance(ledger)
    with pytest.raises(SavingsRefused):
        deposits.mature(ledger, key, placed.id, by="A003", at=_at(date(2026, 4, 21)))


def test_an_unended_month_and_an_early_maturity_are_refused(office: tuple[Ledger, identity.Office]) -> None:
    """A month is accrued after its last day; mature before the maturity points to withdraw."""
    ledger, key = office
    placed = deposits.place(ledger, key, "A001", "B3", 1_000_000, by="A003", at=_at(START))
    with pytest.raises(SavingsRefused, match="has not ended"):
        deposits.accrue(ledger, key, "2026-01", by="A003", today=date(2026, 1, 31))
    with pytest.raises(SavingsRefused, match="withdraw"):
        deposits.mature(ledger, key, placed.id, by="A003", at=_at(date(2026, 4, 14)))
    with pytest.raises(SavingsRefused, match="B9"):
        deposits.place(ledger, key, "A001", "B9", 1_000_000, by="A003")
    with pytest.raises(SavingsRefused, match="unknown member"):
        deposits.place(ledger, key, "Z999", "B3", 1_000_000, by="A003")


def test_early_withdrawal_forfeits_interest_and_pays_less_the_penalty(
    office: tuple[Ledger, identity.Office],
) -> None:
    """B3 forfeits the accrued interest and keeps 1 % of the principal as income; the expense is reversed."""
    ledger, key = office
    placed = deposits.place(ledger, key, "A001", "B3", 10_000_000, by="A003", at=_at(START))
    deposits.accrue(ledger, key, "2026-01", by="A003", today=date(2026, 2, 1))
    cash_before = _balance(ledger, "1101")
    closed = deposits.withdraw(ledger, key, placed.id, by="A003", at=_at(date(2026, 2, 10)))
    # 26 days held by 10 February: floor(150.000 x 26/90) = 43.333 accrued in all, then forfeited
    assert (closed.forfeited_rp, closed.penalty_rp, closed.interest_paid_rp) == (43_333, 100_000, 0)
    assert closed.principal_paid_rp == 9_900_000
    assert cash_before - _balance(ledger, "1101") == 9_900_000
    assert _balance(ledger, "5711") == 0  # accrued, then reversed
    assert _balance(ledger, "4511") == -100_000
    assert _balance(ledger, "2102", "A001") == 0
    assert deposits.interest_payable_rp(ledger, "A001") == 0
    assert closed.placement.state == "withdrawn"
    _books_balance(ledger)


def test_rollover_adds_the_interest_to_a_new_placement(office: tuple[Ledger, identity.Office]) -> None:
    """B6 (rollover_interest): at maturity the interest becomes principal of a new term; no cash moves."""
    ledger, key = office
    placed = deposits.place(ledger, key, "A001", "B6", 2_000_000, by="A003", at=_at(START))
    cash = _balance(ledger, "1101")
    closed = deposits.mature(ledger, key, placed.id, by="A003", at=_at(date(2026, 7, 15)))
    assert closed.rolled_to is not None
    # 2.000.000 x 7,5/100 x 6/12 = 75.000
    assert closed.rolled_to.principal_rp == 2_075_000
    assert closed.rolled_to.start == date(2026, 7, 15) and closed.rolled_to.maturity == date(2027, 1, 15)
    assert _balance(ledger, "2102", "A001") == -2_075_000
    assert _balance(ledger, "1101") == cash
    assert closed.placement.state == "rolled"
    _books_balance(ledger)


def test_the_product_config_is_checked() -> None:
    """Each wrong product key is refused with the key named."""
    for bad, words in (
        ({**B3, "term_months": 0}, "term_months"),
        ({**B3, "rate_year_pct": "abc"}, "rate_year_pct"),
        ({**B3, "at_maturity": "keep"}, "at_maturity"),
        ({**B3, "early_forfeit_interest": "yes"}, "early_forfeit_interest"),
        ({**B3, "colour": "red"}, "colour"),
        ({k: v for k, v in B3.items() if k != "rate_year_pct"}, "rate_year_pct is missing"),
    ):
        with pytest.raises(ConfigError, match=words):
            parse({"berjangka": [bad]})
    with pytest.raises(ConfigError, match="twice"):
        parse({"berjangka": [B3, B3]})
    with pytest.raises(ConfigError, match="payout_dates"):
        parse({"shr": {"payout_dates": ["2026-03-13", "2026-02-01"]}})
    policy = parse({"berjangka": [B3], "shr": {"payout_dates": ["2026-03-13"]}})
    assert policy.product("B3") is not None and policy.payouts("shr") == (date(2026, 3, 13),)


def test_the_certificate_pdf_reads_back(office: tuple[Ledger, identity.Office], tmp_path: Path) -> None:
    """The bilyet names the member, the amount, the maturity and the signers' lines."""
    from central.portal import savings_print as printing

    ledger, key = office
    placed = deposits.place(ledger, key, "A001", "B3", 10_000_000, by="A003", at=_at(START))
    out = tmp_path / "bilyet.pdf"
    out.write_bytes(printing.certificate_pdf(ledger, placed, "id", printed_by="A003"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in (
        "BJ-000001",
        "Siti Aminah",
        "10.000.000",
        "15 April 2026",
        "Ketua",
        "Bendahara",
        "Budi Santoso",
    ):
        assert words in text, words


def test_an_accrual_booked_but_not_remembered_is_not_booked_again(
    office: tuple[Ledger, identity.Office],
) -> None:
    """After a crash between the journal and its accrual row, the next run finds the journal by its memo
    and only remembers it: the expense is booked once."""
    from central.savings.tables import deposit_accruals

    ledger, key = office
    deposits.place(ledger, key, "A001", "B3", 10_000_000, by="A003", at=_at(START))
    deposits.accrue(ledger, key, "2026-01", by="A003", today=date(2026, 2, 1))
    with ledger.write() as conn:
        conn.execute(deposit_accruals.delete())
    assert deposits.accrue(ledger, key, "2026-01", by="A003", today=date(2026, 2, 1)) == []
    assert _expense_in(ledger, "2026-01") == 28_333
    assert deposits.listing(ledger)[0].accrued_rp == 28_333
