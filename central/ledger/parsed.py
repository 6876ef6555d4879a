"""The forms an envelope takes between ingest's steps: parsed and shape-checked, worked out ahead from
the config, and the registry and referenced rows it is checked against."""

from __future__ import annotations

from typing import Any, NamedTuple

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from central.config import Config
from central.ledger.posting import Line


class _Device(NamedTuple):
    key: Ed25519PublicKey
    revoked: bool
    revoked_reason: str | None = None


class _Ref(NamedTuple):
    kind: str
    member: str | None
    payment: str
    total_rp: int
    unit: str
    lines: tuple[Line, ...]
    loan: str | None = None
    principal_rp: int = 0


class _Prepared(NamedTuple):
    """An envelope that passed the shape check, with its signing bytes, content hash, the canonical body
    that is stored and the chain hash (``sync.envelope.chain_hash``: over the body, signature included)."""

    env: dict[str, Any]
    raw: Any
    signed_bytes: bytes
    content: str
    body: bytes
    chain: str
    derived: _Derived | None = None


class _Derived(NamedTuple):
    """What an envelope's checks and rows need that depends on the envelope and the config alone, worked
    out while parsing (off the worker's path in ``central serve``)."""

    config: Config
    ts: int
    day: str
    amounts: list[tuple[int, int]]
    lines: tuple[Line, ...] | None  # None: not posted ahead (void, dispute, or posting failed)
