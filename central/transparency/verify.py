"""Checking what the log publishes, without the database and without trusting central (pure).

Three things can be checked with the log's public key (``central transparency key`` prints it; the
portal's log page shows it):

- a checkpoint (a signed note): its signature and format (``checkpoint``);
- an inclusion bundle, the JSON the portal's ``/log/inclusion?tx=`` and ``central transparency
  prove-inclusion`` give: that the envelope is leaf ``index`` of the signed tree (``inclusion``), and, with a
  receipt's QR text, that the receipt belongs to that envelope;
- a consistency bundle, ``/log/consistency?from=&to=``: that the older signed tree is a prefix of the newer
  one (``consistency``), so nothing before it was changed, removed or reordered.

Every failure is a ``VerifyError`` whose ``text(lang)`` names what broke, in Indonesian or English.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sync import checkpoint as note
from sync import merkle, witness

MAX_BUNDLE_BYTES: Final = 1_000_000
MAX_PROOF_HASHES: Final = 128
RECEIPT_PREFIX: Final = "KOP1"

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "note": ("checkpoint tidak sah: {why}", "checkpoint not valid: {why}"),
    "bundle": ("berkas bukti tidak terbaca: {why}", "proof file unreadable: {why}"),
    "size": (
        "bukti untuk ukuran {proof} tetapi checkpoint berukuran {checkpoint}",
        "the proof is for size {proof} but the checkpoint has size {checkpoint}",
    ),
    "leaf_id": (
        "isi daun bukan transaksi {tx} (id di dalamnya {found})",
        "the leaf is not transaction {tx} (its id is {found})",
    ),
    "inclusion": (
        "bukti inklusi GAGAL: transaksi {tx} bukan daun ke-{index} dari pohon berukuran {size} yang "
        "ditandatangani",
        "inclusion proof FAILED: transaction {tx} is not leaf {index} of the signed tree of size {size}",
    ),
    "receipt": (
        "struk tidak cocok dengan transaksi di log: {why}",
        "the receipt does not match the transaction in the log: {why}",
    ),
    "order": (
        "checkpoint lama ({old}) lebih besar dari yang baru ({new})",
        "the old checkpoint ({old}) is larger than the new one ({new})",
    ),
    "consistency": (
        "bukti konsistensi GAGAL: pohon {old} bukan awalan dari pohon {new}; sejarah buku telah diubah",
        "consistency proof FAILED: tree {old} is not a prefix of tree {new}; the books' history was changed",
    ),
    "fork": (
        "dua checkpoint berukuran {size} dengan akar berbeda: log bercabang (sejarah berbeda untuk "
        "pihak berbeda)",
        "two checkpoints of size {size} with different roots: the log forked (different histories for "
        "different parties)",
    ),
}


class VerifyError(ValueError):
    """A check failed; ``text(lang)`` says what broke."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        """The reason in ``lang`` (``id`` or ``en``)."""
        pair = MESSAGES[self.key]
        return (pair[1] if lang == "en" else pair[0]).format(**self.params)


@dataclass(frozen=True)
class Included:
    """A verified inclusion: transaction ``tx`` is leaf ``index`` of the signed tree ``checkpoint``."""

    tx: str
    index: int
    checkpoint: note.Checkpoint
    envelope: bool = True  # False: only the leaf hash was shown, not the envelope it is the hash of


def b64(hashes: list[bytes]) -> list[str]:
    """Proof hashes as the bundles write them."""
    return [base64.b64encode(h).decode("ascii") for h in hashes]


def checkpoint(text: str, key: note.VerifierKey) -> note.Checkpoint:
    """The checkpoint of a signed note, once its signature by ``key`` verifies."""
    try:
        return note.verify(text, key)
    except note.NoteError as err:
        raise VerifyError("note", why=str(err)) from err


def load_bundle(raw: bytes | str) -> dict[str, Any]:
    """A bundle's JSON object (bounded)."""
    if len(raw) > MAX_BUNDLE_BYTES:
        raise VerifyError("bundle", why=f"more than {MAX_BUNDLE_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise VerifyError("bundle", why="not JSON") from err
    if not isinstance(data, dict):
        raise VerifyError("bundle", why="not a JSON object")
    return data


def _int(data: Mapping[str, Any], name: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= merkle.MAX_SIZE:
        raise VerifyError("bundle", why=f"{name!r} is not a whole number")
    return value


def _str(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise VerifyError("bundle", why=f"{name!r} is missing")
    return value


def _proof(data: Mapping[str, Any]) -> list[bytes]:
    value = data.get("proof")
    if not isinstance(value, list) or len(value) > MAX_PROOF_HASHES:
        raise VerifyError("bundle", why="'proof' is not a list of hashes")
    if not all(isinstance(h, str) for h in value):
        raise VerifyError("bundle", why="'proof' is not a list of hashes")
    try:
        return [base64.b64decode(h, validate=True) for h in value]
    except (binascii.Error, ValueError) as err:
        raise VerifyError("bundle", why="a proof hash is not base64") from err


def inclusion(
    bundle: Mapping[str, Any], key: note.VerifierKey, signed: str | None = None, receipt: str | None = None
) -> Included:
    """Check an inclusion bundle (its own checkpoint, or ``signed``: one the checker kept) and, given a
    receipt's QR text, that the receipt is of the included envelope.

    A bundle published to somebody who may not see the envelope (it names a member) carries only its
    ``leaf_hash``: the check then shows that this leaf is in the signed tree, not what it holds."""
    cp = checkpoint(signed if signed is not None else _str(bundle, "checkpoint"), key)
    tx, index, size = _str(bundle, "tx"), _int(bundle, "index"), _int(bundle, "size")
    proof = _proof(bundle)
    if size != cp.size:
        raise VerifyError("size", proof=size, checkpoint=cp.size)
    envelope = bundle.get("envelope")
    env: Any = {}
    if isinstance(envelope, str):
        try:
            env = json.loads(envelope)
        except ValueError:
            env = {}
        found = env.get("id") if isinstance(env, dict) else None
        if found != tx:
            raise VerifyError("leaf_id", tx=tx, found=found)
        leaf = merkle.leaf_hash(envelope.encode("utf-8"))
    else:
        try:
            leaf = base64.b64decode(_str(bundle, "leaf_hash"), validate=True)
        except (binascii.Error, ValueError) as err:
            raise VerifyError("bundle", why="'leaf_hash' is not base64") from err
    if not merkle.verify_inclusion(index, size, leaf, proof, cp.root):
        raise VerifyError("inclusion", tx=tx, index=index, size=size)
    if receipt is not None:
        if not isinstance(envelope, str):
            raise VerifyError("receipt", why="the proof does not carry the envelope (only its owner sees it)")
        _receipt_matches(receipt, env)
    return Included(tx, index, cp, isinstance(envelope, str))


def _receipt_matches(receipt: str, env: Mapping[str, Any]) -> None:
    """A receipt's QR text ``KOP1|<id>|<base32 of the signature's first bytes>`` belongs to ``env``."""
    parts = receipt.strip().split("|")
    if len(parts) != 3 or parts[0] != RECEIPT_PREFIX:
        raise VerifyError("receipt", why="not a KOP1|id|signature code")
    if parts[1] != env.get("id"):
        raise VerifyError("receipt", why=f"the receipt is of transaction {parts[1]}")
    encoded = parts[2].upper()
    try:
        prefix = base64.b32decode(encoded + "=" * (-len(encoded) % 8))
        sig = base64.b64decode(str(env.get("sig", "")), validate=True)
    except (binascii.Error, ValueError) as err:
        raise VerifyError("receipt", why="the signature cannot be read") from err
    if len(prefix) < 8 or not sig.startswith(prefix):
        raise VerifyError("receipt", why="the signature on the receipt is not the envelope's")


def consistency(
    bundle: Mapping[str, Any],
    key: note.VerifierKey,
    old_signed: str | None = None,
    new_signed: str | None = None,
) -> tuple[note.Checkpoint, note.Checkpoint]:
    """Check that the older signed tree is a prefix of the newer: checkpoints from the bundle or given
    (``old_signed``: the one the checker kept)."""
    old_cp = checkpoint(old_signed if old_signed is not None else _str(bundle, "old_checkpoint"), key)
    new_cp = checkpoint(new_signed if new_signed is not None else _str(bundle, "new_checkpoint"), key)
    consistent(old_cp, new_cp, _proof(bundle), bundle)
    return old_cp, new_cp


def consistent(
    old_cp: note.Checkpoint,
    new_cp: note.Checkpoint,
    proof: list[bytes],
    bundle: Mapping[str, Any] | None = None,
) -> None:
    """Raise VerifyError unless ``proof`` shows ``old_cp``'s tree to be a prefix of ``new_cp``'s."""
    if bundle is not None:
        if _int(bundle, "from") != old_cp.size:
            raise VerifyError("size", proof=bundle["from"], checkpoint=old_cp.size)
        if _int(bundle, "to") != new_cp.size:
            raise VerifyError("size", proof=bundle["to"], checkpoint=new_cp.size)
    problem = witness.compare(old_cp, new_cp)  # the same judgement as a device witness makes
    if isinstance(problem, witness.Problem) and problem.reason == "shrunk":
        raise VerifyError("order", old=old_cp.size, new=new_cp.size)
    if isinstance(problem, witness.Problem):
        raise VerifyError("fork", size=old_cp.size)
    if not merkle.verify_consistency(old_cp.size, new_cp.size, old_cp.root, new_cp.root, proof):
        raise VerifyError("consistency", old=old_cp.size, new=new_cp.size)
