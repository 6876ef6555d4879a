"""A device bundle can carry the transparency log's public key (``log.pub``): it verifies, installs, and
the device's sync then witnesses the log; a bundle whose log key was swapped is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from edge.install import install_bundle
from provisioning.bundle import MANIFEST, enroll, verify_bundle
from provisioning.ca import init_ca
from provisioning.errors import BundleTampered, InvalidName
from sync import checkpoint as note
from sync.witnessing import LOG_KEY_FILE, load_log_key
from tests.provisioning.conftest import PASSPHRASE

LOG = note.verifier_for("kop/kopmaju/log", Ed25519PrivateKey.generate())


def test_a_bundle_with_the_log_key_verifies_installs_and_is_read(tmp_path: Path) -> None:
    """enroll --log-key writes log.pub into the signed bundle; edge installs it; sync reads the key."""
    ca = init_ca(tmp_path / "ca", "kopmaju", PASSPHRASE)
    key = ca.unlock(PASSPHRASE)
    made = enroll(ca, key, "toko-01", "toko", "pusat", log_key=LOG.encode())
    bundle = made.bundle_dir
    assert (bundle / LOG_KEY_FILE).read_text().strip() == LOG.encode()
    manifest = verify_bundle(bundle, token=made.token.text())
    assert dict(manifest.files)[LOG_KEY_FILE]
    device = tmp_path / "device"
    install_bundle(bundle, device, token=made.token.text())
    assert load_log_key(device) == LOG
    swapped = tmp_path / "swapped"
    shutil.copytree(bundle, swapped)
    other = note.verifier_for("kop/kopmaju/log", Ed25519PrivateKey.generate())
    (swapped / LOG_KEY_FILE).write_text(other.encode() + "\n")
    with pytest.raises(BundleTampered):
        verify_bundle(swapped)
    plain = enroll(ca, key, "toko-02", "toko", "pusat")
    assert not (plain.bundle_dir / LOG_KEY_FILE).exists()
    assert LOG_KEY_FILE not in (plain.bundle_dir / MANIFEST).read_text()
    with pytest.raises(InvalidName):
        enroll(ca, key, "toko-03", "toko", "pusat", log_key="not a key")
