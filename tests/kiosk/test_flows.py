"""Each kiosk flow driven by touches and injected scans, checked against what edge recorded and the screen."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kiosk.printing import MemoryPrinter
from tests.kiosk.conftest import CARD_BUDI, CARD_SITI, CARD_UNKNOWN

pytestmark = pytest.mark.kivy


def test_shop_checkout_commits_the_sale_in_edge_then_prints(kiosk_factory: Any) -> None:
    """Scans, a member card and a credit payment become one signed sale in edge's outbox, then a receipt."""
    k = kiosk_factory("toko")
    k.sign_in()
    assert k.root.screens.current == "checkout"
    k.scan("8991234500011")
    k.scan("8991234500042")
    k.scan("8991234500042")
    assert "Total Rp 79.000" in k.texts()
    k.scan(CARD_SITI)
    assert "Siti Rahayu" in k.texts()
    k.press(k.view().w["footer"].pay)
    assert k.root.screens.current == "payment"
    k.press(k.view().w["credit"])
    k.press(k.view().w["confirm"])
    k.pump(lambda: k.root.print_state == "printed")
    assert k.root.screens.current == "done"
    [sale] = k.outbox()
    assert sale["kind"] == "sale"
    assert sale["member"] == "A001"
    assert sale["payment"] == "credit"
    assert sale["clerk"] == "sari"
    assert sale["total"] == 79_000
    assert {(line["sku"], line["qty"]) for line in sale["lines"]} == {
        ("8991234500011", 1),
        ("8991234500042", 2),
    }
    shown = k.texts()
    assert "Penjualan tersimpan" in shown
    assert "Poin diperoleh (perkiraan): 3,60" in shown  # margin 6,000 + 2 x 600 at Rp 2,000 per point
    assert "Struk tercetak." in shown
    from drivers.receipt import decode_escpos

    [printed] = k.printer.printed
    receipt = decode_escpos(printed).text
    assert sale["id"][:20] in receipt
    assert "Rp 79.000" in receipt


def test_receipt_qr_carries_the_envelope_signature(kiosk_factory: Any) -> None:
    """The receipt's QR names the sale and the start of its envelope signature, which central can check."""
    import base64

    from drivers.receipt import decode_for_humans, signature_text

    k = kiosk_factory("toko")
    k.sign_in()
    k.scan("8991234500011")
    k.press(k.view().w["footer"].pay)
    k.press(k.view().w["confirm"])
    k.pump(lambda: k.root.print_state == "printed")
    [sale] = k.outbox()
    [printed] = k.printer.printed
    _text, payloads = decode_for_humans(printed)
    expected = f"KOP1|{sale['id']}|{signature_text(base64.b64decode(sale['sig']))}"
    assert payloads == [expected]


def test_walk_in_cash_sale_has_no_member_and_no_points(kiosk_factory: Any) -> None:
    """Without a card the sale is a cash walk-in sale, credit is refused, and no points are promised."""
    k = kiosk_factory("toko")
    k.sign_in()
    k.scan("8991234500028")
    k.press(k.view().w["footer"].pay)
    assert "Pembeli umum tidak mendapat poin." in k.texts()
    k.root.set_payment("credit")
    k.pump()
    assert "Kredit hanya dengan kartu anggota." in k.texts()
    k.press(k.view().w["confirm"])
    k.pump(lambda: k.root.screens.current == "done")
    [sale] = k.outbox()
    assert sale["member"] is None
    assert sale["payment"] == "cash"
    assert "Pembeli umum" in k.texts()


def test_counter_mode_takes_quantities_from_the_keypad(kiosk_factory: Any) -> None:
    """At the photocopy counter an item from the grid and 25 on the keypad make a line of 25 copies."""
    k = kiosk_factory("fotokopi")
    k.sign_in()
    k.pump(lambda: bool(k.root.counter_products))
    assert k.root.screens.current == "counter"
    k.press(k.view().w["items"]["FC-A4-BW"])
    for key in "25":
        k.press(k.view().w["keypad"].buttons[key])
    assert k.view().w["qty"].text == "25"
    k.press(k.view().w["add"])
    assert "Total Rp 6.250" in k.texts()
    k.press(k.view().w["footer"].pay)
    k.press(k.view().w["confirm"])
    k.pump(lambda: k.root.screens.current == "done")
    [sale] = k.outbox()
    assert sale["unit"] == "fotokopi"
    assert sale["lines"] == [{"sku": "FC-A4-BW", "qty": 25, "price_rp": 250, "cost_rp": 120}]


def test_refusals_say_what_is_wrong_and_record_nothing(kiosk_factory: Any) -> None:
    """Unknown product, unknown card and credit limit each show what to do next; no sale is kept."""
    k = kiosk_factory("toko")
    k.sign_in()
    k.scan("8990000000001")
    assert "Barang 8990000000001 tidak ada di katalog." in k.texts()
    assert "cari dengan nama" in k.texts()
    k.root.hide_banner()
    k.scan(CARD_UNKNOWN)
    assert "Kartu ini tidak dikenal." in k.texts()
    k.root.hide_banner()
    k.scan("8991234500011")
    k.scan(CARD_BUDI)  # Rp 10,000 of credit left
    k.press(k.view().w["footer"].pay)
    k.press(k.view().w["credit"])
    k.press(k.view().w["confirm"])
    k.pump(lambda: k.root.banner.parent is not None)
    assert "Batas kredit tercapai: sisa Rp 10.000 dari plafon Rp 300.000." in k.texts()
    assert "Bayar tunai" in k.texts()
    assert k.root.screens.current == "payment"
    assert k.outbox() == []


def test_wrong_pin_is_refused(kiosk_factory: Any) -> None:
    """A wrong PIN keeps the clerk out and says so."""
    k = kiosk_factory("toko")
    k.sign_in("9999")
    assert k.root.screens.current == "login"
    assert k.root.clerk is None
    assert "PIN salah." in k.texts()


def test_end_of_shift_shows_cash_to_deposit(kiosk_factory: Any) -> None:
    """The shift screen adds the clerk's sales by payment and names the cash to hand in."""
    k = kiosk_factory("toko")
    k.sign_in()
    for payment in ("cash", "credit"):
        k.scan("8991234500028")
        k.scan(CARD_SITI)
        k.press(k.view().w["footer"].pay)
        k.press(k.view().w[payment])
        k.press(k.view().w["confirm"])
        k.pump(lambda: k.root.screens.current == "done")
        k.press(k.view().w["next"])
    k.press(k.view().w["footer"].shift)
    k.pump(lambda: k.root.shift_summary is not None)
    shown = k.texts()
    assert "Setoran tunai: Rp 17.500" in shown
    assert "Penjualan kredit" in shown
    assert "2 transaksi" in shown
    k.press(k.view().w["logout"])
    assert k.root.screens.current == "idle"
    assert k.root.clerk is None


def test_slow_printer_leaves_the_screen_responsive(kiosk_factory: Any) -> None:
    """While a slow printer prints, the done screen is up, frames run and the next sale can start."""
    import threading

    gate = threading.Event()

    class SlowPrinter(MemoryPrinter):
        def print_sale(self, *args: Any) -> None:
            gate.wait(30)
            super().print_sale(*args)

    k = kiosk_factory("toko", printer=SlowPrinter())
    k.sign_in()
    k.scan("8991234500028")
    k.press(k.view().w["footer"].pay)
    from kiosk.ui.app import frame

    k.view().w["confirm"].dispatch("on_release")  # pressed; the print that follows blocks the printer only
    import time

    # The sale commits on a worker thread; draw frames (bounded) until the done screen is up.
    deadline = time.monotonic() + 20.0
    while k.root.screens.current != "done" and time.monotonic() < deadline:
        frame()
        time.sleep(0.01)
    assert k.root.screens.current == "done"
    assert k.root.print_state == "printing"
    assert "Mencetak struk..." in k.texts()
    from kivy.clock import Clock

    frames: list[float] = []
    counter = Clock.schedule_interval(frames.append, 0)
    for _ in range(20):
        frame()
    counter.cancel()
    assert len(frames) >= 20
    k.root.new_sale()
    k.feed.push(__import__("drivers.scan", fromlist=["make_scan"]).make_scan("8991234500042", "t", 0.0))
    # The lookup runs on a worker thread: keep drawing frames (bounded) until its result is on screen. The
    # printer's worker is still blocked, so the kiosk never turns idle here and pump() cannot be used.
    deadline = time.monotonic() + 20.0
    while not k.root.cart.lines and time.monotonic() < deadline:
        frame()
        time.sleep(0.01)
    assert [line.product.sku for line in k.root.cart.lines] == ["8991234500042"]
    gate.set()
    k.pump(lambda: k.root.print_state == "printed")
    assert len(k.outbox()) == 1


def test_language_switch_shows_english(kiosk_factory: Any) -> None:
    """The status bar's language button switches every text to English and back."""
    k = kiosk_factory("toko")
    assert "Pindai kartu anggota Anda" in k.texts()
    k.press(k.root.status_bar.w["lang"])
    assert "Scan your member card" in k.texts()
    assert "Clerk sign-in" in k.texts()
    k.press(k.root.status_bar.w["lang"])
    assert "Pindai kartu anggota Anda" in k.texts()


def test_search_by_name_adds_the_chosen_item(kiosk_factory: Any) -> None:
    """Typing part of a name and touching a result adds that item to the sale."""
    k = kiosk_factory("toko")
    k.sign_in()
    k.view().w["search"].text = "minyak"
    k.press(k.view().w["search_go"])
    k.pump(lambda: k.root.search_done)
    [result] = [w for w in k.view().w["results"].children if "Minyak" in getattr(w, "text", "")]
    k.press(result)
    assert [line.product.sku for line in k.root.cart.lines] == ["8991234500028"]
    k.view().w["search"].text = "tidak-ada"
    k.press(k.view().w["search_go"])
    assert "Tidak ditemukan. Coba kata lain." in k.texts()


def test_printer_out_of_paper_keeps_the_sale_and_reprints(kiosk_factory: Any) -> None:
    """Out of paper: the sale is already in edge, the screen says to load paper, and Print again works."""
    printer = MemoryPrinter(paper=False)
    k = kiosk_factory("toko", printer=printer)
    k.sign_in()
    k.scan("8991234500042")
    k.press(k.view().w["footer"].pay)
    k.press(k.view().w["confirm"])
    k.pump(lambda: k.root.print_state == "failed")
    assert len(k.outbox()) == 1
    shown = k.texts()
    assert "Kertas printer habis." in shown
    assert "Pasang gulungan baru" in shown
    assert "Printer: kertas habis" in shown
    printer.paper = True
    k.press(k.view().w["reprint"])
    k.pump(lambda: k.root.print_state == "printed")
    assert "Struk tercetak." in k.texts()
    assert len(printer.printed) == 1
    assert len(k.outbox()) == 1


def test_status_bar_shows_offline_calmly_with_the_outbox_depth(kiosk_factory: Any) -> None:
    """Offline, the status bar says the data is safe here and how many transactions wait to be sent."""
    k = kiosk_factory("toko")
    k.sign_in()
    k.scan("8991234500042")
    k.press(k.view().w["footer"].pay)
    k.press(k.view().w["confirm"])
    k.pump(lambda: k.root.screens.current == "done")
    k.root._poll(0)
    k.pump(lambda: k.root.status is not None and k.root.status.outbox_depth == 1)
    shown = k.texts()
    assert "Luring (data aman)" in shown
    assert "Antre 1" in shown


def test_status_bar_tells_the_clerk_what_central_refused(kiosk_factory: Any) -> None:
    """When central refused a transaction, the status bar counts it (Indonesian; English in the catalog)."""
    from edge.device import Device
    from kiosk.i18n import Translator
    from sync.refusals import Item, Notice

    k = kiosk_factory("toko")
    k.sign_in()
    k.scan("8991234500042")
    k.press(k.view().w["footer"].pay)
    k.press(k.view().w["confirm"])
    k.pump(lambda: k.root.screens.current == "done")
    with Device.open(k.directory) as dev:
        seq, data = dev.outbox_after(0, 1)[0]
        dev.mark_acked(seq)
        ident = json.loads(data)["id"]
        dev.apply_refusals(Notice(dev.settings.device, 1, (Item(seq, ident, "unknown member 'A001'"),)))
    k.root._poll(0)
    k.pump(lambda: k.root.status is not None and k.root.status.refused == 1)
    assert "1 ditolak pusat" in k.texts()
    assert Translator("en").tr("{count} refused by central") == "{count} refused by central"


def test_status_bar_says_the_device_is_revoked(kiosk_factory: Any) -> None:
    """Once the sync service marks the device revoked, the status bar says so instead of online/offline."""
    from edge.device import Device

    k = kiosk_factory("toko")
    k.root._poll(0)
    k.pump(lambda: k.root.status is not None)
    assert "Perangkat DICABUT: minta pengurus" not in k.texts()
    with Device.open(k.directory) as dev:
        dev.mark_revoked("broker: sertifikat dicabut / certificate revoked")
    k.root._poll(0)
    k.pump(lambda: k.root.status is not None and k.root.status.revoked)
    assert "Perangkat DICABUT: minta pengurus" in k.texts()
