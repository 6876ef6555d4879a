"""What every scanner driver shares: open/close, a reader thread that only enqueues, reopen on unplug.

A driver subclass implements three things: ``_open`` (find and open the hardware, raising
``DeviceNotFound``), ``_read(timeout_s)`` (its one I/O primitive: wait for bytes and decode them,
raising ``DeviceGone`` when the hardware disappeared) and ``_close``. This class runs the read in a
thread, puts finished ``Scan``s into a bounded queue, keeps the last few dropped fragments for
diagnosis, and reopens the device with a bounded back-off when it is unplugged and plugged back.

    with EvdevScanner(vendor=0x05E0, product=0x1200) as scanner:
        for scan in scanner:          # or scanner.get(timeout_s=0.5)
            ...

The queue blocks the reader when full rather than dropping a scan; the kernel keeps buffering events
meanwhile.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Iterator
from types import TracebackType
from typing import Final, Literal, Self

from drivers.errors import DriverError
from drivers.keydecode import Fragment
from drivers.scan import Scan

log = logging.getLogger(__name__)

SCAN_QUEUE_MAX: Final = 256
FRAGMENTS_KEPT: Final = 32
READ_WAIT_S: Final = 0.05
PUT_WAIT_S: Final = 0.1
REOPEN_DELAY_S_MIN: Final = 0.05
REOPEN_DELAY_S_MAX: Final = 2.0
# About two hours of retries at the longest delay; afterwards the scanner reports "failed".
REOPEN_ATTEMPTS_MAX: Final = 3600
JOIN_WAIT_S: Final = 5.0

Status = Literal["closed", "open", "reconnecting", "failed"]


class ScannerBase:
    """A scanner as a context manager yielding ``Scan``s; see the module docstring."""

    source: str = "scanner"

    def __init__(self, *, reopen: bool = True, queue_size: int = SCAN_QUEUE_MAX) -> None:
        if not 1 <= queue_size <= 10 * SCAN_QUEUE_MAX:
            raise ValueError(f"queue_size must be from 1 to {10 * SCAN_QUEUE_MAX}")
        self.reopen = reopen
        self._queue: queue.Queue[Scan] = queue.Queue(maxsize=queue_size)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status: Status = "closed"
        self.fragments: deque[Fragment] = deque(maxlen=FRAGMENTS_KEPT)
        self.reopened = 0
        self.last_error: Exception | None = None

    # -- what subclasses provide ---------------------------------------------------------------
    def _open(self) -> None:
        raise NotImplementedError

    def _read(self, timeout_s: float) -> list[Scan | Fragment]:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def status(self) -> Status:
        """``open``, ``reconnecting`` (unplugged, retrying), ``failed`` (gave up) or ``closed``."""
        return self._status

    def open(self, background: bool = True) -> None:
        """Open the device (``DeviceNotFound`` if it is missing) and, by default, start the reader thread."""
        if self._status != "closed":
            return
        self._open()
        self._status = "open"
        self._stop.clear()
        if background:
            self._thread = threading.Thread(target=self._run, name=f"scanner {self.source}", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stop the reader thread and release the device. Safe to call twice."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(JOIN_WAIT_S)
            self._thread = None
        if self._status != "closed":
            self._close()
            self._status = "closed"

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- consuming -------------------------------------------------------------------------------
    def get(self, timeout_s: float | None = None) -> Scan | None:
        """The next scan, or None if none arrives within ``timeout_s``."""
        try:
            return self._queue.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def __iter__(self) -> Iterator[Scan]:
        """Scans as they come, until the scanner is closed or gives up reopening."""
        while True:
            scan = self.get(READ_WAIT_S)
            if scan is not None:
                yield scan
            elif self._stop.is_set() or self._status in ("closed", "failed"):
                return

    def poll(self, timeout_s: float = READ_WAIT_S) -> list[Scan]:
        """Read once in the caller's thread (when opened with ``background=False``)."""
        return self._keep(self._read(timeout_s))

    # -- the reader thread -------------------------------------------------------------------------
    def _keep(self, items: list[Scan | Fragment]) -> list[Scan]:
        scans: list[Scan] = []
        for item in items:
            if isinstance(item, Scan):
                scans.append(item)
            else:
                self.fragments.append(item)
                log.info("%s dropped %r (%s)", self.source, item.text, item.reason)
        return scans

    def _put(self, scan: Scan) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(scan, timeout=PUT_WAIT_S)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                scans = self._keep(self._read(READ_WAIT_S))
            except Exception as err:  # DeviceGone, or any read failure: reopen rather than die silently
                self.last_error = err
                log.warning("%s: %s", self.source, err)
                if not self.reopen or not self._reconnect():
                    self._status = "failed"
                    return
                continue
            for scan in scans:
                if not self._put(scan):
                    return

    def _reconnect(self) -> bool:
        self._status = "reconnecting"
        self._close()
        delay = REOPEN_DELAY_S_MIN
        for _ in range(REOPEN_ATTEMPTS_MAX):
            if self._stop.wait(delay):
                return False
            try:
                self._open()
            except DriverError as err:  # not there yet, or grabbed by another program: try again
                self.last_error = err
                delay = min(delay * 2, REOPEN_DELAY_S_MAX)
                continue
            self.reopened += 1
            self._status = "open"
            log.info("%s reopened", self.source)
            return True
        return False
