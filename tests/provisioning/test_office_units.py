"""The office server's system files: central serve, the nightly backup and its timer, accepted by systemd."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from provisioning.errors import InvalidName, OutputExists
from provisioning.office import (
    BACKUP_TIMER,
    BACKUP_UNIT,
    NOTIFY_UNIT,
    PORTAL_UNIT,
    SERVE_UNIT,
    OfficeOptions,
    office_files,
    write_office_files,
)
from tests.provisioning.cli_helpers import call

SYSTEM_UNITS = Path("/usr/lib/systemd/system")
RUN_TIMEOUT_S = 60
UNITS = (SERVE_UNIT, PORTAL_UNIT, NOTIFY_UNIT, BACKUP_UNIT, BACKUP_TIMER)


def _verify_root(tmp_path: Path, options: OfficeOptions) -> Path:
    """A stand-in root: Debian's own units, the generated ones, and a stand-in venv python (executable)."""
    root = tmp_path / "root"
    write_office_files(options, root)
    shutil.copytree(SYSTEM_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    python = root / options.python.lstrip("/")
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\nexit 0\n")
    python.chmod(0o755)
    return root


def _analyze(root: Path, *units: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", *(f"/etc/systemd/system/{u}" for u in units)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )


@pytest.fixture
def analyze_available() -> None:
    if shutil.which("systemd-analyze") is None or not SYSTEM_UNITS.is_dir():
        pytest.skip("systemd-analyze (Debian systemd) is not installed")


def test_the_backup_runs_nightly_with_rotation_and_catches_up() -> None:
    """The timer fires every night at the chosen time (a missed night runs at boot); the service rotates."""
    files = office_files(OfficeOptions(backup_time="01:15", keep_daily=7, keep_monthly=24))
    timer = files[f"etc/systemd/system/{BACKUP_TIMER}"].splitlines()
    assert "OnCalendar=*-*-* 01:15:00" in timer and "Persistent=true" in timer
    service = files[f"etc/systemd/system/{BACKUP_UNIT}"]
    assert "-m central --db /var/lib/koperasi/central.sqlite backup --dir /var/backups/koperasi" in service
    assert "--keep-daily 7 --keep-monthly 24" in service
    assert "UMask=0077" in service.splitlines()  # backups hold members' personal data


def test_serve_restarts_and_reads_secrets_from_an_env_file() -> None:
    """central serve always restarts; a PostgreSQL URL with its password comes from the env file, not argv."""
    files = office_files(OfficeOptions(db="postgresql://kop@127.0.0.1:5432/coop"))
    serve = files[f"etc/systemd/system/{SERVE_UNIT}"]
    assert "Restart=always" in serve.splitlines()
    assert "EnvironmentFile=-/etc/koperasi/central.env" in serve.splitlines()
    assert "postgresql://" not in serve  # KOP_DB comes from the env file
    assert "-m central serve --broker 127.0.0.1:8883" in serve
    with pytest.raises(InvalidName):
        office_files(OfficeOptions(db="postgresql://kop:secret@127.0.0.1:5432/coop"))


def test_the_portal_serves_on_loopback_behind_tls_with_workers_and_the_office_key() -> None:
    files = office_files(OfficeOptions(portal_workers=4, portal_url="https://portal.kopmaju.id"))
    portal = files[f"etc/systemd/system/{PORTAL_UNIT}"]
    command = " ".join(
        line.strip().rstrip("\\") for line in portal.splitlines() if line.startswith(("ExecStart", " "))
    )
    assert "-m central --db /var/lib/koperasi/central.sqlite portal --listen 127.0.0.1:8080" in command
    assert "--workers 4 --https --public-url https://portal.kopmaju.id" in " ".join(command.split())
    assert "--office-key /etc/koperasi/office.key" in command
    assert "Restart=always" in portal.splitlines()
    for bad in (
        OfficeOptions(portal_listen="0.0.0.0:8080"),
        OfficeOptions(portal_url="portal.koperasi"),
        OfficeOptions(portal_workers=0),
        OfficeOptions(office_key="office key"),
    ):
        with pytest.raises(InvalidName):
            office_files(bad)


def test_systemd_accepts_the_generated_units(tmp_path: Path, analyze_available: None) -> None:
    """`systemd-analyze verify` reports nothing for the generated units (stand-in python at /opt)."""
    root = _verify_root(tmp_path, OfficeOptions())
    done = _analyze(root, *UNITS)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""


def test_systemd_verification_catches_a_broken_timer(tmp_path: Path, analyze_available: None) -> None:
    """The same check flags a timer with a bad calendar, so a clean result above means something."""
    root = _verify_root(tmp_path, OfficeOptions())
    timer = root / "etc/systemd/system" / BACKUP_TIMER
    timer.write_text(timer.read_text().replace("OnCalendar=*-*-* 02:30:00", "OnCalendar=tonight"))
    done = _analyze(root, BACKUP_TIMER)
    assert "tonight" in done.stderr


def test_bad_options_are_refused_and_nothing_is_overwritten(tmp_path: Path) -> None:
    """A bad backup time is a message (exit 2); a second run into the same folder overwrites nothing."""
    code, _, err = call(
        "--lang", "en", "office-files", "--out", str(tmp_path / "a"), "--backup-time", "25:00"
    )
    assert code != 0 and "HH:MM" in err
    assert not (tmp_path / "a").exists()
    assert call("office-files", "--out", str(tmp_path / "b"))[0] == 0
    assert sorted(p.name for p in (tmp_path / "b/etc/systemd/system").iterdir()) == sorted(UNITS)
    with pytest.raises(OutputExists):
        write_office_files(OfficeOptions(), tmp_path / "b")
