"""Hostile uplinks are refused with a reason and do not stop the stream (invariant 5).

A device publishing under another device's topic, a replayed envelope, a forged signature, malformed
and oversized payloads: central refuses each with a reason an operator can read, quarantines what the
ledger can store, and goes on committing the honest device's sales.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central.serve import Server
from edge.device import Device
from provisioning.world import World, audit
from sync import batch, envelope, topics
from sync.link import Link
from sync.settings import BrokerSettings
from tests.support.mosquitto import Mosquitto
from tests.sync.helpers import pump, served_world

SKU = "8991001000011"
WAIT_S = 30.0


@pytest.fixture
def served(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[tuple[World, Server]]:
    with served_world(tmp_path / "w", mosquitto.port, ["toko-01", "toko-02"], SKU) as running:
        yield running


def _record(world: World, device: str, count: int) -> list[bytes]:
    with Device.open(world.devices[device]) as dev:
        return [bytes(dev.record_sale(lines=[(SKU, 1)]).data) for _ in range(count)]


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def _send(port: int, topic: str, payload: bytes) -> None:
    link = Link(BrokerSettings(port=port), f"attacker-{time.monotonic_ns()}")
    pump(link, lambda ev: link.connected)
    link.publish(topic, payload)
    pump(link, lambda ev: any(e.kind.value == "puback" for e in ev))
    link.close()


def _reasons(server: Server) -> str:
    return "\n".join(r.reason for r in server.refusals)


@pytest.mark.mqtt
def test_hostile_uplinks_refused_and_stream_continues(
    served: tuple[World, Server], mosquitto: Mosquitto
) -> None:
    """Foreign-topic, replayed, forged, malformed and oversized uplinks are refused; honest sales land."""
    world, server = served
    port = mosquitto.port
    up1 = topics.uplink(world.coop, "toko-01")

    honest = _record(world, "toko-01", 3)
    _send(port, up1, batch.encode(honest))
    _until(lambda: server.stats.accepted == 3)

    # toko-02's genuine envelope on toko-01's topic: the sender is not who the envelope says.
    foreign = _record(world, "toko-02", 1)
    _send(port, up1, batch.encode(foreign))
    _until(lambda: "does not match the sender" in _reasons(server))

    # A replay of a committed envelope changes nothing.
    _send(port, up1, batch.encode(honest[:1]))
    _until(lambda: server.stats.duplicates >= 1)

    # A forged signature: the next envelope of toko-01, signed with another key.
    nxt = json.loads(_record(world, "toko-01", 1)[0])
    forged = envelope.canonical(envelope.sign(nxt, Ed25519PrivateKey.generate()))
    _send(port, up1, batch.encode([forged]))
    _until(lambda: "bad signature" in _reasons(server))

    # Malformed JSON, a corrupt compressed payload and an oversized one.
    _send(port, up1, b"{this is not json")
    _send(port, up1, b"\x78\x9c\x00\x01garbage")
    _send(port, up1, b"{" + b" " * (batch.MAX_WIRE_BYTES + 10) + b"}")
    _until(lambda: server.stats.refused_payloads >= 2 and "JSON" in _reasons(server))
    assert "does not decompress" in _reasons(server)
    assert "exceeds the limit" in _reasons(server)

    # A lone surrogate escape in the note (JSON-escaped, so it passes as text; no UTF-8 can hold it).
    text = json.dumps({**nxt, "note": "X"}).replace('"X"', '"\\ud800"').encode()
    _send(port, up1, batch.encode([text]))
    _until(lambda: "surrogate" in _reasons(server))

    # The stream goes on: the honest device's real envelope (seq 4) and more sales are committed.
    rest = [envelope.canonical(nxt), *_record(world, "toko-01", 5)]
    _send(port, up1, batch.encode(rest))
    _until(lambda: server.stats.accepted == 9)
    checked = audit(world.ledger_path)
    assert len(checked.ids["toko-01"]) == 9
    assert "toko-02" not in checked.ids
    assert checked.seqs_whole["toko-01"]
    assert checked.quarantined >= 3
