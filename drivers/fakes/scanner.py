"""A keyboard-wedge scanner without hardware, for kiosk tests and demos: the real evdev driver reading
a FIFO into which ``scan()`` writes real ``struct input_event`` records.

    with FakeKeyboardScanner() as scanner:   # same interface as EvdevScanner: get(), iteration, status
        scanner.scan("4006381333931")
        scan = scanner.get(timeout_s=1.0)    # Scan(code='4006381333931', kind='ean13', ...)

Everything after the FIFO is the production path: byte reading, the decoder, the queue.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from types import TracebackType

from drivers.evdev_scanner import EvdevScanner
from drivers.fakes.keyboard import scan_events
from drivers.keydecode import DecoderConfig, pack_events


class FakeKeyboardScanner(EvdevScanner):
    """See the module docstring. Not grabbed (a FIFO cannot be), so only for tests and demos."""

    def __init__(self, config: DecoderConfig | None = None, gap_s: float = 0.001) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="fake-scanner-"))
        self._fifo = self._dir / "event0"
        os.mkfifo(self._fifo)
        # Held open read-write so the FIFO always has a writer: no end-of-stream between scans.
        self._writer = os.open(self._fifo, os.O_RDWR)
        self.gap_s = gap_s
        super().__init__(str(self._fifo), config=config, grab=False, reopen=False)

    def scan(self, code: str, enter: bool = True) -> None:
        """Send the key events a scanner sends for ``code`` (and Enter), keys ``gap_s`` apart."""
        events = scan_events(code, self.config.layout, start=time.time(), gap_s=self.gap_s, enter=enter)
        data = pack_events(events)
        while data:
            data = data[os.write(self._writer, data) :]

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        super().__exit__(kind, err, tb)
        os.close(self._writer)
        shutil.rmtree(self._dir, ignore_errors=True)
