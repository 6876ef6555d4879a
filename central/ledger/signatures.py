"""Signatures on ingest: the bytes a device signed, and one Ed25519 check per chain-linked run.

An envelope's ``prev`` is the SHA-256 of the whole previous envelope, signature included, so a valid
signature on the last envelope of a run vouches for every envelope before it."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from central.ledger.parsed import _Device, _Prepared
from sync import envelope as wire


def signed_and_body(env: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """(``sync.envelope.signing_bytes``, ``sync.envelope.canonical``) of an envelope that passed
    ``sync.envelope.check``, encoding it once.

    Canonical JSON is ``{`` + the members in key order joined by ``,`` + ``}``, so the signing bytes are
    the body with the member ``,"sig":<value>`` cut out (a comma precedes it: ``at`` sorts before
    ``sig``). The body always holds that member once at the top level; when the same bytes occur
    nowhere else, the cut is exactly it, else both are encoded in full.
    """
    body = wire.canonical_checked(env)
    if "sig" not in env:
        return body, body
    sig = env["sig"]
    if isinstance(sig, str):
        member = b',"sig":' + orjson.dumps(sig)
        if "at" in env and body.count(member) == 1:
            return body.replace(member, b"", 1), body
    return wire.signing_bytes(env), body


def _signature_ok(env: Mapping[str, Any], key: Ed25519PublicKey, signed_bytes: bytes) -> bool:
    """``sync.envelope.verify`` over signing bytes already computed (the same check, one encoding less)."""
    sig = env.get("sig")
    if not isinstance(sig, str):
        return False
    try:
        key.verify(base64.b64decode(sig, validate=True), signed_bytes)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def chain_runs(links: list[tuple[str, int, str, str] | None]) -> list[list[int]]:
    """Split a batch into chain-linked runs (pure): lists of indexes into ``links``, in chain order.

    ``links[i]`` is ``(device, seq, prev, chain_hash)`` of envelope ``i`` in arrival order, or None when
    its signature is not to be checked (it then belongs to no run). Envelopes of one device form a run
    while each follows the run's last one with the next seq and names its chain hash in ``prev``.
    """
    runs: list[list[int]] = []
    open_run: dict[str, list[int]] = {}  # device -> its run being extended
    for index, link in enumerate(links):
        if link is None:
            continue
        device, seq, prev, _ = link
        run = open_run.get(device)
        if run is not None:
            last = links[run[-1]]
            if last is not None and seq == last[1] + 1 and prev == last[3]:
                run.append(index)
                continue
        run = [index]
        open_run[device] = run
        runs.append(run)
    return runs


def run_verdicts(run: list[int], verify: Callable[[int], bool]) -> dict[int, bool]:
    """Which envelopes of one chain-linked run are authentic, usually with one signature check (pure).

    ``verify(i)`` checks envelope ``i``'s own Ed25519 signature against its device's key. The chain hash
    covers the whole previous envelope, signature included, and ``prev`` is inside the signed content,
    so when an envelope is authentic, the one it links to is exactly the envelope the device signed
    before it (SHA-256 second-preimage resistance), and so on down the run. Hence: verify the run's last
    envelope; if that fails, walk back verifying each one until one verifies: it and everything before
    it are authentic, those after it (each failed its own check) are not. A forged envelope changes its
    chain hash, so it cannot link to an honest successor: it ends a run and meets its own check.
    """
    verdicts: dict[int, bool] = {}
    for position in range(len(run) - 1, -1, -1):
        index = run[position]
        if verify(index):
            verdicts.update((earlier, True) for earlier in run[: position + 1])
            break
        verdicts[index] = False
    return verdicts


class _Verdicts:
    """Signature verdicts of one chunk by chain-linked runs (``chain_runs``, ``run_verdicts``), each
    run settled on first use: a run of duplicates only verifies nothing."""

    def __init__(self, parsed: list[_Prepared], devices: Mapping[str, _Device]) -> None:
        self._parsed = parsed
        self._devices = devices
        self._run_of: dict[int, list[int]] | None = None
        self._known: dict[int, bool] = {}

    def authentic(self, index: int) -> bool:
        """True when envelope ``index`` of the chunk carries, or is vouched for by, a valid signature."""
        if self._run_of is None:
            links: list[tuple[str, int, str, str] | None] = [
                (item.env["device"], item.env["seq"], item.env["prev"], item.chain)
                if isinstance(item.env.get("sig"), str) and item.env["device"] in self._devices
                else None
                for item in self._parsed
            ]
            self._run_of = {i: run for run in chain_runs(links) for i in run}
        known = self._known.get(index)
        if known is None:
            run = self._run_of.get(index)
            if run is None:
                return False
            self._known.update(run_verdicts(run, self._verify))
            known = self._known[index]
        return known

    def _verify(self, index: int) -> bool:
        item = self._parsed[index]
        return _signature_ok(item.env, self._devices[item.env["device"]].key, item.signed_bytes)
