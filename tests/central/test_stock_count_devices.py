"""Stock counts counted on a device: ``count_line`` envelopes go through the ledger's ingest (no entry, an
unknown or foreign item refused), enter the open count at the moment the device counted them exactly as a
typed line does, and one that arrives after the count closed is kept as late with its reason, never lost."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from central import sample
from central.ledger import Ledger, schema
from central.stock import counts
from sync import envelope as wire
from tests.central.helpers import TOKO_COST, TOKO_SKU, Device

OTHER = sample.sample_products()[1]


def _ts(ledger: Ledger, hour: int, minute: int = 0) -> int:
    return int(datetime(2026, 3, 5, hour, minute, tzinfo=ledger.config.tz).timestamp())


def _at(hour: int, minute: int = 0, day: int = 5) -> str:
    return f"2026-03-{day:02d}T{hour:02d}:{minute:02d}:00+07:00"


def _counted(dev: Device, count: int, lines: list[tuple[str, Any]], at: str) -> dict[str, Any]:
    return dev.make(
        "count_line", count=count, clerk="sari", at=at, lines=[{"sku": s, "qty": q} for s, q in lines]
    )


@pytest.fixture
def shop(ledger: Ledger) -> tuple[Ledger, Device]:
    """20 of the toko's first item and 5 of its second bought on 1 March."""
    ledger.import_products(list(sample.sample_products()))
    dev = Device().register(ledger)
    bought = dev.make(
        "purchase",
        at=_at(7, day=1),
        lines=[
            {"sku": TOKO_SKU, "qty": 20, "price_rp": TOKO_COST, "cost_rp": TOKO_COST},
            {"sku": OTHER.sku, "qty": 5, "price_rp": OTHER.cost_rp, "cost_rp": OTHER.cost_rp},
        ],
        total=20 * TOKO_COST + 5 * OTHER.cost_rp,
    )
    assert not ledger.ingest([bought]).rejected
    return ledger, dev


def test_the_envelope_shape_is_checked_on_both_sides() -> None:
    """A count line carries a count number, a clerk and {sku, qty} lines, qty 0 allowed; money, a
    negative or repeated item are refused by the wire format itself."""
    dev = Device()
    good = _counted(dev, 3, [(TOKO_SKU, 0), (OTHER.sku, "1.5")], _at(9))
    wire.check(good)
    for change, why in (
        ({"total": 100}, "moves no money"),
        ({"count": 0}, "count"),
        ({"lines": []}, "1 to"),
        ({"lines": [{"sku": TOKO_SKU, "qty": -1}]}, "qty"),
        ({"lines": [{"sku": TOKO_SKU, "qty": False}]}, "qty"),
        ({"lines": [{"sku": TOKO_SKU, "qty": 1}, {"sku": TOKO_SKU, "qty": 2}]}, "twice"),
        ({"lines": [{"sku": TOKO_SKU, "qty": 1, "price_rp": 5}]}, "keys"),
    ):
        with pytest.raises(wire.EnvelopeError, match=why):
            wire.check({**good, **change})


def test_device_lines_enter_the_open_count_as_typed_lines(shop: tuple[Ledger, Device]) -> None:
    """Counted on the kiosk at 10:00 (after a sale of 3 at 09:00) and synced at 11:30, after a later
    sale: the line is the count's at 10:00, so expected is 17 and the 16 counted is one missing; the
    ledger holds the envelope with no journal entry."""
    ledger, dev = shop
    count = counts.start(ledger, "toko", by="mgr", now_ts=_ts(ledger, 8))
    assert not ledger.ingest([dev.sale(member=None, qty=3, at=_at(9))]).rejected
    counted = _counted(dev, count.id, [(TOKO_SKU, 16), (OTHER.sku, 5)], _at(10))
    later_sale = dev.sale(member=None, qty=1, at=_at(11))
    report = ledger.ingest([counted, later_sale])
    assert not report.rejected
    with ledger.read() as conn:
        j = schema.journal
        assert conn.execute(select(func.count()).where(j.c.tx == counted["id"])).scalar() == 0
    sheet = counts.get(ledger, count.id)
    by_sku = {line.sku: line for line in sheet.lines}
    assert by_sku[TOKO_SKU].counted_milli == 16_000
    assert by_sku[TOKO_SKU].counted_by == "sari@toko-09"
    assert by_sku[TOKO_SKU].counted_ts == _ts(ledger, 10)
    closed = counts.close(ledger, count.id, by="mgr", now_ts=_ts(ledger, 12))
    lines = {line.sku: line for line in closed.lines}
    assert lines[TOKO_SKU].expected_milli == 17_000 and lines[TOKO_SKU].diff_milli == -1_000
    assert lines[OTHER.sku].diff_milli == 0
    assert closed.loss_rp == TOKO_COST and closed.surplus_rp == 0
    (taken,) = counts.device_lines(ledger, count.id)
    assert (taken.status, taken.lines, taken.reason) == ("taken", 2, None)


def test_a_later_line_of_the_item_stays(shop: tuple[Ledger, Device]) -> None:
    """An item typed at the office at 10:30 keeps its line when a device's line counted at 10:00 of the
    same item syncs afterwards; the device's newer line replaces an older one."""
    ledger, dev = shop
    count = counts.start(ledger, "toko", by="mgr", now_ts=_ts(ledger, 8))
    counts.enter(ledger, count.id, TOKO_SKU, "19", by="staf1", now_ts=_ts(ledger, 10, 30))
    counts.enter(ledger, count.id, OTHER.sku, "9", by="staf1", now_ts=_ts(ledger, 9))
    assert not ledger.ingest([_counted(dev, count.id, [(TOKO_SKU, 18), (OTHER.sku, 4)], _at(10))]).rejected
    lines = {line.sku: line for line in counts.get(ledger, count.id).lines}
    assert lines[TOKO_SKU].counted_milli == 19_000
    assert lines[OTHER.sku].counted_milli == 4_000


def test_a_line_after_the_count_closed_is_late_and_kept(shop: tuple[Ledger, Device]) -> None:
    """The office closed the count before the device's line arrived: the count is not changed, the line is
    listed as late with the reason, and the envelope is in the ledger; so is a line for a count that
    does not exist."""
    ledger, dev = shop
    count = counts.start(ledger, "toko", by="mgr", now_ts=_ts(ledger, 8))
    counts.enter(ledger, count.id, TOKO_SKU, "20", by="staf1", now_ts=_ts(ledger, 9))
    before = counts.close(ledger, count.id, by="mgr", now_ts=_ts(ledger, 10))
    late = _counted(dev, count.id, [(OTHER.sku, 2)], _at(9, 30))
    stray = _counted(dev, 99, [(OTHER.sku, 2)], _at(9, 40))
    assert not ledger.ingest([late, stray]).rejected
    after = counts.get(ledger, count.id)
    assert after.lines == before.lines and after.loss_rp == before.loss_rp
    (kept,) = counts.device_lines(ledger, count.id)
    assert kept.status == "late" and "closed" in (kept.reason or "")
    (unknown,) = counts.device_lines(ledger, 99)
    assert unknown.status == "late" and "no stock count number 99" in (unknown.reason or "")
    with ledger.read() as conn:
        t = schema.transactions
        found = conn.execute(select(func.count()).where(t.c.kind == "count_line")).scalar()
    assert found == 2


def test_an_unknown_or_foreign_item_is_refused_at_ingest(shop: tuple[Ledger, Device]) -> None:
    """A count line naming an item central does not know, or another unit's item, is refused with a
    reason an operator can read (quarantine), and the chain goes on."""
    ledger, dev = shop
    count = counts.start(ledger, "toko", by="mgr", now_ts=_ts(ledger, 8))
    foreign = next(p for p in sample.sample_products() if p.unit != "toko")
    report = ledger.ingest(
        [
            _counted(dev, count.id, [("0000000000000", 1)], _at(9)),
            _counted(dev, count.id, [(foreign.sku, 1)], _at(9, 5)),
            _counted(dev, count.id, [(TOKO_SKU, 7)], _at(9, 10)),
        ]
    )
    reasons = [r.reason for r in report.rejected]
    assert len(reasons) == 2, reasons
    assert "unknown sku" in reasons[0] and f"unit {foreign.unit}" in reasons[1]
    (line,) = counts.get(ledger, count.id).lines
    assert line.counted_milli == 7_000


def test_open_counts_for_the_downlink(shop: tuple[Ledger, Device]) -> None:
    """The counts downlink lists the open counts only, with the id as text (the downlink's keys)."""
    ledger, _ = shop
    count = counts.start(ledger, "toko", by="mgr", section="rak 1", now_ts=_ts(ledger, 8))
    assert counts.open_counts(ledger) == [
        {"id": str(count.id), "unit": "toko", "section": "rak 1", "started": "2026-03-05T08:00:00+07:00"}
    ]
    counts.enter(ledger, count.id, TOKO_SKU, "20", by="staf1", now_ts=_ts(ledger, 9))
    counts.close(ledger, count.id, by="mgr", now_ts=_ts(ledger, 10))
    assert counts.open_counts(ledger) == []
