"""The neraca after a year close: the open year's SHU only, closed years' SHU in the reserve and payables."""

from __future__ import annotations

from typing import Any

import pytest

from central import yearend
from central.books import reports
from central.ledger import Ledger
from central.members.rows import MemberRow, ProductRow
from tests.central.helpers import Device

PRICE_RP, COST_RP = 15_000, 13_000


def _line(qty: int, price_rp: int = PRICE_RP) -> list[dict[str, Any]]:
    return [{"sku": "GULA", "qty": qty, "price_rp": price_rp, "cost_rp": COST_RP}]


@pytest.fixture
def closed(ledger: Ledger) -> Ledger:
    """2025: pokok 300,000, a cash purchase of 20 gula, 10 sold to A001 (SHU 20,000), closed; then 2026:
    4 sold to A001 and 2 to a walk-in customer (SHU 12,000 so far)."""
    ledger.import_members([MemberRow("A001", "Budi", "2020-01-05", None, None, None, "anggota")])
    ledger.import_products([ProductRow("GULA", "Gula 1 kg", "toko", PRICE_RP, COST_RP)])
    sp, toko = Device("sp-09", "simpan-pinjam"), Device("toko-09", "toko")

    def at(day: str) -> str:
        return f"{day}T10:00:00+07:00"

    report = ledger.ingest(
        [
            sp.make("savings_deposit", member="A001", product="pokok", total=300_000, at=at("2025-01-10")),
            toko.make("purchase", lines=_line(20, COST_RP), total=20 * COST_RP, at=at("2025-02-01")),
            toko.make("sale", member="A001", lines=_line(10), total=10 * PRICE_RP, at=at("2025-03-01")),
        ]
    )
    assert report.ok, report.rejected
    yearend.close_year(ledger, 2025, by="bendahara")
    report = ledger.ingest(
        [
            toko.make("sale", member="A001", lines=_line(4), total=4 * PRICE_RP, at=at("2026-02-01")),
            toko.make("sale", member=None, lines=_line(2), total=2 * PRICE_RP, at=at("2026-02-02")),
        ]
    )
    assert report.ok, report.rejected
    return ledger


def _lines(ledger: Ledger, on: str) -> tuple[dict[str, int], dict[str, Any]]:
    sheet = reports.balance_sheet(ledger, on, "id")[0]
    return {row[1] or row[2]: row[3] for row in sheet.rows}, dict(sheet.summary)


def test_after_a_close_the_sheet_shows_only_the_open_years_shu(closed: Ledger) -> None:
    """Mid-2026: SHU tahun berjalan is 2026's 12,000; 2025's 20,000 sits in reserve 3201 and payables 22xx."""
    lines, summary = _lines(closed, "2026-06-30")
    assert lines == {
        "1101": 300_000 - 260_000 + 150_000 + 60_000 + 30_000,  # kas 280,000
        "1301": 260_000 - 130_000 - 52_000 - 26_000,  # persediaan 52,000
        "2201": 8_000,  # 40 % of 20,000: the members' SHU
        "2202": 1_000,  # 5 % pengurus
        "2203": 1_000,  # 5 % karyawan
        "2204": 1_000,  # 5 % pendidikan
        "2205": 600,  # 3 % sosial
        "2206": 400,  # 2 % pembangunan
        "3101": 300_000,  # simpanan pokok
        "3201": 8_000,  # 40 % cadangan
        "SHU tahun berjalan": (60_000 - 52_000) + (30_000 - 26_000),  # 2026 only: 12,000
    }
    assert summary == {
        "assets_rp": 332_000,
        "liabilities_rp": 12_000,
        "equity_rp": 320_000,
        "balanced": True,
    }
    on_close_day, _ = _lines(closed, "2025-12-31")
    assert on_close_day["SHU tahun berjalan"] == 0 and on_close_day["3201"] == 8_000


def test_a_reopened_year_shows_as_undistributed_shu_of_earlier_years(closed: Ledger) -> None:
    """After reopening 2025 its 20,000 is 'SHU tahun lalu belum dibagi', apart from 2026's 12,000."""
    yearend.reopen_year(closed, 2025, reason="koreksi", by="ketua")
    lines, summary = _lines(closed, "2026-06-30")
    assert lines["SHU tahun lalu belum dibagi"] == 20_000
    assert lines["SHU tahun berjalan"] == 12_000
    assert lines.get("3201", 0) == 0 and lines.get("2201", 0) == 0
    assert summary["equity_rp"] == 300_000 + 20_000 + 12_000 and summary["balanced"]
