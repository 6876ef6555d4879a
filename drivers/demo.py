"""What ``make demo`` shows of drivers/: a receipt printed to a file and read back, and an SMS sent
through the fake modem. Library functions for the demo script, also ``python -m drivers demo``.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Final

from drivers.receipt import DecodedReceipt, build_receipt, decode_escpos, receipt_from_dict, sign_receipt

DEMO_RECEIPT: Final = {
    "coop_name": "Koperasi Maju Bersama",
    "unit": "toko",
    "txid": "toko-01:000042",
    "at": "2026-11-22 10:15",
    "device": "toko-01",
    "clerk": "Sri",
    "lines": [
        {"name": "Gula pasir 1 kg", "qty": 2, "price_rp": 14000, "amount_rp": 28000},
        {"name": "Minyak goreng 1 L", "qty": 1, "price_rp": 18500, "amount_rp": 18500},
        {"name": "Beras (timbang)", "qty": "1.250", "price_rp": 12000, "amount_rp": 15000},
    ],
    "total_rp": 61500,
    "payment": "cash",
    "paid_rp": 100000,
    "change_rp": 38500,
    "member": "A001",
    "member_name": "Budi Santoso",
    "points_earned": "14.25",
}
# Demo only: a real device's key comes from its enrollment, never from source code.
DEMO_HMAC_KEY: Final = b"demo key, not for production"
DEMO_NUMBER: Final = "+6281234567890"
DEMO_SMS: Final = (
    "Yth. Budi Santoso, simpanan wajib November Rp 50.000 sudah kami terima. "
    "Poin Anda tahun ini 14,25. Terima kasih - Koperasi Maju Bersama"
)


def receipt_demo(out: Path, width: int = 58, lang: str = "id") -> tuple[bytes, DecodedReceipt]:
    """Build the demo receipt (signed with a demo HMAC), write it to ``out``, and read it back."""

    def signer(message: bytes) -> bytes:
        return hmac.new(DEMO_HMAC_KEY, message, hashlib.sha256).digest()

    receipt = sign_receipt(receipt_from_dict(DEMO_RECEIPT), signer, length=16)
    data = build_receipt(receipt, 80 if width == 80 else 58, lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return data, decode_escpos(data)


def sms_demo(number: str = DEMO_NUMBER, text: str = DEMO_SMS) -> tuple[list[int], list[tuple[str, str]]]:
    """Send one SMS through the real AT driver to a fake modem; the references and what it received."""
    from drivers.fakes.modem import FakeModem
    from drivers.modem import GsmModem

    with FakeModem() as fake, GsmModem(fake.port) as modem:
        references = modem.send_sms(number, text)
        received = list(fake.messages)
    return references, received


def run(out_dir: Path, lang: str = "id") -> str:
    """Both demos; returns the report to print."""
    out = out_dir / "receipt-58.bin"
    data, decoded = receipt_demo(out, 58, lang)
    references, received = sms_demo()
    lines = [
        f"== {'struk' if lang != 'en' else 'receipt'}: {out} ({len(data)} B ESC/POS)",
        decoded.text.rstrip("\n"),
        *(f"QR: {payload}" for payload in decoded.qr_payloads),
        f"== SMS ({'modem tiruan' if lang != 'en' else 'fake modem'}), ref {', '.join(map(str, references))}",
        *(f"{number}: {text}" for number, text in received),
    ]
    return "\n".join(lines) + "\n"
