"""Receipts: golden ESC/POS bytes, the QR code read back from the raster, layout and validation.

Regenerate the golden files after an intended layout change with
``KOP_REGEN_GOLDEN=1 python -m pytest tests/drivers/test_receipt.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import ReceiptDecodeError, ReceiptInvalid
from drivers.receipt import (
    COLUMNS,
    Receipt,
    ReceiptLine,
    build_receipt,
    decode_escpos,
    decode_for_humans,
    format_rp,
    parse_qr_payload,
    qr_payload,
    receipt_from_dict,
    receipt_message,
    sign_receipt,
)
from tests.drivers.samples import SAMPLE, SAMPLE_DICT

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("KOP_REGEN_GOLDEN") == "1"
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))

CREDIT = receipt_from_dict(
    {
        **SAMPLE_DICT,
        "txid": "cafe-02:7",
        "unit": "café",
        "payment": "credit",
        "paid_rp": None,
        "change_rp": None,
        "lines": [{"name": "Kopi susu gula aren", "qty": 3, "price_rp": 8000, "amount_rp": 24000}],
        "total_rp": 24000,
    }
)


def _golden(name: str, data: bytes) -> bytes:
    path = GOLDEN / name
    if REGEN:
        path.write_bytes(data)
    return path.read_bytes()


@pytest.mark.parametrize(
    ("name", "receipt", "width", "lang"),
    [
        ("cash-58-id.bin", SAMPLE, 58, "id"),
        ("cash-80-en.bin", SAMPLE, 80, "en"),
        ("credit-58-id.bin", CREDIT, 58, "id"),
    ],
)
def test_receipt_bytes_match_golden_files(name: str, receipt: Receipt, width: int, lang: str) -> None:
    """The ESC/POS bytes of known receipts are exactly the reviewed golden files."""
    data = build_receipt(receipt, width, lang)  # type: ignore[arg-type]
    assert data == _golden(name, data)


@pytest.mark.parametrize("width", [58, 80])
def test_qr_code_decodes_back_from_the_printed_raster(width: int) -> None:
    """The QR code lifted from the GS v 0 raster decodes (zxing-cpp) to KOP1|txid|signature."""
    text, payloads = decode_for_humans(build_receipt(SAMPLE, width))  # type: ignore[arg-type]
    assert payloads == ["KOP1|toko-01:000042|MFRGGZDFMZTWQ2LKNNWG23TPOA"]
    assert parse_qr_payload(payloads[0]) == ("toko-01:000042", "MFRGGZDFMZTWQ2LKNNWG23TPOA")
    assert "[QR: KOP1|toko-01:000042|" in text


def test_signed_receipt_can_be_verified_from_its_qr() -> None:
    """A receipt signed with the full Ed25519 signature is verified from the QR text and the books."""
    signed = sign_receipt(SAMPLE, KEY.sign, length=64)
    _, payloads = decode_for_humans(build_receipt(signed, 80))
    _txid, signature = parse_qr_payload(payloads[0])
    import base64

    raw = base64.b32decode(signature + "=" * (-len(signature) % 8))
    KEY.public_key().verify(raw, receipt_message(SAMPLE))  # raises if it does not verify


def test_receipt_text_in_indonesian_and_english() -> None:
    """Labels are Indonesian by default (TOTAL, TUNAI, KEMBALI, Poin) and English on request."""
    text_id, _ = decode_for_humans(build_receipt(SAMPLE, 58))
    text_en, _ = decode_for_humans(build_receipt(SAMPLE, 58, "en"))
    for fragment in ("TOTAL", "Rp 40.500", "TUNAI", "Rp 50.000", "KEMBALI", "Rp 9.500", "Poin", "12,50"):
        assert fragment in text_id
    for fragment in ("CASH", "CHANGE", "Points", "12.50", "Member: A001 Budi Santoso"):
        assert fragment in text_en
    assert "KREDIT" in decode_for_humans(build_receipt(CREDIT, 58))[0]
    assert "Unit: cafe" in decode_for_humans(build_receipt(CREDIT, 58))[0]  # folded to ASCII


@pytest.mark.parametrize("width", [58, 80])
def test_no_printed_row_is_wider_than_the_paper(width: int) -> None:
    """Every text row fits the paper's columns, long names included."""
    text, _ = decode_for_humans(build_receipt(SAMPLE, width))  # type: ignore[arg-type]
    assert max(len(row) for row in text.splitlines() if not row.startswith("[QR")) <= COLUMNS[width]


def test_unsigned_receipt_prints_without_qr() -> None:
    """Without a signature the receipt still prints, with no QR code."""
    unsigned = receipt_from_dict({**SAMPLE_DICT, "signature": ""})
    decoded = decode_escpos(build_receipt(unsigned, 58))
    assert decoded.qr_payloads == ()
    assert decoded.cut is False  # the 58 mm profile has no cutter: it feeds instead
    assert decode_escpos(build_receipt(unsigned, 80)).cut is True


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10_000_000_000))
def test_rupiah_format_round_trips(amount: int) -> None:
    """Rupiah text is 'Rp ' and digits in groups of three separated by dots, and reads back exactly."""
    text = format_rp(amount)
    assert text.startswith("Rp ")
    groups = text[3:].split(".")
    assert all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3
    assert int("".join(groups)) == amount


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"total_rp": -1}, "total_rp"),
        ({"total_rp": 1.5}, "total_rp"),
        ({"payment": "qris"}, "payment"),
        ({"lines": []}, "lines"),
        ({"lines": [{"name": "x", "qty": 0, "price_rp": 1, "amount_rp": 1}]}, "qty"),
        ({"txid": None}, "txid"),
        ({"signature": "not base32!"}, "base32"),
        ({"colour": "red"}, "unknown receipt field"),
        ({"points_earned": "lots"}, "points_earned"),
    ],
)
def test_invalid_receipt_data_names_the_field(change: dict[str, object], fragment: str) -> None:
    """Bad receipt data is refused with a message naming the field, in both languages."""
    with pytest.raises(ReceiptInvalid) as caught:
        receipt_from_dict({**SAMPLE_DICT, **change})
    assert fragment in caught.value.text("en")
    assert caught.value.text("id") != caught.value.text("en")


def test_width_must_be_58_or_80() -> None:
    """Paper widths other than 58 and 80 mm are refused clearly."""
    with pytest.raises(ReceiptInvalid, match="58 or 80"):
        build_receipt(SAMPLE, 76)  # type: ignore[arg-type]


def test_qr_payload_rejects_what_would_break_it() -> None:
    """Transaction ids with separators and non-base32 signatures cannot make a QR payload."""
    with pytest.raises(ReceiptInvalid):
        qr_payload("a|b", "ABC")
    with pytest.raises(ReceiptDecodeError):
        parse_qr_payload("https://example.org/")
    assert qr_payload("t-1", "ABC234") == "KOP1|t-1|ABC234"


def test_decoder_refuses_truncated_or_foreign_bytes() -> None:
    """Bytes cut mid-command or with unknown commands are a ReceiptDecodeError, not a crash."""
    data = build_receipt(SAMPLE, 58)
    with pytest.raises(ReceiptDecodeError):
        decode_escpos(data[: data.index(b"\x1dv0") + 20])
    with pytest.raises(ReceiptDecodeError):
        decode_escpos(b"\x1b\xff")


def test_receipt_lines_are_plain_data() -> None:
    """The receipt and its lines are frozen values built from the dict."""
    assert SAMPLE.lines[1] == ReceiptLine("Beras premium karung 5 kg Cianjur", "1.250", 10000, 12500)
    with pytest.raises(AttributeError):
        SAMPLE.total_rp = 1  # type: ignore[misc]


def test_native_qr_commands_are_read_back_too() -> None:
    """A QR code sent as the printer's own GS ( k command (not a raster) is read back from the bytes."""
    from escpos.printer import Dummy

    printer = Dummy(profile="TM-T20II")
    printer.qr("KOP1|t-9|ABC234", native=True)
    printer.cut()
    decoded = decode_escpos(bytes(printer.output))
    assert decoded.qr_payloads == ("KOP1|t-9|ABC234",)
    assert decoded.cut is True


def test_long_transaction_ids_are_wrapped_never_cut_and_iso_times_are_readable() -> None:
    """A 32-character id (edge's uuid4 hex) is printed whole on 58 mm paper; ISO times print as dd-mm-yyyy."""
    txid = "0f8e2a9c4b7d41e3a5c6d7e8f9012345"
    receipt = receipt_from_dict({**SAMPLE_DICT, "txid": txid, "at": "2026-11-22T10:15:30+07:00"})
    text, payloads = decode_for_humans(build_receipt(receipt, 58))
    assert txid in text.replace("\n", "")
    assert txid in text.split("No:", 1)[1].split("-" * 8, 1)[0].replace("\n", "")
    assert "22-11-2026 10:15" in text
    assert payloads == [f"KOP1|{txid}|MFRGGZDFMZTWQ2LKNNWG23TPOA"]


def test_long_cooperative_name_wraps() -> None:
    """A cooperative name longer than the paper is wrapped onto more rows, not cut."""
    name = "Koperasi Simpan Pinjam Sejahtera Bersama Makmur"
    text, _ = decode_for_humans(build_receipt(receipt_from_dict({**SAMPLE_DICT, "coop_name": name}), 58))
    assert " ".join(text.splitlines()[:2]) == name
