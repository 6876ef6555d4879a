"""Turning a serial scanner's bytes into scans: a pure line decoder (no clock, no I/O).

A serial scanner sends each code followed by a terminator (CR by default; LF or CR LF are common).
Bytes arrive in any chunking; ``feed(data, at)`` returns the scans completed by this chunk. A line
left unterminated longer than ``timeout_s`` is a half-finished scan and is dropped, as is a line
longer than ``MAX_LINE_BYTES`` (noise on the wire, wrong baud rate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from drivers.keydecode import Fragment
from drivers.scan import MEMBER_CARD_PATTERN, Scan, compile_card_pattern, make_scan

MAX_LINE_BYTES: Final = 256
TERMINATORS: Final[dict[str, bytes]] = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n"}
DEFAULT_SERIAL_TIMEOUT_S: Final = 0.5


def terminator_bytes(name: str) -> bytes:
    """The bytes of a terminator called ``cr``, ``lf`` or ``crlf`` (or given literally as ``\\r``...)."""
    literal = {"\\r": "cr", "\\n": "lf", "\\r\\n": "crlf"}.get(name, name.lower())
    if literal not in TERMINATORS:
        raise ValueError(f"terminator must be one of {', '.join(TERMINATORS)}, got {name!r}")
    return TERMINATORS[literal]


@dataclass
class LineDecoder:
    """Incremental line decoder for one serial scanner."""

    source: str = "serial"
    terminator: bytes = b"\r"
    timeout_s: float = DEFAULT_SERIAL_TIMEOUT_S
    card_pattern: str = MEMBER_CARD_PATTERN
    _buffer: bytearray = field(init=False, default_factory=bytearray)
    _last_at: float = field(init=False, default=0.0)
    _overflow: bool = field(init=False, default=False)
    _card: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.terminator not in TERMINATORS.values():
            raise ValueError(f"terminator must be one of {sorted(TERMINATORS.values())!r}")
        self._card = compile_card_pattern(self.card_pattern)

    @property
    def pending(self) -> bool:
        """True while an unterminated line is buffered."""
        return bool(self._buffer) or self._overflow

    def feed(self, data: bytes, at: float) -> list[Scan | Fragment]:
        """Take a chunk of bytes received at ``at``; return completed scans and dropped fragments."""
        out: list[Scan | Fragment] = []
        if self._buffer and at - self._last_at > self.timeout_s:
            out.extend(self.expire(at))
        # With CR LF either byte ends a line and the empty line between them is skipped.
        ends = b"\r\n" if self.terminator == b"\r\n" else self.terminator
        start = 0
        for index, byte in enumerate(data):
            if byte in ends:
                self._append(data[start:index])
                out.extend(self._finish(at))
                start = index + 1
        self._append(data[start:])
        if self._buffer:
            self._last_at = at
        return out

    def expire(self, now: float) -> list[Scan | Fragment]:
        """Drop an unterminated line whose last byte is older than ``timeout_s`` at ``now``."""
        if not self.pending or now - self._last_at <= self.timeout_s:
            return []
        text = self._buffer.decode("latin-1")
        self._buffer.clear()
        self._overflow = False
        return [Fragment(text, self._last_at, "timeout")] if text else []

    def reset(self) -> None:
        """Forget a partial line (port reopened)."""
        self._buffer.clear()
        self._overflow = False

    def _append(self, chunk: bytes) -> None:
        if self._overflow:
            return
        self._buffer += chunk
        if len(self._buffer) > MAX_LINE_BYTES:
            self._overflow = True

    def _finish(self, at: float) -> list[Scan | Fragment]:
        raw = bytes(self._buffer)
        overflow = self._overflow
        self._buffer.clear()
        self._overflow = False
        text = raw.decode("latin-1")
        if overflow:
            return [Fragment(text[:MAX_LINE_BYTES], at, "too_long")]
        if not text.strip():
            return []
        if not text.isprintable():
            return [Fragment(text, at, "garbled")]
        return [make_scan(text, self.source, at, self._card)]
