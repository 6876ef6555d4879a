"""Simpanan wajib dues: months since joining at the amount of each month, payments filling the oldest
months first, the arrears list and the pokok still owed; and the [savings] config's clear errors."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central import config, sample
from central.errors import ConfigError
from central.ledger import Ledger
from central.office import entries, identity, record
from central.savings import dues
from central.savingsrules import month_index, parse

SAVINGS: dict[str, Any] = {
    "pokok_rp": 100_000,
    "wajib_rp": 50_000,
    "wajib_from": "2025-01",
    "wajib_history": [{"from": "2026-01", "rp": 75_000}],
}


def test_the_amount_of_each_month_follows_the_history() -> None:
    policy = parse(SAVINGS)
    assert [
        policy.wajib_rp(month_index(m)) for m in ("2024-12", "2025-01", "2025-12", "2026-01", "2027-05")
    ] == [
        0,
        50_000,
        50_000,
        75_000,
        75_000,
    ]


def test_payments_fill_the_oldest_months_first() -> None:
    policy = parse(SAVINGS)
    # joined Nov 2025: Nov, Dec at 50.000, Jan..Mar 2026 at 75.000 = 325.000 due by March
    due, owed, behind, through, _ = dues.position(policy, "2025-11-20", 175_000, date(2026, 3, 31))
    assert (due, owed, behind) == (325_000, 150_000, 2)
    assert through == month_index("2026-01")
    assert dues.position(policy, "2025-11-20", 400_000, date(2026, 3, 1))[1:] == (
        0,
        0,
        month_index("2026-03"),
        75_000,
    )


@given(paid=st.integers(0, 5_000_000), joined_month=st.integers(1, 12), as_of_day=st.integers(0, 1000))
def test_owed_plus_paid_covers_the_dues_and_months_behind_match(
    paid: int, joined_month: int, as_of_day: int
) -> None:
    policy = parse(SAVINGS)
    as_of = date.fromordinal(date(2025, 1, 1).toordinal() + as_of_day)
    due, owed, behind, _, ahead = dues.position(policy, f"2025-{joined_month:02d}-01", paid, as_of)
    assert owed == max(0, due - paid) and ahead == max(0, paid - due)
    assert (behind == 0) == (owed == 0)


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"wajib_rp": -1}, "savings.wajib_rp must be whole rupiah"),
        ({"wajib_from": "2025-13"}, "savings.wajib_from must be a month like"),
        ({"wajib_history": [{"from": "2024-01", "rp": 1}], "wajib_from": "2025-01"}, "each after wajib_from"),
        ({"wajib_history": [{"rp": 1}]}, "needs both from"),
        ({"wajib": 1}, "unknown key(s) in [savings]: wajib"),
    ],
)
def test_bad_savings_rules_name_the_key(table: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse(table)
    assert words in str(err.value)


def test_the_arrears_list_from_the_ledger(ledger: Ledger, month: sample.SampleData, tmp_path: Any) -> None:
    raw = config.merge_over_defaults(config._default_raw(), {"savings": SAVINGS})
    ledger.init(config.parse(raw))
    sample.load_into(ledger, month)
    office = identity.init(ledger, tmp_path / "office.key")[0]
    as_of = date(2026, 3, 31)
    before = {row.member: row for row in dues.wajib(ledger, as_of)}
    member = sorted(before)[0]
    joined = before[member].joined
    expected_due = dues.position(ledger.config.savings, joined, 0, as_of)[0]
    assert before[member].due_rp == expected_due and before[member].paid_rp == 0
    assert before[member].pokok_owed_rp == 100_000
    at = datetime(2026, 3, 5, 9, 0)
    record.record(ledger, office, entries.savings_deposit(member, "wajib", expected_due), at=at, by="kasir")
    record.record(ledger, office, entries.savings_deposit(member, "pokok", 100_000), at=at, by="kasir")
    after = {row.member: row for row in dues.wajib(ledger, as_of)}
    assert (after[member].owed_rp, after[member].months_behind, after[member].pokok_owed_rp) == (0, 0, 0)
    assert after[member].paid_through == "2026-03"
    listed = dues.wajib(ledger, as_of)
    assert [r.months_behind for r in listed] == sorted((r.months_behind for r in listed), reverse=True)
    assert dues.wajib(ledger, as_of, member=member)[0].owed_rp == 0


def test_the_command_lists_who_is_behind(
    ledger: Ledger, month: sample.SampleData, capsys: pytest.CaptureFixture[str]
) -> None:
    from central.cli import app

    if ledger.engine.dialect.name != "sqlite":
        pytest.skip("the command line test runs once, on the SQLite ledger")
    raw = config.merge_over_defaults(config._default_raw(), {"savings": SAVINGS})
    ledger.init(config.parse(raw))
    sample.load_into(ledger, month)
    assert app.main(["--db", ledger.target, "--lang", "en", "savings", "wajib", "--as-of", "2026-03-31"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("member  name  months behind") and "Rp " in out
    assert app.main(["--db", ledger.target, "savings", "wajib", "--as-of", "2026-03-31", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["owed_rp"] > 0 for r in rows)


@settings(max_examples=400, deadline=None)
@given(
    amounts=st.lists(st.sampled_from([0, 25_000, 50_000, 75_000]), min_size=1, max_size=4),
    joined=st.integers(0, 60),
    paid=st.integers(0, 4_000_000),
    as_of=st.integers(0, 60),
)
def test_the_running_sums_give_what_the_month_by_month_walk_gives(
    amounts: list[int], joined: int, paid: int, as_of: int
) -> None:
    """``Dues.position`` (the list of every member) equals ``position`` month by month, also with months
    whose dues are 0 (a history that stops the dues for a while)."""
    start = month_index("2024-01")
    history = [
        {"from": f"{2024 + (6 * n) // 12}-{(6 * n) % 12 + 1:02d}", "rp": rp}
        for n, rp in enumerate(amounts[1:], 1)
    ]
    policy = parse({"pokok_rp": 0, "wajib_rp": amounts[0], "wajib_from": "2024-01", "wajib_history": history})
    joined_text = f"{2023 + (joined + 6) // 12}-{(joined + 6) % 12 + 1:02d}-15"
    day = date(2024 + as_of // 12, as_of % 12 + 1, 28)
    first = min(start, month_index(joined_text[:7]))
    fast = dues.Dues(policy, first, day.year * 12 + day.month - 1)
    assert fast.position(joined_text, paid) == dues.position(policy, joined_text, paid, day)
