"""Backups of the ledger and restoring them: a consistent snapshot, checked, written atomically.

SQLite: sqlite3's online backup API copies a consistent snapshot while ``serve`` keeps writing (in WAL mode
a reader never blocks the writer); the copy is made a single file (journal mode DELETE), checked with
``PRAGMA integrity_check`` and opened as a ledger (tables, schema version, config), fsynced and only then
renamed to its name: a half-written backup never carries the final name.

PostgreSQL: ``pg_dump`` in custom format, reading the snapshot that a REPEATABLE READ transaction exported,
in which the row counts are read too, so the summary describes exactly what was dumped. The URL's password
goes to ``pg_dump``/``pg_restore`` through ``PGPASSWORD`` in their environment, never on the command line.

Restoring goes into a new SQLite path or an empty PostgreSQL database; a ledger of an older schema version
restores as it is (then ``upgrade``), one of a newer version is refused. docs/backup.md has the procedure.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from central.config import from_json
from central.errors import BackupError, ConfigError, RestoreTargetNotEmpty
from central.ledger import schema

SQLITE_MAGIC: Final = b"SQLite format 3\x00"
PGDUMP_MAGIC: Final = b"PGDMP"
# The tables without which a file is not a ledger (older versions have them all).
REQUIRED_TABLES: Final = ("meta", "accounts", "transactions", "journal")
SQLITE_BUSY_TIMEOUT_S: Final = 30
PG_TOOL_TIMEOUT_S: Final = 4 * 3600  # a dump or restore that takes longer than this is stuck
PG_LIST_TIMEOUT_S: Final = 300
HASH_CHUNK_BYTES: Final = 1 << 20
BACKUP_FILE_MODE: Final = 0o600  # a backup holds members' personal data
MAX_STDERR_CHARS: Final = 2000
MAX_KEEP: Final = 10_000
BACKUP_NAME_RE: Final = re.compile(r"^ledger-(\d{8})T(\d{6})Z\.(sqlite|pgdump)$")


@dataclass(frozen=True)
class BackupInfo:
    """What a backup (or a restored ledger) holds: enough to tell two apart and to check a copy."""

    path: str
    kind: str  # "sqlite" or "postgresql"
    size_bytes: int
    sha256: str
    schema_version: int
    counts: tuple[tuple[str, int], ...]  # (table, rows) of every ledger table present
    last_tx_id: str | None
    last_tx_received: str | None  # ISO 8601 UTC, when central received the newest transaction
    chains: tuple[tuple[str, int], ...] = ()  # (device, highest contiguous seq), restore only

    @property
    def current(self) -> bool:
        """True when the ledger is at this program's schema version (else ``upgrade`` after restoring)."""
        return self.schema_version == schema.SCHEMA_VERSION

    def count(self, table: str) -> int:
        """Rows of ``table`` (0 when it is not there)."""
        return dict(self.counts).get(table, 0)


# -- small helpers ----------------------------------------------------------------------------------


def is_postgres(target: str) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``, ``postgresql+psycopg://``) URL."""
    return target.startswith(("postgresql://", "postgres://", "postgresql+psycopg://"))


def _sqlite_path(target: str) -> Path:
    for prefix in ("sqlite:///", "sqlite://"):
        if target.startswith(prefix):
            return Path(target[len(prefix) :])
    if "://" in target:
        raise BackupError(
            f"--db {target!r}: pakai path berkas SQLite atau URL postgresql://",
            f"--db {target!r}: use a SQLite file path or a postgresql:// URL",
        )
    return Path(target)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in bounded chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems (vfat USB disks) cannot fsync a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not force:
        raise BackupError(
            f"{out} sudah ada; tidak ditimpa. Pakai --force untuk menimpa, atau pilih nama lain",
            f"{out} already exists; it is not overwritten. Use --force to replace it, or choose another name",
        )
    if out.is_dir():
        raise BackupError(f"{out} adalah folder, bukan berkas", f"{out} is a folder, not a file")
    if not out.parent.is_dir():
        raise BackupError(
            f"folder {out.parent} tidak ada; buat dulu atau pilih --out lain",
            f"folder {out.parent} does not exist; create it or choose another --out",
        )


def _temp_beside(out: Path) -> Path:
    """Create an empty owner-only temporary file next to ``out`` (same file system, so rename is atomic)."""
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, BACKUP_FILE_MODE)
    except OSError as err:
        raise BackupError(
            f"tidak bisa menulis di {out.parent}: {err.strerror}",
            f"cannot write in {out.parent}: {err.strerror}",
        ) from err
    os.close(fd)
    return tmp


def _place(tmp: Path, out: Path, force: bool) -> None:
    """fsync ``tmp`` and give it the name ``out`` in one step (never replacing ``out`` unless ``force``)."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    if force:
        os.replace(tmp, out)
    else:
        try:
            os.link(tmp, out)  # fails if ``out`` appeared meanwhile: never clobbers
        except FileExistsError as err:
            raise BackupError(
                f"{out} sudah ada; tidak ditimpa", f"{out} already exists; not replaced"
            ) from err
        except OSError:  # no hard links here (a vfat USB disk): check, then rename
            if out.exists():
                raise BackupError(
                    f"{out} sudah ada; tidak ditimpa", f"{out} already exists; not replaced"
                ) from None
            os.rename(tmp, out)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _fsync_dir(out.parent)


def _file_kind(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as err:
        raise BackupError(
            f"berkas cadangan {path} tidak bisa dibaca: {err.strerror}",
            f"backup file {path} cannot be read: {err.strerror}",
        ) from err
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path} bukan berkas cadangan buku besar (bukan SQLite, bukan pg_dump custom)",
        f"{path} is not a ledger backup (neither SQLite nor a pg_dump custom archive)",
    )


# -- what a ledger holds (any backend, through a "run this SQL" function) ------------------------------

Query = Callable[[str], Sequence[Sequence[Any]]]


def _not_a_ledger(where: str, why: str) -> BackupError:
    return BackupError(f"{where} bukan buku besar: {why}", f"{where} is not a ledger: {why}")


def _summary(
    query: Query, present: Iterable[str], where: str
) -> tuple[int, tuple[tuple[str, int], ...], str | None, str | None]:
    """Schema version, row counts, newest transaction (id, received time) of a ledger; checks its config."""
    tables = set(present)
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise _not_a_ledger(where, f"no table {', '.join(missing)}")
    meta = {
        str(k): str(v)
        for k, v in query("SELECT key, value FROM meta WHERE key IN ('schema_version', 'config')")
    }
    if "config" not in meta:
        raise _not_a_ledger(where, "no config (was `init` ever run?)")
    try:
        from_json(meta["config"])
    except (ConfigError, ValueError) as err:
        raise _not_a_ledger(where, f"its config does not read: {err}") from err
    try:
        version = int(meta.get("schema_version", "1"))
    except ValueError as err:
        raise _not_a_ledger(where, f"schema version {meta['schema_version']!r}") from err
    counts = tuple(
        (name, int(query(f"SELECT count(*) FROM {name}")[0][0]))  # noqa: S608 - names from our schema
        for name in schema.metadata.tables
        if name in tables
    )
    newest = query("SELECT id, received_ts FROM transactions ORDER BY received_ts DESC, id DESC LIMIT 1")
    last_id = str(newest[0][0]) if newest else None
    last_at = _ts_text(int(newest[0][1])) if newest else None
    return version, counts, last_id, last_at


def _ts_text(value: int) -> str:
    seconds = value / 1000 if value > 10_000_000_000 else value  # received_ts in ms or s
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _check_version(version: int, where: str) -> None:
    if version > schema.SCHEMA_VERSION:
        raise BackupError(
            f"{where} ditulis program yang lebih baru (skema {version}, program ini "
            f"{schema.SCHEMA_VERSION}); pasang versi program yang lebih baru",
            f"{where} was written by a newer program (schema {version}, this program "
            f"{schema.SCHEMA_VERSION}); install the newer version of the program",
        )


# -- SQLite -------------------------------------------------------------------------------------------


def _sqlite_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def _inspect_sqlite_file(
    path: Path, where: str
) -> tuple[int, tuple[tuple[str, int], ...], str | None, str | None]:
    try:
        conn = _sqlite_ro(path)
    except sqlite3.Error as err:
        raise BackupError(f"{where} tidak bisa dibuka: {err}", f"{where} cannot be opened: {err}") from err
    try:
        problems = [str(row[0]) for row in conn.execute("PRAGMA integrity_check(20)")]
        if problems != ["ok"]:
            raise BackupError(
                f"{where} rusak (integrity_check): {'; '.join(problems)[:MAX_STDERR_CHARS]}",
                f"{where} is damaged (integrity_check): {'; '.join(problems)[:MAX_STDERR_CHARS]}",
            )
        present = [str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return _summary(lambda sql: conn.execute(sql).fetchall(), present, where)
    except sqlite3.DatabaseError as err:
        raise BackupError(
            f"{where} rusak atau bukan SQLite: {err}", f"{where} is damaged or not SQLite: {err}"
        ) from err
    finally:
        conn.close()


def _sqlite_backup(source: Path, out: Path, force: bool) -> BackupInfo:
    if not source.is_file():
        raise BackupError(
            f"buku besar {source} tidak ada; periksa --db", f"ledger {source} does not exist; check --db"
        )
    _check_out(out, force)
    tmp = _temp_beside(out)
    try:
        try:
            src = sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_S)
            try:
                dst = sqlite3.connect(tmp)
                try:
                    src.backup(dst)  # all pages in one step: one read snapshot of the WAL database
                    dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
                finally:
                    dst.close()
            finally:
                src.close()
        except sqlite3.DatabaseError as err:
            raise BackupError(
                f"{source} tidak bisa dicadangkan (rusak atau bukan SQLite?): {err}",
                f"{source} cannot be backed up (damaged or not SQLite?): {err}",
            ) from err
        except OSError as err:
            raise BackupError(f"menulis {out} gagal: {err}", f"writing {out} failed: {err}") from err
        version, counts, last_id, last_at = _inspect_sqlite_file(tmp, str(source))
        _place(tmp, out, force)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return BackupInfo(
        str(out), "sqlite", out.stat().st_size, sha256_of(out), version, counts, last_id, last_at
    )


def _sqlite_restore(backup: Path, target: Path, force: bool) -> None:
    if target.is_dir():
        raise BackupError(f"{target} adalah folder, bukan berkas", f"{target} is a folder, not a file")
    if not target.parent.is_dir():
        raise BackupError(
            f"folder {target.parent} tidak ada; buat dulu",
            f"folder {target.parent} does not exist; create it first",
        )
    if target.exists() and target.stat().st_size > 0:
        if not force:
            raise RestoreTargetNotEmpty(
                f"{target} sudah berisi data; tidak ditimpa. Pulihkan ke path baru, atau --force untuk "
                "menimpa",
                f"{target} already holds data; not overwritten. Restore to a new path, or --force to "
                "replace it",
            )
        # Into the existing database through the backup API: one SQLite write transaction, so readers see
        # the old ledger or the restored one, and its WAL and shared memory stay consistent.
        src = _sqlite_ro(backup)
        dst = sqlite3.connect(target, timeout=SQLITE_BUSY_TIMEOUT_S)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
            src.close()
        return
    tmp = _temp_beside(target)
    try:
        src = _sqlite_ro(backup)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")  # as the ledger runs (central.ledger.store)
        finally:
            dst.close()
            src.close()
        _place(tmp, target, force=target.exists())  # an empty file at target is replaced
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


# -- PostgreSQL ---------------------------------------------------------------------------------------


def find_pg_tool(name: str, path: str | None = None, lib_glob: str = "/usr/lib/postgresql/*/bin") -> str:
    """``pg_dump`` or ``pg_restore`` from PATH, else the newest ``/usr/lib/postgresql/<v>/bin``."""
    found = shutil.which(name, path=path)
    if found:
        return found
    candidates = sorted(glob.glob(f"{lib_glob}/{name}"), key=_version_key, reverse=True)
    if candidates:
        return candidates[0]
    raise BackupError(
        f"{name} tidak ditemukan (di PATH maupun /usr/lib/postgresql/*/bin); pasang paket Debian "
        "postgresql-client",
        f"{name} not found (on PATH or in /usr/lib/postgresql/*/bin); install the Debian package "
        "postgresql-client",
    )


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", path)) or (0,)


def pg_connection(url: str) -> tuple[str, str | None]:
    """(URL without the password, the password or None) of a ``postgresql://`` URL."""
    parts = urlsplit("postgresql://" + url.split("://", 1)[1])
    netloc = parts.netloc
    password = None
    if "@" in netloc:
        userinfo, hostport = netloc.rsplit("@", 1)
        user, sep, secret = userinfo.partition(":")
        if sep:
            password = unquote(secret)
        netloc = f"{user}@{hostport}" if user else hostport
    safe = parts._replace(netloc=netloc).geturl()
    return safe, password


def pg_tool_env(password: str | None) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: the password in PGPASSWORD, never in argv."""
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    if password is not None:
        env["PGPASSWORD"] = password
    return env


def pg_dump_command(pg_dump: str, safe_url: str, out: Path, snapshot: str | None) -> list[str]:
    """The pg_dump argv (custom format, no password prompt, optionally from an exported snapshot)."""
    command = [pg_dump, "--format=custom", "--no-password", f"--file={out}", f"--dbname={safe_url}"]
    if snapshot:
        command.insert(3, f"--snapshot={snapshot}")
    return command


def _run_tool(command: list[str], env: dict[str, str], what: str, timeout_s: float) -> str:
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired as err:
        raise BackupError(
            f"{what} tidak selesai dalam {timeout_s:.0f} s", f"{what} did not finish in {timeout_s:.0f} s"
        ) from err
    except OSError as err:
        raise BackupError(f"{what} tidak bisa dijalankan: {err}", f"{what} cannot be run: {err}") from err
    if done.returncode != 0:
        detail = done.stderr.strip()[:MAX_STDERR_CHARS]
        raise BackupError(f"{what} gagal: {detail}", f"{what} failed: {detail}")
    return done.stdout


def _pg_connect(safe_url: str, password: str | None, where: str) -> Any:
    import psycopg

    try:
        return (
            psycopg.connect(safe_url, password=password)
            if password is not None
            else psycopg.connect(safe_url)
        )
    except psycopg.Error as err:
        raise BackupError(
            f"basis data {where} tidak bisa dibuka: {err}".strip(),
            f"database {where} cannot be opened: {err}".strip(),
        ) from err


def _pg_tables(conn: Any) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
    ).fetchall()
    return [str(r[0]) for r in rows]


def _pg_backup(url: str, out: Path, force: bool) -> BackupInfo:
    import psycopg

    pg_dump = find_pg_tool("pg_dump")
    pg_restore = find_pg_tool("pg_restore")
    _check_out(out, force)
    safe, password = pg_connection(url)
    conn = _pg_connect(safe, password, safe)
    tmp = _temp_beside(out)
    try:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        try:
            snapshot = str(conn.execute("SELECT pg_export_snapshot()").fetchone()[0])
            version, counts, last_id, last_at = _summary(
                lambda sql: conn.execute(sql).fetchall(), _pg_tables(conn), safe
            )
        except psycopg.Error as err:
            raise _not_a_ledger(safe, str(err)) from err
        env = pg_tool_env(password)
        # The exporting transaction stays open while pg_dump imports its snapshot: same rows as counted.
        _run_tool(pg_dump_command(pg_dump, safe, tmp, snapshot), env, "pg_dump", PG_TOOL_TIMEOUT_S)
        conn.rollback()
        _check_pg_archive(pg_restore, tmp, str(out))
        _place(tmp, out, force)
    finally:
        conn.close()
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return BackupInfo(
        str(out), "postgresql", out.stat().st_size, sha256_of(out), version, counts, last_id, last_at
    )


def _check_pg_archive(pg_restore: str, path: Path, where: str) -> int:
    """Check a custom-format archive reads and holds a ledger; return the schema version it holds."""
    listing = _run_tool(
        [pg_restore, "--list", str(path)], pg_tool_env(None), "pg_restore --list", PG_LIST_TIMEOUT_S
    )
    missing = [name for name in REQUIRED_TABLES if not re.search(rf"TABLE DATA \S+ {name} ", listing)]
    if missing:
        raise _not_a_ledger(where, f"no table {', '.join(missing)}")
    meta = _run_tool(
        [pg_restore, "--data-only", "--table=meta", "--file=-", str(path)],
        pg_tool_env(None),
        "pg_restore",
        PG_LIST_TIMEOUT_S,
    )
    for line in meta.splitlines():
        key, _, value = line.partition("\t")
        if key == "schema_version":
            try:
                return int(value)
            except ValueError as err:
                raise _not_a_ledger(where, f"schema version {value!r}") from err
    return 1


def _pg_restore(backup: Path, url: str, force: bool) -> None:
    pg_restore = find_pg_tool("pg_restore")
    safe, password = pg_connection(url)
    conn = _pg_connect(safe, password, safe)
    try:
        tables = _pg_tables(conn)
    finally:
        conn.close()
    if tables and not force:
        raise RestoreTargetNotEmpty(
            f"basis data {safe} sudah berisi {len(tables)} tabel; tidak ditimpa. Pulihkan ke basis data "
            "kosong (createdb), atau --force untuk menimpa tabel buku besar",
            f"database {safe} already holds {len(tables)} table(s); not overwritten. Restore into an empty "
            "database (createdb), or --force to replace the ledger's tables",
        )
    command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if tables:
        command += ["--clean", "--if-exists"]
    command += ["--no-password", f"--dbname={safe}", str(backup)]
    _run_tool(command, pg_tool_env(password), "pg_restore", PG_TOOL_TIMEOUT_S)


# -- the three operations -----------------------------------------------------------------------------


def backup(db: str, out: Path, *, force: bool = False) -> BackupInfo:
    """Back up the ledger ``db`` (SQLite path or PostgreSQL URL) to ``out``, checked, atomically."""
    if is_postgres(db):
        return _pg_backup(db, out, force)
    return _sqlite_backup(_sqlite_path(db), out, force)


def inspect(path: Path) -> BackupInfo:
    """Check a backup file (it reads, holds a ledger of a version this program restores); describe it."""
    if not path.is_file():
        raise BackupError(f"berkas cadangan {path} tidak ada", f"backup file {path} does not exist")
    kind = _file_kind(path)
    if kind == "sqlite":
        version, counts, last_id, last_at = _inspect_sqlite_file(path, str(path))
    else:
        version = _check_pg_archive(find_pg_tool("pg_restore"), path, str(path))
        counts, last_id, last_at = (), None, None
    _check_version(version, str(path))
    return BackupInfo(
        str(path), kind, path.stat().st_size, sha256_of(path), version, counts, last_id, last_at
    )


def restore(path: Path, target: str, *, force: bool = False) -> BackupInfo:
    """Restore the backup ``path`` into ``target`` (a new SQLite path or an empty PostgreSQL database).

    Returns what the restored ledger holds, with the backup's checksum and each device's contiguous seq.
    """
    checked = inspect(path)
    if checked.kind == "sqlite" and is_postgres(target):
        raise BackupError(
            "cadangan ini SQLite; pulihkan ke path berkas SQLite, bukan ke PostgreSQL",
            "this backup is SQLite; restore it to a SQLite file path, not to PostgreSQL",
        )
    if checked.kind == "postgresql" and not is_postgres(target):
        raise BackupError(
            "cadangan ini pg_dump PostgreSQL; pulihkan ke URL postgresql:// basis data kosong",
            "this backup is a PostgreSQL pg_dump; restore it to the postgresql:// URL of an empty database",
        )
    if is_postgres(target):
        _pg_restore(path, target, force)
    else:
        _sqlite_restore(path, _sqlite_path(target), force)
    version, counts, last_id, last_at, chains = _describe_target(target)
    return BackupInfo(
        target if not is_postgres(target) else pg_connection(target)[0],
        checked.kind,
        checked.size_bytes,
        checked.sha256,
        version,
        counts,
        last_id,
        last_at,
        chains,
    )


def _describe_target(
    target: str,
) -> tuple[int, tuple[tuple[str, int], ...], str | None, str | None, tuple[tuple[str, int], ...]]:
    from sqlalchemy import inspect as sa_inspect

    from central.ledger.store import Ledger

    with Ledger.open(target) as ledger:
        present = sa_inspect(ledger.engine).get_table_names()
        with ledger.engine.connect() as conn:
            version, counts, last_id, last_at = _summary(
                lambda sql: conn.exec_driver_sql(sql).fetchall(), present, target
            )
        devices = [str(r["device"]) for r in ledger.devices_list()] if "devices" in present else []
        seen = {str(r[0]) for r in _rows(ledger, "SELECT DISTINCT device FROM transactions")}
        chains = tuple((device, int(ledger.contiguous_seq(device))) for device in sorted(set(devices) | seen))
    return version, counts, last_id, last_at, chains


def _rows(ledger: Any, sql: str) -> list[Any]:
    with ledger.engine.connect() as conn:
        return list(conn.exec_driver_sql(sql).fetchall())


# -- scheduled backups: dated names and rotation --------------------------------------------------------


def backup_name(when: datetime, kind: str) -> str:
    """The file name of a scheduled backup taken at ``when`` (UTC): ``ledger-20260331T020000Z.sqlite``."""
    stamp = when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"ledger-{stamp}.{'pgdump' if kind == 'postgresql' else 'sqlite'}"


def to_prune(names: Iterable[str], keep_daily: int, keep_monthly: int) -> tuple[str, ...]:
    """Scheduled backups to delete: keep the newest of each of the last ``keep_daily`` days that have one
    and the newest of each of the last ``keep_monthly`` months; other names are never touched."""
    if not 1 <= keep_daily <= MAX_KEEP or not 0 <= keep_monthly <= MAX_KEEP:
        raise BackupError(
            f"--keep-daily harus 1..{MAX_KEEP} dan --keep-monthly 0..{MAX_KEEP}",
            f"--keep-daily must be 1..{MAX_KEEP} and --keep-monthly 0..{MAX_KEEP}",
        )
    stamped = sorted(
        ((m.group(1) + m.group(2), name) for name in names if (m := BACKUP_NAME_RE.match(name))), reverse=True
    )
    days: set[str] = set()
    months: set[str] = set()
    keep: set[str] = set()
    for stamp, name in stamped:  # newest first
        if stamp[:8] not in days and len(days) < keep_daily:
            days.add(stamp[:8])
            keep.add(name)
        if stamp[:6] not in months and len(months) < keep_monthly:
            months.add(stamp[:6])
            keep.add(name)
    return tuple(name for _, name in stamped if name not in keep)


def backup_rotating(
    db: str, directory: Path, *, keep_daily: int, keep_monthly: int, now: datetime | None = None
) -> tuple[BackupInfo, tuple[str, ...]]:
    """A dated backup into ``directory``, then delete the scheduled backups rotation no longer keeps.

    Nothing is deleted unless the new backup was written and checked.
    """
    to_prune([], keep_daily, keep_monthly)  # checks the numbers before any work
    if not directory.is_dir():
        raise BackupError(
            f"folder {directory} tidak ada; buat dulu", f"folder {directory} does not exist; create it first"
        )
    when = now or datetime.now(UTC)
    info = backup(db, directory / backup_name(when, "postgresql" if is_postgres(db) else "sqlite"))
    pruned = to_prune((p.name for p in directory.iterdir()), keep_daily, keep_monthly)
    for name in pruned:
        with contextlib.suppress(FileNotFoundError):
            (directory / name).unlink()
    if pruned:
        _fsync_dir(directory)
    return info, pruned
