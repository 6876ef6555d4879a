"""Receipts: plain data in, ESC/POS bytes out, and the same bytes read back for humans and tests.

``build_receipt`` lays a ``Receipt`` out for 58 mm (32 columns, 384 dots) or 80 mm (48 columns,
576 dots) paper through python-escpos' ``Dummy`` printer, ending with a QR code whose text is
``KOP1|<txid>|<signature>``: a member scans it and the portal checks the transaction against the
central books. drivers/ holds no keys; the caller passes the signature, or a signer to
``sign_receipt``. ``decode_for_humans`` turns the bytes back into text and the QR payloads by
reading the ESC/POS commands and decoding the printed raster with zxing-cpp.
"""

from __future__ import annotations

import base64
import re
import textwrap
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal

from drivers.errors import ReceiptDecodeError, ReceiptInvalid

Width = Literal[58, 80]
Payment = Literal["cash", "credit"]

QR_PREFIX: Final = "KOP1"
# escpos printer profiles whose paper matches the width: a generic 58 mm printer and a common 80 mm one.
PROFILES: Final[dict[int, str]] = {58: "POS-5890", 80: "TM-T20II"}
COLUMNS: Final[dict[int, int]] = {58: 32, 80: 48}
QR_BOX_DOTS: Final[dict[int, int]] = {58: 4, 80: 5}
QR_QUIET_MODULES: Final = 2
QR_MASK: Final = 0
MAX_LINES: Final = 200
MAX_NAME_ROWS: Final = 3
MAX_TEXT_CHARS: Final = 120
MAX_AMOUNT_RP: Final = 10_000_000_000
TXID_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
SIGNATURE_RE: Final = re.compile(r"^[A-Z2-7]{1,128}$")
QTY_RE: Final = re.compile(r"^\d{1,6}(\.\d{1,3})?$")

LABELS: Final[dict[str, dict[str, str]]] = {
    "id": {
        "unit": "Unit",
        "no": "No",
        "clerk": "Kasir",
        "total": "TOTAL",
        "cash": "TUNAI",
        "credit": "KREDIT",
        "paid": "DIBAYAR",
        "change": "KEMBALI",
        "member": "Anggota",
        "points": "Poin",
        "verify": "Pindai QR untuk cek di buku pusat",
        "thanks": "Terima kasih",
    },
    "en": {
        "unit": "Unit",
        "no": "No",
        "clerk": "Clerk",
        "total": "TOTAL",
        "cash": "CASH",
        "credit": "CREDIT",
        "paid": "PAID",
        "change": "CHANGE",
        "member": "Member",
        "points": "Points",
        "verify": "Scan the QR to check the central books",
        "thanks": "Thank you",
    },
}


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """One item line: what was sold, how many (integer or decimal text), unit price and line amount."""

    name: str
    qty: str
    price_rp: int
    amount_rp: int


@dataclass(frozen=True, slots=True)
class Receipt:
    """Everything printed on one receipt, as plain data (money in integer rupiah)."""

    coop_name: str
    unit: str
    txid: str
    at: str
    lines: tuple[ReceiptLine, ...]
    total_rp: int
    payment: Payment
    paid_rp: int | None = None
    change_rp: int | None = None
    member: str | None = None
    member_name: str | None = None
    points_earned: str | None = None
    signature: str = ""
    device: str | None = None
    clerk: str | None = None
    footer: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class DecodedReceipt:
    """A receipt read back from its bytes: the printed text, QR payloads, and whether it cuts or kicks."""

    text: str
    qr_payloads: tuple[str, ...]
    cut: bool
    drawer_kicks: int


def format_rp(amount_rp: int) -> str:
    """Rupiah as Indonesians write it: ``Rp 12.500`` (dot thousands separator, no decimals)."""
    sign = "-" if amount_rp < 0 else ""
    return f"{sign}Rp {abs(amount_rp):,}".replace(",", ".")


def format_points(points: str, lang: str = "id") -> str:
    """Points with two decimals, decimal comma in Indonesian (``12,50``), point in English."""
    text = f"{Decimal(points):.2f}"
    return text.replace(".", ",") if lang != "en" else text


def format_at(at: str) -> str:
    """A timestamp as Indonesians read it (``22-11-2026 10:15``); text that is not ISO 8601 stays as is."""
    try:
        stamp = datetime.fromisoformat(at)
    except ValueError:
        return ascii_fold(at)
    return stamp.strftime("%d-%m-%Y %H:%M")


def qr_payload(txid: str, signature: str) -> str:
    """The QR text a member scans to check a receipt: ``KOP1|<txid>|<signature>``."""
    if not TXID_RE.match(txid):
        raise ReceiptInvalid(
            f"transaction id {txid!r} must be 1-64 letters, digits or _.:-",
            f"id transaksi {txid!r} harus 1-64 huruf, angka atau _.:-",
        )
    if not SIGNATURE_RE.match(signature):
        raise ReceiptInvalid(
            "signature must be base32 text (A-Z, 2-7), e.g. from drivers.receipt.signature_text",
            "tanda tangan harus teks base32 (A-Z, 2-7), misalnya dari drivers.receipt.signature_text",
        )
    return f"{QR_PREFIX}|{txid}|{signature}"


def parse_qr_payload(text: str) -> tuple[str, str]:
    """Split a receipt QR text into ``(txid, signature)``; raises ``ReceiptDecodeError`` if it is not one."""
    parts = text.split("|")
    well_formed = len(parts) == 3 and parts[0] == QR_PREFIX
    if not well_formed or not TXID_RE.match(parts[1]) or not SIGNATURE_RE.match(parts[2]):
        raise ReceiptDecodeError(
            f"{text[:80]!r} is not a receipt QR code (expected {QR_PREFIX}|<txid>|<signature>)",
            f"{text[:80]!r} bukan kode QR struk (seharusnya {QR_PREFIX}|<txid>|<tanda tangan>)",
        )
    return parts[1], parts[2]


def receipt_message(receipt: Receipt) -> bytes:
    """The bytes a signer signs for a receipt: transaction id, total and time, ``|``-separated."""
    return f"{QR_PREFIX}|{receipt.txid}|{receipt.total_rp}|{receipt.at}".encode()


def signature_text(raw: bytes, length: int = 16) -> str:
    """Short printable signature: base32 (no padding) of the first ``length`` bytes of ``raw``."""
    return base64.b32encode(raw[:length]).decode("ascii").rstrip("=")


def sign_receipt(receipt: Receipt, signer: Callable[[bytes], bytes], length: int = 16) -> Receipt:
    """A copy of ``receipt`` signed by ``signer(receipt_message(receipt))``, shortened to ``length`` bytes."""
    return replace(receipt, signature=signature_text(signer(receipt_message(receipt)), length))


def _invalid(en: str, id_: str) -> ReceiptInvalid:
    return ReceiptInvalid(en, id_)


def _amount(data: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> int | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_AMOUNT_RP:
        raise _invalid(
            f"{where}{key} must be a whole number of rupiah from 0 to {MAX_AMOUNT_RP}, got {value!r}",
            f"{where}{key} harus bilangan bulat rupiah dari 0 sampai {MAX_AMOUNT_RP}, bukan {value!r}",
        )
    return value


def _text(data: Mapping[str, Any], key: str, *, optional: bool = False) -> str | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT_CHARS:
        raise _invalid(
            f"{key} must be text of 1 to {MAX_TEXT_CHARS} characters, got {value!r}",
            f"{key} harus teks 1 sampai {MAX_TEXT_CHARS} karakter, bukan {value!r}",
        )
    return value


def _qty(value: Any, where: str) -> str:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not QTY_RE.match(text) or Decimal(text) <= 0:
        raise _invalid(
            f"{where}qty {value!r} must be a whole number or a decimal text like '1.250'",
            f"{where}qty {value!r} harus bilangan bulat atau teks desimal seperti '1.250'",
        )
    return text


def receipt_from_dict(data: Mapping[str, Any]) -> Receipt:
    """Read a receipt from plain data (e.g. parsed JSON), naming the first field that is wrong."""
    if not isinstance(data, Mapping):
        raise _invalid("a receipt must be a JSON object", "struk harus berupa objek JSON")
    known = set(Receipt.__dataclass_fields__)
    extra = sorted(set(data) - known)
    if extra:
        raise _invalid(
            f"unknown receipt field(s): {', '.join(extra)}; known: {', '.join(sorted(known))}",
            f"kolom struk tidak dikenal: {', '.join(extra)}; yang dikenal: {', '.join(sorted(known))}",
        )
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, list | tuple) or not 1 <= len(raw_lines) <= MAX_LINES:
        raise _invalid(
            f"lines must be a list of 1 to {MAX_LINES} items",
            f"lines harus daftar berisi 1 sampai {MAX_LINES} barang",
        )
    lines = []
    for number, item in enumerate(raw_lines, start=1):
        where = f"line {number}: "
        if not isinstance(item, Mapping) or set(item) != {"name", "qty", "price_rp", "amount_rp"}:
            raise _invalid(
                f"{where}needs exactly the keys name, qty, price_rp, amount_rp",
                f"baris {number}: harus berisi tepat kunci name, qty, price_rp, amount_rp",
            )
        lines.append(
            ReceiptLine(
                name=str(_text(item, "name")),
                qty=_qty(item["qty"], where),
                price_rp=int(_amount(item, "price_rp", where) or 0),
                amount_rp=int(_amount(item, "amount_rp", where) or 0),
            )
        )
    payment = data.get("payment")
    if payment not in ("cash", "credit"):
        raise _invalid(
            f"payment must be 'cash' or 'credit', got {payment!r}",
            f"payment harus 'cash' atau 'credit', bukan {payment!r}",
        )
    points = data.get("points_earned")
    if points is not None:
        try:
            points = str(Decimal(str(points)))
        except InvalidOperation as err:
            raise _invalid(
                f"points_earned {points!r} must be a number like '12.50'",
                f"points_earned {points!r} harus angka seperti '12.50'",
            ) from err
    footer = data.get("footer", ())
    if not isinstance(footer, list | tuple) or not all(isinstance(x, str) for x in footer):
        raise _invalid("footer must be a list of text lines", "footer harus daftar baris teks")
    txid = str(_text(data, "txid"))
    signature = data.get("signature", "") or ""
    receipt = Receipt(
        coop_name=str(_text(data, "coop_name")),
        unit=str(_text(data, "unit")),
        txid=txid,
        at=str(_text(data, "at")),
        lines=tuple(lines),
        total_rp=int(_amount(data, "total_rp", "") or 0),
        payment=payment,
        paid_rp=_amount(data, "paid_rp", "", optional=True),
        change_rp=_amount(data, "change_rp", "", optional=True),
        member=_text(data, "member", optional=True),
        member_name=_text(data, "member_name", optional=True),
        points_earned=points,
        signature=str(signature),
        device=_text(data, "device", optional=True),
        clerk=_text(data, "clerk", optional=True),
        footer=tuple(footer),
    )
    if signature:
        qr_payload(txid, str(signature))
    return receipt


def ascii_fold(text: str) -> str:
    """Printable ASCII for a thermal printer's default code page: accents dropped, the rest ``?``."""
    folded = unicodedata.normalize("NFKD", text)
    out = []
    for char in folded:
        if unicodedata.combining(char):
            continue
        out.append(char if " " <= char <= "~" else "?")
    return "".join(out)


def _pair(left: str, right: str, columns: int) -> str:
    """``left`` and ``right`` on one row of ``columns``, left cut short if both do not fit."""
    room = columns - len(right) - 1
    if room < 1:
        return right[-columns:]
    return left[:room].ljust(room) + " " + right


def layout_text(
    receipt: Receipt, width: Width = 58, lang: str = "id"
) -> tuple[list[str], list[str], list[str]]:
    """The rows of a receipt as plain text: header (name rows, then unit; centred), body, footer (centred)."""
    if width not in COLUMNS:
        raise _invalid(
            f"paper width {width} mm is not supported; use 58 or 80",
            f"lebar kertas {width} mm tidak didukung; gunakan 58 atau 80",
        )
    label = LABELS["en" if lang == "en" else "id"]
    cols = COLUMNS[width]
    rule = "-" * cols
    name_rows = textwrap.wrap(ascii_fold(receipt.coop_name), cols)[:MAX_NAME_ROWS] or ["?"]
    header = [*name_rows, f"{label['unit']}: {ascii_fold(receipt.unit)}"[:cols]]
    body = [_pair(format_at(receipt.at), ascii_fold(receipt.device or ""), cols)]
    number = f"{label['no']}: {receipt.txid}"
    if len(number) <= cols:
        body.append(number)
    else:  # the id is what the books know the sale by: never cut it, wrap it
        body.append(f"{label['no']}:")
        body.extend(receipt.txid[start : start + cols] for start in range(0, len(receipt.txid), cols))
    if receipt.clerk:
        body.append(f"{label['clerk']}: {ascii_fold(receipt.clerk)}"[:cols])
    body.append(rule)
    for line in receipt.lines:
        rows = textwrap.wrap(ascii_fold(line.name), cols) or ["?"]
        body.extend(rows[:MAX_NAME_ROWS])
        body.append(_pair(f"  {line.qty} x {format_rp(line.price_rp)}", format_rp(line.amount_rp), cols))
    body.append(rule)
    body.append(_pair(label["total"], format_rp(receipt.total_rp), cols))
    body.append(
        _pair(
            label[receipt.payment],
            format_rp(receipt.paid_rp if receipt.paid_rp is not None else receipt.total_rp),
            cols,
        )
    )
    if receipt.change_rp is not None:
        body.append(_pair(label["change"], format_rp(receipt.change_rp), cols))
    if receipt.member:
        who = receipt.member + (f" {receipt.member_name}" if receipt.member_name else "")
        body.append(f"{label['member']}: {ascii_fold(who)}"[:cols])
    if receipt.points_earned is not None:
        body.append(_pair(label["points"], format_points(receipt.points_earned, lang), cols))
    body.append(rule)
    footer = [*(ascii_fold(x)[:cols] for x in receipt.footer), label["thanks"]]
    return header, body, footer


def qr_image(payload: str, box_dots: int) -> Any:
    """A QR code of ``payload`` as a 1-bit PIL image, ``box_dots`` printer dots per module.

    Error correction M (a scuffed thermal print still reads) and a fixed mask: choosing the "best"
    of eight masks costs most of a receipt's build time and any mask decodes.
    """
    import qrcode
    from PIL import Image

    code = qrcode.QRCode(
        version=None,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=1,
        border=QR_QUIET_MODULES,
        mask_pattern=QR_MASK,
    )
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    return image.resize((size * box_dots, size * box_dots), Image.Resampling.NEAREST)


def build_receipt(receipt: Receipt, width: Width = 58, lang: str = "id", profile: str | None = None) -> bytes:
    """ESC/POS bytes of ``receipt`` for ``width`` mm paper, in ``lang`` (``id`` default, or ``en``).

    Text rows are ASCII (``ascii_fold``), written as they are; python-escpos sets styles, lays out the
    QR raster image and cuts. Without a signature the QR code is left out (the receipt still prints;
    the caller decides whether an unsigned receipt is acceptable).
    """
    from escpos.printer import Dummy

    header, body, footer = layout_text(receipt, width, lang)
    label = LABELS["en" if lang == "en" else "id"]
    printer = Dummy(profile=profile or PROFILES[width])

    def rows(lines: list[str]) -> None:
        printer._raw("".join(row + "\n" for row in lines).encode("ascii", "replace"))

    printer.hw("INIT")
    printer.set(align="center", bold=True, double_height=True, double_width=False, normal_textsize=False)
    rows(header[:-1])  # the cooperative's name, bold and tall
    printer.set(align="center", bold=False, normal_textsize=True)
    rows(header[-1:])
    printer.set(align="left", bold=False, normal_textsize=True)
    rows(body)
    if receipt.signature:
        printer.set(align="center", bold=False, normal_textsize=True)
        rows([""])
        printer.image(qr_image(qr_payload(receipt.txid, receipt.signature), QR_BOX_DOTS[width]), center=True)
        rows(textwrap.wrap(label["verify"], COLUMNS[width]))
    printer.set(align="center", bold=False, normal_textsize=True)
    rows(footer)
    printer.cut()
    return bytes(printer.output)


def drawer_kick_bytes(pin: int = 2) -> bytes:
    """ESC/POS pulse that opens a cash drawer on connector pin 2 or 5."""
    from escpos.printer import Dummy

    if pin not in (2, 5):
        raise _invalid(f"drawer pin must be 2 or 5, got {pin}", f"pin laci harus 2 atau 5, bukan {pin}")
    printer = Dummy(profile=PROFILES[80])
    printer.cashdraw(pin)
    return bytes(printer.output)


# ---------------------------------------------------------------------------------------------
# Reading ESC/POS back: enough of the command set python-escpos emits to recover text and images.

ESC: Final = 0x1B
GS: Final = 0x1D
# Commands with a fixed number of argument bytes after their two-byte opcode.
_ESC_ARGS: Final[dict[int, int]] = {
    ord("@"): 0,
    ord("!"): 1,
    ord("E"): 1,
    ord("-"): 1,
    ord("a"): 1,
    ord("t"): 1,
    ord("M"): 1,
    ord("{"): 1,
    ord("d"): 1,
    ord("J"): 1,
    ord("3"): 1,
    ord("2"): 0,
    ord("G"): 1,
    ord("V"): 1,
    ord("p"): 3,
    ord("c"): 2,
    ord("="): 1,
    ord("R"): 1,
    ord("e"): 1,
}
_GS_ARGS: Final[dict[int, int]] = {
    ord("!"): 1,
    ord("b"): 1,
    ord("B"): 1,
    ord("h"): 1,
    ord("w"): 1,
    ord("H"): 1,
    ord("f"): 1,
    ord("L"): 2,
    ord("W"): 2,
}
MAX_DECODE_BYTES: Final = 4 * 1024 * 1024


def raster_qr_payloads(width_bytes: int, height: int, bits: bytes) -> list[str]:
    """The texts of the QR codes in one ``GS v 0`` raster image (1 bit per dot, 1 = black)."""
    import zxingcpp
    from PIL import Image

    width = width_bytes * 8
    image = Image.frombytes("1", (width, height), bits)
    # PIL's "1" mode reads a 1 bit as white: invert, then add a quiet zone around the code.
    image = Image.eval(image.convert("L"), lambda v: 255 - v)
    framed = Image.new("L", (width + 40, height + 40), 255)
    framed.paste(image, (20, 20))
    return [result.text for result in zxingcpp.read_barcodes(framed)]


def decode_escpos(data: bytes) -> DecodedReceipt:
    """Read ESC/POS bytes back into text rows and the QR payloads printed as raster images or natively."""
    if len(data) > MAX_DECODE_BYTES:
        raise ReceiptDecodeError(
            f"{len(data)} bytes is more than the {MAX_DECODE_BYTES} a receipt may have",
            f"{len(data)} byte melebihi batas {MAX_DECODE_BYTES} untuk satu struk",
        )
    text: list[str] = []
    payloads: list[str] = []
    cut = False
    kicks = 0
    i = 0
    n = len(data)

    def need(count: int) -> None:
        if i + count > n:
            raise ReceiptDecodeError(
                f"command at byte {i} is cut off: the data ends early",
                f"perintah pada byte {i} terpotong: data berakhir terlalu cepat",
            )

    while i < n:
        byte = data[i]
        if byte == ESC:
            need(2)
            op = data[i + 1]
            if op not in _ESC_ARGS:
                raise ReceiptDecodeError(
                    f"unknown command ESC 0x{op:02x} at byte {i}",
                    f"perintah ESC 0x{op:02x} tidak dikenal pada byte {i}",
                )
            if op == ord("p"):
                kicks += 1
            need(2 + _ESC_ARGS[op])
            i += 2 + _ESC_ARGS[op]
        elif byte == GS:
            need(2)
            op = data[i + 1]
            if op == ord("v"):
                need(8)
                width_bytes = data[i + 4] | data[i + 5] << 8
                height = data[i + 6] | data[i + 7] << 8
                size = width_bytes * height
                need(8 + size)
                found = raster_qr_payloads(width_bytes, height, data[i + 8 : i + 8 + size])
                payloads.extend(found)
                text.extend(f"[QR: {payload}]\n" for payload in found)
                i += 8 + size
            elif op == ord("V"):
                need(3)
                cut = True
                i += 4 if data[i + 2] in (65, 66, 97, 98, 103, 104) else 3
            elif op == ord("("):
                need(5)
                length = data[i + 3] | data[i + 4] << 8
                need(5 + length)
                block = data[i + 5 : i + 5 + length]
                if data[i + 2] == ord("k") and block[:3] == b"1P0":
                    payload = block[3:].decode("utf-8", "replace")
                    payloads.append(payload)
                    text.append(f"[QR: {payload}]\n")
                i += 5 + length
            elif op in _GS_ARGS:
                need(2 + _GS_ARGS[op])
                i += 2 + _GS_ARGS[op]
            else:
                raise ReceiptDecodeError(
                    f"unknown command GS 0x{op:02x} at byte {i}",
                    f"perintah GS 0x{op:02x} tidak dikenal pada byte {i}",
                )
        else:
            if byte == 0x0A or byte >= 0x20 or byte == 0x09:
                text.append(chr(byte) if byte < 0x80 else "?")
            i += 1
    rows = [row.rstrip() for row in "".join(text).split("\n")]
    kept = [row for number, row in enumerate(rows) if row or (number > 0 and rows[number - 1])]
    clean = "\n".join(kept).strip("\n") + "\n"
    return DecodedReceipt(text=clean, qr_payloads=tuple(payloads), cut=cut, drawer_kicks=kicks)


def decode_for_humans(data: bytes) -> tuple[str, list[str]]:
    """The text a receipt shows and the decoded QR payloads, for demos and technicians."""
    decoded = decode_escpos(data)
    return decoded.text, list(decoded.qr_payloads)
