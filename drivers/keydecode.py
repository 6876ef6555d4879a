"""Turning keyboard events into scans: a pure, deterministic decoder with no clock and no I/O.

The input is the kernel's ``struct input_event`` records (``parse_events`` reads them from bytes);
the output is classified ``Scan``s and ``Fragment``s (text that was thrown away, with the reason).
Time comes only from the events' own timestamps, plus an explicit ``now`` given to ``expire`` by a
live driver that has waited without new events.

Rules, in the order they matter:
- A scan ends on Enter (main or keypad; Tab too if configured). With ``end="timeout"`` (a scanner
  configured without a suffix), a pause longer than ``timeout_s`` also ends it.
- With ``end="enter"`` (the default), text followed by a pause longer than ``timeout_s`` is a
  half-finished scan (scanner unplugged mid-scan, a key pressed by hand) and is dropped, never
  delivered: a truncated EAN-13 can pass as a valid UPC-A one time in ten.
- ``SYN_DROPPED`` (the kernel lost events) drops the text so far and everything up to the next
  terminator: a lost scan is noticed at the counter, a corrupted one may not be.
- Key repeats are ignored; Shift, AltGr and CapsLock are tracked; Ctrl combinations type nothing.
- A scan longer than ``MAX_CODE_CHARS`` is dropped when it ends.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Literal, NamedTuple

from drivers import keymap
from drivers.errors import BadEventStream
from drivers.keymap import Layout
from drivers.scan import MAX_CODE_CHARS, Scan, compile_card_pattern, make_scan

# struct input_event: struct timeval (two longs), __u16 type, __u16 code, __s32 value.
EVENT_FORMAT: Final = "llHHi"
EVENT_SIZE: Final = struct.calcsize(EVENT_FORMAT)
# 32-bit (armhf Raspberry Pi OS) and 64-bit records, for recordings made on another machine.
EVENT_FORMATS: Final[dict[int, str]] = {16: "<iiHHi", 24: "<qqHHi"}
DEFAULT_TIMEOUT_S: Final = 0.1
MAX_TIMEOUT_S: Final = 5.0

EndMode = Literal["enter", "timeout"]


class KeyEvent(NamedTuple):
    """One ``struct input_event``: timestamp in seconds and microseconds, type, code, value."""

    sec: int
    usec: int
    type: int
    code: int
    value: int

    @property
    def at(self) -> float:
        """The event's time in seconds."""
        return self.sec + self.usec / 1_000_000


@dataclass(frozen=True, slots=True)
class Fragment:
    """Text the decoder threw away instead of delivering, and why (``timeout``, ``dropped``, ``too_long``)."""

    text: str
    at: float
    reason: str


@dataclass(frozen=True, slots=True)
class DecoderConfig:
    """How a keyboard-wedge scanner is set up: layout, what ends a scan, and the member-card pattern."""

    layout: str = "us"
    end: EndMode = "enter"
    timeout_s: float = DEFAULT_TIMEOUT_S
    tab_ends_scan: bool = False
    card_pattern: str = r"^KP[0-9A-HJKMNP-TV-Z]{12}$"

    def __post_init__(self) -> None:
        keymap.layout(self.layout)
        if self.end not in ("enter", "timeout"):
            raise ValueError(f"end must be 'enter' or 'timeout', got {self.end!r}")
        if not 0 < self.timeout_s <= MAX_TIMEOUT_S:
            raise ValueError(f"timeout_s must be above 0 and at most {MAX_TIMEOUT_S}")


def parse_events(data: bytes, record_size: int = EVENT_SIZE) -> list[KeyEvent]:
    """Split raw bytes into events; ``record_size`` 24 (64-bit kernel) or 16 (32-bit)."""
    if record_size not in EVENT_FORMATS:
        raise BadEventStream(
            f"record size {record_size} is not 16 (32-bit) or 24 (64-bit)",
            f"ukuran rekaman {record_size} bukan 16 (32-bit) atau 24 (64-bit)",
        )
    if len(data) % record_size:
        raise BadEventStream(
            f"{len(data)} bytes is not a whole number of {record_size}-byte input_event records;"
            " is this a recording of /dev/input/eventN?",
            f"{len(data)} byte bukan kelipatan rekaman input_event {record_size} byte;"
            " apakah ini rekaman dari /dev/input/eventN?",
        )
    unpack = struct.Struct(EVENT_FORMATS[record_size]).iter_unpack
    return [KeyEvent(*fields) for fields in unpack(data)]


def pack_events(events: Iterable[KeyEvent], record_size: int = EVENT_SIZE) -> bytes:
    """The bytes of ``events`` as the kernel writes them."""
    packer = struct.Struct(EVENT_FORMATS[record_size])
    return b"".join(packer.pack(*event) for event in events)


@dataclass
class KeyDecoder:
    """Incremental decoder: ``feed`` events in order, collect the ``Scan``s and ``Fragment``s it returns.

    Deterministic: the same events give the same output. Holds only the text typed so far and the
    modifier state.
    """

    config: DecoderConfig = field(default_factory=DecoderConfig)
    source: str = "keyboard"
    _table: Layout = field(init=False, repr=False)
    _card: re.Pattern[str] = field(init=False, repr=False)
    _chars: list[str] = field(init=False, default_factory=list)
    _last_at: float = field(init=False, default=0.0)
    _shift: set[int] = field(init=False, default_factory=set)
    _altgr: bool = field(init=False, default=False)
    _ctrl: set[int] = field(init=False, default_factory=set)
    _caps: bool = field(init=False, default=False)
    _tainted: bool = field(init=False, default=False)
    _terminators: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        self._table = keymap.layout(self.config.layout)
        self._card = compile_card_pattern(self.config.card_pattern)
        enders = set(keymap.ENTER_KEYS)
        if self.config.tab_ends_scan:
            enders.add(keymap.TAB_KEY)
        self._terminators = frozenset(enders)

    @property
    def pending(self) -> bool:
        """True while part of a scan has been typed and not yet ended."""
        return bool(self._chars) or self._tainted

    def reset(self) -> list[Fragment]:
        """Forget everything (device reopened); returns what was typed so far as a fragment."""
        out = [Fragment("".join(self._chars), self._last_at, "reset")] if self._chars else []
        self._chars.clear()
        self._shift.clear()
        self._ctrl.clear()
        self._altgr = self._caps = self._tainted = False
        return out

    def expire(self, now: float) -> list[Scan | Fragment]:
        """End or drop a scan whose last key is older than ``timeout_s`` at time ``now``."""
        if not self._chars or now - self._last_at <= self.config.timeout_s:
            return []
        return self._finish(self._last_at, by_timeout=True)

    def feed(self, event: KeyEvent) -> list[Scan | Fragment]:
        """Take one event; return the scans it completes and the fragments it throws away."""
        if event.type == keymap.EV_SYN and event.code == keymap.SYN_DROPPED:
            dropped = "".join(self._chars)
            self._chars.clear()
            self._tainted = True
            self._shift.clear()
            self._altgr = False
            return [Fragment(dropped, event.at, "dropped")]
        if event.type != keymap.EV_KEY or event.value == keymap.KEY_REPEAT:
            return []
        code = event.code
        down = event.value == keymap.KEY_DOWN
        if code in keymap.SHIFT_KEYS:
            (self._shift.add if down else self._shift.discard)(code)
            return []
        if code in keymap.ALTGR_KEYS:
            self._altgr = down
            return []
        if code in keymap.CTRL_KEYS:
            (self._ctrl.add if down else self._ctrl.discard)(code)
            return []
        if not down:
            return []
        if code == keymap.CAPSLOCK_KEY:
            self._caps = not self._caps
            return []
        out: list[Scan | Fragment] = []
        at = event.at
        if self._chars and at - self._last_at > self.config.timeout_s:
            out.extend(self._finish(self._last_at, by_timeout=True))
        if code in self._terminators:
            out.extend(self._finish(at, by_timeout=False))
            return out
        keys = self._table.get(code)
        if keys is None or self._ctrl:
            return out
        if self._altgr:
            char = keys.altgr
        else:
            char = keys.shift if self._shift else keys.plain
            if self._caps and char.isalpha():
                char = char.lower() if self._shift else char.upper()
        if char:
            self._chars.append(char)
            self._last_at = at
        return out

    def _finish(self, at: float, *, by_timeout: bool) -> list[Scan | Fragment]:
        text = "".join(self._chars)
        self._chars.clear()
        if self._tainted:
            if not by_timeout:
                self._tainted = False
            return [Fragment(text, at, "dropped")] if text else []
        if not text:
            return []
        if by_timeout and self.config.end == "enter":
            return [Fragment(text, at, "timeout")]
        if len(text) > MAX_CODE_CHARS:
            return [Fragment(text[:MAX_CODE_CHARS], at, "too_long")]
        return [make_scan(text, self.source, at, self._card)]


def decode_events(
    events: Iterable[KeyEvent], config: DecoderConfig | None = None, source: str = "keyboard"
) -> tuple[list[Scan], list[Fragment]]:
    """All scans in a finished recording, and the fragments dropped, as a pure function of the events.

    A scan still being typed when the recording ends is reported as a ``timeout`` fragment (or, with
    ``end="timeout"``, delivered).
    """
    decoder = KeyDecoder(config or DecoderConfig(), source)
    scans: list[Scan] = []
    fragments: list[Fragment] = []
    last = 0.0
    for event in events:
        last = event.at
        _sort_into(decoder.feed(event), scans, fragments)
    _sort_into(decoder.expire(last + decoder.config.timeout_s + 1), scans, fragments)
    return scans, fragments


def _sort_into(items: list[Scan | Fragment], scans: list[Scan], fragments: list[Fragment]) -> None:
    for item in items:
        if isinstance(item, Scan):
            scans.append(item)
        else:
            fragments.append(item)
