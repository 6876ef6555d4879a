"""The portal's own tables beside the ledger's, in their own ``MetaData`` and created on first use (as
``central/yearend/tables.py`` does), so the portal needs no ledger schema version of its own.

Secrets never sit here in the clear: passwords and activation codes are argon2id hashes, session ids are
stored as their SHA-256 (a copy of the database does not hand out live sessions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, String, Table, Text

if TYPE_CHECKING:
    from central.ledger import Ledger

MAX_LOGIN: Final = 40  # a member number (members.number is String(40)) or a staff user name
MAX_ADDRESS: Final = 64  # an IPv6 address with zone fits
MAX_ACTION: Final = 40
MAX_TARGET: Final = 200
MAX_DETAIL: Final = 400

metadata = MetaData()

portal_logins = Table(
    "portal_logins",
    metadata,
    Column("login", String(MAX_LOGIN), primary_key=True),  # member number, or a staff user name
    Column("member", String(MAX_LOGIN)),  # the member's number; null for a staff account
    Column("staff_role", String(20)),  # a staff account's role; a member's role is read live from members
    Column("password_hash", Text),  # argon2id; null until activated (and again after an office reset)
    Column("activation_hash", Text),  # argon2id of the one-time activation code, null once used
    Column("activation_expires_ts", BigInteger),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_ts", BigInteger, nullable=False),
    Column("updated_ts", BigInteger, nullable=False),
)

portal_sessions = Table(
    "portal_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 hex of the random id in the signed cookie
    Column("login", String(MAX_LOGIN), nullable=False),
    Column("created_ts", BigInteger, nullable=False),
    Column("seen_ts", BigInteger, nullable=False),
    Column("address", String(MAX_ADDRESS), nullable=False),
)
Index("ix_portal_sessions_login", portal_sessions.c.login)

portal_failures = Table(
    "portal_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(MAX_LOGIN + MAX_ADDRESS), nullable=False),  # "login:A001" or "addr:10.0.0.7"
    Column("ts", BigInteger, nullable=False),
)
Index("ix_portal_failures_key_ts", portal_failures.c.key, portal_failures.c.ts)

portal_audit = Table(
    "portal_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", BigInteger, nullable=False),
    Column("login", String(MAX_LOGIN), nullable=False),  # who ("-" when nobody is logged in)
    Column("action", String(MAX_ACTION), nullable=False),
    Column("target", String(MAX_TARGET), nullable=False),
    Column("address", String(MAX_ADDRESS), nullable=False),  # client address, or "cli:<user>"
    Column("detail", String(MAX_DETAIL), nullable=False),
)
Index("ix_portal_audit_ts", portal_audit.c.ts)

portal_meta = Table(
    "portal_meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)


def ensure_tables(ledger: Ledger) -> None:
    """Create the portal's tables if missing (once per ledger object: ``Ledger.create_side_tables``)."""
    ledger.create_side_tables(metadata)
