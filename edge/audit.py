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
    """One thing wrong with the outbox, at ``seq``."""

    seq: int
    reason: str


@dataclass(frozen=True)
class AuditResult:
    """What ``audit_outbox`` found."""

    rows: int
    first_seq: int | None
    last_seq: int | None
    problems: tuple[Problem, ...]


def audit_outbox(
    rows: Iterable[tuple[int, bytes]], key: Ed25519PublicKey, device: str, head_seq: int, head_hash: str
) -> AuditResult:
    """Check ``rows`` (seq, envelope bytes) in seq order against the device key and the chain head.

    The first row may follow pruned ones, so its ``prev`` is only checked when it is seq 1.
    """
    problems: list[Problem] = []
    count = 0
    first: int | None = None
    prev_seq: int | None = None
    prev_hash: str | None = None
    for seq, data in rows:
        count += 1
        first = seq if first is None else first
        try:
            env = parse(data)
            check(env)
        except EnvelopeError as err:
            problems.append(Problem(seq, f"malformed envelope: {err}"))
            prev_seq, prev_hash = seq, hashlib.sha256(data).hexdigest()
            continue
        if env["seq"] != seq:
            problems.append(Problem(seq, f"row seq {seq} holds an envelope with seq {env['seq']}"))
        if env["device"] != device:
            problems.append(Problem(seq, f"envelope names device {env['device']!r}, not {device!r}"))
        if not verify(env, key):
            problems.append(Problem(seq, "signature does not verify with this device's key"))
        if prev_seq is not None and seq != prev_seq + 1:
            problems.append(Problem(seq, f"gap: seq {prev_seq} is followed by {seq}"))
        expected_prev = prev_hash if prev_hash is not None else (GENESIS if seq == 1 else None)
        if expected_prev is not None and env["prev"] != expected_prev:
            problems.append(Problem(seq, "prev does not match the hash of the previous envelope"))
        prev_seq, prev_hash = seq, hashlib.sha256(data).hexdigest()
    if prev_seq is not None:
        if prev_seq != head_seq:
            problems.append(
                Problem(prev_seq, f"the last row is seq {prev_seq} but the chain head says {head_seq}")
            )
        elif prev_hash != head_hash:
            problems.append(Problem(prev_seq, "the last row's hash differs from the chain head"))
    return AuditResult(count, first, prev_seq, tuple(problems))
