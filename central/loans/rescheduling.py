"""Rescheduling a loan (seed 003's clean-up of bad loans): a request with a new term, rate and/or grace,
the preview of the new schedule, the deciders' approval or rejection with a reason, and the trail of who
did what when (``loan_reschedule_events``). The math is ``central.loans.versions``; docs/loans.md has the
rules in prose.

* A request is made on an open loan (paid out, principal still owed) by the member (the portal) or the
  office on the member's behalf; one request per loan waits at a time.
* The preview is the new schedule over the principal outstanding on the day, with the interest and
  penalty fallen due and unpaid spread evenly over the new installments.
* Only a role in ``[loans] deciders`` approves or rejects, once, with a reason. On approval the schedule
  in force is kept as a version for history (``loan_schedule_versions``), the new one becomes current, and
  the loan is marked rescheduled on its card and in the member's credit history. No money moves.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from sqlalchemy import Connection, func, insert, select, update

from central.ledger import Ledger, schema
from central.loanrules import MAX_RATE_MONTH_PCT, MAX_TERM_MONTHS
from central.loans import applications as apps
from central.loans import portfolio
from central.loans import schedule as sched
from central.loans import versions as vers
from central.loans.applications import LoanError, LoanRefused
from central.loans.tables import (
    MAX_TEXT,
    ensure_tables,
    loan_reschedule_events,
    loan_reschedules,
    loan_schedule_versions,
)
from central.messages import rupiah as _rp

STATES: Final = ("submitted", "approved", "rejected")
MIN_REASON: Final = 3


class UnknownReschedule(LoanError):
    """No reschedule request has this number."""


@dataclass(frozen=True)
class Preview:
    """A loan's new schedule if a request were approved on ``on``, and what it takes over."""

    loan: str
    member: str
    on: date
    method: str
    rate_month_pct: Decimal
    term_months: int
    grace_months: int
    taken_over: vers.TakenOver
    schedule: tuple[sched.Installment, ...]
    current: tuple[sched.Line, ...]  # the schedule in force, as it stands on ``on``

    @property
    def outstanding_rp(self) -> int:
        return self.taken_over.principal_rp

    @property
    def arrears_rp(self) -> int:
        return self.taken_over.arrears_rp


@dataclass(frozen=True)
class Reschedule:
    """One reschedule request as stored."""

    id: int
    loan: str
    member: str
    state: str
    requested_ts: int
    requested_by: str
    request_reason: str
    method: str
    term_months: int
    grace_months: int
    rate_month_pct: Decimal
    outstanding_rp: int
    arrears_rp: int
    decided_ts: int | None
    decided_by: str | None
    decision_reason: str | None
    effective_day: str | None


def _from_row(row: Any) -> Reschedule:
    values = dict(row)
    values["rate_month_pct"] = Decimal(values["rate_month_pct"])
    return Reschedule(**values)


def _day(ledger: Ledger, ts: int) -> date:
    return datetime.fromtimestamp(ts, ledger.config.tz).date()


def _text(value: str, what_en: str, what_id: str) -> str:
    cleaned = " ".join(value.split())
    if not MIN_REASON <= len(cleaned) <= MAX_TEXT:
        raise LoanRefused(
            f"the {what_en} must be {MIN_REASON} to {MAX_TEXT} characters",
            f"{what_id} harus {MIN_REASON} sampai {MAX_TEXT} karakter",
        )
    return cleaned


def rate_of(text: str) -> Decimal:
    """A monthly rate typed as text ("1.25" or "1,25"), or ``LoanRefused`` saying what is wrong."""
    try:
        rate = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        rate = Decimal(-1)
    if not rate.is_finite() or not 0 <= rate <= MAX_RATE_MONTH_PCT:
        raise LoanRefused(
            f"the rate must be a number from 0 to {MAX_RATE_MONTH_PCT} (% a month), got {text!r}",
            f"bunga harus angka 0 sampai {MAX_RATE_MONTH_PCT} (% sebulan), bukan {text!r}",
        )
    return rate


def _check_terms(term_months: int, grace_months: int, rate: Decimal) -> None:
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        raise LoanRefused(
            f"the new term must be 1 to {MAX_TERM_MONTHS} months, got {term_months}",
            f"jangka waktu baru harus 1 sampai {MAX_TERM_MONTHS} bulan, bukan {term_months}",
        )
    if not 0 <= grace_months < term_months:
        raise LoanRefused(
            f"the grace must be 0 to {term_months - 1} months (below the term), got {grace_months}",
            f"masa tenggang harus 0 sampai {term_months - 1} bulan (di bawah jangka waktu), "
            f"bukan {grace_months}",
        )
    if not 0 <= rate <= MAX_RATE_MONTH_PCT:
        raise LoanRefused(
            f"the rate must be 0 to {MAX_RATE_MONTH_PCT} % a month, got {rate}",
            f"bunga harus 0 sampai {MAX_RATE_MONTH_PCT} % sebulan, bukan {rate}",
        )


def open_card(ledger: Ledger, loan: str, on: date) -> portfolio.LoanCard:
    """The loan's card on ``on`` if it is open (paid out, principal owed), else ``LoanRefused``."""
    found = portfolio.cards(ledger, on, loan=loan)
    if not found:
        raise LoanRefused(
            f"no loan {loan!r} paid out by {on}: only a paid-out loan is rescheduled",
            f"tidak ada pinjaman {loan!r} yang dicairkan per {on}: "
            "hanya pinjaman berjalan yang dijadwal ulang",
        )
    card = found[0]
    if card.written_off is not None:
        raise LoanRefused(
            f"loan {loan} was written off on {card.written_off}: a payment on it is a recovery, not an "
            "installment, so it is not rescheduled",
            f"pinjaman {loan} sudah dihapus pada {card.written_off}: pembayarannya adalah pemulihan, bukan "
            "angsuran, jadi tidak dijadwal ulang",
        )
    if card.outstanding_rp <= 0:
        raise LoanRefused(
            f"loan {loan} is not open: its principal is paid off, there is nothing to reschedule",
            f"pinjaman {loan} tidak berjalan: pokoknya sudah lunas, tidak ada yang dijadwal ulang",
        )
    return card


def current_terms(ledger: Ledger, card: portfolio.LoanCard) -> tuple[str, Decimal, Decimal]:
    """(method, monthly rate, penalty) of the schedule in force on ``card``."""
    if card.terms is not None:
        return card.terms.method, card.terms.rate_month_pct, card.terms.penalty_month_pct
    if card.application is not None:
        app = apps.get(ledger, card.application)
        if app.method is not None and app.rate_month_pct is not None:
            return app.method, app.rate_month_pct, app.penalty_month_pct or Decimal(0)
    return "flat", Decimal(0), Decimal(0)  # paid out without terms (central.loans.portfolio)


def preview(
    ledger: Ledger,
    loan: str,
    *,
    term_months: int,
    rate_month_pct: Decimal | None = None,
    grace_months: int = 0,
    on: date | None = None,
) -> Preview:
    """The new schedule if the loan were rescheduled on ``on`` (default today); the rate defaults to the
    loan's own."""
    ensure_tables(ledger)
    on = on or datetime.now(ledger.config.tz).date()
    card = open_card(ledger, loan, on)
    method, rate, _ = current_terms(ledger, card)
    rate = rate if rate_month_pct is None else rate_month_pct
    _check_terms(term_months, grace_months, rate)
    took = vers.taken_over(card.state)
    schedule = vers.new_schedule(
        method, took.principal_rp, took.arrears_rp, rate, term_months, on, grace_months
    )
    return Preview(
        loan=card.loan,
        member=card.member,
        on=on,
        method=method,
        rate_month_pct=rate,
        term_months=term_months,
        grace_months=grace_months,
        taken_over=took,
        schedule=schedule,
        current=card.state.lines,
    )


def _event(conn: Connection, ident: int, who: str, action: str, detail: str, *, now: int) -> None:
    conn.execute(
        insert(loan_reschedule_events).values(
            reschedule=ident, ts=now, who=who[:40], action=action, detail=detail[:400]
        )
    )


def _terms_text(term: int, grace: int, rate: Decimal) -> str:
    return f"{term} months, {grace} of grace, {rate} % a month"


def request(
    ledger: Ledger,
    loan: str,
    *,
    term_months: int,
    rate_month_pct: Decimal | None = None,
    grace_months: int = 0,
    reason: str,
    by: str,
    member: str | None = None,
    now: int | None = None,
) -> Reschedule:
    """Ask for ``loan`` to be rescheduled. ``member``: the asker is this member, who may ask only for
    their own loan."""
    ensure_tables(ledger)
    now = int(time.time()) if now is None else now
    reason = _text(reason, "reason", "alasan")
    shown = preview(
        ledger,
        loan,
        term_months=term_months,
        rate_month_pct=rate_month_pct,
        grace_months=grace_months,
        on=_day(ledger, now),
    )
    if member is not None and shown.member != member:
        raise LoanRefused(
            f"loan {loan} is not member {member}'s own", f"pinjaman {loan} bukan milik anggota {member}"
        )
    r = loan_reschedules
    with ledger.write() as conn:
        waiting = conn.execute(select(r.c.id).where(r.c.loan == shown.loan, r.c.state == "submitted")).first()
        if waiting is not None:
            raise LoanRefused(
                f"loan {shown.loan} already has reschedule request {waiting.id} waiting for a decision",
                f"pinjaman {shown.loan} sudah punya permohonan jadwal ulang {waiting.id} "
                "yang menunggu keputusan",
            )
        made = conn.execute(
            insert(r).values(
                loan=shown.loan,
                member=shown.member,
                state="submitted",
                requested_ts=now,
                requested_by=by[:40],
                request_reason=reason,
                method=shown.method,
                term_months=term_months,
                grace_months=grace_months,
                rate_month_pct=str(shown.rate_month_pct),
                outstanding_rp=shown.outstanding_rp,
                arrears_rp=shown.arrears_rp,
            )
        )
        key = made.inserted_primary_key
        assert key is not None
        ident = int(key[0])
        detail = (
            f"{_terms_text(term_months, grace_months, shown.rate_month_pct)} over "
            f"{_rp(shown.outstanding_rp, 'en')} and {_rp(shown.arrears_rp, 'en')} overdue: {reason}"
        )
        _event(conn, ident, by, "request", detail, now=now)
    return get(ledger, ident)


def get(ledger: Ledger, ident: int) -> Reschedule:
    ensure_tables(ledger)
    r = loan_reschedules
    with ledger.read() as conn:
        row = conn.execute(select(r).where(r.c.id == ident)).mappings().first()
    if row is None:
        raise UnknownReschedule(
            f"no reschedule request {ident}", f"tidak ada permohonan jadwal ulang {ident}"
        )
    return _from_row(row)


def listing(
    ledger: Ledger, *, state: str | None = None, member: str | None = None, loan: str | None = None
) -> list[Reschedule]:
    """Reschedule requests, newest first, optionally of one state, member or loan."""
    ensure_tables(ledger)
    r = loan_reschedules
    query = select(r).order_by(r.c.id.desc())
    if state is not None:
        query = query.where(r.c.state == state)
    if member is not None:
        query = query.where(r.c.member == member)
    if loan is not None:
        query = query.where(r.c.loan == loan)
    with ledger.read() as conn:
        return [_from_row(row) for row in conn.execute(query).mappings()]


def events(ledger: Ledger, ident: int) -> list[dict[str, Any]]:
    """The trail of one request: who did what, when, oldest first."""
    ensure_tables(ledger)
    e = loan_reschedule_events
    with ledger.read() as conn:
        rows = conn.execute(select(e).where(e.c.reschedule == ident).order_by(e.c.id)).mappings()
        return [dict(row) for row in rows]


def _lines_json(lines: tuple[sched.Line, ...] | tuple[sched.Installment, ...]) -> str:
    plain = []
    for line in lines:
        row = {k: v for k, v in line._asdict().items() if v is not None}
        plain.append({k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()})
    return json.dumps(plain, separators=(",", ":"))


def decide(
    ledger: Ledger,
    ident: int,
    *,
    approve: bool,
    role: str,
    by: str,
    reason: str,
    now: int | None = None,
) -> Reschedule:
    """The deciders' approval or rejection, with a reason; once. Approving writes the schedule in force as
    a version (the first time) and the new one as the next, which governs the loan from the approval on."""
    ensure_tables(ledger)
    now = int(time.time()) if now is None else now
    deciders = ledger.config.loans.deciders
    if role not in deciders:
        raise LoanRefused(
            f"only {', '.join(deciders)} may decide reschedule requests, not {role}",
            f"hanya {', '.join(deciders)} yang boleh memutus permohonan jadwal ulang, bukan {role}",
        )
    reason = _text(reason, "reason", "alasan")
    current = get(ledger, ident)
    if current.state != "submitted":
        raise LoanRefused(
            f"reschedule request {ident} is {current.state}: it was decided before",
            f"permohonan jadwal ulang {ident} sudah {current.state}: sudah diputus sebelumnya",
        )
    day = _day(ledger, now)
    shown: Preview | None = None
    card: portfolio.LoanCard | None = None
    if approve:
        shown = preview(
            ledger,
            current.loan,
            term_months=current.term_months,
            rate_month_pct=current.rate_month_pct,
            grace_months=current.grace_months,
            on=day,
        )
        card = open_card(ledger, current.loan, day)
    r = loan_reschedules
    with ledger.write() as conn:
        state = conn.execute(select(r.c.state).where(r.c.id == ident)).scalar_one()
        if state != "submitted":
            raise LoanRefused(
                f"reschedule request {ident} is {state}: it was decided before",
                f"permohonan jadwal ulang {ident} sudah {state}: sudah diputus sebelumnya",
            )
        values: dict[str, Any] = {
            "state": "approved" if approve else "rejected",
            "decided_ts": now,
            "decided_by": by[:40],
            "decision_reason": reason,
        }
        if shown is not None and card is not None:
            values["effective_day"] = day.isoformat()
            _write_versions(
                ledger, conn, card, shown, ident, by=by, now=now, since=_since(conn, card.loan, now)
            )
            detail = (
                f"approved from {day}: "
                f"{_terms_text(shown.term_months, shown.grace_months, shown.rate_month_pct)}"
                f" over {_rp(shown.outstanding_rp, 'en')} and {_rp(shown.arrears_rp, 'en')} overdue: {reason}"
            )
        else:
            detail = f"rejected: {reason}"
        conn.execute(update(r).where(r.c.id == ident).values(**values))
        _event(conn, ident, by, "approve" if approve else "reject", detail, now=now)
    return get(ledger, ident)


def _write_versions(
    ledger: Ledger,
    conn: Connection,
    card: portfolio.LoanCard,
    shown: Preview,
    ident: int,
    *,
    by: str,
    now: int,
    since: int,
) -> None:
    v = loan_schedule_versions
    last = conn.execute(select(func.max(v.c.version)).where(v.c.loan == card.loan)).scalar()
    if last is None:  # the schedule the loan was paid out with, as it stands now
        method, rate, penalty = current_terms(ledger, card)
        app = apps.get(ledger, card.application) if card.application is not None else None
        conn.execute(
            insert(v).values(
                loan=card.loan,
                version=1,
                reschedule=None,
                effective_ts=0,
                effective_day=card.day.isoformat(),
                method=method,
                rate_month_pct=str(rate),
                term_months=len(card.state.lines),
                grace_months=(app.grace_months or 0) if app is not None else 0,
                penalty_month_pct=str(penalty),
                principal_rp=card.principal_rp,
                arrears_rp=0,
                lines=_lines_json(card.state.lines),
                created_ts=now,
                created_by=by[:40],
            )
        )
        last = 1
    else:  # the version in force until now keeps its lines as they stand
        conn.execute(
            update(v)
            .where(v.c.loan == card.loan, v.c.version == last)
            .values(lines=_lines_json(card.state.lines))
        )
    _, _, penalty = current_terms(ledger, card)
    conn.execute(
        insert(v).values(
            loan=card.loan,
            version=int(last) + 1,
            reschedule=ident,
            effective_ts=since,
            effective_day=shown.on.isoformat(),
            method=shown.method,
            rate_month_pct=str(shown.rate_month_pct),
            term_months=shown.term_months,
            grace_months=shown.grace_months,
            penalty_month_pct=str(penalty),
            principal_rp=shown.outstanding_rp,
            arrears_rp=shown.arrears_rp,
            lines=_lines_json(shown.schedule),
            created_ts=now,
            created_by=by[:40],
        )
    )


def _since(conn: Connection, loan: str, now: int) -> int:
    """When the new version takes over: the approval, or just after the last installment already recorded
    (one recorded in the same second as the approval was split by the old schedule, and stays with it)."""
    t = schema.transactions
    last = conn.execute(select(func.max(t.c.ts)).where(t.c.kind == "installment", t.c.loan == loan)).scalar()
    return max(now, int(last) + 1) if last is not None else now


@dataclass(frozen=True)
class Version:
    """One version of a loan's schedule, for history."""

    version: int
    reschedule: int | None
    effective_day: str
    method: str
    rate_month_pct: Decimal
    term_months: int
    grace_months: int
    principal_rp: int
    arrears_rp: int
    lines: tuple[dict[str, Any], ...]


def schedule_versions(ledger: Ledger, loan: str) -> list[Version]:
    """Every version of ``loan``'s schedule, oldest first (empty: never rescheduled)."""
    ensure_tables(ledger)
    v = loan_schedule_versions
    with ledger.read() as conn:
        rows = conn.execute(select(v).where(v.c.loan == loan).order_by(v.c.version)).mappings().all()
    return [
        Version(
            version=int(row["version"]),
            reschedule=row["reschedule"],
            effective_day=str(row["effective_day"]),
            method=str(row["method"]),
            rate_month_pct=Decimal(str(row["rate_month_pct"])),
            term_months=int(row["term_months"]),
            grace_months=int(row["grace_months"]),
            principal_rp=int(row["principal_rp"]),
            arrears_rp=int(row["arrears_rp"]),
            lines=tuple(json.loads(str(row["lines"]))),
        )
        for row in rows
    ]
