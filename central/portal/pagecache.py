"""Parts of pages kept per portal process while the data they were made from is unchanged.

A month of the cash book is the page every member opens, and the same page of the same month is asked for
again and again (the treasurer's phone, twenty members after an announcement). Its lines only ever grow:
the journal is append-only, and a cash line anywhere up to the month's end changes the cash account's line
count or its sums up to that day, which ``account_days`` holds per day. So a page part is kept under its
key beside that *version* and given back only while the version read now is the same: never stale, and
no clock involved. Bounded: the least recently used parts are dropped beyond ``size``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Final, Generic, TypeVar

SIZE: Final = 512  # parts of about 20 KB: some 10 MB at most

T = TypeVar("T")


class VersionedCache(Generic[T]):
    """Values under a key, each valid for the version it was made from (thread-safe, least recently used
    dropped first)."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._kept: OrderedDict[Hashable, tuple[Hashable, T]] = OrderedDict()

    def get(self, key: Hashable, version: Hashable) -> T | None:
        """The value kept under ``key`` if it was made from ``version``; None otherwise."""
        with self._lock:
            found = self._kept.get(key)
            if found is None or found[0] != version:
                return None
            self._kept.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, version: Hashable, value: T) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._kept[key] = (version, value)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)
