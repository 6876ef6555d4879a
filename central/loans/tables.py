"""The lending tables beside the ledger's, in their own ``MetaData`` and created on first use (as the
portal's and year-end's are), so loans need no ledger schema version of their own.

The money never sits here: a disbursement and every installment are envelopes in the ledger (the office's
chain or a device's). These tables hold what the books do not: the application, the decision and who made
it, and the terms a schedule is computed from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

if TYPE_CHECKING:
    from central.ledger import Ledger

MAX_TEXT: Final = 200

metadata = MetaData()

loan_applications = Table(
    "loan_applications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member", String(40), nullable=False),
    Column("product", String(40), nullable=False),
    Column("amount_rp", BigInteger, nullable=False),  # asked for
    Column("term_months", Integer, nullable=False),
    Column("purpose", String(MAX_TEXT), nullable=False),
    Column("state", String(12), nullable=False),  # submitted, approved, rejected, cancelled, disbursed
    Column("submitted_ts", BigInteger, nullable=False),
    Column("submitted_by", String(40), nullable=False),  # the member, or the office user who entered it
    # the decision (the chair's): what was granted, possibly less or over another term
    Column("decided_ts", BigInteger),
    Column("decided_by", String(40)),
    Column("decision_reason", String(MAX_TEXT)),
    Column("approved_amount_rp", BigInteger),
    Column("approved_term_months", Integer),
    # the terms a schedule is computed from, fixed at approval (a later change of the product does not
    # change a granted loan)
    Column("method", String(12)),
    Column("rate_month_pct", String(20)),  # a decimal as text: exact, on every database
    Column("grace_months", Integer),
    Column("penalty_month_pct", String(20)),
    # the disbursement: the loan id in the ledger and the office envelope that paid it out
    Column("loan", String(40), unique=True),
    Column("disbursed_tx", String(64)),
    Column("disbursed_day", String(10)),
)
Index("ix_loan_applications_member", loan_applications.c.member)
Index("ix_loan_applications_state", loan_applications.c.state)

loan_events = Table(
    "loan_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application", Integer, nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("who", String(40), nullable=False),
    Column("action", String(20), nullable=False),  # submit, approve, reject, cancel, disburse
    Column("detail", String(400), nullable=False),
)
Index("ix_loan_events_application", loan_events.c.application)

# Rescheduling (central.loans.rescheduling): a request with new terms, the deciders' decision, its trail.
loan_reschedules = Table(
    "loan_reschedules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("loan", String(40), nullable=False),
    Column("member", String(40), nullable=False),
    Column("state", String(12), nullable=False),  # submitted, approved, rejected
    Column("requested_ts", BigInteger, nullable=False),
    Column("requested_by", String(40), nullable=False),  # the member, or the office user who entered it
    Column("request_reason", String(MAX_TEXT), nullable=False),
    # the new terms (the interest method stays the loan's)
    Column("method", String(12), nullable=False),
    Column("term_months", Integer, nullable=False),
    Column("grace_months", Integer, nullable=False),
    Column("rate_month_pct", String(20), nullable=False),
    # what the request was made over (the preview's figures on the day of the request)
    Column("outstanding_rp", BigInteger, nullable=False),
    Column("arrears_rp", BigInteger, nullable=False),  # unpaid interest and penalty, spread over the new term
    Column("decided_ts", BigInteger),
    Column("decided_by", String(40)),
    Column("decision_reason", String(MAX_TEXT)),
    Column("effective_day", String(10)),  # approved: the day the new schedule starts
)
Index("ix_loan_reschedules_loan", loan_reschedules.c.loan)
Index("ix_loan_reschedules_state", loan_reschedules.c.state)

loan_reschedule_events = Table(
    "loan_reschedule_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reschedule", Integer, nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("who", String(40), nullable=False),
    Column("action", String(20), nullable=False),  # request, approve, reject
    Column("detail", String(400), nullable=False),
)
Index("ix_loan_reschedule_events_reschedule", loan_reschedule_events.c.reschedule)

# The versions of a loan's schedule: version 1 is the schedule it was paid out with (written when it is
# first rescheduled), each approved reschedule adds the next. A version's terms decide the loan card
# (central.loans.versions); ``lines`` keeps the installments as they stood when the version was written
# (JSON), for history.
loan_schedule_versions = Table(
    "loan_schedule_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("loan", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("reschedule", Integer),  # the request that made it (none for version 1)
    Column("effective_ts", BigInteger, nullable=False),  # payments recorded from here on settle this version
    Column("effective_day", String(10), nullable=False),  # installments monthly from this day
    Column("method", String(12), nullable=False),
    Column("rate_month_pct", String(20), nullable=False),
    Column("term_months", Integer, nullable=False),
    Column("grace_months", Integer, nullable=False),
    Column("penalty_month_pct", String(20), nullable=False),
    Column("principal_rp", BigInteger, nullable=False),  # the principal it was written over
    Column("arrears_rp", BigInteger, nullable=False),  # unpaid interest and penalty it took over
    Column("lines", Text, nullable=False),
    Column("created_ts", BigInteger, nullable=False),
    Column("created_by", String(40), nullable=False),
    UniqueConstraint("loan", "version", name="uq_loan_schedule_versions"),
)


def ensure_tables(ledger: Ledger) -> None:
    """Create the lending tables if missing (once per ledger object: ``Ledger.create_side_tables``)."""
    ledger.create_side_tables(metadata)
