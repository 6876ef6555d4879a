"""Central serve on a real Mosquitto: a refused envelope is acked past, quarantined once however often it
is resent, and named in the device's retained refusal notice (also for a device that was away)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from central.ledger import Ledger, schema
from central.serve import Server
from edge.device import Device
from provisioning.world import World
from sync import ack, batch, refusals, topics
from sync.link import EventKind, Link, Subscription
from sync.settings import BrokerSettings
from tests.support.mosquitto import Mosquitto
from tests.sync.helpers import WAIT_S, pump, served_world

SKU = "8991001000011"
RESENDS = 6


@pytest.fixture
def world_and_server(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[tuple[World, Server]]:
    with served_world(tmp_path / "w", mosquitto.port, ["toko-01"], SKU) as served:
        yield served


def _unknown_member_sale(dev: Device) -> bytes:
    """An authentic envelope central refuses: a sale to a member it does not know."""
    line = {"sku": SKU, "qty": 1, "price_rp": 65000, "cost_rp": 58000}
    body: dict[str, Any] = {
        "unit": "toko", "kind": "sale", "member": "Z999", "payment": "cash", "lines": [line], "total": 65000
    }
    with dev._tx():
        return bytes(dev._append(body).data)


def _quarantined(world: World) -> int:
    with Ledger.open(world.ledger_path) as ledger, ledger.read() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.quarantine)).scalar_one())


@pytest.mark.mqtt
def test_a_resend_loop_stores_the_refusal_once_and_the_ack_moves_past_it(
    world_and_server: tuple[World, Server], mosquitto: Mosquitto
) -> None:
    """A device resending its batch again and again is acked past the refused seq; one quarantine row."""
    world, server = world_and_server
    with Device.open(world.devices["toko-01"]) as dev:
        envs = [bytes(dev.record_sale(lines=[(SKU, 1)]).data)]
        envs.append(_unknown_member_sale(dev))
        envs.append(bytes(dev.record_sale(lines=[(SKU, 1)]).data))
        refused_id = dev.outbox_after(1, 1)[0][1]
    device = Link(
        BrokerSettings(port=mosquitto.port),
        "toko-01-test",
        subscriptions=[Subscription(topics.ack(world.coop, "toko-01"))],
    )
    pump(device, lambda ev: device.connected)
    for _ in range(RESENDS):
        device.publish(topics.uplink(world.coop, "toko-01"), batch.encode(envs))
    deadline = time.monotonic() + WAIT_S
    while server.stats.envelopes < RESENDS * len(envs) and time.monotonic() < deadline:
        device.step(0.05)
    events = pump(
        device, lambda ev: any(e.kind is EventKind.MESSAGE and ack.decode(e.payload).seq == 3 for e in ev)
    )
    # copies that arrive in the first round are each refused there; later ones are already acked past and
    # never reach the checks (how many of each is up to the broker's timing): quarantined once either way
    assert events and 1 <= server.stats.rejected <= RESENDS
    assert _quarantined(world) == 1
    device.close()
    late = Link(
        BrokerSettings(port=mosquitto.port),
        "toko-01-late",
        subscriptions=[Subscription(topics.refused(world.coop, "toko-01"))],
    )
    got = pump(late, lambda ev: any(e.kind is EventKind.MESSAGE and e.retain for e in ev))
    notice = refusals.decode(next(e.payload for e in got if e.kind is EventKind.MESSAGE))
    assert notice.total == 1 and [(i.seq, i.state) for i in notice.items] == [(2, "refused")]
    assert notice.items[0].id.encode() in refused_id and notice.items[0].reason.startswith("unknown member")
    late.close()
