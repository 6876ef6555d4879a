"""Checking a device's own outbox: the chain is whole and every envelope is well formed and signed.

Pure: rows and a public key in, a list of readable problems out (empty when all is well). Used by
``python -m edge verify`` after a power cut or before handing a device over.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sync.envelope import GENESIS, EnvelopeError, check, parse, verify


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the outbox, at ``seq``: ``reason`` in English, ``reason_id`` in Indonesian."""

    seq: int
    reason: str
    reason_id: str = ""

    def text(self, lang: str) -> str:
        """The reason in ``lang`` (``id`` or ``en``)."""
        return self.reason_id if lang == "id" and self.reason_id else self.reason


@dataclass(frozen=True)
class AuditResult:
    """What ``audit_outbox`` found."""

    rows: int
    first_seq: int | None
    last_seq: int | None
    problems: tuple[Problem, ...]


def _stored_bytes(seq: int, stored: object, problems: list[Problem]) -> bytes | None:
    """The envelope bytes of a row as the store holds them; a row stored as anything but a BLOB is a
    problem (central would get different bytes from a different writer), reported, not a crash."""
    if isinstance(stored, bytes | bytearray | memoryview):
        return bytes(stored)
    if isinstance(stored, str):
        problems.append(
            Problem(
                seq,
                "envelope stored as TEXT, not as bytes (BLOB); it was written by something other than "
                "this program",
                "amplop tersimpan sebagai TEKS, bukan byte (BLOB); ditulis oleh sesuatu selain program ini",
            )
        )
        return stored.encode("utf-8", "surrogatepass")
    kind = "NULL" if stored is None else type(stored).__name__
    problems.append(
        Problem(seq, f"the row holds {kind} instead of an envelope", f"baris berisi {kind}, bukan amplop")
    )
    return None


def audit_outbox(
    rows: Iterable[tuple[int, object]], key: Ed25519PublicKey, device: str, head_seq: int, head_hash: str
) -> AuditResult:
    """Check ``rows`` (seq, envelope bytes as stored) in seq order against the device key and the chain
    head.

    The first row may follow pruned ones, so its ``prev`` is only checked when it is seq 1.
    """
    problems: list[Problem] = []
    count = 0
    first: int | None = None
    prev_seq: int | None = None
    prev_hash: str | None = None
    for seq, stored in rows:
        count += 1
        first = seq if first is None else first
        data = _stored_bytes(seq, stored, problems)
        if data is None:
            prev_seq, prev_hash = seq, None
            continue
        try:
            env = parse(data)
            check(env)
        except EnvelopeError as err:
            problems.append(Problem(seq, f"malformed envelope: {err}", f"amplop rusak: {err}"))
            prev_seq, prev_hash = seq, hashlib.sha256(data).hexdigest()
            continue
        if env["seq"] != seq:
            problems.append(
                Problem(
                    seq,
                    f"row seq {seq} holds an envelope with seq {env['seq']}",
                    f"baris seq {seq} berisi amplop dengan seq {env['seq']}",
                )
            )
        if env["device"] != device:
            problems.append(
                Problem(
                    seq,
                    f"envelope names device {env['device']!r}, not {device!r}",
                    f"amplop menyebut perangkat {env['device']!r}, bukan {device!r}",
                )
            )
        if not verify(env, key):
            problems.append(
                Problem(
                    seq,
                    "signature does not verify with this device's key",
                    "tanda tangan tidak cocok dengan kunci perangkat ini",
                )
            )
        if prev_seq is not None and seq != prev_seq + 1:
            problems.append(
                Problem(
                    seq, f"gap: seq {prev_seq} is followed by {seq}", f"celah: seq {prev_seq} diikuti {seq}"
                )
            )
        expected_prev = prev_hash if prev_hash is not None else (GENESIS if seq == 1 else None)
        if expected_prev is not None and env["prev"] != expected_prev:
            problems.append(
                Problem(
                    seq,
                    "prev does not match the hash of the previous envelope",
                    "prev tidak cocok dengan hash amplop sebelumnya",
                )
            )
        prev_seq, prev_hash = seq, hashlib.sha256(data).hexdigest()
    if prev_seq is not None:
        if prev_seq != head_seq:
            problems.append(
                Problem(
                    prev_seq,
                    f"the last row is seq {prev_seq} but the chain head says {head_seq}",
                    f"baris terakhir seq {prev_seq} tetapi kepala rantai menyebut {head_seq}",
                )
            )
        elif prev_hash != head_hash:
            problems.append(
                Problem(
                    prev_seq,
                    "the last row's hash differs from the chain head",
                    "hash baris terakhir berbeda dari kepala rantai",
                )
            )
    return AuditResult(count, first, prev_seq, tuple(problems))
