"""Receipt data shared by the drivers tests."""

from __future__ import annotations

from typing import Any

from drivers.receipt import receipt_from_dict

SAMPLE_DICT: dict[str, Any] = {
    "coop_name": "Koperasi Maju Bersama",
    "unit": "toko",
    "txid": "toko-01:000042",
    "at": "2026-11-22 10:15",
    "lines": [
        {"name": "Gula pasir 1 kg", "qty": 2, "price_rp": 14000, "amount_rp": 28000},
        {"name": "Beras premium karung 5 kg Cianjur", "qty": "1.250", "price_rp": 10000, "amount_rp": 12500},
    ],
    "total_rp": 40500,
    "payment": "cash",
    "paid_rp": 50000,
    "change_rp": 9500,
    "member": "A001",
    "member_name": "Budi Santoso",
    "points_earned": "12.5",
    "signature": "MFRGGZDFMZTWQ2LKNNWG23TPOA",
    "device": "toko-01",
    "clerk": "Sri",
}
SAMPLE = receipt_from_dict(SAMPLE_DICT)
