"""`python -m edge init --bundle` accepts provisioning's bundles as they are and refuses tampered ones."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.provisioning.cli_helpers import ROOT
from tests.provisioning.conftest import Pki

pytest.importorskip("edge.install")


def _edge_init(device_dir: Path, bundle: Path, token: str | None) -> subprocess.CompletedProcess[str]:
    args = [
        sys.executable,
        "-m",
        "edge",
        "--dir",
        str(device_dir),
        "--lang",
        "en",
        "init",
        "--bundle",
        str(bundle),
    ]
    if token:
        args += ["--token", token]
    return subprocess.run(
        args,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_edge_installs_an_enrolled_bundle_with_its_token(pki: Pki, tmp_path: Path) -> None:
    """An untouched bundle with its QR token installs as a device directory with owner-only keys."""
    enrollment = pki.devices["toko-02"]
    device_dir = tmp_path / "device"
    done = _edge_init(device_dir, enrollment.bundle_dir, enrollment.token.text())
    assert done.returncode == 0, done.stdout + done.stderr
    for key in ("signing.key", "client.key"):
        assert stat.S_IMODE((device_dir / key).stat().st_mode) == 0o600
    assert "tls = true" in (device_dir / "device.toml").read_text()


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("edit device.toml", "device.toml does not match its SHA-256 in the manifest (the file was altered)"),
        ("swap client.crt", "client.crt does not match its SHA-256 in the manifest (the file was altered)"),
        ("wrong token", "this QR code is for device toko-02"),
    ],
)
def test_edge_refuses_a_tampered_bundle_with_a_reason(
    pki: Pki, tmp_path: Path, tamper: str, reason: str
) -> None:
    """A bundle changed after enrollment, or installed with another device's token, is refused readably."""
    bundle = tmp_path / "bundle"
    shutil.copytree(pki.devices["toko-01"].bundle_dir, bundle)
    token = pki.devices["toko-01"].token.text()
    if tamper == "edit device.toml":
        path = bundle / "device.toml"
        path.write_text(path.read_text().replace("127.0.0.1", "203.0.113.9"))
    elif tamper == "swap client.crt":
        shutil.copy(pki.devices["toko-02"].bundle_dir / "client.crt", bundle / "client.crt")
    else:
        token = pki.devices["toko-02"].token.text()
    device_dir = tmp_path / "device"
    done = _edge_init(device_dir, bundle, token)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert reason in done.stderr + done.stdout
    assert not (device_dir / "signing.key").exists()
