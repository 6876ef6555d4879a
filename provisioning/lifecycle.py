"""Revoking a device: the registry marks it, the CRL names its certificate."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Final

from cryptography.hazmat.primitives.asymmetric import ec

from provisioning.ca import CertificateAuthority, DeviceRecord
from provisioning.errors import AlreadyRevoked, InvalidName, UnknownDevice

MAX_REASON_CHARS: Final = 200


def check_reason(reason: str) -> str:
    """A revocation reason: 1 to 200 characters of text (it is shown to operators and stored)."""
    text = (reason or "").strip()
    if not text or len(text) > MAX_REASON_CHARS or any(ch in text for ch in "\r\n"):
        raise InvalidName(
            f"alasan pencabutan wajib diisi, satu baris, maks. {MAX_REASON_CHARS} karakter",
            f"a revocation reason is required: one line, at most {MAX_REASON_CHARS} characters",
        )
    return text


def revoke(
    ca: CertificateAuthority,
    ca_key: ec.EllipticCurvePrivateKey,
    device: str,
    reason: str,
    *,
    now: datetime | None = None,
) -> DeviceRecord:
    """Mark ``device`` revoked with ``reason`` and re-sign the CRL; returns the updated record."""
    reason = check_reason(reason)
    registry = ca.registry()
    record = registry.get(device)
    if record is None:
        raise UnknownDevice(
            f"perangkat {device!r} tidak terdaftar; lihat daftar dengan `python -m provisioning list`",
            f"device {device!r} is not enrolled; see the list with `python -m provisioning list`",
        )
    if not record.active:
        raise AlreadyRevoked(
            f"perangkat {device} sudah dicabut pada {record.revoked_at} ({record.reason})",
            f"device {device} was already revoked at {record.revoked_at} ({record.reason})",
        )
    now = now or datetime.now(UTC)
    revoked = replace(record, revoked_at=now.isoformat(timespec="seconds"), reason=reason)
    registry = ca.write_crl(ca_key, registry.with_device(revoked), now)
    ca.save_registry(registry)
    return revoked
