"""Devices as witnesses of the transparency log: the wire messages and the judgement (pure).

Central publishes its latest signed checkpoint (``sync.checkpoint``) retained on each branch's
``.../branch/<branch>/down/checkpoint``. A device keeps the last checkpoint it accepted and, for a newer
one, asks central on ``.../dev/<device>/up/req/proof`` for ONE consistency proof from its kept size to
the new size, and for inclusion proofs of its own acknowledged envelopes (at most
``MAX_INCLUSIONS`` per request); central answers on ``.../dev/<device>/down/proof``. A checkpoint that
is badly signed, smaller than the kept one, of the same size with another root, or not proved
consistent is refused (the kept one stays) and reported on ``.../dev/<device>/up/witness``, as is an
acknowledged envelope the log does not hold. The report carries the offered note, so that central's
verifier (``central transparency audit``) can show the fork to anybody.

Everything here is plain data in, plain data out; ``sync.witnessing`` is the device's stateful side.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from sync import checkpoint as note
from sync import merkle, topics

CHECKPOINT: Final = "checkpoint"  # the branch downlink name
PROOF: Final = "proof"  # the request name and the device's answer topic name
REPORT: Final = "witness"  # the device's uplink of reports
MAX_INCLUSIONS: Final = 64  # own envelopes checked per request (a week offline catches up over a few)
MAX_MESSAGE_BYTES: Final = 256 * 1024
MAX_PROOF_HASHES: Final = 128
MAX_TX_CHARS: Final = 80
MAX_DETAIL_CHARS: Final = 400
CORRELATION_BYTES: Final = 8

OK: Final = "ok"
# What a device may find wrong; each is refused and reported (the kept checkpoint stays).
PROBLEMS: Final[dict[str, tuple[str, str]]] = {
    "signature": (
        "checkpoint log DITOLAK: tanda tangannya tidak sah ({detail})",
        "log checkpoint REFUSED: its signature is not valid ({detail})",
    ),
    "shrunk": (
        "checkpoint log DITOLAK: ukuran {offered} lebih kecil dari {held} yang sudah disimpan; "
        "sejarah buku dipotong",
        "log checkpoint REFUSED: size {offered} is smaller than the {held} already kept; the books' "
        "history was cut",
    ),
    "fork": (
        "LOG BERCABANG: checkpoint berukuran {held} dengan akar lain; pusat menunjukkan sejarah berbeda",
        "LOG FORKED: a checkpoint of size {held} with another root; central shows a different history",
    ),
    "inconsistent": (
        "checkpoint log DITOLAK: pohon {held} bukan awalan dari pohon {offered}; sejarah buku diubah",
        "log checkpoint REFUSED: tree {held} is not a prefix of tree {offered}; the books' history was "
        "changed",
    ),
    "missing": (
        "transaksi {tx} sudah diterima pusat tetapi TIDAK ADA di log ({detail})",
        "transaction {tx} was acknowledged by central but is NOT in the log ({detail})",
    ),
}


class WitnessMessageError(ValueError):
    """A witness message (request, answer, report) is malformed; the text says how."""


@dataclass(frozen=True)
class Problem:
    """Something a device witness refused or found missing: the ``PROBLEMS`` key and its parameters."""

    reason: str
    held: int = 0
    offered: int = 0
    tx: str = ""
    detail: str = ""

    def text(self, lang: str) -> str:
        """The warning in ``lang`` (``id`` or ``en``)."""
        pair = PROBLEMS[self.reason]
        params = {"held": self.held, "offered": self.offered, "tx": self.tx, "detail": self.detail}
        return (pair[1] if lang == "en" else pair[0]).format(**params)


@dataclass(frozen=True)
class ProofRequest:
    """A device asks for the consistency proof ``size_from`` -> ``size_to`` and inclusions of ``txs``."""

    size_from: int
    size_to: int
    txs: tuple[str, ...] = ()
    correlation: str = ""


@dataclass(frozen=True)
class Inclusion:
    """Central's answer for one transaction: its leaf ``index`` and proof, or that it is ``later`` than
    the tree (not yet covered) or ``absent`` from the log."""

    tx: str
    index: int = -1
    proof: tuple[bytes, ...] = ()
    later: bool = False
    absent: bool = False


@dataclass(frozen=True)
class ProofAnswer:
    """Central's answer to a ``ProofRequest`` (``error``: it could not build the proofs)."""

    size_from: int
    size_to: int
    consistency: tuple[bytes, ...] = ()
    inclusions: tuple[Inclusion, ...] = ()
    correlation: str = ""
    error: str = ""


@dataclass(frozen=True)
class Report:
    """What a device tells central: its kept checkpoint and, when it refused one, the problem."""

    device: str
    size: int
    signed_at: str = ""  # ISO 8601 UTC, the kept checkpoint's time of signing
    state: str = OK  # OK or a PROBLEMS key
    held: str = ""  # the kept signed note
    offered: str = ""  # the refused signed note (a fork's evidence), when there was one
    tx: str = ""
    detail: str = ""
    problems: tuple[str, ...] = field(default=())  # every problem key seen since the device was set up


# -- the wire -----------------------------------------------------------------------------------------


def checkpoint_topic(coop: str, branch: str) -> str:
    """Where central keeps (retained) the latest signed checkpoint for a branch's devices."""
    return topics.branch_down(coop, branch, CHECKPOINT)


def device_topics(coop: str, device: str, branch: str) -> tuple[str, str]:
    """What a witnessing device subscribes to: its branch's checkpoint and its own proof answers."""
    return checkpoint_topic(coop, branch), topics.device_down(coop, device, PROOF)


def _b64(hashes: Sequence[bytes]) -> list[str]:
    return [base64.b64encode(h).decode("ascii") for h in hashes]


def _hashes(value: Any) -> tuple[bytes, ...]:
    if (
        not isinstance(value, list)
        or len(value) > MAX_PROOF_HASHES
        or not all(isinstance(h, str) for h in value)
    ):
        raise WitnessMessageError("a proof is not a list of base64 hashes")
    try:
        return tuple(base64.b64decode(h, validate=True) for h in value)
    except (binascii.Error, ValueError) as err:
        raise WitnessMessageError("a proof hash is not base64") from err


def _load(payload: bytes) -> dict[str, Any]:
    if len(payload) > MAX_MESSAGE_BYTES:
        raise WitnessMessageError(f"message of {len(payload)} bytes exceeds {MAX_MESSAGE_BYTES}")
    try:
        body = json.loads(payload)
    except (UnicodeDecodeError, ValueError) as err:
        raise WitnessMessageError("message is not JSON") from err
    if not isinstance(body, dict):
        raise WitnessMessageError("message is not a JSON object")
    return body


def _size(body: Mapping[str, Any], name: str) -> int:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= merkle.MAX_SIZE:
        raise WitnessMessageError(f"{name!r} is not a tree size")
    return value


def _dump(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")


def encode_request(request: ProofRequest) -> bytes:
    """The request body."""
    return _dump(
        {
            "from": request.size_from,
            "to": request.size_to,
            "txs": list(request.txs),
            "correlation": request.correlation,
        }
    )


def decode_request(payload: bytes) -> ProofRequest:
    """A request, bounded: at most ``MAX_INCLUSIONS`` transaction ids."""
    body = _load(payload)
    old, new = _size(body, "from"), _size(body, "to")
    if old > new:
        raise WitnessMessageError(f"'from' {old} is above 'to' {new}")
    txs = body.get("txs", [])
    if (
        not isinstance(txs, list)
        or len(txs) > MAX_INCLUSIONS
        or not all(isinstance(t, str) and 0 < len(t) <= MAX_TX_CHARS for t in txs)
    ):
        raise WitnessMessageError(f"'txs' is not a list of at most {MAX_INCLUSIONS} transaction ids")
    correlation = body.get("correlation", "")
    if not isinstance(correlation, str) or len(correlation) > 2 * CORRELATION_BYTES:
        raise WitnessMessageError("'correlation' is not a short hex string")
    return ProofRequest(old, new, tuple(txs), correlation)


def encode_answer(answer: ProofAnswer) -> bytes:
    """The answer body."""
    inclusion: dict[str, Any] = {}
    for item in answer.inclusions:
        if item.absent:
            inclusion[item.tx] = {"absent": True}
        elif item.later:
            inclusion[item.tx] = {"later": True}
        else:
            inclusion[item.tx] = {"index": item.index, "proof": _b64(item.proof)}
    body: dict[str, Any] = {
        "from": answer.size_from,
        "to": answer.size_to,
        "consistency": _b64(answer.consistency),
        "inclusion": inclusion,
        "correlation": answer.correlation,
    }
    if answer.error:
        body["error"] = answer.error[:MAX_DETAIL_CHARS]
    return _dump(body)


def decode_answer(payload: bytes) -> ProofAnswer:
    """An answer; ``WitnessMessageError`` when it is not one."""
    body = _load(payload)
    old, new = _size(body, "from"), _size(body, "to")
    raw = body.get("inclusion", {})
    if not isinstance(raw, dict) or len(raw) > MAX_INCLUSIONS:
        raise WitnessMessageError("'inclusion' is not an object of at most MAX_INCLUSIONS entries")
    items = []
    for tx, entry in raw.items():
        if not isinstance(entry, dict):
            raise WitnessMessageError(f"the inclusion of {tx!r} is not an object")
        if entry.get("absent") is True:
            items.append(Inclusion(tx, absent=True))
        elif entry.get("later") is True:
            items.append(Inclusion(tx, later=True))
        else:
            items.append(Inclusion(tx, _size(entry, "index"), _hashes(entry.get("proof"))))
    error = body.get("error", "")
    correlation = body.get("correlation", "")
    return ProofAnswer(
        old,
        new,
        _hashes(body.get("consistency", [])),
        tuple(items),
        correlation if isinstance(correlation, str) else "",
        error if isinstance(error, str) else "error",
    )


def encode_report(report: Report) -> bytes:
    """The report body."""
    body = asdict(report)
    body.update(detail=report.detail[:MAX_DETAIL_CHARS], problems=list(report.problems))
    return _dump(body)


def decode_report(payload: bytes) -> Report:
    """A report; its state must be ``ok`` or a known problem."""
    body = _load(payload)

    def text(name: str, most: int = note.MAX_NOTE_BYTES) -> str:
        value = body.get(name, "")
        if not isinstance(value, str) or len(value) > most:
            raise WitnessMessageError(f"{name!r} is not a text of at most {most} characters")
        return value

    state = text("state", 20)
    if state != OK and state not in PROBLEMS:
        raise WitnessMessageError(f"unknown witness state {state!r}")
    problems = body.get("problems", [])
    if not isinstance(problems, list) or not all(p in PROBLEMS for p in problems):
        raise WitnessMessageError("'problems' names an unknown problem")
    return Report(
        text("device", 48),
        _size(body, "size"),
        text("signed_at", 40),
        state,
        text("held"),
        text("offered"),
        text("tx", MAX_TX_CHARS),
        text("detail", MAX_DETAIL_CHARS),
        tuple(dict.fromkeys(problems)),
    )


# -- the judgement ------------------------------------------------------------------------------------


def read_offered(text: str, key: note.VerifierKey) -> note.Checkpoint | Problem:
    """The checkpoint of an offered signed note, or the ``signature`` problem."""
    try:
        return note.verify(text, key)
    except note.NoteError as err:
        return Problem("signature", detail=str(err)[:MAX_DETAIL_CHARS])


def compare(held: note.Checkpoint | None, offered: note.Checkpoint) -> Problem | bool:
    """Before any proof: a ``Problem`` (shrunk, or a fork at the same size), False when there is nothing
    new to check (the same tree), True when a consistency proof must decide."""
    if held is None:
        return True
    if offered.size < held.size:
        return Problem("shrunk", held.size, offered.size)
    if offered.size == held.size:
        return False if offered.root == held.root else Problem("fork", held.size, offered.size)
    return True


def consistent(held: note.Checkpoint | None, offered: note.Checkpoint, answer: ProofAnswer) -> Problem | None:
    """None when ``answer`` proves ``held``'s tree a prefix of ``offered``'s (a first checkpoint needs no
    proof), else the ``inconsistent`` problem."""
    if held is None:
        return None
    problem = Problem("inconsistent", held.size, offered.size, detail=answer.error)
    if (answer.size_from, answer.size_to) != (held.size, offered.size) or answer.error:
        return problem
    ok = merkle.verify_consistency(held.size, offered.size, held.root, offered.root, answer.consistency)
    return None if ok else problem


def included(
    offered: note.Checkpoint, envelopes: Sequence[tuple[int, str, bytes]], answer: ProofAnswer
) -> tuple[int | None, Problem | None]:
    """Check the device's own envelopes ``(seq, id, canonical bytes)`` (seq order) against the answer's
    inclusion proofs in ``offered``'s tree: (the highest seq up to which every envelope is proved, or
    None when the first is not yet covered; the ``missing`` problem of the first one absent or badly
    proved). An envelope the answer calls ``later`` (or leaves out) stops the run, to be checked again
    at the next checkpoint."""
    by_tx = {item.tx: item for item in answer.inclusions}
    upto: int | None = None
    for seq, tx, data in envelopes:
        item = by_tx.get(tx)
        if item is None or item.later:
            break
        if item.absent:
            return upto, Problem("missing", offered.size, offered.size, tx, "absent")
        leaf = merkle.leaf_hash(data)
        if not merkle.verify_inclusion(item.index, offered.size, leaf, item.proof, offered.root):
            return upto, Problem("missing", offered.size, offered.size, tx, f"no valid proof at {item.index}")
        upto = seq
    return upto, None
