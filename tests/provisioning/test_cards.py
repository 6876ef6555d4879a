"""Member cards: codes come only from central's export, print 2 x 5 per A4, and scan back exactly."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from provisioning.cards import (
    CARD_H_MM,
    CARD_W_MM,
    PAGE_H_MM,
    PAGE_W_MM,
    code128_image,
    cut_marks,
    layout,
    parse_members_csv,
    qr_image,
    render_pdf,
)
from provisioning.errors import CardsInputError, OutputExists
from tests.provisioning.cli_helpers import call

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
card_codes = st.text(alphabet=CROCKFORD, min_size=12, max_size=12).map(lambda s: "KP" + s)

EXPORT = """number,name,role,active,card_code
A001,Siti Rahayu,anggota,1,KP7Q2M9XK4D1RB
A002,Budi Santoso,pengurus,1,KP0000000000AB
A003,Dewi Lestari,anggota,1,KPZZZZZZZZZZZZ
"""


def test_export_rows_become_cards() -> None:
    """Central's export (extra columns allowed) gives one card per member with its card code."""
    cards = parse_members_csv(EXPORT)
    assert [(c.number, c.name, c.card_code) for c in cards] == [
        ("A001", "Siti Rahayu", "KP7Q2M9XK4D1RB"),
        ("A002", "Budi Santoso", "KP0000000000AB"),
        ("A003", "Dewi Lestari", "KPZZZZZZZZZZZZ"),
    ]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("number,name\nA001,Siti\n", "column(s) card_code missing"),
        (
            "number,name,card_code\nA001,Siti,\nA002,Budi,KP0000000000AB\nA003,Dewi,\n",
            "row(s) 2 (A001), 4 (A003) have no card_code",
        ),
        ("number,name,card_code\nA001,Siti,KP123\n", "is not KP + 12 characters"),
        (
            "number,name,card_code\nA001,Siti,KPIIIIIIIIIIII\n",
            "is not KP + 12 characters",
        ),  # I is not Crockford
        (
            "number,name,card_code\nA001,Siti,KP0000000000AB\nA002,Budi,KP0000000000AB\n",
            "duplicate card_code",
        ),
        ("number,name,card_code\n,Siti,KP0000000000AB\n", "member number or name"),
        ("number,name,card_code\n", "empty"),
    ],
)
def test_bad_exports_are_refused_with_the_rows_named(text: str, fragment: str) -> None:
    """Rows without a valid card code (or with duplicates) are refused, naming the CSV rows to fix."""
    with pytest.raises(CardsInputError) as caught:
        parse_members_csv(text)
    assert fragment in caught.value.en_text


@given(count=st.integers(min_value=0, max_value=45))
def test_layout_keeps_cards_on_the_sheet_and_apart(count: int) -> None:
    """For any number of cards: ten per page, each inside A4, none overlapping another on its page."""
    slots = layout(count)
    assert len(slots) == count
    for slot in slots:
        assert slot.x_mm >= 0 and slot.x_mm + CARD_W_MM <= PAGE_W_MM
        assert slot.y_mm >= 0 and slot.y_mm + CARD_H_MM <= PAGE_H_MM
    for i, a in enumerate(slots):
        assert a.page == i // 10
        for b in slots[i + 1 :]:
            if a.page == b.page:
                apart_x = a.x_mm + CARD_W_MM <= b.x_mm + 1e-9 or b.x_mm + CARD_W_MM <= a.x_mm + 1e-9
                apart_y = a.y_mm + CARD_H_MM <= b.y_mm + 1e-9 or b.y_mm + CARD_H_MM <= a.y_mm + 1e-9
                assert apart_x or apart_y


def test_cut_marks_stay_in_the_margins() -> None:
    """Cut marks lie on the page and outside every card."""
    cards = layout(10)
    for x1, y1, x2, y2 in cut_marks():
        for x, y in ((x1, y1), (x2, y2)):
            assert 0 <= x <= PAGE_W_MM and 0 <= y <= PAGE_H_MM
            assert not any(s.x_mm < x < s.x_mm + CARD_W_MM and s.y_mm < y < s.y_mm + CARD_H_MM for s in cards)


@given(code=card_codes)
def test_card_images_decode_back_to_the_card_code(code: str) -> None:
    """Any card code survives QR and Code 128 rendering: the decoder reads back exactly the code."""
    qr = zxingcpp.read_barcodes(qr_image(code), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [r.text for r in qr] == [code]
    bars = zxingcpp.read_barcodes(code128_image(code).convert("L"), formats=zxingcpp.BarcodeFormat.Code128)
    assert [r.text for r in bars] == [code]


def test_pdf_pages_scan_back_every_card(tmp_path: Path) -> None:
    """The printed PDF, rasterised like a print, holds each member's QR and Code 128 with its card code."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
    csv = tmp_path / "members.csv"
    rows = [f"A{n:03d},Anggota {n},KP{n:012d}" for n in range(1, 13)]
    csv.write_text("number,name,card_code\n" + "\n".join(rows) + "\n")
    out = tmp_path / "cards.pdf"
    code, stdout, err = call("--lang", "en", "cards", "--members", str(csv), "--out", str(out))
    assert code == 0, err
    assert "12 cards on 2 A4 sheet(s)" in stdout
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2
    found: dict[str, set[str]] = {}
    for page in pages:
        for result in zxingcpp.read_barcodes(Image.open(page)):
            found.setdefault(result.text, set()).add(result.format.name)
    expected = {f"KP{n:012d}" for n in range(1, 13)}
    assert set(found) == expected
    assert all(formats == {"QRCode", "Code128"} for formats in found.values()), found


def test_cards_refuse_to_overwrite_and_rows_without_codes(tmp_path: Path) -> None:
    """cards refuses an existing output file and an export with missing codes, exit 1, nothing written."""
    csv = tmp_path / "members.csv"
    csv.write_text("number,name,card_code\nA001,Siti,\n")
    code, _, err = call("cards", "--members", str(csv), "--out", str(tmp_path / "x.pdf"))
    assert code == 1 and "tidak punya card_code" in err
    assert not (tmp_path / "x.pdf").exists()
    existing = tmp_path / "old.pdf"
    existing.write_text("keep me")
    with pytest.raises(OutputExists):
        render_pdf(parse_members_csv(EXPORT), existing)
    assert existing.read_text() == "keep me"


def test_cards_from_centrals_real_members_export(tmp_path: Path) -> None:
    """Members imported at central and exported with their random card codes print and scan back."""
    central_cli = pytest.importorskip("central.cli")
    db = str(tmp_path / "central.sqlite")
    members = tmp_path / "import.csv"
    members.write_text(
        "number,name,joined,birth_date,phone,blood_type,role\n"
        "A001,Siti Rahayu,2020-01-15,,,,anggota\nA002,Budi Santoso,2021-03-01,,,,pengurus\n"
    )
    export = tmp_path / "export.csv"
    for args in (["init"], ["import", "members", str(members)], ["export", "members", "--out", str(export)]):
        assert central_cli.main(["--db", db, *args]) == 0
    cards = parse_members_csv(export.read_text(encoding="utf-8-sig"))
    assert [c.number for c in cards] == ["A001", "A002"]
    assert cards[0].card_code != cards[1].card_code
    for card in cards:
        qr = zxingcpp.read_barcodes(qr_image(card.card_code), formats=zxingcpp.BarcodeFormat.QRCode)
        assert [r.text for r in qr] == [card.card_code]
