"""Setting a device directory up: from command-line settings (``init``) or a provisioning bundle.

Neither path may lose data: a directory whose store still holds transactions central has not
confirmed is only replaced with ``force=True``, and the refusal says how many would be lost.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from edge import bundle as bundle_mod
from edge import keys
from edge import settings as settings_mod
from edge.device import STORE_FILE, Device
from edge.errors import AlreadyInitialized, UnsyncedData
from edge.settings import DeviceSettings

PUBLIC_MODE: Final = 0o644


@dataclass(frozen=True)
class ChainHead:
    """Where a device's chain stood in a store that is being replaced."""

    device: str
    last_seq: int
    last_hash: str
    last_ack_seq: int


def _old_store(directory: Path) -> tuple[int, ChainHead | None] | None:
    """(unconfirmed transactions, chain head) of ``directory``'s store; None when there is no store.

    Raises ``sqlite3.DatabaseError`` when the store is unreadable.
    """
    path = directory / STORE_FILE
    if not path.exists():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "outbox" not in tables or "meta" not in tables:
            return 0, None
        pending = int(conn.execute("SELECT COUNT(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0])
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()
    if "device" not in meta or "last_seq" not in meta:
        return pending, None
    head = ChainHead(
        meta["device"], int(meta["last_seq"]), meta["last_hash"], int(meta.get("last_ack_seq", 0))
    )
    return pending, head


def unsynced_in(directory: Path) -> int | None:
    """Unconfirmed transactions in ``directory``'s store; None when there is no store."""
    found = _old_store(directory)
    return None if found is None else found[0]


def _clear_for_init(directory: Path, force: bool) -> ChainHead | None:
    """Refuse to overwrite a device unless forced (with the count of what would be lost); return the old
    chain head so a re-initialised device with the same id continues its chain instead of restarting it."""
    try:
        found = _old_store(directory)
    except sqlite3.DatabaseError:
        if not force:
            raise AlreadyInitialized(str(directory)) from None
        found = (0, None)
    existing = found is not None or (directory / settings_mod.SETTINGS_FILE).exists()
    if found is not None and found[0] and not force:
        raise UnsyncedData(str(directory), found[0])
    if existing and not force:
        raise AlreadyInitialized(str(directory))
    for suffix in ("", "-wal", "-shm"):
        target = directory / (STORE_FILE + suffix)
        if target.exists():
            target.unlink()
    return None if found is None else found[1]


def _continue_chain(directory: Path, head: ChainHead | None) -> None:
    """Carry the old chain head into the new store when the device id is unchanged: seq goes on from
    where it was and ``prev`` links to the last envelope, so central sees a gap (if unsynced rows were
    given up with --force) rather than a second chain starting at 1."""
    with Device.open(directory, create=True) as dev:
        if head is None or head.device != dev.settings.device:
            return
        dev.continue_chain(head.last_seq, head.last_hash, head.last_ack_seq)


def _write_text(path: Path, text: str, mode: int = PUBLIC_MODE) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def init_device(directory: Path, settings: DeviceSettings, *, force: bool = False) -> str:
    """Create a device directory with ``settings`` and a new signing key; return the public key text."""
    settings_mod.validate(settings)
    directory.mkdir(parents=True, exist_ok=True)
    head = _clear_for_init(directory, force)
    key = keys.generate(directory)
    _write_text(directory / settings_mod.SETTINGS_FILE, settings_mod.dumps(settings))
    _continue_chain(directory, head)
    return keys.public_text(key)


def install_bundle(bundle: Path, directory: Path, *, force: bool = False, token: str | None = None) -> str:
    """Verify a provisioning bundle (and its enrollment token, if given) and install it as a device
    directory; return the public key text."""
    files = bundle_mod.verify(bundle, token)
    directory.mkdir(parents=True, exist_ok=True)
    head = _clear_for_init(directory, force)
    for name, data in files.items():
        target = directory / name
        if bundle_mod.is_secret(name):
            keys.write_secret(target, data)
        else:
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_bytes(data)
            os.chmod(tmp, PUBLIC_MODE)
            os.replace(tmp, target)
    _continue_chain(directory, head)
    return keys.public_text(keys.load(directory))
