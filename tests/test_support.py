"""The test harness itself: the real broker starts, restarts and keeps retained messages."""

from __future__ import annotations

import threading

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.support.mosquitto import Mosquitto


def _client(port: int) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", port)
    return client


@pytest.mark.mqtt
def test_mosquitto_keeps_retained_message_across_restart(mosquitto: Mosquitto) -> None:
    """A retained message published before a broker kill is delivered after the restart (persistence on)."""
    pub = _client(mosquitto.port)
    pub.loop_start()
    pub.publish("kop/t/branch/b/down/catalog", b"v1", qos=1, retain=True).wait_for_publish(5)
    pub.loop_stop()
    pub.disconnect()
    mosquitto.restart(kill=False)
    got = threading.Event()
    received: list[bytes] = []

    def on_message(_c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        received.append(msg.payload)
        got.set()

    sub = _client(mosquitto.port)
    sub.on_message = on_message
    sub.subscribe("kop/t/branch/b/down/#", qos=1)
    sub.loop_start()
    assert got.wait(5)
    sub.loop_stop()
    sub.disconnect()
    assert received == [b"v1"]
