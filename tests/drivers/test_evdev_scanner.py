"""The evdev scanner driver: real input_event bytes through a FIFO, grabbing, unplug and replug."""

from __future__ import annotations

import fcntl
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest

from drivers import evdev_scanner
from drivers.errors import DeviceNotFound, GrabFailed
from drivers.evdev_scanner import EVIOCGRAB, EvdevScanner, find_device
from drivers.fakes.keyboard import scan_events
from drivers.keydecode import DecoderConfig, pack_events
from drivers.scan import Scan

WAIT_S = 10.0  # generous upper bound for a scan to come through; never asserted as a speed


def _fifo(tmp_path: Path, name: str = "event0") -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


def _write_in_chunks(path: Path, data: bytes, seed: int = 1) -> None:
    """Open the FIFO for writing (waits for the reader) and write ``data`` in random-sized pieces."""
    rng = random.Random(seed)
    fd = os.open(path, os.O_WRONLY)
    try:
        view = memoryview(data)
        while view:
            size = rng.randint(1, 100)
            written = os.write(fd, view[:size])
            view = view[written:]
    finally:
        os.close(fd)


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` if it does not within ``WAIT_S``."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT_S} s for {what}"
        time.sleep(0.01)


def _collect(scanner: EvdevScanner, count: int) -> list[Scan]:
    scans: list[Scan] = []
    deadline = time.monotonic() + WAIT_S
    while len(scans) < count and time.monotonic() < deadline:
        scan = scanner.get(0.05)
        if scan is not None:
            scans.append(scan)
    return scans


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A named pipe standing in for /dev/input/eventN."""
    yield _fifo(tmp_path)


def test_fast_scanner_through_a_pipe_loses_and_doubles_nothing(fifo: Path) -> None:
    """Fifty scans at 1 ms per key, written in random-sized chunks, arrive exactly once each, in order."""
    codes = [f"8991002{n:05d}" for n in range(50)]
    now = time.time()
    events = []
    for number, code in enumerate(codes):
        events += scan_events(code, start=now + number * 0.02, gap_s=0.001)
    with EvdevScanner(str(fifo), grab=False, reopen=False) as scanner:
        writer = threading.Thread(target=_write_in_chunks, args=(fifo, pack_events(events)))
        writer.start()
        scans = _collect(scanner, len(codes))
        writer.join()
        assert scanner.get(0.2) is None
    assert [s.code for s in scans] == codes
    assert {s.source for s in scans} == {f"evdev:{fifo}"}


def test_half_finished_scan_through_a_pipe_is_dropped(fifo: Path) -> None:
    """A scan cut off mid-way is kept as a dropped fragment and the following scan arrives whole."""
    now = time.time()
    events = scan_events("40063813", start=now, enter=False) + scan_events("96385074", start=now + 1)
    with EvdevScanner(str(fifo), grab=False, reopen=False) as scanner:
        writer = threading.Thread(target=_write_in_chunks, args=(fifo, pack_events(events)))
        writer.start()
        scans = _collect(scanner, 1)
        writer.join()
        assert [(s.code, s.kind) for s in scans] == [("96385074", "ean8")]
        assert [(f.text, f.reason) for f in scanner.fragments] == [("40063813", "timeout")]


def test_trailing_partial_scan_is_expired_when_keys_stop(fifo: Path) -> None:
    """Keys that stop without Enter are dropped once the inter-key timeout passes with no events."""
    with EvdevScanner(str(fifo), grab=False, config=DecoderConfig(timeout_s=0.05)) as scanner:
        _write_in_chunks(fifo, pack_events(scan_events("123", start=time.time(), enter=False)))
        _wait_until(lambda: bool(scanner.fragments), "the unfinished scan to be dropped")
        assert scanner.get(0.1) is None
    assert scanner.fragments[0].text == "123"


def test_an_ungrabbable_device_is_not_read(fifo: Path) -> None:
    """If the exclusive grab fails the scanner refuses to open, so no scan can leak as keystrokes."""
    scanner = EvdevScanner(str(fifo), grab=True)
    with pytest.raises(GrabFailed) as caught:
        scanner.open()
    assert "exclusive" in caught.value.text("en")
    assert "eksklusif" in caught.value.text("id")
    assert scanner.status == "closed"


def test_grab_is_taken_before_reading_and_released_on_close(fifo: Path) -> None:
    """EVIOCGRAB(1) is issued on the device's descriptor before any read, and EVIOCGRAB(0) on close."""
    calls: list[tuple[int, int]] = []
    reads_before_grab: list[bool] = []
    real_read = os.read

    def fake_ioctl(fd: int, request: int, arg: int = 0) -> int:
        calls.append((request, arg))
        return 0

    def spy_read(fd: int, size: int) -> bytes:
        reads_before_grab.append(not calls)
        return real_read(fd, size)

    with (
        mock.patch.object(fcntl, "ioctl", autospec=True, side_effect=fake_ioctl),
        mock.patch.object(evdev_scanner.os, "read", side_effect=spy_read),
        EvdevScanner(str(fifo), grab=True, reopen=False) as scanner,
    ):
        _write_in_chunks(fifo, pack_events(scan_events("96385074", start=time.time())))
        assert _collect(scanner, 1)[0].code == "96385074"
    assert calls == [(EVIOCGRAB, 1), (EVIOCGRAB, 0)]
    assert reads_before_grab and not any(reads_before_grab)


def test_unplug_and_replug_reopens_and_keeps_scanning(tmp_path: Path) -> None:
    """When the device vanishes the scanner finds it again (new node) and delivers scans from both."""
    first, second = _fifo(tmp_path, "event3"), _fifo(tmp_path, "event7")
    nodes = iter([str(first), str(second)])
    grabs: list[int] = []

    def finder() -> str:
        return next(nodes, str(second))

    def fake_ioctl(fd: int, request: int, arg: int = 0) -> int:
        grabs.append(arg)
        return 0

    with (
        mock.patch.object(fcntl, "ioctl", autospec=True, side_effect=fake_ioctl),
        EvdevScanner(finder=finder, grab=True) as scanner,
    ):
        _write_in_chunks(first, pack_events(scan_events("4006381333931", start=time.time())))
        got = _collect(scanner, 1)
        # Writer closed: end of stream, like an unplugged device; the scanner reopens the next node.
        # The second node stays "plugged in" (its writer open) while the test looks, so "open" is the
        # state the scanner settles in, not a moment between two reconnects.
        plugged = os.open(second, os.O_RDWR)
        try:
            _write_in_chunks(second, pack_events(scan_events("96385074", start=time.time())))
            got += _collect(scanner, 1)
            _wait_until(lambda: scanner.status == "open", "the scanner to settle open on the new node")
            assert scanner.reopened >= 1
        finally:
            os.close(plugged)
    assert [s.code for s in got] == ["4006381333931", "96385074"]
    assert got[1].source == f"evdev:{second}"
    assert grabs.count(1) >= 2  # grabbed again after the replug


def test_missing_device_is_a_clear_error(tmp_path: Path) -> None:
    """Opening a path that does not exist says so in Indonesian and English, without a traceback."""
    scanner = EvdevScanner(str(tmp_path / "event9"))
    with pytest.raises(DeviceNotFound) as caught:
        scanner.open()
    assert "plugged in" in caught.value.text("en")
    assert "dicolok" in caught.value.text("id")


def test_find_device_by_vendor_product_or_name() -> None:
    """Devices are matched by USB ids and/or a name fragment; no match names what was looked for."""
    devices = [
        ("/dev/input/event0", "AT Translated Set 2 keyboard", 0x0001, 0x0001),
        ("/dev/input/event5", "Honeywell Imaging Scanner", 0x0C2E, 0x0B61),
    ]
    assert find_device(0x0C2E, 0x0B61, devices=lambda: devices) == "/dev/input/event5"
    assert find_device(name="scanner", devices=lambda: devices) == "/dev/input/event5"
    with pytest.raises(DeviceNotFound, match="vendor 0x05e0"):
        find_device(0x05E0, 0x1200, devices=lambda: devices)


def test_reopen_waits_while_another_program_holds_the_grab(tmp_path: Path) -> None:
    """If the replugged scanner cannot be grabbed yet, it is not read; the scanner retries until it can."""
    first, second = _fifo(tmp_path, "event3"), _fifo(tmp_path, "event4")
    nodes = iter([str(first), str(second), str(second)])
    grabs: list[int] = []

    def finder() -> str:
        return next(nodes, str(second))

    def fake_ioctl(fd: int, request: int, arg: int = 0) -> int:
        grabs.append(arg)
        if arg == 1 and grabs.count(1) == 2:  # the first grab after the replug is refused
            raise OSError(16, "Device or resource busy")
        return 0

    with (
        mock.patch.object(fcntl, "ioctl", autospec=True, side_effect=fake_ioctl),
        EvdevScanner(finder=finder, grab=True) as scanner,
    ):
        _write_in_chunks(first, pack_events(scan_events("96385074", start=time.time())))
        got = _collect(scanner, 1)
        _wait_until(lambda: grabs.count(1) >= 3, "a refused grab, then a granted one")
        _write_in_chunks(second, pack_events(scan_events("036000291452", start=time.time())))
        got += _collect(scanner, 1)
    assert [s.code for s in got] == ["96385074", "036000291452"]
    assert grabs.count(1) >= 3
