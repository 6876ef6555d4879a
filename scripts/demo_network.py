"""The devices part of `make demo`, as in production: enrolled devices, Mosquitto with mTLS and
per-device ACLs, `python -m central serve` and one `python -m sync` process per device.

    toko-01, cafe-01, fotokopi-01   sell while online
    outpost-01 (branch "desa")      sells while its link is down (its sync service is not running), then comes
                                    back and drains its queue

At the end every recorded transaction id is looked up in the ledger: each must be there exactly once, every
device chain whole and the books balanced.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COOP = "kopmaju"
DEVICES = (
    ("toko-01", "toko", "pusat"),
    ("cafe-01", "cafe", "pusat"),
    ("fotokopi-01", "fotokopi", "pusat"),
    ("outpost-01", "toko", "desa"),
)
OUTPOST = "outpost-01"
WAIT_S = 120.0
POLL_S = 0.25
PROCESS_STOP_S = 15.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"the broker did not open port {port}")


def _python(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"python {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


class Processes:
    """Background processes of the demo, each logging to its own file; all stopped on exit."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.logs.mkdir(parents=True, exist_ok=True)
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str]) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def check_alive(self) -> None:
        for name, proc in self.running.items():
            if proc.poll() is not None:
                tail = (self.logs / f"{name}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{name} stopped (exit {proc.returncode}):\n{tail}")

    def stop_all(self) -> None:
        for proc in self.running.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.running.values():
            try:
                proc.wait(timeout=PROCESS_STOP_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.running.clear()


@contextlib.contextmanager
def _processes(logs: Path) -> Iterator[Processes]:
    procs = Processes(logs)
    try:
        yield procs
    finally:
        procs.stop_all()


def _record(device_dir: Path, count: int, seed: int) -> list[str]:
    """Sell ``count`` times on a device through edge, as a counter would (members, walk-ins, cash, credit)."""
    from edge.device import Device

    rng = random.Random(seed)
    ids: list[str] = []
    with Device.open(device_dir) as dev:
        unit = dev.settings.unit
        products = list(dev.products(unit=unit))
        members = [f"A{n:03d}" for n in range(5, 30)]
        for _ in range(count):
            lines = [(rng.choice(products).sku, rng.randint(1, 3)) for _ in range(rng.randint(1, 3))]
            member = rng.choice([*members, None])
            payment = "credit" if member and rng.random() < 0.2 else "cash"
            try:
                recorded = dev.record_sale(lines=lines, member=member, payment=payment)
            except Exception as err:  # a refusal (credit limit, stock) is part of real life: show it, go on
                print(f"    {dev.settings.device}: ditolak / refused: {err}")
                continue
            ids.append(recorded.id)
    return ids


def _status(device_dir: Path) -> Any:
    from edge.device import Device

    with Device.open(device_dir) as dev:
        return dev.status()


def _progress(device_dirs: dict[str, Path], recorded: dict[str, list[str]]) -> str:
    parts = []
    for device, path in device_dirs.items():
        status = _status(path)
        link = "online" if status.connected else "offline"
        parts.append(f"{device}: {len(recorded.get(device, []))} rec, queue {status.outbox_depth} ({link})")
    return " | ".join(parts)


def _wait(what: str, done: Any, procs: Processes, show: Any = None) -> None:
    deadline = time.monotonic() + WAIT_S
    last_shown = 0.0
    while not done():
        procs.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what} after {WAIT_S:.0f} s")
        if show is not None and time.monotonic() - last_shown > 1.0:
            print(f"  ... {show()}", flush=True)
            last_shown = time.monotonic()
        time.sleep(POLL_S)


def run(out: Path, books_db: Path, *, sales: int = 40, offline_sales: int = 25) -> bool:
    """Run the networked part of the demo under ``out``; True when the ledger holds every id exactly once."""
    from provisioning.demo import mosquitto_available, setup_pki
    from provisioning.world import audit

    out.mkdir(parents=True)
    db = out / "central.sqlite"
    members_csv, products_csv = out / "members.csv", out / "products.csv"
    _python("-m", "central", "--db", str(books_db), "export", "members", "--out", str(members_csv))
    _python("-m", "central", "--db", str(books_db), "export", "products", "--out", str(products_csv))
    _python("-m", "central", "--db", str(db), "init")
    _python("-m", "central", "--db", str(db), "import", "members", str(members_csv))
    _python("-m", "central", "--db", str(db), "import", "products", str(products_csv))

    mosquitto = mosquitto_available()
    if mosquitto is None:
        raise RuntimeError("Debian's mosquitto is not installed; run `make demo`, which installs it")
    port = _free_port()
    pki = setup_pki(out / "pki", COOP, DEVICES, broker_port=port, central_db=str(db))
    print(f"CA, broker config (TLS only, client certificates, per-device ACL) and {len(DEVICES)} enrolled")
    print(f"bundles under {out / 'pki'}; each device registered at central with its public key.")
    device_dirs: dict[str, Path] = {}
    for device, _unit, _branch in DEVICES:
        target = out / "devices" / device
        _python(
            "-m",
            "edge",
            "--dir",
            str(target),
            "init",
            "--bundle",
            str(pki.bundles[device]),
            "--token",
            pki.tokens[device],
        )
        device_dirs[device] = target
    print(f"devices installed from their bundles: {', '.join(device_dirs)}")

    recorded: dict[str, list[str]] = {}
    with _processes(out / "logs") as procs:
        procs.start("mosquitto", [mosquitto, "-c", str(pki.broker_conf)])
        _wait_port(port)
        procs.start(
            "central",
            [
                sys.executable,
                "-m",
                "central",
                "--db",
                str(db),
                "serve",
                "--broker",
                f"127.0.0.1:{port}",
                "--ca",
                str(pki.ca_cert),
                "--cert",
                str(pki.central_cert),
                "--key",
                str(pki.central_key),
                "--branch",
                "pusat",
                "--branch",
                "desa",
                "--downlink-interval-s",
                "1",
            ],
        )
        for device, path in device_dirs.items():
            if device != OUTPOST:
                procs.start(f"sync-{device}", [sys.executable, "-m", "sync", "--device", str(path)])
        online = {d: p for d, p in device_dirs.items() if d != OUTPOST}
        print("broker, central and the online devices' sync services started; waiting for the catalog ...")
        _wait(
            "the catalog on every online device",
            lambda: all(_status(p).catalog_version for p in online.values()),
            procs,
        )

        for number, device in enumerate(online):
            recorded[device] = _record(online[device], sales, seed=number)
        print(f"recorded {sum(map(len, recorded.values()))} sales on the online devices; syncing ...")
        _wait(
            "the online devices to drain",
            lambda: all(_status(p).outbox_depth == 0 for p in online.values()),
            procs,
            show=lambda: _progress(online, recorded),
        )

        # The outpost: its link is down (no sync service), so it sells from what it has: a catalog is needed,
        # which it gets in a short connection first, as a device does when it is installed.
        procs.start(f"sync-{OUTPOST}", [sys.executable, "-m", "sync", "--device", str(device_dirs[OUTPOST])])
        _wait("the outpost's catalog", lambda: bool(_status(device_dirs[OUTPOST]).catalog_version), procs)
        outpost_proc = procs.running.pop(f"sync-{OUTPOST}")
        outpost_proc.terminate()
        outpost_proc.wait(timeout=PROCESS_STOP_S)
        recorded[OUTPOST] = _record(device_dirs[OUTPOST], offline_sales, seed=99)
        queued = _status(device_dirs[OUTPOST]).outbox_depth
        sold = len(recorded[OUTPOST])
        print(f"{OUTPOST} is offline and kept selling: {sold} sales, {queued} in its outbox")
        procs.start(f"sync-{OUTPOST}", [sys.executable, "-m", "sync", "--device", str(device_dirs[OUTPOST])])
        print(f"{OUTPOST} is back online ...")
        _wait(
            "the outpost to drain",
            lambda: _status(device_dirs[OUTPOST]).outbox_depth == 0,
            procs,
            show=lambda: _progress(device_dirs, recorded),
        )
        print(f"  ... {_progress(device_dirs, recorded)}")

    checked = audit(db)
    print("\nIn the ledger / di buku besar:")
    ok = checked.ok
    for device, ids in recorded.items():
        in_ledger = checked.ids.get(device, frozenset())
        missing = set(ids) - in_ledger
        extra = in_ledger - set(ids)
        ok = ok and not missing and not extra
        print(
            f"  {device:<12} recorded {len(ids):>4}  in ledger {len(in_ledger):>4}  missing {len(missing)}  "
            f"unexpected {len(extra)}"
        )
    print(
        f"  chains whole: {all(checked.seqs_whole.values()) and not any(checked.broken_links.values())}; "
        f"books balance: {checked.debit_rp == checked.credit_rp and not checked.unbalanced_entries} "
        f"(debit Rp {checked.debit_rp:,} = credit Rp {checked.credit_rp:,}); "
        f"quarantined: {checked.quarantined}"
    )
    print("  every recorded transaction is in the ledger exactly once" if ok else "  MISMATCH: see above")
    with contextlib.suppress(OSError):
        shutil.copy(pki.broker_conf, out / "mosquitto.conf")
    os.environ.pop("KOP_CA_PASSPHRASE", None)
    return ok
