"""Device outbox to central ledger and back over a real Mosquitto: uplink, acks, downlink, status."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from edge.device import Device
from provisioning.world import DeviceSpec, build, running
from sync.settings import BrokerSettings
from tests.support.mosquitto import Mosquitto

SKU = "8991001000011"


@pytest.mark.mqtt
def test_sales_reach_ledger_and_outbox_drains(mosquitto: Mosquitto, tmp_path: Path) -> None:
    """Sales recorded on two devices are committed once each, acked, and the outboxes drain."""
    world = build(
        tmp_path / "world",
        broker=BrokerSettings(port=mosquitto.port),
        devices=[DeviceSpec("toko-01"), DeviceSpec("toko-02", sync_toml={"batch_max": 7, "window": 2})],
    )
    ids: set[str] = set()
    with running(world) as run:
        # The catalog arrives by downlink; then the devices can sell.
        for name, directory in world.devices.items():
            with Device.open(directory) as dev:
                for _ in range(400):
                    if dev.product(SKU) is not None:
                        break
                    time.sleep(0.05)
                assert dev.product(SKU) is not None, f"{name} never received the catalog"
                for i in range(30):
                    ids.add(dev.record_sale(lines=[(SKU, 1 + i % 3)], member=None, payment="cash").id)
        assert run.wait_drained(timeout_s=60)
        assert run.committed() == {"toko-01": 30, "toko-02": 30}
        for directory in world.devices.values():
            with Device.open(directory) as dev:
                status = dev.status()
                assert status.connected
                assert status.catalog_version >= 1 and status.members_version >= 1
        assert run.server.stats.rejected == 0
        assert run.server.stats.accepted == 60
