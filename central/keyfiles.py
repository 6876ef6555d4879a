"""Signing keys kept in files outside the database: the office's (it signs the office chain) and the
transparency log's (it signs checkpoints). Each is an Ed25519 key, PEM PKCS8, in a file of mode 0600 that
is never overwritten; a file others may read is refused, since whoever copies it can sign.

Where a key lives: the command's option (``--office-key``), else its environment variable, else beside a
SQLite ledger (``coop.sqlite`` -> ``coop.office.key``). A PostgreSQL ledger has no folder: the option or
the variable must say.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from central.errors import CentralError

SECRET_MODE: Final = 0o600


@dataclass(frozen=True)
class KeyFile:
    """One kind of key file: what it is called (English, Indonesian), the command that makes it, the
    option and variable that name it, the suffix beside a SQLite ledger, and the error to raise (built
    from the English and the Indonesian message)."""

    name_en: str
    name_id: str
    init: str
    option: str
    env: str
    suffix: str
    error: Callable[[str, str], CentralError]

    def path(self, ledger_target: str, explicit: Path | None = None) -> Path:
        """``explicit``, else the environment variable, else beside a SQLite ledger."""
        if explicit is not None:
            return explicit
        named = os.environ.get(self.env)
        if named:
            return Path(named)
        if "://" in ledger_target:
            raise self.error(
                f"a PostgreSQL ledger keeps no files beside it: give the {self.name_en} with {self.option}"
                f" PATH or {self.env}",
                f"buku besar PostgreSQL tidak punya folder: beri {self.name_id} dengan {self.option} PATH"
                f" atau {self.env}",
            )
        db = Path(ledger_target)
        return db.with_name(db.stem + self.suffix)

    def write_new(self, path: Path) -> Ed25519PrivateKey:
        """Create a new key at ``path`` with mode 0600; an existing file is never overwritten."""
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SECRET_MODE)
        except FileExistsError as err:
            raise self.error(
                f"{path} already exists; the {self.name_en} is never overwritten",
                f"{path} sudah ada; {self.name_id} tidak pernah ditimpa",
            ) from err
        except OSError as err:
            raise self.error(f"cannot create {path}: {err}", f"tidak bisa membuat {path}: {err}") from err
        try:
            os.write(fd, pem)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(path, SECRET_MODE)  # whatever the umask did
        return key

    def load(self, path: Path) -> Ed25519PrivateKey:
        """Read the key; refuse a missing, foreign or others-readable file, saying what to do."""
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError as err:
            raise self.error(
                f"{self.name_en} {path} does not exist; run `{self.init}` first (or give {self.option})",
                f"{self.name_id} {path} tidak ada; jalankan dulu `{self.init}` (atau beri {self.option})",
            ) from err
        except OSError as err:
            raise self.error(f"cannot read {path}: {err}", f"tidak bisa membaca {path}: {err}") from err
        if mode & 0o077:
            raise self.error(
                f"{self.name_en} {path} has mode {mode:04o}: others may read it; run `chmod 600 {path}`"
                " (and make a new key if someone else could have copied it)",
                f"{self.name_id} {path} bermode {mode:04o}: orang lain bisa membacanya; jalankan"
                f" `chmod 600 {path}` (dan buat kunci baru bila orang lain mungkin sudah menyalinnya)",
            )
        try:
            key = load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as err:
            raise self.error(
                f"{path} is not an Ed25519 private key (PEM PKCS8)",
                f"{path} bukan kunci privat Ed25519 (PEM PKCS8)",
            ) from err
        if not isinstance(key, Ed25519PrivateKey):
            raise self.error(
                f"{path} is not an Ed25519 private key (PEM PKCS8)",
                f"{path} bukan kunci privat Ed25519 (PEM PKCS8)",
            )
        return key
