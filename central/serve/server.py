"""Central's MQTT side (``python -m central serve``): ingest uplinks, ack, answer requests, publish downlinks.

Threads: one network thread drives the MQTT link (paho callbacks only enqueue). The inbox is handled in
rounds of at most ``ROUND_MESSAGES_MAX`` messages by a two-stage pipeline: the decoder thread takes a
round and

1. decodes each device's batches (``sync.batch``; a malformed or oversized payload is refused with a reason)
   and parses the envelopes (``central.ledger.ingest.prepare``, no database work),

then hands it through a queue of ``PIPELINE_ROUNDS`` to the calling thread (the worker), which, while
the decoder parses the next round,

2. ingests them with ``Ledger.ingest(..., require_signature=True)``: the envelopes that name the device of
   their topic in one call for all devices of the round, the others with ``expected_device=<device of
   topic>`` (idempotent; forged, replayed-with-other-content or foreign envelopes are quarantined with a
   reason and do not stop the stream),
3. after the commit, acks: PUBACKs the MQTT messages (manual ack, so the broker keeps what central has
   not committed) and publishes ``{"seq": contiguous_seq}`` retained on the device's ack topic, adding
   ``resend_from`` when it saw seqs beyond a gap.

A fourth thread (the reader) answers member-summary requests and devices' log proof requests, keeps their
witness reports (``sync.witness``) and, every ``downlink_interval_s``, publishes the catalog, members and
config per branch as versioned retained snapshots plus deltas (``sync.downlink``) and the transparency
log's latest checkpoint, so that reporting queries never hold up ingest and acks.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final

import orjson

from central.books.statement import member_summary
from central.ledger import quarantine
from central.ledger.ingest import Prepared, prepare, relaxed_collector
from central.stock import counts, onhand, prices
from central.transparency import log as tlog
from central.transparency import witnesses
from sync import ack as ack_mod
from sync import batch, downlink, summary, topics, witness
from sync import refusals as refusals_mod
from sync.envelope import MAX_ENVELOPE_BYTES
from sync.errors import BatchError, SummaryError
from sync.link import Event, EventKind, Link, Subscription
from sync.settings import BrokerSettings

log = logging.getLogger("central.serve")  # the name operators filter on

# Uplink messages the broker may have in flight to central (MQTT 5 Receive Maximum); bounds the inbox.
RECEIVE_MAXIMUM: Final = 200
ROUND_MESSAGES_MAX: Final = 200
ROUND_WAIT_S: Final = 0.05
# Rounds decoded and parsed ahead of the one being committed (each at most ROUND_MESSAGES_MAX messages).
PIPELINE_ROUNDS: Final = 2
NET_STEP_S: Final = 0.005
RESEND_MIN_INTERVAL_S: Final = 2.0
# After connecting, central listens this long for its own retained snapshots before publishing new ones,
# so versions continue where the last run stopped.
LEARN_RETAINED_S: Final = 1.0
DOWNLINK_INTERVAL_S: Final = 5.0
# How often central logs what it did since the last such line (only when it did something).
STATUS_INTERVAL_S: Final = 60.0
SESSION_EXPIRY_S: Final = 7 * 24 * 3600
REJECTIONS_KEPT: Final = 1000
NET_JOIN_S: Final = 5.0
FLUSH_ON_STOP_S: Final = 2.0
# Member-summary requests waiting for the reader thread; more are refused (the kiosk asks again).
REQUESTS_MAX: Final = 100
READER_WAIT_S: Final = 0.1
_DEVICE_KEY_RE: Final = re.compile(rb'"device":"([a-z0-9][a-z0-9_-]{0,47})"')
_SEQ_KEY_RE: Final = re.compile(rb'"seq":(\d{1,16})[,}]')


@dataclass(frozen=True)
class ServeSettings:
    """How central reaches the broker and what it publishes."""

    coop: str
    broker: BrokerSettings = field(default_factory=BrokerSettings)
    client_id: str = "central"
    downlink_interval_s: float = DOWNLINK_INTERVAL_S
    branches: tuple[str, ...] = ()
    status_interval_s: float = STATUS_INTERVAL_S


@dataclass
class ServeStats:
    """Counters since start (for logs, tests and benchmarks)."""

    messages: int = 0
    envelopes: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    refused_payloads: int = 0
    acks: int = 0
    resend_requests: int = 0
    refusal_notices: int = 0
    summaries: int = 0
    downlinks: int = 0
    proofs: int = 0  # devices' proof requests answered (sync.witness)
    witness_reports: int = 0
    checkpoints: int = 0  # log checkpoints published to the branches
    rounds: int = 0


@dataclass
class _Round:
    """Inbox messages taken together: their parsed envelopes, what to PUBACK after the commit, and the
    member-summary requests that came with them."""

    messages: int = 0
    own: Prepared | None = None  # envelopes naming the device of their topic, all devices at once
    stray: dict[str, Prepared] = field(default_factory=dict)  # the others, per device of topic
    seen: dict[str, list[int]] = field(default_factory=dict)  # seqs sent, per device that sent uplinks
    to_ack: list[tuple[int, int]] = field(default_factory=list)  # (generation, mid)
    requests: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class Refusal:
    """Something central refused, with the reason an operator reads."""

    device: str
    seq: int | None
    reason: str


def _names_only(raw: bytes, device: str) -> bool:
    """True when ``raw`` names ``device`` as its one and only ``device`` key (checked on the bytes).

    In JSON text a quote inside a string is escaped, so ``"device":"`` can only be a key; a payload with a
    ``\\u`` escape (which could spell a second key) or with zero or several ``device`` keys is not
    judged here: it goes to the ledger with ``expected_device``, which parses and decides.
    """
    if len(raw) > MAX_ENVELOPE_BYTES or b"\\u" in raw:
        return False
    found = _DEVICE_KEY_RE.findall(raw)
    return len(found) == 1 and found[0] == device.encode("ascii")


def _seq_of(raw: bytes) -> int | None:
    found = _SEQ_KEY_RE.findall(raw)
    return int(found[0]) if len(found) == 1 else None


class Server:
    """Central's MQTT service around one ledger. ``run()`` in the calling thread until ``stop`` is set."""

    def __init__(
        self,
        ledger: Any,
        settings: ServeSettings,
        *,
        after_commit: Callable[[str, int], None] | None = None,
    ) -> None:
        self.ledger = ledger
        self.settings = settings
        self.coop = settings.coop
        self.after_commit = after_commit
        self.link = Link(
            settings.broker,
            settings.client_id,
            subscriptions=[
                Subscription(topics.uplink_filter(self.coop)),
                Subscription(topics.request_filter(self.coop)),
                Subscription(topics.witness_filter(self.coop)),
                Subscription(topics.branch_down(self.coop, "+", "+")),
            ],
            clean_start=False,
            session_expiry_s=SESSION_EXPIRY_S,
            manual_ack=True,
            receive_maximum=RECEIVE_MAXIMUM,
            block_when_full=True,
            report_pubacks=False,  # central repeats its acks and snapshots; only refusals are of interest
        )
        self.stats = ServeStats()
        self.refusals: deque[Refusal] = deque(maxlen=REJECTIONS_KEPT)
        self.published: dict[tuple[str, str], downlink.Published] = {}
        self.last_resend: dict[str, tuple[float, int]] = {}
        self.connected_at: float | None = None
        self.next_downlink_at = 0.0
        self._requests: queue.Queue[Event] = queue.Queue(maxsize=REQUESTS_MAX)
        self._published_lock = threading.Lock()
        self._net_stop = threading.Event()
        self._net: threading.Thread | None = None
        self._decoder_error: BaseException | None = None
        # The refusal notice last published per device (``sync.refusals``), and the office's latest
        # quarantine action seen, so notices go out again when a retry or dismissal changes them.
        self._notices: dict[str, bytes] = {}
        self._notices_lock = threading.Lock()
        self._actions_mark = -1
        self._checkpoint_sent = ""  # the signed note last published to the branches

    # -- network thread ------------------------------------------------------------------------------
    def _network(self) -> None:
        while not self._net_stop.is_set():
            self.link.step(NET_STEP_S)
        self.link.close()

    def start(self) -> None:
        """Start the network thread (``run`` calls it if needed)."""
        if self._net is None:
            self._net = threading.Thread(target=self._network, name="central-mqtt", daemon=True)
            self._net.start()

    def stop_network(self) -> None:
        """Flush what is posted (acks, snapshots; bounded wait), then stop the network thread."""
        deadline = time.monotonic() + FLUSH_ON_STOP_S
        while self.link.pending() and self.link.connected and time.monotonic() < deadline:
            time.sleep(NET_STEP_S)
        time.sleep(NET_STEP_S * 4)  # the last publishes leave paho's buffer
        self._net_stop.set()
        if self._net is not None:
            self._net.join(NET_JOIN_S)
            self._net = None

    # -- refusals --------------------------------------------------------------------------------------
    def _refuse(self, device: str, seq: int | None, reason: str) -> None:
        self.refusals.append(Refusal(device, seq, reason))
        log.warning("refused from %s (seq %s): %s", device, seq, reason)

    # -- uplink ----------------------------------------------------------------------------------------
    def _sort(self, uplinks: Mapping[str, list[bytes]], rnd: _Round) -> None:
        """Sort one round's envelopes for ingest and parse them (no database work).

        Envelopes whose ``device`` is the one the topic names go into one ``ingest`` call for all devices
        (one database transaction per chunk, however many devices sent). The rest (unreadable, oversized,
        or naming another device) go through ``ingest(..., expected_device=<topic device>)`` so that the
        ledger quarantines each with its reason.
        """
        own: list[bytes] = []
        stray: dict[str, list[bytes]] = {}
        for device, envelopes in uplinks.items():
            seen = rnd.seen.setdefault(device, [])
            for raw in envelopes:
                if not _names_only(raw, device):
                    stray.setdefault(device, []).append(raw)
                    continue
                own.append(raw)
                seq = _seq_of(raw)
                if seq is not None:
                    seen.append(seq)
        config = self.ledger.config
        if own:
            rnd.own = prepare(own, config)
        rnd.stray = {device: prepare(raws, config) for device, raws in stray.items()}

    def _ingest_round(self, rnd: _Round) -> None:
        """Commit one round's envelopes, then tell each device what was refused (when that changed)
        and ack it."""
        refused: set[str] = set()
        if rnd.own is not None:
            refused |= self._account(self.ledger.ingest(rnd.own, require_signature=True))
        for device, prepared in rnd.stray.items():
            refused |= self._account(
                self.ledger.ingest(prepared, require_signature=True, expected_device=device)
            )
        for device, seen in rnd.seen.items():
            if device in refused or device not in self._notices:
                self._notify(device)
            contiguous = int(self.ledger.contiguous_seq(device))
            if self.after_commit is not None:
                self.after_commit(device, contiguous)
            self._ack(device, contiguous, seen)

    def _account(self, report: Any) -> set[str]:
        """Count a report's outcome; return the devices named by its refusals."""
        self.stats.accepted += len(report.accepted)
        self.stats.duplicates += len(report.duplicates)
        self.stats.rejected += len(report.rejected)
        for rejection in report.rejected:
            self._refuse(str(rejection.device), rejection.seq, rejection.reason)
        return {str(rejection.device) for rejection in report.rejected}

    def _notify(self, device: str) -> None:
        """Publish the device's refusal notice (retained) when it differs from the last one sent."""
        notice = quarantine.refusal_notice(self.ledger, device)
        body = refusals_mod.encode(notice)
        with self._notices_lock:
            if self._notices.get(device) == body:
                return
            self._notices[device] = body
            if notice.total or notice.items:
                self.link.post(topics.refused(self.coop, device), body, retain=True)
                self.stats.refusal_notices += 1

    def notify_after_office_actions(self) -> None:
        """Send again the notices of devices with refusals when the office retried or dismissed one."""
        mark = quarantine.actions_mark(self.ledger)
        if mark == self._actions_mark:
            return
        self._actions_mark = mark
        for device in quarantine.devices_with_refusals(self.ledger):
            self._notify(device)

    def _ack(self, device: str, contiguous: int, seen: list[int]) -> None:
        resend_from = None
        if seen and max(seen) > contiguous + 1:
            now = time.monotonic()
            last_at, last_seq = self.last_resend.get(device, (-1e9, -1))
            if last_seq != contiguous or now - last_at > RESEND_MIN_INTERVAL_S:
                self.last_resend[device] = (now, contiguous)
                resend_from = contiguous + 1
                self.stats.resend_requests += 1
        topic = topics.ack(self.coop, device)
        self.link.post(topic, ack_mod.encode(ack_mod.Ack(contiguous)), retain=True)
        if resend_from is not None:
            self.link.post(topic, ack_mod.encode(ack_mod.Ack(contiguous, resend_from)))
        self.stats.acks += 1

    # -- requests -------------------------------------------------------------------------------------
    def _answer(self, event: Event) -> None:
        device = topics.device_of(event.topic) or "?"
        if event.topic == topics.request(self.coop, device, witness.PROOF):
            self._answer_proof(device, event.payload)
            return
        if event.topic == topics.witness_report(self.coop, device):
            self._record_witness(device, event.payload)
            return
        try:
            member, reply_to, correlation = summary.parse_request(event.payload)
        except SummaryError as err:
            self._refuse(device, None, f"member-summary request: {err}")
            return
        target = summary.allowed_reply_topic(self.coop, event.topic, event.response_topic or reply_to)
        if target is None:
            self._refuse(device, None, "member-summary request names a reply topic that is not its own")
            return
        try:
            result: dict[str, Any] = member_summary(self.ledger, member)
        except Exception as err:  # every ledger error becomes an answer, never a crash of the service
            result = {"error": str(err), "member": member}
        self.stats.summaries += 1
        if event.correlation is not None:
            body = summary.response_body(result)
            self.link.post(target, body, response_topic=None, correlation=event.correlation)
        else:
            self.link.post(target, summary.response_body(result, correlation))

    # -- devices as witnesses of the transparency log (sync.witness) ---------------------------------------
    def _answer_proof(self, device: str, payload: bytes) -> None:
        """Answer a device's proof request on its own ``down/proof`` (never on a topic it names)."""
        try:
            request = witness.decode_request(payload)
        except witness.WitnessMessageError as err:
            self._refuse(device, None, f"log proof request: {err}")
            return
        try:
            tlog.prepare(self.ledger)
            with self.ledger.read() as conn:
                result = witnesses.answer(conn, request)
        except Exception as err:  # a proof that cannot be built is an answer, never a crash of the service
            error = f"{type(err).__name__}: {err}"
            result = witness.ProofAnswer(
                request.size_from, request.size_to, correlation=request.correlation, error=error
            )
        self.stats.proofs += 1
        self.link.post(topics.device_down(self.coop, device, witness.PROOF), witness.encode_answer(result))

    def _record_witness(self, device: str, payload: bytes) -> None:
        """Keep a device's witness report; a flagged problem is logged loudly."""
        if not payload:
            return  # a cleared retained report
        try:
            report = witness.decode_report(payload)
        except witness.WitnessMessageError as err:
            self._refuse(device, None, f"witness report: {err}")
            return
        if report.device != device:
            self._refuse(device, None, f"witness report names device {report.device!r}, not its own")
            return
        with self.ledger.write() as conn:
            witnesses.record(conn, device, report)
        self.stats.witness_reports += 1
        if report.state != witness.OK:
            problem = witness.Problem(report.state, report.size, 0, report.tx, report.detail)
            log.error(
                "device %s witnessed a problem with the transparency log: %s", device, problem.text("en")
            )

    def publish_checkpoint(self, branches: Iterable[str]) -> bool:
        """Publish the log's latest checkpoint (retained) to every branch when it changed; True if it did."""
        tlog.prepare(self.ledger)  # the log's tables made in a write transaction, never inside this read
        with self.ledger.read() as conn:
            latest = tlog.latest(conn)
        if latest is None or latest.note == self._checkpoint_sent:
            return False
        body = latest.note.encode("utf-8")
        for branch in sorted(branches):
            self.link.post(witness.checkpoint_topic(self.coop, branch), body, retain=True)
        self._checkpoint_sent = latest.note
        self.stats.checkpoints += 1
        return True

    # -- downlink -------------------------------------------------------------------------------------
    def _learn(self, event: Event) -> None:
        parsed = downlink.parse_topic(event.topic)
        parts = event.topic.split("/")
        if parsed is None or parsed[1] or not event.payload:
            return
        try:
            body = orjson.loads(event.payload)  # nesting bounded: never a RecursionError
            version = int(body["version"])
            items = body["items"]
        except (ValueError, KeyError, TypeError):
            return
        key = (parts[3], parsed[0])
        with self._published_lock:
            known = self.published.get(key)
            if known is None or version > known.version:
                self.published[key] = downlink.Published(
                    version, downlink.digest(items), tuple(items) if isinstance(items, list) else ()
                )

    def _config_items(self) -> list[dict[str, Any]]:
        config = self.ledger.config
        return [
            {"key": "name", "value": config.name},
            {"key": "coop", "value": config.coop},
            {"key": "timezone", "value": config.timezone},
            {"key": "default_credit_limit_rp", "value": config.default_credit_limit_rp},
            {
                "key": "point_rules",
                "value": [
                    {"unit": r.unit, "basis": r.basis, "rp_per_point": r.rp_per_point, "payment": r.payment}
                    for r in config.point_rules
                ],
            },
        ]

    def _catalog(self) -> list[dict[str, Any]]:
        """The catalog with each unit's stock on hand of the tracked items (``central.stock.onhand``), after
        applying the office's price changes whose day has come (``central.stock.prices``): a changed price
        goes out as a catalog delta of that item."""
        prices.apply_due(self.ledger, datetime.now(self.ledger.config.tz).date())
        return onhand.with_stock(self.ledger, self.ledger.products())

    def publish_downlinks(self) -> int:
        """Publish what changed since the last call, per branch; return how many snapshots went out."""
        sources: Mapping[str, Callable[[], list[dict[str, Any]]]] = {
            "catalog": self._catalog,
            "members": self.ledger.members,
            "config": self._config_items,
            "counts": lambda: counts.open_counts(self.ledger),
        }
        # Each device's committed seq is read before the figures, never after: an ingest in between
        # can then only make a payload count less than its figures do (the device counts a sale as
        # pending twice, which errs on the safe side), never more (docs/contracts.md, "reflects").
        reflects = self._reflects()
        current = {name: fetch() for name, fetch in sources.items()}
        with self._published_lock:
            count = self._publish_changes(current, reflects)
        self.stats.downlinks += count
        self.publish_checkpoint(set(self.settings.branches) | set(reflects))
        return count

    def _reflects(self) -> dict[str, dict[str, int]]:
        """Per branch of a registered (not revoked) device, each of its devices' contiguous committed seq
        (``reflects`` of its payloads)."""
        by_branch: dict[str, dict[str, int]] = {}
        for row in self.ledger.devices_list():
            if not row.get("revoked_ts"):
                seq = int(self.ledger.contiguous_seq(str(row["device"])))
                by_branch.setdefault(str(row["branch"]), {})[str(row["device"])] = seq
        return by_branch

    def _publish_changes(
        self, current: Mapping[str, list[dict[str, Any]]], reflects: Mapping[str, dict[str, int]]
    ) -> int:
        count = 0
        for branch in sorted(set(self.settings.branches) | set(reflects)):
            changed = False
            for name, items in current.items():
                key = (branch, name)
                decided = downlink.next_publication(name, self.published.get(key), items)
                if decided is None:
                    continue
                state, snap, change = decided
                if name in downlink.REFLECTING:
                    snap["reflects"] = reflects.get(branch, {})
                    if change is not None:
                        change["reflects"] = snap["reflects"]
                if change is not None:
                    self.link.post(downlink.delta_topic(self.coop, branch, name), downlink.encode(change))
                snap_topic = topics.branch_down(self.coop, branch, name)
                self.link.post(snap_topic, downlink.encode(snap), retain=True)
                self.published[key] = state
                count += 1
                changed = True
            if changed:
                versions = {name: self.published[(branch, name)].version for name in current}
                body = json.dumps(versions, separators=(",", ":"), sort_keys=True).encode("ascii")
                self.link.post(downlink.versions_topic(self.coop, branch), body, retain=True)
        return count

    # -- worker ---------------------------------------------------------------------------------------
    def _take(self, wait_s: float) -> _Round | None:
        """Drain up to ``ROUND_MESSAGES_MAX`` inbox messages, decode and parse their envelopes (no database
        work); None when there was nothing to do."""
        events = self.link.drain(ROUND_MESSAGES_MAX, wait_s)
        rnd = _Round()
        uplinks: dict[str, list[bytes]] = {}
        for event in events:
            if event.kind is EventKind.CONNECTED and event.ok:
                self.connected_at = time.monotonic()
                self.next_downlink_at = max(self.next_downlink_at, self.connected_at + LEARN_RETAINED_S)
                log.info("connected to the broker; devices' uplinks are being taken")
                continue
            if event.kind is EventKind.DISCONNECTED:
                log.warning("lost the broker; reconnecting (devices keep their transactions meanwhile)")
                continue
            if event.kind is not EventKind.MESSAGE:
                continue
            rnd.messages += 1
            if event.qos > 0:
                rnd.to_ack.append((event.generation, event.mid))
            device = topics.device_of(event.topic)
            if device is None:
                self._learn(event)
            elif event.topic == topics.uplink(self.coop, device):
                try:
                    envelopes = batch.decode(event.payload)
                except BatchError as err:
                    self.stats.refused_payloads += 1
                    self._refuse(device, None, f"uplink payload refused: {err}")
                    continue
                uplinks.setdefault(device, []).extend(envelopes)
            elif event.topic in (
                topics.request(self.coop, device, summary.NAME),
                topics.request(self.coop, device, witness.PROOF),
                topics.witness_report(self.coop, device),
            ):
                rnd.requests.append(event)
        if not rnd.messages:
            return None
        self.stats.messages += rnd.messages
        self.stats.envelopes += sum(len(envelopes) for envelopes in uplinks.values())
        if uplinks:
            self._sort(uplinks, rnd)
        return rnd

    def _commit(self, rnd: _Round) -> None:
        """Ingest a taken round; only after its commit PUBACK its messages and pass on its requests."""
        if rnd.seen:
            self._ingest_round(rnd)
        for generation, mid in rnd.to_ack:
            self.link.post_ack(generation, mid)
        for event in rnd.requests:
            try:
                self._requests.put_nowait(event)
            except queue.Full:
                device = topics.device_of(event.topic) or "?"
                self._refuse(
                    device, None, "too many member-summary requests at once; the kiosk may ask again"
                )
        self.stats.rounds += 1

    def round(self) -> int:
        """Handle one round of inbox messages on this thread; return how many messages it took."""
        rnd = self._take(ROUND_WAIT_S)
        if rnd is None:
            return 0
        self._commit(rnd)
        return rnd.messages

    def _decoder(self, stop: threading.Event, rounds: queue.Queue[_Round]) -> None:
        """The pipeline's first stage: take and parse rounds while the worker commits earlier ones."""
        try:
            while not stop.is_set():
                rnd = self._take(ROUND_WAIT_S)
                while rnd is not None and not stop.is_set():
                    try:
                        rounds.put(rnd, timeout=ROUND_WAIT_S)
                        break
                    except queue.Full:
                        continue
        except BaseException as err:  # handed to the worker, which stops the service with it
            self._decoder_error = err
            stop.set()

    # -- reader thread: answers and downlinks, so reporting never holds up ingest ----------------------------
    def _log_status(self, since: ServeStats, seconds: float) -> ServeStats:
        """Log what happened since ``since`` (nothing when nothing did); return the counters now."""
        now = replace(self.stats)
        accepted = now.accepted - since.accepted
        refused = (now.rejected - since.rejected) + (now.refused_payloads - since.refused_payloads)
        if now.messages != since.messages or now.summaries != since.summaries:
            log.info(
                "last %.0f s: %d envelopes in %d messages; accepted %d (%.0f/s), duplicates %d, "
                "refused %d; %d acks, %d resend requests, %d member summaries, %d downlinks",
                seconds,
                now.envelopes - since.envelopes,
                now.messages - since.messages,
                accepted,
                accepted / max(seconds, 1e-9),
                now.duplicates - since.duplicates,
                refused,
                now.acks - since.acks,
                now.resend_requests - since.resend_requests,
                now.summaries - since.summaries,
                now.downlinks - since.downlinks,
            )
        return now

    def _reader(self, stop: threading.Event) -> None:
        since = replace(self.stats)
        since_at = time.monotonic()
        while not stop.is_set():
            try:
                event = self._requests.get(timeout=READER_WAIT_S)
            except queue.Empty:
                event = None
            if event is not None:
                self._answer(event)
            now = time.monotonic()
            if self.connected_at is not None and now >= self.next_downlink_at:
                self.next_downlink_at = now + self.settings.downlink_interval_s
                self.publish_downlinks()
                self.notify_after_office_actions()
            if now - since_at >= self.settings.status_interval_s:
                since, since_at = self._log_status(since, now - since_at), now

    def run(self, stop: threading.Event | None = None, until: Callable[[], bool] | None = None) -> None:
        """Serve until ``stop`` is set or ``until()`` is true."""
        with relaxed_collector():  # also over the decoder thread's parsing and the reader's work
            self._run(stop or threading.Event(), until)

    def _run(self, stop: threading.Event, until: Callable[[], bool] | None) -> None:
        self.start()
        reader_stop = threading.Event()
        reader = threading.Thread(
            target=self._reader, args=(reader_stop,), name="central-reader", daemon=True
        )
        reader.start()
        # Two-stage pipeline: the decoder thread drains, decodes and parses the next round (pure Python,
        # holding the interpreter lock) while this thread checks, writes and commits the previous one
        # (mostly inside the database driver, which releases it). Rounds pass through a FIFO queue of
        # PIPELINE_ROUNDS, so they commit in arrival order and each device's order is kept; PUBACKs and
        # acks still follow each round's own commit.
        rounds: queue.Queue[_Round] = queue.Queue(maxsize=PIPELINE_ROUNDS)
        decoder_stop = threading.Event()
        self._decoder_error = None
        decoder = threading.Thread(
            target=self._decoder, args=(decoder_stop, rounds), name="central-decode", daemon=True
        )
        decoder.start()
        try:
            while not stop.is_set() and not (until is not None and until()):
                if self._decoder_error is not None:
                    raise self._decoder_error
                try:
                    rnd = rounds.get(timeout=ROUND_WAIT_S)
                except queue.Empty:
                    continue
                self._commit(rnd)
        finally:
            decoder_stop.set()
            decoder.join(NET_JOIN_S)
            reader_stop.set()
            reader.join(NET_JOIN_S)
            self.stop_network()
