"""Backup and restore of the ledger (central/ledger/backup.py, `backup`, `backup-check`, `restore`)."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from central import config, sample
from central.cli import app as cli
from central.errors import BackupError
from central.ledger import Ledger, schema
from central.ledger import backup as backup_mod
from tests.central.pg import PgCluster

INGEST_CHUNK = 40
CONCURRENT_WAIT_S = 60.0


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _ledger_with_month(db: str, month: sample.SampleData) -> None:
    with Ledger.open(db) as ledger:
        ledger.init(config.default())
        sample.load_into(ledger, month)
        report = ledger.ingest(month.envelopes, require_signature=True)
        assert report.ok


def _books(db: str) -> dict[str, Any]:
    """Transactions, journal lines, debit and credit sums and unbalanced entries of a ledger."""
    journal = schema.journal
    with Ledger.open(db) as ledger, ledger.read() as conn:
        unbalanced = conn.execute(
            select(journal.c.tx)
            .group_by(journal.c.tx)
            .having(func.sum(journal.c.debit_rp) != func.sum(journal.c.credit_rp))
        ).all()
        debit, credit = conn.execute(
            select(func.sum(journal.c.debit_rp), func.sum(journal.c.credit_rp))
        ).one()
        ids = set(conn.execute(select(schema.transactions.c.id)).scalars())
        lines = conn.execute(select(func.count()).select_from(journal)).scalar_one()
    return {"ids": ids, "lines": int(lines), "debit": debit, "credit": credit, "unbalanced": unbalanced}


@pytest.fixture
def source(tmp_path: Path, month: sample.SampleData) -> str:
    """A SQLite ledger holding the sample month."""
    db = str(tmp_path / "central.sqlite")
    _ledger_with_month(db, month)
    return db


def test_backup_while_ingesting_is_a_consistent_balanced_snapshot(
    tmp_path: Path, month: sample.SampleData, capsys: pytest.CaptureFixture[str]
) -> None:
    """A backup taken while another connection keeps ingesting restores to a balanced prefix of the ledger."""
    db = str(tmp_path / "central.sqlite")
    with Ledger.open(db) as ledger:
        ledger.init(config.default())
        sample.load_into(ledger, month)
    envelopes = list(month.envelopes)
    done = threading.Event()

    def ingest() -> None:
        with Ledger.open(db) as writer:
            for start in range(0, len(envelopes), INGEST_CHUNK):
                writer.ingest(envelopes[start : start + INGEST_CHUNK], require_signature=True)
        done.set()

    thread = threading.Thread(target=ingest, daemon=True)
    thread.start()
    deadline = time.monotonic() + CONCURRENT_WAIT_S
    while len(_books(db)["ids"]) < INGEST_CHUNK and time.monotonic() < deadline:
        time.sleep(0.01)
    code, out, err = run(capsys, "--db", db, "backup", "--out", str(tmp_path / "mid.sqlite"))
    thread.join(CONCURRENT_WAIT_S)
    assert code == 0, err
    assert done.is_set()
    restored = str(tmp_path / "restored.sqlite")
    assert run(capsys, "--db", restored, "restore", str(tmp_path / "mid.sqlite"))[0] == 0
    books = _books(restored)
    assert books["ids"] <= _books(db)["ids"]
    assert books["ids"]
    assert books["unbalanced"] == []
    assert books["debit"] == books["credit"]
    assert f"transactions {len(books['ids']):,}" in out


def test_backup_prints_size_counts_and_checksum(
    source: str, tmp_path: Path, month: sample.SampleData, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary names the size, the row counts, the newest transaction and the file's sha256."""
    out_file = tmp_path / "b.sqlite"
    code, out, _ = run(capsys, "--lang", "en", "--db", source, "backup", "--out", str(out_file))
    assert code == 0
    assert f"size: {out_file.stat().st_size:,} bytes" in out
    assert f"sha256: {backup_mod.sha256_of(out_file)}" in out
    assert f"transactions {len(month.envelopes):,}" in out
    assert "last transaction: " in out
    assert (out_file.stat().st_mode & 0o777) == 0o600  # members' personal data: owner only


def test_backup_refuses_to_overwrite_without_force(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An existing file is kept (exit 2, a message) unless --force replaces it."""
    out_file = tmp_path / "b.sqlite"
    out_file.write_bytes(b"keep me")
    code, _, err = run(capsys, "--lang", "en", "--db", source, "backup", "--out", str(out_file))
    assert code == 2
    assert "already exists" in err and "--force" in err
    assert out_file.read_bytes() == b"keep me"
    assert run(capsys, "--db", source, "backup", "--out", str(out_file), "--force")[0] == 0
    assert out_file.read_bytes().startswith(b"SQLite format 3\x00")


def test_a_missing_ledger_is_named_and_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Backing up a ledger that does not exist says so, creates neither it nor the backup."""
    missing = tmp_path / "nope.sqlite"
    code, _, err = run(capsys, "--lang", "en", "--db", str(missing), "backup", "--out", str(tmp_path / "b"))
    assert code == 2
    assert "does not exist" in err and "Traceback" not in err
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_target_is_a_clear_error(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder that does not exist, or a path under a plain file, is refused with a message."""
    code, _, err = run(
        capsys, "--lang", "en", "--db", source, "backup", "--out", str(tmp_path / "no/b.sqlite")
    )
    assert code == 2 and "does not exist" in err
    (tmp_path / "file").write_text("x")
    code, _, err = run(
        capsys, "--lang", "en", "--db", source, "backup", "--out", str(tmp_path / "file/b.sqlite")
    )
    assert code == 2 and "Traceback" not in err


def test_a_failed_backup_leaves_no_file_under_the_final_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A database that is not a ledger fails the check: no backup and no temporary file stay behind."""
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, _, err = run(
        capsys, "--lang", "en", "--db", str(other), "backup", "--out", str(out_dir / "b.sqlite")
    )
    assert code == 2
    assert "is not a ledger" in err
    assert list(out_dir.iterdir()) == []


def test_restore_into_a_new_path_gives_the_same_books(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A restored ledger holds the same transactions and journal, balanced, and says each device's seq."""
    backup_file = tmp_path / "b.sqlite"
    assert run(capsys, "--db", source, "backup", "--out", str(backup_file))[0] == 0
    target = tmp_path / "restored" / "central.sqlite"
    target.parent.mkdir()
    code, out, err = run(capsys, "--lang", "en", "--db", str(target), "restore", str(backup_file))
    assert code == 0, err
    assert f"sha256: {backup_mod.sha256_of(backup_file)}" in out
    assert "toko-01: " in out
    before, after = _books(source), _books(str(target))
    assert before == after
    assert after["unbalanced"] == [] and after["debit"] == after["credit"]
    with Ledger.open(target) as ledger:
        ledger.require_current()  # opens and writes as a ledger of this version


def test_restore_refuses_a_target_with_data_unless_forced(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Restoring over a ledger that holds data is refused with a message; --force replaces it."""
    backup_file = tmp_path / "b.sqlite"
    assert run(capsys, "--db", source, "backup", "--out", str(backup_file))[0] == 0
    other = str(tmp_path / "other.sqlite")
    with Ledger.open(other) as ledger:
        ledger.init(config.default())
    code, _, err = run(capsys, "--lang", "en", "--db", other, "restore", str(backup_file))
    assert code == 2
    assert "already holds data" in err and "--force" in err
    assert _books(other)["ids"] == set()
    assert run(capsys, "--db", other, "restore", str(backup_file), "--force")[0] == 0
    assert _books(other) == _books(source)


def test_an_older_schema_restores_and_says_to_upgrade(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A backup of an older schema version restores as it is, with the hint to run `upgrade`."""
    with sqlite3.connect(source) as conn:
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.close()
    backup_file = tmp_path / "old.sqlite"
    assert run(capsys, "--db", source, "backup", "--out", str(backup_file))[0] == 0
    target = str(tmp_path / "restored.sqlite")
    code, _, err = run(capsys, "--lang", "en", "--db", target, "restore", str(backup_file))
    assert code == 0
    assert f"--db {target} upgrade" in err
    assert run(capsys, "--db", target, "upgrade")[0] == 0


def test_a_newer_schema_is_refused(source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A backup written by a newer program is not restored by this one."""
    with sqlite3.connect(source) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    backup_file = tmp_path / "new.sqlite"
    assert run(capsys, "--db", source, "backup", "--out", str(backup_file))[0] == 0
    target = tmp_path / "restored.sqlite"
    code, _, err = run(capsys, "--lang", "en", "--db", str(target), "restore", str(backup_file))
    assert code == 2 and "newer program" in err
    assert not target.exists()


def test_a_damaged_or_foreign_file_is_not_restored(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A backup with damaged pages, or a file that is no backup, is refused before anything is written."""
    backup_file = tmp_path / "b.sqlite"
    assert run(capsys, "--db", source, "backup", "--out", str(backup_file))[0] == 0
    data = bytearray(backup_file.read_bytes())
    page = 4096
    for offset in range(page * 2, len(data) - page, page):
        data[offset : offset + 64] = b"\xff" * 64  # page headers of every page after the first two
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(bytes(data))
    target = tmp_path / "restored.sqlite"
    code, _, err = run(capsys, "--lang", "en", "--db", str(target), "restore", str(damaged))
    assert code == 2 and "damaged" in err
    assert not target.exists()
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    code, _, err = run(capsys, "--lang", "en", "--db", str(target), "restore", str(text))
    assert code == 2 and "not a ledger backup" in err
    assert not target.exists()


def test_backup_check_describes_a_file_without_restoring(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`backup-check` reads the file and prints its checksum and counts; a missing file is named."""
    backup_file = tmp_path / "b.sqlite"
    assert run(capsys, "--db", source, "backup", "--out", str(backup_file))[0] == 0
    code, out, _ = run(capsys, "--lang", "en", "backup-check", str(backup_file))
    assert code == 0 and backup_mod.sha256_of(backup_file) in out
    code, _, err = run(capsys, "--lang", "en", "backup-check", str(tmp_path / "gone.sqlite"))
    assert code == 2 and "does not exist" in err


def test_a_sqlite_backup_is_not_restored_into_postgresql(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Backups restore into the same kind of database; the other kind is refused with a message."""
    backup_file = tmp_path / "b.sqlite"
    assert run(capsys, "--db", source, "backup", "--out", str(backup_file))[0] == 0
    code, _, err = run(
        capsys, "--lang", "en", "--db", "postgresql://u@127.0.0.1:1/x", "restore", str(backup_file)
    )
    assert code == 2 and "SQLite file path" in err


def test_rotation_keeps_daily_and_monthly_newest() -> None:
    """Rotation keeps the newest backup of each of the last N days and of the last M months, nothing else."""
    start = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    names = [backup_mod.backup_name(start + timedelta(days=d), "sqlite") for d in range(90)]
    names += [backup_mod.backup_name(start + timedelta(days=89, hours=5), "sqlite"), "notes.txt"]
    pruned = set(backup_mod.to_prune(names, keep_daily=7, keep_monthly=3))
    kept = set(names) - pruned
    assert "notes.txt" in kept
    assert backup_mod.backup_name(start + timedelta(days=89), "sqlite") in pruned  # same day, older
    days = sorted({n[7:15] for n in kept if n.startswith("ledger-")})
    assert days == ["20260131", "20260228", "20260325", "20260326", "20260327", "20260328", "20260329",
                    "20260330", "20260331"]  # fmt: skip
    with pytest.raises(BackupError):
        backup_mod.to_prune(names, keep_daily=0, keep_monthly=3)


def test_backup_into_a_folder_rotates_after_a_good_backup(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`backup --dir` writes a dated file and removes the old dated files rotation no longer keeps."""
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [backup_mod.backup_name(datetime(2025, 1, d, 2, tzinfo=UTC), "sqlite") for d in (1, 2, 3)]
    for name in old:
        (folder / name).write_bytes(b"old")
    code, out, err = run(capsys, "--db", source, "backup", "--dir", str(folder), "--keep-daily", "2",
                         "--keep-monthly", "0")  # fmt: skip
    assert code == 0, err
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == old[2] and len(names) == 2
    assert old[0] in out and old[1] in out


def test_a_missing_pg_dump_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without pg_dump on PATH or under /usr/lib/postgresql, the backup says which package to install."""
    with pytest.raises(BackupError, match="postgresql-client"):
        backup_mod.find_pg_tool("pg_dump", path="", lib_glob=str(tmp_path))
    monkeypatch.setattr(backup_mod.shutil, "which", lambda *_a, **_k: None)
    monkeypatch.setattr(backup_mod.glob, "glob", lambda *_a, **_k: [])
    code, _, err = run(
        capsys, "--lang", "en", "--db", "postgresql://u@127.0.0.1:1/x", "backup", "--out", str(tmp_path / "b")
    )
    assert code == 2 and "pg_dump not found" in err
    assert not (tmp_path / "b").exists()


def test_the_url_password_stays_off_the_command_line() -> None:
    """pg_dump gets the URL without its password; the password travels in PGPASSWORD only."""
    safe, password = backup_mod.pg_connection("postgresql://kop:s%40cret@db.local:5432/coop?sslmode=require")
    assert safe == "postgresql://kop@db.local:5432/coop?sslmode=require"
    assert password == "s@cret"
    argv = backup_mod.pg_dump_command("/usr/bin/pg_dump", safe, Path("/b/x.pgdump"), "0001-1")
    assert not any("cret" in part for part in argv)
    assert backup_mod.pg_tool_env(password)["PGPASSWORD"] == "s@cret"
    assert "PGPASSWORD" not in backup_mod.pg_tool_env(None)


@pytest.fixture
def pg_pair(pg_cluster: PgCluster) -> Iterator[tuple[str, str]]:
    """Two fresh databases of the throw-away cluster: a source and an empty target."""
    source, target = pg_cluster.database(), pg_cluster.database()
    yield source, target
    pg_cluster.drop(source)
    pg_cluster.drop(target)


@pytest.mark.pg
def test_postgresql_backup_and_restore_give_the_same_balanced_books(
    pg_pair: tuple[str, str],
    month: sample.SampleData,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """pg_dump from a snapshot, then pg_restore into an empty database: same counts, balanced, no password
    in any command line."""
    source, target = pg_pair
    _ledger_with_month(source, month)
    secret = "never-on-argv"
    with_password = source.replace("postgres@", f"postgres:{secret}@")  # trust auth ignores it
    calls: list[tuple[list[str], dict[str, str]]] = []
    real_run = subprocess.run

    def recording_run(command: list[str], **kwargs: Any) -> Any:
        calls.append((list(command), dict(kwargs.get("env") or {})))
        return real_run(command, **kwargs)

    monkeypatch.setattr(backup_mod.subprocess, "run", recording_run)
    backup_file = tmp_path / "b.pgdump"
    code, out, err = run(capsys, "--lang", "en", "--db", with_password, "backup", "--out", str(backup_file))
    assert code == 0, err
    assert secret not in out + err
    assert calls and all(secret not in " ".join(argv) for argv, _ in calls)
    assert calls[0][1]["PGPASSWORD"] == secret
    assert f"transactions {len(month.envelopes):,}" in out
    code, out, err = run(capsys, "--lang", "en", "--db", target, "restore", str(backup_file))
    assert code == 0, err
    before, after = _books(source), _books(target)
    assert before == after
    assert after["unbalanced"] == [] and after["debit"] == after["credit"]
    code, _, err = run(capsys, "--lang", "en", "--db", target, "restore", str(backup_file))
    assert code == 2 and "already holds" in err
