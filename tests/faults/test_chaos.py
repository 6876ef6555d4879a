"""The fault-injection suite: devices record while every part of the transport is broken on purpose.

Several devices record sales (a subprocess each) while the suite, driven by a seeded random schedule,
SIGKILLs the recording processes (power loss mid-commit), SIGKILLs the device sync services, kills and
restarts Mosquitto, cuts and restores each device's connection (a TCP proxy), kills central (and runs a
central that exits between commit and ack), keeps one device offline for a simulated week, and drains
an outpost through a throttled proxy (a few KB/s, high latency, random resets). At the end the ledger
must hold exactly the recorded ids, every chain whole, the books balanced and every outbox drained.

Sizes scale with KOP_SOAK=1 (``make soak``); KOP_FAULT_SEED picks another schedule.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from edge.device import Device
from provisioning.world import DeviceSpec, World, audit, build
from sync import brokerconf
from sync.settings import BrokerSettings
from tests.faults.procs import Proc
from tests.support.mosquitto import Mosquitto
from tests.support.proxy import Proxy

SOAK = os.environ.get("KOP_SOAK", "") not in ("", "0")
SEED = int(os.environ.get("KOP_FAULT_SEED", "20261122"))


@dataclass(frozen=True)
class Sizes:
    sales_per_device: int
    outpost_sales: int
    offline_sales: int
    chaos_s: float
    drain_timeout_s: float


QUICK = Sizes(300, 100, 400, 20.0, 150.0)
LONG = Sizes(3000, 600, 3000, 600.0, 900.0)
ONLINE = ("toko-01", "toko-02", "cafe-01")
OUTPOST = "outpost-01"
OFFLINE = "weekly-01"
PASSWORD = "pw-"
FAST_SYNC = {"ack_timeout_s": 3.0, "reconnect_max_s": 2.0, "retention_s": 10**8}
OUTPOST_SYNC = {
    "batch_max": 25,
    "window": 1,
    "ack_timeout_s": 8.0,
    "reconnect_max_s": 2.0,
    "retention_s": 10**8,
}
CHAOS_TICK_S = 0.25
# Chance per tick of each fault (the rest of the time nothing happens).
FAULT_CHANCES = (
    ("recorder killed", 0.10),
    ("sync killed", 0.08),
    ("broker restarted", 0.03),
    ("link cut", 0.07),
    ("central killed", 0.03),
)
FAULTS = tuple(kind for kind, _ in FAULT_CHANCES)
FORCED_EVERY_S = 2.0
WEEK = timedelta(days=7)


@dataclass
class Rig:
    world: World
    broker: Mosquitto
    proxies: dict[str, Proxy]
    central: Proc
    syncs: dict[str, Proc]
    recorders: dict[str, Proc]
    log_dir: Path
    sizes: Sizes = QUICK
    crash_after: int = 3


def _users() -> list[brokerconf.BrokerUser]:
    names = [*ONLINE, OUTPOST, OFFLINE]
    users = [brokerconf.BrokerUser("central", PASSWORD + "central", role="central")]
    users += [
        brokerconf.BrokerUser(n, PASSWORD + n, branch="desa" if n == OUTPOST else "pusat") for n in names
    ]
    return users


@pytest.fixture
def rig(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Rig]:
    sizes = LONG if SOAK or request.node.get_closest_marker("soak") else QUICK
    extra = brokerconf.write_auth(tmp_path / "auth", "kopmaju", _users())
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    with Mosquitto(tmp_path / "broker", extra=extra, anonymous=False) as broker:
        proxies = {n: Proxy(broker.port, seed=i).start() for i, n in enumerate([*ONLINE, OUTPOST, OFFLINE])}
        specs = [
            DeviceSpec(
                n,
                unit="cafe" if n.startswith("cafe") else "toko",
                branch="desa" if n == OUTPOST else "pusat",
                username=n,
                password=PASSWORD + n,
                port=proxies[n].port,
                sync_toml=OUTPOST_SYNC if n == OUTPOST else FAST_SYNC,
            )
            for n in [*ONLINE, OUTPOST, OFFLINE]
        ]
        world = build(
            tmp_path / "world", broker=BrokerSettings(port=broker.port, keepalive_s=10), devices=specs
        )
        central = Proc(
            "central",
            [
                "-m",
                "central",
                "--db",
                str(world.ledger_path),
                "serve",
                "--broker",
                f"127.0.0.1:{broker.port}",
                "--username",
                "central",
                "--downlink-interval-s",
                "1",
            ],
            log_dir,
            env={"KOP_BROKER_PASSWORD": PASSWORD + "central"},
        )
        syncs = {
            n: Proc(f"sync-{n}", ["-m", "sync", "--device", str(p)], log_dir)
            for n, p in world.devices.items()
        }
        recorders = {}
        for i, (n, p) in enumerate(world.devices.items()):
            upto = {OUTPOST: sizes.outpost_sales, OFFLINE: sizes.offline_sales}.get(n, sizes.sales_per_device)
            args = ["-m", "tests.faults.recorder", str(p), "--upto", str(upto), "--seed", str(i)]
            if n == OFFLINE:
                start = (datetime.now(timezone(timedelta(hours=7))) - WEEK).isoformat(timespec="seconds")
                step = WEEK.total_seconds() / (sizes.offline_sales * 4)
                args += ["--start", start, "--step-s", f"{step:.3f}"]
            recorders[n] = Proc(f"rec-{n}", args, log_dir)
        the_rig = Rig(world, broker, proxies, central, syncs, recorders, log_dir, sizes)
        try:
            yield the_rig
        finally:
            for proc in [central, *syncs.values(), *recorders.values()]:
                proc.kill()
            for proxy in proxies.values():
                proxy.stop()


def _status(world: World, name: str) -> object:
    with Device.open(world.devices[name]) as dev:
        return dev.status()


def _wait(condition: object, timeout_s: float, what: str, rig: Rig) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        _keep_alive(rig)
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    logs = "\n".join(f"--- {p.name}\n{p.log()[-3000:]}" for p in [rig.central, *rig.syncs.values()])
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


CRASHED = "crashing after commit"


def _crashing_central(rig: Rig) -> list[str]:
    """Arguments of a central that exits right after a commit, before its ack."""
    return [
        "-m", "tests.faults.central_proc", "--db", str(rig.world.ledger_path), "--port", str(rig.broker.port),
        "--username", "central", "--crash-after", str(rig.crash_after),
    ]  # fmt: skip


def _keep_alive(rig: Rig, *, except_: tuple[str, ...] = ()) -> None:
    """Restart what died; central comes back as the crashing kind until it has crashed once."""
    if not rig.central.alive():
        rig.central.start(None if CRASHED in rig.central.log() else _crashing_central(rig))
    for name, proc in rig.syncs.items():
        if name not in except_ and not proc.alive():
            proc.start()


def _committed_ids(proc: Proc) -> dict[int, str]:
    out = {}
    for line in proc.log().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "ok":
            out[int(parts[1])] = parts[2]
    return out


def _outbox_ids(directory: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{directory / 'edge.sqlite'}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT id FROM outbox")}
    finally:
        conn.close()


@pytest.mark.mqtt
@pytest.mark.slow
def test_nothing_lost_or_doubled_under_faults(rig: Rig) -> None:
    """Through kills, broker restarts, cuts, a week offline and a poor link, each sale is counted once."""
    _chaos(rig)


@pytest.mark.mqtt
@pytest.mark.soak
def test_soak_nothing_lost_or_doubled_under_faults(rig: Rig) -> None:
    """The same faults, ten minutes long with thousands of sales per device (``make soak``)."""
    _chaos(rig)


def _chaos(rig: Rig) -> None:
    sizes = rig.sizes
    rng = random.Random(SEED)
    world = rig.world
    rig.proxies[OUTPOST].shape(rate_bps=4000, latency_s=0.15, reset_mean_s=4.0)
    rig.crash_after = rng.randint(2, 5)
    rig.central.start(_crashing_central(rig))
    for proc in rig.syncs.values():
        proc.start()
    _wait(lambda: all(_status(world, n).catalog_version for n in world.devices), 60, "catalogs", rig)
    rig.syncs[OFFLINE].kill()  # the weekly device goes offline for its simulated week
    for proc in rig.recorders.values():
        proc.start()

    # -- chaos ---------------------------------------------------------------------------------------
    events: dict[str, int] = {}
    cut: dict[str, float] = {}

    def act(kind: str) -> None:
        if kind == "recorder killed":
            name = rng.choice([*ONLINE, OUTPOST, OFFLINE])
            rig.recorders[name].kill()
            rig.recorders[name].start()
        elif kind == "sync killed":
            rig.syncs[rng.choice([*ONLINE, OUTPOST])].kill()
        elif kind == "broker restarted":
            rig.broker.restart(kill=True, down_s=rng.uniform(0.1, 1.0))
        elif kind == "link cut":
            name = rng.choice(ONLINE)
            if name in cut:
                return
            rig.proxies[name].cut()
            cut[name] = time.monotonic() + rng.uniform(0.5, 3.0)
        elif kind == "central killed":
            rig.central.kill()
        events[kind] = events.get(kind, 0) + 1

    # Every kind of fault happens at least once early on; then the schedule is random.
    forced = [*FAULTS]
    rng.shuffle(forced)
    started = time.monotonic()
    deadline = started + sizes.chaos_s
    while time.monotonic() < deadline:
        time.sleep(CHAOS_TICK_S)
        now = time.monotonic()
        for name, until in list(cut.items()):
            if now >= until:
                rig.proxies[name].restore()
                del cut[name]
        if forced and now - started > (len(FAULTS) - len(forced) + 1) * FORCED_EVERY_S:
            act(forced.pop())
        else:
            roll = rng.random()
            for kind, chance in FAULT_CHANCES:
                if roll < chance:
                    act(kind)
                    break
                roll -= chance
        _keep_alive(rig, except_=(OFFLINE,))
        for name, proc in rig.recorders.items():
            if not proc.alive() and proc.returncode() not in (0, None, -9):
                raise AssertionError(f"recorder {name} failed:\n{proc.log()[-2000:]}")
    print(f"faults injected: {events}; outpost link resets: {rig.proxies[OUTPOST].resets_total}")

    # -- recovery ----------------------------------------------------------------------------------------
    for name in list(cut):
        rig.proxies[name].restore()
    for proc in rig.recorders.values():
        if not proc.alive() and proc.returncode() != 0:
            proc.start()
    _wait(
        lambda: all(p.returncode() == 0 for p in rig.recorders.values()),
        sizes.drain_timeout_s,
        "recorders",
        rig,
    )
    assert _status(world, OFFLINE).outbox_depth > 0, "the weekly device should still hold its week of sales"
    rig.syncs[OFFLINE].start()

    def drained() -> bool:
        for name in world.devices:
            status = _status(world, name)
            if status.outbox_depth or status.last_ack_seq != status.last_seq:  # type: ignore[attr-defined]
                return False
        return True

    _wait(drained, sizes.drain_timeout_s, "every outbox to drain", rig)

    # -- the invariants ----------------------------------------------------------------------------------
    checked = audit(world.ledger_path)
    for name, directory in world.devices.items():
        last_seq = _status(world, name).last_seq  # type: ignore[attr-defined]
        in_ledger = checked.ids.get(name, frozenset())
        printed = set(_committed_ids(rig.recorders[name]).values())
        assert printed <= in_ledger, f"{name}: committed sales missing from the ledger"
        assert in_ledger == _outbox_ids(directory), f"{name}: ledger and device disagree on the recorded ids"
        assert len(in_ledger) == last_seq, f"{name}: {len(in_ledger)} in ledger, device recorded {last_seq}"
        assert checked.seqs_whole[name], f"{name}: seqs are not 1..{last_seq}"
        assert not checked.broken_links.get(name), f"{name}: broken prev links {checked.broken_links[name]}"
    assert not checked.unbalanced_entries
    assert checked.debit_rp == checked.credit_rp
    assert checked.quarantined == 0
    assert set(events) == set(FAULTS), events
    assert CRASHED in rig.central.log(), "central should have died between commit and ack"
    assert rig.proxies[OUTPOST].resets_total > 0 or sizes.chaos_s < 5
