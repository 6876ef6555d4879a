"""The device's Ed25519 signing key: signing.key, PEM PKCS8, readable by its owner only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from edge.errors import InvalidKey
from sync.envelope import public_key_text

KEY_FILE: Final = "signing.key"
SECRET_MODE: Final = 0o600


def write_secret(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` created with mode 0600 (never world-readable, not even briefly), durably."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, SECRET_MODE)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, SECRET_MODE)
    os.replace(tmp, path)


def generate(directory: Path) -> Ed25519PrivateKey:
    """Create a new key in ``directory/signing.key`` and return it."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    write_secret(directory / KEY_FILE, pem)
    return key


def load(directory: Path) -> Ed25519PrivateKey:
    """Read ``directory/signing.key``."""
    path = directory / KEY_FILE
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as err:
        raise InvalidKey(str(path)) from err
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidKey(str(path))
    return key


def public_text(key: Ed25519PrivateKey) -> str:
    """The public half as central's device registry stores it (base64 of 32 raw bytes)."""
    return public_key_text(key.public_key())
