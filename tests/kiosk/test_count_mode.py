"""Count mode (stok opname) on the kiosk against the real central ledger: the office starts a count, the
device learns of it from the counts downlink, the clerk scans items with the (fake, evdev through a pipe)
scanner and types quantities, the device's count_line envelopes are ingested, and central closes the
count with the expected differences; an unknown barcode and a count closed meanwhile are answered on the
screen and nothing is lost."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from central import config
from central.ledger import Ledger
from central.members.rows import MemberRow, ProductRow
from central.stock import counts
from drivers.fakes.scanner import FakeKeyboardScanner
from edge.device import Device
from edge.keys import load as load_key
from edge.keys import public_text
from kiosk.scanning import ScanSource
from sync import envelope as wire
from tests.central.helpers import Device as Other
from tests.kiosk.conftest import CARD_SITI, CATALOG

pytestmark = [pytest.mark.kivy]

BERAS, MINYAK, MIE = "8991234500011", "8991234500028", "8991234500042"
UNKNOWN = "8990000000001"


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Ledger]:
    """Central's ledger with the kiosk's member and toko items, bought yesterday as many as the catalog
    says."""
    with Ledger.open(tmp_path / "coop.sqlite") as ledger:
        ledger.init(config.default())
        ledger.import_members(
            [MemberRow("A001", "Siti Rahayu", "2020-01-01", None, None, None, "anggota", 500000)]
        )
        toko = [i for i in CATALOG if i["unit"] == "toko"]
        ledger.import_products(
            [ProductRow(i["sku"], i["name"], "toko", i["price_rp"], i["cost_rp"]) for i in toko]
        )
        office = Other("gudang-01").register(ledger)
        at = (datetime.now().astimezone() - timedelta(days=1)).isoformat(timespec="seconds")
        lines = [
            {"sku": i["sku"], "qty": i["stock"], "price_rp": i["cost_rp"], "cost_rp": i["cost_rp"]}
            for i in toko
        ]
        bought = office.make(
            "purchase", at=at, lines=lines, total=sum(ln["qty"] * ln["price_rp"] for ln in lines)
        )
        assert not ledger.ingest([bought]).rejected
        yield ledger


def _sync(ledger: Ledger, directory: Path) -> list[dict[str, Any]]:
    """Carry the device's outbox to central (as the uplink does) and central's open counts back (as the
    counts downlink does); the envelopes carried."""
    with Device.open(directory) as dev:
        device = dev.settings.device
        if not any(d["device"] == device for d in ledger.devices_list()):
            ledger.devices_add(device, public_text(load_key(directory)), "toko", "pusat")
        envs = [json.loads(data) for _, data in dev.outbox_after(0, 1000)]
        report = ledger.ingest(envs, require_signature=True, expected_device=device)
        assert not report.rejected, report.rejected
        dev.mark_acked(ledger.contiguous_seq(device))
        version = int(dev._meta_int("counts_version")) + 1
        dev.apply_downlink(
            "counts",
            {"name": "counts", "kind": "snapshot", "version": version, "items": counts.open_counts(ledger)},
        )
    return envs


def _press_digits(k: Any, digits: str) -> None:
    for digit in digits:
        k.press(k.view().w["count_keypad"].buttons[digit])


def _count(k: Any, scanner: FakeKeyboardScanner, code: str, qty: str, *, button: str = "add") -> None:
    """Scan ``code`` with the scanner, type ``qty``, press Add (or Set as total) and wait for the line."""
    shown = k.root.count_item  # each scan looks the item up afresh: a new object once it arrived
    scanner.scan(code)
    k.pump(lambda: k.root.count_item is not shown and k.root.count_item.sku == code)
    _press_digits(k, qty)
    before = len(k.outbox())
    k.press(k.view().w[button])
    k.pump(lambda: not k.root.count_saving and len(k.outbox()) == before + 1)


def _status(k: Any) -> None:
    """Ask the device's status now (the kiosk polls every 2 s) and wait for the answer."""
    k.root._poll(0)
    k.pump(lambda: not k.root._status_pending)


def test_counting_on_the_kiosk_closes_with_the_expected_differences(
    kiosk_factory: Any, central: Ledger
) -> None:
    """Beras counted 30 on the shelf and 8 in the store room after a sale of 1 (40 bought: 1 missing),
    Minyak 60 (none missing), Mie 195 and then 2 sold after it was counted (5 missing, not 3): central
    closes the count with those differences, valued at cost; an unknown barcode records nothing."""
    k = kiosk_factory("toko")
    k.sign_in()
    k.press(k.view().w["footer"].shift)
    assert k.view().w["count"].disabled  # no count open yet
    count = counts.start(central, "toko", by="manajer")
    _sync(central, k.directory)
    _status(k)
    k.pump(lambda: not k.view().w["count"].disabled)
    assert f"Stok opname {count.id}" in k.texts()
    # a sale at this kiosk before Beras is counted
    k.press(k.view().w["back"])
    k.scan(BERAS)
    k.scan(CARD_SITI)
    k.press(k.view().w["footer"].pay)
    k.press(k.view().w["cash"])
    k.press(k.view().w["confirm"])
    k.pump(lambda: k.root.screens.current == "done")
    k.press(k.view().w["next"])
    k.press(k.view().w["footer"].shift)
    k.press(k.view().w["count"])
    assert k.root.screens.current == "count"
    assert f"Stok opname {count.id}: semua barang" in k.texts()
    # the production path from the scanner on: evdev records through a pipe, the decoder, the feed
    scanner = FakeKeyboardScanner()
    source = ScanSource("fake", lambda: scanner, k.feed).start()  # it opens and closes the scanner
    try:
        _count(k, scanner, BERAS, "30")
        _count(k, scanner, BERAS, "8")
        assert "terhitung di sini: 38" in k.texts()
        _count(k, scanner, MINYAK, "6")
        _count(k, scanner, MINYAK, "60", button="replace")
        _count(k, scanner, MIE, "195")
        before = len(k.outbox())
        scanner.scan(UNKNOWN)
        k.pump(lambda: k.root.banner.parent is not None)
        assert f"Barcode {UNKNOWN} tidak ada di katalog kios ini" in k.texts()
        assert len(k.outbox()) == before
    finally:
        source.stop()
    assert "Dihitung di kios ini: 3 barang" in k.texts()
    lines = [e for e in k.outbox() if e["kind"] == "count_line"]
    assert [(e["lines"][0]["sku"], e["lines"][0]["qty"]) for e in lines] == [
        (BERAS, 30),
        (BERAS, 38),
        (MINYAK, 6),
        (MINYAK, 60),
        (MIE, 195),
    ]
    assert all(e["count"] == count.id and e["clerk"] == "sari" for e in lines)
    _sync(central, k.directory)
    # two Mie sold at another counter an hour later: after its line, so not in its expected quantity
    later = datetime.now().astimezone() + timedelta(hours=1)
    other = Other("toko-02").register(central)
    mie = next(i for i in CATALOG if i["sku"] == MIE)
    sold = other.make(
        "sale",
        at=later.isoformat(timespec="seconds"),
        lines=[{"sku": MIE, "qty": 2, "price_rp": mie["price_rp"], "cost_rp": mie["cost_rp"]}],
        total=2 * mie["price_rp"],
    )
    assert not central.ingest([sold]).rejected
    closed = counts.close(central, count.id, by="manajer", now_ts=int(later.timestamp()) + 3600)
    diffs = {line.sku: (line.counted_milli, line.expected_milli, line.value_rp) for line in closed.lines}
    beras = next(i for i in CATALOG if i["sku"] == BERAS)
    assert diffs == {
        BERAS: (38_000, 39_000, -beras["cost_rp"]),
        MINYAK: (60_000, 60_000, 0),
        MIE: (195_000, 200_000, -5 * mie["cost_rp"]),
    }
    assert closed.loss_rp == beras["cost_rp"] + 5 * mie["cost_rp"]
    assert {line.counted_by for line in closed.lines} == {"sari@toko-01"}


def test_a_count_closed_meanwhile_is_said_on_the_screen_and_nothing_is_lost(
    kiosk_factory: Any, central: Ledger
) -> None:
    """The office closes the count while the clerk is counting: once the device learns it, the screen says
    so and takes no more; a line counted before the device knew reaches central as late, kept with its
    reason; the lines central had are the count's."""
    k = kiosk_factory("toko")
    k.sign_in()
    count = counts.start(central, "toko", by="manajer", section="rak 1")
    _sync(central, k.directory)
    _status(k)
    k.press(k.view().w["footer"].shift)
    k.pump(lambda: not k.view().w["count"].disabled)
    k.press(k.view().w["count"])
    assert f"Stok opname {count.id}: rak 1" in k.texts()
    k.scan(BERAS)
    _press_digits(k, "40")
    k.press(k.view().w["add"])
    k.pump(lambda: bool(k.root.count_lines))
    _sync(central, k.directory)  # the Beras line reaches central; then the office closes the count
    time.sleep(1.1)  # the close comes a second after the line: the line is before it
    counts.close(central, count.id, by="manajer")
    k.scan(MIE)  # counted before the device hears of the close: recorded, and late at central
    _press_digits(k, "0")
    k.press(k.view().w["add"])
    k.pump(lambda: len(k.root.count_lines) == 2)
    _sync(central, k.directory)
    _status(k)
    k.pump(lambda: k.root.count_closed)
    shown = k.texts()
    assert f"Stok opname {count.id} sudah ditutup kantor." in shown
    assert "Kantor sudah menutup stok opname ini." in shown
    assert k.view().w["add"].disabled and k.view().w["count_keypad"].buttons["1"].disabled
    k.scan(MINYAK)
    assert len([e for e in k.outbox() if e["kind"] == "count_line"]) == 2
    sheet = counts.get(central, count.id)
    assert [line.sku for line in sheet.lines] == [BERAS]
    states = sorted((d.status, d.reason or "") for d in counts.device_lines(central, count.id))
    assert states[0][0] == "late" and "closed" in states[0][1] and states[1] == ("taken", "")
    # the device itself refuses a count line for a count it knows is closed
    from kiosk import errors
    from kiosk.services import EdgeServices

    services = EdgeServices(k.directory, ask_central=False)
    try:
        with pytest.raises(errors.CountClosed):
            services.record_count(str(count.id), MINYAK, 1, "sari", True)
    finally:
        services.close()
    for env in k.outbox():
        wire.check(env)
