"""The log's signing key: an Ed25519 key of its own (not the CA's, not the office's), PEM PKCS8 in a file
of mode 0600 outside the database.

Where it is: ``--log-key``, else ``$KOP_LOG_KEY``, else beside a SQLite ledger (``coop.sqlite`` ->
``coop.log.key``). A key file that others may read is refused: whoever holds it can sign checkpoints.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from central.transparency.errors import LogKeyError

KEY_ENV: Final = "KOP_LOG_KEY"
KEY_SUFFIX: Final = ".log.key"
SECRET_MODE: Final = 0o600


def key_path(ledger_target: str, explicit: Path | None = None) -> Path:
    """Where the log key lives: ``explicit``, ``$KOP_LOG_KEY``, or beside a SQLite ledger."""
    if explicit is not None:
        return explicit
    env = os.environ.get(KEY_ENV)
    if env:
        return Path(env)
    if "://" in ledger_target:
        raise LogKeyError(
            "a PostgreSQL ledger keeps no files beside it: give the log key with --log-key PATH or "
            f"{KEY_ENV}",
            f"buku besar PostgreSQL tidak punya folder: beri kunci log dengan --log-key PATH atau {KEY_ENV}",
        )
    db = Path(ledger_target)
    return db.with_name(db.stem + KEY_SUFFIX)


def write_new_key(path: Path) -> Ed25519PrivateKey:
    """Create a new key at ``path`` with mode 0600; an existing file is never overwritten."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SECRET_MODE)
    except FileExistsError as err:
        raise LogKeyError(
            f"{path} already exists; the log key is never overwritten",
            f"{path} sudah ada; kunci log tidak pernah ditimpa",
        ) from err
    except OSError as err:
        raise LogKeyError(f"cannot create {path}: {err}", f"tidak bisa membuat {path}: {err}") from err
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(path, SECRET_MODE)  # whatever the umask did
    return key


def load_key(path: Path) -> Ed25519PrivateKey:
    """Read the log key; refuse a missing, foreign or others-readable file with what to do."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError as err:
        raise LogKeyError(
            f"log key {path} does not exist; run `transparency init` first (or give --log-key)",
            f"kunci log {path} tidak ada; jalankan dulu `transparency init` (atau beri --log-key)",
        ) from err
    except OSError as err:
        raise LogKeyError(f"cannot read {path}: {err}", f"tidak bisa membaca {path}: {err}") from err
    if mode & 0o077:
        raise LogKeyError(
            f"log key {path} has mode {mode:04o}: others may read it; run `chmod 600 {path}`",
            f"kunci log {path} bermode {mode:04o}: orang lain bisa membacanya; jalankan `chmod 600 {path}`",
        )
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as err:
        raise LogKeyError(
            f"{path} is not an Ed25519 private key (PEM PKCS8)",
            f"{path} bukan kunci privat Ed25519 (PEM PKCS8)",
        ) from err
    if not isinstance(key, Ed25519PrivateKey):
        raise LogKeyError(
            f"{path} is not an Ed25519 private key (PEM PKCS8)",
            f"{path} bukan kunci privat Ed25519 (PEM PKCS8)",
        )
    return key
