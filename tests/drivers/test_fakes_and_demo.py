"""The fakes other packages build on, the demo functions, and which drivers modules stay pure."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest

from drivers.demo import DEMO_NUMBER, receipt_demo, run, sms_demo
from drivers.fakes.scanner import FakeKeyboardScanner
from drivers.keydecode import DecoderConfig

DRIVERS = Path(__file__).resolve().parents[2] / "drivers"
PURE = ["scan.py", "keymap.py", "keydecode.py", "linedecode.py", "sms.py", "errors.py"]
IO_LIBRARIES = {"evdev", "serial", "escpos", "usb", "socket", "fcntl", "select", "threading", "PIL", "qrcode"}


def test_fake_keyboard_scanner_goes_through_the_real_decoding_path() -> None:
    """Codes typed into the fake scanner come out as classified scans, in order, from the evdev driver."""
    with FakeKeyboardScanner(DecoderConfig(layout="de")) as scanner:
        for code in ("4006381333931", "KP0123456789AB", "hello-world"):
            scanner.scan(code)
        scans = [scanner.get(10.0) for _ in range(3)]
        assert scanner.status == "open"
    assert [(s.code, s.kind) for s in scans if s] == [
        ("4006381333931", "ean13"),
        ("KP0123456789AB", "member_card"),
        ("hello-world", "unknown"),
    ]


def test_fake_keyboard_scanner_drops_a_half_scan() -> None:
    """A code typed without Enter is dropped once the keys stop, and is not delivered."""
    with FakeKeyboardScanner(DecoderConfig(timeout_s=0.05)) as scanner:
        scanner.scan("40063", enter=False)
        for _ in range(1000):  # wait (bounded) until the reader has seen the keys stop
            if scanner.fragments:
                break
            time.sleep(0.01)
        assert [f.text for f in scanner.fragments] == ["40063"]
        scanner.scan("96385074")
        scan = scanner.get(10.0)
        assert scan is not None and scan.code == "96385074"
        assert scanner.get(0.1) is None


def test_receipt_demo_writes_and_reads_back(tmp_path: Path) -> None:
    """The demo receipt is written to the file and its QR code reads back with a signature."""
    data, decoded = receipt_demo(tmp_path / "r.bin")
    assert (tmp_path / "r.bin").read_bytes() == data
    assert "TOTAL" in decoded.text and "Rp 61.500" in decoded.text
    assert len(decoded.qr_payloads) == 1 and decoded.qr_payloads[0].startswith("KOP1|toko-01:000042|")


def test_sms_demo_reaches_the_fake_modem() -> None:
    """The demo SMS goes through the AT driver and arrives at the fake modem."""
    references, received = sms_demo()
    assert references == [1]
    assert received[0][0] == DEMO_NUMBER


def test_demo_report_in_english(tmp_path: Path) -> None:
    """The demo report can be in English and names the receipt file, its QR and the SMS."""
    report = run(tmp_path, "en")
    assert "receipt" in report and "QR: KOP1|" in report and "fake modem" in report


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_do_no_io(module: str) -> None:
    """The decoders, classifier, layouts and SMS rules import no hardware, network or thread library."""
    tree = ast.parse((DRIVERS / module).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported & IO_LIBRARIES == set()
