"""Writes shared by the store and ingest: bulk inserts (which keep the per-day account sums) and the
rebuilds of derived tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, and_, func, select

from central.ledger import schema


def insert_many(
    conn: Connection, table: Table, rows: Sequence[tuple[Any, ...]], columns: Sequence[str] | None = None
) -> None:
    """Insert positional rows in bulk, inside the connection's transaction: COPY on PostgreSQL, one
    driver-level executemany on SQLite (no per-row SQL compilation, no per-row round trip).

    Journal lines must be written through here: it also adds them to the ``account_days`` sums.
    """
    if not rows:
        return
    names = list(columns) if columns is not None else [c.name for c in table.columns]
    # Table and column names come from schema.py, never from input.
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)  # psycopg's C adapter: measured faster than preformatted text
    else:
        marks = ", ".join(["?"] * len(names))
        sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
        conn.exec_driver_sql(sql, list(rows))
    if table is schema.journal:
        _add_account_days(conn, rows, names)


def _add_account_days(conn: Connection, rows: Sequence[tuple[Any, ...]], names: list[str]) -> None:
    """Add journal lines to the per-account, per-day sums and counts (one upsert per account and day)."""
    account_at, day_at = names.index("account"), names.index("day")
    debit_at, credit_at = names.index("debit_rp"), names.index("credit_rp")
    sums: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        key = (row[account_at], row[day_at])
        kept = sums.get(key)
        if kept is None:
            sums[key] = [int(row[debit_at]), int(row[credit_at]), 1]
        else:
            kept[0] += int(row[debit_at])
            kept[1] += int(row[credit_at])
            kept[2] += 1
    marks = ", ".join(["?" if conn.dialect.paramstyle == "qmark" else "%s"] * 5)
    sql = (
        f"INSERT INTO account_days (account, day, debit_rp, credit_rp, lines) VALUES ({marks}) "  # noqa: S608
        "ON CONFLICT (account, day) DO UPDATE SET debit_rp = account_days.debit_rp + excluded.debit_rp, "
        "credit_rp = account_days.credit_rp + excluded.credit_rp, lines = account_days.lines + excluded.lines"
    )
    conn.exec_driver_sql(sql, [(account, day, d, c, n) for (account, day), (d, c, n) in sums.items()])


def rebuild_chain_breaks(conn: Connection) -> None:
    """Recompute ``chain_breaks`` from the transactions (one join over them)."""
    t = schema.transactions
    prv = t.alias("prv")
    conn.execute(schema.chain_breaks.delete())
    conn.execute(
        schema.chain_breaks.insert().from_select(
            ["device", "seq"],
            select(t.c.device, t.c.seq)
            .join(prv, and_(prv.c.device == t.c.device, prv.c.seq == t.c.seq - 1))
            .where(prv.c.chain != t.c.prev),
        )
    )


def rebuild_account_days(conn: Connection) -> None:
    """Recompute ``account_days`` from the journal (for a ledger made before the table or its line counts
    existed)."""
    j = schema.journal
    conn.execute(schema.account_days.delete())
    conn.execute(
        schema.account_days.insert().from_select(
            ["account", "day", "debit_rp", "credit_rp", "lines"],
            select(
                j.c.account, j.c.day, func.sum(j.c.debit_rp), func.sum(j.c.credit_rp), func.count()
            ).group_by(j.c.account, j.c.day),
        )
    )


def _set_meta(conn: Connection, **values: str) -> None:
    """Store ``values`` in the ledger's key/value ``meta`` table, replacing those keys."""
    m = schema.meta
    conn.execute(m.delete().where(m.c.key.in_(list(values))))
    conn.execute(m.insert(), [{"key": key, "value": value} for key, value in values.items()])
