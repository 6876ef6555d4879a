"""Year-end's own tables beside the ledger's: closes with their allocation, and board activity."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from central.yearend.policy import MAX_BY, MAX_NOTE, MAX_REASON

if TYPE_CHECKING:
    pass


# -- this module's tables (created on first use, beside the ledger's) ----------------------------------

metadata = MetaData()

year_closes = Table(
    "year_closes",
    metadata,
    Column("year", Integer, nullable=False),
    Column("round", Integer, nullable=False),  # 1 for the first close of a year, +1 after each reopen
    Column("shu_rp", BigInteger, nullable=False),
    Column("closed_ts", BigInteger, nullable=False),
    Column("closed_by", String(MAX_BY), nullable=False),
    Column("close_tx", String(64), nullable=False),
    Column("allocation", Text, nullable=False),  # JSON of shu_data(): funds, members, board, totals
    Column("reopened_ts", BigInteger),
    Column("reopened_by", String(MAX_BY)),
    Column("reopen_reason", String(MAX_REASON)),
    Column("reopen_tx", String(64)),
    PrimaryKeyConstraint("year", "round"),
)

board_activity = Table(
    "board_activity",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member", String(40), nullable=False),
    Column("day", String(10), nullable=False),
    Column("score", Integer, nullable=False),
    Column("note", String(MAX_NOTE), nullable=False),
    Column("recorded_ts", BigInteger, nullable=False),
    Column("recorded_by", String(MAX_BY), nullable=False),
)
Index("ix_board_activity_day", board_activity.c.day)
