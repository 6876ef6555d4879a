"""Enrollment bundles: the contract's layout, owner-only secrets, and refusal of anything tampered."""

from __future__ import annotations

import base64
import json
import shutil
import stat
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import zxingcpp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from provisioning.bundle import BUNDLE_FILES, MANIFEST, enroll, parse_token, verify_bundle
from provisioning.ca import init_ca
from provisioning.errors import BundleTampered, DeviceExists, InvalidName, TokenMismatch
from sync import envelope
from tests.provisioning.conftest import PASSPHRASE, Pki


def _copy(bundle: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(bundle, target)
    return target


def test_bundle_has_the_contract_layout_and_tls_settings(pki: Pki) -> None:
    """A bundle holds exactly the contract's files, and device.toml names the device with TLS on."""
    bundle = pki.devices["cafe-01"].bundle_dir
    assert sorted(p.name for p in bundle.iterdir()) == sorted((*BUNDLE_FILES, MANIFEST))
    settings = tomllib.loads((bundle / "device.toml").read_text())
    assert settings["device"] == "cafe-01" and settings["unit"] == "cafe" and settings["branch"] == "timur"
    assert settings["coop"] == "kopmaju"
    assert settings["broker"] == {
        "host": "127.0.0.1",
        "port": 8883,
        "tls": True,
        "ca": "ca.crt",
        "cert": "client.crt",
        "key": "client.key",
        "username": "",
        "password": "",
    }


def test_secret_files_are_owner_only(pki: Pki) -> None:
    """Private keys in bundles and the CA directory are mode 0600, bundle directories 0700."""
    bundle = pki.devices["toko-01"].bundle_dir
    for path in (
        bundle / "signing.key",
        bundle / "client.key",
        pki.ca.path("ca.key"),
        pki.ca.path("server.key"),
    ):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o700


def test_ca_key_is_encrypted_with_the_passphrase(pki: Pki) -> None:
    """The CA key on disk does not open without the passphrase."""
    pem = pki.ca.path("ca.key").read_bytes()
    assert b"ENCRYPTED" in pem
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(pem, password=None)


def test_signing_key_signs_envelopes_central_can_verify(pki: Pki) -> None:
    """The bundle's signing key signs envelopes that verify with the public key central registers."""
    bundle = pki.devices["toko-01"].bundle_dir
    key = serialization.load_pem_private_key((bundle / "signing.key").read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    public = envelope.load_public_key(pki.devices["toko-01"].record.signing_public_key)
    signed = envelope.sign({"v": 1, "id": "toko-01:1", "device": "toko-01"}, key)
    assert envelope.verify(signed, public)
    assert (bundle / "signing.pub").read_text().strip() == envelope.public_key_text(public)


def test_untouched_bundle_verifies_with_its_token(pki: Pki) -> None:
    """A bundle straight from enroll verifies, also against its QR token and its CA fingerprint."""
    enrollment = pki.devices["toko-01"]
    manifest = verify_bundle(
        enrollment.bundle_dir,
        token=enrollment.token.text(),
        trusted_ca_sha256=json.loads((enrollment.bundle_dir / MANIFEST).read_text())["ca_sha256"],
    )
    assert (manifest.device, manifest.unit, manifest.branch) == ("toko-01", "toko", "pusat")


def test_qr_code_decodes_to_the_token(pki: Pki) -> None:
    """The QR image beside the bundle decodes back to exactly the enrollment token."""
    enrollment = pki.devices["toko-02"]
    found = zxingcpp.read_barcodes(Image.open(enrollment.qr_png).convert("L"))
    assert [r.text for r in found] == [enrollment.token.text()]
    assert parse_token(found[0].text) == enrollment.token


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda b: (b / "device.toml").write_text(
                (b / "device.toml").read_text().replace("pusat", "timur")
            ),
            "device.toml was changed",
        ),
        (
            lambda b: (b / "signing.pub").write_text(base64.b64encode(bytes(32)).decode() + "\n"),
            "signing.pub was changed",
        ),
        (lambda b: (b / "client.key").unlink(), "client.key is missing"),
        (lambda b: (b / "evil.sh").write_text("#!/bin/sh\n"), "unexpected file evil.sh"),
        (lambda b: (b / MANIFEST).write_text("{"), "manifest.json is damaged"),
    ],
)
def test_tampered_bundle_is_refused_with_a_reason(pki: Pki, tmp_path: Path, change, reason: str) -> None:
    """Any change to a bundle after enrollment is refused, and the message says what changed."""
    bundle = _copy(pki.devices["toko-01"].bundle_dir, tmp_path)
    change(bundle)
    with pytest.raises(BundleTampered) as caught:
        verify_bundle(bundle)
    assert reason in caught.value.en_text
    assert caught.value.id_text != caught.value.en_text


def test_rehashed_manifest_without_ca_signature_is_refused(pki: Pki, tmp_path: Path) -> None:
    """Fixing up the hashes in the manifest after editing a file does not help: the CA signature breaks."""
    bundle = _copy(pki.devices["toko-01"].bundle_dir, tmp_path)
    (bundle / "device.toml").write_text((bundle / "device.toml").read_text().replace("127.0.0.1", "10.6.6.6"))
    data = json.loads((bundle / MANIFEST).read_text())
    import hashlib

    data["files"]["device.toml"] = hashlib.sha256((bundle / "device.toml").read_bytes()).hexdigest()
    (bundle / MANIFEST).write_text(json.dumps(data))
    with pytest.raises(BundleTampered, match="signature does not match the CA"):
        verify_bundle(bundle)


def test_bundle_resigned_by_another_ca_fails_the_token(pki: Pki) -> None:
    """A whole bundle from another CA is self-consistent, but the scanned token and the pinned CA catch it."""
    foreign = pki.foreign.bundle_dir
    verify_bundle(foreign)  # internally consistent
    with pytest.raises(TokenMismatch, match="not the bundle that was enrolled"):
        bogus = pki.devices["toko-01"].token
        forged = bogus.__class__(
            bogus.device, pki.foreign.token.bundle_id, bogus.expires_at, bogus.manifest_sha256
        )
        verify_bundle(foreign, token=forged.text())
    ours = json.loads((pki.devices["toko-01"].bundle_dir / MANIFEST).read_text())["ca_sha256"]
    with pytest.raises(BundleTampered, match="not the trusted cooperative CA"):
        verify_bundle(foreign, trusted_ca_sha256=ours)


def test_token_of_another_device_or_expired_is_refused(pki: Pki) -> None:
    """A QR token for another device, or one past its expiry, is refused."""
    bundle = pki.devices["toko-01"].bundle_dir
    with pytest.raises(TokenMismatch, match="for device toko-02"):
        verify_bundle(bundle, token=pki.devices["toko-02"].token.text())
    later = datetime.now(UTC) + timedelta(days=4)
    with pytest.raises(TokenMismatch, match="expired"):
        verify_bundle(bundle, token=pki.devices["toko-01"].token.text(), now=later)
    with pytest.raises(TokenMismatch, match="not readable"):
        verify_bundle(bundle, token="hello")


def test_device_ids_are_validated_and_never_reused(tmp_path: Path) -> None:
    """Invalid or reserved ids are refused and an enrolled id is never enrolled again; nothing is written."""
    ca = init_ca(tmp_path / "ca", "kopmaju", PASSPHRASE)
    key = ca.unlock(PASSPHRASE)
    for bad in ("Toko 01", "central", "", "a/b", "x" * 49):
        with pytest.raises(InvalidName):
            enroll(ca, key, bad, "toko", "pusat")
    enroll(ca, key, "toko-01", "toko", "pusat")
    with pytest.raises(DeviceExists):
        enroll(ca, key, "toko-01", "toko", "pusat")
    assert [d.device for d in ca.registry().devices] == ["toko-01"]
    assert sorted(p.name for p in (tmp_path / "ca" / "bundles").iterdir()) == [
        "toko-01",
        "toko-01.enroll.png",
        "toko-01.enroll.txt",
        "toko-01.public.json",
    ]


def test_installed_device_directory_may_hold_more_but_not_changed_files(pki: Pki, tmp_path: Path) -> None:
    """In an installed device directory the device's own files are allowed; bundle files must be unchanged."""
    device = _copy(pki.devices["toko-02"].bundle_dir, tmp_path)
    (device / "edge.sqlite").write_bytes(b"SQLite format 3\x00")
    assert verify_bundle(device, installed=True).device == "toko-02"
    with pytest.raises(BundleTampered, match=r"unexpected file edge\.sqlite"):
        verify_bundle(device)
    (device / "client.crt").write_text((device / "client.crt").read_text() + "\n")
    with pytest.raises(BundleTampered, match=r"client\.crt was changed"):
        verify_bundle(device, installed=True)
