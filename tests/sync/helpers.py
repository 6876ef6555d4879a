"""Small helpers for the transport tests: drive a Link until a condition holds (bounded by a deadline)."""

from __future__ import annotations

import time
from collections.abc import Callable

from sync.link import Event, Link

# A generous bound for conditions that normally hold within milliseconds (CI machines are slow, shared).
WAIT_S = 20.0


def pump(link: Link, until: Callable[[list[Event]], bool], timeout_s: float = WAIT_S) -> list[Event]:
    """Step ``link`` and collect its events until ``until(events)`` is true; fail the test on timeout."""
    events: list[Event] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        link.step(0.02)
        fresh = link.drain()
        events.extend(fresh)
        if until(events):
            return events
    raise AssertionError(f"condition not reached in {timeout_s} s; events: {events[-10:]}")


def kinds(events: list[Event]) -> list[str]:
    return [e.kind.value for e in events]
