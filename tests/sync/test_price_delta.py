"""A price change made at the office reaches the devices over real sync (Mosquitto) as a catalog delta, and
a sale a device made offline at the old price, before the delta reached it, is accepted at that price."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from central.ledger import schema
from central.stock import prices
from edge.device import Device
from provisioning.world import DeviceSpec, build, running
from sync.settings import BrokerSettings
from tests.support.mosquitto import Mosquitto

SKU = "8991001000011"  # Beras 5 kg in the world's catalog, Rp 65.000
OLD_RP, NEW_RP = 65_000, 69_500


def _price(directory: Path) -> int | None:
    with Device.open(directory) as dev:
        product = dev.product(SKU)
        return None if product is None else product.price_rp


def _until(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")


@pytest.mark.mqtt
def test_a_price_change_goes_out_as_a_delta_and_an_old_price_sale_stands(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    """toko-01, online, gets the new price by a catalog delta (no second catalog snapshot); toko-02 was
    offline and sold at the old price: central posts that sale at the old price, and toko-02 then holds
    the new price too."""
    world = build(
        tmp_path / "w",
        broker=BrokerSettings(port=mosquitto.port),
        devices=[DeviceSpec("toko-01"), DeviceSpec("toko-02")],
    )
    with running(world) as run:
        assert run.wait_catalog(30.0)
        _until(lambda: _price(world.devices["toko-02"]) == OLD_RP)
        run.pause("toko-02")
        sync = run.syncs["toko-01"]
        applied = sync.stats.downlinks_applied
        today = datetime.now(run.ledger.config.tz).date()
        prices.change(run.ledger, SKU, NEW_RP, from_day=today, today=today, by="manajer")
        _until(lambda: _price(world.devices["toko-01"]) == NEW_RP)
        assert sync.stats.downlinks_applied > applied
        assert sync.stats.snapshots_received.count("catalog") == 1  # the first one only: then a delta
        with Device.open(world.devices["toko-02"]) as dev:
            sold = dev.record_sale([(SKU, 2)])
        assert sold.lines[0]["price_rp"] == OLD_RP and sold.total_rp == 2 * OLD_RP  # its receipt
        run.resume("toko-02")
        assert run.wait_drained(30.0, ["toko-02"])
        _until(lambda: _price(world.devices["toko-02"]) == NEW_RP)
        t, line = schema.transactions, schema.sale_lines
        with run.ledger.read() as conn:
            assert conn.execute(select(t.c.total_rp).where(t.c.id == sold.id)).scalar() == 2 * OLD_RP
            assert conn.execute(select(line.c.price_rp).where(line.c.tx == sold.id)).scalar() == OLD_RP
            assert conn.execute(select(schema.quarantine.c.id)).first() is None
