"""SHU allocation as pure functions: AD/ART funds, members' share by points or classic, board by activity."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.yearend.points import member_sort_key
from central.yearend.shu import (
    BadWeight,
    Fund,
    NoSurplus,
    NothingToSplit,
    PercentError,
    ShuPolicy,
    UnknownFund,
    allocate,
    largest_remainder,
    non_member_surplus_rp,
    parse_percent,
    split_members,
    validate_policy,
)

POLICY = ShuPolicy()

# Member numbers with look-alikes (A2/A10/A02) so natural-order tie-breaking is exercised.
LOOKALIKES = ("0", "00", "1", "2", "02", "10", "11", "99")
member_numbers = st.sampled_from([f"{p}{n}" for p in "ABCD" for n in LOOKALIKES])
points_maps = st.dictionaries(
    member_numbers,
    st.fractions(min_value=0, max_value=10**6, max_denominator=1_000),
    min_size=1,
    max_size=30,
).filter(lambda d: sum(d.values()) > 0)
pools = st.integers(min_value=0, max_value=10**12)


def test_largest_remainder_hands_leftover_rupiah_to_the_first_on_a_tie() -> None:
    """Rp 100 over three equal weights gives 34, 33, 33: the leftover rupiah goes to the first listed."""
    got = largest_remainder(100, [("a", Fraction(1)), ("b", Fraction(1)), ("c", Fraction(1))])
    assert got == (("a", 34), ("b", 33), ("c", 33))


def test_largest_remainder_prefers_the_largest_fraction() -> None:
    """Weights 1:2 of Rp 10 are 3.33 and 6.67: the leftover goes to the larger remainder."""
    assert largest_remainder(10, [("a", Fraction(1)), ("b", Fraction(2))]) == (("a", 3), ("b", 7))


def test_member_ties_are_broken_by_member_number_in_natural_order() -> None:
    """Equal points: A2 gets the odd rupiah before A10."""
    assert split_members(3, {"A10": Fraction(1), "A2": Fraction(1)}) == {"A2": 2, "A10": 1}


def test_a_pool_nobody_can_claim_is_refused() -> None:
    """A positive pool with no weight at all raises a readable error instead of losing the rupiah."""
    with pytest.raises(NothingToSplit):
        largest_remainder(5, [("a", Fraction(0))])
    assert largest_remainder(0, [("a", Fraction(0))]) == (("a", 0),)


def test_negative_weights_and_pools_are_refused() -> None:
    """A negative weight or pool is a bug upstream; the allocator refuses it."""
    with pytest.raises(BadWeight):
        largest_remainder(5, [("a", Fraction(-1)), ("b", Fraction(2))])
    with pytest.raises(BadWeight):
        largest_remainder(-5, [("a", Fraction(1))])


@settings(max_examples=60, deadline=None)
@given(pools, points_maps)
def test_member_shares_sum_exactly_to_the_pool(pool: int, points: dict[str, Fraction]) -> None:
    """For any points and any pool, the members' amounts add up to the pool, none negative."""
    shares = split_members(pool, points)
    assert sum(shares.values()) == pool
    assert all(v >= 0 for v in shares.values())


@settings(max_examples=60, deadline=None)
@given(
    pools,
    points_maps,
    st.fractions(min_value=Fraction(1, 1000), max_value=1000, max_denominator=1000),
)
def test_scaling_all_points_leaves_shares_unchanged(
    pool: int, points: dict[str, Fraction], factor: Fraction
) -> None:
    """Multiplying every member's points by the same factor gives the same shares."""
    scaled = {m: p * factor for m, p in points.items()}
    assert split_members(pool, scaled) == split_members(pool, points)


@settings(max_examples=60, deadline=None)
@given(pools, points_maps)
def test_more_points_never_get_less(pool: int, points: dict[str, Fraction]) -> None:
    """A member with more points never receives fewer rupiah than one with fewer points."""
    shares = split_members(pool, points)
    for a, pa in points.items():
        for b, pb in points.items():
            if pa > pb:
                assert shares[a] >= shares[b]


@settings(max_examples=60, deadline=None)
@given(pools, points_maps, st.randoms())
def test_the_same_inputs_always_give_the_same_output(
    pool: int, points: dict[str, Fraction], rnd
) -> None:  # type: ignore[no-untyped-def]
    """The order in which members are handed in does not change any share."""
    items = list(points.items())
    rnd.shuffle(items)
    assert split_members(pool, dict(items)) == split_members(pool, points)


@settings(max_examples=60, deadline=None)
@given(pools, points_maps)
def test_shares_stay_within_a_rupiah_of_the_exact_proportion(
    pool: int, points: dict[str, Fraction]
) -> None:
    """Each share is its exact proportional value rounded down or up by less than one rupiah."""
    total = sum(points.values())
    shares = split_members(pool, points)
    for m, p in points.items():
        assert abs(shares[m] - p * pool / total) < 1


def test_default_funds_follow_the_ad_art_percentages() -> None:
    """Rp 10,000,000 of SHU splits 40/40/5/5/5/3/2 into the seven funds."""
    allocation = allocate(10_000_000, POLICY, points={"A001": Fraction(1)})
    assert [(f.key, f.amount_rp) for f in allocation.funds] == [
        ("cadangan", 4_000_000),
        ("anggota", 4_000_000),
        ("pengurus", 500_000),
        ("karyawan", 500_000),
        ("pendidikan", 500_000),
        ("sosial", 300_000),
        ("pembangunan", 200_000),
    ]
    assert allocation.members[0].shu_rp == 4_000_000


def test_percentages_that_do_not_sum_to_100_are_refused_with_the_sum() -> None:
    """AD/ART percentages adding up to 99.5 are refused, the message naming the sum and the fix."""
    funds = (*POLICY.funds[:-1], Fund("pembangunan", "Dana pembangunan", Fraction(3, 2)))
    with pytest.raises(PercentError) as caught:
        validate_policy(replace(POLICY, funds=funds))
    assert "99.5%" in caught.value.message("id") and "[shu]" in caught.value.message("id")
    assert "99.5%" in caught.value.message("en")


def test_a_board_fund_above_the_ad_art_limit_is_refused() -> None:
    """The board may get at most 5% of the SHU (seed 003); a 6% board fund is refused."""
    funds = tuple(
        replace(f, percent=Fraction(6))
        if f.key == "pengurus"
        else replace(f, percent=Fraction(39))
        if f.key == "cadangan"
        else f
        for f in POLICY.funds
    )
    with pytest.raises(PercentError, match="5%"):
        validate_policy(replace(POLICY, funds=funds))


def test_a_missing_members_fund_is_refused() -> None:
    """The members' fund key must be one of the funds."""
    with pytest.raises(UnknownFund):
        validate_policy(replace(POLICY, members_fund="jasa"))


def test_percent_values_are_exact() -> None:
    """A TOML float like 2.5 is read as exactly 5/2 percent; junk is refused."""
    assert parse_percent(2.5, "x") == Fraction(5, 2)
    assert parse_percent("12.25", "x") == Fraction(49, 4)
    with pytest.raises(PercentError):
        parse_percent("lima", "x")
    with pytest.raises(PercentError):
        parse_percent(101, "x")


def test_non_member_surplus_goes_to_the_reserve_never_to_members() -> None:
    """The SHU earned on walk-ins is added to the reserve; the members' pool is 40% of the rest only."""
    non_member = non_member_surplus_rp(
        10_000_000, member_gross_rp=8_000_000, non_member_gross_rp=2_000_000
    )
    assert non_member == 2_000_000
    allocation = allocate(
        10_000_000, POLICY, points={"A001": Fraction(1)}, non_member_rp=non_member
    )
    assert allocation.fund("anggota") == 3_200_000
    assert allocation.fund("cadangan") == 3_200_000 + 2_000_000
    assert sum(f.amount_rp for f in allocation.funds) == 10_000_000


def test_a_loss_is_not_allocated() -> None:
    """A negative SHU raises a readable error; nothing is allocated."""
    with pytest.raises(NoSurplus) as caught:
        allocate(-1, POLICY, points={"A001": Fraction(1)})
    assert "Rapat Anggota" in caught.value.message("id")


def test_classic_formula_splits_capital_and_business_services() -> None:
    """Classic: jasa modal (40%) by pokok+wajib savings and jasa usaha (60%) by transactions."""
    policy = replace(POLICY, method="classic")
    allocation = allocate(
        1_000_000,
        policy,
        points={},
        capital_rp={"A1": 300_000, "A2": 100_000},
        business_rp={"A1": 0, "A2": 500_000},
    )
    # members' pool 400,000: modal 160,000 (3:1), usaha 240,000 (all A2).
    assert [(m.member, m.modal_rp, m.usaha_rp, m.shu_rp) for m in allocation.members] == [
        ("A1", 120_000, 0, 120_000),
        ("A2", 40_000, 240_000, 280_000),
    ]


def test_classic_percentages_must_sum_to_100() -> None:
    """The classic formula's two pool percentages must cover the whole members' share."""
    with pytest.raises(PercentError):
        validate_policy(
            replace(
                POLICY, method="classic", modal_percent=Fraction(50), usaha_percent=Fraction(40)
            )
        )


def test_board_fund_is_divided_by_recorded_activity() -> None:
    """With board_by_activity, the board fund is split by activity scores (seed 000's merit system)."""
    policy = replace(POLICY, board_by_activity=True)
    allocation = allocate(
        1_000_000, policy, points={"A1": Fraction(1)}, board_scores={"P1": 3, "P2": 1, "P3": 0}
    )
    assert [(b.member, b.amount_rp) for b in allocation.board] == [
        ("P1", 37_500),
        ("P2", 12_500),
        ("P3", 0),
    ]


@settings(max_examples=60, deadline=None)
@given(pools.filter(lambda p: p > 0), points_maps, st.integers(min_value=0, max_value=100))
def test_every_rupiah_of_the_shu_is_accounted_for(
    shu: int, points: dict[str, Fraction], nm_pct: int
) -> None:
    """Funds sum to the SHU and the members' shares sum to the members' fund, for any input."""
    non_member = shu * nm_pct // 100
    allocation = allocate(shu, POLICY, points=points, non_member_rp=non_member)
    assert sum(f.amount_rp for f in allocation.funds) == shu
    assert allocation.members_total_rp == allocation.fund("anggota")
    assert [m.member for m in allocation.members] == sorted(points, key=member_sort_key)
