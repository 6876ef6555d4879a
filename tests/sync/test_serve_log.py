"""Central tells its operator what it is doing: connection changes, and what it did each interval."""

from __future__ import annotations

import logging
import re
import threading
import time
from pathlib import Path

import pytest

from central.ledger import Ledger
from central.serve import Server, ServeSettings
from edge.device import Device
from provisioning.world import DeviceSpec, build
from sync import batch, topics
from sync.link import Link
from sync.settings import BrokerSettings
from tests.support.mosquitto import Mosquitto
from tests.sync.helpers import WAIT_S, pump, rice_catalog

SKU = "8991001000011"


@pytest.mark.mqtt
def test_serve_logs_connection_and_activity(
    mosquitto: Mosquitto, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A line when central connects, and one per interval with activity: envelopes, messages, accepted
    and refused. An idle interval logs nothing."""
    world = build(tmp_path / "w", broker=BrokerSettings(port=mosquitto.port), devices=[DeviceSpec("toko-01")])
    with Device.open(world.devices["toko-01"]) as dev:
        dev.apply_downlink("catalog", rice_catalog(SKU))
        sales = [bytes(dev.record_sale(lines=[(SKU, 1)]).data) for _ in range(3)]
    broker = BrokerSettings(port=mosquitto.port)
    settings = ServeSettings(coop=world.coop, broker=broker, status_interval_s=0.3)
    with Ledger.open(world.ledger_path) as ledger, caplog.at_level(logging.INFO, logger="central.serve"):
        server = Server(ledger, settings)
        stop = threading.Event()
        thread = threading.Thread(target=server.run, args=(stop,), daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + WAIT_S
            while server.connected_at is None and time.monotonic() < deadline:
                time.sleep(0.05)
            link = Link(BrokerSettings(port=mosquitto.port), "sender")
            pump(link, lambda _: link.connected)
            link.publish(topics.uplink(world.coop, "toko-01"), batch.encode(sales))
            link.publish(topics.uplink(world.coop, "toko-01"), b"{not json")
            pump(link, lambda events: sum(e.kind.value == "puback" for e in events) >= 2)
            link.close()
            while _totals(caplog) != (4, 3, 1) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.2)  # four idle intervals pass
        finally:
            stop.set()
            thread.join(10)
    lines = [r.getMessage() for r in caplog.records if r.name == "central.serve"]
    assert any(line.startswith("connected to the broker") for line in lines)
    assert _totals(caplog) == (4, 3, 1)  # the unreadable payload counts as one envelope, refused
    assert len([line for line in lines if line.startswith("last ")]) <= 2  # idle intervals log nothing


def _totals(caplog: pytest.LogCaptureFixture) -> tuple[int, int, int]:
    """(envelopes, accepted, refused) summed over the activity lines logged so far."""
    found = [
        re.search(r"(\d+) envelopes in \d+ messages; accepted (\d+) .* refused (\d+);", r.getMessage())
        for r in caplog.records
        if r.name == "central.serve"
    ]
    rows = [tuple(int(g) for g in m.groups()) for m in found if m is not None]
    return (sum(r[0] for r in rows), sum(r[1] for r in rows), sum(r[2] for r in rows))
