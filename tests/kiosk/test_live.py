"""The kiosk against live parts: central answering over a real Mosquitto, and a serial scanner on a pty."""

from __future__ import annotations

import os
import time
import tty
from pathlib import Path
from typing import Any

import pytest

from kiosk.i18n import Translator
from kiosk.printing import MemoryPrinter
from kiosk.scanning import ScanFeed, ScanSource
from kiosk.services import EdgeServices
from tests.kiosk.conftest import Kiosk
from tests.support.mosquitto import Mosquitto

pytestmark = pytest.mark.kivy


def _attach(directory: Path, feed: ScanFeed, *, ask_central: bool, timeout_s: float = 10.0) -> Kiosk:
    from kiosk.ui.app import attach
    from kiosk.ui.root import Parts

    printer = MemoryPrinter()
    parts = Parts(
        services=lambda: EdgeServices(directory, ask_central=ask_central, summary_timeout_s=timeout_s),
        printer=lambda: printer,
        feed=feed,
        scanner_state=lambda: "ok",
    )
    kiosk = Kiosk(attach(parts, Translator("id")), feed, printer, directory)
    kiosk.pump(lambda: kiosk.root.info is not None and kiosk.root.status is not None)
    return kiosk


@pytest.mark.mqtt
@pytest.mark.slow
def test_member_summary_comes_from_central_and_the_ui_keeps_running(
    window: Any, mosquitto: Mosquitto, tmp_path: Path
) -> None:
    """Central's answer reaches the member screen while frames keep running; offline, the saved copy shows."""
    from edge.device import Device
    from kiosk.ui.app import detach, frame
    from provisioning.world import DeviceSpec, build, running
    from sync.settings import BrokerSettings

    world = build(tmp_path / "w", broker=BrokerSettings(port=mosquitto.port), devices=[DeviceSpec("toko-01")])
    directory = world.devices["toko-01"]
    with running(world) as run:
        assert run.wait_catalog(30)
        with Device.open(directory) as dev:
            member = dev.member("A001")
        assert member is not None and member.card_code
        kiosk = _attach(directory, ScanFeed(), ask_central=True)
        try:
            kiosk.root._poll(0)
            kiosk.pump(lambda: kiosk.root.status is not None and kiosk.root.status.online)
            assert "Daring" in kiosk.texts()
            kiosk.feed.push(
                __import__("drivers.scan", fromlist=["make_scan"]).make_scan(member.card_code, "t", 0)
            )
            frames_waiting = 0
            for _ in range(3000):  # bounded: about 30 s at most on a loaded machine
                frame()
                time.sleep(0.01)
                if kiosk.root.self_summary is not None:
                    break
                if kiosk.root.screens.current == "member":
                    frames_waiting += 1
            summary = kiosk.root.self_summary
            assert summary is not None and not summary.cached
            assert frames_waiting > 0  # the screen was up and drawing while central was asked
            shown = kiosk.texts()
            assert "Siti Aminah  ·  A001" in shown
            assert "Mengambil data Anda..." not in shown
            assert "salinan tersimpan" not in shown
            assert "Perkiraan SHU" in shown
        finally:
            detach(kiosk.root)
    # Central and broker gone: the copy saved by the last answer is shown, labelled.
    mosquitto.stop()
    kiosk = _attach(directory, ScanFeed(), ask_central=False)
    try:
        kiosk.scan(member.card_code)
        kiosk.pump(lambda: kiosk.root.self_summary is not None)
        assert kiosk.root.self_summary is not None and kiosk.root.self_summary.cached
        assert "salinan tersimpan, kios sedang luring" in kiosk.texts()
    finally:
        detach(kiosk.root)


def test_serial_scanner_on_a_pty_feeds_the_checkout(kiosk_factory: Any) -> None:
    """Bytes from a serial barcode scanner (a pty pair) become a line on the checkout screen."""
    from drivers.serial_scanner import SerialScanner

    master, slave = os.openpty()
    tty.setraw(slave)
    k = kiosk_factory("toko")
    source = ScanSource("serial", lambda: SerialScanner(os.ttyname(slave)), k.feed).start()
    try:
        k.sign_in()
        k.pump(lambda: source.state == "ok")
        os.write(master, b"8991234500028\r")
        k.pump(lambda: bool(k.root.cart.lines))
        assert [line.product.sku for line in k.root.cart.lines] == ["8991234500028"]
        assert "Minyak Goreng 1 L" in k.texts()
    finally:
        source.stop()
        os.close(master)
        os.close(slave)


def test_unreachable_central_falls_back_to_the_saved_copy(window: Any, tmp_path: Path) -> None:
    """When central does not answer in time, the member sees the saved copy, labelled, not an error."""
    from kiosk.ui.app import detach
    from tests.kiosk.conftest import CARD_SITI, make_device

    directory = make_device(tmp_path / "dev")
    services = EdgeServices(directory, ask_central=True, summary_timeout_s=0.5)
    try:
        summary = services.member_summary("A001")
    finally:
        services.close()
    assert summary.cached
    assert summary.member == "A001"
    kiosk = _attach(directory, ScanFeed(), ask_central=True, timeout_s=0.5)
    try:
        kiosk.scan(CARD_SITI)
        kiosk.pump(lambda: kiosk.root.self_summary is not None)
        assert "salinan tersimpan, kios sedang luring" in kiosk.texts()
    finally:
        detach(kiosk.root)
