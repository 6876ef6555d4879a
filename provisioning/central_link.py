"""Telling central's device registry about enrollments and revocations (when a ledger is at hand).

Central owns the registry (`central.ledger.Ledger.devices_add/devices_revoke`); provisioning only calls it,
so a device is known to central in the same step it is enrolled. Without ``--central-db`` the public part
(``<device>.public.json`` beside the bundle) carries what central needs.
"""

from __future__ import annotations

from typing import Any

from provisioning.ca import DeviceRecord
from provisioning.errors import CentralUnavailable


def _open(db: str) -> Any:
    try:
        from central.ledger import Ledger
    except ImportError as err:
        raise CentralUnavailable(
            "paket central belum tersedia; daftarkan perangkat di central dari file .public.json",
            "the central package is not available; register the device at central from its .public.json",
        ) from err
    try:
        return Ledger.open(db)
    except Exception as err:
        raise CentralUnavailable(
            f"buku besar central {db} tidak bisa dibuka: {type(err).__name__}",
            f"central's ledger {db} cannot be opened: {type(err).__name__}",
        ) from err


def register(db: str, record: DeviceRecord) -> None:
    """Add the device and its signing public key to central's registry."""
    ledger = _open(db)
    try:
        ledger.devices_add(record.device, record.signing_public_key, record.unit, record.branch)
    except Exception as err:
        raise CentralUnavailable(
            f"central menolak perangkat {record.device}: {err}",
            f"central refused device {record.device}: {err}",
        ) from err
    finally:
        _close(ledger)


def log_key(db: str) -> str | None:
    """The transparency log's public key kept in central's ledger, or None before ``transparency init``."""
    ledger = _open(db)
    try:
        from central.transparency import log as tlog

        tlog.prepare(ledger)
        with ledger.read() as conn:
            return tlog.meta(conn).get("verifier")
    finally:
        _close(ledger)


def revoke(db: str, device: str, reason: str) -> None:
    """Revoke the device in central's registry: its later envelopes are quarantined with ``reason``."""
    ledger = _open(db)
    try:
        ledger.devices_revoke(device, reason)
    except Exception as err:
        raise CentralUnavailable(
            f"central gagal mencabut perangkat {device}: {err}",
            f"central could not revoke device {device}: {err}",
        ) from err
    finally:
        _close(ledger)


def _close(ledger: Any) -> None:
    close = getattr(ledger, "close", None)
    if callable(close):
        close()
