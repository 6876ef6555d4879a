"""The office's identity: its Ed25519 key, kept in a file outside the database, and its registration as a
device (``devices`` table, its id in ``meta`` under ``office_device``).

The key file is PEM PKCS8 with mode 0600, as a device's ``signing.key``. Where it is: ``--office-key``,
else ``$KOP_OFFICE_KEY``, else beside a SQLite ledger (``coop.sqlite`` -> ``coop.office.key``). A key file
that others may read is refused (the key signs money movements).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from central.config import SAVINGS_LOAN_UNIT
from central.errors import DeviceError
from central.keyfiles import KeyFile
from central.ledger import Ledger, schema
from central.ledger.lookups import OFFICE_DEVICE_KEY
from central.office.errors import OfficeKeyError, OfficeNotSetUp
from sync import envelope as wire

KEY_ENV: Final = "KOP_OFFICE_KEY"
KEY_SUFFIX: Final = ".office.key"
META_KEY: Final = OFFICE_DEVICE_KEY
DEFAULT_DEVICE: Final = "kantor"
DEFAULT_BRANCH: Final = "pusat"
# The unit the office is registered under: the central office's own service unit. Each entry still names
# the unit it belongs to (a purchase the shop's, a deposit simpan-pinjam's).
OFFICE_UNIT: Final = SAVINGS_LOAN_UNIT


@dataclass(frozen=True)
class Office:
    """The office as a signer: its device id and key."""

    device: str
    key: Ed25519PrivateKey


OFFICE_KEY: Final = KeyFile(
    name_en="office key",
    name_id="kunci kantor",
    init="office init",
    option="--office-key",
    env=KEY_ENV,
    suffix=KEY_SUFFIX,
    error=OfficeKeyError,
)


def key_path(ledger_target: str, explicit: Path | None = None) -> Path:
    """Where the office key lives: ``explicit``, ``$KOP_OFFICE_KEY``, or beside a SQLite ledger."""
    return OFFICE_KEY.path(ledger_target, explicit)


def write_new_key(path: Path) -> Ed25519PrivateKey:
    """Create a new office key at ``path`` with mode 0600; an existing file is never overwritten."""
    return OFFICE_KEY.write_new(path)


def load_key(path: Path) -> Ed25519PrivateKey:
    """Read the office key; refuse a missing, foreign or others-readable file with what to do."""
    return OFFICE_KEY.load(path)


def office_device(ledger: Ledger) -> str | None:
    """The office's device id, or None before ``office init``."""
    m = schema.meta
    with ledger.read() as conn:
        value = conn.execute(select(m.c.value).where(m.c.key == META_KEY)).scalar_one_or_none()
    return str(value) if value is not None else None


def _registered_key(ledger: Ledger, device: str) -> tuple[str, bool] | None:
    d = schema.devices
    with ledger.read() as conn:
        row = conn.execute(select(d.c.public_key, d.c.revoked_ts).where(d.c.device == device)).first()
    return None if row is None else (str(row[0]), row[1] is not None)


def init(
    ledger: Ledger, path: Path, device: str = DEFAULT_DEVICE, branch: str = DEFAULT_BRANCH
) -> tuple[Office, bool]:
    """Create the office key (if the file is not there) and register the office; (office, created).

    Idempotent: a second run with the same key finds everything in place and changes nothing. A key file
    that exists is used, never replaced; one that does not match the registered office is refused.
    """
    ledger.config  # noqa: B018 - raises NotInitialised first
    ledger.require_current()
    existing = office_device(ledger)
    if existing is not None and existing != device:
        device = existing  # the office keeps the id it was set up with
    created = not path.exists()
    key = write_new_key(path) if created else load_key(path)
    public = wire.public_key_text(key.public_key())
    registered = _registered_key(ledger, device)
    if registered is not None:
        if registered[0] != public:
            raise OfficeKeyError(
                f"device {device} is registered with another key than {path}; give the right --office-key"
                f" (a lost key: `devices revoke {device}`, then `office init --device <new id>`)",
                f"perangkat {device} terdaftar dengan kunci lain dari {path}; beri --office-key yang benar"
                f" (kunci hilang: `devices revoke {device}`, lalu `office init --device <id baru>`)",
            )
        if registered[1]:
            raise OfficeKeyError(
                f"office device {device} is revoked; set up a new one with `office init --device <new id>`",
                f"perangkat kantor {device} sudah dicabut; siapkan yang baru dengan"
                " `office init --device <id baru>`",
            )
    else:
        try:
            ledger.devices_add(device, public, OFFICE_UNIT, branch)
        except DeviceError as err:
            raise OfficeKeyError(str(err)) from err
    if existing != device:
        m = schema.meta
        with ledger.write() as conn:
            conn.execute(m.delete().where(m.c.key == META_KEY))
            conn.execute(m.insert().values(key=META_KEY, value=device))
    return Office(device, key), created or registered is None


def load(ledger: Ledger, path: Path) -> Office:
    """The office as set up by ``init``: its device id from the ledger, its key from ``path``."""
    device = office_device(ledger)
    if device is None:
        raise OfficeNotSetUp(
            "the office has no identity in this ledger yet; run `python -m central office init` first",
            "kantor belum punya identitas di buku besar ini; jalankan dulu `python -m central office init`",
        )
    key = load_key(path)
    registered = _registered_key(ledger, device)
    if registered is None or registered[0] != wire.public_key_text(key.public_key()):
        raise OfficeKeyError(
            f"{path} is not the key registered for office device {device}; give the right --office-key",
            f"{path} bukan kunci yang terdaftar untuk perangkat kantor {device};"
            " beri --office-key yang benar",
        )
    return Office(device, key)
