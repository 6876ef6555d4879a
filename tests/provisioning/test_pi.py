"""The Pi's system files: units that systemd accepts, udev rules that udev parses, no overwrites."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from provisioning.errors import InvalidName, OutputExists
from provisioning.pi import KIOSK_UNIT, SYNC_UNIT, UDEV_RULES, PiOptions, pi_files, write_pi_files
from tests.provisioning.cli_helpers import call

SYSTEM_UNITS = Path("/usr/lib/systemd/system")
RUN_TIMEOUT_S = 60


def _verify_root(tmp_path: Path, options: PiOptions) -> Path:
    """A stand-in root: Debian's own units, the generated ones, and a stand-in venv python (executable)."""
    root = tmp_path / "root"
    write_pi_files(options, root)
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


def test_units_restart_on_failure_with_a_watchdog() -> None:
    """Both units restart on failure, under a watchdog, as the kiosk user, writing only the data partition."""
    files = pi_files(PiOptions())
    for unit in (SYNC_UNIT, KIOSK_UNIT):
        text = files[f"etc/systemd/system/{unit}"]
        for line in (
            "Restart=on-failure",
            "Type=notify",
            "WatchdogSec=60",
            "User=kiosk",
            "ProtectSystem=strict",
            "ReadWritePaths=/var/lib/koperasi",
        ):
            assert line in text.splitlines(), (unit, line)
        assert (
            "ExecStart=/opt/koperasi/venv/bin/python -m provisioning watchdog -- "
            "/opt/koperasi/venv/bin/python" in text
        )
    assert "-m sync --device /var/lib/koperasi/device" in files[f"etc/systemd/system/{SYNC_UNIT}"]


def test_systemd_accepts_the_generated_units(tmp_path: Path, analyze_available: None) -> None:
    """`systemd-analyze verify` reports nothing for the generated units (stand-in python at /opt)."""
    root = _verify_root(tmp_path, PiOptions())
    done = _analyze(root, SYNC_UNIT, KIOSK_UNIT)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""


def test_systemd_verification_catches_a_broken_unit(tmp_path: Path, analyze_available: None) -> None:
    """The same check flags a unit with a bad value, so a clean result above means something."""
    root = _verify_root(tmp_path, PiOptions())
    unit = root / "etc/systemd/system" / SYNC_UNIT
    unit.write_text(unit.read_text().replace("WatchdogSec=60", "WatchdogSec=sixty"))
    done = _analyze(root, SYNC_UNIT)
    assert "sixty" in done.stderr


def _udev_parse(tmp_path: Path, rules: str) -> list[str]:
    """Lines udev itself prints about our rules file, parsed by `udevadm test` in a private mount namespace.

    The namespace hides the system's rules and gives udev a throw-away /run/udev and /dev, so only our
    file is read and nothing on the machine changes.
    """
    if shutil.which("udevadm") is None or shutil.which("unshare") is None:
        pytest.skip("udevadm/unshare not installed")
    rules_dir, empty = tmp_path / "rules", tmp_path / "empty"
    rules_dir.mkdir()
    empty.mkdir()
    (rules_dir / UDEV_RULES).write_text(rules)
    script = (
        "set -e; mount --make-rprivate /; mount -t tmpfs none /run/udev 2>/dev/null || "
        "{ mkdir -p /run/udev; mount -t tmpfs none /run/udev; }; mkdir /run/udev/rules.d; "
        f"mount --bind {rules_dir} /run/udev/rules.d; mount --bind {empty} /usr/lib/udev/rules.d; "
        f"mount --bind {empty} /etc/udev/rules.d; mount -t tmpfs none /dev; "
        "udevadm test --action=add /sys/class/tty/tty0"
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    output = done.stdout + done.stderr
    if f"Reading rules file: /run/udev/rules.d/{UDEV_RULES}" not in output:
        pytest.skip(f"udevadm test could not run here: {output[-300:]}")
    return [line for line in output.splitlines() if f"{UDEV_RULES}:" in line]


def test_udev_parses_the_generated_rules(tmp_path: Path) -> None:
    """udev reads the generated rules without complaint (bar the kiosk group, which this machine lacks)."""
    complaints = _udev_parse(tmp_path, pi_files(PiOptions())[f"etc/udev/rules.d/{UDEV_RULES}"])
    assert [c for c in complaints if "Unknown group 'kiosk'" not in c] == []


def test_udev_check_catches_a_broken_rule(tmp_path: Path) -> None:
    """The same check reports a rule with an invalid key, so a clean result above means something."""
    complaints = _udev_parse(tmp_path, 'SUBSYSTEM=="input", ATTRZ{idVendor}=="05e0", MODE="0660"\n')
    assert complaints and "Invalid" in complaints[0]


def test_udev_rule_pins_scanner_and_printer_by_usb_id() -> None:
    """The rule matches the given vendor/product ids and hands the nodes to the kiosk user's group."""
    rules = pi_files(PiOptions(scanner_vendor="0c2e", scanner_product="0b61", user="kasir"))[
        f"etc/udev/rules.d/{UDEV_RULES}"
    ]
    scanner = next(line for line in rules.splitlines() if 'SUBSYSTEM=="input"' in line)
    assert 'ATTRS{idVendor}=="0c2e"' in scanner and 'ATTRS{idProduct}=="0b61"' in scanner
    assert (
        'GROUP="kasir"' in scanner and 'MODE="0660"' in scanner and 'SYMLINK+="koperasi/scanner"' in scanner
    )
    assert 'SYMLINK+="koperasi/printer"' in rules
    no_printer = pi_files(PiOptions(printer_vendor=None, printer_product=None))[
        f"etc/udev/rules.d/{UDEV_RULES}"
    ]
    assert "printer" not in no_printer.replace("# ESC/POS", "")


def test_pi_files_command_refuses_bad_ids_and_overwrites(tmp_path: Path) -> None:
    """pi-files refuses a malformed USB id and an existing output, naming the problem; writes nothing then."""
    code, _, err = call("--lang", "en", "pi-files", "--out", str(tmp_path / "a"), "--scanner-vendor", "xyz")
    assert code == 1 and "--scanner-vendor 'xyz' must be 4 lowercase hex digits" in err
    assert not (tmp_path / "a").exists()
    assert call("pi-files", "--out", str(tmp_path / "b"))[0] == 0
    assert (tmp_path / "b" / "README-readonly-root.md").is_file()
    with pytest.raises(OutputExists):
        write_pi_files(PiOptions(), tmp_path / "b")
    with pytest.raises(InvalidName):
        pi_files(PiOptions(data_dir="relative/path"))
