"""The groups' pure rules: checks of a group, a meeting and a report, and attendance rates."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.groups import rules
from central.groups.errors import GroupError

TODAY = date(2026, 3, 15)


def test_a_group_needs_a_name_a_village_and_a_cadre() -> None:
    """Name and village are trimmed; a missing one, an unknown member or a non-cadre is refused in both
    languages."""
    assert rules.check_group("  FGS   Mawar ", " Sukamaju", "A001", "kader") == ("FGS Mawar", "Sukamaju")
    with pytest.raises(GroupError, match="name") as err:
        rules.check_group(" ", "Sukamaju", "A001", "kader")
    assert "nama kelompok belum diisi" in err.value.text("id")
    with pytest.raises(GroupError, match="no member"):
        rules.check_group("FGS", "Sukamaju", "X9", None)
    with pytest.raises(GroupError, match="not a cadre") as err:
        rules.check_group("FGS", "Sukamaju", "A002", "anggota")
    assert "bukan kader" in err.value.text("id")


def test_a_meeting_is_in_the_past_and_ticks_only_the_groups_members() -> None:
    """A future date, a missing agenda or a ticked stranger is refused; the rest is cleaned."""
    made = rules.check_meeting(
        "2026-03-15", place=" Balai desa ", agenda="Arisan\r\n\r\n\r\nTabungan ", notes="", present=["A2"],
        members=["A1", "A2"], today=TODAY,
    )  # fmt: skip
    assert (made.place, made.agenda, made.present) == ("Balai desa", "Arisan\n\nTabungan", frozenset({"A2"}))
    with pytest.raises(GroupError, match="future"):
        rules.check_meeting(
            "2026-03-16", place="x", agenda="y", notes="", present=[], members=[], today=TODAY
        )
    with pytest.raises(GroupError, match="not a date"):
        rules.check_meeting("16/3", place="x", agenda="y", notes="", present=[], members=[], today=TODAY)
    with pytest.raises(GroupError, match="agenda is missing"):
        rules.check_meeting(
            "2026-03-01", place="x", agenda=" ", notes="", present=[], members=[], today=TODAY
        )
    with pytest.raises(GroupError, match="not members of this group: B7") as err:
        rules.check_meeting(
            "2026-03-01", place="x", agenda="y", notes="", present=["B7"], members=["A1"], today=TODAY
        )
    assert "bukan anggota kelompok ini: B7" in err.value.text("id")


def test_a_report_has_text_and_a_bounded_length() -> None:
    """An empty or too long report is refused."""
    assert rules.check_report(" Warung ramai ", "2026-03-14", TODAY) == ("Warung ramai", date(2026, 3, 14))
    with pytest.raises(GroupError, match="report is missing"):
        rules.check_report("", "2026-03-14", TODAY)
    with pytest.raises(GroupError, match="at most 2000"):
        rules.check_report("x" * 2001, "2026-03-14", TODAY)


def test_rates_by_example() -> None:
    """Two meetings: A came to both, B to one, C (joined later) was held only one place and missed it."""
    marks = [
        rules.Mark(1, "2026-03-01", "A", True),
        rules.Mark(1, "2026-03-01", "B", False),
        rules.Mark(2, "2026-03-08", "A", True),
        rules.Mark(2, "2026-03-08", "B", True),
        rules.Mark(2, "2026-03-08", "C", False),
    ]
    rates = rules.member_rates(marks)
    assert rates == {"A": rules.Rate(2, 2), "B": rules.Rate(1, 2), "C": rules.Rate(0, 1)}
    assert [r.percent for r in rates.values()] == [100, 50, 0]
    assert rules.group_rate(marks) == rules.Rate(3, 5)
    assert rules.group_rate(rules.in_period(marks, date(2026, 3, 2), None)) == rules.Rate(2, 3)
    assert rules.Rate(2, 3).percent == 67
    assert rules.Rate().percent is None and rules.Rate().fraction is None
    assert rules.meetings_held(marks) == 2


MARKS = st.lists(
    st.builds(
        rules.Mark,
        st.integers(1, 8),
        st.sampled_from(["2026-01-05", "2026-02-10", "2026-03-15", "2026-04-20"]),
        st.sampled_from(["A", "B", "C", "D", "E"]),
        st.booleans(),
    ),
    max_size=40,
)


def _once(marks: list[rules.Mark]) -> list[rules.Mark]:
    """One day per meeting, as the store keeps it (a meeting has one date)."""
    first: dict[int, str] = {}
    for m in marks:
        first.setdefault(m.meeting, m.day)
    return [rules.Mark(m.meeting, first[m.meeting], m.member, m.present) for m in marks]


@given(MARKS)
def test_the_group_rate_is_the_sum_of_its_members_and_lies_between_them(marks: list[rules.Mark]) -> None:
    """Attended and held of a group are its members' sums; every rate is within 0..1, and the group's lies
    between its lowest and highest member's."""
    rates = rules.member_rates(marks)
    total = rules.group_rate(marks)
    assert total.attended == sum(r.attended for r in rates.values())
    assert total.held == sum(r.held for r in rates.values())
    for rate in rates.values():
        assert rate.fraction is not None and 0 <= rate.fraction <= 1
        assert rate.held <= rules.meetings_held(marks)
    if rates:
        fractions = [r.fraction for r in rates.values() if r.fraction is not None]
        assert total.fraction is not None and min(fractions) <= total.fraction <= max(fractions)
        assert total.percent is not None and 0 <= total.percent <= 100


@given(MARKS, st.sampled_from(["2026-02-01", "2026-03-01", "2026-04-01"]))
def test_a_period_split_in_two_adds_up(marks: list[rules.Mark], cut: str) -> None:
    """The rates of two adjoining periods add up to the rate of both together, for each member."""
    marks = _once(marks)
    split = date.fromisoformat(cut)
    before = rules.member_rates(rules.in_period(marks, None, date.fromordinal(split.toordinal() - 1)))
    after = rules.member_rates(rules.in_period(marks, split, None))
    whole = rules.member_rates(marks)
    for member, rate in whole.items():
        assert before.get(member, rules.Rate()) + after.get(member, rules.Rate()) == rate


@given(st.integers(0, 500), st.integers(1, 500))
def test_percent_is_the_fraction_rounded_half_up(attended: int, held: int) -> None:
    """The whole percent is the exact rate rounded half up."""
    if attended > held:
        attended, held = held, attended or 1
    rate = rules.Rate(attended, held)
    exact = Fraction(100 * attended, held)
    assert rate.percent is not None
    assert exact - Fraction(1, 2) <= rate.percent <= exact + Fraction(1, 2)
    assert rate.percent == int(exact + Fraction(1, 2))
