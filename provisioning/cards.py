"""Printable member cards: CR80 cards (85.6 x 54 mm), 2 x 5 on an A4 sheet with cut marks.

Each card shows the member's name and number, a QR code and a Code 128 barcode of the card code. Card
codes come from central's members export (``card_code`` column, ``KP`` + 12 Crockford base32, random,
assigned by central); this module never derives one, so a card code cannot be guessed from a number.

``layout`` is pure (positions on the sheet); the images and the PDF are made at the edge.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from provisioning.errors import CardsInputError, OutputExists

CARD_CODE_RE: Final = re.compile(r"^KP[0-9A-HJKMNP-TV-Z]{12}$")
MEMBER_NUMBER_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
PAGE_W_MM: Final = 210.0
PAGE_H_MM: Final = 297.0
CARD_W_MM: Final = 85.6
CARD_H_MM: Final = 54.0
COLUMNS: Final = 2
ROWS: Final = 5
CARDS_PER_PAGE: Final = COLUMNS * ROWS
CUT_MARK_MM: Final = 5.0
CUT_MARK_GAP_MM: Final = 1.5
MAX_MEMBERS: Final = 20_000
MAX_CSV_BYTES: Final = 20 * 1024 * 1024
MAX_NAME_CHARS: Final = 60
REQUIRED_COLUMNS: Final = ("number", "name", "card_code")
BARCODE_DPI: Final = 300
BARCODE_MAX_W_MM: Final = 62.0
# How many offending rows an error message lists before saying "and N more".
MAX_ROWS_IN_MESSAGE: Final = 5


@dataclass(frozen=True)
class MemberCard:
    """What one card shows."""

    number: str
    name: str
    card_code: str


@dataclass(frozen=True)
class Slot:
    """Where one card goes: page index (from 0) and its top-left corner in mm."""

    page: int
    x_mm: float
    y_mm: float


def margins_mm() -> tuple[float, float]:
    """Left and top margin that centre the 2 x 5 grid on A4."""
    return (PAGE_W_MM - COLUMNS * CARD_W_MM) / 2, (PAGE_H_MM - ROWS * CARD_H_MM) / 2


def layout(count: int) -> tuple[Slot, ...]:
    """Slots for ``count`` cards, row by row, ten to a page."""
    left, top = margins_mm()
    slots = []
    for index in range(count):
        page, within = divmod(index, CARDS_PER_PAGE)
        row, column = divmod(within, COLUMNS)
        slots.append(Slot(page, left + column * CARD_W_MM, top + row * CARD_H_MM))
    return tuple(slots)


def cut_marks() -> tuple[tuple[float, float, float, float], ...]:
    """Short cut lines (x1, y1, x2, y2 in mm) in the margins, in line with every card edge."""
    left, top = margins_mm()
    right, bottom = left + COLUMNS * CARD_W_MM, top + ROWS * CARD_H_MM
    marks = []
    for column in range(COLUMNS + 1):
        x = left + column * CARD_W_MM
        marks.append((x, top - CUT_MARK_GAP_MM - CUT_MARK_MM, x, top - CUT_MARK_GAP_MM))
        marks.append((x, bottom + CUT_MARK_GAP_MM, x, bottom + CUT_MARK_GAP_MM + CUT_MARK_MM))
    for row in range(ROWS + 1):
        y = top + row * CARD_H_MM
        marks.append((left - CUT_MARK_GAP_MM - CUT_MARK_MM, y, left - CUT_MARK_GAP_MM, y))
        marks.append((right + CUT_MARK_GAP_MM, y, right + CUT_MARK_GAP_MM + CUT_MARK_MM, y))
    return tuple(marks)


def _rows_message(rows: Sequence[str]) -> str:
    shown = ", ".join(rows[:MAX_ROWS_IN_MESSAGE])
    more = len(rows) - MAX_ROWS_IN_MESSAGE
    return shown + (f" (+{more})" if more > 0 else "")


def parse_members_csv(text: str) -> tuple[MemberCard, ...]:
    """Members from central's export (number, name, ..., card_code); rows without a valid code are refused."""
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise CardsInputError(
            f"kolom {', '.join(missing)} tidak ada di CSV anggota; pakai ekspor anggota dari central "
            "(python -m central --db DB export members --out F.csv)",
            f"column(s) {', '.join(missing)} missing from the members CSV; use central's members export "
            "(python -m central --db DB export members --out F.csv)",
        )
    cards: list[MemberCard] = []
    no_code: list[str] = []
    bad_code: list[str] = []
    bad_row: list[str] = []
    seen: dict[str, str] = {}
    duplicate: list[str] = []
    for line_no, raw in enumerate(reader, start=2):
        if len(cards) + len(no_code) + len(bad_code) + len(bad_row) >= MAX_MEMBERS:
            raise CardsInputError(
                f"CSV berisi lebih dari {MAX_MEMBERS} anggota; bagi menjadi beberapa file",
                f"the CSV holds more than {MAX_MEMBERS} members; split it into several files",
            )
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
        number, name, code = row.get("number", ""), row.get("name", ""), row.get("card_code", "").upper()
        where = f"{line_no} ({number or '?'})"
        if not MEMBER_NUMBER_RE.match(number) or not name:
            bad_row.append(where)
        elif not code:
            no_code.append(where)
        elif not CARD_CODE_RE.match(code):
            bad_code.append(where)
        elif code in seen:
            duplicate.append(f"{where} = {seen[code]}")
        else:
            seen[code] = number
            cards.append(MemberCard(number=number, name=name[:MAX_NAME_CHARS], card_code=code))
    if no_code:
        raise CardsInputError(
            f"baris {_rows_message(no_code)} tidak punya card_code; kartu hanya dicetak dari kode "
            "yang dibuat "
            "central. Impor anggota di central lalu ekspor ulang CSV-nya",
            f"row(s) {_rows_message(no_code)} have no card_code; cards are printed only from codes central "
            "assigned. Import the members at central and export the CSV again",
        )
    if bad_code:
        raise CardsInputError(
            f"baris {_rows_message(bad_code)}: card_code bukan format KP + 12 karakter (mis. KP7Q2M9XK4D1RB)",
            f"row(s) {_rows_message(bad_code)}: card_code is not KP + 12 characters (e.g. KP7Q2M9XK4D1RB)",
        )
    if bad_row:
        raise CardsInputError(
            f"baris {_rows_message(bad_row)}: nomor anggota atau nama kosong/tidak sah",
            f"row(s) {_rows_message(bad_row)}: member number or name is empty or not valid",
        )
    if duplicate:
        raise CardsInputError(
            f"card_code ganda di baris {_rows_message(duplicate)}; setiap kartu harus unik",
            f"duplicate card_code in row(s) {_rows_message(duplicate)}; every card must be unique",
        )
    if not cards:
        raise CardsInputError("CSV anggota kosong", "the members CSV is empty")
    return tuple(cards)


def read_members_csv(path: Path) -> tuple[MemberCard, ...]:
    """``parse_members_csv`` of a file (UTF-8, with or without BOM)."""
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise CardsInputError(
                f"{path} lebih dari {MAX_CSV_BYTES // (1024 * 1024)} MB", f"{path} is larger than 20 MB"
            )
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CardsInputError(f"file {path} tidak ada", f"file {path} does not exist") from None
    except UnicodeDecodeError:
        raise CardsInputError(f"{path} bukan teks UTF-8", f"{path} is not UTF-8 text") from None
    return parse_members_csv(text)


def printable(text: str) -> str:
    """Text the PDF's built-in font can show: accents folded, anything else replaced by '?'."""
    folded = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return kept.encode("latin-1", "replace").decode("latin-1")


def qr_image(code: str) -> Any:
    """A PIL image of the QR code of ``code`` (error correction M, quiet zone 4)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    qr.add_data(code)
    qr.make(fit=True)
    return qr.make_image().get_image().convert("L")


def code128_image(code: str) -> Any:
    """A PIL image of the Code 128 barcode of ``code`` (no human-readable text: the card prints it)."""
    from barcode import Code128
    from barcode.writer import ImageWriter

    writer = ImageWriter()
    return Code128(code, writer=writer).render(
        {
            "module_width": 0.3,
            "module_height": 9.0,
            "quiet_zone": 3.0,
            "write_text": False,
            "dpi": BARCODE_DPI,
        }
    )


def render_pdf(cards: Sequence[MemberCard], out: Path, *, title: str = "Kartu Anggota Koperasi") -> int:
    """Write the cards to ``out`` as an A4 PDF; returns the number of pages. ``out`` must not exist."""
    from fpdf import FPDF

    if out.exists():
        raise OutputExists(
            f"{out} sudah ada; tidak ditimpa. Pilih --out lain atau hapus dulu",
            f"{out} already exists; it is not overwritten. Choose another --out or remove it",
        )
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creator("koperasi provisioning")
    slots = layout(len(cards))
    page = -1
    for card, slot in zip(cards, slots, strict=True):
        if slot.page != page:
            page = slot.page
            pdf.add_page()
            pdf.set_draw_color(0)
            pdf.set_line_width(0.2)
            for x1, y1, x2, y2 in cut_marks():
                pdf.line(x1, y1, x2, y2)
        _draw_card(pdf, card, slot, title)
    tmp = out.with_name(f".{out.name}.partial")
    pdf.output(str(tmp))
    tmp.replace(out)
    return page + 1


def _draw_card(pdf: Any, card: MemberCard, slot: Slot, title: str) -> None:
    x, y = slot.x_mm, slot.y_mm
    pdf.set_draw_color(200)
    pdf.set_line_width(0.1)
    pdf.rect(x, y, CARD_W_MM, CARD_H_MM)  # faint outline, inside the cut lines
    pdf.set_text_color(0)
    pdf.set_font("Helvetica", "B", 8)
    pdf.set_xy(x + 4, y + 3)
    pdf.cell(CARD_W_MM - 8, 4, printable(title)[:50])
    qr_mm = 26.0
    pdf.image(qr_image(card.card_code), x=x + CARD_W_MM - qr_mm - 3, y=y + 7, w=qr_mm, h=qr_mm)
    pdf.set_font("Helvetica", "B", 10)
    pdf.set_xy(x + 4, y + 10)
    pdf.multi_cell(CARD_W_MM - qr_mm - 10, 4.5, printable(card.name), align="L", max_line_height=4.5)
    pdf.set_font("Helvetica", "", 8)
    pdf.set_xy(x + 4, y + 22)
    pdf.cell(CARD_W_MM - qr_mm - 10, 4, printable(f"No. anggota: {card.number}"))
    barcode = code128_image(card.card_code)
    # Keep the rendered module width (no horizontal resampling of bars), capped to the card's space.
    bar_w = min(BARCODE_MAX_W_MM, barcode.width / BARCODE_DPI * 25.4)
    bar_h = 10.0
    pdf.image(barcode, x=x + 4, y=y + 35, w=bar_w, h=bar_h)
    pdf.set_font("Courier", "", 8)
    pdf.set_xy(x + 4, y + 46)
    pdf.cell(bar_w, 4, card.card_code, align="C")
