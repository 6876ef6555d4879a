"""Devices as witnesses of the transparency log, on a real Mosquitto with central serving a real ledger."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import update

from central.cli import main as central_main
from central.ledger import Ledger
from central.serve import Server, ServeSettings
from central.transparency import audit as log_audit
from central.transparency import keys, verify, witnesses
from central.transparency import log as tlog
from central.transparency.tables import log_leaves
from edge.device import Device
from provisioning.world import DeviceSpec, World, build
from sync import checkpoint as note
from sync import settings as sync_settings
from sync import witness
from sync.settings import BrokerSettings
from sync.uplink import DeviceSync
from sync.witnessing import LOG_KEY_FILE
from tests.support.mosquitto import Mosquitto
from tests.sync.helpers import SUBSCRIBE_WAIT_S, WAIT_S, rice_catalog

SKU = "8991001000011"
BRANCHES = ("pusat", "desa")


@dataclass
class Books:
    world: World
    ledger: Ledger
    server: Server
    verifier: note.VerifierKey

    def publish(self, signed: str, branch: str) -> None:
        """Central serves ``signed`` as the branch's checkpoint (retained), as a forking central would."""
        self.server.link.post(witness.checkpoint_topic(self.world.coop, branch), signed.encode(), retain=True)

    def grow(self, device: str, sales: int) -> None:
        """``sales`` sales of ``device`` reach the books one ingest at a time: a checkpoint each."""
        with Device.open(self.world.devices[device]) as dev:
            envs = [bytes(dev.record_sale(lines=[(SKU, 1)]).data) for _ in range(sales)]
            dev.mark_acked(dev.status().last_seq)
        for env in envs:
            self.ledger.ingest([env], require_signature=True)

    def latest(self) -> tlog.Published:
        with self.ledger.read() as conn:
            found = tlog.latest(conn)
        assert found is not None
        return found


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    """Poll ``condition`` until it holds; fail with ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"not reached within {timeout_s} s: {what}")


@pytest.fixture
def books(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[Books]:
    """Two devices in two branches with the log key, central serving a ledger whose log is set up;
    central publishes checkpoints only when a test says so (``Server.publish_checkpoint``)."""
    broker = BrokerSettings(port=mosquitto.port)
    world = build(
        tmp_path / "w",
        broker=broker,
        devices=[DeviceSpec("toko-01", branch=BRANCHES[0]), DeviceSpec("toko-02", branch=BRANCHES[1])],
    )
    os.environ.pop(keys.KEY_ENV, None)
    assert central_main(["--db", str(world.ledger_path), "transparency", "init"]) == 0
    ledger = Ledger.open(world.ledger_path)
    with ledger.read() as conn:
        verifier = note.parse_verifier(tlog.meta(conn)["verifier"])
    for directory in world.devices.values():
        (directory / LOG_KEY_FILE).write_text(verifier.encode() + "\n")
        with Device.open(directory) as dev:
            dev.apply_downlink("catalog", rice_catalog(SKU))
    settings = ServeSettings(coop=world.coop, broker=broker, downlink_interval_s=3600.0, branches=BRANCHES)
    server = Server(ledger, settings)
    stop = threading.Event()
    thread = threading.Thread(target=server.run, args=(stop,), daemon=True)
    thread.start()
    wait_for(lambda: server.stats.downlinks > 0, "central subscribed", SUBSCRIBE_WAIT_S)
    try:
        yield Books(world, ledger, server, verifier)
    finally:
        stop.set()
        thread.join(10)
        ledger.close()


@contextlib.contextmanager
def online(books: Books, device: str) -> Iterator[DeviceSync]:
    """Device ``device``'s sync service running on a thread."""
    directory = books.world.devices[device]
    stop = threading.Event()
    with Device.open(directory) as dev:
        service = DeviceSync(dev, sync_settings.load(directory))
        assert service.witness is not None
        thread = threading.Thread(target=service.run, args=(stop,), daemon=True)
        thread.start()
        try:
            yield service
        finally:
            stop.set()
            thread.join(10)


def kept_size(books: Books, device: str) -> int:
    with Device.open(books.world.devices[device]) as dev:
        return dev.status().witness_size


def central_view(books: Books, device: str) -> witnesses.Witness | None:
    with books.ledger.read() as conn:
        return next((w for w in witnesses.overview(conn) if w.device == device), None)


def sell(books: Books, service: DeviceSync, device: str, count: int) -> None:
    """Record ``count`` sales on a running device and wait until central acked them."""
    with Device.open(books.world.devices[device]) as dev:
        for _ in range(count):
            dev.record_sale(lines=[(SKU, 1)])
        last = dev.status().last_seq
    wait_for(lambda: service.acked >= last, f"{device} acked up to {last}")


@pytest.mark.mqtt
def test_device_offline_for_a_week_catches_up_with_one_consistency_proof(books: Books) -> None:
    """A device that kept checkpoint n and comes back after many checkpoints asks ONE consistency proof,
    accepts the latest, proves its own sales included, and central's board shows the size it witnessed."""
    with online(books, "toko-01") as service:
        sell(books, service, "toko-01", 3)
        books.server.publish_checkpoint(BRANCHES)
        first = books.latest()
        wait_for(lambda: kept_size(books, "toko-01") == first.size, "first checkpoint kept")
    books.grow("toko-02", 40)  # the week: forty checkpoints signed while toko-01 is away
    with books.ledger.read() as conn:
        signed = len(tlog.every_checkpoint(conn))
    assert signed >= 40
    books.server.publish_checkpoint(BRANCHES)
    latest = books.latest()
    with online(books, "toko-01") as service:
        wait_for(lambda: kept_size(books, "toko-01") == latest.size, "caught up with the latest")
        witness_stats = service.witness.stats if service.witness else None
        assert witness_stats is not None
        assert witness_stats.consistency_requests == 1
        assert witness_stats.problems == 0
        wait_for(
            lambda: (view := central_view(books, "toko-01")) is not None and view.size == latest.size,
            "central recorded the witness report",
        )
    with Device.open(books.world.devices["toko-01"]) as dev:
        kept = dev.kept_checkpoint()
        assert kept is not None and kept[1] == 3  # its three sales proved included
    view = central_view(books, "toko-01")
    assert view is not None and not view.flagged and view.behind == 0


@pytest.mark.mqtt
def test_fork_drill_both_devices_and_the_verifier_flag_it(books: Books) -> None:
    """Central serves two inconsistent checkpoints of the same size to two devices: each device refuses
    the one that does not follow what it kept, reports it, and the verifier flags the fork."""
    with online(books, "toko-01") as one, online(books, "toko-02") as two:
        sell(books, one, "toko-01", 2)
        sell(books, two, "toko-02", 2)
        books.server.publish_checkpoint(BRANCHES)
        base = books.latest()
        for device in ("toko-01", "toko-02"):
            wait_for(lambda d=device: kept_size(books, d) == base.size, f"{device} kept the base")
        books.grow("toko-01", 1)
        real = books.latest()
        with books.ledger.read() as conn:
            key = keys.load_key(keys.key_path(books.ledger.target))
        forged = note.sign(
            note.Checkpoint(books.verifier.name, real.size, os.urandom(32), note.now_utc()), key
        )
        books.publish(real.note, "pusat")  # one history for one branch ...
        books.publish(forged, "desa")  # ... another for the other
        wait_for(lambda: kept_size(books, "toko-01") == real.size, "toko-01 accepted the real tree")
        wait_for(lambda: two.witness is not None and two.witness.stats.problems > 0, "toko-02 flagged")
        assert kept_size(books, "toko-02") == base.size  # the old checkpoint stays
        books.publish(forged, "pusat")  # the fork reaches the other device too
        wait_for(lambda: one.witness is not None and one.witness.stats.problems > 0, "toko-01 flagged")
        assert kept_size(books, "toko-01") == real.size
        for device, reason in (("toko-01", "fork"), ("toko-02", "inconsistent")):
            wait_for(
                lambda d=device, r=reason: (v := central_view(books, d)) is not None and v.state == r,
                f"central recorded {device}'s {reason} report",
            )
    with Device.open(books.world.devices["toko-02"]) as dev:
        problem = dev.status().witness_problem
        assert problem is not None and problem[0] == "inconsistent"
        assert dev.log_problems()[-1][5] == forged  # the evidence is kept
    with pytest.raises(verify.VerifyError) as caught:
        verify.consistent(note.verify(real.note, books.verifier), note.verify(forged, books.verifier), [])
    assert caught.value.key == "fork"
    with books.ledger.read() as conn:
        report = log_audit.audit(conn)
    codes = {finding.code for finding in report.findings}
    assert {"rewritten", "device_flagged"} <= codes
    assert any("toko-02" in finding.en for finding in report.findings if finding.code == "rewritten")


@pytest.mark.mqtt
def test_a_device_reports_its_acked_sale_dropped_from_the_log(books: Books) -> None:
    """Central acked a sale but its log no longer holds it: the device's inclusion check says so."""
    with online(books, "toko-01") as service:
        sell(books, service, "toko-01", 2)
        with Device.open(books.world.devices["toko-01"]) as dev:
            dropped = dev.acked_envelopes(1, 1)[0][1]
        with books.ledger.write() as conn:
            conn.execute(update(log_leaves).where(log_leaves.c.tx == dropped).values(tx="gone"))
        books.server.publish_checkpoint(BRANCHES)
        wait_for(
            lambda: service.witness is not None and service.witness.stats.problems > 0, "missing sale flagged"
        )
        wait_for(
            lambda: (v := central_view(books, "toko-01")) is not None and v.state == "missing",
            "central recorded the missing sale",
        )
    view = central_view(books, "toko-01")
    assert view is not None and view.tx == dropped
    problem = view.problem()
    assert problem is not None and dropped in problem.text("en")


@pytest.mark.mqtt
def test_a_device_refuses_a_rewritten_past(books: Books) -> None:
    """The log's first leaf replaced after a device kept a checkpoint: the next checkpoint, signed over
    the rewritten tree, is not proved a continuation of the kept one; the device keeps its own."""
    with online(books, "toko-01") as service:
        sell(books, service, "toko-01", 3)
        books.server.publish_checkpoint(BRANCHES)
        kept = books.latest()
        wait_for(lambda: kept_size(books, "toko-01") == kept.size, "checkpoint kept")
        with books.ledger.write() as conn:
            conn.execute(update(log_leaves).where(log_leaves.c.idx == 0).values(hash=os.urandom(32)))
        books.grow("toko-02", 1)
        books.server.publish_checkpoint(BRANCHES)
        wait_for(
            lambda: service.witness is not None and service.witness.stats.problems > 0, "rewrite flagged"
        )
        assert kept_size(books, "toko-01") == kept.size
        wait_for(
            lambda: (v := central_view(books, "toko-01")) is not None and v.state == "inconsistent",
            "central recorded the inconsistent report",
        )
