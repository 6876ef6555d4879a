"""The log in the ledger's database: appending leaves, signing checkpoints, building proofs.

Ingest calls ``append`` inside each chunk's write transaction, with the transaction rows it is about to
commit, so a transaction and its leaf are committed together or not at all. A leaf's data is the
envelope's canonical JSON as stored in ``transactions.body`` (``sync.envelope.canonical``: sorted keys,
no spaces, signature included), so anybody holding the envelope recomputes its leaf hash.

The first append into a ledger whose log is empty while it already holds transactions (a ledger older
than the log) first appends all of them, ordered by the time central received them, then device and
seq. When ``transparency init`` has set up the log key, every append that grows the tree also signs a
checkpoint in the same transaction ("after each ingest round").
"""

from __future__ import annotations

import base64
import logging
import os
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine, Table, column, func, insert, select, table

from central.transparency import verify
from central.transparency.errors import LogBroken, LogKeyError, LogNotSetUp, NoSuchProof
from central.transparency.keys import KEY_ENV, load_key
from central.transparency.tables import (
    STORED_LEVEL,
    log_checkpoints,
    log_leaves,
    log_meta,
    log_nodes,
    metadata,
    node_key,
)
from sync import checkpoint as note
from sync import merkle

log = logging.getLogger("central.transparency")
IN_BATCH: Final = 500  # keys per IN (...) query: under SQLite's bound-parameter limit
BACKFILL_BATCH: Final = 20_000  # transactions hashed and appended at a time when building an old log
# The ledger's transactions table as the log reads it (the log sits below the ledger: it names the table
# and the two columns it needs rather than importing the schema).
TRANSACTIONS: Final = table(
    "transactions", column("id"), column("body"), column("received_ts"), column("device"), column("seq")
)
_ready: weakref.WeakSet[Engine] = weakref.WeakSet()
_keys: dict[tuple[str, float], Ed25519PrivateKey] = {}


@dataclass(frozen=True)
class Published:
    """A checkpoint as kept: its signed note, size, root and when it was signed (Unix time)."""

    id: int
    size: int
    root: bytes
    signed_ts: int
    note: str


def ensure(conn: Connection) -> None:
    """Create the log's tables if missing (once per engine), inside the caller's transaction."""
    engine = conn.engine
    if engine in _ready:
        return
    metadata.create_all(conn)
    _ready.add(engine)


def prepare(ledger: Any) -> None:
    """Create the log's tables through ``Ledger.create_side_tables`` (its own write transaction), once
    per engine: for readers (the portal, the CLI) that must not create tables inside a read."""
    if ledger.engine in _ready:
        return
    ledger.create_side_tables(metadata)
    _ready.add(ledger.engine)


def forget_tables(engine: Engine) -> None:
    """Check again for the log's tables on the next append (after they were dropped: tests, restore)."""
    _ready.discard(engine)


# -- reading the tree --------------------------------------------------------------------------------


def size(conn: Connection) -> int:
    """The number of leaves in the log."""
    top = conn.execute(select(func.max(log_leaves.c.idx))).scalar_one_or_none()
    return 0 if top is None else int(top) + 1


def _batches(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), IN_BATCH):
        yield items[start : start + IN_BATCH]


def _leaf_hashes(conn: Connection, ids: Iterable[int]) -> dict[int, bytes]:
    wanted = sorted(set(ids))
    found: dict[int, bytes] = {}
    for part in _batches(wanted):
        rows = conn.execute(select(log_leaves.c.idx, log_leaves.c.hash).where(log_leaves.c.idx.in_(part)))
        found.update((int(i), bytes(h)) for i, h in rows)
    return found


def hashes(conn: Connection, pieces: Iterable[merkle.Piece]) -> dict[merkle.Piece, bytes]:
    """The hashes of perfect subtrees: stored nodes from ``log_nodes``, small ones from their leaves.
    A missing row (deleted) raises LogBroken."""
    pieces = set(pieces)
    small = [p for p in pieces if p[0] < STORED_LEVEL]
    big = {node_key(*p): p for p in pieces if p[0] >= STORED_LEVEL}
    leaf_ids = [i for level, index in small for i in range(index << level, (index + 1) << level)]
    leaves = _leaf_hashes(conn, leaf_ids)
    out: dict[merkle.Piece, bytes] = {}
    for piece in small:
        try:
            out[piece] = merkle.perfect_from_leaves(piece, leaves.__getitem__)
        except KeyError as err:
            raise LogBroken(
                f"the log has no leaf {err.args[0]}: a row of log_leaves was removed",
                f"log tidak punya daun {err.args[0]}: satu baris log_leaves dihapus",
            ) from err
    keys = sorted(big)
    for part in _batches(keys):
        rows = conn.execute(select(log_nodes.c.node, log_nodes.c.hash).where(log_nodes.c.node.in_(part)))
        out.update((big[int(k)], bytes(h)) for k, h in rows)
    missing = [p for p in big.values() if p not in out]
    if missing:
        level, index = missing[0]
        raise LogBroken(
            f"the log has no hash of leaves {index << level}..{((index + 1) << level) - 1}: "
            "log_nodes was cut",
            f"log tidak punya hash daun {index << level}..{((index + 1) << level) - 1}: log_nodes terpotong",
        )
    return out


def root_at(conn: Connection, tree_size: int) -> bytes:
    """MTH of the first ``tree_size`` leaves, from about log2(n) stored hashes."""
    parts = merkle.pieces(0, tree_size)
    found = hashes(conn, parts)
    return merkle.fold([found[p] for p in parts])


def leaf_index(conn: Connection, tx: str) -> int | None:
    """The leaf index of transaction ``tx``, or None when it is not in the log."""
    value = conn.execute(select(log_leaves.c.idx).where(log_leaves.c.tx == tx)).scalar_one_or_none()
    return None if value is None else int(value)


def envelope_of(conn: Connection, tx: str) -> str | None:
    """The canonical envelope (leaf data) of transaction ``tx`` as the books hold it, or None."""
    body = conn.execute(select(TRANSACTIONS.c.body).where(TRANSACTIONS.c.id == tx)).scalar_one_or_none()
    return None if body is None else str(body)


def inclusion_proof(conn: Connection, index: int, tree_size: int) -> list[bytes]:
    """The inclusion proof of leaf ``index`` in the tree of ``tree_size`` leaves."""
    spans = merkle.inclusion_ranges(index, tree_size)
    return merkle.assemble(spans, hashes(conn, merkle.needed(spans)))


def consistency_proof(conn: Connection, old: int, new: int) -> list[bytes]:
    """The consistency proof from the tree of ``old`` leaves to that of ``new``."""
    spans = merkle.consistency_ranges(old, new)
    return merkle.assemble(spans, hashes(conn, merkle.needed(spans)))


# -- appending ---------------------------------------------------------------------------------------


def append(conn: Connection, tx_rows: Sequence[Sequence[Any]], tx_table: Table) -> None:
    """Ingest's hook: add the accepted transactions (rows of ``tx_table`` in its column order, as
    ingest inserts them) as leaves, in order, inside the caller's transaction; then sign a checkpoint when
    the log key is set up. Builds the log first for a ledger whose transactions predate it."""
    if not tx_rows:
        return
    ensure(conn)
    names = [c.name for c in tx_table.columns]
    at_id, at_body = names.index("id"), names.index("body")
    n0 = size(conn)
    if n0 == 0 and _count_transactions(conn) > len(tx_rows):
        backfill(conn)
    else:
        items = [(str(row[at_id]), str(row[at_body]).encode("utf-8")) for row in tx_rows]
        append_leaves(conn, n0, items)
    _auto_checkpoint(conn)


def _count_transactions(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(TRANSACTIONS)).scalar_one())


def backfill(conn: Connection) -> int:
    """Append every transaction not yet in the log (a log started on a ledger that already had some),
    ordered by when central received them, then device and seq. Returns the new size."""
    ensure(conn)
    n = size(conn)
    known = select(log_leaves.c.tx).scalar_subquery()
    t = TRANSACTIONS
    query = (
        select(t.c.id, t.c.body)
        .where(t.c.id.not_in(known) if n else t.c.id.is_not(None))
        .order_by(t.c.received_ts, t.c.device, t.c.seq)
    )
    batch: list[tuple[str, bytes]] = []
    for ident, body in conn.execute(query).yield_per(BACKFILL_BATCH):
        batch.append((str(ident), str(body).encode("utf-8")))
        if len(batch) >= BACKFILL_BATCH:
            n = append_leaves(conn, n, batch)
            batch = []
    return append_leaves(conn, n, batch) if batch else n


def append_leaves(conn: Connection, n0: int, items: Sequence[tuple[str, bytes]]) -> int:
    """Append leaves (transaction id, leaf data) to a log of ``n0`` leaves and store every perfect
    subtree of ``STORED_LEVEL`` or more levels they complete. Returns the new size."""
    if not items:
        return n0
    new = [merkle.leaf_hash(data) for _, data in items]
    _insert(
        conn, log_leaves, [(n0 + i, tx, h) for i, ((tx, _), h) in enumerate(zip(items, new, strict=True))]
    )
    n1 = n0 + len(new)
    below: dict[int, bytes] = {n0 + i: h for i, h in enumerate(new)}
    rows: list[tuple[Any, ...]] = []
    level = 0
    while True:
        level += 1
        first, last = n0 >> level, n1 >> level  # nodes complete at n1 but not at n0
        if first >= last:
            break
        left = 2 * first
        if left not in below:  # the left child of the first new node was complete before
            below[left] = hashes(conn, [(level - 1, left)])[(level - 1, left)]
        here = {j: merkle.node_hash(below[2 * j], below[2 * j + 1]) for j in range(first, last)}
        if level >= STORED_LEVEL:
            rows.extend((node_key(level, j), h) for j, h in here.items())
        below = here
    _insert(conn, log_nodes, rows)
    return n1


def _insert(conn: Connection, target: Table, rows: list[tuple[Any, ...]]) -> None:
    """Insert positional rows in bulk: one driver-level executemany on SQLite (no per-row compilation),
    SQLAlchemy's batched insert elsewhere."""
    if not rows:
        return
    names = [c.name for c in target.columns]
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" * len(names))
        conn.exec_driver_sql(f"INSERT INTO {target.name} ({', '.join(names)}) VALUES ({marks})", rows)  # noqa: S608
    else:
        conn.execute(insert(target), [dict(zip(names, row, strict=True)) for row in rows])


# -- checkpoints -------------------------------------------------------------------------------------


def meta(conn: Connection) -> dict[str, str]:
    """The log's settings: ``origin``, ``verifier`` (its public key string), ``key_path``."""
    ensure(conn)
    return {str(k): str(v) for k, v in conn.execute(select(log_meta.c.key, log_meta.c.value))}


def set_meta(conn: Connection, **values: str) -> None:
    """Store the log's settings."""
    ensure(conn)
    for key, value in values.items():
        conn.execute(log_meta.delete().where(log_meta.c.key == key))
        conn.execute(insert(log_meta).values(key=key, value=value))


def _cached_key(path: Path) -> Ed25519PrivateKey:
    try:
        stamp = path.stat().st_mtime
    except OSError:
        stamp = 0.0
    found = _keys.get((str(path), stamp))
    if found is None:
        found = load_key(path)
        _keys.clear()
        _keys[(str(path), stamp)] = found
    return found


def _auto_checkpoint(conn: Connection) -> None:
    """Sign a checkpoint of the grown tree when the log key is set up; a missing key only warns (ingest
    never fails for the log's signature: the leaves are in, the next checkpoint covers them)."""
    settings = meta(conn)
    if "origin" not in settings:
        return
    path = Path(os.environ.get(KEY_ENV) or settings.get("key_path", ""))
    try:
        key = _cached_key(path)
    except LogKeyError as err:
        log.warning("no checkpoint signed after ingest: %s", err)
        return
    sign_checkpoint(conn, key, settings["origin"])


def sign_checkpoint(conn: Connection, key: Ed25519PrivateKey, origin: str) -> Published:
    """Sign and keep a checkpoint of the log as it is in ``conn``'s transaction."""
    n = size(conn)
    root = root_at(conn, n)
    now = int(time.time())
    cp = note.Checkpoint(origin, n, root, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)))
    signed = note.sign(cp, key)
    result = conn.execute(
        insert(log_checkpoints).values(size=n, root=root.hex(), signed_ts=now, note=signed)
    ).inserted_primary_key
    ident = int(result[0]) if result else 0
    return Published(ident, n, root, now, signed)


def _published(row: Any) -> Published:
    return Published(int(row.id), int(row.size), bytes.fromhex(row.root), int(row.signed_ts), str(row.note))


def latest(conn: Connection) -> Published | None:
    """The newest checkpoint, or None before the first."""
    ensure(conn)
    c = log_checkpoints
    row = conn.execute(select(c).order_by(c.c.id.desc()).limit(1)).first()
    return None if row is None else _published(row)


def at_size(conn: Connection, tree_size: int) -> Published | None:
    """The newest checkpoint of exactly ``tree_size`` leaves, or None when none was signed."""
    c = log_checkpoints
    row = conn.execute(select(c).where(c.c.size == tree_size).order_by(c.c.id.desc()).limit(1)).first()
    return None if row is None else _published(row)


def covering(conn: Connection, index: int) -> Published | None:
    """The oldest checkpoint whose tree holds leaf ``index``."""
    c = log_checkpoints
    row = conn.execute(select(c).where(c.c.size > index).order_by(c.c.id).limit(1)).first()
    return None if row is None else _published(row)


def every_checkpoint(conn: Connection) -> list[Published]:
    """Every checkpoint kept, oldest first."""
    ensure(conn)
    c = log_checkpoints
    return [_published(row) for row in conn.execute(select(c).order_by(c.c.id))]


# -- proofs as the portal and the CLI publish them ----------------------------------------------------


def inclusion_bundle(
    conn: Connection, tx: str, tree_size: int | None = None, *, with_envelope: bool = True
) -> dict[str, Any]:
    """The JSON a verifier checks (``central.transparency.verify.inclusion``): the envelope (left out
    when ``with_envelope`` is false: it may name a member), its leaf hash and index, the proof and the
    signed checkpoint of ``tree_size`` (default: the latest)."""
    index = leaf_index(conn, tx)
    if index is None:
        raise NoSuchProof(
            f"transaction {tx} is not in the log (not accepted, or not yet)",
            f"transaksi {tx} tidak ada di log (tidak diterima, atau belum)",
        )
    published = _checkpoint_for(conn, tree_size)
    if index >= published.size:
        raise NoSuchProof(
            f"transaction {tx} (leaf {index}) came after checkpoint {published.size}; sign a newer one",
            f"transaksi {tx} (daun {index}) datang setelah checkpoint {published.size}; "
            "tandatangani yang baru",
        )
    body = envelope_of(conn, tx)
    leaf = conn.execute(select(log_leaves.c.hash).where(log_leaves.c.idx == index)).scalar_one()
    return {
        "tx": tx,
        "index": index,
        "size": published.size,
        "envelope": body if with_envelope else None,
        "leaf_hash": base64.b64encode(bytes(leaf)).decode("ascii"),
        "proof": _b64(inclusion_proof(conn, index, published.size)),
        "checkpoint": published.note,
        "signed_at": note.parse(published.note.split("\n\n")[0] + "\n").time,
    }


def consistency_bundle(conn: Connection, old: int, new: int | None = None) -> dict[str, Any]:
    """The JSON a verifier checks (``central.transparency.verify.consistency``): the proof from tree
    ``old`` to tree ``new`` (default: the latest checkpoint's) and the checkpoints of both sizes."""
    new_cp = _checkpoint_for(conn, new)
    if not 0 <= old <= new_cp.size:
        raise NoSuchProof(
            f"no consistency proof from size {old} to size {new_cp.size}",
            f"tidak ada bukti konsistensi dari ukuran {old} ke ukuran {new_cp.size}",
        )
    old_cp = _checkpoint_for(conn, old)
    return {
        "from": old,
        "to": new_cp.size,
        "old_root": old_cp.root.hex(),
        "new_root": new_cp.root.hex(),
        "proof": _b64(consistency_proof(conn, old, new_cp.size)),
        "old_checkpoint": old_cp.note,
        "new_checkpoint": new_cp.note,
    }


def _checkpoint_for(conn: Connection, tree_size: int | None) -> Published:
    ensure(conn)
    found = latest(conn) if tree_size is None else at_size(conn, tree_size)
    if found is None and tree_size is None:
        raise LogNotSetUp(
            "the log has no checkpoint yet: run `transparency init`, then `transparency checkpoint`",
            "log belum punya checkpoint: jalankan `transparency init`, lalu `transparency checkpoint`",
        )
    if found is None:
        raise NoSuchProof(
            f"no checkpoint of size {tree_size} was signed; ask for the size of a published checkpoint",
            f"tidak ada checkpoint berukuran {tree_size}; minta ukuran checkpoint yang sudah terbit",
        )
    return found


def _b64(proof: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode("ascii") for h in proof]


def proven(conn: Connection, tx: str) -> verify.Included | None:
    """Transaction ``tx``'s inclusion in the latest checkpoint, proved and the proof checked with the
    log's public key; None when the log has no checkpoint holding it yet. A proof that fails raises
    ``verify.VerifyError`` (the log no longer matches what it signed)."""
    settings = meta(conn)
    if "verifier" not in settings:
        return None
    try:
        bundle = inclusion_bundle(conn, tx)
    except (NoSuchProof, LogNotSetUp):
        return None
    return verify.inclusion(bundle, note.parse_verifier(settings["verifier"]))
