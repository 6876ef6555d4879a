"""A whole cooperative on one machine: ledger, device directories, broker, central serve and device loops.

Used by ``make demo`` (through ``python -m provisioning demo-world``), the fault-injection tests and the
benchmark::

    world = build(root, broker=BrokerSettings(port=port), devices=[DeviceSpec("toko-01")])
    with EmbeddedBroker(port), running(world) as run:      # central + one sync loop per device, threads
        with Device.open(world.devices["toko-01"]) as dev:
            dev.record_sale(lines=[("8991001000011", 1)])
        run.wait_drained(timeout_s=30)

``build`` writes ``central.sqlite`` (default config, sample products and members, devices registered with
their public keys) and one device directory per ``DeviceSpec`` whose device.toml points at ``broker``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from sync.settings import BrokerSettings

LEDGER_FILE: Final = "central.sqlite"
THREAD_JOIN_S: Final = 10.0
WAIT_POLL_S: Final = 0.1
# Sample catalog (sku, name, unit, price_rp, cost_rp) and members (number, name, joined).
PRODUCTS: Final = (
    ("8991001000011", "Beras 5 kg", "toko", 65_000, 58_000),
    ("8991001000028", "Minyak goreng 1 L", "toko", 17_500, 15_000),
    ("8991001000035", "Gula pasir 1 kg", "toko", 14_000, 12_500),
    ("8991001000042", "Teh celup 25", "toko", 6_500, 5_200),
    ("KOPI-SUSU", "Kopi susu", "cafe", 8_000, 3_000),
    ("FC-A4", "Fotokopi A4", "fotokopi", 300, 120),
)
MEMBERS: Final = (
    ("A001", "Siti Aminah", "2019-01-15"),
    ("A002", "Budi Santoso", "2019-03-02"),
    ("A003", "Wayan Sudarma", "2020-07-20"),
    ("A004", "Maria Ulfa", "2021-11-05"),
)


@dataclass(frozen=True)
class DeviceSpec:
    """One simulated device: its id, business unit, branch and optional [sync] tuning lines."""

    device: str
    unit: str = "toko"
    branch: str = "pusat"
    sync_toml: Mapping[str, Any] = field(default_factory=dict)
    username: str = ""
    password: str = ""
    port: int | None = None


@dataclass(frozen=True)
class World:
    """Where everything was written."""

    root: Path
    coop: str
    ledger_path: Path
    broker: BrokerSettings
    devices: Mapping[str, Path]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def build(root: Path, *, broker: BrokerSettings, devices: Sequence[DeviceSpec]) -> World:
    """Create the ledger and the device directories under ``root`` (which must not hold them yet)."""
    from central.config import default
    from central.ledger import Ledger
    from central.members.rows import MemberRow, ProductRow
    from edge import settings as edge_settings
    from edge.install import init_device

    root.mkdir(parents=True, exist_ok=True)
    ledger_path = root / LEDGER_FILE
    config = default()
    with contextlib.closing(Ledger.open(ledger_path)) as ledger:
        ledger.init(config)
        ledger.import_products([ProductRow(*p) for p in PRODUCTS])
        ledger.import_members([MemberRow(n, nm, day, None, None, None, "anggota") for n, nm, day in MEMBERS])
        paths: dict[str, Path] = {}
        for spec in devices:
            directory = root / "devices" / spec.device
            settings = edge_settings.DeviceSettings(
                coop=config.coop,
                device=spec.device,
                unit=spec.unit,
                branch=spec.branch,
                broker=edge_settings.BrokerSettings(
                    host=broker.host,
                    port=spec.port or broker.port,
                    username=spec.username,
                    password=spec.password,
                ),
            )
            public = init_device(directory, settings)
            extra = [f"keepalive_s = {broker.keepalive_s}", f"mqtt_version = {broker.mqtt_version}", ""]
            if spec.sync_toml:
                extra.append("[sync]")
                extra.extend(f"{k} = {_toml_value(v)}" for k, v in spec.sync_toml.items())
            with (directory / "device.toml").open("a", encoding="utf-8") as fh:
                fh.write("\n".join(extra) + "\n")
            ledger.devices_add(spec.device, public, spec.unit, spec.branch)
            paths[spec.device] = directory
    return World(root, config.coop, ledger_path, broker, paths)


class Running:
    """Central serve and one sync loop per device, each on its own thread."""

    def __init__(self, world: World, *, central_broker: BrokerSettings | None = None) -> None:
        from central.ledger import Ledger
        from central.serve import Server, ServeSettings

        self.world = world
        self.stop = threading.Event()
        self.ledger = Ledger.open(world.ledger_path)
        self.server = Server(
            self.ledger,
            ServeSettings(coop=world.coop, broker=central_broker or world.broker, downlink_interval_s=1.0),
        )
        self.threads: list[threading.Thread] = []
        self.device_threads: dict[str, tuple[threading.Event, threading.Thread]] = {}
        self.syncs: dict[str, Any] = {}
        self.errors: list[BaseException] = []

    def _device_loop(self, name: str, directory: Path, stop: threading.Event) -> None:
        from edge.device import Device
        from sync import settings as sync_settings
        from sync.uplink import DeviceSync

        try:
            with Device.open(directory) as dev:
                service = DeviceSync(dev, sync_settings.load(directory))
                self.syncs[name] = service
                service.run(stop, until=self.stop.is_set)
        except BaseException as err:  # reported by wait_drained and stop_all
            self.errors.append(err)
            raise

    def resume(self, name: str) -> None:
        """Start (again) the sync loop of device ``name``: it comes online."""
        if name in self.device_threads and self.device_threads[name][1].is_alive():
            return
        stop = threading.Event()
        loop = threading.Thread(
            target=self._device_loop,
            args=(name, self.world.devices[name], stop),
            name=f"sync-{name}",
            daemon=True,
        )
        self.device_threads[name] = (stop, loop)
        loop.start()

    def pause(self, name: str) -> None:
        """Stop the sync loop of device ``name``: it goes offline, its outbox grows."""
        entry = self.device_threads.get(name)
        if entry is not None:
            entry[0].set()
            entry[1].join(THREAD_JOIN_S)
        self.syncs.pop(name, None)

    def start(self, offline: Sequence[str] = ()) -> Running:
        central = threading.Thread(target=self.server.run, args=(self.stop,), name="central", daemon=True)
        self.threads.append(central)
        central.start()
        for name in self.world.devices:
            if name not in offline:
                self.resume(name)
        return self

    def committed(self) -> dict[str, int]:
        """Per device, the highest contiguous seq central has committed."""
        return {name: int(self.ledger.contiguous_seq(name)) for name in self.world.devices}

    def wait_drained(self, timeout_s: float, devices: Sequence[str] | None = None) -> bool:
        """Wait until every device's outbox (or those named) is acknowledged by central; False on timeout."""
        from edge.device import Device

        names = list(devices) if devices is not None else list(self.world.devices)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.errors:
                raise RuntimeError(f"a sync loop failed: {self.errors[0]!r}") from self.errors[0]
            done = True
            for name in names:
                with Device.open(self.world.devices[name]) as dev:
                    status = dev.status()
                if status.outbox_depth or status.last_ack_seq < status.last_seq:
                    done = False
                    break
            if done:
                return True
            time.sleep(WAIT_POLL_S)
        return False

    def wait_catalog(self, timeout_s: float) -> bool:
        """Wait until every online device has received the catalog and member list; False on timeout."""
        from edge.device import Device

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            ready = True
            for name in self.device_threads:
                with Device.open(self.world.devices[name]) as dev:
                    status = dev.status()
                if not (status.catalog_version and status.members_version):
                    ready = False
            if ready:
                return True
            time.sleep(WAIT_POLL_S)
        return False

    def stop_all(self) -> None:
        self.stop.set()
        for stop, loop in self.device_threads.values():
            stop.set()
            loop.join(THREAD_JOIN_S)
        for thread in self.threads:
            thread.join(THREAD_JOIN_S)
        self.ledger.close()


@contextlib.contextmanager
def running(
    world: World, *, central_broker: BrokerSettings | None = None, offline: Sequence[str] = ()
) -> Iterator[Running]:
    """Run central serve and every device's sync loop in threads for the duration of the block."""
    run = Running(world, central_broker=central_broker).start(offline)
    try:
        yield run
    finally:
        run.stop_all()


@dataclass(frozen=True)
class Audit:
    """What the ledger holds, checked: per device ids and seqs, chain links, balanced books."""

    ids: Mapping[str, frozenset[str]]
    seqs_whole: Mapping[str, bool]
    broken_links: Mapping[str, tuple[int, ...]]
    unbalanced_entries: tuple[str, ...]
    debit_rp: int
    credit_rp: int
    quarantined: int

    @property
    def ok(self) -> bool:
        return (
            all(self.seqs_whole.values())
            and not any(self.broken_links.values())
            and not self.unbalanced_entries
            and self.debit_rp == self.credit_rp
        )


def audit(ledger_path: Path) -> Audit:
    """Read the ledger and check invariants 1-3: each device's seqs are 1..n, links whole, books balance."""
    from sqlalchemy import func, select

    from central.ledger import Ledger, schema

    tx, journal = schema.transactions, schema.journal
    with contextlib.closing(Ledger.open(ledger_path)) as ledger, ledger.read() as conn:
        rows = conn.execute(
            select(tx.c.device, tx.c.seq, tx.c.id, tx.c.prev, tx.c.chain).order_by(tx.c.device, tx.c.seq)
        )
        ids: dict[str, set[str]] = {}
        whole: dict[str, bool] = {}
        broken: dict[str, list[int]] = {}
        last: dict[str, tuple[int, str]] = {}
        for device, seq, ident, prev, chain in rows:
            ids.setdefault(device, set()).add(ident)
            before = last.get(device)
            expected_seq = 1 if before is None else before[0] + 1
            whole[device] = whole.get(device, True) and int(seq) == expected_seq
            if before is not None and prev != before[1]:
                broken.setdefault(device, []).append(int(seq))
            last[device] = (int(seq), chain)
        unbalanced = (
            conn.execute(
                select(journal.c.tx)
                .group_by(journal.c.tx)
                .having(func.sum(journal.c.debit_rp) != func.sum(journal.c.credit_rp))
            )
            .scalars()
            .all()
        )
        debit, credit = conn.execute(
            select(func.sum(journal.c.debit_rp), func.sum(journal.c.credit_rp))
        ).one()
        quarantined = conn.execute(select(func.count()).select_from(schema.quarantine)).scalar_one()
    return Audit(
        ids={d: frozenset(v) for d, v in ids.items()},
        seqs_whole=whole,
        broken_links={d: tuple(v) for d, v in broken.items()},
        unbalanced_entries=tuple(str(x) for x in unbalanced),
        debit_rp=int(debit or 0),
        credit_rp=int(credit or 0),
        quarantined=int(quarantined),
    )


# -- the demo ---------------------------------------------------------------------------------------------
OUTPOST: Final = "outpost-01"
DEMO_TIMEOUT_S: Final = 120.0


def _record(directory: Path, count: int, seed: int) -> list[str]:
    """Record ``count`` sales on a device (cash and credit, walk-ins and members); return their ids."""
    import random

    from edge.device import Device

    rng = random.Random(seed)
    ids = []
    with Device.open(directory) as dev:
        unit = dev.settings.unit
        skus = [p.sku for p in dev.products(unit)]
        for _ in range(count):
            lines = [(rng.choice(skus), rng.randint(1, 3)) for _ in range(rng.randint(1, 3))]
            member = rng.choice([None, *[m[0] for m in MEMBERS]])
            payment = "credit" if member is not None and rng.random() < 0.3 else "cash"
            try:
                ids.append(dev.record_sale(lines=lines, member=member, payment=payment).id)
            except Exception as err:  # a credit limit reached: the clerk takes cash instead
                if type(err).__name__ != "CreditLimitExceeded":
                    raise
                ids.append(dev.record_sale(lines=lines, member=member, payment="cash").id)
    return ids


def run_demo(
    root: Path | str, *, devices: int = 3, sales: int = 20, offline_sales: int = 10, lang: str | None = None
) -> dict[str, Any]:
    """The whole system in one process on the embedded broker; returns a report (see ``format_report``).

    Devices ``toko-01``.. sell online; ``outpost-01`` sells while offline, then comes online and drains.
    """
    from edge.device import Device
    from sync import summary
    from sync.embedded import EmbeddedBroker

    if not 1 <= devices <= 20 or not 1 <= sales <= 10_000 or not 0 <= offline_sales <= 10_000:
        from sync.errors import SettingsError

        raise SettingsError(
            "--devices must be 1..20, --sales 1..10000 and --offline-sales 0..10000",
            "--devices harus 1..20, --sales 1..10000 dan --offline-sales 0..10000",
        )
    base = Path(root)
    if base.exists() and any(base.iterdir()):
        from sync.errors import SettingsError

        raise SettingsError(
            f"{base} is not empty; give the demo a new directory",
            f"{base} tidak kosong; berikan direktori baru untuk demo",
        )
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    broker = BrokerSettings(port=port, mqtt_version=3, keepalive_s=30)
    specs = [DeviceSpec(f"toko-{i:02d}") for i in range(1, devices + 1)]
    specs.append(DeviceSpec(OUTPOST, branch="desa", sync_toml={"batch_max": 20, "window": 1}))
    world = build(base, broker=broker, devices=specs)
    recorded: dict[str, list[str]] = {}
    started = time.monotonic()
    with EmbeddedBroker(port), running(world) as run:
        if not run.wait_catalog(DEMO_TIMEOUT_S):
            raise RuntimeError("devices did not receive the catalog in time")
        run.pause(OUTPOST)
        for number, spec in enumerate(specs):
            count = offline_sales if spec.device == OUTPOST else sales
            recorded[spec.device] = _record(world.devices[spec.device], count, seed=number)
        online = [s.device for s in specs if s.device != OUTPOST]
        run.wait_drained(DEMO_TIMEOUT_S, online)
        with Device.open(world.devices[OUTPOST]) as dev:
            outpost_queue = dev.status().outbox_depth
        run.resume(OUTPOST)
        drained = run.wait_drained(DEMO_TIMEOUT_S)
        with Device.open(world.devices[specs[0].device]) as dev:
            try:
                member_summary: dict[str, Any] | None = summary.request(
                    world.devices[specs[0].device], MEMBERS[0][0], 10.0, device=dev
                )
            except Exception as err:  # reported, not fatal: the summary is a convenience
                member_summary = {"error": str(err)}
        stats = run.server.stats
    checked = audit(world.ledger_path)
    lost = {d: len(set(ids) - checked.ids.get(d, frozenset())) for d, ids in recorded.items()}
    return {
        "ok": drained and checked.ok and not any(lost.values()),
        "seconds": round(time.monotonic() - started, 1),
        "devices": {
            d: {"recorded": len(ids), "in_ledger": len(checked.ids.get(d, ()))} for d, ids in recorded.items()
        },
        "outpost_queue_while_offline": outpost_queue,
        "lost": lost,
        "books_balance": checked.debit_rp == checked.credit_rp and not checked.unbalanced_entries,
        "chains_whole": all(checked.seqs_whole.values()) and not any(checked.broken_links.values()),
        "accepted": stats.accepted,
        "duplicates": stats.duplicates,
        "rejected": stats.rejected,
        "member_summary": member_summary,
        "directory": str(base),
    }


def format_report(report: Mapping[str, Any], lang: str | None = None) -> str:
    """The demo report as text, in Indonesian or English."""
    from edge.i18n import current_lang

    en = current_lang(lang) == "en"
    lines = [
        "Sync demo: embedded broker, central and devices in one process"
        if en
        else "Demo sinkron: broker bawaan, pusat dan perangkat dalam satu proses",
    ]
    for device, row in report["devices"].items():
        label = (
            "recorded {recorded}, in ledger {in_ledger}"
            if en
            else "tercatat {recorded}, di buku besar {in_ledger}"
        )
        lines.append(f"  {device}: " + label.format(**row))
    yes, no = ("yes", "no") if en else ("ya", "tidak")
    lines.append(
        f"  outpost queue while offline: {report['outpost_queue_while_offline']}"
        if en
        else f"  antrean pos terpencil saat offline: {report['outpost_queue_while_offline']}"
    )
    lines.append(
        ("  books balance: " if en else "  neraca seimbang: ") + (yes if report["books_balance"] else no)
    )
    lines.append(("  chains whole: " if en else "  rantai utuh: ") + (yes if report["chains_whole"] else no))
    lines.append(("  lost: " if en else "  hilang: ") + str(sum(report["lost"].values())))
    summary_ = report.get("member_summary") or {}
    if "error" not in summary_:
        lines.append(
            ("  member summary A001 via MQTT: " if en else "  ringkasan anggota A001 lewat MQTT: ")
            + f"{summary_.get('name', '?')}"
        )
    lines.append(
        ("  result: " if en else "  hasil: ") + ("OK" if report["ok"] else ("FAILED" if en else "GAGAL"))
    )
    return "\n".join(lines)
