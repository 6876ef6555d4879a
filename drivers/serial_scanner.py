"""Serial barcode scanners (RS-232 or USB CDC-ACM, ``/dev/ttyACM0``): one code per terminated line.

The one I/O primitive is pyserial's ``read``; decoding is ``drivers.linedecode``. Baud rate and
terminator are configurable (most scanners ship at 9600 baud with CR). A USB-serial scanner that is
unplugged makes the read fail; the driver reopens the port when it comes back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Final

from drivers.errors import DeviceGone, DeviceNotFound
from drivers.keydecode import Fragment
from drivers.linedecode import DEFAULT_SERIAL_TIMEOUT_S, LineDecoder
from drivers.scan import MEMBER_CARD_PATTERN, Scan
from drivers.scanner import READ_WAIT_S, ScannerBase

BAUD_RATES: Final = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
READ_CHUNK_MAX: Final = 4096


class SerialScanner(ScannerBase):
    """A line-terminated serial scanner; ``port`` is a path or a function returning one."""

    def __init__(
        self,
        port: str | Callable[[], str],
        *,
        baud: int = 9600,
        terminator: bytes = b"\r",
        timeout_s: float = DEFAULT_SERIAL_TIMEOUT_S,
        card_pattern: str = MEMBER_CARD_PATTERN,
        reopen: bool = True,
    ) -> None:
        super().__init__(reopen=reopen)
        if baud not in BAUD_RATES:
            raise ValueError(f"baud must be one of {', '.join(map(str, BAUD_RATES))}, got {baud}")
        self._port: Callable[[], str] = port if callable(port) else (lambda: port)
        self.baud = baud
        self.path = port if isinstance(port, str) else ""
        self.source = f"serial:{self.path}"
        self._decoder = LineDecoder(self.source, terminator, timeout_s, card_pattern)
        self._serial: Any = None

    def _open(self) -> None:
        import serial

        path = self._port()
        try:
            self._serial = serial.Serial(path, self.baud, timeout=READ_WAIT_S, exclusive=True)
        except (serial.SerialException, OSError, ValueError) as err:
            raise DeviceNotFound(
                f"cannot open serial scanner {path} ({err}); is it plugged in and is the port right?",
                f"tidak bisa membuka pemindai serial {path} ({err}); apakah sudah dicolok dan port-nya "
                "benar?",
            ) from err
        self.path = path
        self.source = f"serial:{path}"
        self._decoder.source = self.source
        self._decoder.reset()

    def _close(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            port.close()
        self._decoder.reset()

    def _read(self, timeout_s: float) -> list[Scan | Fragment]:
        import serial

        port = self._serial
        if port is None:
            raise DeviceGone("scanner is not open", "pemindai belum dibuka")
        try:
            if port.timeout != timeout_s:  # changing it reconfigures the port: only when asked
                port.timeout = timeout_s
            data = port.read(1)
            waiting = min(port.in_waiting, READ_CHUNK_MAX) if data else 0
            if waiting:  # already received: returns at once
                data += port.read(waiting)
        except (serial.SerialException, OSError) as err:
            raise DeviceGone(
                f"serial scanner {self.path} disappeared ({err}); waiting for it to come back",
                f"pemindai serial {self.path} terlepas ({err}); menunggu dicolok kembali",
            ) from err
        now = time.time()
        if data:
            return self._decoder.feed(data, now)
        return self._decoder.expire(now)
