"""The log's tables, in the ledger's database (created by ingest's first append and by ``transparency
init`` through ``Ledger.create_side_tables``).

- ``log_leaves``: leaf ``idx`` (0, 1, 2, ... in acceptance order) of transaction ``tx`` and its leaf hash;
- ``log_nodes``: the hashes of the perfect subtrees of ``STORED_LEVEL`` and more levels (2**4 = 16 leaves and
  up), keyed ``level << 48 | index``: about n/8 rows, so that a proof reads about log2(n) hashes and the
  leaves of at most four small subtrees;
- ``log_checkpoints``: every checkpoint ever signed, as its signed note;
- ``log_meta``: the log's origin, public key and where its signing key file is;
- ``log_witnesses``: each device's latest witness report (``sync.witness``): the checkpoint it kept, and
  the problems it ever flagged (sticky, with the refused note as evidence).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, MetaData, String, Table, Text

STORED_LEVEL: Final = 4
LEVEL_SHIFT: Final = 48

metadata = MetaData()

log_leaves = Table(
    "log_leaves",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("tx", String(64), nullable=False, unique=True),
    Column("hash", LargeBinary(32), nullable=False),
)

log_nodes = Table(
    "log_nodes",
    metadata,
    Column("node", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

log_checkpoints = Table(
    "log_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("size", BigInteger, nullable=False),
    Column("root", String(64), nullable=False),  # hex
    Column("signed_ts", BigInteger, nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_log_checkpoints_size", log_checkpoints.c.size, log_checkpoints.c.id)

log_meta = Table(
    "log_meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)


log_witnesses = Table(
    "log_witnesses",
    metadata,
    Column("device", String(48), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("signed_at", String(40), nullable=False),  # the kept checkpoint's time of signing
    Column("state", String(20), nullable=False),  # "ok" or the latest problem's key
    Column("held", Text, nullable=False),  # the kept signed note
    Column("offered", Text, nullable=False),  # the refused signed note of the latest problem
    Column("tx", String(80), nullable=False),
    Column("detail", Text, nullable=False),
    Column("problems", Text, nullable=False),  # every problem key ever reported, comma-separated
    Column("reported_ts", BigInteger, nullable=False),
    Column("flagged_ts", BigInteger),  # when it first reported a problem
)


def node_key(level: int, index: int) -> int:
    """The ``log_nodes.node`` of the perfect subtree (level, index)."""
    return (level << LEVEL_SHIFT) | index
