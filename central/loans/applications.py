"""Loan applications from the member's request to the chair's decision (disbursing is the office's:
``central.office.lending``). Every step checks the rules of ``[loans]`` (``central.loanrules``) and leaves
an event (who, what, when) in ``loan_events``.

The rules a request meets at once, with the reason when it fails:

* the member exists and is active;
* the product exists, and the amount and term are within its limits (and, when the product says so, the
  amount is at most ``savings_multiple`` times the member's savings);
* with ``one_open_loan`` (seed 003): the member owes nothing on an earlier loan and has no other
  application waiting (submitted or approved, not yet paid out).

Only a role in ``deciders`` approves or rejects, possibly granting less or another term (within the
product's limits); an application is decided once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import Connection, and_, func, insert, select, update

from central.errors import Refusal, UnknownMember
from central.ledger import Ledger, schema
from central.loanrules import LoanProduct
from central.loans import schedule as sched
from central.loans.tables import MAX_TEXT, ensure_tables, loan_applications, loan_events
from central.loans.writeoff import unrecovered_rp
from central.messages import rupiah as _rp

OPEN_STATES: Final = ("submitted", "approved")
STATES: Final = ("submitted", "approved", "rejected", "cancelled", "disbursed")
MIN_REASON: Final = 3


class LoanError(Refusal):
    """A loan step that cannot be done; ``text(lang)`` gives the reason in Indonesian or English."""


class LoanRefused(LoanError):
    """The rules refuse the step (an open loan, a limit, not a decider); nothing was changed."""


class UnknownApplication(LoanError):
    """No application has this number."""


@dataclass(frozen=True)
class Application:
    """One loan application as stored."""

    id: int
    member: str
    product: str
    amount_rp: int
    term_months: int
    purpose: str
    state: str
    submitted_ts: int
    submitted_by: str
    decided_ts: int | None
    decided_by: str | None
    decision_reason: str | None
    approved_amount_rp: int | None
    approved_term_months: int | None
    method: str | None
    rate_month_pct: Decimal | None
    grace_months: int | None
    penalty_month_pct: Decimal | None
    loan: str | None
    disbursed_tx: str | None
    disbursed_day: str | None

    @property
    def granted_rp(self) -> int:
        return self.approved_amount_rp if self.approved_amount_rp is not None else self.amount_rp

    def schedule(self, start: date) -> tuple[sched.Installment, ...]:
        """The schedule of the approved terms for a loan paid out on ``start``."""
        method, rate, term = self._terms()
        return sched.build(method, self.granted_rp, rate, term, start, grace_months=self.grace_months or 0)

    def amounts(self) -> tuple[tuple[int, int], ...]:
        """(principal, interest) of each month of ``schedule`` (the same, without the dates)."""
        method, rate, term = self._terms()
        return sched.amounts(method, self.granted_rp, rate, term, grace_months=self.grace_months or 0)

    def _terms(self) -> tuple[str, Decimal, int]:
        if self.method is None or self.rate_month_pct is None or self.approved_term_months is None:
            raise LoanRefused(
                f"application {self.id} is not approved: it has no terms yet",
                f"pengajuan {self.id} belum disetujui: belum ada syaratnya",
            )
        return self.method, self.rate_month_pct, self.approved_term_months


def application_from_row(row: Any) -> Application:
    """An ``Application`` from a ``loan_applications`` row (rates back to ``Decimal``)."""
    values = dict(row)
    for key in ("rate_month_pct", "penalty_month_pct"):
        values[key] = Decimal(values[key]) if values[key] is not None else None
    return Application(**values)


def loan_id(application: int) -> str:
    """The ledger's loan id of an application's loan (one per application: disbursing twice is refused)."""
    return f"PJ-{application:06d}"


def _event(conn: Connection, application: int, who: str, action: str, detail: str, *, now: int) -> None:
    conn.execute(
        insert(loan_events).values(
            application=application, ts=now, who=who[:40], action=action, detail=detail[:400]
        )
    )


def _member(ledger: Ledger, number: str) -> dict[str, Any]:
    try:
        return ledger.member(number)
    except UnknownMember as err:
        raise LoanRefused(
            f"no member with number {number!r}", f"tidak ada anggota bernomor {number!r}"
        ) from err


def product(ledger: Ledger, code: str) -> LoanProduct:
    """The configured loan product ``code``, or ``LoanRefused`` naming the products there are."""
    product = ledger.config.loans.product(code)
    if product is None:
        known = ", ".join(p.code for p in ledger.config.loans.products) or "-"
        raise LoanRefused(
            f"no loan product {code!r}; the products are: {known} ([[loans.products]] in the config)",
            f"tidak ada produk pinjaman {code!r}; produknya: {known} ([[loans.products]] di konfigurasi)",
        )
    return product


def savings_rp(conn: Connection, member: str, accounts: list[str]) -> int:
    """The member's savings: credits less debits on the savings accounts."""
    j = schema.journal
    debit, credit = conn.execute(
        select(func.coalesce(func.sum(j.c.debit_rp), 0), func.coalesce(func.sum(j.c.credit_rp), 0)).where(
            j.c.member == member, j.c.account.in_(accounts)
        )
    ).one()
    return int(credit) - int(debit)


def loans_owed_rp(conn: Connection, member: str, loans_account: str) -> int:
    """What the member still owes on loans: debits less credits on the loans account."""
    j = schema.journal
    debit, credit = conn.execute(
        select(func.coalesce(func.sum(j.c.debit_rp), 0), func.coalesce(func.sum(j.c.credit_rp), 0)).where(
            j.c.member == member, j.c.account == loans_account
        )
    ).one()
    return int(debit) - int(credit)


def check_limits(product: LoanProduct, amount_rp: int, term_months: int, savings: int | None) -> None:
    """Refuse an amount or term outside the product's limits (``savings``: the member's, when it matters)."""
    if not product.amount_min_rp <= amount_rp <= product.amount_max_rp:
        lo, hi = product.amount_min_rp, product.amount_max_rp
        raise LoanRefused(
            f"the amount must be {_rp(lo, 'en')} to {_rp(hi, 'en')} for {product.name}",
            f"jumlah harus {_rp(lo)} sampai {_rp(hi)} untuk {product.name}",
        )
    if not product.term_min_months <= term_months <= product.term_max_months:
        lo, hi = product.term_min_months, product.term_max_months
        raise LoanRefused(
            f"the term must be {lo} to {hi} months for {product.name}",
            f"jangka waktu harus {lo} sampai {hi} bulan untuk {product.name}",
        )
    if product.savings_multiple is not None and savings is not None:
        most = int(product.savings_multiple * max(savings, 0))
        if amount_rp > most:
            have = max(savings, 0)
            raise LoanRefused(
                f"{product.name} lends at most {product.savings_multiple} x the member's savings "
                f"({_rp(have, 'en')}), that is {_rp(most, 'en')}",
                f"{product.name} paling banyak {product.savings_multiple} x simpanan anggota "
                f"({_rp(have)}), yaitu {_rp(most)}",
            )


def _open_checks(ledger: Ledger, conn: Connection, member: str, skip: int | None = None) -> None:
    """Refuse when the member still owes on a loan or has another application waiting (one_open_loan)."""
    if not ledger.config.loans.one_open_loan:
        return
    owed = loans_owed_rp(conn, member, ledger.config.posting.loans)
    if owed > 0:
        raise LoanRefused(
            f"member {member} still owes {_rp(owed, 'en')} on a loan: "
            "no new loan before the old one is repaid",
            f"anggota {member} masih berutang {_rp(owed)} atas pinjaman: tidak ada pinjaman baru sebelum "
            "yang lama lunas",
        )
    gone = unrecovered_rp(conn, member)
    if gone > 0:
        raise LoanRefused(
            f"member {member} has a written-off loan with {_rp(gone, 'en')} not yet recovered: "
            "no new loan before the old one is repaid",
            f"anggota {member} punya pinjaman yang dihapus dengan {_rp(gone)} belum kembali: tidak ada "
            "pinjaman baru sebelum yang lama lunas",
        )
    a = loan_applications
    waiting = conn.execute(
        select(a.c.id).where(and_(a.c.member == member, a.c.state.in_(OPEN_STATES), a.c.id != (skip or 0)))
    ).first()
    if waiting is not None:
        raise LoanRefused(
            f"member {member} already has application {waiting.id} waiting",
            f"anggota {member} sudah punya pengajuan {waiting.id} yang sedang diproses",
        )


def _text(value: str, what_en: str, what_id: str) -> str:
    cleaned = " ".join(value.split())
    if not MIN_REASON <= len(cleaned) <= MAX_TEXT:
        raise LoanRefused(
            f"the {what_en} must be {MIN_REASON} to {MAX_TEXT} characters",
            f"{what_id} harus {MIN_REASON} sampai {MAX_TEXT} karakter",
        )
    return cleaned


def apply(  # noqa: PLR0917 (the request's own fields, in the order a form asks them)
    ledger: Ledger,
    member: str,
    product_code: str,
    amount_rp: int,
    term_months: int,
    purpose: str,
    *,
    by: str,
    now: int | None = None,
) -> Application:
    """Submit an application (the member's own, or entered by the office on the member's behalf)."""
    ensure_tables(ledger)
    now = int(time.time()) if now is None else now
    row = _member(ledger, member)
    if not row["active"]:
        raise LoanRefused(f"member {member} is not active", f"anggota {member} tidak aktif")
    chosen = product(ledger, product_code)
    purpose = _text(purpose, "purpose", "keperluan")
    savings_accounts = [code for _, code in ledger.config.posting.savings]
    with ledger.write() as conn:
        savings = savings_rp(conn, member, savings_accounts) if chosen.savings_multiple is not None else None
        check_limits(chosen, amount_rp, term_months, savings)
        _open_checks(ledger, conn, member)
        inserted = conn.execute(
            insert(loan_applications).values(
                member=member,
                product=chosen.code,
                amount_rp=amount_rp,
                term_months=term_months,
                purpose=purpose,
                state="submitted",
                submitted_ts=now,
                submitted_by=by[:40],
            )
        ).inserted_primary_key
        assert inserted is not None  # an insert of one row always has its key
        ident = inserted[0]
        detail = f"{_rp(amount_rp, 'en')} over {term_months} months, {chosen.code}: {purpose}"
        _event(conn, int(ident), by, "submit", detail, now=now)
    return get(ledger, int(ident))


def get(ledger: Ledger, ident: int) -> Application:
    ensure_tables(ledger)
    with ledger.read() as conn:
        a = loan_applications
        row = conn.execute(select(a).where(a.c.id == ident)).mappings().first()
    if row is None:
        raise UnknownApplication(f"no loan application {ident}", f"tidak ada pengajuan pinjaman {ident}")
    return application_from_row(row)


def listing(ledger: Ledger, *, state: str | None = None, member: str | None = None) -> list[Application]:
    """Applications, newest first, optionally of one state or one member."""
    ensure_tables(ledger)
    a = loan_applications
    query = select(a).order_by(a.c.id.desc())
    if state is not None:
        query = query.where(a.c.state == state)
    if member is not None:
        query = query.where(a.c.member == member)
    with ledger.read() as conn:
        return [application_from_row(row) for row in conn.execute(query).mappings()]


def events(ledger: Ledger, ident: int) -> list[dict[str, Any]]:
    ensure_tables(ledger)
    e = loan_events
    with ledger.read() as conn:
        rows = conn.execute(select(e).where(e.c.application == ident).order_by(e.c.id)).mappings()
        return [dict(row) for row in rows]


def decide(
    ledger: Ledger,
    ident: int,
    *,
    approve: bool,
    role: str,
    by: str,
    reason: str,
    amount_rp: int | None = None,
    term_months: int | None = None,
    now: int | None = None,
) -> Application:
    """The chair's decision: approve (possibly less, or over another term) or reject, with a reason."""
    ensure_tables(ledger)
    now = int(time.time()) if now is None else now
    policy = ledger.config.loans
    if role not in policy.deciders:
        raise LoanRefused(
            f"only {', '.join(policy.deciders)} may decide loan applications, not {role}",
            f"hanya {', '.join(policy.deciders)} yang boleh memutus pengajuan pinjaman, bukan {role}",
        )
    reason = _text(reason, "reason", "alasan")
    current = get(ledger, ident)
    a = loan_applications
    with ledger.write() as conn:
        state = conn.execute(select(a.c.state).where(a.c.id == ident)).scalar_one()
        if state != "submitted":
            raise LoanRefused(
                f"application {ident} is {state}: it was decided before",
                f"pengajuan {ident} sudah {state}: sudah diputus sebelumnya",
            )
        values: dict[str, Any] = {
            "decided_ts": now,
            "decided_by": by[:40],
            "decision_reason": reason,
            "state": "approved" if approve else "rejected",
        }
        if approve:
            chosen = product(ledger, current.product)
            amount = current.amount_rp if amount_rp is None else amount_rp
            term = current.term_months if term_months is None else term_months
            if amount > current.amount_rp:
                raise LoanRefused(
                    f"the chair may grant less than asked, not more (asked {_rp(current.amount_rp, 'en')})",
                    "ketua boleh menyetujui lebih kecil, bukan lebih besar "
                    f"(diajukan {_rp(current.amount_rp)})",
                )
            check_limits(chosen, amount, term, None)
            _open_checks(ledger, conn, current.member, skip=ident)
            values.update(
                approved_amount_rp=amount,
                approved_term_months=term,
                method=chosen.method,
                rate_month_pct=str(chosen.rate_month_pct),
                grace_months=chosen.grace_months,
                penalty_month_pct=str(chosen.penalty_month_pct),
            )
        conn.execute(update(a).where(a.c.id == ident).values(**values))
        if approve:
            granted = _rp(values["approved_amount_rp"], "en")
            detail = f"approved {granted} over {values['approved_term_months']} months: {reason}"
        else:
            detail = f"rejected: {reason}"
        _event(conn, ident, by, "approve" if approve else "reject", detail, now=now)
    return get(ledger, ident)


def cancel(ledger: Ledger, ident: int, *, by: str, reason: str, now: int | None = None) -> Application:
    """Withdraw an application not yet paid out (the member changed their mind)."""
    ensure_tables(ledger)
    now = int(time.time()) if now is None else now
    reason = _text(reason, "reason", "alasan")
    a = loan_applications
    with ledger.write() as conn:
        row = conn.execute(select(a.c.state).where(a.c.id == ident)).first()
        if row is None:
            raise UnknownApplication(f"no loan application {ident}", f"tidak ada pengajuan pinjaman {ident}")
        if row.state not in OPEN_STATES:
            raise LoanRefused(
                f"application {ident} is {row.state}: only a waiting one can be cancelled",
                f"pengajuan {ident} sudah {row.state}: hanya yang masih diproses yang bisa dibatalkan",
            )
        conn.execute(update(a).where(a.c.id == ident).values(state="cancelled"))
        _event(conn, ident, by, "cancel", reason, now=now)
    return get(ledger, ident)


def mark_disbursed(
    ledger: Ledger, ident: int, *, loan: str, tx: str, day: str, by: str, now: int | None = None
) -> Application:
    """Record that the office paid the loan out (``central.office.lending`` calls it after the ledger took
    the disbursement envelope)."""
    ensure_tables(ledger)
    now = int(time.time()) if now is None else now
    a = loan_applications
    with ledger.write() as conn:
        conn.execute(
            update(a)
            .where(a.c.id == ident, a.c.state == "approved")
            .values(state="disbursed", loan=loan, disbursed_tx=tx, disbursed_day=day)
        )
        _event(conn, ident, by, "disburse", f"{loan} in transaction {tx}", now=now)
    return get(ledger, ident)
