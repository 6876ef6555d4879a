"""Scans on their way to the screen: scanner threads push ``drivers.scan.Scan`` here, the UI takes them.

The feed is bounded; when a scanner floods it, the oldest scans are dropped (and counted), so a
stuck key can never grow memory or freeze the screen. ``ScanSource`` runs one scanner (any iterable
of scans, such as the drivers' evdev or serial scanners) on its own thread.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Final

from drivers.scan import Scan

log = logging.getLogger(__name__)

MAX_WAITING_SCANS: Final = 64
TAKE_BATCH: Final = 16
STOP_CHECK_S: Final = 0.1
JOIN_S: Final = 5.0


class ScanFeed:
    """A bounded, thread-safe queue of scans; ``push`` from any thread, ``take`` on the UI thread."""

    def __init__(self, maxlen: int = MAX_WAITING_SCANS) -> None:
        self._scans: deque[Scan] = deque(maxlen=maxlen)
        self._lock = threading.Lock()
        self.dropped = 0
        self.on_push: Callable[[], None] | None = None  # wakes the UI thread (a thread-safe Kivy trigger)

    def push(self, scan: Scan) -> None:
        with self._lock:
            if len(self._scans) == self._scans.maxlen:
                self.dropped += 1
            self._scans.append(scan)
        wake = self.on_push
        if wake is not None:
            wake()

    def take(self, limit: int = TAKE_BATCH) -> list[Scan]:
        with self._lock:
            out = []
            while self._scans and len(out) < limit:
                out.append(self._scans.popleft())
            return out

    def __len__(self) -> int:
        with self._lock:
            return len(self._scans)


class ScanSource:
    """Reads scans from ``open_scanner()`` (an iterable, optionally a context manager) on a thread.

    ``state`` is ``ok`` while the scanner delivers, ``offline`` when it could not be opened or went
    away (the status bar shows it), ``none`` before start.
    """

    def __init__(self, name: str, open_scanner: Callable[[], Iterable[Scan]], feed: ScanFeed) -> None:
        self.name = name
        self._open = open_scanner
        self._feed = feed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"scan-{name}", daemon=True)
        self.state = "none"
        self.error: str | None = None

    def start(self) -> ScanSource:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(JOIN_S)

    def _run(self) -> None:
        try:
            scanner = self._open()
            enter = getattr(scanner, "__enter__", None)
            source = enter() if callable(enter) else scanner
            self.state = "ok"
            try:
                get = getattr(source, "get", None)
                if callable(get):  # drivers' scanners: wait in short slices so stop() is seen
                    while not self._stop.is_set() and getattr(source, "status", "open") != "failed":
                        scan = get(STOP_CHECK_S)
                        if scan is not None:
                            self._feed.push(scan)
                else:
                    for scan in source:
                        if self._stop.is_set():
                            break
                        self._feed.push(scan)
            finally:
                exit_ = getattr(scanner, "__exit__", None)
                if callable(exit_):
                    exit_(None, None, None)
        except Exception as err:  # the scanner is hardware: report it on the status bar, keep the UI
            self.error = str(err)
            log.warning("scanner %s stopped: %s", self.name, err)
        self.state = "offline"
