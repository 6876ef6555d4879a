"""The witness's judgement and wire messages (sync.witness), pure: a device accepts a checkpoint only when
the proofs say its kept tree is a prefix and its own envelopes are in it."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import checkpoint as note
from sync import merkle, witness
from sync.link import Link
from sync.settings import BrokerSettings
from sync.witnessing import DeviceWitness

ORIGIN = "kop/demo/log"
KEY = Ed25519PrivateKey.generate()
VERIFIER = note.verifier_for(ORIGIN, KEY)


def _tree(n: int) -> merkle.MemoryTree:
    return merkle.MemoryTree(merkle.leaf_hash(f"envelope {i}".encode()) for i in range(n))


def _cp(tree: merkle.MemoryTree, size: int) -> note.Checkpoint:
    return note.Checkpoint(ORIGIN, size, tree.root(size), "2026-12-06T05:00:00Z")


def _answer(
    tree: merkle.MemoryTree, old: int, new: int, txs: dict[str, int] | None = None
) -> witness.ProofAnswer:
    items = tuple(witness.Inclusion(tx, i, tuple(tree.inclusion(i, new))) for tx, i in (txs or {}).items())
    return witness.ProofAnswer(old, new, tuple(tree.consistency(old, new)), items, "ab")


def test_a_signed_checkpoint_is_read_and_a_foreign_one_is_a_signature_problem() -> None:
    """The log key's note is read; a note signed by another key is the ``signature`` problem."""
    cp = _cp(_tree(5), 5)
    assert witness.read_offered(note.sign(cp, KEY), VERIFIER) == cp
    other = note.sign(cp, Ed25519PrivateKey.generate())
    problem = witness.read_offered(other, VERIFIER)
    assert isinstance(problem, witness.Problem) and problem.reason == "signature"
    assert "REFUSED" in problem.text("en") and "DITOLAK" in problem.text("id")


def test_compare_names_shrinking_and_same_size_forks() -> None:
    """Smaller than kept: shrunk; same size, other root: fork; same tree: nothing to do; larger: prove."""
    tree, other = _tree(8), merkle.MemoryTree([merkle.leaf_hash(b"x")] * 8)
    held = _cp(tree, 6)
    assert witness.compare(held, _cp(tree, 4)) == witness.Problem("shrunk", 6, 4)
    assert witness.compare(held, _cp(other, 6)) == witness.Problem("fork", 6, 6)
    assert witness.compare(held, _cp(tree, 6)) is False
    assert witness.compare(held, _cp(tree, 8)) is True
    assert witness.compare(None, _cp(tree, 8)) is True


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 70).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n), st.integers(0, 255))))
def test_a_true_proof_is_accepted_and_a_flipped_bit_refused(args: tuple[int, int, int]) -> None:
    """For any m <= n the device accepts the consistency proof, and refuses it with any bit flipped."""
    n, m, bit = args
    tree = _tree(n)
    answer = _answer(tree, m, n)
    assert witness.consistent(_cp(tree, m), _cp(tree, n), answer) is None
    if answer.consistency:
        hashes = list(answer.consistency)
        k = bit % len(hashes)
        flipped = bytearray(hashes[k])
        flipped[bit % 32] ^= 1 << (bit % 8)
        hashes[k] = bytes(flipped)
        bad = witness.ProofAnswer(m, n, tuple(hashes), (), "ab")
        assert witness.consistent(_cp(tree, m), _cp(tree, n), bad) == witness.Problem("inconsistent", m, n)


def test_a_forked_tree_is_not_proved_by_the_real_logs_proof() -> None:
    """A checkpoint of another tree (same prefix length, other leaves after it) fails the real proof."""
    real, forked = _tree(12), _tree(7)
    forked.append(b"not the real eighth envelope")
    for i in range(8, 12):
        forked.append(f"envelope {i}".encode())
    answer = _answer(real, 7, 12)
    assert witness.consistent(_cp(real, 7), _cp(forked, 12), answer) is not None
    assert witness.consistent(_cp(real, 7), _cp(real, 12), answer) is None


def test_an_answer_for_other_sizes_or_with_an_error_is_inconsistent() -> None:
    """Central answering other sizes than asked, or that it cannot prove, never passes."""
    tree = _tree(9)
    assert witness.consistent(_cp(tree, 3), _cp(tree, 9), _answer(tree, 2, 9)) is not None
    err = witness.ProofAnswer(3, 9, (), (), "ab", "the log holds 8 leaves")
    problem = witness.consistent(_cp(tree, 3), _cp(tree, 9), err)
    assert problem is not None and problem.detail == "the log holds 8 leaves"


def test_included_runs_up_to_the_first_later_and_names_an_absent_envelope() -> None:
    """Own envelopes proved in order; ``later`` stops the run; ``absent`` or a bad proof is ``missing``."""
    tree = merkle.MemoryTree()
    envs = [(seq, f"tx{seq}", f"envelope {seq}".encode()) for seq in range(1, 5)]
    for _, _, data in envs:
        tree.append(data)
    cp = _cp(tree, 4)
    answer = _answer(tree, 0, 4, {"tx1": 0, "tx2": 1, "tx3": 2, "tx4": 3})
    assert witness.included(cp, envs, answer) == (4, None)
    later = witness.ProofAnswer(
        0, 4, (), (*answer.inclusions[:2], witness.Inclusion("tx3", later=True)), "ab"
    )
    assert witness.included(cp, envs, later) == (2, None)
    absent = witness.ProofAnswer(
        0, 4, (), (answer.inclusions[0], witness.Inclusion("tx2", absent=True)), "ab"
    )
    upto, problem = witness.included(cp, envs, absent)
    assert upto == 1 and problem is not None and problem.reason == "missing" and problem.tx == "tx2"
    swapped = witness.ProofAnswer(0, 4, (), (witness.Inclusion("tx1", 1, answer.inclusions[1].proof),), "ab")
    assert witness.included(cp, envs, swapped)[1] is not None  # the wrong index does not prove it


def test_messages_round_trip_and_bounds_hold() -> None:
    """Requests, answers and reports survive the wire; oversized or malformed ones are refused."""
    request = witness.ProofRequest(3, 9, ("a", "b"), "0011")
    assert witness.decode_request(witness.encode_request(request)) == request
    tree = _tree(9)
    answer = _answer(tree, 3, 9, {"a": 1})
    assert witness.decode_answer(witness.encode_answer(answer)) == answer
    report = witness.Report(
        "toko-01", 9, "2026-12-06T05:00:00Z", "fork", "held", "offered", "", "x", ("fork",)
    )
    assert witness.decode_report(witness.encode_report(report)) == report
    too_many = witness.ProofRequest(0, 1, tuple(f"t{i}" for i in range(witness.MAX_INCLUSIONS + 1)))
    for bad in (b"[]", b"{", b'{"from": 5, "to": 2}', witness.encode_request(too_many)):
        with pytest.raises(witness.WitnessMessageError):
            witness.decode_request(bad)
    with pytest.raises(witness.WitnessMessageError):
        witness.decode_report(b'{"device": "d", "size": 1, "state": "all good"}')


class _Store:
    """The witness's part of a device store, in memory."""

    def __init__(self) -> None:
        self.kept: list[tuple[str, int]] = []
        self.problems: list[tuple[str, int, int, str, str, str]] = []

    def kept_checkpoint(self) -> tuple[str, int] | None:
        return self.kept[-1] if self.kept else None

    def keep_checkpoint(self, note: str, size: int, root_hex: str, checked_seq: int) -> None:
        self.kept.append((note, checked_seq))

    def log_problem(self, reason: str, held: int, offered: int, *, tx: str, detail: str, note: str) -> None:
        self.problems.append((reason, held, offered, tx, detail, note))

    def log_problems(self) -> list[tuple[str, int, int, str, str, str]]:
        return list(self.problems)

    def acked_envelopes(self, after_seq: int, limit: int) -> list[tuple[int, str, bytes]]:
        return []


def _witness(store: _Store) -> DeviceWitness:
    link = Link(BrokerSettings(port=1), "witness-test")  # never connected: publishes are dropped
    return DeviceWitness(store, "demo", "toko-01", "pusat", key=VERIFIER, link=link, clock=lambda: 0.0)


def test_a_refused_note_delivered_again_is_kept_and_reported_once() -> None:
    """The retained forged checkpoint comes again after each reconnect: one problem row, not one per visit."""
    store = _Store()
    device = _witness(store)
    forged = note.sign(_cp(_tree(4), 4), Ed25519PrivateKey.generate())
    for _ in range(3):
        device.on_connected()
        device.on_checkpoint(forged.encode())
    assert [p[0] for p in store.problems] == ["signature"]
    assert device.report().state == "signature" and device.report().offered == forged


def test_a_kept_checkpoint_of_a_replaced_log_key_does_not_stop_the_witness() -> None:
    """A kept note that no longer verifies (log.pub replaced) is set aside; the next checkpoint is judged
    as a first one (a request goes out), never an exception in the sync loop."""
    store = _Store()
    old = note.sign(_cp(_tree(3), 3), Ed25519PrivateKey.generate())
    store.kept.append((old, 2))
    device = _witness(store)
    device.on_checkpoint(note.sign(_cp(_tree(5), 5), KEY).encode())
    assert device.pending is not None and device.pending.request.size_from == 0
    assert device.report().size == 0 and store.problems == []
