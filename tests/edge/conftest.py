"""Fixtures for edge/: a real device directory with a real SQLite store, catalog and member cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edge.device import Device
from edge.install import init_device
from edge.settings import DeviceSettings

CATALOG: list[dict[str, Any]] = [
    {
        "sku": "8991001",
        "name": "Beras 5 kg",
        "unit": "toko",
        "price_rp": 68000,
        "cost_rp": 61000,
        "stock": 40,
    },
    {
        "sku": "8991002",
        "name": "Minyak goreng 1 L",
        "unit": "toko",
        "price_rp": 17500,
        "cost_rp": 15800,
        "stock": 24,
    },
    {
        "sku": "8991003",
        "name": "Gula pasir 1 kg",
        "unit": "toko",
        "price_rp": 16000,
        "cost_rp": 14500,
        "stock": 3,
    },
    {
        "sku": "TELUR",
        "name": "Telur ayam (kg)",
        "unit": "toko",
        "price_rp": 28000,
        "cost_rp": 25000,
        "stock": "10.000",
    },
    {"sku": "PULSA", "name": "Isi pulsa", "unit": "toko", "price_rp": 10000, "cost_rp": 9500, "stock": None},
    {"sku": "KOPI", "name": "Kopi tubruk", "unit": "cafe", "price_rp": 5000, "cost_rp": 2000, "stock": None},
]
MEMBERS: list[dict[str, Any]] = [
    {
        "number": "A001",
        "name": "Siti Aminah",
        "card_code": "KP0123456789AB",
        "role": "anggota",
        "active": True,
        "credit_limit_rp": 500000,
        "credit_used_rp": 100000,
    },
    {
        "number": "A002",
        "name": "Budi Santoso",
        "card_code": "KP0123456789AC",
        "role": "anggota",
        "active": True,
        "credit_limit_rp": 0,
        "credit_used_rp": 0,
    },
    {
        "number": "A003",
        "name": "Wayan Lama",
        "card_code": None,
        "role": "anggota",
        "active": False,
        "credit_limit_rp": 100000,
        "credit_used_rp": 0,
    },
]


def snapshot(name: str, version: int, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A downlink snapshot payload as central publishes it."""
    return {"name": name, "kind": "snapshot", "version": version, "items": items}


def make_device(directory: Path, device: str = "toko-01") -> Path:
    """Initialise ``directory`` as a toko device with the test catalog and members."""
    init_device(directory, DeviceSettings(coop="kopmaju", device=device, unit="toko", branch="pusat"))
    with Device.open(directory) as dev:
        assert dev.apply_downlink("catalog", snapshot("catalog", 1, CATALOG))
        assert dev.apply_downlink("members", snapshot("members", 1, MEMBERS))
    return directory


@pytest.fixture
def device_dir(tmp_path: Path) -> Path:
    """An initialised device directory with catalog and members."""
    return make_device(tmp_path / "device")


@pytest.fixture
def dev(device_dir: Path) -> Iterator[Device]:
    """The opened device."""
    with Device.open(device_dir) as opened:
        yield opened
