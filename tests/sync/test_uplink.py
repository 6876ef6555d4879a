"""The device's uplink loop against a real Mosquitto and a scripted central: order, window, acks, resends."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sync import ack, batch, refusals, topics
from sync.link import EventKind, Link, Subscription
from sync.settings import BrokerSettings, LinkSettings, UplinkTuning
from sync.uplink import DeviceSync
from tests.support.mosquitto import Mosquitto
from tests.sync.helpers import pump


@dataclass
class Status:
    last_ack_seq: int = 0
    catalog_version: int = 0
    members_version: int = 0


@dataclass
class MemoryOutbox:
    """An outbox in memory that follows the edge API sync/ relies on (seq order, acks never go back)."""

    rows: list[tuple[int, bytes]]
    acked: int = 0
    connectivity: list[bool] = field(default_factory=list)
    downlinks: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    notices: list[refusals.Notice] = field(default_factory=list)
    revoked: list[str | None] = field(default_factory=list)

    def outbox_after(self, seq: int, limit: int) -> list[tuple[int, bytes]]:
        return [r for r in self.rows if r[0] > seq][:limit]

    def mark_acked(self, upto_seq: int) -> int:
        self.acked = max(self.acked, min(upto_seq, len(self.rows)))
        return self.acked

    def prune_delivered(self, older_than_s: float) -> int:
        return 0

    def apply_downlink(self, name: str, payload: Mapping[str, Any]) -> bool:
        self.downlinks.append((name, payload))
        return True

    def set_connectivity(self, connected: bool) -> None:
        self.connectivity.append(connected)

    def status(self) -> Status:
        return Status(self.acked)

    def apply_refusals(self, notice: refusals.Notice) -> int:
        self.notices.append(notice)
        return len(notice.items)

    def mark_revoked(self, reason: str | None) -> None:
        self.revoked.append(reason)


def _rows(count: int) -> list[tuple[int, bytes]]:
    return [
        (s, json.dumps({"device": "toko-01", "seq": s}, separators=(",", ":")).encode())
        for s in range(1, count + 1)
    ]


def _settings(tmp_path: Path, port: int, **tuning: Any) -> LinkSettings:
    return LinkSettings(
        directory=tmp_path,
        coop="k",
        device="toko-01",
        unit="toko",
        branch="pusat",
        broker=BrokerSettings(port=port),
        tuning=UplinkTuning(**tuning),
    )


class ScriptedCentral:
    """Receives uplink batches and answers with the acks a test asks for."""

    def __init__(self, port: int) -> None:
        self.link = Link(
            BrokerSettings(port=port),
            "central-script",
            subscriptions=[Subscription(topics.uplink_filter("k"))],
        )
        self.batches: list[list[int]] = []
        pump(self.link, lambda ev: self.link.connected)

    def poll(self) -> None:
        self.link.step(0.01)
        for event in self.link.drain():
            if event.kind is EventKind.MESSAGE:
                self.batches.append([json.loads(e)["seq"] for e in batch.decode(event.payload)])

    def send_ack(self, seq: int, resend_from: int | None = None) -> None:
        self.link.publish(topics.ack("k", "toko-01"), ack.encode(ack.Ack(seq, resend_from)))

    def seqs(self) -> list[int]:
        return [s for b in self.batches for s in b]


def _run(service: DeviceSync, central: ScriptedCentral, until: Any, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        service.step(0.005)
        central.poll()
        if until():
            return
    raise AssertionError(f"not reached; central saw {central.seqs()}")


@pytest.mark.mqtt
def test_in_order_batches_within_window_until_acked(mosquitto: Mosquitto, tmp_path: Path) -> None:
    """Envelopes go in seq order, batch_max per message, and stop at the unacked bound until central acks."""
    outbox = MemoryOutbox(_rows(100))
    central = ScriptedCentral(mosquitto.port)
    service = DeviceSync(outbox, _settings(tmp_path, mosquitto.port, batch_max=5, window=2, ack_timeout_s=60))
    _run(service, central, lambda: len(central.seqs()) >= 20)
    for _ in range(50):
        service.step(0.005)
        central.poll()
    assert central.seqs() == list(range(1, 21))  # 2 x window x batch_max, then it waits for acks
    assert all(len(b) <= 5 for b in central.batches)
    central.send_ack(20)
    _run(service, central, lambda: len(central.seqs()) >= 40)
    assert outbox.acked == 20
    assert central.seqs()[:40] == list(range(1, 41))
    assert outbox.connectivity == [True]
    service.close()


@pytest.mark.mqtt
def test_resend_from_and_ack_timeout_rewind(mosquitto: Mosquitto, tmp_path: Path) -> None:
    """A resend request rewinds to the asked seq; silence past ack_timeout_s rewinds to the last ack."""
    outbox = MemoryOutbox(_rows(10))
    central = ScriptedCentral(mosquitto.port)
    service = DeviceSync(
        outbox, _settings(tmp_path, mosquitto.port, batch_max=10, window=1, ack_timeout_s=0.5)
    )
    _run(service, central, lambda: central.seqs() == list(range(1, 11)))
    central.send_ack(3, resend_from=4)
    _run(service, central, lambda: central.seqs()[10:17] == list(range(4, 11)))
    assert outbox.acked == 3
    # No more acks: after the timeout the device sends 4.. again.
    _run(service, central, lambda: len(central.seqs()) >= 24)
    assert central.seqs()[17:24] == list(range(4, 11))
    assert service.stats.timeouts >= 1 and service.stats.resends == 1
    central.send_ack(10)
    _run(service, central, lambda: outbox.acked == 10)
    service.close()


@pytest.mark.mqtt
def test_backlog_drains_at_the_configured_rate(mosquitto: Mosquitto, tmp_path: Path) -> None:
    """With drain_tx_per_s = 10 the loop publishes at most 10 envelopes per (simulated) second."""
    now = {"t": 0.0}
    outbox = MemoryOutbox(_rows(200))
    central = ScriptedCentral(mosquitto.port)
    settings = _settings(
        tmp_path, mosquitto.port, batch_max=10, window=4, drain_tx_per_s=10, ack_timeout_s=1e6
    )
    service = DeviceSync(outbox, settings, clock=lambda: now["t"])
    _run(service, central, lambda: len(central.seqs()) >= 10)
    for second in range(1, 6):
        now["t"] = float(second)
        for _ in range(20):
            service.step(0.005)
            central.poll()
        central.send_ack(len(central.seqs()))
    for _ in range(40):
        service.step(0.005)
        central.poll()
    assert len(central.seqs()) <= 10 * 6
    assert central.seqs() == list(range(1, len(central.seqs()) + 1))
    service.close()


def test_a_refusal_for_revocation_marks_the_device_revoked_once(tmp_path: Path) -> None:
    """Central's notice that it refused envelopes because the device is revoked makes the device say so;
    other refusals (and a retried-and-accepted one) do not."""
    outbox = MemoryOutbox(_rows(3))
    service = DeviceSync(outbox, _settings(tmp_path, 1))

    def notice(*items: refusals.Item) -> bytes:
        return refusals.encode(refusals.Notice("toko-01", len(items), items))

    service._on_refused(notice(refusals.Item(1, "a" * 64, "a dispute refers to a sale")))
    accepted = refusals.Item(2, "b" * 64, "device revoked (uji): toko-01 may no longer send", "accepted")
    service._on_refused(notice(accepted))
    assert outbox.revoked == [] and len(outbox.notices) == 2
    why = "device revoked (kiosk dicuri): toko-01 may no longer send transactions"
    for _ in range(2):
        service._on_refused(notice(refusals.Item(3, "c" * 64, why)))
    assert outbox.revoked == [why]
    service.close()
