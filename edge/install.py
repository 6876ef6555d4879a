"""Setting a device directory up: from command-line settings (``init``) or a provisioning bundle.

Neither path may lose data: a directory whose store still holds transactions central has not
confirmed is only replaced with ``force=True``, and the refusal says how many would be lost.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Final

from edge import bundle as bundle_mod
from edge import keys
from edge import settings as settings_mod
from edge.device import STORE_FILE, Device
from edge.errors import AlreadyInitialized, UnsyncedData
from edge.settings import DeviceSettings

PUBLIC_MODE: Final = 0o644


def unsynced_in(directory: Path) -> int | None:
    """Unconfirmed transactions in ``directory``'s store; None when there is no store."""
    path = directory / STORE_FILE
    if not path.exists():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'"
        ).fetchone()
        if not exists:
            return 0
        return int(conn.execute("SELECT COUNT(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0])
    finally:
        conn.close()


def _clear_for_init(directory: Path, force: bool) -> None:
    """Refuse to overwrite a device unless forced; refuse harder if it holds unsynced data."""
    pending = unsynced_in(directory)
    existing = pending is not None or (directory / settings_mod.SETTINGS_FILE).exists()
    if pending and not force:
        raise UnsyncedData(str(directory), pending)
    if existing and not force:
        raise AlreadyInitialized(str(directory))
    for suffix in ("", "-wal", "-shm"):
        target = directory / (STORE_FILE + suffix)
        if target.exists():
            target.unlink()


def _write_text(path: Path, text: str, mode: int = PUBLIC_MODE) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def init_device(directory: Path, settings: DeviceSettings, *, force: bool = False) -> str:
    """Create a device directory with ``settings`` and a new signing key; return the public key text."""
    settings_mod.validate(settings)
    directory.mkdir(parents=True, exist_ok=True)
    _clear_for_init(directory, force)
    key = keys.generate(directory)
    _write_text(directory / settings_mod.SETTINGS_FILE, settings_mod.dumps(settings))
    with Device.open(directory, create=True):
        pass
    return keys.public_text(key)


def install_bundle(bundle: Path, directory: Path, *, force: bool = False, token: str | None = None) -> str:
    """Verify a provisioning bundle (and its enrollment token, if given) and install it as a device
    directory; return the public key text."""
    files = bundle_mod.verify(bundle, token)
    directory.mkdir(parents=True, exist_ok=True)
    _clear_for_init(directory, force)
    for name, data in files.items():
        target = directory / name
        if bundle_mod.is_secret(name):
            keys.write_secret(target, data)
        else:
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_bytes(data)
            os.chmod(tmp, PUBLIC_MODE)
            os.replace(tmp, target)
    with Device.open(directory, create=True) as dev:
        dev.settings  # noqa: B018 - opening creates and migrates the store
    return keys.public_text(keys.load(directory))
