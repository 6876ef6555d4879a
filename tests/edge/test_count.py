"""Counting stock at a device for the office's stock count (stok opname): the open count comes on the
``counts`` downlink, each counted item is added to what the device counted of it and recorded as a
``count_line`` envelope with the new total; a closed count, an unknown or another unit's item is refused
with a reason, and counting moves neither stock nor the shift's cash."""

from __future__ import annotations

import pytest

from edge.device import Device
from edge.errors import InvalidDownlink, NoOpenCount, NotVoidable, UnknownProduct, WrongUnit
from sync import envelope as wire

OPEN = {"id": "3", "unit": "toko", "section": "rak 1", "started": "2026-11-22T07:00:00+07:00"}


def _counts(version: int, items: list[dict[str, object]]) -> dict[str, object]:
    return {"name": "counts", "kind": "snapshot", "version": version, "items": items}


def test_the_open_count_comes_and_goes_with_the_downlink(dev: Device) -> None:
    """A snapshot with the unit's open count offers it; a delta deleting it closes it; another unit's count
    is never this device's."""
    assert dev.open_count() is None
    other = {**OPEN, "id": "4", "unit": "cafe"}
    assert dev.apply_downlink("counts", _counts(1, [OPEN, other]))
    found = dev.open_count()
    assert found is not None and (found.id, found.section) == ("3", "rak 1")
    delta = {"name": "counts", "kind": "delta", "version": 2, "base": 1, "items": [], "delete": ["3"]}
    assert dev.apply_downlink("counts", delta)
    assert dev.open_count() is None


def test_a_malformed_counts_item_changes_nothing(dev: Device) -> None:
    """A count without a number is refused whole."""
    with pytest.raises(InvalidDownlink):
        dev.apply_downlink("counts", _counts(1, [{**OPEN, "id": 3}]))
    assert dev.open_count() is None


def test_counting_adds_up_per_item_and_records_the_total(dev: Device) -> None:
    """Two places of one item (5 then 3) give two envelopes, the second carrying 8; a weighed item keeps
    its decimals; an empty shelf is counted 0. Stock and the shift's cash do not move."""
    dev.add_clerk("k1", "Ani", "1357")
    dev.apply_downlink("counts", _counts(1, [OPEN]))
    stock = dev.stock_milli()
    first, total = dev.record_count("3", "8991001", 5, "k1")
    assert total == 5_000 and first.envelope["lines"] == [{"sku": "8991001", "qty": 5}]
    second, total = dev.record_count("3", "8991001", 3, "k1")
    assert total == 8_000 and second.envelope["lines"] == [{"sku": "8991001", "qty": 8}]
    _, weighed = dev.record_count("3", "TELUR", "1.250", "k1")
    _, empty = dev.record_count("3", "8991002", 0, "k1")
    assert (weighed, empty) == (1_250, 0)
    env = second.envelope
    wire.check(env)
    assert (env["kind"], env["count"], env["clerk"], env["total"], env["member"]) == (
        "count_line",
        3,
        "k1",
        0,
        None,
    )
    assert {sku: milli for sku, milli, _ in dev.counted("3")} == {
        "8991001": 8_000,
        "TELUR": 1_250,
        "8991002": 0,
    }
    _, replaced = dev.record_count("3", "8991001", 7, "k1", add=False)
    assert replaced == 7_000
    assert dev.stock_milli() == stock
    assert dev.shift_summary("k1", "2000-01-01T00:00:00+07:00").cash_expected_rp == 0
    with pytest.raises(NotVoidable):
        dev.record_void(second.id, "salah hitung", clerk="k1")


def test_counting_is_refused_with_a_reason(dev: Device) -> None:
    """A closed (or never announced) count, an item not in the catalog, another unit's item and an unknown
    clerk are refused and record nothing."""
    dev.add_clerk("k1", "Ani", "1357")
    with pytest.raises(NoOpenCount) as closed:
        dev.record_count("3", "8991001", 1, "k1")
    assert "sudah ditutup" in closed.value.message("id") and "closed" in closed.value.message("en")
    dev.apply_downlink("counts", _counts(1, [OPEN]))
    with pytest.raises(UnknownProduct):
        dev.record_count("3", "0000000", 1, "k1")
    with pytest.raises(WrongUnit):
        dev.record_count("3", "KOPI", 1, "k1")
    before = dev.unsynced_count()
    with pytest.raises(Exception, match="k9"):
        dev.record_count("3", "8991001", 1, "k9")
    assert dev.unsynced_count() == before
    assert dev.counted("3") == []
