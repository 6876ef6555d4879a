"""The brute-force rule on its own: the tenth failure within a minute locks, and the lock ends."""

from __future__ import annotations

from central.portal import throttle


def test_nine_failures_in_a_minute_do_not_lock() -> None:
    """Nine wrong passwords in a minute leave the account open."""
    assert throttle.locked_until([100 + i for i in range(9)], now=110) is None


def test_the_tenth_failure_in_a_minute_locks_for_the_lockout() -> None:
    """The tenth wrong password within 60 s locks until 15 minutes after it."""
    failures = [100 + 6 * i for i in range(10)]  # the tenth at 154
    assert throttle.locked_until(failures, now=155) == 154 + throttle.LOCKOUT_S


def test_ten_failures_spread_over_more_than_a_minute_do_not_lock() -> None:
    """Slow guessing (one try every 7 s) is not the burst the lock is for."""
    assert throttle.locked_until([100 + 7 * i for i in range(10)], now=200) is None


def test_the_lock_ends() -> None:
    """Once the lockout has passed, the account opens again."""
    failures = list(range(100, 110))
    assert throttle.locked_until(failures, now=109 + throttle.LOCKOUT_S) is None
