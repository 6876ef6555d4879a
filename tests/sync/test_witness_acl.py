"""The broker's ACL around the log witness's topics (sync.witness), enforced by a real Mosquitto: a device
asks for proofs and reports only as itself, and cannot plant a checkpoint for its branch's devices."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync import brokerconf, topics, witness
from sync.link import EventKind
from tests.support.mosquitto import Mosquitto
from tests.sync.helpers import kinds, pump, user_link

COOP = "kopmaju"
USERS = [
    brokerconf.BrokerUser("central", "c-secret", role="central"),
    brokerconf.BrokerUser("toko-01", "t1-secret", branch="pusat"),
    brokerconf.BrokerUser("toko-02", "t2-secret", branch="pusat"),
]


@pytest.fixture
def authed(tmp_path: Path) -> Iterator[Mosquitto]:
    extra = brokerconf.write_auth(tmp_path / "auth", COOP, USERS)
    with Mosquitto(tmp_path / "broker", extra=extra, anonymous=False) as broker:
        yield broker


@pytest.mark.mqtt
def test_a_device_witnesses_only_as_itself(authed: Mosquitto) -> None:
    """Own proof request and report: PUBACK; another device's report or its branch's checkpoint: refused."""
    link = user_link(authed.port, "toko-01", "t1-secret")
    pump(link, lambda ev: link.connected)
    allowed = [
        link.publish(topics.request(COOP, "toko-01", witness.PROOF), b"{}"),
        link.publish(topics.witness_report(COOP, "toko-01"), b"{}", retain=True),
    ]
    refused = [
        link.publish(topics.witness_report(COOP, "toko-02"), b"{}", retain=True),
        link.publish(witness.checkpoint_topic(COOP, "pusat"), b"forged", retain=True),
        link.publish(topics.device_down(COOP, "toko-02", witness.PROOF), b"{}"),
    ]
    events = pump(link, lambda ev: kinds(ev).count("puback") == len(allowed) + len(refused))
    acks = {e.mid: e for e in events if e.kind is EventKind.PUBACK}
    assert all(acks[mid].ok for mid in allowed)
    assert not any(acks[mid].ok for mid in refused)
    link.close()


@pytest.mark.mqtt
def test_central_reaches_every_device_and_a_device_reads_only_its_own_answers(authed: Mosquitto) -> None:
    """Central's checkpoint reaches the branch's devices; a proof answer reaches only the device asked."""
    central = user_link(authed.port, "central", "c-secret")
    pump(central, lambda ev: central.connected)
    central.publish(witness.checkpoint_topic(COOP, "pusat"), b"note", retain=True)
    central.publish(topics.device_down(COOP, "toko-02", witness.PROOF), b"for toko-02", retain=True)
    pump(central, lambda ev: kinds(ev).count("puback") == 2)
    device = user_link(
        authed.port,
        "toko-01",
        "t1-secret",
        *witness.device_topics(COOP, "toko-01", "pusat"),
        topics.device_down(COOP, "toko-02", witness.PROOF),
    )
    events = pump(device, lambda ev: "message" in kinds(ev))
    events += pump(device, lambda ev: True)
    got = [e.payload for e in events if e.kind is EventKind.MESSAGE]
    assert got == [b"note"]
    central.close()
    device.close()
