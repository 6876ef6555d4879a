"""The stock-count tables beside the ledger's, in their own ``MetaData`` and created on first use (as the
loans' are), so stock needs no ledger schema version of its own.

The money never sits here: an approved count's difference is a ``journal`` envelope on the office chain
(``posted_tx``). These rows hold the workflow (who started, counted, closed, approved, when) and each
counted line with what was expected at the moment it was counted and its value at cost.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table

if TYPE_CHECKING:
    from central.ledger import Ledger

MAX_TEXT: Final = 200

metadata = MetaData()

stock_counts = Table(
    "stock_counts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit", String(40), nullable=False),
    Column("section", String(MAX_TEXT)),  # null: every item of the unit
    Column("state", String(12), nullable=False),  # open, closed, approved, rejected, cancelled
    Column("started_ts", BigInteger, nullable=False),
    Column("started_by", String(40), nullable=False),
    Column("closed_ts", BigInteger),
    Column("closed_by", String(40)),
    Column("decided_ts", BigInteger),
    Column("decided_by", String(40)),
    Column("reason", String(MAX_TEXT)),  # of a rejection or cancellation
    Column("loss_rp", BigInteger),  # at close: value of what is missing (>= 0)
    Column("surplus_rp", BigInteger),  # at close: value of what was found over expected (>= 0)
    Column("posted_tx", String(64)),  # the office's journal envelope (none when nothing differed)
    Column("posted_day", String(10)),  # the day the difference counts in stock and the books
)
Index("ix_stock_counts_unit_state", stock_counts.c.unit, stock_counts.c.state)

# One line per counted item of a count (typing the item again replaces its line). ``expected_milli``,
# ``cost_rp`` and ``value_rp`` are set at close: expected is on hand at ``counted_ts`` (sales go on during
# the count), the value is (counted - expected) at cost.
stock_count_lines = Table(
    "stock_count_lines",
    metadata,
    Column("count", Integer, nullable=False),
    Column("unit", String(40), nullable=False),
    Column("sku", String(40), nullable=False),
    Column("counted_milli", BigInteger, nullable=False),
    Column("counted_ts", BigInteger, nullable=False),
    Column("counted_day", String(10), nullable=False),
    Column("counted_by", String(40), nullable=False),
    Column("expected_milli", BigInteger),
    Column("cost_rp", BigInteger),
    Column("value_rp", BigInteger),  # signed: below 0 a loss
    Column(
        "state", String(12), nullable=False
    ),  # the count's state, repeated so on-hand groups without a join
)
Index("ix_stock_count_lines_count_sku", stock_count_lines.c.count, stock_count_lines.c.sku, unique=True)
Index("ix_stock_count_lines_state", stock_count_lines.c.state, stock_count_lines.c.unit)

stock_count_events = Table(
    "stock_count_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("count", Integer, nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("who", String(40), nullable=False),
    Column("action", String(20), nullable=False),  # start, line, close, approve, reject, cancel
    Column("detail", String(400), nullable=False),
)
Index("ix_stock_count_events_count", stock_count_events.c.count)

# Each ``count_line`` envelope a device sent (a clerk counting on the kiosk), once taken into its count:
# ``taken`` (its lines became the count's lines, as typed ones do) or ``late`` (the count was no longer
# open, or is of another unit, or does not exist: ``reason`` says which; the envelope stays in the ledger).
stock_count_device_lines = Table(
    "stock_count_device_lines",
    metadata,
    Column("tx", String(64), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("device", String(48), nullable=False),
    Column("clerk", String(40), nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("lines", Integer, nullable=False),
    Column("status", String(8), nullable=False),  # taken, late
    Column("reason", String(MAX_TEXT)),
)
Index("ix_stock_count_device_lines_count", stock_count_device_lines.c.count)

# Price changes made at the office, each holding from ``from_day`` (the cooperative's local day): applied to
# ``products.price_rp`` on that day (``applied_ts``), so the catalog downlink carries the item changed.
stock_price_changes = Table(
    "stock_price_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sku", String(40), nullable=False),
    Column("price_rp", BigInteger, nullable=False),
    Column("old_rp", BigInteger, nullable=False),  # the price when the change was made
    Column("from_day", String(10), nullable=False),
    Column("by", String(40), nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("applied_ts", BigInteger),  # null: waiting for its day
    Column("cancelled_ts", BigInteger),
    Column("note", String(MAX_TEXT)),
)
Index("ix_stock_price_changes_due", stock_price_changes.c.applied_ts, stock_price_changes.c.from_day)

# The engines whose tables are known to exist. Held weakly, never by ``id()``: a closed engine's id is
# reused by the next one, which may be another database without the tables.
_READY: weakref.WeakSet[Any] = weakref.WeakSet()


# Devices' count lines are few among millions of transactions; ``counts.absorb`` looks for new ones on every
# read of a count, through this partial index (only count_line rows are in it, so sales do not pay for
# it). Its predicate is spelled as a literal in the query too (``COUNT_LINE_KIND``): a partial index is used
# only for a query whose condition matches it. SQLite and PostgreSQL both read this statement.
COUNT_LINE_INDEX: Final = (
    "CREATE INDEX IF NOT EXISTS ix_transactions_count_line ON transactions (ts, id) WHERE kind = 'count_line'"
)
COUNT_LINE_KIND: Final = "transactions.kind = 'count_line'"


def ensure_tables(ledger: Ledger) -> None:
    """Create the stock-count tables, and the partial index of devices' count lines, if missing (once per
    engine in this process)."""
    if ledger.engine in _READY:
        return
    ledger.create_side_tables(metadata)
    with ledger.write() as conn:
        conn.exec_driver_sql(COUNT_LINE_INDEX)
    _READY.add(ledger.engine)
