"""Checking a printed receipt against the books: ``python -m central verify-receipt "KOP1|<id>|<sig>"``.

A receipt's QR code carries the transaction id and the start of the envelope's Ed25519 signature
(base32 of its first bytes). Central stored that envelope, with its signature verified, when it ingested
the sale; a receipt whose id is in the ledger and whose signature start matches what was stored belongs
to that transaction. A forged receipt would need the device's key, and a receipt for a sale that never
reached the ledger shows as unknown, which is what a member or supervisor needs to know.

The answer names the transaction's date, unit, total and whether it was voided; it never shows the member,
so whoever holds a receipt learns nothing about anyone else.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select

from central.ledger import Ledger, schema

QR_PREFIX: Final = "KOP1"
MAX_PAYLOAD_CHARS: Final = 300
SIGNATURE_BYTES_MIN: Final = 8  # shorter prefixes are too easy to guess

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "valid": (
        "Struk SAH: transaksi {txid}, {at}, unit {unit}, total Rp {total}.",
        "Receipt VALID: transaction {txid}, {at}, unit {unit}, total Rp {total}.",
    ),
    "voided": (
        "Struk SAH tetapi transaksinya DIBATALKAN ({void}).",
        "Receipt VALID but its transaction was VOIDED ({void}).",
    ),
    "unknown": (
        "Transaksi {txid} belum ada di buku besar pusat. Jika baru saja dicatat, perangkat mungkin belum "
        "tersinkron; coba lagi nanti atau tanyakan ke pengawas.",
        "Transaction {txid} is not in the central ledger. If it was just recorded, the device may not have "
        "synced yet; try again later or ask a supervisor.",
    ),
    "mismatch": (
        "Struk TIDAK SAH: tanda tangan tidak cocok dengan transaksi {txid} di buku besar. "
        "Laporkan ke pengawas.",
        "Receipt NOT VALID: its signature does not match transaction {txid} in the ledger. Report it to a "
        "supervisor.",
    ),
    "malformed": (
        "Bukan kode struk koperasi (harus berbentuk KOP1|<id transaksi>|<tanda tangan>).",
        "Not a cooperative receipt code (it must look like KOP1|<transaction id>|<signature>).",
    ),
}


@dataclass(frozen=True)
class ReceiptCheck:
    """The answer about one receipt; ``status`` is valid, voided, unknown, mismatch or malformed."""

    status: str
    txid: str | None = None
    at: str | None = None
    unit: str | None = None
    total_rp: int | None = None
    void: str | None = None

    def message(self, lang: str) -> str:
        pair = MESSAGES[self.status]
        text = pair[1] if lang == "en" else pair[0]
        return text.format(
            txid=self.txid,
            at=self.at,
            unit=self.unit,
            total=f"{self.total_rp or 0:,}".replace(",", "."),
            void=self.void,
        )


def split_payload(text: str) -> tuple[str, bytes] | None:
    """``(txid, signature prefix bytes)`` of a receipt QR text, or None when it is not one."""
    parts = text.strip().split("|")
    if len(text) > MAX_PAYLOAD_CHARS or len(parts) != 3 or parts[0] != QR_PREFIX or not parts[1]:
        return None
    encoded = parts[2].upper()
    try:
        prefix = base64.b32decode(encoded + "=" * (-len(encoded) % 8))
    except (binascii.Error, ValueError):
        return None
    if len(prefix) < SIGNATURE_BYTES_MIN:
        return None
    return parts[1], prefix


def stored_signature(body: str) -> bytes:
    """The raw signature bytes of a stored envelope (empty when it was ingested unsigned)."""
    try:
        sig = json.loads(body).get("sig")
        return base64.b64decode(sig, validate=True) if isinstance(sig, str) else b""
    except (ValueError, binascii.Error, AttributeError):
        return b""


def verify_receipt(ledger: Ledger, payload: str) -> ReceiptCheck:
    """Check a receipt's QR text against the ledger."""
    parsed = split_payload(payload)
    if parsed is None:
        return ReceiptCheck("malformed")
    txid, prefix = parsed
    tx = schema.transactions
    with ledger.read() as conn:
        row = conn.execute(
            select(tx.c.at, tx.c.unit, tx.c.total_rp, tx.c.body, tx.c.kind).where(tx.c.id == txid)
        ).first()
        if row is None:
            return ReceiptCheck("unknown", txid=txid)
        stored = stored_signature(row.body)
        if not stored or stored[: len(prefix)] != prefix:
            return ReceiptCheck("mismatch", txid=txid)
        void = conn.execute(
            select(tx.c.id).where(tx.c.kind == "void", tx.c.ref == txid).limit(1)
        ).scalar_one_or_none()
    status = "voided" if void else "valid"
    return ReceiptCheck(status, txid=txid, at=row.at, unit=row.unit, total_rp=int(row.total_rp), void=void)
