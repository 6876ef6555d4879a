"""The messaging tables beside the ledger's, in their own ``MetaData`` and created on first use (as the
loans' are). Nothing here is money: the outbox, each attempt at sending, members' consent per kind, and the
announcements written at the office.

``notify_outbox`` is the durable queue: one row per message, unique on (kind, member, period), so a
campaign run twice for the same day, or after a restart, queues nothing new.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

if TYPE_CHECKING:
    from central.ledger import Ledger

MAX_ERROR: Final = 400
MAX_TEXT: Final = 800  # at most 5 SMS parts of 160 characters

metadata = MetaData()

notify_outbox = Table(
    "notify_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "kind", String(24), nullable=False
    ),  # wajib, installment, arrears, birthday, deposit, announce, blood
    Column("member", String(40), nullable=False),
    Column("period", String(80), nullable=False),  # what it is about: 2026-11, a loan installment, a tx id
    Column("phone", String(20)),  # +628..., None when the member's number was refused
    Column("text", Text, nullable=False),
    # queued -> sending -> sent | queued (retry) | failed | unknown; queued/failed/unknown -> cancelled
    Column("state", String(10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("parts_sent", Integer, nullable=False),
    Column("next_ts", BigInteger, nullable=False),  # not tried before this
    Column("created_ts", BigInteger, nullable=False),
    Column("updated_ts", BigInteger, nullable=False),
    Column("sent_ts", BigInteger),
    Column("error", String(MAX_ERROR)),  # the modem's (or the refusal's) last reason, in Indonesian | English
    Column("announcement", Integer),
    UniqueConstraint("kind", "member", "period", name="uq_notify_outbox_key"),
)
Index("ix_notify_outbox_state_next", notify_outbox.c.state, notify_outbox.c.next_ts)
Index("ix_notify_outbox_member", notify_outbox.c.member)
Index("ix_notify_outbox_sent", notify_outbox.c.sent_ts)

notify_attempts = Table(
    "notify_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message", Integer, nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("outcome", String(10), nullable=False),  # sent, retry, failed, unknown, retried, cancelled
    Column("detail", String(MAX_ERROR), nullable=False),
)
Index("ix_notify_attempts_message", notify_attempts.c.message)

# A member's choice per kind: allowed false is an opt-out; for "blood" (a call for donors) allowed true is
# the consent to be called, which nobody has until they give it.
notify_consent = Table(
    "notify_consent",
    metadata,
    Column("member", String(40), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("allowed", Boolean, nullable=False),
    Column("updated_ts", BigInteger, nullable=False),
    Column("updated_by", String(40), nullable=False),
    PrimaryKeyConstraint("member", "kind"),
)

notify_announcements = Table(
    "notify_announcements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(24), nullable=False),  # announce, blood
    Column("audience", String(MAX_TEXT), nullable=False),  # all, role:ketua, members:A001,A002, blood:A+
    Column("text", Text, nullable=False),
    Column("created_ts", BigInteger, nullable=False),
    Column("created_by", String(40), nullable=False),
    Column("recipients", Integer, nullable=False),
)


# Each SMS part the modem took, with the reference it gave (``+CMGS: <mr>``, 0..255, so it repeats) and the
# latest status report on it (TP-ST; None until one came). Beside the outbox rather than in it, so an
# outbox made before delivery reports is upgraded by creating this table, and its rows stay as they were.
notify_parts = Table(
    "notify_parts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message", Integer, nullable=False),
    Column("part", Integer, nullable=False),  # 1, 2, ... of the message's numbered parts
    Column("phone", String(20), nullable=False),
    Column("reference", Integer, nullable=False),
    Column("sent_ts", BigInteger, nullable=False),
    Column("status", Integer),  # TP-ST of the latest report: 0..31 done, 32..63 still trying, 64+ failed
    Column("discharge_ts", BigInteger),  # when the phone got it (or the network gave up)
    Column("report_ts", BigInteger),  # when the report reached the office
)
Index("ix_notify_parts_reference", notify_parts.c.phone, notify_parts.c.reference, notify_parts.c.sent_ts)
Index("ix_notify_parts_message", notify_parts.c.message)
Index("ix_notify_parts_sent", notify_parts.c.sent_ts)  # the service asks every tick what still waits

# Every status report the modem passed on, matched to a part or not (a reference nobody here sent, or one
# older than [notify] report_wait_h): the log the office can read.
notify_reports = Table(
    "notify_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("received_ts", BigInteger, nullable=False),
    Column("reference", Integer, nullable=False),
    Column("phone", String(20), nullable=False),
    Column("centre_ts", BigInteger, nullable=False),
    Column("discharge_ts", BigInteger, nullable=False),
    Column("status", Integer, nullable=False),
    Column("message", Integer),  # None: matched to nothing
    Column("part", Integer),
)
Index("ix_notify_reports_received", notify_reports.c.received_ts)


def ensure_tables(ledger: Ledger) -> None:
    """Create the messaging tables if missing (once per ledger object: ``Ledger.create_side_tables``)."""
    ledger.create_side_tables(metadata)
