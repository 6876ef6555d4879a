"""ESC/POS receipt printers over USB, serial, network or a device file, opened from one URI.

    with ReceiptPrinter("tcp://192.168.1.50:9100", state_dir=".../state") as printer:
        printer.print_receipt(build_receipt(receipt, 58))   # saves it for reprint, then prints
        printer.kick_drawer()
        printer.reprint_last()

URIs:
    usb:VVVV:PPPP[?in_ep=0x82&out_ep=0x01]    USB vendor/product id in hex (python-escpos + pyusb)
    serial:/dev/ttyUSB0[?baud=9600]            RS-232 / USB-serial
    tcp://HOST[:9100]                          network printer (raw port 9100)
    file:/dev/usb/lp0                          any device file (the kernel's usblp driver), or a plain file

The sale is committed before printing: a printer that is missing, unreachable or out of paper raises
``PrinterUnavailable`` or ``PaperOut`` with a message a clerk can act on, and the receipt stays in the
state directory for ``reprint_last``. Paper is checked first on printers that answer status queries
(USB and serial by default; ``?status=1`` for network printers that do).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal, Self
from urllib.parse import parse_qs, urlsplit

from drivers.errors import NothingToReprint, PaperOut, PrinterUnavailable
from drivers.receipt import drawer_kick_bytes

log = logging.getLogger(__name__)

LAST_RECEIPT_FILE: Final = "last-receipt.bin"
DEFAULT_TCP_PORT: Final = 9100
NETWORK_TIMEOUT_S: Final = 5.0
SERIAL_TIMEOUT_S: Final = 0.5
MAX_RECEIPT_BYTES: Final = 4 * 1024 * 1024
# DLE EOT 4: the roll paper sensor; in the answer, bits 5-6 set mean no paper, bits 2-3 little paper.
PAPER_STATUS_QUERY: Final = b"\x10\x04\x04"
PAPER_OUT_BITS: Final = 0x72
PAPER_LOW_BITS: Final = 0x1E

Paper = Literal["ok", "low", "out", "unknown"]


@dataclass(frozen=True, slots=True)
class PrinterAddress:
    """A parsed printer URI."""

    kind: Literal["usb", "serial", "tcp", "file"]
    target: str
    options: tuple[tuple[str, str], ...] = ()

    def option(self, name: str, default: str = "") -> str:
        """The value of ``?name=...`` or ``default``."""
        return dict(self.options).get(name, default)


@dataclass(frozen=True, slots=True)
class PrintResult:
    """What happened: bytes sent and the paper state seen before printing."""

    sent_bytes: int
    paper: Paper


def _bad_uri(uri: str, why: str, why_id: str) -> PrinterUnavailable:
    return PrinterUnavailable(
        f"printer address {uri!r} is not valid: {why}. Use usb:VVVV:PPPP, serial:/dev/ttyUSB0, "
        "tcp://HOST:9100 or file:/dev/usb/lp0",
        f"alamat printer {uri!r} tidak sah: {why_id}. Gunakan usb:VVVV:PPPP, serial:/dev/ttyUSB0, "
        "tcp://HOST:9100 atau file:/dev/usb/lp0",
    )


def parse_printer_uri(uri: str) -> PrinterAddress:
    """Read a printer URI (see the module docstring)."""
    parts = urlsplit(uri)
    options = tuple(sorted((k, v[-1]) for k, v in parse_qs(parts.query).items()))
    scheme = parts.scheme.lower()
    if scheme == "usb":
        ids = parts.path.split(":")
        try:
            vendor, product = (int(x, 16) for x in ids)
        except ValueError:
            raise _bad_uri(
                uri, "USB ids must be two hex numbers", "id USB harus dua angka heksadesimal"
            ) from None
        return PrinterAddress("usb", f"{vendor:04x}:{product:04x}", options)
    if scheme == "serial" and parts.path:
        return PrinterAddress("serial", parts.path, options)
    if scheme == "tcp" and parts.hostname:
        try:
            port = parts.port or DEFAULT_TCP_PORT
        except ValueError:
            raise _bad_uri(uri, "the port is not a number", "port bukan angka") from None
        return PrinterAddress("tcp", f"{parts.hostname}:{port}", options)
    if scheme == "file" and (parts.path or parts.netloc):
        return PrinterAddress("file", parts.netloc + parts.path, options)
    raise _bad_uri(uri, "unknown scheme or missing target", "skema tidak dikenal atau tujuan kosong")


def _unavailable(address: PrinterAddress, err: BaseException) -> PrinterUnavailable:
    where = f"{address.kind}:{address.target}"
    return PrinterUnavailable(
        f"printer {where} is unreachable ({err}). Check power, cable and address; the sale is saved, "
        "print it again with reprint",
        f"printer {where} tidak terjangkau ({err}). Periksa daya, kabel dan alamat; transaksi sudah "
        "tersimpan, cetak ulang struknya",
    )


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".receipt-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class ReceiptPrinter:
    """One ESC/POS printer, opened explicitly (context manager); see the module docstring."""

    def __init__(
        self,
        uri: str,
        state_dir: str | os.PathLike[str] | None = None,
        *,
        check_paper: bool | None = None,
        timeout_s: float = NETWORK_TIMEOUT_S,
    ) -> None:
        self.address = parse_printer_uri(uri)
        self.state_dir = Path(state_dir) if state_dir is not None else None
        default_check = self.address.kind in ("usb", "serial") or self.address.option("status") == "1"
        self.check_paper = default_check if check_paper is None else check_paper
        self.timeout_s = timeout_s
        self._printer: Any = None

    # -- lifecycle ---------------------------------------------------------------------------
    def _make(self) -> Any:
        from escpos import printer as escpos_printer

        address = self.address
        if address.kind == "tcp":
            host, _, port = address.target.rpartition(":")
            return escpos_printer.Network(host, int(port), timeout=self.timeout_s)
        if address.kind == "serial":
            baud = int(address.option("baud", "9600"))
            return escpos_printer.Serial(
                address.target, baudrate=baud, timeout=SERIAL_TIMEOUT_S, dsrdtr=False
            )
        if address.kind == "file":
            return escpos_printer.File(address.target)
        vendor, product = (int(x, 16) for x in address.target.split(":"))
        return escpos_printer.Usb(
            vendor,
            product,
            timeout=int(self.timeout_s * 1000),
            in_ep=int(address.option("in_ep", "0x82"), 16),
            out_ep=int(address.option("out_ep", "0x01"), 16),
        )

    def open(self) -> None:
        """Connect to the printer; ``PrinterUnavailable`` if it is not there."""
        from escpos.exceptions import Error as EscposError

        if self._printer is not None:
            return
        printer = self._make()
        try:
            printer.open()
        except (EscposError, OSError, ValueError) as err:
            raise _unavailable(self.address, err) from err
        except Exception as err:  # pyusb without a libusb backend raises its own errors
            if type(err).__module__.startswith("usb"):
                raise PrinterUnavailable(
                    f"USB printer {self.address.target} cannot be opened ({err}); install Debian's "
                    "libusb-1.0-0, or use file:/dev/usb/lp0 if the kernel's usblp driver holds it",
                    f"printer USB {self.address.target} tidak bisa dibuka ({err}); pasang paket Debian "
                    "libusb-1.0-0, atau gunakan file:/dev/usb/lp0 jika driver usblp memakainya",
                ) from err
            raise
        if self.address.kind == "serial":
            # A printer holding flow control (lid open, paper jam) must not block the kiosk forever.
            printer.device.write_timeout = self.timeout_s
        self._printer = printer

    def close(self) -> None:
        """Disconnect. Safe to call twice."""
        printer, self._printer = self._printer, None
        if printer is not None:
            with contextlib.suppress(Exception):
                printer.close()

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- printing ----------------------------------------------------------------------------
    def paper(self) -> Paper:
        """Paper state from the printer's sensor (``unknown`` when it does not answer)."""
        if self._printer is None:
            self.open()
        try:
            status = self._query_paper()
        except NotImplementedError:
            return "unknown"
        except Exception as err:
            self.close()
            raise _unavailable(self.address, err) from err
        if not status:
            return "unknown"
        byte = status[-1]
        if byte & PAPER_OUT_BITS == PAPER_OUT_BITS:
            return "out"
        if byte & PAPER_LOW_BITS == PAPER_LOW_BITS:
            return "low"
        return "ok"

    def _query_paper(self) -> bytes:
        if self.address.kind == "serial":
            # One status byte comes back: read just that, instead of waiting out a 16-byte read.
            port = self._printer.device
            port.reset_input_buffer()
            port.write(PAPER_STATUS_QUERY)
            port.flush()
            return bytes(port.read(1))
        return bytes(self._printer.query_status(PAPER_STATUS_QUERY))

    def send(self, data: bytes) -> PrintResult:
        """Send ready ESC/POS bytes, checking paper first when the printer reports it."""
        if self._printer is None:
            self.open()
        paper: Paper = self.paper() if self.check_paper else "unknown"
        if paper == "out":
            where = f"{self.address.kind}:{self.address.target}"
            raise PaperOut(
                f"printer {where} is out of paper. Load a new roll, then reprint; the sale is saved",
                f"kertas printer {where} habis. Pasang gulungan baru lalu cetak ulang; transaksi sudah "
                "tersimpan",
            )
        try:
            self._printer._raw(data)
            flush = getattr(self._printer.device, "flush", None)
            if callable(flush):
                flush()
        except Exception as err:
            self.close()
            raise _unavailable(self.address, err) from err
        if paper == "low":
            log.warning("printer %s: paper is running low", self.address.target)
        return PrintResult(len(data), paper)

    def print_receipt(self, data: bytes) -> PrintResult:
        """Keep ``data`` as the last receipt (for reprint), then print it."""
        if len(data) > MAX_RECEIPT_BYTES:
            raise ValueError(f"a receipt is at most {MAX_RECEIPT_BYTES} bytes")
        if self.state_dir is not None:
            _write_atomic(self.state_dir / LAST_RECEIPT_FILE, data)
        return self.send(data)

    def reprint_last(self) -> PrintResult:
        """Print the last receipt kept in the state directory again."""
        return self.send(load_last_receipt(self.state_dir))

    def kick_drawer(self, pin: int = 2) -> PrintResult:
        """Open the cash drawer wired to the printer (pin 2 or 5)."""
        saved, self.check_paper = self.check_paper, False
        try:
            return self.send(drawer_kick_bytes(pin))
        finally:
            self.check_paper = saved


def load_last_receipt(state_dir: str | os.PathLike[str] | None) -> bytes:
    """The bytes of the last receipt printed from ``state_dir``."""
    path = Path(state_dir) / LAST_RECEIPT_FILE if state_dir is not None else None
    if path is None or not path.is_file():
        raise NothingToReprint(
            "no receipt to reprint yet (nothing printed from this state directory)",
            "belum ada struk untuk dicetak ulang (belum ada yang dicetak dari direktori ini)",
        )
    return path.read_bytes()
