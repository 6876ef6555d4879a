"""Brute-force protection as a pure rule: the tenth wrong password within a minute, for one account or
one address, locks that account or address for a while. The store keeps the failure times; this module
only decides (no clock, no database)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

THRESHOLD: Final = 10  # the 10th failure ...
WINDOW_S: Final = 60  # ... within a minute ...
LOCKOUT_S: Final = 15 * 60  # ... locks for 15 minutes from that failure
MAX_FAILURES_READ: Final = 500  # failures read per key: a bound, far above what a lock needs


def locked_until(
    failures: Sequence[int],
    now: int,
    *,
    threshold: int = THRESHOLD,
    window_s: int = WINDOW_S,
    lockout_s: int = LOCKOUT_S,
) -> int | None:
    """When the lock ends (a timestamp after ``now``), or None when not locked.

    ``failures`` are the key's failure times in seconds, any order. A lock starts at every failure that is
    the ``threshold``-th within ``window_s`` seconds and lasts ``lockout_s`` seconds from it.
    """
    times = sorted(failures)
    until: int | None = None
    for i in range(threshold - 1, len(times)):
        if times[i] - times[i - threshold + 1] <= window_s:
            end = times[i] + lockout_s
            if end > now and (until is None or end > until):
                until = end
    return until


def horizon(now: int, *, window_s: int = WINDOW_S, lockout_s: int = LOCKOUT_S) -> int:
    """The oldest failure time that can still matter at ``now``."""
    return now - window_s - lockout_s
