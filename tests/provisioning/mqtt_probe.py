"""A small synchronous MQTT 5 client over TLS for tests: connect, publish, subscribe, and report outcomes."""

from __future__ import annotations

import queue
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

WAIT_S = 30.0


@dataclass(frozen=True)
class Identity:
    """TLS material a client presents (cert/key may be None for a client without a certificate)."""

    ca: Path
    cert: Path | None = None
    key: Path | None = None


@dataclass(frozen=True)
class Outcome:
    connected: bool
    reason: str
    reason_value: int | None


class Probe:
    """One MQTT 5 connection; every callback only enqueues (callbacks run on paho's thread)."""

    def __init__(self, port: int, identity: Identity, client_id: str) -> None:
        self.port = port
        self.events: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=1000)
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        self.client.tls_set(
            ca_certs=str(identity.ca),
            certfile=str(identity.cert) if identity.cert else None,
            keyfile=str(identity.key) if identity.key else None,
            cert_reqs=ssl.CERT_REQUIRED,
        )
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_publish = self._on_publish
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.connected = threading.Event()
        self.connect_outcome: Outcome | None = None

    def _on_connect(self, client, userdata, flags, reason_code: ReasonCode, properties) -> None:
        self.events.put(("connect", reason_code))

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.events.put(("disconnect", reason_code))

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        self.events.put(("publish", (mid, reason_code)))

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        self.events.put(("subscribe", (mid, reason_codes)))

    def _on_message(self, client, userdata, message) -> None:
        self.events.put(("message", (message.topic, bytes(message.payload))))

    def _next(self, kind: str) -> object | None:
        while True:
            try:
                got_kind, value = self.events.get(timeout=WAIT_S)
            except queue.Empty:
                return None
            if got_kind == kind:
                return value
            if got_kind == "disconnect" and kind != "message":
                return None

    def connect(self) -> Outcome:
        """Connect and wait for CONNACK or for the broker to close the connection."""
        try:
            self.client.connect("127.0.0.1", self.port, keepalive=30)
        except (ssl.SSLError, OSError) as err:
            return Outcome(False, f"TLS/socket refused: {type(err).__name__}: {err}", None)
        self.client.loop_start()
        while True:
            try:
                kind, value = self.events.get(timeout=WAIT_S)
            except queue.Empty:
                return Outcome(False, "no answer", None)
            if kind == "connect":
                code = value
                assert isinstance(code, ReasonCode)
                return Outcome(not code.is_failure, str(code), code.value)
            if kind == "disconnect":
                return Outcome(False, f"closed before CONNACK: {value}", None)

    def publish(self, topic: str, payload: bytes) -> ReasonCode | None:
        """Publish QoS 1 and return the PUBACK's reason code (None if the connection dropped)."""
        info = self.client.publish(topic, payload, qos=1)
        value = self._next("publish")
        if value is None:
            return None
        mid, code = value  # type: ignore[misc]
        assert mid == info.mid
        return code  # type: ignore[no-any-return]

    def subscribe(self, topic: str) -> ReasonCode | None:
        """Subscribe QoS 1 and return the SUBACK's reason code."""
        self.client.subscribe(topic, qos=1)
        value = self._next("subscribe")
        if value is None:
            return None
        _, codes = value  # type: ignore[misc]
        return codes[0]  # type: ignore[no-any-return]

    def message(self) -> tuple[str, bytes] | None:
        return self._next("message")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def request_properties() -> Properties:
    from paho.mqtt.packettypes import PacketTypes

    return Properties(PacketTypes.PUBLISH)
