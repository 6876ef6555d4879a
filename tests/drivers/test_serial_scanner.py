"""The serial scanner driver over a pty pair: terminators, chunking, half-finished lines, replug."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import DeviceNotFound
from drivers.linedecode import LineDecoder, terminator_bytes
from drivers.scan import Scan
from drivers.serial_scanner import SerialScanner
from tests.drivers.conftest import Pty, open_pty

WAIT_S = 10.0


def _collect(scanner: SerialScanner, count: int) -> list[Scan]:
    scans: list[Scan] = []
    deadline = time.monotonic() + WAIT_S
    while len(scans) < count and time.monotonic() < deadline:
        scan = scanner.get(0.05)
        if scan is not None:
            scans.append(scan)
    return scans


@pytest.mark.parametrize("terminator", ["cr", "lf", "crlf"])
def test_codes_arrive_over_a_pty_with_each_terminator(pty: Pty, terminator: str) -> None:
    """Line-terminated codes sent at 9600 baud over a pty arrive classified, one scan per line."""
    end = terminator_bytes(terminator)
    with SerialScanner(pty.port, baud=9600, terminator=end) as scanner:
        pty.write(b"4006381333931" + end + b"KP0123456789AB" + end + b"hello" + end)
        scans = _collect(scanner, 3)
    assert [(s.code, s.kind) for s in scans] == [
        ("4006381333931", "ean13"),
        ("KP0123456789AB", "member_card"),
        ("hello", "unknown"),
    ]
    assert scans[0].source == f"serial:{pty.port}"


def test_many_fast_scans_over_serial_are_not_lost(pty: Pty) -> None:
    """Two hundred codes written back to back arrive exactly once each, in order."""
    codes = [f"{n:08d}" for n in range(200)]
    with SerialScanner(pty.port, baud=115200) as scanner:
        pty.write(b"".join(code.encode() + b"\r" for code in codes))
        scans = _collect(scanner, len(codes))
    assert [s.code for s in scans] == codes


def test_half_finished_line_is_dropped(pty: Pty) -> None:
    """A line left unterminated past the timeout is dropped; the next full line still arrives."""
    with SerialScanner(pty.port, timeout_s=0.05) as scanner:
        pty.write(b"400638")
        deadline = time.monotonic() + WAIT_S
        while not scanner.fragments and time.monotonic() < deadline:
            time.sleep(0.01)
        pty.write(b"96385074\r")
        scans = _collect(scanner, 1)
    assert [s.code for s in scans] == ["96385074"]
    assert scanner.fragments[0].text == "400638"


def test_unplugged_serial_scanner_reopens_on_the_new_port() -> None:
    """When the port disappears the scanner reopens (here a new pty) and keeps delivering scans."""
    first, second = open_pty(), open_pty()
    ports = iter([first.port, second.port])
    try:
        with SerialScanner(lambda: next(ports, second.port)) as scanner:
            first.write(b"96385074\r")
            got = _collect(scanner, 1)
            first.close()  # hang up: reads now fail like an unplugged USB-serial adapter
            deadline = time.monotonic() + WAIT_S
            while scanner.reopened == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            second.write(b"036000291452\r")
            got += _collect(scanner, 1)
    finally:
        second.close()
    assert [s.code for s in got] == ["96385074", "036000291452"]


def test_missing_port_is_a_clear_error() -> None:
    """A port that does not exist gives DeviceNotFound with a hint, in both languages."""
    scanner = SerialScanner("/dev/ttyNOPE0")
    with pytest.raises(DeviceNotFound) as caught:
        scanner.open()
    assert "plugged in" in caught.value.text("en")
    assert "dicolok" in caught.value.text("id")


@settings(max_examples=60, deadline=None)
@given(
    codes=st.lists(st.text(alphabet="0123456789ABCDEFKP", min_size=1, max_size=30), min_size=1, max_size=10),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=10),
)
def test_line_decoder_is_independent_of_chunking(codes: list[str], cuts: list[int]) -> None:
    """However the bytes are split into reads, the same codes come out, once each."""
    data = b"".join(code.encode() + b"\r\n" for code in codes)
    points = sorted({0, len(data), *(c for c in cuts if c < len(data))})
    decoder = LineDecoder(terminator=b"\r\n")
    out = []
    for start, stop in itertools.pairwise(points):
        out += decoder.feed(data[start:stop], 1.0)
    assert [item.code for item in out if isinstance(item, Scan)] == codes


def test_garbage_from_a_wrong_baud_rate_is_not_a_scan() -> None:
    """Control bytes (what a wrong baud rate produces) are dropped as garbled, not delivered."""
    out = LineDecoder().feed(b"\x80\x07\x19z\r", 1.0)
    assert [type(item).__name__ for item in out] == ["Fragment"]
