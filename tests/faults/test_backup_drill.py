"""The restore drill (docs/backup.md): devices drain through Mosquitto into `central serve`, a backup is taken
mid-drain, restored into a new place, and serve runs on the restored ledger.

A device that learns central holds less than it acked (an ack or a ``resend_from`` below its own last
ack) takes its ack back and sends again what its outbox still keeps, so the restored ledger fills by
itself. Rows a device already pruned (after ``retention_s``) cannot come back: that device's gap stays,
listed by `report chains`, and its outbox stops draining there (loud, never silent).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from central.cli import app as central_cli
from central.ledger import Ledger, schema
from central.members.rows import ProductRow
from edge.device import Device
from provisioning.world import PRODUCTS, DeviceSpec, audit, build, running
from sync.settings import BrokerSettings
from tests.support.mosquitto import Mosquitto

pytestmark = [pytest.mark.mqtt, pytest.mark.slow]

SKU = "8991001000011"
BACKLOG = 300  # sales per device recorded offline, drained after
NEW_SALES = 5  # sales per device after the restore
DRAIN_TX_PER_S = 60  # slow drain, so the backup lands in the middle of it
CATALOG_WAIT_S = 60.0
DRAIN_WAIT_S = 120.0
LAND_WAIT_S = 60.0
PRUNED_DEVICE = "toko-03"  # its delivered rows are pruned before the restore (retention passed)
DEVICES = ("toko-01", "toko-02", PRUNED_DEVICE)
POLL_S = 0.1


def _seqs(ledger_path: Path) -> dict[str, set[int]]:
    tx = schema.transactions
    with contextlib.closing(Ledger.open(ledger_path)) as ledger, ledger.read() as conn:
        rows = conn.execute(select(tx.c.device, tx.c.seq)).all()
    found: dict[str, set[int]] = {}
    for device, seq in rows:
        found.setdefault(str(device), set()).add(int(seq))
    return found


def _ids(ledger_path: Path) -> dict[str, list[str]]:
    tx = schema.transactions
    with contextlib.closing(Ledger.open(ledger_path)) as ledger, ledger.read() as conn:
        rows = conn.execute(select(tx.c.device, tx.c.id)).all()
    found: dict[str, list[str]] = {}
    for device, ident in rows:
        found.setdefault(str(device), []).append(str(ident))
    return found


def _reported_gaps(ledger_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, set[int]]:
    """Per device, the seqs `report chains --json` lists as missing."""
    code = central_cli.main(["--db", str(ledger_path), "report", "chains", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    rows = json.loads(out)["chains"]["rows"]
    gaps: dict[str, set[int]] = {}
    for row in rows:
        missing: set[int] = set()
        for span in str(row["gaps"]).split():
            low, _, high = span.partition("-")
            missing |= set(range(int(low), int(high or low) + 1))
        gaps[str(row["device"])] = missing
    return gaps


def _wait(condition: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(POLL_S)
    raise AssertionError(f"not reached in {timeout_s} s: {what}")


def _outbox(directory: Path) -> tuple[int, set[int]]:
    """(last seq, seqs still in the outbox) of a device."""
    with Device.open(directory) as dev:
        return dev.status().last_seq, {seq for seq, _ in dev.iter_outbox(0)}


def test_restore_drill_on_sqlite(
    mosquitto: Mosquitto, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a restore from a mid-drain backup the lost seqs show as chain gaps, the devices' kept rows fill
    them exactly once, the books balance, and only rows a device pruned stay missing (reported)."""
    tuning = {"drain_tx_per_s": DRAIN_TX_PER_S, "ack_timeout_s": 2, "batch_max": 20, "window": 2}
    world = build(
        tmp_path / "world",
        broker=BrokerSettings(port=mosquitto.port),
        devices=[DeviceSpec(name, sync_toml=tuning) for name in DEVICES],
    )
    backup_file = tmp_path / "backups" / "mid-drain.sqlite"
    backup_file.parent.mkdir()

    # 1. Devices get the catalog, record a backlog offline, then drain; a backup is taken mid-drain.
    with running(world) as run:
        assert run.wait_catalog(CATALOG_WAIT_S)
        for name in DEVICES:
            run.pause(name)
        for directory in world.devices.values():
            with Device.open(directory) as dev:
                for i in range(BACKLOG):
                    dev.record_sale(lines=[(SKU, 1 + i % 3)], member=None, payment="cash")
        for name in DEVICES:
            run.resume(name)
        _wait(lambda: sum(run.committed().values()) >= BACKLOG // 2, DRAIN_WAIT_S, "drain under way")
        code = central_cli.main(["--db", str(world.ledger_path), "backup", "--out", str(backup_file)])
        capsys.readouterr()
        assert code == 0
        assert run.wait_drained(DRAIN_WAIT_S)
        # The retention of toko-03 passes: its delivered rows are pruned. A device keeps sales until a
        # catalog downlink reflects them, so the office changes a price and the new catalog goes out.
        with contextlib.closing(Ledger.open(world.ledger_path)) as ledger:
            sku, name, unit, price_rp, cost_rp = PRODUCTS[-1]
            ledger.import_products([ProductRow(sku, name, unit, price_rp + 100, cost_rp)])
        pruned = 0

        def prune() -> bool:
            nonlocal pruned
            with Device.open(world.devices[PRUNED_DEVICE]) as dev:
                pruned += dev.prune_delivered(0)
            return pruned > 0

        _wait(prune, DRAIN_WAIT_S, f"{PRUNED_DEVICE} prunes delivered rows")
    original = _ids(world.ledger_path)
    assert audit(world.ledger_path).ok
    assert all(len(original[name]) == BACKLOG for name in DEVICES)

    # 2. Restore into a new place and check what the backup holds.
    restored = tmp_path / "restored" / "central.sqlite"
    restored.parent.mkdir()
    assert central_cli.main(["--db", str(restored), "restore", str(backup_file)]) == 0
    capsys.readouterr()
    at_backup = {name: max(_seqs(restored).get(name, {0})) for name in DEVICES}
    assert sum(at_backup.values()) < len(DEVICES) * BACKLOG, "the backup was meant to land mid-drain"
    assert audit(restored).ok  # a consistent snapshot: whole chains up to the backup, balanced books

    # 3. Serve on the restored ledger; the devices keep selling.
    world2 = dataclasses.replace(world, ledger_path=restored)
    new_ids: dict[str, set[str]] = {}
    with running(world2) as run:
        for name, directory in world.devices.items():
            with Device.open(directory) as dev:
                new_ids[name] = {
                    dev.record_sale(lines=[(SKU, 1)], member=None, payment="cash").id
                    for _ in range(NEW_SALES)
                }
        last = {name: _outbox(directory)[0] for name, directory in world.devices.items()}
        whole = [n for n in DEVICES if n != PRUNED_DEVICE]
        assert any(at_backup[n] < last[n] - NEW_SALES for n in whole), "the backup must be older than acks"
        # 4. The devices that still keep what the restored ledger lacks send it again by themselves.
        assert run.wait_drained(DRAIN_WAIT_S, devices=whole)
        _wait(
            lambda: max(_seqs(restored).get(PRUNED_DEVICE, {0})) == last[PRUNED_DEVICE],
            LAND_WAIT_S,
            f"{PRUNED_DEVICE}'s new sales reach the restored ledger",
        )
        kept = _outbox(world.devices[PRUNED_DEVICE])[1]

    # 5. Every envelope is in the restored ledger exactly once; only the rows toko-03 pruned stay
    # missing, and `report chains` lists exactly those.
    final = _ids(restored)
    report = audit(restored)
    assert report.unbalanced_entries == () and report.debit_rp == report.credit_rp
    gaps = _reported_gaps(restored, capsys)
    for name in whole:
        assert len(final[name]) == len(set(final[name]))
        assert set(final[name]) == set(original[name]) | new_ids[name]
        assert report.seqs_whole[name] and not report.broken_links.get(name)
        assert not gaps.get(name)
    lost = set(range(at_backup[PRUNED_DEVICE] + 1, BACKLOG + 1)) - kept
    assert lost, f"{PRUNED_DEVICE} pruned rows the backup lacked"
    assert gaps[PRUNED_DEVICE] == lost
    assert set(range(1, last[PRUNED_DEVICE] + 1)) - _seqs(restored)[PRUNED_DEVICE] == lost
