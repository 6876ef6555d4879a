"""Key-event recordings as a keyboard-wedge barcode scanner produces them (for tests, benchmarks, demos).

Each character is a key press and release, each with the ``MSC_SCAN`` event and ``SYN_REPORT`` a real
USB keyboard sends, wrapped in Shift or AltGr presses as the layout needs; a scan ends with Enter.
"""

from __future__ import annotations

from drivers import keymap
from drivers.keydecode import KeyEvent

# USB HID usage page 7 base, as MSC_SCAN reports it (value only needs to look plausible).
_HID_BASE = 0x70000


def _at(t: float) -> tuple[int, int]:
    micros = round(t * 1_000_000)
    return micros // 1_000_000, micros % 1_000_000


def key_events(code: int, down: bool, t: float) -> list[KeyEvent]:
    """One key press or release at time ``t``: MSC_SCAN, EV_KEY, SYN_REPORT."""
    sec, usec = _at(t)
    return [
        KeyEvent(sec, usec, keymap.EV_MSC, keymap.MSC_SCAN, _HID_BASE + code),
        KeyEvent(sec, usec, keymap.EV_KEY, code, keymap.KEY_DOWN if down else keymap.KEY_UP),
        KeyEvent(sec, usec, keymap.EV_SYN, keymap.SYN_REPORT, 0),
    ]


def scan_events(
    text: str,
    layout: str = "us",
    start: float = 1_700_000_000.0,
    gap_s: float = 0.001,
    enter: bool = True,
) -> list[KeyEvent]:
    """The events a scanner sends to type ``text`` (then Enter), keys ``gap_s`` apart from ``start``."""
    table = keymap.layout(layout)
    events: list[KeyEvent] = []
    t = start
    strokes = keymap.keys_for_text(text, table)
    if enter:
        strokes.append((keymap.KEY["ENTER"], False, False))
    for code, shift, altgr in strokes:
        modifier = keymap.KEY["LEFTSHIFT"] if shift else keymap.KEY["RIGHTALT"] if altgr else None
        if modifier is not None:
            events += key_events(modifier, True, t)
        events += key_events(code, True, t)
        events += key_events(code, False, t + gap_s / 2)
        if modifier is not None:
            events += key_events(modifier, False, t + gap_s / 2)
        t += gap_s
    return events


def end_time(events: list[KeyEvent]) -> float:
    """Time of the last event of a recording."""
    return events[-1].at if events else 0.0
