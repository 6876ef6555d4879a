"""Receipts: from a committed ``SaleDone`` to the printer, on the printer's own worker thread.

The receipt's content is ``drivers.receipt.Receipt`` (plain data); ``drivers`` lays it out as ESC/POS
bytes. A printer here is anything with ``write(bytes)``; ``FilePrinter`` appends to a file or device
node (``/dev/usb/lp0``), ``MemoryPrinter`` keeps the bytes (demo and tests) and can be told to be slow
or out of paper. The sale is always committed before printing starts: a printer problem never loses
a sale, it only asks for a reprint.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from drivers.receipt import Receipt, ReceiptLine, build_receipt
from kiosk import errors
from kiosk.services import DeviceInfo, SaleDone

MAX_KEPT_RECEIPTS: Final = 50
PAPER_WIDTH_MM: Final = 58
# The points on a receipt are the kiosk's estimate; central's ledger decides (printed under them).
POINTS_NOTE: Final = {"id": "Poin: perkiraan, final di pusat", "en": "Points: an estimate only"}


def receipt_for(sale: SaleDone, info: DeviceInfo | None, lang: str = "id") -> Receipt:
    """The receipt of a committed sale (points labelled as an estimate by the footer)."""
    coop = (info.coop_name or info.coop) if info else "Koperasi"
    return Receipt(
        coop_name=coop,
        unit=sale.unit,
        txid=sale.id,
        at=sale.at,
        lines=tuple(
            ReceiptLine(name, str(qty), price_rp, amount_rp) for name, qty, price_rp, amount_rp in sale.lines
        ),
        total_rp=sale.total_rp,
        payment="credit" if sale.payment == "credit" else "cash",
        member=sale.member,
        member_name=sale.member_name,
        points_earned=str(sale.points) if sale.member else None,
        device=info.device if info else None,
        clerk=sale.clerk,
        footer=(POINTS_NOTE.get(lang, POINTS_NOTE["id"]),) if sale.member else (),
        signature=sale.signature,
    )


class NoPrinter:
    """A counter without a printer: the done screen says so."""

    def state(self) -> str:
        return "none"

    def print_sale(self, sale: SaleDone, info: DeviceInfo | None, lang: str) -> None:
        raise errors.PrinterUnavailable()


@dataclass
class MemoryPrinter:
    """Keeps printed receipts in memory; ``delay_s`` makes it slow, ``paper`` False makes it run out."""

    delay_s: float = 0.0
    paper: bool = True
    printed: list[bytes] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def state(self) -> str:
        return "ok" if self.paper else "paper_out"

    def print_sale(self, sale: SaleDone, info: DeviceInfo | None, lang: str) -> None:
        data = build_receipt(receipt_for(sale, info, lang), PAPER_WIDTH_MM, lang)
        if self.delay_s:
            time.sleep(self.delay_s)
        if not self.paper:
            raise errors.PrinterOutOfPaper()
        with self._lock:
            self.printed.append(data)
            del self.printed[:-MAX_KEPT_RECEIPTS]


@dataclass
class FilePrinter:
    """Writes receipts to a path: a printer device node or a file (one receipt after another)."""

    path: Path

    def state(self) -> str:
        return "ok" if self.path.parent.exists() else "offline"

    def print_sale(self, sale: SaleDone, info: DeviceInfo | None, lang: str) -> None:
        data = build_receipt(receipt_for(sale, info, lang), PAPER_WIDTH_MM, lang)
        try:
            with self.path.open("ab") as handle:
                handle.write(data)
        except OSError as err:
            raise errors.PrinterUnavailable() from err


class DriverPrinter:
    """A real ESC/POS printer through ``drivers.printer.ReceiptPrinter`` (usb:, serial:, tcp://, file:)."""

    def __init__(self, uri: str, state_dir: Path | None = None) -> None:
        from drivers.printer import ReceiptPrinter

        self._printer = ReceiptPrinter(uri, state_dir=state_dir)
        self._state = "ok"

    def state(self) -> str:
        return self._state

    def print_sale(self, sale: SaleDone, info: DeviceInfo | None, lang: str) -> None:
        from drivers.errors import PaperOut
        from drivers.errors import PrinterUnavailable as DriverUnavailable

        data = build_receipt(receipt_for(sale, info, lang), PAPER_WIDTH_MM, lang)
        try:
            self._printer.print_receipt(data)
        except PaperOut as err:
            self._state = "paper_out"
            raise errors.PrinterOutOfPaper() from err
        except DriverUnavailable as err:
            self._state = "offline"
            raise errors.PrinterUnavailable() from err
        self._state = "ok"

    def close(self) -> None:
        self._printer.close()
