"""The pure key-event decoder: layouts, terminators, timeouts, dropped events (drivers/keydecode.py)."""

from __future__ import annotations

import struct

import evdev
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers import keymap
from drivers.errors import BadEventStream, UnknownLayout
from drivers.fakes.keyboard import key_events, scan_events
from drivers.keydecode import (
    EVENT_SIZE,
    DecoderConfig,
    KeyDecoder,
    KeyEvent,
    decode_events,
    pack_events,
    parse_events,
)
from drivers.scan import make_scan

# Characters a barcode can carry that every layout table here can type.
CODE_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-./+*$%"
T0 = 1_700_000_000.0


def _recording(codes: list[str], layout: str = "us", gap_s: float = 0.001) -> list[KeyEvent]:
    events: list[KeyEvent] = []
    for number, code in enumerate(codes):
        events += scan_events(code, layout, start=T0 + number * 0.5, gap_s=gap_s)
    return events


def test_key_codes_match_the_kernel_headers() -> None:
    """The key numbers written out in keymap.py equal python-evdev's ecodes (the kernel ABI)."""
    for name, code in keymap.KEY.items():
        assert evdev.ecodes.ecodes[f"KEY_{name}"] == code
    assert evdev.ecodes.EV_KEY == keymap.EV_KEY
    assert evdev.ecodes.SYN_DROPPED == keymap.SYN_DROPPED


def test_events_read_back_through_python_evdev() -> None:
    """The bytes produced are real input_event records: python-evdev categorises them as key events."""
    raw = pack_events(scan_events("4006381333931"))
    sec, usec, etype, code, value = struct.unpack("llHHi", raw[EVENT_SIZE : 2 * EVENT_SIZE])
    event = evdev.InputEvent(sec, usec, etype, code, value)
    assert isinstance(evdev.categorize(event), evdev.events.KeyEvent)
    assert evdev.categorize(event).keycode == "KEY_4"


@pytest.mark.parametrize("layout", sorted(keymap.LAYOUTS))
@settings(max_examples=40, deadline=None)
@given(codes=st.lists(st.text(alphabet=CODE_CHARS, min_size=1, max_size=40), min_size=1, max_size=8))
def test_fast_scans_round_trip_without_loss_or_duplication(layout: str, codes: list[str]) -> None:
    """Scans typed 1 ms per key on any layout decode to exactly the codes, in order, none lost or doubled."""
    events = parse_events(pack_events(_recording(codes, layout)))
    scans, fragments = decode_events(events, DecoderConfig(layout=layout))
    assert [scan.code for scan in scans] == [make_scan(code, "keyboard", 0).code for code in codes]
    assert fragments == []


def test_back_to_back_scans_with_no_pause_stay_separate() -> None:
    """Two scans sent with no pause between them (1 ms keys) are still two scans."""
    events = scan_events("4006381333931", start=T0) + scan_events("96385074", start=T0 + 0.014)
    scans, _ = decode_events(events)
    assert [(s.code, s.kind) for s in scans] == [("4006381333931", "ean13"), ("96385074", "ean8")]


def test_half_finished_scan_is_dropped_and_the_next_scan_survives() -> None:
    """Keys followed by a pause longer than the timeout are dropped, never glued to the next scan."""
    events = scan_events("400638", start=T0, enter=False) + scan_events("96385074", start=T0 + 2)
    scans, fragments = decode_events(events)
    assert [s.code for s in scans] == ["96385074"]
    assert [(f.text, f.reason) for f in fragments] == [("400638", "timeout")]


def test_unfinished_scan_at_end_of_recording_is_reported_not_delivered() -> None:
    """A recording that stops mid-scan yields the text as a fragment, not as a scan."""
    scans, fragments = decode_events(scan_events("0360002914", enter=False))
    assert scans == []
    assert fragments[0].text == "0360002914"


def test_timeout_mode_ends_scans_on_a_pause() -> None:
    """A scanner configured without Enter suffix delivers each code after the inter-key pause."""
    events = scan_events("96385074", start=T0, enter=False) + scan_events(
        "036000291452", start=T0 + 1, enter=False
    )
    scans, fragments = decode_events(events, DecoderConfig(end="timeout", timeout_s=0.05))
    assert [(s.code, s.kind) for s in scans] == [("96385074", "ean8"), ("036000291452", "upca")]
    assert fragments == []


def test_syn_dropped_discards_the_scan_in_progress_and_the_next_one() -> None:
    """After the kernel reports lost events, text up to the next Enter is discarded, not delivered."""
    first = scan_events("4006381333931", start=T0)
    dropped = KeyEvent(int(T0), 5000, keymap.EV_SYN, keymap.SYN_DROPPED, 0)
    events = [*first[:20], dropped, *first[20:], *scan_events("96385074", start=T0 + 1)]
    scans, fragments = decode_events(events)
    assert [s.code for s in scans] == ["96385074"]
    assert {f.reason for f in fragments} == {"dropped"}


def test_key_repeat_and_ctrl_combinations_type_nothing() -> None:
    """Auto-repeat events and Ctrl+key presses add no characters."""
    events = scan_events("123", start=T0, enter=False)
    repeat = KeyEvent(int(T0), 2500, keymap.EV_KEY, keymap.KEY["4"], keymap.KEY_REPEAT)
    ctrl = [
        *key_events(keymap.KEY["LEFTCTRL"], True, T0 + 0.003),
        *key_events(keymap.KEY["C"], True, T0 + 0.003),
        *key_events(keymap.KEY["C"], False, T0 + 0.003),
        *key_events(keymap.KEY["LEFTCTRL"], False, T0 + 0.003),
    ]
    enter = key_events(keymap.KEY["ENTER"], True, T0 + 0.004)
    scans, _ = decode_events([*events, repeat, *ctrl, *enter])
    assert [s.code for s in scans] == ["123"]


def test_capslock_inverts_letters_only() -> None:
    """With CapsLock toggled by the scanner, letters flip case and digits do not."""
    caps = key_events(keymap.KEY["CAPSLOCK"], True, T0) + key_events(keymap.KEY["CAPSLOCK"], False, T0)
    scans, _ = decode_events([*caps, *scan_events("kp0123456789ab", start=T0 + 0.001)])
    assert scans[0].code == "KP0123456789AB"
    assert scans[0].kind == "member_card"


def test_misconfigured_layout_shows_up_as_changed_text() -> None:
    """A German-configured scanner read as US swaps Y and Z: decoding with the right table fixes it."""
    events = scan_events("KPYZ0123456789", layout="de")
    assert decode_events(events, DecoderConfig(layout="us"))[0][0].code == "KPZY0123456789"
    assert decode_events(events, DecoderConfig(layout="de"))[0][0].code == "KPYZ0123456789"


def test_french_layout_digits_need_shift() -> None:
    """On AZERTY the scanner holds Shift for digits; the fr table decodes them as digits."""
    events = scan_events("4006381333931", layout="fr")
    assert decode_events(events, DecoderConfig(layout="us"))[0][0].code != "4006381333931"
    assert decode_events(events, DecoderConfig(layout="fr"))[0][0].kind == "ean13"


def test_overlong_scan_is_dropped() -> None:
    """A scan longer than any barcode is dropped as too long."""
    scans, fragments = decode_events(scan_events("7" * 300))
    assert scans == []
    assert fragments[0].reason == "too_long"


def test_decoder_is_deterministic_across_incremental_feeding() -> None:
    """Feeding events one by one gives the same scans as decoding the whole recording."""
    events = _recording(["4006381333931", "KP0123456789AB", "96385074"])
    decoder = KeyDecoder()
    incremental = [item for event in events for item in decoder.feed(event)]
    assert incremental == decode_events(events)[0]


def test_recordings_must_be_whole_records() -> None:
    """Bytes that are not whole input_event records are refused with a message naming the problem."""
    with pytest.raises(BadEventStream, match="not a whole number"):
        parse_events(b"\x00" * 25)


def test_32_bit_records_are_read() -> None:
    """Recordings from a 32-bit Raspberry Pi (16-byte records) decode the same."""
    events = scan_events("96385074")
    assert parse_events(pack_events(events, 16), 16) == events


def test_unknown_layout_is_a_clear_error() -> None:
    """Asking for a layout without a table names the layouts there are, in both languages."""
    with pytest.raises(UnknownLayout) as caught:
        DecoderConfig(layout="dvorak")
    assert "us" in caught.value.text("en")
    assert "tata letak" in caught.value.text("id")


@settings(max_examples=40, deadline=None)
@given(
    codes=st.lists(st.text(alphabet=CODE_CHARS, min_size=1, max_size=20), min_size=1, max_size=5),
    noise_at=st.lists(st.integers(min_value=0, max_value=2000), max_size=30),
)
def test_unrelated_events_change_nothing(codes: list[str], noise_at: list[int]) -> None:
    """LED, MSC and SYN_REPORT events sprinkled anywhere in a recording do not change the scans."""
    events = _recording(codes)
    noisy = list(events)
    for position in sorted(noise_at, reverse=True):
        index = position % (len(noisy) + 1)
        sec, usec = (
            (noisy[index - 1].sec, noisy[index - 1].usec) if index else (events[0].sec, events[0].usec)
        )
        noisy[index:index] = [
            KeyEvent(sec, usec, 0x11, 0, 1),  # EV_LED: num lock on
            KeyEvent(sec, usec, keymap.EV_MSC, keymap.MSC_SCAN, 0x70004),
            KeyEvent(sec, usec, keymap.EV_SYN, keymap.SYN_REPORT, 0),
        ]
    assert decode_events(noisy) == decode_events(events)


def test_key_rollover_still_types_each_key_once() -> None:
    """A fast scanner pressing the next key before releasing the previous one types each key once."""
    t = T0
    events: list[KeyEvent] = []
    codes = [keymap.KEY[c] for c in "96385074"]
    for index, code in enumerate(codes):
        events += key_events(code, True, t + index * 0.001)
        if index:
            events += key_events(codes[index - 1], False, t + index * 0.001)
    events += key_events(codes[-1], False, t + 0.009) + key_events(keymap.KEY["ENTER"], True, t + 0.01)
    scans, _ = decode_events(events)
    assert [s.code for s in scans] == ["96385074"]
