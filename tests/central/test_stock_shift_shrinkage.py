"""Shrinkage per clerk shift: a count line's value shared over the shifts the clerks handed in, by the time
each was open between the item's previous count and this one, exactly to the rupiah, with each shift's
sales and the percent; the pure sharing rule holds its laws for any windows and shifts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central import sample
from central.ledger import Ledger
from central.office import identity
from central.stock import counts, shiftloss, shrinkage
from tests.central.helpers import TOKO_COST, TOKO_PRICE, TOKO_SKU, Device


def _ts(ledger: Ledger, hour: int, day: int = 5) -> int:
    return int(datetime(2026, 3, day, hour, tzinfo=ledger.config.tz).timestamp())


def _at(hour: int, day: int = 5) -> str:
    return f"2026-03-{day:02d}T{hour:02d}:00:00+07:00"


def _handin(dev: Device, clerk: str, start: int, end: int) -> dict[str, object]:
    return dev.make(
        "handin",
        at=_at(end),
        clerk=clerk,
        expected_rp=0,
        counted_rp=0,
        total=0,
        **{"from": _at(start), "to": _at(end)},
    )


def test_a_loss_is_shared_over_the_shifts_between_two_counts(ledger: Ledger, tmp_path: Path) -> None:
    """Counted 20 at 07:00 and 14 at 17:00 with 3 sold: 3 missing. Sari's shift 07-12 (5 h), Budi's 12-16
    (4 h) and an hour no shift recorded share the loss 5:4:1; each shift shows its own sales."""
    ledger.import_products(list(sample.sample_products()))
    office = identity.init(ledger, tmp_path / "office.key")[0]
    dev = Device().register(ledger)
    bought = dev.make(
        "purchase",
        at=_at(7, day=1),
        lines=[{"sku": TOKO_SKU, "qty": 20, "price_rp": TOKO_COST, "cost_rp": TOKO_COST}],
        total=20 * TOKO_COST,
    )
    assert not ledger.ingest([bought]).rejected
    first = counts.start(ledger, "toko", by="mgr", section="rak 1", now_ts=_ts(ledger, 6))
    counts.enter(ledger, first.id, TOKO_SKU, "20", by="mgr", now_ts=_ts(ledger, 7))
    counts.close(ledger, first.id, by="mgr", now_ts=_ts(ledger, 7))
    counts.approve(ledger, office, first.id, by="mgr", role="manajer", now_ts=_ts(ledger, 7))
    day = [
        dev.sale(member=None, qty=2, at=_at(9), clerk="sari"),
        _handin(dev, "sari", 7, 12),
        dev.sale(member=None, qty=1, at=_at(13), clerk="budi"),
        _handin(dev, "budi", 12, 16),
    ]
    assert not ledger.ingest(day).rejected
    second = counts.start(ledger, "toko", by="mgr", section="rak 1", now_ts=_ts(ledger, 16))
    counts.enter(ledger, second.id, TOKO_SKU, "14", by="mgr", now_ts=_ts(ledger, 17))
    closed = counts.close(ledger, second.id, by="mgr", now_ts=_ts(ledger, 17))
    assert closed.loss_rp == 3 * TOKO_COST
    counts.approve(ledger, office, second.id, by="mgr", role="manajer", now_ts=_ts(ledger, 18))
    found = shrinkage.report(ledger, "2026-03-01", "2026-03-31", "toko")
    rows = {r[1]: dict(zip(shiftloss.SHIFT_COLUMNS, r, strict=True)) for r in found.shifts}
    expected = shiftloss.split(
        -3 * TOKO_COST,
        (_ts(ledger, 7), _ts(ledger, 17)),
        [("sari", _ts(ledger, 7), _ts(ledger, 12)), ("budi", _ts(ledger, 12), _ts(ledger, 16))],
    )
    assert {k or "-": -v for k, v in expected.items()} == {c: r["loss_rp"] for c, r in rows.items()}
    assert sum(r["loss_rp"] for r in rows.values()) == 3 * TOKO_COST
    assert rows["sari"]["loss_rp"] in (3 * TOKO_COST * 5 // 10, 3 * TOKO_COST * 5 // 10 + 1)
    assert (rows["sari"]["sales_rp"], rows["budi"]["sales_rp"], rows["-"]["sales_rp"]) == (
        2 * TOKO_PRICE,
        TOKO_PRICE,
        0,
    )
    assert rows["sari"]["shift"] == "2026-03-05 07:00-12:00" and rows["budi"]["device"] == dev.name
    assert rows["budi"]["pct_sales"] == f"{rows['budi']['loss_rp'] * 100 / TOKO_PRICE:.2f}"
    assert rows["-"]["pct_sales"] == ""


def test_the_first_count_of_an_item_looks_back_to_its_first_purchase() -> None:
    """Without an earlier count, the window starts at the item's first purchase: a shift before it takes
    nothing, and a window of no time gives everything to "no shift recorded"."""
    assert shiftloss.split(-100, (10, 20), [("a", 0, 10), ("b", 10, 20)]) == {"b": -100}
    assert shiftloss.split(-100, (20, 20), [("a", 0, 30)]) == {None: -100}
    assert shiftloss.split(0, (0, 10), [("a", 0, 10)]) == {}


_SHIFTS = st.lists(
    st.tuples(st.sampled_from("abcde"), st.integers(0, 200), st.integers(1, 100)).map(
        lambda s: (s[0], s[1], s[1] + s[2])
    ),
    max_size=6,
)


@given(
    value=st.integers(-(10**9), 10**9).filter(bool),
    start=st.integers(0, 250),
    length=st.integers(0, 250),
    shifts=_SHIFTS,
)
def test_shares_add_up_exactly_and_follow_the_overlap(
    value: int, start: int, length: int, shifts: list[tuple[str, int, int]]
) -> None:
    """For any window and shifts: the shares add up to the value to the rupiah, each has the value's sign,
    a shift outside the window gets nothing, and a window inside one shift alone gives it everything."""
    window = (start, start + length)
    shares = shiftloss.split(value, window, shifts)
    assert sum(shares.values()) == value
    assert all((share > 0) == (value > 0) for share in shares.values())
    outside = {k for k, _, _ in shifts} - {k for k, a, b in shifts if a < window[1] and b > window[0]}
    assert not outside & set(shares)
    if length and shifts:
        key, a, b = shifts[0]
        if a <= window[0] and b >= window[1] and all(k == key for k, _, _ in shifts):
            assert shares == {key: value}


@pytest.mark.parametrize("value", [1, -1, 7, -10_001])
def test_small_values_round_by_largest_remainder(value: int) -> None:
    """Three equal shifts share a value that does not divide: the rupiah left go one each, largest
    remainder first, never more than one apart."""
    shares = shiftloss.split(value, (0, 30), [("a", 0, 10), ("b", 10, 20), ("c", 20, 30)])
    assert sum(shares.values()) == value
    assert max(map(abs, shares.values())) - min(abs(shares.get(k, 0)) for k in "abc") <= 1
