"""Benchmark sync/: backlog drain, online record-to-ack latency, bytes on the wire per transaction.

Each figure is printed beside a raw baseline measured in the same run, and the target:
- backlog drain: N transactions (two-line sales, four in five to members) recorded on one device while
  offline, then its sync service (a process) drains them through a real Mosquitto into central serve
  (this process) and the ledger; tx/s beside raw paho-to-Mosquitto QoS 1 throughput of envelope-sized
  messages (target >= 5,000 tx/s and >= 50 % of raw);
- online: 10 devices (a sync process each) recording 50 tx/s in total; record-to-ack latency p50/p99
  read from the outbox (created_at, acked_at) beside the raw QoS 1 publish-to-receive latency
  (target p99 < 250 ms);
- outpost: bytes on the wire per transaction (both directions, through a byte-counting TCP proxy) with
  the outpost tuning (batches of 25, compressed) beside the plain envelope size.

    python scripts/bench/sync.py [--quick] [--only drain|online|outpost] [--drain-count N] [--pg]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

from central.ledger import Ledger  # noqa: E402
from central.serve import Server, ServeSettings  # noqa: E402
from edge.device import Device  # noqa: E402
from provisioning.world import MEMBERS, PRODUCTS, DeviceSpec, build  # noqa: E402
from sync.settings import BrokerSettings  # noqa: E402
from tests.support.mosquitto import Mosquitto  # noqa: E402
from tests.support.proxy import Proxy  # noqa: E402

SKUS = ("8991001000011", "8991001000028", "8991001000035")
TARGET_DRAIN_TX_S = 5_000
TARGET_DRAIN_SHARE = 0.5
TARGET_P99_MS = 250.0
WAIT_LIMIT_S = 900.0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def raw_qos1(port: int, count: int, size: int, rate_msg_s: float | None = None) -> tuple[float, float, float]:
    """Raw paho QoS 1 publish -> Mosquitto -> subscriber: (msgs/s, p50 ms, p99 ms) of ``count`` messages.

    Without ``rate_msg_s`` the publisher sends as fast as it can (throughput); with it, paced (latency).
    """
    received: list[float] = []
    sent_at: dict[int, float] = {}
    done = threading.Event()

    def on_message(_c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        received.append(time.perf_counter() - sent_at.get(int(msg.payload[:10]), time.perf_counter()))
        if len(received) >= count:
            done.set()

    sub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="raw-sub", protocol=mqtt.MQTTv5)
    sub.on_message = on_message
    sub.connect("127.0.0.1", port)
    sub.subscribe("bench/raw", qos=1)
    sub.loop_start()
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="raw-pub", protocol=mqtt.MQTTv5)
    pub.max_inflight_messages_set(100)
    pub.connect("127.0.0.1", port)
    pub.loop_start()
    time.sleep(0.5)
    filler = b"x" * max(0, size - 10)
    started = time.perf_counter()
    next_at = time.perf_counter()
    for i in range(count):
        if rate_msg_s is not None:
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            next_at += 1.0 / rate_msg_s
        sent_at[i] = time.perf_counter()
        pub.publish("bench/raw", b"%010d" % i + filler, qos=1)
    done.wait(WAIT_LIMIT_S)
    elapsed = time.perf_counter() - started
    for client in (pub, sub):
        client.loop_stop()
        client.disconnect()
    latencies_ms = [x * 1000 for x in received]
    return len(received) / elapsed, _percentile(latencies_ms, 0.5), _percentile(latencies_ms, 0.99)


def _record(directory: Path, count: int) -> int:
    """Record ``count`` two-line sales, four in five to members (as at a cooperative's shop, where the
    member's card earns points), one in five to a walk-in; return the mean envelope size in bytes."""
    total = 0
    buyers = [number for number, _, _ in MEMBERS] + [None]
    with Device.open(directory) as dev:
        for i in range(count):
            lines = [(SKUS[i % 3], 1 + i % 2), (SKUS[(i + 1) % 3], 1)]
            rec = dev.record_sale(lines=lines, member=buyers[i % len(buyers)])
            total += len(rec.data)
    return total // max(count, 1)


def _sync_proc(directory: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "sync", "--device", str(directory), "--log-level", "WARNING"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


class Central:
    """Central serve on a thread of this process."""

    def __init__(self, ledger_path: Path | str, port: int) -> None:
        self.ledger = Ledger.open(ledger_path)
        self.server = Server(self.ledger, ServeSettings(coop="kopmaju", broker=BrokerSettings(port=port)))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.server.run, args=(self.stop,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(15)
        self.ledger.close()


def _catalog(world_devices: dict[str, Path], port: int, ledger_path: Path, tmp: Path) -> None:
    """Bring the catalog to every device once (a short sync run), so they can sell."""
    central = Central(ledger_path, port)
    procs = [_sync_proc(d, tmp / f"{n}-catalog.log") for n, d in world_devices.items()]
    deadline = time.monotonic() + 120
    try:
        for name, directory in world_devices.items():
            while True:
                with Device.open(directory) as dev:
                    if dev.product(SKUS[0]) is not None:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not receive the catalog; see {tmp}/{name}-catalog.log")
                time.sleep(0.1)
    finally:
        _stop(procs)
        central.close()


def _on_postgresql(url: str, built: Path) -> str:
    """A ledger at ``url`` set up as ``provisioning.world.build`` set up the SQLite one at ``built`` (config,
    products, members, devices and their keys); returns ``url``."""
    from central.members.rows.rows import MemberRow, ProductRow

    with Ledger.open(built) as source, Ledger.open(url) as target:
        target.init(source.config)
        target.import_products([ProductRow(*p) for p in PRODUCTS])
        rows = [MemberRow(n, name, day, None, None, None, "anggota") for n, name, day in MEMBERS]
        target.import_members(rows)
        for row in source.devices_list():
            target.devices_add(row["device"], row["public_key"], row["unit"], row["branch"])
    return url


def ingest_alone(ledger_copy: Path | str, directory: Path, batch_size: int = 1000) -> float:
    """The ledger's own ingest rate (signatures checked) on the device's outbox, without transport."""
    envelopes: list[bytes] = []
    with Device.open(directory) as dev:
        after = 0
        while rows := dev.outbox_after(after, 500):
            envelopes.extend(env for _, env in rows)
            after = rows[-1][0]
    ledger = Ledger.open(ledger_copy)
    started = time.perf_counter()
    for i in range(0, len(envelopes), batch_size):
        ledger.ingest(envelopes[i : i + batch_size], require_signature=True, expected_device="toko-01")
    elapsed = time.perf_counter() - started
    ledger.close()
    return len(envelopes) / elapsed


def drain(port: int, tmp: Path, count: int, pg: Any = None) -> tuple[float, int, float, float]:
    """Record ``count`` sales offline on one device, time the drain; (tx/s, envelope bytes, ingest tx/s,
    envelopes per central round). With ``pg`` (a ``PgCluster``) the ledger is on PostgreSQL."""
    world = build(tmp / "drain", broker=BrokerSettings(port=port), devices=[DeviceSpec("toko-01")])
    directory = world.devices["toko-01"]
    _catalog(dict(world.devices), port, world.ledger_path, tmp)
    size = _record(directory, count)
    ledger: Path | str = world.ledger_path
    if pg is None:
        copy: Path | str = tmp / "ledger-copy.sqlite"
        shutil.copy(world.ledger_path, copy)
    else:
        copy = _on_postgresql(pg.database(), world.ledger_path)
        ledger = _on_postgresql(pg.database(), world.ledger_path)
    ingest_rate = ingest_alone(copy, directory)
    central = Central(ledger, port)
    time.sleep(1.5)  # central has connected and published its downlinks
    stats = central.server.stats
    base = stats.accepted
    proc = _sync_proc(directory, tmp / "drain-sync.log")
    try:
        # The clock starts with the first committed batch: process start-up and connecting are not draining.
        deadline = time.monotonic() + WAIT_LIMIT_S
        while stats.accepted == base and time.monotonic() < deadline:
            time.sleep(0.005)
        first = stats.accepted
        started = time.perf_counter()
        while stats.accepted - base < count and time.monotonic() < deadline:
            time.sleep(0.005)
        elapsed = time.perf_counter() - started
    finally:
        _stop([proc])
        central.close()
    per_round = stats.envelopes / max(stats.rounds, 1)
    return (stats.accepted - first) / elapsed, size, ingest_rate, per_round


def online(port: int, tmp: Path, devices: int, rate_tx_s: float, seconds: float) -> tuple[float, float, int]:
    """``devices`` devices recording ``rate_tx_s`` in total; (p50 ms, p99 ms, samples) of record-to-ack."""
    specs = [DeviceSpec(f"toko-{i:02d}") for i in range(1, devices + 1)]
    world = build(tmp / "online", broker=BrokerSettings(port=port), devices=specs)
    _catalog(dict(world.devices), port, world.ledger_path, tmp)
    central = Central(world.ledger_path, port)
    procs = [_sync_proc(d, tmp / f"{n}-online.log") for n, d in world.devices.items()]
    handles = [Device.open(d) for d in world.devices.values()]
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not all(h.status().connected for h in handles):
            time.sleep(0.1)
        time.sleep(1.0)  # subscriptions are in place
        interval = 1.0 / rate_tx_s
        next_at = time.perf_counter()
        for i in range(int(rate_tx_s * seconds)):
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            handles[i % devices].record_sale(lines=[(SKUS[i % 3], 1)])
            next_at += interval
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(h.status().outbox_depth for h in handles):
            time.sleep(0.1)
    finally:
        for h in handles:
            h.close()
        _stop(procs)
        central.close()
    latencies: list[float] = []
    for directory in world.devices.values():
        conn = sqlite3.connect(directory / "edge.sqlite")
        rows = conn.execute("SELECT acked_at - created_at FROM outbox WHERE acked_at IS NOT NULL").fetchall()
        conn.close()
        latencies.extend(r[0] * 1000 for r in rows)
    return _percentile(latencies, 0.5), _percentile(latencies, 0.99), len(latencies)


def outpost(port: int, tmp: Path, count: int) -> tuple[float, int]:
    """Drain ``count`` sales through a counting proxy with the outpost tuning; (bytes/tx, plain bytes/tx)."""
    with Proxy(port) as proxy:
        spec = DeviceSpec(
            "outpost-01", branch="desa", sync_toml={"batch_max": 25, "window": 1}, port=proxy.port
        )
        world = build(tmp / "outpost", broker=BrokerSettings(port=port, keepalive_s=120), devices=[spec])
        directory = world.devices["outpost-01"]
        _catalog(dict(world.devices), port, world.ledger_path, tmp)
        size = _record(directory, count)
        central = Central(world.ledger_path, port)
        time.sleep(1.5)
        before = proxy.bytes_up + proxy.bytes_down
        proc = _sync_proc(directory, tmp / "outpost-sync.log")
        try:
            deadline = time.monotonic() + WAIT_LIMIT_S
            while time.monotonic() < deadline:
                with Device.open(directory) as dev:
                    status = dev.status()
                if status.last_ack_seq >= status.last_seq:
                    break
                time.sleep(0.1)
        finally:
            _stop([proc])
            central.close()
        wire = proxy.bytes_up + proxy.bytes_down - before
    return wire / count, size


def _pg_cluster() -> Any:
    from tests.central.pg import PgCluster, available

    if not available():
        raise SystemExit("--pg needs PostgreSQL's binaries and the postgres user (make test installs them)")
    return PgCluster(durable=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (under a minute)")
    parser.add_argument(
        "--only", choices=("drain", "online", "outpost"), help="run one figure (with its raw baseline)"
    )
    parser.add_argument("--drain-count", type=int, help="transactions in the backlog drain")
    parser.add_argument(
        "--pg", action="store_true", help="drain into a ledger on PostgreSQL (a throw-away durable cluster)"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    wanted = {args.only} if args.only else {"drain", "online", "outpost"}
    drain_n = args.drain_count or (2_000 if quick else 50_000)
    raw_n = 3_000 if quick else 30_000
    online_s = 4.0 if quick else 60.0
    outpost_n = 150 if quick else 2_000
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        with Mosquitto(tmp / "broker") as broker:
            raw_rate, _, _ = raw_qos1(broker.port, raw_n, 600)
            _, raw_p50, raw_p99 = raw_qos1(broker.port, int(50 * online_s), 600, rate_msg_s=50.0)
            print(
                f"raw paho->Mosquitto QoS 1 (600 B): {raw_rate:,.0f} msg/s flat out; paced at 50 msg/s "
                f"latency p50 {raw_p50:.1f} ms p99 {raw_p99:.1f} ms",
                flush=True,
            )
            if "drain" in wanted:
                with contextlib.ExitStack() as stack:
                    pg = stack.enter_context(_pg_cluster()) if args.pg else None
                    rate, size, ingest_rate, per_round = drain(broker.port, tmp, drain_n, pg)
                share = rate / raw_rate
                ok = rate >= TARGET_DRAIN_TX_S and share >= TARGET_DRAIN_SHARE
                print(
                    f"backlog drain of {drain_n:,} tx into {'PostgreSQL' if args.pg else 'SQLite'} "
                    f"(envelope {size} B): {rate:,.0f} tx/s = {share:.0%} of "
                    f"raw {raw_rate:,.0f} msg/s; ledger.ingest alone on the same envelopes "
                    f"{ingest_rate:,.0f} tx/s; {per_round:,.0f} tx per central round "
                    f"(target >= {TARGET_DRAIN_TX_S:,} tx/s and >= {TARGET_DRAIN_SHARE:.0%} of raw)"
                    f"{'  OK' if ok else '  BELOW TARGET'}",
                    flush=True,
                )
            if "online" in wanted:
                p50, p99, samples = online(broker.port, tmp, 10, 50.0, online_s)
                print(
                    f"online 10 devices at 50 tx/s: record-to-ack p50 {p50:.0f} ms, p99 {p99:.0f} ms "
                    f"over {samples} tx (raw QoS 1 p99 {raw_p99:.1f} ms; target p99 < {TARGET_P99_MS:.0f} ms)"
                    f"{'  OK' if p99 < TARGET_P99_MS else '  BELOW TARGET'}",
                    flush=True,
                )
            if "outpost" in wanted:
                per_tx, plain = outpost(broker.port, tmp, outpost_n)
                print(
                    f"outpost: {per_tx:,.0f} bytes on the wire per tx, both directions "
                    f"(plain envelope {plain} B; batches of 25, compressed)",
                    flush=True,
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
