"""`doctor` on a device: each problem is found and explained with what to fix."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from provisioning.doctor import check_clock, diagnose
from tests.provisioning.cli_helpers import call
from tests.provisioning.conftest import GeneratedMosquitto, Pki
from tests.support.net import free_port

pytestmark = pytest.mark.mqtt


def _device_copy(pki: Pki, device: str, tmp_path: Path, port: int) -> Path:
    """The device's bundle as a device would hold it, pointed at the test broker's port."""
    target = tmp_path / device
    shutil.copytree(pki.devices[device].bundle_dir, target)
    (target / "manifest.json").unlink()  # an installed device directory carries no manifest
    settings = target / "device.toml"
    settings.write_text(settings.read_text().replace("port = 8883", f"port = {port}"))
    return target


def _nodes(tmp_path: Path) -> tuple[Path, Path]:
    scanner, printer = tmp_path / "scanner", tmp_path / "printer"
    scanner.write_bytes(b"")
    printer.write_bytes(b"")
    return scanner, printer


def test_healthy_device_passes_every_check(
    pki: Pki, secure_broker: GeneratedMosquitto, tmp_path: Path
) -> None:
    """An enrolled device with broker, scanner and printer present passes all checks (exit 0)."""
    device = _device_copy(pki, "toko-01", tmp_path, secure_broker.port)
    scanner, printer = _nodes(tmp_path)
    code, out, err = call(
        "--lang",
        "en",
        "doctor",
        "--device",
        str(device),
        "--scanner",
        str(scanner),
        "--printer",
        str(printer),
    )
    assert code == 0, out + err
    assert "[OK ] broker: connected to broker 127.0.0.1" in out
    assert "the device is ready to sell" in out


def test_missing_scanner_and_printer_are_explained(
    pki: Pki, secure_broker: GeneratedMosquitto, tmp_path: Path
) -> None:
    """Absent scanner and printer nodes fail with what to plug in and which rule to check (exit 3)."""
    device = _device_copy(pki, "toko-01", tmp_path, secure_broker.port)
    code, out, _ = call(
        "doctor",
        "--device",
        str(device),
        "--scanner",
        str(tmp_path / "nope"),
        "--printer",
        str(tmp_path / "nope2"),
    )
    assert code == 3
    assert "[!! ] scanner: pemindai tidak ditemukan" in out and "99-koperasi.rules" in out
    assert "[!! ] printer:" in out and "2 hal perlu diperbaiki" in out


def test_unreachable_broker_is_explained(pki: Pki, tmp_path: Path) -> None:
    """With nothing listening on the broker port, doctor says the broker is unreachable and what to check."""
    device = _device_copy(pki, "toko-02", tmp_path, free_port())
    findings = {f.check: f for f in diagnose(device, scanner=_nodes(tmp_path)[0], printer=None)}
    assert not findings["broker"].ok
    assert "unreachable" in findings["broker"].en_text and "Mosquitto" in findings["broker"].fix_en


def test_device_of_another_ca_is_told_the_broker_is_not_trusted(
    pki: Pki, secure_broker: GeneratedMosquitto, tmp_path: Path
) -> None:
    """A bundle from a different CA cannot verify the broker, and doctor says so."""
    target = tmp_path / "foreign"
    shutil.copytree(pki.foreign.bundle_dir, target)
    (target / "manifest.json").unlink()
    settings = target / "device.toml"
    settings.write_text(settings.read_text().replace("port = 8883", f"port = {secure_broker.port}"))
    findings = {f.check: f for f in diagnose(target, scanner=_nodes(tmp_path)[0], printer=None)}
    assert not findings["broker"].ok and "not trusted" in findings["broker"].en_text


def test_tampered_bundle_is_reported_before_anything_else(pki: Pki, tmp_path: Path) -> None:
    """Run on a bundle, doctor verifies the manifest and names the changed file."""
    bundle = tmp_path / "bundle"
    shutil.copytree(pki.devices["cafe-01"].bundle_dir, bundle)
    (bundle / "ca.crt").write_text((bundle / "ca.crt").read_text() + "\n")
    findings = diagnose(bundle, scanner=tmp_path, printer=None, broker=False)
    bundle_finding = next(f for f in findings if f.check == "bundle")
    assert not bundle_finding.ok and "ca.crt was changed" in bundle_finding.en_text


def test_loose_key_permissions_are_flagged(pki: Pki, tmp_path: Path) -> None:
    """A key readable by other users is flagged with the chmod that fixes it."""
    device = _device_copy(pki, "toko-01", tmp_path, free_port())
    (device / "client.key").chmod(0o644)
    findings = diagnose(device, scanner=tmp_path, printer=None, broker=False)
    perm = next(f for f in findings if f.check == "permissions")
    assert not perm.ok and perm.fix_en == "chmod 600 client.key"


def test_clock_check() -> None:
    """A clock in 1970, or before the certificate's start, is wrong; a normal clock is fine."""
    now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    assert check_clock(now, now - timedelta(days=1)).ok
    assert not check_clock(datetime(1970, 1, 1, tzinfo=UTC), None).ok
    late = check_clock(now, now + timedelta(days=3))
    assert not late.ok and "timesyncd" in late.fix_en


def test_missing_device_directory_is_explained(tmp_path: Path) -> None:
    """Pointing doctor at an empty directory says device.toml is missing and how to install a bundle."""
    code, out, _ = call(
        "--lang",
        "en",
        "doctor",
        "--device",
        str(tmp_path),
        "--offline",
        "--no-printer",
        "--scanner",
        str(tmp_path),
    )
    assert code == 3 and "device.toml does not exist" in out and "edge init --bundle" in out
