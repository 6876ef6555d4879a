"""The embedded amqtt broker: starts in-process, carries QoS 1 and retained messages over MQTT 3.1.1."""

from __future__ import annotations

import pytest

from sync.embedded import EmbeddedBroker
from sync.errors import BrokerConfigError
from sync.link import EventKind, Link, Subscription
from sync.settings import BrokerSettings
from tests.support.net import free_port
from tests.sync.helpers import pump


def test_embedded_broker_delivers_retained() -> None:
    """A retained message published to the embedded broker reaches a client that subscribes later."""
    port = free_port()
    with EmbeddedBroker(port):
        settings = BrokerSettings(port=port, mqtt_version=3)
        pub = Link(settings, "pub")
        pump(pub, lambda ev: pub.connected)
        pub.publish("kop/k/branch/b/down/catalog", b"v1", retain=True)
        pump(pub, lambda ev: any(e.kind is EventKind.PUBACK for e in ev))
        sub = Link(settings, "sub", subscriptions=[Subscription("kop/k/branch/b/down/#")])
        events = pump(sub, lambda ev: any(e.kind is EventKind.MESSAGE for e in ev))
        assert [e.payload for e in events if e.kind is EventKind.MESSAGE] == [b"v1"]
        pub.close()
        sub.close()


def test_embedded_broker_port_taken() -> None:
    """Starting on a port that is already taken fails with a readable BrokerConfigError."""
    port = free_port()
    with EmbeddedBroker(port), pytest.raises(BrokerConfigError, match="cannot listen"):
        EmbeddedBroker(port).start()
