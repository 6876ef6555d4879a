"""Fake ESC/POS printers: on a TCP port of 127.0.0.1 or at the far end of a pty.

They keep every byte received and answer the paper status query (``DLE EOT 4``) from their
``paper`` attribute (``ok``, ``low``, ``out``), like a thermal printer's sensor.
"""

from __future__ import annotations

import os
import select
import socket
import threading
from types import TracebackType
from typing import Final, Literal

from drivers.fakes.ptys import close_pty, open_raw_pty

PAPER_STATUS_QUERY: Final = b"\x10\x04\x04"
STATUS_BYTES: Final[dict[str, bytes]] = {"ok": b"\x12", "low": b"\x1e", "out": b"\x72"}
POLL_S: Final = 0.05
MAX_KEPT_BYTES: Final = 16 * 1024 * 1024


class _FakePrinter:
    def __init__(self, paper: Literal["ok", "low", "out"] = "ok", answers: bool = True) -> None:
        self.paper = paper
        self.answers = answers
        self.received = bytearray()
        self.queries = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _take(self, data: bytes) -> bytes:
        """Keep printed ``data``; answer a status query (sent on its own, awaiting the reply)."""
        if data == PAPER_STATUS_QUERY:
            self.queries += 1
            return STATUS_BYTES[self.paper] if self.answers else b""
        with self._lock:
            self.received += data[: MAX_KEPT_BYTES - len(self.received)]
        return b""

    @property
    def printed(self) -> bytes:
        """Every byte printed so far (status queries are not kept)."""
        with self._lock:
            return bytes(self.received)


class FakeNetworkPrinter(_FakePrinter):
    """A raw-port (9100-style) printer listening on 127.0.0.1; ``uri`` is its address."""

    def __enter__(self) -> FakeNetworkPrinter:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(POLL_S)
        self.port = self._server.getsockname()[1]
        self.uri = f"tcp://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._serve, name="fake printer", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(POLL_S)
                while not self._stop.is_set():
                    try:
                        data = conn.recv(65536)
                    except TimeoutError:
                        continue
                    except OSError:
                        break
                    if not data:
                        break
                    reply = self._take(data)
                    if reply:
                        conn.sendall(reply)


class FakeSerialPrinter(_FakePrinter):
    """A serial printer at the far end of a pty; ``port`` is the device path a driver opens."""

    def __enter__(self) -> FakeSerialPrinter:
        self._master, self._slave, self.port = open_raw_pty()
        self.uri = f"serial:{self.port}"
        self._thread = threading.Thread(target=self._serve, name="fake serial printer", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        close_pty(self._master, self._slave)

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], POLL_S)
            if not ready:
                continue
            try:
                data = os.read(self._master, 65536)
            except OSError:
                continue
            reply = self._take(data)
            if reply:
                os.write(self._master, reply)
