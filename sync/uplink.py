"""A device's sync service: outbox up to central with acks, downlink snapshots and deltas back.

One loop, one thread (``DeviceSync.run``): paho callbacks only enqueue events into the link's bounded
queue; each turn of the loop does network I/O, handles the events, then publishes the next batches.

Uplink rules:
* envelopes go in seq order, ``batch_max`` per MQTT message (QoS 1), at most ``window`` messages
  without PUBACK and at most ``window x batch_max x 2`` envelopes without central's ack;
* rows stay in the outbox until central's ack (highest contiguous seq processed) names them; then the
  device marks them delivered, and prunes them after ``retention_s``;
* central's retained refusal notice (``sync.refusals``) names the envelopes it refused and why; the
  device marks them refused (``apply_refusals``), which gives back their stock and pending credit;
* after a reconnect, a "resend from" or ``ack_timeout_s`` without progress, sending restarts after the
  last acknowledged seq: duplicates are harmless, central's ingest is idempotent;
* the backlog drains at most ``drain_tx_per_s`` envelopes per second.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import orjson

from edge.errors import InvalidDownlink, StoreBusy
from sync import ack as ack_mod
from sync import batch, downlink, topics, witness
from sync import refusals as refusals_mod
from sync.backoff import DELAY_S_INITIAL, Backoff
from sync.errors import AckError, RefusalNoticeError
from sync.link import Event, EventKind, Link, Subscription
from sync.settings import LinkSettings
from sync.witnessing import DeviceWitness, WitnessStore, load_log_key

log = logging.getLogger(__name__)

# How long one turn of the loop waits for network traffic when there is nothing to send; this is also
# how often an idle device looks at its outbox (new sales are picked up within this time).
IDLE_WAIT_S: Final = 0.02
PRUNE_EVERY_S: Final = 600.0
# A store that is busy (the kiosk is committing a sale) is retried after this long.
STORE_RETRY_S: Final = 0.2
CERTIFICATE_REVOKED_REASON: Final = "broker: sertifikat dicabut / certificate revoked"
UNACKED_BATCHES: Final = 2
MAX_STATS_NAMES: Final = 1000


class Outbox(Protocol):
    """What the sync service needs from a device store (``edge.device.Device`` provides it)."""

    def outbox_after(self, seq: int, limit: int) -> list[tuple[int, bytes]]: ...
    def mark_acked(self, upto_seq: int) -> int: ...
    def rewind_ack(self, to_seq: int) -> int: ...
    def prune_delivered(self, older_than_s: float) -> int: ...
    def apply_downlink(self, name: str, payload: Mapping[str, Any]) -> bool: ...
    def apply_refusals(self, notice: refusals_mod.Notice) -> int: ...
    def set_connectivity(self, connected: bool) -> None: ...
    def mark_revoked(self, reason: str | None) -> None: ...
    def status(self) -> Any: ...


@dataclass
class UplinkStats:
    """Counters for status lines, tests and benchmarks."""

    published_messages: int = 0
    published_envelopes: int = 0
    payload_bytes: int = 0
    acks: int = 0
    resends: int = 0
    timeouts: int = 0
    refused: int = 0
    downlinks_applied: int = 0
    refusal_notices: int = 0
    snapshots_received: list[str] = field(default_factory=list)
    last_refusal: str = ""


class DeviceSync:
    """The device side of the transport; ``run()`` until ``stop`` is set."""

    def __init__(
        self,
        dev: Outbox,
        settings: LinkSettings,
        *,
        link: Link | None = None,
        clock: Callable[[], float] = time.monotonic,
        client_id: str | None = None,
    ) -> None:
        self.dev = dev
        self.settings = settings
        self.tuning = settings.tuning
        self.clock = clock
        coop, device, branch = settings.coop, settings.device, settings.branch
        self.uplink_topic = topics.uplink(coop, device)
        self.ack_topic = topics.ack(coop, device)
        self.refused_topic = topics.refused(coop, device)
        self.versions_topic = downlink.versions_topic(coop, branch)
        log_key = load_log_key(settings.directory) if isinstance(dev, WitnessStore) else None
        witness_topics = witness.device_topics(coop, device, branch) if log_key is not None else ()
        self.link = link or Link(
            settings.broker,
            client_id or f"{coop}-{device}",
            subscriptions=[
                Subscription(self.ack_topic),
                Subscription(self.refused_topic),
                Subscription(downlink.delta_filter(coop, branch)),
                Subscription(self.versions_topic),
                *(Subscription(topic) for topic in witness_topics),
            ],
            clock=clock,
            backoff=Backoff(max_s=max(settings.tuning.reconnect_max_s, DELAY_S_INITIAL)),
        )
        status = dev.status()
        self.acked = int(status.last_ack_seq)
        # Versions this device holds (config is not in the status: fetched once per start).
        self.known: dict[str, int] = {
            "catalog": int(status.catalog_version),
            "members": int(status.members_version),
            "config": 0,
        }
        self.advertised: dict[str, int] = {}
        self.fetching: set[str] = set()
        self.sent_upto = self.acked
        self.inflight: dict[int, int] = {}
        self.waiting_since: float | None = None
        self.tokens = float(self.tuning.batch_max)
        self.tokens_at = clock()
        self.next_prune_at = clock()
        self.store_retry_at = 0.0
        self.was_connected = False
        self.revoked = bool(getattr(dev.status(), "revoked", False))
        self.stats = UplinkStats()
        # The device as a witness of central's transparency log (sync.witnessing); off without log.pub.
        self.witness: DeviceWitness | None = None
        if log_key is not None and isinstance(dev, WitnessStore):
            self.witness = DeviceWitness(dev, coop, device, branch, key=log_key, link=self.link, clock=clock)

    # -- events ---------------------------------------------------------------------------------------
    def _on_connected(self) -> None:
        self.sent_upto = self.acked
        self.inflight.clear()
        self.waiting_since = None
        self.fetching.clear()  # subscriptions end with the connection; the retained versions come again
        if self.witness is not None:
            self.witness.on_connected()
        if not self.was_connected:
            self.was_connected = True
            self.dev.set_connectivity(True)

    def _on_disconnected(self) -> None:
        self.inflight.clear()
        if self.was_connected:
            self.was_connected = False
            self.dev.set_connectivity(False)

    def _fetch(self, name: str) -> None:
        """Subscribe to ``name``'s retained snapshot until this device holds its advertised version."""
        if name not in self.fetching:
            self.fetching.add(name)
            self.link.subscribe(topics.branch_down(self.settings.coop, self.settings.branch, name))

    def _fetched(self, name: str) -> None:
        if name in self.fetching and self.known.get(name, 0) >= self.advertised.get(name, 0):
            self.fetching.discard(name)
            self.link.unsubscribe(topics.branch_down(self.settings.coop, self.settings.branch, name))

    def _on_versions(self, payload: bytes) -> None:
        self.advertised = downlink.parse_versions(payload)
        for name, version in self.advertised.items():
            if version > self.known.get(name, 0):
                self._fetch(name)

    def _on_ack(self, payload: bytes) -> None:
        try:
            got = ack_mod.decode(payload)
        except AckError as err:
            log.warning("ignoring a malformed ack: %s", err)
            return
        self.stats.acks += 1
        holds = got.seq if got.resend_from is None else min(got.seq, got.resend_from - 1)
        if holds < self.acked:
            # Central holds less than it acked before: its ledger was restored from a backup (or the
            # broker kept an old retained ack). Send again what the outbox still keeps; duplicates are
            # harmless, a lost envelope is not.
            before = self.acked
            self.acked = int(self.dev.rewind_ack(holds))
            if self.acked < before:
                log.warning("central holds seqs up to %d of the %d it acked: sending again", holds, before)
                self.stats.resends += 1
                self.sent_upto = self.acked
        if got.seq > self.acked:
            self.acked = int(self.dev.mark_acked(got.seq))
            self.waiting_since = self.clock() if self.sent_upto > self.acked else None
        self.sent_upto = max(self.sent_upto, self.acked)
        if got.resend_from is not None and got.resend_from - 1 < self.sent_upto:
            self.stats.resends += 1
            self.sent_upto = max(self.acked, got.resend_from - 1)

    def _on_refused(self, payload: bytes) -> None:
        if not payload:
            return  # a cleared retained message
        try:
            notice = refusals_mod.decode(payload)
        except RefusalNoticeError as err:
            log.warning("ignoring a malformed refusal notice: %s", err)
            return
        if notice.device != self.settings.device:
            log.warning("ignoring a refusal notice for device %s", notice.device)
            return
        self.stats.refusal_notices += 1
        self.dev.apply_refusals(notice)
        mark = refusals_mod.DEVICE_REVOKED
        revoked = [i for i in notice.items if i.state == "refused" and i.reason.startswith(mark)]
        if revoked and not self.revoked:
            self.revoked = True
            self.dev.mark_revoked(revoked[-1].reason)

    def _on_downlink(self, name: str, is_delta: bool, payload: bytes) -> None:
        if len(payload) > downlink.MAX_DOWNLINK_BYTES:
            limit = downlink.MAX_DOWNLINK_BYTES
            log.warning("ignoring a %s downlink of %d bytes (limit %d)", name, len(payload), limit)
            return
        if not payload:
            return  # a cleared retained message
        try:
            body = orjson.loads(payload)  # strict, and nesting is bounded (a deep one is refused)
        except orjson.JSONDecodeError as err:
            log.warning("ignoring a %s downlink that is not JSON: %s", name, err)
            return
        if not isinstance(body, dict):
            log.warning("ignoring a %s downlink that is not a JSON object", name)
            return
        try:
            applied = self.dev.apply_downlink(name, body)
        except InvalidDownlink as err:
            log.warning("ignoring an invalid %s downlink: %s", name, err.message("en"))
            return
        version = body.get("version")
        if applied:
            self.stats.downlinks_applied += 1
            if isinstance(version, int):
                self.known[name] = max(self.known.get(name, 0), version)
        elif is_delta and isinstance(version, int) and version > self.known.get(name, 0):
            self._fetch(name)  # a delta that does not follow: take the snapshot
        elif not is_delta and isinstance(version, int):
            self.known[name] = max(self.known.get(name, 0), version)  # it holds this one (or newer) already
        if not is_delta:
            if len(self.stats.snapshots_received) < MAX_STATS_NAMES:
                self.stats.snapshots_received.append(name)
            self._fetched(name)

    def _handle(self, event: Event) -> None:
        if event.kind is EventKind.CONNECTED:
            if event.ok:
                self._on_connected()
            else:
                log.warning("broker refused the connection: %s", event.reason)
        elif event.kind is EventKind.DISCONNECTED:
            self._on_disconnected()
        elif event.kind is EventKind.PUBACK:
            if event.generation == self.link.generation:
                self.inflight.pop(event.mid, None)
            if not event.ok:
                # The broker refused the message (ACL): keep the rows, say why, resend after the timeout.
                self.stats.refused += 1
                self.stats.last_refusal = event.reason
                log.error("broker refused uplink on %s: %s", self.uplink_topic, event.reason)
        elif event.kind is EventKind.MESSAGE:
            if event.topic == self.ack_topic:
                self._on_ack(event.payload)
                return
            if event.topic == self.refused_topic:
                self._on_refused(event.payload)
                return
            if event.topic == self.versions_topic:
                self._on_versions(event.payload)
                return
            if self.witness is not None and event.topic in self.witness.topics:
                if event.topic == self.witness.checkpoint_topic:
                    self.witness.on_checkpoint(event.payload)
                else:
                    self.witness.on_answer(event.payload)
                return
            parsed = downlink.parse_topic(event.topic)
            if parsed is not None:
                self._on_downlink(parsed[0], parsed[1], event.payload)

    # -- sending --------------------------------------------------------------------------------------
    def _refill(self) -> None:
        now = self.clock()
        rate = self.tuning.drain_tx_per_s
        burst = float(max(rate, self.tuning.batch_max))
        self.tokens = min(burst, self.tokens + (now - self.tokens_at) * rate)
        self.tokens_at = now

    def _send(self) -> bool:
        """Publish what the window allows; True if anything was sent."""
        tuning = self.tuning
        max_unacked = tuning.window * tuning.batch_max * UNACKED_BATCHES
        sent = False
        self._refill()
        while (
            self.link.connected
            and len(self.inflight) < tuning.window
            and self.sent_upto - self.acked < max_unacked
            and self.tokens >= 1
        ):
            room = min(tuning.batch_max, max_unacked - (self.sent_upto - self.acked), int(self.tokens))
            rows = self.dev.outbox_after(self.sent_upto, room)
            if not rows:
                break
            payload = batch.encode([env for _, env in rows], compress=tuning.compress)
            mid = self.link.publish(self.uplink_topic, payload)
            if mid is None:
                break
            if self.sent_upto == self.acked:
                self.waiting_since = self.clock()
            self.inflight[mid] = rows[-1][0]
            self.sent_upto = rows[-1][0]
            self.tokens -= len(rows)
            self.stats.published_messages += 1
            self.stats.published_envelopes += len(rows)
            self.stats.payload_bytes += len(payload)
            sent = True
        return sent

    def _timers(self) -> None:
        now = self.clock()
        if (
            self.waiting_since is not None
            and self.sent_upto > self.acked
            and now - self.waiting_since > self.tuning.ack_timeout_s
        ):
            log.info("no ack for %.0f s: resending after seq %d", now - self.waiting_since, self.acked)
            self.stats.timeouts += 1
            self.sent_upto = self.acked
            self.waiting_since = now
        if self.witness is not None:
            self.witness.tick()
        if now >= self.next_prune_at:
            self.next_prune_at = now + PRUNE_EVERY_S
            self.dev.prune_delivered(self.tuning.retention_s)

    # -- loop -----------------------------------------------------------------------------------------
    def step(self, wait_s: float = IDLE_WAIT_S) -> bool:
        """One turn: network I/O (waiting up to ``wait_s``), events, sends, timers; True if it sent."""
        self.link.step(wait_s)
        if self.link.certificate_revoked and not self.revoked:
            self.revoked = True
            log.error("the broker refused this device's certificate: it is revoked")
            self.dev.mark_revoked(CERTIFICATE_REVOKED_REASON)
        now = self.clock()
        if now < self.store_retry_at:
            return False
        try:
            for event in self.link.drain():
                self._handle(event)
            sent = self._send()
            self._timers()
        except StoreBusy:
            self.store_retry_at = now + STORE_RETRY_S
            return False
        return sent

    def run(self, stop: threading.Event | None = None, until: Callable[[], bool] | None = None) -> None:
        """Loop until ``stop`` is set or ``until()`` is true, then disconnect."""
        stop = stop or threading.Event()
        busy = False
        self.dev.set_connectivity(False)  # a killed predecessor may have left "connected" behind
        try:
            while not stop.is_set() and not (until is not None and until()):
                busy = self.step(0.0 if busy else IDLE_WAIT_S)
        finally:
            self.close()

    def close(self) -> None:
        self.link.close()
        if self.was_connected:
            self.was_connected = False
            try:
                self.dev.set_connectivity(False)
            except Exception:  # the store may already be closed at shutdown; status is advisory
                log.debug("could not record disconnect", exc_info=True)
