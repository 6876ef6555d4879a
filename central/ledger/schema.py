"""The ledger's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Conventions: money is BigInteger rupiah (``*_rp``); dates in the cooperative's time zone are ``YYYY-MM-DD``
text (``day``), which sorts and compares the same on both databases; instants are ``ts`` (Unix seconds, UTC).
A journal entry is identified by the id of the transaction it posts; its lines carry the entry's day, unit
and member so that every report aggregates in SQL without joins.

Other modules (points, SHU, year-end, serve) read these tables directly; names here are stable.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
)

# 2: transactions.cost_rp; 3: quarantine.state, refusals, quarantine_actions; 4: MEMBER_TS_INDEX,
# account_days.lines, the wider LOAN_INDEX (see ``upgrade``).
SCHEMA_VERSION: Final = 4

metadata = MetaData()

# Key/value settings: schema version, the cooperative's config (JSON), catalog and member versions.
meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("type", String(16), nullable=False),  # asset, liability, equity, revenue, expense
    Column("unit", String(40)),
)

units = Table(
    "units",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("participant", Boolean, nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("number", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("joined", String(10), nullable=False),  # YYYY-MM-DD
    Column("birth_date", String(10)),
    Column("phone", String(40)),
    Column("blood_type", String(3)),
    Column("role", String(20), nullable=False),  # anggota, pengurus, pengawas, ketua, ...
    Column("card_code", String(14), nullable=False, unique=True),
    Column("credit_limit_rp", BigInteger),  # null: the config's default_credit_limit_rp
    Column("active", Boolean, nullable=False),
    Column("updated_ts", BigInteger, nullable=False),
)

products = Table(
    "products",
    metadata,
    Column("sku", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("unit", String(40), nullable=False),
    Column("price_rp", BigInteger, nullable=False),
    Column("cost_rp", BigInteger, nullable=False),
    Column("updated_ts", BigInteger, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("device", String(48), primary_key=True),
    Column("public_key", String(64), nullable=False),  # base64 of the 32 raw Ed25519 bytes
    Column("unit", String(40), nullable=False),
    Column("branch", String(40), nullable=False),
    Column("added_ts", BigInteger, nullable=False),
    Column("revoked_ts", BigInteger),
    Column("revoked_reason", String(200)),
)

# One row per accepted envelope (every kind). ``chain`` is sync.envelope.chain_hash of it (the next ``prev``),
# ``content`` its content_hash (same content, same hash: tells a duplicate from a conflict).
transactions = Table(
    "transactions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("device", String(48), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("prev", String(64), nullable=False),
    Column("chain", String(64), nullable=False),
    Column("content", String(64), nullable=False),
    Column("at", String(40), nullable=False),  # as the device wrote it
    Column("ts", BigInteger, nullable=False),
    Column("day", String(10), nullable=False),  # local date in the cooperative's time zone
    Column("unit", String(40), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("member", String(40)),
    Column("payment", String(8), nullable=False),
    Column("total_rp", BigInteger, nullable=False),
    Column("product", String(16)),  # savings product
    Column("loan", String(40)),
    Column("principal_rp", BigInteger),
    Column("interest_rp", BigInteger),
    Column("ref", String(64)),  # void, dispute: the referenced transaction
    Column("reason", String(200)),
    Column("clerk", String(200)),
    Column("note", String(200)),
    Column("signed", Boolean, nullable=False),
    Column("received_ts", BigInteger, nullable=False),
    Column("body", Text, nullable=False),  # the envelope as received, canonical JSON
    # Sales and purchases: the cost of goods of their lines (the sum of sale_lines.cost_total_rp), so that
    # margins aggregate without a join to the lines; null for other kinds. Last: ``upgrade`` appends it.
    Column("cost_rp", BigInteger),
    UniqueConstraint("device", "seq", name="uq_transactions_device_seq"),
)
# A member's transactions (statements, summaries: member = ? and a day range), and the year-end aggregate:
# the entries hold every column the per-member, per-rule totals need, in their grouping order, so those
# totals stream out of the index without a sort and without reading the wide rows (the canonical body).
# Walk-ins (no member) are not in it. Replaced ix_transactions_member_day (member, day) in version 2.
MEMBER_TOTALS_INDEX: Final = Index(
    "ix_transactions_member_totals",
    transactions.c.member,
    transactions.c.kind,
    transactions.c.unit,
    transactions.c.payment,
    transactions.c.product,
    transactions.c.day,
    transactions.c.total_rp,
    transactions.c.interest_rp,
    transactions.c.cost_rp,
    sqlite_where=transactions.c.member.is_not(None),
    postgresql_where=transactions.c.member.is_not(None),
)
# A member's latest transactions, newest first (the portal's home, a statement's recent list, a member's
# purchases page by page): read from the top of the index, never sorted. Added in version 4.
MEMBER_TS_INDEX: Final = Index(
    "ix_transactions_member_ts",
    transactions.c.member,
    transactions.c.ts,
    transactions.c.id,
    sqlite_where=transactions.c.member.is_not(None),
    postgresql_where=transactions.c.member.is_not(None),
)
# Partial indexes where most rows (sales) have no value: sales do not pay for their upkeep.
Index(
    "ix_transactions_ref",
    transactions.c.ref,
    sqlite_where=transactions.c.ref.is_not(None),
    postgresql_where=transactions.c.ref.is_not(None),
)
# A loan's transactions (disbursement, installments, write-off) by kind and day, holding what the loan
# book sums (total, time, id): the aging of 100,000 loans sums two million installments out of the index
# without reading a row. Widened from (loan) in version 4.
LOAN_INDEX: Final = Index(
    "ix_transactions_loan",
    transactions.c.loan,
    transactions.c.kind,
    transactions.c.day,
    transactions.c.total_rp,
    transactions.c.ts,
    transactions.c.id,
    sqlite_where=transactions.c.loan.is_not(None),
    postgresql_where=transactions.c.loan.is_not(None),
)

sale_lines = Table(
    "sale_lines",
    metadata,
    Column("tx", String(64), nullable=False),
    Column("line", Integer, nullable=False),
    Column("sku", String(40), nullable=False),
    Column("qty", String(16), nullable=False),  # exact: integer or decimal string
    Column("price_rp", BigInteger, nullable=False),
    Column("cost_rp", BigInteger, nullable=False),
    Column("amount_rp", BigInteger, nullable=False),  # qty x price, rounded half up
    Column("cost_total_rp", BigInteger, nullable=False),
    PrimaryKeyConstraint("tx", "line"),
)

# Journal lines: the entry of transaction ``tx``. Exactly one of debit_rp/credit_rp is above 0.
# ``day``, ``ts``, ``unit``, ``member`` repeat the transaction's so reports aggregate without joins.
journal = Table(
    "journal",
    metadata,
    Column("tx", String(64), nullable=False),
    Column("line", Integer, nullable=False),
    Column("day", String(10), nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("account", String(40), nullable=False),
    Column("debit_rp", BigInteger, nullable=False),
    Column("credit_rp", BigInteger, nullable=False),
    Column("unit", String(40), nullable=False),
    Column("member", String(40)),
    Column("memo", String(80), nullable=False),
    PrimaryKeyConstraint("tx", "line"),
)
# An account's lines by day; it also carries member and amounts, so that per-member balances of a few
# accounts (the year-end's wajib and pokok savings) are read from the index alone, not from lines spread
# over the whole journal. Version 2 added the last three columns.
ACCOUNT_DAY_INDEX: Final = Index(
    "ix_journal_account_day",
    journal.c.account,
    journal.c.day,
    journal.c.member,
    journal.c.debit_rp,
    journal.c.credit_rp,
)
Index(
    "ix_journal_member_account",
    journal.c.member,
    journal.c.account,
    sqlite_where=journal.c.member.is_not(None),
    postgresql_where=journal.c.member.is_not(None),
)

# Per account and local day, the sums of the journal's debits and credits and the number of its lines: the
# trial balance, balance sheet, income statement and the cash book's opening and pages read these instead of
# scanning the journal. Kept by ``central.ledger.insert_many`` whenever journal lines are inserted (the only
# way lines are written). ``lines`` came in version 4 (``upgrade`` fills it).
account_days = Table(
    "account_days",
    metadata,
    Column("account", String(40), nullable=False),
    Column("day", String(10), nullable=False),
    Column("debit_rp", BigInteger, nullable=False),
    Column("credit_rp", BigInteger, nullable=False),
    Column("lines", BigInteger, nullable=False, server_default="0"),
    PrimaryKeyConstraint("account", "day"),
)

# Envelopes whose ``prev`` is not the chain hash of the same device's previous seq, found by ingest when
# both ends of a link are committed (``report chains`` lists them without rescanning every transaction).
chain_breaks = Table(
    "chain_breaks",
    metadata,
    Column("device", String(48), nullable=False),
    Column("seq", BigInteger, nullable=False),
    PrimaryKeyConstraint("device", "seq"),
)

loans = Table(
    "loans",
    metadata,
    Column("loan", String(40), primary_key=True),
    Column("member", String(40), nullable=False),
    Column("principal_rp", BigInteger, nullable=False),
    Column("tx", String(64), nullable=False),
    Column("day", String(10), nullable=False),
)
Index("ix_loans_member", loans.c.member)

quarantine = Table(
    "quarantine",
    metadata,
    Column("qid", Integer, primary_key=True, autoincrement=True),
    Column("received_ts", BigInteger, nullable=False),
    Column("id", String(200)),
    Column("device", String(200)),
    Column("seq", BigInteger),
    Column("reason", Text, nullable=False),
    Column("body", Text, nullable=False),  # as received (truncated to MAX_QUARANTINE_BODY)
    # SHA-256 of the reason and the id (the body when there is no id): the same refusal is kept once.
    Column("digest", String(64), nullable=False),
    # open; accepted (an office retry committed it); dismissed. Last: ``upgrade`` appends it (version 3).
    Column("state", String(16), nullable=False, server_default="open"),
)
Index("ix_quarantine_device", quarantine.c.device)
Index("ix_quarantine_digest", quarantine.c.digest)
QUARANTINE_STATES: Final = ("open", "accepted", "dismissed")

# Authentic envelopes that ingest refused for their content (unknown member, a dispute of a non-sale,
# ...): signed by their device's registered key, so they hold their chain position. A device's
# contiguous seq counts them as processed (its ack moves past them) and the device is told which they
# were (``sync.refusals``). Forged, unsigned or foreign envelopes never get a row here.
refusals = Table(
    "refusals",
    metadata,
    Column("device", String(48), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("id", String(64), nullable=False, unique=True),
    Column("content", String(64), nullable=False),  # content hash, as transactions.content
    Column("prev", String(64), nullable=False),
    Column("chain", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("digest", String(64), nullable=False),  # its quarantine row's digest
    Column("received_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("device", "seq"),
)

# What the office did with a quarantine row (retry, dismiss): who, when, why, and what came of it.
quarantine_actions = Table(
    "quarantine_actions",
    metadata,
    Column("action_id", Integer, primary_key=True, autoincrement=True),
    Column("qid", Integer, nullable=False),
    Column("action", String(16), nullable=False),  # retry, dismiss
    Column("actor", String(100), nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("outcome", Text, nullable=False),
)
Index("ix_quarantine_actions_qid", quarantine_actions.c.qid)

MAX_QUARANTINE_BODY: Final = 20_000

# Kinds whose envelopes carry lines (and so a cost of goods).
LINE_KINDS: Final = ("sale", "purchase")


def upgrade(conn: Connection) -> bool:
    """Bring an older ledger's tables up to ``SCHEMA_VERSION``, keeping every row; idempotent. True when
    the per-day sums must be recomputed from the journal (``tables.rebuild_account_days``).

    Version 2 adds ``transactions.cost_rp``, fills it from the sale lines, replaces the member index
    by ``MEMBER_TOTALS_INDEX`` and widens ``ACCOUNT_DAY_INDEX``. Version 3 adds ``quarantine.state``
    (``create_all`` makes ``refusals`` and ``quarantine_actions``). Version 4 adds ``MEMBER_TS_INDEX`` and
    ``account_days.lines`` (so the sums are to be recomputed with their line counts), and widens
    ``LOAN_INDEX``.
    Runs inside the caller's write transaction (``Ledger.init``), after ``create_all`` made any missing
    tables (it does not add indexes to tables that exist).
    """
    quarantine_columns = {column["name"] for column in inspect(conn).get_columns("quarantine")}
    if "state" not in quarantine_columns:
        conn.exec_driver_sql("ALTER TABLE quarantine ADD COLUMN state VARCHAR(16) NOT NULL DEFAULT 'open'")
    have = {column["name"] for column in inspect(conn).get_columns("transactions")}
    if "cost_rp" not in have:
        conn.exec_driver_sql("ALTER TABLE transactions ADD COLUMN cost_rp BIGINT")
        kinds = ", ".join(f"'{kind}'" for kind in LINE_KINDS)  # fixed words, not input
        conn.exec_driver_sql(
            "UPDATE transactions SET cost_rp = (SELECT COALESCE(SUM(l.cost_total_rp), 0) "  # noqa: S608
            f"FROM sale_lines l WHERE l.tx = transactions.id) WHERE kind IN ({kinds})"
        )
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_transactions_member_day")
    MEMBER_TOTALS_INDEX.create(conn, checkfirst=True)
    MEMBER_TS_INDEX.create(conn, checkfirst=True)
    stale_sums = "lines" not in {column["name"] for column in inspect(conn).get_columns("account_days")}
    if stale_sums:
        conn.exec_driver_sql("ALTER TABLE account_days ADD COLUMN lines BIGINT NOT NULL DEFAULT 0")
    for table, index in (("journal", ACCOUNT_DAY_INDEX), ("transactions", LOAN_INDEX)):
        wanted = [column.name for column in index.columns]
        found = {ix["name"]: ix["column_names"] for ix in inspect(conn).get_indexes(table)}
        if found.get(str(index.name)) != wanted:
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
            index.create(conn)
    return stale_sums
