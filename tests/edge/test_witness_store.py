"""What a device keeps as a witness of central's transparency log: the checkpoint it accepted, the
problems it found (with the evidence), its acked envelopes to check, and what its status says."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from edge import schema
from edge.cli import main
from edge.device import KEPT_CHECKPOINTS, STORE_FILE, Device


def test_migration_4_adds_the_witness_tables_to_an_old_store(device_dir: Path) -> None:
    """A store of schema 3 with sales in its outbox gains the witness tables and keeps every row."""
    with Device.open(device_dir) as dev:
        dev.record_sale([("8991001", 1)])
        before = dev.outbox_after(0, 10)
    conn = sqlite3.connect(str(device_dir / STORE_FILE), isolation_level=None)
    for statement in (s for step in schema.MIGRATIONS[3:] for s in step):  # back to schema 3
        if found := re.match(r"CREATE TABLE (\w+)", statement):
            conn.execute(f"DROP TABLE {found.group(1)}")
        elif found := re.match(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", statement):
            conn.execute(f"ALTER TABLE {found.group(1)} DROP COLUMN {found.group(2)}")
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    with Device.open(device_dir) as dev:
        assert schema.version(dev._conn) == schema.LATEST
        assert dev.outbox_after(0, 10) == before
        assert dev.kept_checkpoint() is None and dev.status().witness_size == 0


def test_kept_checkpoints_problems_and_status(dev: Device) -> None:
    """The latest accepted checkpoint counts (older ones bounded); a problem shows until cleared, its
    evidence stays; only acked, unrefused envelopes are offered for the inclusion check."""
    for size in range(1, KEPT_CHECKPOINTS + 5):
        dev.keep_checkpoint(f"note {size}\n", size, "00" * 32, size // 2)
    assert dev.kept_checkpoint() == (f"note {KEPT_CHECKPOINTS + 4}\n", (KEPT_CHECKPOINTS + 4) // 2)
    assert dev._conn.execute("SELECT COUNT(*) FROM log_checkpoints").fetchone()[0] == KEPT_CHECKPOINTS
    status = dev.status()
    assert status.witness_size == KEPT_CHECKPOINTS + 4 and status.witness_at is not None
    assert status.witness_problem is None
    dev.log_problem("fork", 20, 20, tx="", detail="", note="forged note\n")
    assert dev.status().witness_problem == ("fork", 20, 20, "", "")
    dev.clear_log_problem()
    assert dev.status().witness_problem is None
    assert dev.log_problems() == [("fork", 20, 20, "", "", "forged note\n")]
    sales = [dev.record_sale([("8991001", 1)]) for _ in range(3)]
    assert dev.acked_envelopes(0, 10) == []
    dev.mark_acked(2)
    acked = dev.acked_envelopes(0, 10)
    assert [(seq, tx) for seq, tx, _ in acked] == [(1, sales[0].id), (2, sales[1].id)]
    assert acked[0][2] == sales[0].data  # the canonical bytes the log's leaf hashes
    assert dev.acked_envelopes(1, 10)[0][0] == 2


def test_edge_witness_lists_problems_and_clears_the_warning(
    device_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`edge witness` shows the kept checkpoint and each problem in the reader's language; `--clear`
    ends the kiosk's warning and keeps the evidence."""
    with Device.open(device_dir) as dev:
        dev.keep_checkpoint("kop/demo/log\n5\nAAAA\n", 5, "00" * 32, 0)
        dev.log_problem("inconsistent", 5, 9, tx="", detail="", note="forged\n")
    assert main(["--dir", str(device_dir), "--lang", "en", "witness"]) == 0
    out = capsys.readouterr().out
    assert "kop/demo/log" in out and "tree 5 is not a prefix of tree 9" in out
    assert main(["--dir", str(device_dir), "witness", "--clear"]) == 0
    assert "buktinya tetap disimpan" in capsys.readouterr().out
    with Device.open(device_dir) as dev:
        assert dev.status().witness_problem is None and len(dev.log_problems()) == 1
