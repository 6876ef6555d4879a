"""The savings tables beside the ledger's, in their own ``MetaData`` and created on first use (as the
loans' are), so savings need no ledger schema version of their own.

The money never sits here: a placement, every month's interest, a payout and a leaving member's
settlement are envelopes on the office's chain. These tables hold what the books do not: a term deposit's
terms and maturity, which months were accrued (so an accrual is made once), which SHR or SMSK payouts were
made, and a leaving member's approval.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

if TYPE_CHECKING:
    from central.ledger import Ledger

metadata = MetaData()

deposit_placements = Table(
    "deposit_placements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member", String(40), nullable=False),
    Column("product", String(20), nullable=False),
    Column("principal_rp", BigInteger, nullable=False),
    # the terms, fixed at placement (a later change of the product does not change a placement)
    Column("term_months", Integer, nullable=False),
    Column("rate_year_pct", String(20), nullable=False),  # a decimal as text: exact on every database
    Column("early_penalty_pct", String(20), nullable=False),
    Column("early_forfeit_interest", Integer, nullable=False),  # 0 or 1
    Column("at_maturity", String(20), nullable=False),
    Column("start", String(10), nullable=False),  # ISO day the money was placed
    Column("maturity", String(10), nullable=False),
    Column("state", String(12), nullable=False),  # open, paid, rolled, withdrawn
    Column("placed_tx", String(64)),  # the savings_deposit envelope (None for a rollover: no new money)
    Column("placed_by", String(40), nullable=False),
    Column("rolled_from", Integer),
    Column("closed_day", String(10)),
    Column("closed_by", String(40)),
    Column("interest_paid_rp", BigInteger),
    Column("penalty_rp", BigInteger),
    Column("forfeited_rp", BigInteger),
    Column("closed_txs", String(400)),  # the envelopes that closed it, space-separated
)
Index("ix_deposit_placements_member", deposit_placements.c.member)
Index("ix_deposit_placements_state", deposit_placements.c.state)

deposit_accruals = Table(
    "deposit_accruals",
    metadata,
    Column("placement", Integer, primary_key=True),
    Column("month", String(8), primary_key=True),  # YYYY-MM the interest was accrued in (+: a catch-up)
    Column("amount_rp", BigInteger, nullable=False),
    Column("tx", String(64), nullable=False),
)

savings_payouts = Table(
    "savings_payouts",
    metadata,
    Column("product", String(10), primary_key=True),  # shr or smsk
    Column("day", String(10), primary_key=True),  # the payout date
    Column("member", String(40), primary_key=True),
    Column("amount_rp", BigInteger, nullable=False),
    Column("tx", String(64), nullable=False),
)

member_exits = Table(
    "member_exits",
    metadata,
    Column("member", String(40), primary_key=True),
    Column("state", String(12), nullable=False),  # approved, paid
    Column("approved_by", String(40), nullable=False),
    Column("approved_role", String(20), nullable=False),
    Column("approved_ts", BigInteger, nullable=False),
    Column("approved_net_rp", BigInteger, nullable=False),  # the net of the statement the board approved
    Column("reason", String(200), nullable=False),
    Column("paid_ts", BigInteger),
    Column("paid_by", String(40)),
    Column("paid_txs", Text),
)


def ensure_tables(ledger: Ledger) -> None:
    """Create the savings tables if missing (once per ledger object: ``Ledger.create_side_tables``)."""
    ledger.create_side_tables(metadata)
