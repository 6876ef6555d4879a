"""One MQTT connection, driven by its owner's loop, that reconnects with bounded backoff and jitter.

paho's callbacks only enqueue ``Event``s into a bounded queue; the owner calls ``step()`` (network
I/O, reconnects when due) and ``drain()`` (the events since the last call) from its own loop. Each
connection attempt uses a fresh paho client, so nothing queued inside paho outlives a connection:
the device outbox and central's idempotent ingest are the durable, exactly-once part.
"""

from __future__ import annotations

import logging
import queue
import random
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from sync.backoff import Backoff
from sync.settings import BrokerSettings

log = logging.getLogger(__name__)

EVENT_QUEUE_MAX: Final = 10_000
DRAIN_MAX: Final = 1_000
CONNECT_TIMEOUT_S: Final = 10.0
# Give up on a connection whose CONNACK has not come after this long (a broker that accepts TCP but hangs).
CONNACK_TIMEOUT_S: Final = 20.0
# paho's own in-flight bound; the owners keep their window below it.
PAHO_INFLIGHT_MAX: Final = 100
# Publishes and acks handed over by other threads (``post``/``post_ack``), sent by the next ``step``.
OUTGOING_QUEUE_MAX: Final = 20_000
# What OpenSSL says when the broker's TLS alert tells the client its certificate is on the CRL
# ("[SSL: SSLV3_ALERT_CERTIFICATE_REVOKED] sslv3 alert certificate revoked"); paho logs it and reports
# only "connection lost", so the link keeps the socket error it logged.
CERTIFICATE_REVOKED_MARK: Final = "certificate revoked"
OUTGOING_PER_STEP: Final = 2_000


class EventKind(Enum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    MESSAGE = "message"
    PUBACK = "puback"


@dataclass(frozen=True)
class Event:
    """Something that happened on the connection; ``generation`` tells connections apart."""

    kind: EventKind
    generation: int
    topic: str = ""
    payload: bytes = b""
    mid: int = 0
    ok: bool = True
    reason: str = ""
    retain: bool = False
    response_topic: str | None = None
    correlation: bytes | None = None
    qos: int = 0


@dataclass(frozen=True)
class Subscription:
    topic: str
    qos: int = 1


@dataclass
class _State:
    generation: int = 0
    connected: bool = False
    connecting_since: float | None = None
    attempt: int = 0
    next_attempt_at: float = 0.0
    last_error: str = ""
    socket_error: str = ""
    certificate_revoked: bool = False
    connects: int = 0
    need_subscribe: bool = False
    subscriptions: list[Subscription] = field(default_factory=list)


class Link:
    """An MQTT 5 (or 3.1.1) client connection with reconnects, owned by one loop."""

    def __init__(
        self,
        broker: BrokerSettings,
        client_id: str,
        *,
        subscriptions: Sequence[Subscription] = (),
        clean_start: bool = True,
        session_expiry_s: int = 0,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        block_when_full: bool = False,
        manual_ack: bool = False,
        receive_maximum: int | None = None,
        report_pubacks: bool = True,
    ) -> None:
        self.broker = broker
        self.client_id = client_id
        self.clean_start = clean_start
        self.session_expiry_s = session_expiry_s
        self.backoff = backoff or Backoff()
        self.rng = rng or random.Random()
        self.clock = clock
        self.block_when_full = block_when_full
        self.manual_ack = manual_ack
        self.report_pubacks = report_pubacks
        self.receive_maximum = receive_maximum
        self._outgoing: queue.Queue[tuple[Any, ...]] = queue.Queue(maxsize=OUTGOING_QUEUE_MAX)
        self._events: queue.Queue[Event] = queue.Queue(maxsize=EVENT_QUEUE_MAX)
        self._state = _State(subscriptions=list(subscriptions))
        self._client: mqtt.Client | None = None
        self.dropped_events = 0

    # -- state ---------------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._state.connected

    @property
    def generation(self) -> int:
        return self._state.generation

    @property
    def last_error(self) -> str:
        return self._state.last_error

    @property
    def certificate_revoked(self) -> bool:
        """True once the broker has refused this client's certificate as revoked (a TLS alert)."""
        return self._state.certificate_revoked

    @property
    def v5(self) -> bool:
        return self.broker.mqtt_version == 5

    # -- callbacks: enqueue only -------------------------------------------------------------------
    def _put(self, event: Event) -> None:
        if self.block_when_full:
            self._events.put(event)
            return
        try:
            self._events.put_nowait(event)
        except queue.Full:
            # Only acks and downlink are lost this way; both are retained or repeated by their sender.
            self.dropped_events += 1

    def _make_client(self, generation: int) -> mqtt.Client:
        protocol = mqtt.MQTTv5 if self.v5 else mqtt.MQTTv311
        kwargs: dict[str, Any] = {
            "client_id": self.client_id,
            "protocol": protocol,
            "manual_ack": self.manual_ack,
        }
        if not self.v5:
            kwargs["clean_session"] = self.clean_start
        client = mqtt.Client(CallbackAPIVersion.VERSION2, **kwargs)
        client.connect_timeout = CONNECT_TIMEOUT_S
        client.max_inflight_messages_set(PAHO_INFLIGHT_MAX)
        if self.broker.username:
            client.username_pw_set(self.broker.username, self.broker.password or None)
        if self.broker.tls:
            client.tls_set(
                ca_certs=str(self.broker.ca) if self.broker.ca else None,
                certfile=str(self.broker.cert) if self.broker.cert else None,
                keyfile=str(self.broker.key) if self.broker.key else None,
                cert_reqs=ssl.CERT_REQUIRED,
                tls_version=ssl.PROTOCOL_TLS_CLIENT,
            )

        def on_log(_c: mqtt.Client, _u: object, level: int, message: str) -> None:
            if level == mqtt.MQTT_LOG_ERR and generation == self._state.generation:
                self._state.socket_error = message

        def on_connect(_c: mqtt.Client, _u: object, _f: object, rc: ReasonCode, _p: object) -> None:
            ok = not rc.is_failure
            self._put(Event(EventKind.CONNECTED, generation, ok=ok, reason=str(rc)))
            if ok:
                self._state.connected = True
                self._state.certificate_revoked = False
                self._state.connecting_since = None
                self._state.need_subscribe = True

        def on_disconnect(_c: mqtt.Client, _u: object, _f: object, rc: ReasonCode, _p: object) -> None:
            self._put(Event(EventKind.DISCONNECTED, generation, ok=False, reason=str(rc)))
            self._state.connected = False

        def on_message(_c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
            props = getattr(msg, "properties", None)
            response = getattr(props, "ResponseTopic", None) if props is not None else None
            correlation = getattr(props, "CorrelationData", None) if props is not None else None
            self._put(
                Event(
                    EventKind.MESSAGE,
                    generation,
                    topic=msg.topic,
                    payload=bytes(msg.payload),
                    retain=bool(msg.retain),
                    response_topic=response,
                    correlation=bytes(correlation) if correlation is not None else None,
                    mid=msg.mid,
                    qos=msg.qos,
                )
            )

        def on_publish(_c: mqtt.Client, _u: object, mid: int, rc: ReasonCode, _p: object) -> None:
            if self.report_pubacks or rc.is_failure:
                self._put(Event(EventKind.PUBACK, generation, mid=mid, ok=not rc.is_failure, reason=str(rc)))

        client.on_log = on_log
        client.on_connect = on_connect
        client.on_disconnect = on_disconnect
        client.on_message = on_message
        client.on_publish = on_publish
        return client

    # -- driving -------------------------------------------------------------------------------------
    def _schedule_retry(self, error: str) -> None:
        state = self._state
        state.last_error = error
        delay = self.backoff.delay_s(state.attempt, self.rng.random())
        state.attempt += 1
        state.next_attempt_at = self.clock() + delay
        state.connecting_since = None
        state.connected = False
        log.info("mqtt %s: %s; retry in %.1f s", self.client_id, error, delay)

    def _drop_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.disconnect()
            except Exception:  # a dead socket may fail to close; the client is discarded
                log.debug("closing a dead mqtt client failed", exc_info=True)
            try:
                client._sock_close()
            except Exception:  # best effort on a discarded client
                log.debug("closing a dead mqtt socket failed", exc_info=True)

    def _try_connect(self) -> None:
        state = self._state
        state.generation += 1
        client = self._make_client(state.generation)
        properties = None
        kwargs: dict[str, Any] = {}
        if self.v5:
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            properties.SessionExpiryInterval = self.session_expiry_s
            if self.receive_maximum is not None:
                properties.ReceiveMaximum = self.receive_maximum
            kwargs = {"clean_start": self.clean_start, "properties": properties}
        try:
            client.connect(self.broker.host, self.broker.port, self.broker.keepalive_s, **kwargs)
        except (OSError, ssl.SSLError, ValueError) as err:
            if CERTIFICATE_REVOKED_MARK in str(err).lower():
                state.certificate_revoked = True
            self._schedule_retry(f"cannot connect to {self.broker.host}:{self.broker.port}: {err}")
            return
        self._client = client
        state.connecting_since = self.clock()

    def step(self, timeout_s: float) -> None:
        """Do network I/O for up to ``timeout_s``, (re)connecting when due."""
        state = self._state
        if self._client is None:
            wait = state.next_attempt_at - self.clock()
            if wait > 0:
                time.sleep(min(wait, timeout_s))
                return
            self._try_connect()
            if self._client is None:
                return
        client = self._client
        try:
            rc = client.loop(timeout_s)
        except (OSError, ssl.SSLError, ValueError) as err:  # a socket paho did not expect to fail
            log.info("mqtt %s: network error %s", self.client_id, err)
            rc = mqtt.MQTT_ERR_CONN_LOST
        if rc != mqtt.MQTT_ERR_SUCCESS:
            self._drop_client()
            reason = state.socket_error or mqtt.error_string(rc)
            state.socket_error = ""
            if CERTIFICATE_REVOKED_MARK in reason.lower():
                state.certificate_revoked = True
            if state.connected:
                state.connected = False
                self._put(Event(EventKind.DISCONNECTED, state.generation, ok=False, reason=reason))
            self._schedule_retry(f"connection lost: {reason}")
            return
        if state.connected:
            state.attempt = 0
            if state.need_subscribe:
                state.need_subscribe = False
                self._subscribe_all()
            self._flush_outgoing(client, state.generation)
            return
        since = state.connecting_since
        if since is None:
            # CONNACK refused (bad password, not authorised) or disconnected by the broker.
            self._drop_client()
            self._schedule_retry("broker closed the connection")
        elif self.clock() - since > CONNACK_TIMEOUT_S:
            self._drop_client()
            self._schedule_retry(f"no CONNACK within {CONNACK_TIMEOUT_S} s")

    def _subscribe_all(self) -> None:
        """Subscribe to the configured topics right after each CONNACK."""
        if self._client is None:
            return
        self._state.connects += 1
        subs = [(s.topic, s.qos) for s in self._state.subscriptions]
        if subs:
            self._client.subscribe(subs)

    def _flush_outgoing(self, client: mqtt.Client, generation: int) -> None:
        for _ in range(OUTGOING_PER_STEP):
            try:
                item = self._outgoing.get_nowait()
            except queue.Empty:
                return
            if item[0] == "ack":
                if item[1] == generation:
                    client.ack(item[2], 1)
            else:
                _, topic, payload, retain, response, correlation = item
                self.publish(topic, payload, retain=retain, response_topic=response, correlation=correlation)

    def post(
        self,
        topic: str,
        payload: bytes,
        *,
        retain: bool = False,
        response_topic: str | None = None,
        correlation: bytes | None = None,
    ) -> bool:
        """Hand a QoS 1 publish to the thread that runs ``step`` (thread-safe); False if the queue is full.

        Messages posted while disconnected are dropped by that thread: every sender of this package
        repeats its state (acks are retained, snapshots are retained, devices resend).
        """
        try:
            self._outgoing.put_nowait(("pub", topic, payload, retain, response_topic, correlation))
        except queue.Full:
            return False
        return True

    def pending(self) -> int:
        """Posted publishes and acks not yet handed to paho."""
        return self._outgoing.qsize()

    def post_ack(self, generation: int, mid: int) -> None:
        """Acknowledge (PUBACK) a received QoS 1 message, with ``manual_ack`` (thread-safe)."""
        self._outgoing.put(("ack", generation, mid))

    def subscribe(self, topic: str, qos: int = 1) -> None:
        """Subscribe now (if connected) without remembering it for later connections."""
        if self._client is not None and self._state.connected:
            self._client.subscribe(topic, qos)

    def unsubscribe(self, topic: str) -> None:
        if self._client is not None and self._state.connected:
            self._client.unsubscribe(topic)

    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        qos: int = 1,
        retain: bool = False,
        response_topic: str | None = None,
        correlation: bytes | None = None,
    ) -> int | None:
        """Publish when connected; the message id (PUBACK event follows), or None when not connected."""
        client = self._client
        if client is None or not self._state.connected:
            return None
        properties = None
        if self.v5 and (response_topic is not None or correlation is not None):
            properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            if response_topic is not None:
                properties.ResponseTopic = response_topic
            if correlation is not None:
                properties.CorrelationData = correlation
        info = client.publish(topic, payload, qos=qos, retain=retain, properties=properties)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            return None
        return int(info.mid)

    def drain(self, limit: int = DRAIN_MAX, timeout_s: float = 0.0) -> list[Event]:
        """Up to ``limit`` events, waiting up to ``timeout_s`` for the first one."""
        out: list[Event] = []
        try:
            if timeout_s > 0:
                out.append(self._events.get(timeout=timeout_s))
            while len(out) < limit:
                out.append(self._events.get_nowait())
        except queue.Empty:
            pass
        return out

    def close(self) -> None:
        """Disconnect cleanly and stop reconnecting."""
        self._drop_client()
        self._state.connected = False
        self._state.next_attempt_at = float("inf")
