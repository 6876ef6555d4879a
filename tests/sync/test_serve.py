"""Central serve on a real Mosquitto: acks name only the contiguous committed seq, gaps ask for a resend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from central.serve import Server
from edge.device import Device
from provisioning.world import World
from sync import ack, batch, topics
from sync.link import EventKind, Link, Subscription
from sync.settings import BrokerSettings
from tests.support.mosquitto import Mosquitto
from tests.sync.helpers import pump, served_world

SKU = "8991001000011"


@pytest.fixture
def world_and_server(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[tuple[World, Server]]:
    with served_world(tmp_path / "w", mosquitto.port, ["toko-01"], SKU) as served:
        yield served


@pytest.mark.mqtt
def test_gap_is_acked_below_and_resend_requested(
    world_and_server: tuple[World, Server], mosquitto: Mosquitto
) -> None:
    """Seqs 1, 2 and 4 commit, but the ack says 2 and asks for a resend from 3; after 3 arrives it says 4."""
    world, server = world_and_server
    with Device.open(world.devices["toko-01"]) as dev:
        envs = [bytes(dev.record_sale(lines=[(SKU, 1)]).data) for _ in range(4)]
    device = Link(
        BrokerSettings(port=mosquitto.port),
        "toko-01-test",
        subscriptions=[Subscription(topics.ack(world.coop, "toko-01"))],
    )
    pump(device, lambda ev: device.connected)
    device.publish(topics.uplink(world.coop, "toko-01"), batch.encode([envs[0], envs[1], envs[3]]))
    events = pump(
        device, lambda ev: any(e.kind is EventKind.MESSAGE and b"resend_from" in e.payload for e in ev)
    )
    acks = [ack.decode(e.payload) for e in events if e.kind is EventKind.MESSAGE]
    assert ack.Ack(2, 3) in acks
    assert max(a.seq for a in acks) == 2
    device.publish(topics.uplink(world.coop, "toko-01"), batch.encode([envs[2]]))
    events = pump(
        device, lambda ev: any(e.kind is EventKind.MESSAGE and ack.decode(e.payload).seq == 4 for e in ev)
    )
    assert server.stats.accepted == 4
    device.close()


@pytest.mark.mqtt
def test_ack_is_retained_for_a_reconnecting_device(
    world_and_server: tuple[World, Server], mosquitto: Mosquitto
) -> None:
    """A device that subscribes after its batch was committed still learns the ack (it is retained)."""
    world, _server = world_and_server
    with Device.open(world.devices["toko-01"]) as dev:
        envs = [bytes(dev.record_sale(lines=[(SKU, 2)]).data) for _ in range(3)]
    ack_topic = topics.ack(world.coop, "toko-01")
    sender = Link(
        BrokerSettings(port=mosquitto.port), "toko-01-send", subscriptions=[Subscription(ack_topic)]
    )
    pump(sender, lambda ev: sender.connected)
    sender.publish(topics.uplink(world.coop, "toko-01"), batch.encode(envs))
    pump(sender, lambda ev: any(e.kind is EventKind.MESSAGE and ack.decode(e.payload).seq == 3 for e in ev))
    sender.close()
    late = Link(
        BrokerSettings(port=mosquitto.port),
        "toko-01-late",
        subscriptions=[Subscription(topics.ack(world.coop, "toko-01"))],
    )
    events = pump(late, lambda ev: any(e.kind is EventKind.MESSAGE for e in ev))
    message = next(e for e in events if e.kind is EventKind.MESSAGE)
    assert message.retain and ack.decode(message.payload) == ack.Ack(3)
    late.close()


def test_decoder_failure_stops_the_service_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error on the decoder thread ends ``run`` with that error; the worker does not wait on."""
    import time

    from central import config
    from central.ledger import Ledger
    from central.serve import ServeSettings
    from tests.support.net import free_port

    with Ledger.open(str(tmp_path / "ledger.sqlite")) as ledger:
        ledger.init(config.default())
        server = Server(ledger, ServeSettings(coop="kopmaju", broker=BrokerSettings(port=free_port())))

        def broken(_wait_s: float) -> None:
            raise RuntimeError("decoder broke")

        monkeypatch.setattr(server, "_take", broken)
        deadline = time.monotonic() + 30
        with pytest.raises(RuntimeError, match="decoder broke"):
            server.run(until=lambda: time.monotonic() > deadline)
