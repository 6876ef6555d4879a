"""The scan feed between scanner threads and the UI: bounded, ordered, and it counts what it dropped."""

from __future__ import annotations

from drivers.scan import make_scan
from kiosk.scanning import ScanFeed


def test_feed_keeps_order_and_drops_the_oldest_when_full() -> None:
    """A flooded feed keeps the newest scans in order and counts the dropped ones."""
    feed = ScanFeed(maxlen=3)
    for i in range(5):
        feed.push(make_scan(f"code{i}", "t", float(i)))
    assert feed.dropped == 2
    assert [scan.code for scan in feed.take()] == ["code2", "code3", "code4"]
    assert feed.take() == []


def test_take_is_bounded_per_call() -> None:
    """One UI frame takes at most its batch, the rest waits for the next frame."""
    feed = ScanFeed()
    for i in range(10):
        feed.push(make_scan(str(i), "t", 0.0))
    assert len(feed.take(limit=4)) == 4
    assert len(feed) == 6
