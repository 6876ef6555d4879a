"""Printers: network and serial fakes, paper out, unreachable printers, reprint and drawer kick."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from drivers.errors import NothingToReprint, PaperOut, PrinterUnavailable
from drivers.fakes.printer import FakeNetworkPrinter, FakeSerialPrinter
from drivers.printer import LAST_RECEIPT_FILE, ReceiptPrinter, load_last_receipt, parse_printer_uri
from drivers.receipt import build_receipt, decode_escpos, drawer_kick_bytes
from tests.drivers.samples import SAMPLE

WAIT_S = 10.0


def _wait_for(printer: FakeNetworkPrinter | FakeSerialPrinter, size: int) -> bytes:
    deadline = time.monotonic() + WAIT_S
    while len(printer.printed) < size and time.monotonic() < deadline:
        time.sleep(0.01)
    return printer.printed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_network_printer_receives_the_exact_bytes_and_they_are_kept_for_reprint(tmp_path: Path) -> None:
    """A receipt sent over TCP arrives byte for byte and is saved first; reprint sends it again."""
    data = build_receipt(SAMPLE, 58)
    with FakeNetworkPrinter() as fake, ReceiptPrinter(fake.uri, tmp_path) as printer:
        result = printer.print_receipt(data)
        assert (tmp_path / LAST_RECEIPT_FILE).read_bytes() == data
        printer.reprint_last()
        assert _wait_for(fake, 2 * len(data)) == data + data
    assert result.sent_bytes == len(data)


def test_serial_printer_checks_paper_before_printing(tmp_path: Path) -> None:
    """On a serial printer the paper sensor is asked first; with paper the receipt prints."""
    data = build_receipt(SAMPLE, 80)
    with FakeSerialPrinter(paper="low") as fake, ReceiptPrinter(fake.uri, tmp_path) as printer:
        result = printer.print_receipt(data)
        assert _wait_for(fake, len(data)) == data
        assert fake.queries == 1
    assert result.paper == "low"


def test_network_printer_paper_check_when_asked(tmp_path: Path) -> None:
    """With ?status=1 a network printer is asked for paper too, and an empty one refuses the print."""
    with FakeNetworkPrinter(paper="out") as fake:
        with ReceiptPrinter(fake.uri + "?status=1", tmp_path) as printer, pytest.raises(PaperOut):
            printer.print_receipt(b"x\n")
        assert fake.queries == 1 and fake.printed == b""


def test_paper_out_refuses_to_print_but_keeps_the_receipt(tmp_path: Path) -> None:
    """Out of paper is a clear PaperOut error; the receipt is saved so it can be reprinted later."""
    data = build_receipt(SAMPLE, 58)
    with FakeSerialPrinter(paper="out") as fake:
        with ReceiptPrinter(fake.uri, tmp_path) as printer, pytest.raises(PaperOut) as caught:
            printer.print_receipt(data)
        assert fake.printed == b""
        fake.paper = "ok"
        with ReceiptPrinter(fake.uri, tmp_path) as printer:
            printer.reprint_last()
        assert _wait_for(fake, len(data)) == data
    assert "habis" in caught.value.text("id")
    assert "out of paper" in caught.value.text("en")


def test_unreachable_network_printer_is_a_clear_error(tmp_path: Path) -> None:
    """Nobody listening on the printer's port gives PrinterUnavailable saying the sale is saved."""
    printer = ReceiptPrinter(f"tcp://127.0.0.1:{_free_port()}", tmp_path, timeout_s=1.0)
    with pytest.raises(PrinterUnavailable) as caught, printer:
        pass
    assert "tersimpan" in caught.value.text("id")
    assert "unreachable" in caught.value.text("en")


def test_printer_that_goes_away_mid_session_is_reported(tmp_path: Path) -> None:
    """A write to a printer that vanished after connecting raises PrinterUnavailable, not a traceback."""
    with FakeNetworkPrinter() as fake:
        printer = ReceiptPrinter(fake.uri, tmp_path)
        printer.open()
    with pytest.raises(PrinterUnavailable):
        for _ in range(50):  # the peer's reset shows on a later write
            printer.send(b"x" * 65536)
    printer.close()


def test_missing_serial_printer_and_missing_usb_backend_are_clear(tmp_path: Path) -> None:
    """A serial port that does not exist, or USB without libusb, is reported with what to do."""
    with pytest.raises(PrinterUnavailable, match="unreachable"):
        ReceiptPrinter("serial:/dev/ttyNOPE9", tmp_path).open()
    with pytest.raises(PrinterUnavailable) as caught:
        ReceiptPrinter("usb:0416:5011", tmp_path).open()
    assert "0416:5011" in caught.value.text("en")


def test_reprint_with_nothing_printed_says_so(tmp_path: Path) -> None:
    """Asking to reprint before any receipt was printed is a clear NothingToReprint."""
    with pytest.raises(NothingToReprint):
        load_last_receipt(tmp_path)


def test_drawer_kick_sends_the_pulse(tmp_path: Path) -> None:
    """Kicking the drawer sends ESC p on pin 2, without a paper query."""
    with FakeSerialPrinter() as fake, ReceiptPrinter(fake.uri) as printer:
        printer.kick_drawer()
        sent = _wait_for(fake, 5)
        assert fake.queries == 0
    assert sent == drawer_kick_bytes(2)
    assert decode_escpos(sent).drawer_kicks == 1


def test_file_printer_writes_the_bytes(tmp_path: Path) -> None:
    """file: URIs (e.g. /dev/usb/lp0) get the bytes written as they are."""
    out = tmp_path / "lp0"
    data = build_receipt(SAMPLE, 58)
    with ReceiptPrinter(f"file:{out}") as printer:
        printer.print_receipt(data)
    assert out.read_bytes() == data


@pytest.mark.parametrize(
    ("uri", "kind", "target"),
    [
        ("usb:0416:5011", "usb", "0416:5011"),
        ("serial:/dev/ttyUSB0?baud=19200", "serial", "/dev/ttyUSB0"),
        ("tcp://10.0.0.5", "tcp", "10.0.0.5:9100"),
        ("tcp://10.0.0.5:9101", "tcp", "10.0.0.5:9101"),
        ("file:/dev/usb/lp0", "file", "/dev/usb/lp0"),
    ],
)
def test_printer_uris(uri: str, kind: str, target: str) -> None:
    """Each supported printer address parses into its kind and target."""
    address = parse_printer_uri(uri)
    assert (address.kind, address.target) == (kind, target)


@pytest.mark.parametrize("uri", ["lp0", "usb:xyz", "tcp://", "ftp://x"])
def test_bad_printer_uris_name_the_accepted_forms(uri: str) -> None:
    """A malformed printer address lists the forms that are accepted."""
    with pytest.raises(PrinterUnavailable, match="tcp://HOST:9100"):
        parse_printer_uri(uri)
