"""The MQTT link against a real Mosquitto: connects, delivers, survives a broker restart, backs off."""

from __future__ import annotations

import pytest

from sync.backoff import Backoff
from sync.link import EventKind, Link, Subscription
from sync.settings import BrokerSettings
from tests.support.mosquitto import Mosquitto
from tests.support.net import free_port
from tests.sync.helpers import kinds, pump


@pytest.mark.mqtt
def test_link_publishes_and_receives(mosquitto: Mosquitto) -> None:
    """A published QoS 1 message is PUBACKed and delivered back to the subscribed link."""
    link = Link(BrokerSettings(port=mosquitto.port), "t-link", subscriptions=[Subscription("kop/t/#")])
    pump(link, lambda ev: link.connected)
    mid = link.publish("kop/t/x", b"hello")
    assert mid is not None
    events = pump(link, lambda ev: {"message", "puback"} <= set(kinds(ev)))
    message = next(e for e in events if e.kind is EventKind.MESSAGE)
    assert (message.topic, message.payload) == ("kop/t/x", b"hello")
    assert next(e for e in events if e.kind is EventKind.PUBACK).mid == mid
    link.close()


@pytest.mark.mqtt
def test_link_reconnects_after_broker_restart(mosquitto: Mosquitto) -> None:
    """After the broker is killed and restarted the link reports a disconnect, then connects again."""
    link = Link(BrokerSettings(port=mosquitto.port), "t-restart", backoff=Backoff(initial_s=0.05, max_s=0.2))
    pump(link, lambda ev: link.connected)
    mosquitto.restart(kill=True)
    events = pump(link, lambda ev: "disconnected" in kinds(ev) and link.connected)
    assert kinds(events).count("connected") == 1
    assert link.publish("kop/t/y", b"again") is not None
    link.close()


def test_link_backs_off_when_nothing_listens() -> None:
    """With no broker the link records why it cannot connect and waits longer after each failure."""
    policy = Backoff(initial_s=0.01, max_s=0.04, jitter=0)
    link = Link(BrokerSettings(port=free_port()), "t-none", backoff=policy)
    for _ in range(20):
        link.step(0.01)
    assert not link.connected
    assert "cannot connect" in link.last_error
    assert link.publish("kop/t/z", b"x") is None
