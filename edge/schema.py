"""The device store's schema and its migrations.

Each migration is a list of SQL statements run in one transaction together with the bump of
``PRAGMA user_version``, so an upgrade either happens whole or not at all and a device keeps its data
(outbox first of all) across software upgrades. Append new migrations; never edit a released one.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from edge.errors import SchemaTooNew

MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    # 1: catalog, member cache, config, outbox and the key/value state (chain head, versions, acks).
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE products (sku TEXT PRIMARY KEY, name TEXT NOT NULL, unit TEXT NOT NULL,"
        " price_rp INTEGER NOT NULL, cost_rp INTEGER NOT NULL, stock_milli INTEGER)",
        "CREATE TABLE members (number TEXT PRIMARY KEY, name TEXT NOT NULL, card_code TEXT, role TEXT,"
        " active INTEGER NOT NULL, credit_limit_rp INTEGER NOT NULL, credit_used_rp INTEGER NOT NULL)",
        "CREATE INDEX members_card_code ON members (card_code)",
        "CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE outbox (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, envelope BLOB NOT NULL,"
        " kind TEXT NOT NULL, member TEXT, payment TEXT NOT NULL, total_rp INTEGER NOT NULL, ref TEXT,"
        " clerk TEXT, created_at REAL NOT NULL, acked_at REAL)",
        "CREATE INDEX outbox_ref ON outbox (ref)",
    ),
    # 2: clerks for shifts, the member-summary cache for the kiosk, and a shift index.
    (
        "CREATE TABLE clerks (id TEXT PRIMARY KEY, name TEXT NOT NULL, pin_hash TEXT NOT NULL,"
        " active INTEGER NOT NULL DEFAULT 1)",
        "CREATE TABLE member_summaries (number TEXT PRIMARY KEY, as_of TEXT, summary TEXT NOT NULL,"
        " saved_at REAL NOT NULL)",
        "CREATE INDEX outbox_clerk ON outbox (clerk, created_at)",
    ),
    # 3: envelopes central refused (``sync.refusals``): when the device learnt it, and central's reason.
    (
        "ALTER TABLE outbox ADD COLUMN refused_at REAL",
        "ALTER TABLE outbox ADD COLUMN refused_reason TEXT",
        "CREATE INDEX outbox_refused ON outbox (refused_at) WHERE refused_at IS NOT NULL",
    ),
    # 4: the device as a witness of central's transparency log (``sync.witness``): the checkpoints it
    # accepted (the last is kept; ``checked_seq``: own envelopes proved included up to there) and the
    # problems it found (a refused checkpoint's note is kept as evidence).
    (
        "CREATE TABLE log_checkpoints (id INTEGER PRIMARY KEY, size INTEGER NOT NULL, root TEXT NOT NULL,"
        " note TEXT NOT NULL, accepted_at REAL NOT NULL, checked_seq INTEGER NOT NULL)",
        "CREATE TABLE log_problems (id INTEGER PRIMARY KEY, at REAL NOT NULL, reason TEXT NOT NULL,"
        " held INTEGER NOT NULL, offered INTEGER NOT NULL, tx TEXT NOT NULL, detail TEXT NOT NULL,"
        " note TEXT NOT NULL)",
    ),
    # 5: stock counts (stok opname): the open counts central announces (downlink ``counts``) and what this
    # device counted for each, per item (the total so far; each change is also a ``count_line`` envelope).
    (
        "CREATE TABLE counts (id TEXT PRIMARY KEY, unit TEXT NOT NULL, section TEXT, started TEXT NOT NULL)",
        "CREATE TABLE count_lines (count TEXT NOT NULL, sku TEXT NOT NULL, qty_milli INTEGER NOT NULL,"
        " clerk TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (count, sku))",
    ),
)
LATEST: Final = len(MIGRATIONS)


def version(conn: sqlite3.Connection) -> int:
    """The schema version the store is at (0 for a new file)."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Bring the store up to ``target``, one transaction per step; return the version reached.

    ``conn`` must be in autocommit mode (``isolation_level=None``).
    """
    found = version(conn)
    if found > LATEST:
        raise SchemaTooNew(found, LATEST)
    for number in range(found + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if version(conn) >= number:  # another process migrated meanwhile
                conn.execute("COMMIT")
                continue
            for statement in MIGRATIONS[number - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number:d}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return version(conn)
