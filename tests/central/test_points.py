"""Points rules of seed 004 as pure functions: active, passive, average bonus, term deposits."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.yearend.points import (
    SEED_PASSIVE,
    BadPointRule,
    MemberTotal,
    PassiveBracket,
    PointPolicy,
    PointRule,
    TermMovement,
    Tier,
    add_months,
    compute_points,
    format_points,
    full_terms,
    member_sort_key,
    passive_points,
    points_record,
    term_deposit_basis_rp,
    validate_passive,
    validate_policy,
)

POLICY = PointPolicy()


def _points(totals: list[MemberTotal], **kw: object) -> dict[str, dict[str, object]]:
    result = compute_points(
        POLICY,
        totals,
        wajib_rp=kw.get("wajib_rp", {}),  # type: ignore[arg-type]
        term_basis_rp=kw.get("term_basis_rp", {}),  # type: ignore[arg-type]
        non_participant_margin_rp=kw.get("np_margin", 0),  # type: ignore[arg-type]
    )
    return {m.member: points_record(m) for m in result.members}


@pytest.mark.parametrize(("wajib_rp", "points"), [(300_000, 30), (700_000, 110), (900_000, 130)])
def test_passive_points_match_the_seed_examples(wajib_rp: int, points: int) -> None:
    """Seed 004's three worked examples of passive points from the wajib balance hold exactly."""
    assert passive_points(wajib_rp) == points


def test_passive_points_keep_the_seed_cliff_at_400000() -> None:
    """The seed's rule as written jumps from 40 points at Rp 400,000 to 81 at Rp 410,000."""
    assert passive_points(400_000) == 40
    assert passive_points(410_000) == 81


def test_passive_points_of_an_empty_or_negative_balance_are_zero() -> None:
    """No wajib balance, no passive points."""
    assert passive_points(0) == 0
    assert passive_points(-5_000) == 0


def test_passive_points_are_exact_fractions() -> None:
    """A balance that is not a multiple of the rate gives exact fractional points, shown with 2 decimals."""
    assert passive_points(12_345) == Fraction(12_345, 10_000)
    assert format_points(passive_points(12_345)) == "1.23"


def test_a_single_bracket_of_marginal_tiers_removes_the_cliff() -> None:
    """A cooperative can configure smooth tiers: the first 400,000 at 5,000, the rest at 10,000."""
    smooth = (PassiveBracket(None, (Tier(400_000, 5_000), Tier(None, 10_000))),)
    validate_passive(smooth)
    assert passive_points(300_000, smooth) == 60
    assert passive_points(400_000, smooth) == 80
    assert passive_points(410_000, smooth) == 81


@pytest.mark.parametrize(
    "brackets",
    [
        (),
        (PassiveBracket(400_000, (Tier(None, 10_000),)),),
        (PassiveBracket(None, (Tier(None, 10_000),)), PassiveBracket(None, (Tier(None, 10_000),))),
        (PassiveBracket(None, (Tier(500, 10), Tier(400, 10), Tier(None, 10))),),
        (PassiveBracket(None, (Tier(None, 0),)),),
    ],
)
def test_malformed_passive_brackets_are_refused(brackets: tuple[PassiveBracket, ...]) -> None:
    """Brackets and tiers must ascend, end open-ended and have positive rates; else a readable error."""
    with pytest.raises(BadPointRule) as caught:
        validate_passive(brackets)
    assert caught.value.message("id") and caught.value.message("en")


@given(st.integers(min_value=1, max_value=10**10), st.integers(min_value=1, max_value=10**10))
def test_passive_points_never_fall_as_the_balance_grows(a: int, b: int) -> None:
    """With the seed's brackets, a larger wajib balance never earns fewer passive points."""
    low, high = sorted((a, b))
    assert passive_points(low, SEED_PASSIVE) <= passive_points(high, SEED_PASSIVE)


def test_toko_points_come_from_the_margin_by_payment_method() -> None:
    """Toko earns 1 point per Rp 1,000 of margin paid cash and per Rp 2,000 on credit."""
    pts = _points(
        [
            MemberTotal("A001", "sale", "toko", "cash", amount_rp=50_000, margin_rp=5_000),
            MemberTotal("A001", "sale", "toko", "credit", amount_rp=50_000, margin_rp=5_000),
        ]
    )
    assert pts["A001"]["active"] == {"toko-cash": "5.00", "toko-credit": "2.50"}


def test_counter_units_earn_by_amount_at_their_own_rate() -> None:
    """Fotokopi 4,500, cafe 4,000 and kiostel 5,000 rupiah of amount per point."""
    pts = _points(
        [
            MemberTotal("A001", "sale", "fotokopi", "cash", amount_rp=9_000),
            MemberTotal("A001", "sale", "cafe", "cash", amount_rp=10_000, margin_rp=9_999),
            MemberTotal("A001", "sale", "kiostel", "credit", amount_rp=5_000),
        ]
    )
    assert pts["A001"]["active"] == {"fotokopi": "2.00", "cafe": "2.50", "kiostel": "1.00"}


def test_points_accrue_on_period_totals_not_per_purchase() -> None:
    """Two purchases of Rp 500 margin each make one point; rounding each purchase would have made none."""
    pts = _points(
        [
            MemberTotal("A001", "sale", "toko", "cash", amount_rp=3_000, margin_rp=500),
            MemberTotal("A001", "sale", "toko", "cash", amount_rp=3_000, margin_rp=500),
        ]
    )
    assert pts["A001"]["active"] == {"toko-cash": "1.00"}


def test_savings_and_interest_points_use_the_yearly_totals() -> None:
    """SMSK and SHR deposits and loan interest paid in the year earn a point per Rp 100,000."""
    pts = _points(
        [
            MemberTotal("A002", "savings", "smsk", None, amount_rp=250_000),
            MemberTotal("A002", "savings", "shr", None, amount_rp=120_000),
            MemberTotal("A002", "interest", "simpan-pinjam", None, amount_rp=360_000),
            MemberTotal("A002", "savings", "sukarela", None, amount_rp=900_000),
        ]
    )
    assert pts["A002"]["active"] == {"smsk": "2.50", "shr": "1.20", "bunga": "3.60"}


def test_units_without_a_rule_earn_no_active_points() -> None:
    """A member's purchases at a non-participant unit earn no active points of their own."""
    pts = _points(
        [MemberTotal("A003", "sale", "isi-ulang", "cash", amount_rp=40_000, margin_rp=8_000)]
    )
    assert "A003" not in pts


def test_bonus_points_are_split_equally_among_members_active_in_the_period() -> None:
    """The non-participant margin becomes bonus points shared by active members only, not passive-only."""
    pts = _points(
        [
            MemberTotal("A001", "sale", "cafe", "cash", amount_rp=4_000),
            MemberTotal("A002", "sale", "kiostel", "cash", amount_rp=5_000),
            MemberTotal("A003", "sale", "fotokopi", "cash", amount_rp=4_500),
        ],
        wajib_rp={"A004": 100_000},
        np_margin=10_000,
    )
    assert [pts[m]["bonus"] for m in ("A001", "A002", "A003")] == ["3.33", "3.33", "3.33"]
    assert pts["A004"] == {
        "member": "A004",
        "active": {},
        "passive": "10.00",
        "bonus": "0.00",
        "total": "10.00",
    }
    assert pts["A001"]["total"] == "4.33"


def test_bonus_pool_is_exact_before_display_rounding() -> None:
    """Three members sharing 10 bonus points hold exactly 10/3 each, summing to 10."""
    result = compute_points(
        POLICY,
        [MemberTotal(m, "sale", "cafe", "cash", amount_rp=4_000) for m in ("A1", "A2", "A3")],
        wajib_rp={},
        term_basis_rp={},
        non_participant_margin_rp=10_000,
    )
    assert sum(m.bonus for m in result.members) == 10
    assert result.bonus_recipients == 3


def test_add_months_clamps_to_the_end_of_short_months() -> None:
    """31 January plus one month is the last day of February."""
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_full_terms_count_only_whole_three_month_periods() -> None:
    """1 Feb to 31 Dec holds three whole terms; a day short of a term does not count."""
    assert full_terms(date(2026, 2, 1), date(2027, 1, 1)) == 3
    assert full_terms(date(2026, 1, 1), date(2027, 1, 1)) == 4
    assert full_terms(date(2026, 1, 1), date(2026, 3, 31)) == 0
    assert full_terms(date(2026, 1, 1), date(2026, 4, 1)) == 1


def test_term_deposit_points_per_million_per_full_term_within_the_year() -> None:
    """Rp 10,000,000 deposited on 1 Feb and held to the year's end earns 10 points x 3 terms = 30."""
    moves = [TermMovement(date(2026, 2, 1), 10_000_000)]
    basis = term_deposit_basis_rp(moves, date(2026, 1, 1), date(2027, 1, 1))
    pts = _points([], term_basis_rp={"A005": basis})
    assert pts["A005"]["active"] == {"berjangka": "30.00"}


def test_term_deposit_held_from_last_year_counts_from_the_year_start() -> None:
    """A deposit made last year counts only its time inside this year."""
    moves = [TermMovement(date(2025, 6, 10), 2_000_000)]
    assert term_deposit_basis_rp(moves, date(2026, 1, 1), date(2027, 1, 1)) == 2_000_000 * 4


def test_withdrawal_ends_the_most_recent_deposit_first() -> None:
    """A withdrawal takes from the newest lot, so the long-held deposit keeps its terms."""
    moves = [
        TermMovement(date(2026, 1, 1), 1_000_000),
        TermMovement(date(2026, 3, 1), 1_000_000),
        TermMovement(date(2026, 5, 1), -1_000_000),
    ]
    # first lot: 4 terms; second lot 1 Mar - 1 May: none.
    assert term_deposit_basis_rp(moves, date(2026, 1, 1), date(2027, 1, 1)) == 4_000_000


def test_term_deposit_withdrawn_early_earns_its_whole_terms_only() -> None:
    """Held 1 Jan - 15 Aug: two whole terms (Jan-Apr, Apr-Jul)."""
    moves = [TermMovement(date(2026, 1, 1), 3_000_000), TermMovement(date(2026, 8, 15), -3_000_000)]
    assert term_deposit_basis_rp(moves, date(2026, 1, 1), date(2027, 1, 1)) == 6_000_000


def test_movements_after_the_period_are_ignored() -> None:
    """A deposit after the period's end (estimate as of a date) earns nothing yet."""
    moves = [TermMovement(date(2026, 7, 1), 5_000_000)]
    assert term_deposit_basis_rp(moves, date(2026, 1, 1), date(2026, 6, 1)) == 0


@pytest.mark.parametrize(
    "rule",
    [
        PointRule("x", "sale", "toko", 0),
        PointRule("x", "sale", "toko", 1_000, basis="price"),
        PointRule("x", "savings", "smsk", 1_000, basis="margin"),
        PointRule("x", "savings", "smsk", 1_000, payment="cash"),
        PointRule("x", "gift", "toko", 1_000),
    ],
)
def test_malformed_point_rules_are_refused_with_their_key(rule: PointRule) -> None:
    """A rule with a bad rate, basis, payment or source is refused, naming the rule."""
    with pytest.raises(BadPointRule) as caught:
        validate_policy(PointPolicy(rules=(rule,)))
    assert "'x'" in caught.value.message("id")
    assert "'x'" in caught.value.message("en")


def test_seed_policy_is_valid() -> None:
    """The default policy (seed 004's values) passes its own validation."""
    validate_policy(POLICY)


@given(
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20),
)
def test_active_points_are_additive_over_purchases(margins: list[int]) -> None:
    """Points of many purchases equal the points of their total: exact, no rounding lost along the way."""
    split = compute_points(
        POLICY,
        [MemberTotal("A1", "sale", "toko", "cash", amount_rp=m, margin_rp=m) for m in margins],
        wajib_rp={},
        term_basis_rp={},
    )
    whole = Fraction(sum(margins), 1_000)
    got = split.by_member().get("A1")
    assert (got.active_total if got else Fraction(0)) == whole


@given(st.fractions(min_value=0, max_value=10**9))
def test_format_points_rounds_half_up_to_two_decimals(value: Fraction) -> None:
    """Display text is within half a hundredth of the exact points."""
    shown = Fraction(format_points(value))
    assert abs(shown - value) <= Fraction(1, 200)


def test_member_numbers_sort_naturally() -> None:
    """A2 sorts before A10, the order used to break ties."""
    assert sorted(["A10", "A2", "B1", "A1"], key=member_sort_key) == ["A1", "A2", "A10", "B1"]
