"""Board activity reports (seed 000's merit system): scores from reports by the config's points per kind,
the year-end's board-fund split from them (hand-computed, to the rupiah), and the rule's refusals."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central import config as config_mod
from central import yearend
from central.boardactivity import rules, store
from central.boardactivity.rules import ActivityError, MeritRule
from central.cli import main
from central.yearend.shu import split_members
from tests.central.test_yearend import YEAR, coop_config, open_year

END = date(YEAR, 12, 31)


def test_a_score_is_the_reports_of_each_kind_times_its_points() -> None:
    """Two meetings (2 each), a visit (3) and a training (5) score 12 under the default points."""
    counted = [("A01", "rapat", 2), ("A01", "kunjungan", 1), ("A01", "pelatihan", 1), ("A02", "lainnya", 3)]
    tallies = rules.tally(counted, MeritRule())
    assert tallies["A01"].score == 2 * 2 + 3 + 5
    assert tallies["A01"].counts == {"rapat": 2, "kunjungan": 1, "pelatihan": 1, "lainnya": 0}
    assert tallies["A01"].reports == 4
    assert tallies["A02"].score == 3


def test_the_points_come_from_the_config() -> None:
    """[board_activity.points] replaces the default points of the kinds it names."""
    rule = rules.rule_from_config({"board_activity": {"points": {"kunjungan": 10}}})
    assert rule.points == {"rapat": 2, "kunjungan": 10, "pelatihan": 5, "lainnya": 1}
    assert rules.rule_from_config(config_mod.default().raw).points == rules.DEFAULT_POINTS


@pytest.mark.parametrize(
    "raw",
    [
        {"board_activity": {"points": {"arisan": 1}}},
        {"board_activity": {"points": {"rapat": -1}}},
        {"board_activity": {"points": {"rapat": 1.5}}},
        {"board_activity": {"points": {"rapat": True}}},
        {"board_activity": {"points": {"rapat": 101}}},
        {"board_activity": {"points": 3}},
        {"board_activity": {"roles": ["pengawas"]}},
    ],
)
def test_a_bad_rule_is_refused_in_both_languages(raw: dict[str, Any]) -> None:
    """An unknown kind, a negative, fractional or too large number of points, or an unknown key is refused."""
    with pytest.raises(ActivityError) as caught:
        rules.rule_from_config(raw)
    assert "board_activity" in caught.value.text("en")
    assert "board_activity" in caught.value.text("id")


def test_a_report_needs_a_kind_a_description_and_a_past_day() -> None:
    """Reports with an unknown kind, nothing written, a day ahead or over a year back are refused."""
    today = date(2026, 3, 10)
    assert rules.check_report("rapat", "  Rapat   FGS ", today, today) == ("rapat", "Rapat FGS", today)
    for kind, text, day in (
        ("arisan", "x", today),
        ("rapat", "   ", today),
        ("rapat", "x", date(2026, 3, 11)),
        ("rapat", "x", date(2025, 3, 8)),
    ):
        with pytest.raises(ActivityError):
            rules.check_report(kind, text, day, today)


def test_the_board_fund_is_split_by_the_reports_to_the_rupiah(tmp_path: Any) -> None:
    """The 19,532 board fund of Koperasi Contoh's 2025, split by reports and one manual adjustment.

    A01 (ketua): 2 meetings (2 points each) + 1 training (5) = 9; A02 (bendahara): 1 visit (3) + a manual
    score of 1 = 4; total 13. 19,532 x 9/13 = 13,522.15..., 19,532 x 4/13 = 6,009.84...: the floors
    13,522 + 6,009 leave 1 rupiah, which goes to the larger remainder (A02's .84): 13,522 and 6,010.
    """
    ledger = open_year(str(tmp_path / "b.sqlite"), coop_config(board_by_activity=True))
    with ledger:
        for day in (date(2025, 3, 1), date(2025, 6, 1)):
            store.file(ledger, "A01", "rapat", "Rapat pengurus", day, today=END, by="A01")
        store.file(
            ledger, "A01", "pelatihan", "Pelatihan pembukuan warung", date(2025, 8, 9), today=END, by="A01"
        )
        store.file(
            ledger, "A02", "kunjungan", "Kunjungan ke FGS Krajan", date(2025, 9, 2), today=END, by="A02"
        )
        yearend.record_activity(ledger, "A02", 1, on=date(2025, 10, 1), note="rapat RAT (penyesuaian)")
        with pytest.raises(ActivityError):  # an ordinary member files no activity reports
            store.file(ledger, "A05", "rapat", "Rapat", date(2025, 9, 2), today=END, by="A05")
        assert yearend.activity_parts(ledger, YEAR) == {"A01": (9, 0), "A02": (3, 1)}
        result = yearend.close_year(ledger, YEAR)
        assert result.allocation is not None
        board = [(b.member, b.score, b.amount_rp) for b in result.allocation.board]
        assert board == [("A01", 9, 13_522), ("A02", 4, 6_010)]
        assert (
            sum(b.amount_rp for b in result.allocation.board) == result.allocation.fund("pengurus") == 19_532
        )


def test_board_list_shows_reports_manual_and_total(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """`board list` keeps working: each board member's reports' points, manual scores and their sum."""
    path = str(tmp_path / "c.sqlite")
    ledger = open_year(path, coop_config(board_by_activity=True))
    with ledger:
        store.file(ledger, "A01", "kunjungan", "Kunjungan", date(2025, 5, 5), today=END, by="A01")
        yearend.record_activity(ledger, "A01", 2, on=date(2025, 5, 6))
    assert main(["--db", path, "board", "list", "--year", str(YEAR), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"member": "A01", "reports": 3, "manual": 2, "score": 5}]


@settings(max_examples=200, deadline=None)
@given(
    fund=st.integers(min_value=0, max_value=10**12),
    counts=st.lists(
        st.tuples(st.sampled_from(list(rules.KINDS)), st.integers(min_value=0, max_value=400)),
        min_size=1,
        max_size=20,
    ),
    points=st.fixed_dictionaries(
        {k: st.integers(min_value=0, max_value=rules.MAX_POINTS) for k in rules.KINDS}
    ),
)
def test_the_merit_split_always_adds_up_to_the_fund(
    fund: int, counts: list[tuple[str, int]], points: dict[str, int]
) -> None:
    """Any reports and points: the board shares are whole rupiah, never negative, and sum to the fund."""
    counted = [(f"B{i:02d}", kind, n) for i, (kind, n) in enumerate(counts)]
    scores = {m: Fraction(t.score) for m, t in rules.tally(counted, MeritRule(points)).items()}
    if sum(scores.values()) == 0:
        return  # nobody scored: the year-end leaves the board fund unsplit
    shares = split_members(fund, scores)
    assert all(isinstance(v, int) and v >= 0 for v in shares.values())
    assert sum(shares.values()) == fund
