"""The transparency log's Merkle tree and checkpoints against published vectors and RFC 9162's laws."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import checkpoint as note
from sync import merkle

# RFC 6962's reference test inputs and answers, as published with Google's implementations: the eight leaf
# inputs, the roots of the trees of 1..8 leaves and the audit paths and consistency proofs in
# certificate-transparency (C++) merkletree/merkle_tree_test.cc, repeated in certificate-transparency-go's
# merkletree tests and transparency-dev/merkle proof/verify_test.go.
RFC_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
RFC_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, audit path); the published tables number leaves from 1.
RFC_INCLUSION = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (old size, new size, proof)
RFC_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

# Mozilla's precomputed tree on 7 inputs (mozilla-central, testing/mozharness/test/test_mozilla_merkle.py):
# the inputs, their leaf hashes, the inner nodes A..F (F the root) and the audit path of every leaf.
MOZ_DATA = [
    bytes.fromhex(h)
    for h in (
        "fbc459361fc111024c6d1fd83d23a9ff",
        "ae3a44925afec860451cd8658b3cadde",
        "418903fe6ef29fc8cab93d778a7b018b",
        "3d1c53c00b2e137af8c4c23a06388c6b",
        "e656ebd8e2758bc72599e5896be357be",
        "81aae91cf90be172eedd1c75c349bf9e",
        "00c262edf8b0bc345aca769e8733e25e",
    )
]
MOZ_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "5cb551f87797381a24a5359a986e2cef25b1f2113b387197fe48e8babc9ad5c7",
        "9899dc0be00306bda2a8e69cec32525ca6244f132479bcf840d8c1bc8bdfbff2",
        "fdd27d0393e32637b474efb9b3efad29568c3ec9b091fdda40fd57ec9196f06d",
        "c87292a6c8528c2a0679b6c1eefb47e4dbac7840d23645d5b7cb47cf1a8d365f",
        "2ff3bdac9bec3580b82da8a357746f15919414d9cbe517e2dd96910c9814c30c",
        "883e318240eccc0e2effafebdb0fd4fd26d0996da1b01439566cb9babef8725f",
        "bb13dfb7b202a95f241ea1715c8549dc048d9936ec747028002f7c795de72fcf",
    )
]
MOZ_A = bytes.fromhex("06447a7baa079cb0b4b6119d0f575bec508915403fdc30923eba982b63759805")
MOZ_B = bytes.fromhex("3db98027c655ead4fe897bef3a4b361839a337941a9e624b475580c9d4e882ee")
MOZ_C = bytes.fromhex("17524f8b0169b2745c67846925d55449ae80a8022ef8189dcf4cbb0ec7fcc470")
MOZ_D = bytes.fromhex("380d0dc6fd7d4f37859a12dbfc7171b3cce29ab0688c6cffd2b15f3e0b21af49")
MOZ_E = bytes.fromhex("3a9c2886a5179a6e1948876034f99d52a8f393f47a09887adee6d1b4a5c5fbd6")
MOZ_F = bytes.fromhex("d1a0d3947db4ae8305f2ac32985957e02659b2ea3c10da52a48d2526e9af3bbc")
MOZ_PROOFS = [
    [MOZ_LEAVES[1], MOZ_B, MOZ_E],
    [MOZ_LEAVES[0], MOZ_B, MOZ_E],
    [MOZ_LEAVES[3], MOZ_A, MOZ_E],
    [MOZ_LEAVES[2], MOZ_A, MOZ_E],
    [MOZ_LEAVES[5], MOZ_LEAVES[6], MOZ_D],
    [MOZ_LEAVES[4], MOZ_LEAVES[6], MOZ_D],
    [MOZ_C, MOZ_D],
]


def _hexes(hashes: list[bytes]) -> list[str]:
    return [h.hex() for h in hashes]


# -- a reference written straight from RFC 9162's recursive definitions -------------------------------


def ref_mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return merkle.leaf_hash(leaves[0])
    k = merkle.split(len(leaves))
    return merkle.node_hash(ref_mth(leaves[:k]), ref_mth(leaves[k:]))


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = merkle.split(len(leaves))
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [ref_mth(leaves)]
    k = merkle.split(n)
    if m <= k:
        return [*ref_subproof(m, leaves[:k], whole), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def _tree(leaves: list[bytes]) -> merkle.MemoryTree:
    return merkle.MemoryTree(merkle.leaf_hash(x) for x in leaves)


# -- published vectors -------------------------------------------------------------------------------


def test_rfc6962_roots() -> None:
    """The roots of the trees of 0..8 reference leaves are the published ones."""
    assert merkle.root([]).hex() == hashlib.sha256(b"").hexdigest()
    tree = _tree(RFC_LEAVES)
    for size, want in enumerate(RFC_ROOTS, start=1):
        assert tree.root(size).hex() == want
        assert ref_mth(RFC_LEAVES[:size]).hex() == want


@pytest.mark.parametrize(("index", "size", "path"), RFC_INCLUSION)
def test_rfc6962_inclusion_proofs(index: int, size: int, path: list[str]) -> None:
    """Inclusion proofs equal the published audit paths, and verify against the published root."""
    tree = _tree(RFC_LEAVES)
    proof = tree.inclusion(index, size)
    assert _hexes(proof) == path
    root = bytes.fromhex(RFC_ROOTS[size - 1])
    assert merkle.verify_inclusion(index, size, merkle.leaf_hash(RFC_LEAVES[index]), proof, root)


@pytest.mark.parametrize(("old", "new", "path"), RFC_CONSISTENCY)
def test_rfc6962_consistency_proofs(old: int, new: int, path: list[str]) -> None:
    """Consistency proofs equal the published ones, and verify between the published roots."""
    tree = _tree(RFC_LEAVES)
    proof = tree.consistency(old, new)
    assert _hexes(proof) == path
    old_root, new_root = bytes.fromhex(RFC_ROOTS[old - 1]), bytes.fromhex(RFC_ROOTS[new - 1])
    assert merkle.verify_consistency(old, new, old_root, new_root, proof)


def test_mozilla_seven_leaf_tree() -> None:
    """Mozilla's 7-leaf tree: its leaf hashes, root and every audit path."""
    tree = _tree(MOZ_DATA)
    assert tree.leaves == MOZ_LEAVES
    assert tree.root() == MOZ_F
    for index, want in enumerate(MOZ_PROOFS):
        assert tree.inclusion(index) == want
        assert merkle.verify_inclusion(index, 7, MOZ_LEAVES[index], want, MOZ_F)


# -- laws --------------------------------------------------------------------------------------------


def _flip(proof: list[bytes], which: int, bit: int) -> list[bytes]:
    changed = list(proof)
    h = bytearray(changed[which])
    h[bit // 8] ^= 1 << (bit % 8)
    changed[which] = bytes(h)
    return changed


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 70).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))), st.data())
def test_every_inclusion_proof_verifies_and_no_tampered_one_does(
    case: tuple[int, int], data: st.DataObject
) -> None:
    """For any tree and leaf: the proof equals RFC 9162's PATH and verifies; a flipped bit, another index
    or another size does not."""
    n, index = case
    leaves = [i.to_bytes(4, "big") for i in range(n)]
    tree = _tree(leaves)
    root = tree.root()
    proof = tree.inclusion(index)
    assert proof == ref_path(index, leaves)
    assert tree.root() == ref_mth(leaves)
    leaf = merkle.leaf_hash(leaves[index])
    assert merkle.verify_inclusion(index, n, leaf, proof, root)
    if proof:
        which = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        assert not merkle.verify_inclusion(index, n, leaf, _flip(proof, which, bit), root)
    assert not merkle.verify_inclusion(
        index, n, _flip([leaf], 0, data.draw(st.integers(0, 255)))[0], proof, root
    )
    other = data.draw(st.integers(0, n))
    if other != index:
        assert not merkle.verify_inclusion(other, n, leaf, proof, root)
    # A proof does not carry its size: the same path may fit another size of the same shape, so a size is
    # wrong against the root of a tree of that size (a checkpoint signs size and root together), and any
    # size whose path has another shape fails whatever the root.
    size = data.draw(st.integers(1, 2 * n + 2))
    if size != n:
        grown = _tree([i.to_bytes(4, "big") for i in range(size)])
        assert not merkle.verify_inclusion(index, size, leaf, proof, grown.root())
        if index >= size or len(merkle.inclusion_ranges(index, size)) != len(proof):
            assert not merkle.verify_inclusion(index, size, leaf, proof, root)
    assert not merkle.verify_inclusion(index, n, leaf, [*proof, root], root)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 70).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))), st.data())
def test_every_consistency_proof_verifies_and_no_tampered_one_does(
    case: tuple[int, int], data: st.DataObject
) -> None:
    """For any m <= n: the proof equals RFC 9162's PROOF and verifies; a flipped bit or another size does
    not, and neither does a tree that differs in any one leaf before m."""
    m, n = case
    leaves = [i.to_bytes(4, "big") for i in range(n)]
    tree = _tree(leaves)
    old_root, new_root = tree.root(m), tree.root()
    proof = tree.consistency(m, n)
    assert proof == (ref_subproof(m, leaves, True) if m < n else [])
    assert merkle.verify_consistency(m, n, old_root, new_root, proof)
    if proof:
        which = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        assert not merkle.verify_consistency(m, n, old_root, new_root, _flip(proof, which, bit))
        whole = [i.to_bytes(4, "big") for i in range(2 * n + 2)]
        other = data.draw(st.integers(1, n))
        if other != m:
            assert not merkle.verify_consistency(other, n, _tree(whole).root(other), new_root, proof)
        other = data.draw(st.integers(m, 2 * n + 2))
        if other != n:
            assert not merkle.verify_consistency(m, other, old_root, _tree(whole).root(other), proof)
    changed = list(leaves)
    at = data.draw(st.integers(0, m - 1))
    changed[at] = b"forged"
    forged_old = _tree(changed).root(m)
    assert not merkle.verify_consistency(m, n, forged_old, new_root, proof)


def test_impossible_proofs_are_refused() -> None:
    """Asking for a leaf outside the tree, or a consistency proof backwards, is an error."""
    with pytest.raises(merkle.ProofError):
        merkle.inclusion_ranges(3, 3)
    with pytest.raises(merkle.ProofError):
        merkle.consistency_ranges(5, 4)
    assert not merkle.verify_inclusion(0, 0, b"\0" * 32, [], b"\0" * 32)
    assert merkle.verify_consistency(0, 5, b"x" * 32, b"y" * 32, [])


# -- checkpoints -------------------------------------------------------------------------------------


def test_checkpoint_round_trip_and_key_id() -> None:
    """A signed checkpoint verifies with its key, has the signed-note key ID, and fails once changed."""
    key = Ed25519PrivateKey.generate()
    cp = note.Checkpoint("kop/demo/log", 8, bytes.fromhex(RFC_ROOTS[7]), "2026-12-06T02:30:00Z")
    signed = note.sign(cp, key)
    text, sigs = signed.split("\n\n")
    assert text.splitlines() == [
        "kop/demo/log",
        "8",
        base64.b64encode(cp.root).decode(),
        "time 2026-12-06T02:30:00Z",
    ]
    assert sigs.startswith("\u2014 kop/demo/log ")
    verifier = note.verifier_for("kop/demo/log", key)
    blob = base64.b64decode(sigs.split(" ")[2])
    want = hashlib.sha256(b"kop/demo/log\n\x01" + verifier.public).digest()[:4]
    assert blob[:4] == verifier.key_id == want
    assert note.verify(signed, note.parse_verifier(verifier.encode())) == cp
    with pytest.raises(note.NoteError):
        note.verify(signed.replace("\n8\n", "\n9\n"), verifier)
    with pytest.raises(note.NoteError):
        note.verify(signed, note.verifier_for("kop/demo/log", Ed25519PrivateKey.generate()))


def test_go_sumdb_note_vector() -> None:
    """A key string and signed note from Go's golang.org/x/mod/sumdb/note tests (PeterNeumann) verify."""
    vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    signed = (
        "If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n"
        "\n"
        "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngot"
        "pRZb6KE6RyyBwJnAM=\n"
    )
    verifier = note.parse_verifier(vkey)
    assert note.open_note(signed, verifier).startswith("If you think")


def test_any_key_string_round_trips() -> None:
    """Every key's verifier string reads back (base64 may hold '+', which also joins the parts)."""
    for _ in range(40):
        verifier = note.verifier_for("kop/demo/log", Ed25519PrivateKey.generate())
        assert note.parse_verifier(verifier.encode()) == verifier
