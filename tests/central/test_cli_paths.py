"""Messages that send the operator the right way: a closed pipe, a missing ledger file, an unreachable
PostgreSQL server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from central.cli import app as cli
from central.errors import DatabaseUnreachable, NoLedger
from central.ledger import Ledger


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_report_into_head_stops_quietly(tmp_path: Path) -> None:
    """`report cashbook | head -1` prints one line and no BrokenPipeError traceback; central exits 141."""
    db = str(tmp_path / "coop.sqlite")
    central = [sys.executable, "-m", "central", "--db", db]
    subprocess.run([*central, "init"], check=True, capture_output=True)
    month = tmp_path / "march.jsonl"
    subprocess.run(
        [*central, "demo-data", "--month", "2026-03", "--out", str(month)], check=True, capture_output=True
    )
    subprocess.run([*central, "ingest", str(month)], check=True, capture_output=True)
    command = " ".join([*central, "report", "cashbook", "--from", "2026-03-01", "--to", "2026-03-31"])
    result = subprocess.run(
        ["bash", "-c", f"{command} | head -1; exit ${{PIPESTATUS[0]}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("Buku kas")
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr
    assert result.returncode == cli.EXIT_BROKEN_PIPE


def test_report_on_a_missing_sqlite_file_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report on a SQLite path that does not exist says there is no ledger there and leaves no file."""
    path = tmp_path / "typo.sqlite"
    code, _, err = run(capsys, "--db", str(path), "report", "cashbook")
    assert code == 2 and f"belum ada buku besar di {path}" in err and "init" in err
    assert sorted(tmp_path.iterdir()) == []
    with Ledger.open(path) as ledger, pytest.raises(NoLedger):
        ledger.config  # noqa: B018 - the property reads the ledger
    assert sorted(tmp_path.iterdir()) == []


def test_init_still_creates_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Only init creates a SQLite ledger; afterwards reports read it."""
    path = str(tmp_path / "coop.sqlite")
    assert run(capsys, "--db", path, "init")[0] == 0
    code, out, _ = run(capsys, "--db", path, "report", "trial-balance")
    assert code == 0 and out


def test_unreachable_postgresql_says_it_cannot_connect(capsys: pytest.CaptureFixture[str]) -> None:
    """A PostgreSQL URL nobody listens on is reported as a connection failure with host and port, not as
    'not a ledger yet, run init'."""
    with pytest.raises(DatabaseUnreachable) as raised:
        Ledger.open("postgresql://127.0.0.1:1/x")
    assert (raised.value.host, raised.value.port) == ("127.0.0.1", 1)
    code, _, err = run(capsys, "--lang", "en", "--db", "postgresql://127.0.0.1:1/x", "report", "cashbook")
    assert code == 2 and "cannot connect to PostgreSQL at 127.0.0.1:1" in err
    assert "Is the server running" in err and "init" not in err and "Traceback" not in err


def test_serve_help_describes_the_service_for_its_user() -> None:
    """`serve --help` says what the service does and how to stop it, not the module's docstring."""
    result = subprocess.run(
        [sys.executable, "-m", "central", "serve", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "usage:" in result.stdout
    assert "Runs central's MQTT service" in result.stdout and "Ctrl-C" in result.stdout
    assert "``" not in result.stdout and "central.serve.Server" not in result.stdout
