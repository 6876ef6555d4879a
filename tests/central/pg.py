"""A throw-away PostgreSQL cluster from Debian's packaged binaries, for tests and benchmarks.

``PgCluster`` runs ``initdb`` as user ``postgres`` into a fresh temporary directory, starts it with
``pg_ctl`` on a free loopback port (socket in the same directory), hands out fresh databases, and removes
everything on ``stop``. ``available()`` says whether the binaries are installed.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Final

from tests.support.net import free_port, wait_for_port

PG_USER: Final = "postgres"
START_TIMEOUT_S: Final = 60


def bin_dir() -> Path | None:
    """The newest installed ``/usr/lib/postgresql/<version>/bin`` that has initdb, or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def available() -> bool:
    """True when initdb/pg_ctl and the postgres user exist (and we can switch to it)."""
    if bin_dir() is None or shutil.which("runuser") is None or os.geteuid() != 0:
        return False
    import pwd

    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        return False
    return True


class PgCluster:
    """One running cluster; ``database()`` returns the URL of a new, empty database."""

    def __init__(self, *, durable: bool = False) -> None:
        found = bin_dir()
        if found is None:
            raise RuntimeError("PostgreSQL binaries not found (Debian package postgresql)")
        self.bin = found
        # Throw-away clusters live in RAM when possible: creating a database copies ~7 MB of template.
        shm = Path("/dev/shm")
        in_ram = not durable and shm.is_dir() and os.access(shm, os.W_OK)
        self.dir = Path(tempfile.mkdtemp(prefix="kop-pg-", dir=shm if in_ram else None))
        self.data = self.dir / "data"
        self.port = free_port()
        self._names = itertools.count(1)
        self._started = False
        self.durable = durable  # tests run with fsync off; benchmarks measure a durable server

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", PG_USER, "--", *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=START_TIMEOUT_S,
        )

    def start(self) -> PgCluster:
        """initdb and start; idempotent."""
        if self._started:
            return self
        shutil.chown(self.dir, PG_USER, PG_USER)
        self._as_postgres(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            PG_USER,
            "--auth=trust",
            "-E",
            "UTF8",
        )
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir}"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._as_postgres(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )
        wait_for_port(self.port)
        self._started = True
        return self

    def url(self, database: str = "postgres") -> str:
        """A ``postgresql://`` URL of a database in this cluster."""
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """Create a fresh database and return its URL."""
        import psycopg

        name = f"t{next(self._names)}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={PG_USER} dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop(self, url: str) -> None:
        """Drop a database made by ``database()`` (closing its connections), to free its files."""
        import psycopg

        name = url.rsplit("/", 1)[1]
        dsn = f"host=127.0.0.1 port={self.port} user={PG_USER} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server and delete its files."""
        if self._started:
            with contextlib.suppress(subprocess.SubprocessError):
                self._as_postgres(
                    str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
                )
            self._started = False
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
