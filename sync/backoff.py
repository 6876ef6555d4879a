"""Reconnect delays: exponential backoff with jitter, bounded (a pure function of the attempt number)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

DELAY_S_INITIAL: Final = 0.5
# A device away for days retries at least this often once the broker is back.
DELAY_S_MAX: Final = 30.0
FACTOR: Final = 2.0
# Share of the delay that is randomised, so that a branch of devices does not reconnect in lockstep.
JITTER: Final = 0.5
# The exponent stops growing here (2**20 is far beyond any DELAY_S_MAX / DELAY_S_INITIAL).
MAX_EXPONENT: Final = 20


@dataclass(frozen=True)
class Backoff:
    """How long to wait before reconnect attempt number ``attempt`` (0 = first retry)."""

    initial_s: float = DELAY_S_INITIAL
    max_s: float = DELAY_S_MAX
    factor: float = FACTOR
    jitter: float = JITTER

    def __post_init__(self) -> None:
        if not (0 < self.initial_s <= self.max_s):
            raise ValueError("backoff needs 0 < initial_s <= max_s")
        if self.factor < 1 or not (0 <= self.jitter <= 1):
            raise ValueError("backoff needs factor >= 1 and 0 <= jitter <= 1")

    def ceiling_s(self, attempt: int) -> float:
        """The delay before jitter: initial x factor**attempt, capped at ``max_s``."""
        exponent = min(max(attempt, 0), MAX_EXPONENT)
        return float(min(self.max_s, self.initial_s * self.factor**exponent))

    def delay_s(self, attempt: int, rand: float) -> float:
        """The delay for ``attempt`` with ``rand`` in [0, 1) choosing where in the jitter band it falls."""
        ceiling = self.ceiling_s(attempt)
        return ceiling * (1.0 - self.jitter) + ceiling * self.jitter * min(max(rand, 0.0), 1.0)
