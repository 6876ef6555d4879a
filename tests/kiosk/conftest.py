"""Fixtures for the kiosk: a real device directory (edge, SQLite) and the Kivy window, offscreen."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.scan import make_scan
from kiosk.i18n import Translator
from kiosk.printing import MemoryPrinter
from kiosk.scanning import ScanFeed
from kiosk.services import EdgeServices
from tests.support.net import free_port

CARD_SITI = "KP7Q3M9X2K4D8F"
CARD_BUDI = "KP4H8N2R6T1W9Z"
CARD_UNKNOWN = "KP000000000000"

CATALOG = [
    {
        "sku": "8991234500011",
        "name": "Beras 5 kg",
        "unit": "toko",
        "price_rp": 72_000,
        "cost_rp": 66_000,
        "stock": 40,
    },
    {
        "sku": "8991234500028",
        "name": "Minyak Goreng 1 L",
        "unit": "toko",
        "price_rp": 17_500,
        "cost_rp": 15_800,
        "stock": 60,
    },
    {
        "sku": "8991234500042",
        "name": "Mie Instan",
        "unit": "toko",
        "price_rp": 3_500,
        "cost_rp": 2_900,
        "stock": 200,
    },
    {
        "sku": "FC-A4-BW",
        "name": "Fotokopi A4",
        "unit": "fotokopi",
        "price_rp": 250,
        "cost_rp": 120,
        "stock": None,
    },
    {
        "sku": "FC-F4-CL",
        "name": "Fotokopi F4 warna",
        "unit": "fotokopi",
        "price_rp": 2_000,
        "cost_rp": 900,
        "stock": None,
    },
]
MEMBERS = [
    {
        "number": "A001",
        "name": "Siti Rahayu",
        "card_code": CARD_SITI,
        "role": "anggota",
        "active": True,
        "credit_limit_rp": 500_000,
        "credit_used_rp": 125_000,
    },
    {
        "number": "A002",
        "name": "Budi Santoso",
        "card_code": CARD_BUDI,
        "role": "anggota",
        "active": True,
        "credit_limit_rp": 300_000,
        "credit_used_rp": 290_000,
    },
]


def summary_of(number: str, name: str, shu_rp: int) -> dict[str, Any]:
    """A member summary as central answers it (docs/contracts.md)."""
    return {
        "member": number,
        "name": name,
        "as_of": "2026-11-21T10:00:00+07:00",
        "year": 2026,
        "points": {"active": {"toko": 12.5, "cafe": 3}, "passive": 30, "bonus": 1.25, "total": 46.75},
        "savings": {"pokok": 100_000, "wajib": 300_000},
        "loan": {"outstanding_rp": 900_000, "next_installment_rp": 150_000, "next_due": "2026-12-05"},
        "credit": {"used_rp": 125_000, "limit_rp": 500_000},
        "recent": [
            {
                "id": f"toko-01:{number}-1",
                "at": "2026-11-20T09:00:00+07:00",
                "unit": "toko",
                "total": 25_000,
                "payment": "cash",
            }
        ],
        "shu_estimate_rp": shu_rp,
    }


def make_device(directory: Path, unit: str = "toko") -> Path:
    """A real, initialised device directory with catalog, members, a clerk and saved summaries."""
    from edge.device import Device
    from edge.install import init_device
    from edge.settings import BrokerSettings, DeviceSettings

    # A free port: nothing answers there, so a summary request really finds central unreachable.
    broker = BrokerSettings(port=free_port())
    init_device(
        directory,
        DeviceSettings(coop="kopmaju", device=f"{unit}-01", unit=unit, branch="pusat", broker=broker),
    )
    with Device.open(directory) as dev:
        dev.apply_downlink("catalog", {"name": "catalog", "kind": "snapshot", "version": 1, "items": CATALOG})
        dev.apply_downlink("members", {"name": "members", "kind": "snapshot", "version": 1, "items": MEMBERS})
        dev.apply_downlink(
            "config",
            {
                "name": "config",
                "kind": "snapshot",
                "version": 1,
                "items": [{"key": "name", "value": "Koperasi Maju Bersama"}],
            },
        )
        dev.add_clerk("sari", "Sari Wulandari", "1234")
        dev.save_member_summary("A001", summary_of("A001", "Siti Rahayu", 412_350))
        dev.save_member_summary("A002", summary_of("A002", "Budi Santoso", 98_765))
    return directory


@pytest.fixture(scope="session")
def window() -> Any:
    """The one Kivy window of the test process, 800x480, offscreen."""
    from kiosk.ui import boot

    boot.prepare(headless=True, max_fps=0)  # frames back to back: tests wait on state, not time
    from kivy.base import EventLoop
    from kivy.core.window import Window

    EventLoop.ensure_window()
    assert tuple(Window.size) == (800, 480)
    return Window


class Kiosk:
    """A running kiosk on the test window: the controller, its scan feed, printer and device directory."""

    def __init__(self, root: Any, feed: ScanFeed, printer: MemoryPrinter, directory: Path) -> None:
        self.root = root
        self.feed = feed
        self.printer = printer
        self.directory = directory

    def pump(self, until: Callable[[], bool] | None = None) -> None:
        from kiosk.ui.app import pump

        assert pump(self.root, until), "the kiosk did not settle"

    def scan(self, code: str) -> None:
        self.feed.push(make_scan(code, "test", 0.0))
        self.pump(lambda: len(self.feed) == 0)
        self.pump()

    def press(self, button: Any) -> None:
        """A real touch (down and up) at the centre of ``button``."""
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(*button.to_window(*button.center))
        touch.touch_down()
        touch.touch_up()
        self.pump()

    def view(self) -> Any:
        return self.root.current_view()

    def texts(self) -> str:
        shown = list(self.view().texts()) + self.root.status_bar_texts()
        if self.root.banner.parent is not None:
            shown.append(self.root.banner.text.text)
        return "\n".join(shown)

    def sign_in(self, pin: str = "1234") -> None:
        self.press(self.view().w["clerk"])
        self.pump(lambda: bool(self.root.clerks))
        self.press(self.view().w["clerk_buttons"]["sari"])
        for digit in pin:
            self.press(self.view().w["keypad"].buttons[digit])
        self.press(self.view().w["ok"])

    def outbox(self) -> list[dict[str, Any]]:
        import json

        from edge.device import Device

        with Device.open(self.directory) as dev:
            return [json.loads(data) for _, data in dev.outbox_after(0, 1000)]


@pytest.fixture(scope="session")
def device_templates(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """One initialised device directory per unit, made once; tests get their own copy."""
    made: dict[str, Path] = {}

    def template(unit: str) -> Path:
        if unit not in made:
            made[unit] = make_device(tmp_path_factory.mktemp(f"template-{unit}") / "device", unit)
        return made[unit]

    return template


@pytest.fixture
def kiosk_factory(
    window: Any, tmp_path: Path, device_templates: Callable[[str], Path]
) -> Iterator[Callable[..., Kiosk]]:
    """Start kiosks on real device directories; each is detached at the end of the test."""
    from kiosk.ui.app import attach, detach
    from kiosk.ui.root import Parts

    started: list[Kiosk] = []

    def start(unit: str = "toko", *, lang: str = "id", printer: MemoryPrinter | None = None) -> Kiosk:
        directory = tmp_path / f"dev-{unit}-{len(started)}"
        shutil.copytree(device_templates(unit), directory)
        feed = ScanFeed()
        printer = printer or MemoryPrinter()
        parts = Parts(
            services=lambda: EdgeServices(directory, lang=lang, ask_central=False),
            printer=lambda: printer,
            feed=feed,
            scanner_state=lambda: "ok",
        )
        root = attach(parts, Translator(lang))
        kiosk = Kiosk(root, feed, printer, directory)
        started.append(kiosk)
        kiosk.pump(lambda: root.info is not None and root.status is not None)
        return kiosk

    yield start
    for kiosk in started:
        detach(kiosk.root)
