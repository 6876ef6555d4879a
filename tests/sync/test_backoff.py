"""Reconnect backoff: grows exponentially, never exceeds its cap, and jitter stays within its band."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.backoff import Backoff


@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0, max_value=1))
def test_delay_within_jitter_band_and_cap(attempt: int, rand: float) -> None:
    """Every delay lies between (1 - jitter) x ceiling and the ceiling, and the ceiling is capped."""
    policy = Backoff(initial_s=0.5, max_s=30.0, jitter=0.5)
    ceiling = policy.ceiling_s(attempt)
    delay = policy.delay_s(attempt, rand)
    assert ceiling <= 30.0
    assert ceiling * 0.5 - 1e-9 <= delay <= ceiling + 1e-9


@given(st.integers(min_value=0, max_value=200))
def test_ceiling_never_decreases(attempt: int) -> None:
    """Each further attempt waits at least as long (before jitter) as the one before."""
    policy = Backoff()
    assert policy.ceiling_s(attempt + 1) >= policy.ceiling_s(attempt)


def test_first_delays_double() -> None:
    """Without jitter the delays are 0.5, 1, 2, 4 s then stop at the cap."""
    policy = Backoff(initial_s=0.5, max_s=3.0, jitter=0.0)
    assert [policy.delay_s(a, 0.7) for a in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_bad_policy_refused() -> None:
    """A policy with a cap below its first delay is refused."""
    with pytest.raises(ValueError, match="initial_s"):
        Backoff(initial_s=5, max_s=1)
