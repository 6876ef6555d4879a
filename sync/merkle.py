"""Merkle tree hashing and proofs of RFC 6962 / RFC 9162 (pure: bytes in, bytes out).

A leaf's hash is SHA-256(0x00 || data), an inner node's SHA-256(0x01 || left || right); the tree of n leaves
splits at k, the largest power of two below n (RFC 9162 section 2.1.1). Proofs are built by PATH and
SUBPROOF of RFC 9162 sections 2.1.3.1 and 2.1.4.1 and verified by the algorithms of sections 2.1.3.2 and
2.1.4.2.

Every range whose hash a proof needs is a left-aligned run of *perfect* subtrees (``pieces``): the subtree
of 2**level leaves starting at leaf ``index * 2**level``. A store keeps those hashes (or the leaves they
come from), so a proof reads about log2(n) hashes and never rehashes the tree: ``inclusion_ranges`` and
``consistency_ranges`` say which ranges, ``needed`` which perfect subtrees, ``assemble`` builds the proof
from their hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final

HASH_BYTES: Final = 32
LEAF_PREFIX: Final = b"\x00"
NODE_PREFIX: Final = b"\x01"
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()  # MTH({}) = SHA-256()
MAX_SIZE: Final = 2**48  # leaves a tree may hold here (far above any cooperative's life)

Piece = tuple[
    int, int
]  # (level, index): the perfect subtree of leaves [index << level, (index + 1) << level)
Span = tuple[int, int]  # [start, end) of leaves


class ProofError(ValueError):
    """A proof was asked for with impossible sizes or indexes."""


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of one leaf."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an inner node."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split(n: int) -> int:
    """The largest power of two strictly below ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of the leaves whose hashes are given (iteratively: pair neighbours, an odd last one moves up
    unchanged, which is the same tree as RFC 9162's split at the largest power of two)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def pieces(start: int, end: int) -> list[Piece]:
    """The perfect subtrees, left to right, that make up the range [start, end) of a proof: the largest
    aligned power of two first. MTH of the range is ``fold`` of their hashes."""
    out: list[Piece] = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start % (1 << level):
            level -= 1
        out.append((level, start >> level))
        start += 1 << level
    return out


def fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its pieces' hashes (right to left: each split's left side is perfect)."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def inclusion_ranges(index: int, size: int) -> list[Span]:
    """The ranges whose MTH form the inclusion proof of leaf ``index`` in the tree of ``size`` leaves,
    in proof order (RFC 9162 2.1.3.1, PATH(m, D[n]))."""
    if not 0 <= index < size <= MAX_SIZE:
        raise ProofError(f"leaf {index} is not in a tree of {size}")
    out: list[Span] = []
    lo, hi, m = 0, size, index
    while hi - lo > 1:
        k = split(hi - lo)
        if m < k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo, m = lo + k, m - k
    out.reverse()  # PATH appends each sibling after the deeper path
    return out


def consistency_ranges(old: int, new: int) -> list[Span]:
    """The ranges whose MTH form the consistency proof from tree ``old`` to tree ``new``, in proof order
    (RFC 9162 2.1.4.1, PROOF(m, D[n]) = SUBPROOF(m, D[n], true)); empty when old is 0 or equal to new."""
    if not 0 <= old <= new <= MAX_SIZE:
        raise ProofError(f"no consistency proof from size {old} to size {new}")
    if old in (0, new):
        return []
    out: list[Span] = []
    lo, hi, m, whole = 0, new, old, True
    while m != hi - lo:
        k = split(hi - lo)
        if m <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        out.append((lo, hi))
    out.reverse()
    return out


def needed(spans: Iterable[Span]) -> set[Piece]:
    """Every perfect subtree whose hash the ranges need."""
    return {piece for start, end in spans for piece in pieces(start, end)}


def assemble(spans: Sequence[Span], hashes: Mapping[Piece, bytes]) -> list[bytes]:
    """The proof: the MTH of each range, from the hashes of its pieces."""
    return [fold([hashes[p] for p in pieces(start, end)]) for start, end in spans]


def perfect_from_leaves(piece: Piece, leaf_at: Callable[[int], bytes]) -> bytes:
    """The hash of a perfect subtree computed from its leaf hashes (for small ones)."""
    level, index = piece
    first = index << level
    return root([leaf_at(i) for i in range(first, first + (1 << level))])


# -- a whole tree in memory (tests, the verifier's audit of a downloaded log) ---------------------------


class MemoryTree:
    """The leaf hashes of a tree held in a list; proofs by the same ranges as the database's log."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self.leaves: list[bytes] = list(leaf_hashes)

    def append(self, data: bytes) -> int:
        """Add a leaf; its index."""
        self.leaves.append(leaf_hash(data))
        return len(self.leaves) - 1

    def _hashes(self, spans: Sequence[Span]) -> dict[Piece, bytes]:
        return {p: perfect_from_leaves(p, self.leaves.__getitem__) for p in needed(spans)}

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (all by default)."""
        return root(self.leaves[: len(self.leaves) if size is None else size])

    def inclusion(self, index: int, size: int | None = None) -> list[bytes]:
        """The inclusion proof of leaf ``index`` in the tree of ``size`` leaves."""
        spans = inclusion_ranges(index, len(self.leaves) if size is None else size)
        return assemble(spans, self._hashes(spans))

    def consistency(self, old: int, new: int | None = None) -> list[bytes]:
        """The consistency proof from the tree of ``old`` leaves to that of ``new``."""
        spans = consistency_ranges(old, len(self.leaves) if new is None else new)
        return assemble(spans, self._hashes(spans))


# -- verification, RFC 9162 2.1.3.2 and 2.1.4.2 -------------------------------------------------------


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """The root an inclusion proof leads to, or None when the proof cannot be one for (index, size)."""
    if not 0 <= index < size or len(leaf) != HASH_BYTES:
        return None
    if any(len(p) != HASH_BYTES for p in proof):
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes) -> bool:
    """True when ``proof`` shows the leaf (its hash) at ``index`` of the tree of ``size`` with this root."""
    got = root_from_inclusion(index, size, leaf, proof)
    return got is not None and got == root_hash


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """True when ``proof`` shows the tree of ``old`` leaves (``old_root``) to be a prefix of the tree of
    ``new`` leaves (``new_root``)."""
    if not 0 <= old <= new or any(len(p) != HASH_BYTES for p in proof):
        return False
    if old == new:
        return not proof and old_root == new_root
    if old == 0:
        return not proof  # the empty tree is a prefix of every tree
    if not proof:
        return False
    path = list(proof)
    if old & (old - 1) == 0:  # an exact power of two: the old root is the first node of the path
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


class Frontier:
    """The roots of a tree as its leaves stream in, in O(log n) memory: the perfect subtrees of the
    binary decomposition of the size so far (a compact range), merged as they complete."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (level, hash), levels strictly decreasing

    def push(self, leaf: bytes) -> list[Piece]:
        """Add a leaf hash; the perfect subtrees it completed, as (level, index), with their hashes in
        ``completed``."""
        self.completed: dict[Piece, bytes] = {}
        level, h = 0, leaf
        while self._stack and self._stack[-1][0] == level:
            _, left = self._stack.pop()
            h = node_hash(left, h)
            level += 1
            self.completed[(level, self.size >> level)] = h
        self._stack.append((level, h))
        self.size += 1
        return list(self.completed)

    def root(self) -> bytes:
        """MTH of the leaves so far."""
        return fold([h for _, h in self._stack])
