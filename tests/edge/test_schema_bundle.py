"""Schema migrations keep a device's data across upgrades; provisioning bundles are verified before use."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from edge import schema
from edge.device import STORE_FILE, Device
from edge.errors import InvalidBundle, SchemaTooNew
from edge.install import install_bundle
from sync.envelope import canonical
from tests.edge.chain import assert_whole_chain


def test_upgrade_from_schema_1_keeps_outbox_and_chain(device_dir: Path) -> None:
    """A store written by schema 1 opens under the current schema with outbox, catalog and chain intact."""
    with Device.open(device_dir) as dev:
        for _ in range(3):
            dev.record_sale([("8991001", 1)], member="A001", payment="credit")
        before = dev.outbox_after(0, 10)
    conn = sqlite3.connect(device_dir / STORE_FILE, isolation_level=None)
    for statement in (
        "DROP TABLE counts",  # migration 5
        "DROP TABLE count_lines",
        "DROP TABLE log_checkpoints",  # migration 4
        "DROP TABLE log_problems",
        "DROP INDEX outbox_refused",  # migration 3
        "ALTER TABLE outbox DROP COLUMN refused_at",
        "ALTER TABLE outbox DROP COLUMN refused_reason",
        "DROP INDEX outbox_clerk",
        "DROP TABLE clerks",
        "DROP TABLE member_summaries",
        "PRAGMA user_version = 1",
    ):
        conn.execute(statement)
    conn.close()
    with Device.open(device_dir) as dev:
        assert schema.version(dev._conn) == schema.LATEST
        assert dev.outbox_after(0, 10) == before
        assert dev.credit_available_rp("A001") == 400000 - 3 * 68000
        dev.record_sale([("8991001", 1)])
        dev.add_clerk("k1", "Ani", "1234")
        assert_whole_chain(dev, device_dir)


def test_store_from_newer_software_is_refused_untouched(device_dir: Path) -> None:
    """A store at a schema newer than this program knows is refused with a message, not modified."""
    conn = sqlite3.connect(device_dir / STORE_FILE, isolation_level=None)
    conn.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    conn.close()
    with pytest.raises(SchemaTooNew) as info:
        Device.open(device_dir)
    assert "Upgrade" in info.value.message("en")


# ---- provisioning bundles -------------------------------------------------------------------------


def _ca(kind: str) -> tuple[object, bytes]:
    key: Ed25519PrivateKey | ec.EllipticCurvePrivateKey
    key = Ed25519PrivateKey.generate() if kind == "ed25519" else ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kop Maju CA")])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
    )
    cert = builder.sign(key, None if kind == "ed25519" else hashes.SHA256())
    return key, cert.public_bytes(serialization.Encoding.PEM)


def make_bundle(directory: Path, kind: str = "ed25519", *, list_form: bool = False) -> Path:
    """A bundle as provisioning writes it: device files, manifest with SHA-256s signed by the CA."""
    directory.mkdir()
    ca_key, ca_pem = _ca(kind)
    signing = Ed25519PrivateKey.generate()
    files = {
        "device.toml": b'coop = "kopmaju"\ndevice = "toko-07"\nunit = "toko"\nbranch = "desa"\n'
        b'[broker]\nhost = "127.0.0.1"\nport = 8883\ntls = true\n',
        "signing.key": signing.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        "ca.crt": ca_pem,
        "client.crt": b"-----BEGIN CERTIFICATE-----\nnot checked by edge\n-----END CERTIFICATE-----\n",
        "client.key": b"-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n",
    }
    for name, data in files.items():
        (directory / name).write_bytes(data)
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    manifest: dict[str, object] = {
        "device": "toko-07",
        "files": [{"path": n, "sha256": d} for n, d in digests.items()] if list_form else digests,
    }
    body = canonical(manifest)
    sig = ca_key.sign(body) if kind == "ed25519" else ca_key.sign(body, ec.ECDSA(hashes.SHA256()))  # type: ignore[attr-defined]
    manifest["signature"] = base64.b64encode(sig).decode()
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return directory


@pytest.mark.parametrize(("kind", "list_form"), [("ed25519", False), ("ecdsa", True)])
def test_bundle_installs_with_secret_modes(tmp_path: Path, kind: str, list_form: bool) -> None:
    """A good bundle (Ed25519 or ECDSA CA) installs; keys get mode 0600 and the device opens."""
    bundle = make_bundle(tmp_path / "bundle", kind, list_form=list_form)
    target = tmp_path / "device"
    public = install_bundle(bundle, target)
    for name in ("signing.key", "client.key"):
        assert stat.S_IMODE(os.stat(target / name).st_mode) == 0o600
    with Device.open(target) as dev:
        assert (
            dev.settings.device == "toko-07" and dev.settings.broker.tls and dev.settings.broker.port == 8883
        )
    assert len(base64.b64decode(public)) == 32


def _tamper_file(bundle: Path) -> None:
    (bundle / "device.toml").write_text((bundle / "device.toml").read_text().replace("toko-07", "toko-99"))


def _tamper_manifest(bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    data = (bundle / "device.toml").read_bytes().replace(b"toko-07", b"toko-99")
    (bundle / "device.toml").write_bytes(data)
    files = manifest["files"]
    files["device.toml"] = hashlib.sha256(data).hexdigest()
    (bundle / "manifest.json").write_text(json.dumps(manifest))


def _drop_key(bundle: Path) -> None:
    (bundle / "signing.key").unlink()


def _foreign_ca(bundle: Path) -> None:
    _, pem = _ca("ed25519")
    manifest = json.loads((bundle / "manifest.json").read_text())
    (bundle / "ca.crt").write_bytes(pem)
    manifest["files"]["ca.crt"] = hashlib.sha256(pem).hexdigest()
    (bundle / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("tamper", "needle"),
    [
        (_tamper_file, "device.toml does not match its SHA-256"),
        (_tamper_manifest, "signature does not match"),
        (_drop_key, "signing.key is missing"),
        (_foreign_ca, "signature does not match"),
    ],
)
def test_tampered_bundle_is_refused_with_reason(tmp_path: Path, tamper, needle: str) -> None:  # type: ignore[no-untyped-def]
    """A bundle with an altered file, altered manifest, missing file or swapped CA is refused and
    nothing is installed."""
    bundle = make_bundle(tmp_path / "bundle")
    tamper(bundle)
    target = tmp_path / "device"
    with pytest.raises(InvalidBundle) as info:
        install_bundle(bundle, target)
    assert needle in info.value.message("en") and "paket" in info.value.message("id").lower()
    assert not (target / "device.toml").exists() and not (target / STORE_FILE).exists()


def test_real_provisioning_bundle_installs_with_its_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bundle written by provisioning's enroll installs through `edge init --bundle --token`, and a
    token for another manifest is refused."""
    from edge.cli import main
    from provisioning.bundle import enroll
    from provisioning.ca import init_ca

    ca = init_ca(tmp_path / "ca", "kopmaju", b"rahasia-sekali", allow_inside_repository=True)
    made = enroll(ca, ca.unlock(b"rahasia-sekali"), "toko-09", "toko", "pusat", out=tmp_path / "bundle")
    token = made.token.text()
    wrong = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
    target = str(tmp_path / "device")
    assert (
        main(["--dir", target, "--lang", "en", "init", "--bundle", str(made.bundle_dir), "--token", wrong])
        != 0
    )
    assert "not the bundle that was enrolled" in capsys.readouterr().err
    assert main(["--dir", target, "init", "--bundle", str(made.bundle_dir), "--token", token]) == 0
    public = (made.bundle_dir / "signing.pub").read_text().strip()
    out = capsys.readouterr().out
    assert public in out
    # Enrollment registered the key with central already: no `central devices add` to copy again.
    assert "devices add" not in out and "provisioning doctor" in out
    with Device.open(target) as dev:
        assert dev.settings.device == "toko-09" and dev.settings.broker.tls


def test_token_with_another_bundle_id_is_refused_as_verify_bundle_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A token naming another bundle id is refused by `edge init --bundle` exactly as by
    `provisioning verify-bundle` (one shared check), and nothing is installed."""
    from edge.cli import main
    from provisioning.bundle import enroll, verify_bundle
    from provisioning.ca import init_ca
    from provisioning.errors import TokenMismatch

    ca = init_ca(tmp_path / "ca", "kopmaju", b"rahasia-sekali", allow_inside_repository=True)
    made = enroll(ca, ca.unlock(b"rahasia-sekali"), "toko-09", "toko", "pusat", out=tmp_path / "bundle")
    other_id = "A" * 16 if made.token.bundle_id != "A" * 16 else "B" * 16
    wrong = made.token.text().replace(f":{made.token.bundle_id}:", f":{other_id}:")
    with pytest.raises(TokenMismatch) as refused:
        verify_bundle(made.bundle_dir, token=wrong)
    target = tmp_path / "device"
    assert (
        main(
            ["--dir", str(target), "--lang", "en", "init", "--bundle", str(made.bundle_dir), "--token", wrong]
        )
        != 0
    )
    err = capsys.readouterr().err
    assert refused.value.text("en") in err and f"(bundle {other_id})" in err
    assert not (target / "device.toml").exists()
