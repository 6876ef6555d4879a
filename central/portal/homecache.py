"""A member's home page figures, computed at most once per ``ttl_s`` per member and portal process.

The home page adds up the member's year (points, SHU estimate, savings, loans and their schedules, the
latest purchases): about 40 queries, 10 to 40 ms. A member on a phone reloads it, comes back to it from
every other page, and twenty members doing so at once queue behind each other on a two-core office
machine. So the figures are kept for a few seconds, keyed on the member's newest transaction: a sale,
deposit, installment or dispute of the member that reaches the ledger is on the next view at once (one
index lookup, well under a millisecond, tells), and anything else (another member's purchases moving the
SHU estimate, a loan decision) shows within ``ttl_s``. Bounded: the least recently viewed members are
dropped beyond ``size``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final, Generic, TypeVar

from sqlalchemy import select

from central.ledger import Ledger, schema

TTL_S: Final = 10.0
SIZE: Final = 4096

T = TypeVar("T")
Marker = tuple[int, str] | None


def newest(ledger: Ledger, number: str) -> Marker:
    """(ts, id) of the member's newest transaction (``schema.MEMBER_TS_INDEX``), None when there is none."""
    tx = schema.transactions
    with ledger.read() as conn:
        row = conn.execute(
            select(tx.c.ts, tx.c.id)
            .where(tx.c.member == number)
            .order_by(tx.c.ts.desc(), tx.c.id.desc())
            .limit(1)
        ).first()
    return None if row is None else (int(row[0]), str(row[1]))


class MemberCache(Generic[T]):
    """Per member: the value ``compute`` made, while the member's newest transaction and the day are the
    same and it is younger than ``ttl_s``."""

    def __init__(
        self, ttl_s: float = TTL_S, size: int = SIZE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.size = size
        self.clock = clock
        self._lock = threading.Lock()
        self._kept: OrderedDict[str, tuple[Marker, str, float, T]] = OrderedDict()

    def get(self, ledger: Ledger, number: str, day: str, compute: Callable[[], T]) -> T:
        if self.ttl_s <= 0:
            return compute()
        marker = newest(ledger, number)
        now = self.clock()
        with self._lock:
            kept = self._kept.get(number)
            if kept is not None and kept[0] == marker and kept[1] == day and now - kept[2] < self.ttl_s:
                self._kept.move_to_end(number)
                return kept[3]
        value = compute()
        with self._lock:
            self._kept[number] = (marker, day, now, value)
            self._kept.move_to_end(number)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return value

    def forget(self, number: str) -> None:
        """Drop the member's figures (after something of theirs changed that is not a transaction)."""
        with self._lock:
            self._kept.pop(number, None)
