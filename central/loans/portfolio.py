"""The loan book as of any day: each loan's card (schedule and what was paid), arrears and collectibility,
the allowance per class, the problem-loan ratio, and what falls due in a window. Read only.

A loan's schedule comes from its application's approved terms (``central.loans.applications``). A loan
paid out without an application (an earlier ``office loan-disbursement``, or an opening balance, whose
principal is what was still owed then) has no terms: its schedule is the principal in ``loan_term_months``
equal monthly parts from its day, without interest, which is what the member's statement assumed before
applications existed.

Payments are the loan's installments in the ledger (devices' and the office's), voided ones left out,
applied by ``central.loans.schedule.settle``: penalty, interest, principal, oldest installment first.

A rescheduled loan (``central.loans.rescheduling``) is settled version by version
(``central.loans.versions.resettle``): its card's ``state`` and ``payments`` are those of the schedule in
force on the day asked for, and ``history`` holds the earlier versions as they stood when replaced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from sqlalchemy import Connection, func, select

from central.ledger import Ledger, schema
from central.ledger.lookups import _written_off
from central.loanrules import LoanClass
from central.loans import schedule as sched
from central.loans import versions as vers
from central.loans.applications import Application, application_from_row
from central.loans.tables import ensure_tables, loan_applications, loan_schedule_versions

IN_LIST_MAX: Final = 500


@dataclass(frozen=True)
class LoanCard:
    """One loan as of a day: who owes it, its terms, its schedule settled by its payments."""

    loan: str
    member: str
    day: date  # paid out
    principal_rp: int
    product: str | None  # None: paid out without an application (no terms)
    application: int | None
    state: sched.State
    payments: tuple[sched.Payment, ...]
    # the versions replaced by a reschedule, oldest first (empty: never rescheduled by ``as_of``)
    history: tuple[vers.Segment, ...] = ()
    terms: vers.Terms | None = None  # the reschedule in force, if any
    written_off: date | None = None  # the day it was written off, if by as_of (central.loans.writeoff)

    @property
    def outstanding_rp(self) -> int:
        return self.state.principal_outstanding_rp

    @property
    def rescheduled_on(self) -> date | None:
        """The day the schedule in force started, when it came from a reschedule."""
        return self.terms.effective_day if self.terms is not None else None


@dataclass(frozen=True)
class AgingRow:
    """A loan's place in the aging report."""

    loan: str
    member: str
    product: str | None
    outstanding_rp: int
    arrears_rp: int
    days_late: int
    klass: str
    allowance_rp: int


@dataclass(frozen=True)
class ClassTotal:
    code: str
    name: str
    loans: int
    outstanding_rp: int
    allowance_rp: int
    problem: bool


@dataclass(frozen=True)
class Aging:
    """The loan book as of ``as_of``: every open loan, and totals per collectibility class."""

    as_of: date
    rows: tuple[AgingRow, ...]
    classes: tuple[ClassTotal, ...]

    @property
    def outstanding_rp(self) -> int:
        return sum(r.outstanding_rp for r in self.rows)

    @property
    def allowance_rp(self) -> int:
        return sum(c.allowance_rp for c in self.classes)

    @property
    def problem_ratio(self) -> Decimal:
        """Problem loans (kurang lancar, diragukan, macet) over all loans, as a fraction of the principal."""
        total = self.outstanding_rp
        problem = sum(c.outstanding_rp for c in self.classes if c.problem)
        return (Decimal(problem) / total) if total else Decimal(0)

    def at_risk_rp(self, days: int) -> int:
        """Portfolio at risk: the outstanding principal of loans at least ``days`` late."""
        return sum(r.outstanding_rp for r in self.rows if r.days_late >= days)


def _voided(conn: Connection, ids: list[str]) -> set[str]:
    """The transactions among ``ids`` that a void refers to. For a long list, every void's reference is
    read once (voids are few) rather than looking each id up."""
    t = schema.transactions
    found: set[str] = set()
    if len(ids) > IN_LIST_MAX:
        refs = conn.execute(select(t.c.ref).where(t.c.ref.is_not(None), t.c.kind == "void")).scalars()
        return set(refs) & set(ids)
    for start in range(0, len(ids), IN_LIST_MAX):
        part = ids[start : start + IN_LIST_MAX]
        found.update(conn.execute(select(t.c.ref).where(t.c.kind == "void", t.c.ref.in_(part))).scalars())
    return found


def _payments(conn: Connection, loans: list[str], as_of: date) -> dict[str, list[tuple[int, sched.Payment]]]:
    """Each loan's payments up to ``as_of`` with the time they were recorded (which version they settle)."""
    t = schema.transactions
    rows: list[Any] = []
    for start in range(0, len(loans), IN_LIST_MAX):
        part = loans[start : start + IN_LIST_MAX]
        query = select(t.c.id, t.c.loan, t.c.day, t.c.total_rp, t.c.ts).where(
            t.c.kind == "installment", t.c.loan.in_(part), t.c.day <= as_of.isoformat()
        )
        rows.extend(conn.execute(query).all())  # fetched at once: row by row costs a third of an aging
    voided = _voided(conn, [r[0] for r in rows])
    out: dict[str, list[tuple[int, sched.Payment]]] = defaultdict(list)
    for ident, loan, day, total, ts in rows:
        if ident not in voided and total > 0:
            out[str(loan)].append((int(ts), sched.Payment(date.fromisoformat(day), int(total))))
    return out


def _versions(conn: Connection, loans: set[str], as_of: date) -> dict[str, list[vers.Terms]]:
    """The reschedules in force by ``as_of`` of ``loans`` (the table is small: read it whole)."""
    v = loan_schedule_versions
    out: dict[str, list[vers.Terms]] = defaultdict(list)
    query = select(v).where(v.c.version >= 2, v.c.effective_day <= as_of.isoformat())
    for row in conn.execute(query).mappings():
        if row["loan"] in loans:
            out[str(row["loan"])].append(
                vers.Terms(
                    version=int(row["version"]),
                    effective_ts=int(row["effective_ts"]),
                    effective_day=date.fromisoformat(str(row["effective_day"])),
                    method=str(row["method"]),
                    rate_month_pct=Decimal(str(row["rate_month_pct"])),
                    term_months=int(row["term_months"]),
                    grace_months=int(row["grace_months"]),
                    penalty_month_pct=Decimal(str(row["penalty_month_pct"])),
                )
            )
    return out


def _written_off_days(conn: Connection, loans: list[str], as_of: date) -> dict[str, date]:
    """The loans among ``loans`` written off on or before ``as_of``, with the day."""
    found = _written_off(conn, loans)
    return {loan: date.fromisoformat(day) for loan, day in found.items() if day <= as_of.isoformat()}


def _schedule(
    ledger: Ledger, app: Application | None, principal: int, day: date
) -> tuple[sched.Installment, ...]:
    if app is not None and app.method is not None:
        return app.schedule(day)
    return sched.build("flat", principal, Decimal(0), ledger.config.loan_term_months, day)


def cards(
    ledger: Ledger, as_of: date, *, member: str | None = None, loan: str | None = None
) -> list[LoanCard]:
    """The cards of the loans paid out on or before ``as_of`` (of one member or one loan if given)."""
    ensure_tables(ledger)
    lo, a = schema.loans, loan_applications
    with ledger.read() as conn:
        query = select(lo.c.loan, lo.c.member, lo.c.principal_rp, lo.c.tx, lo.c.day).where(
            lo.c.day <= as_of.isoformat()
        )
        if member is not None:
            query = query.where(lo.c.member == member)
        if loan is not None:
            query = query.where(lo.c.loan == loan)
        loans = list(conn.execute(query.order_by(lo.c.day, lo.c.loan)))
        voided = _voided(conn, [str(row.tx) for row in loans])
        loans = [row for row in loans if row.tx not in voided]
        names = [str(row.loan) for row in loans]
        apps: dict[str, Application] = {}
        for start in range(0, len(names), IN_LIST_MAX):
            part = names[start : start + IN_LIST_MAX]
            for row in conn.execute(select(a).where(a.c.loan.in_(part))).mappings():
                found = application_from_row(row)
                apps[str(found.loan)] = found
        paid = _payments(conn, names, as_of)
        gone = _written_off_days(conn, names, as_of)
        rescheduled = _versions(conn, set(names), as_of)
    return [
        _card(
            ledger,
            row,
            app=apps.get(str(row.loan)),
            stamped=paid.get(str(row.loan), []),
            rescheduled=rescheduled,
            gone=gone,
            as_of=as_of,
        )
        for row in loans
    ]


def _card(
    ledger: Ledger,
    row: Any,
    *,
    app: Application | None,
    stamped: list[tuple[int, sched.Payment]],
    rescheduled: dict[str, list[vers.Terms]],
    gone: dict[str, date],
    as_of: date,
) -> LoanCard:
    """One loan's card from its ``loans`` row, application, payments (with when they were recorded), its
    reschedules and its write-off day."""
    day = date.fromisoformat(str(row.day))
    principal = int(row.principal_rp)
    payments = tuple(payment for _, payment in stamped)
    schedule = _schedule(ledger, app, principal, day)
    penalty = app.penalty_month_pct if app is not None and app.penalty_month_pct is not None else Decimal(0)
    history: tuple[vers.Segment, ...] = ()
    terms: vers.Terms | None = None
    if str(row.loan) in rescheduled:
        segments = vers.resettle(schedule, penalty, stamped, rescheduled[str(row.loan)], as_of)
        history, current = segments[:-1], segments[-1]
        state, payments, terms = current.state, current.payments, current.terms
    else:
        state = sched.settle(schedule, payments, as_of, penalty_month_pct=penalty)
    return LoanCard(
        loan=str(row.loan),
        member=str(row.member),
        day=day,
        principal_rp=principal,
        product=app.product if app is not None else None,
        application=app.id if app is not None else None,
        state=state,
        payments=payments,
        history=history,
        terms=terms,
        written_off=gone.get(str(row.loan)),
    )


def _allowance(outstanding: int, klass: LoanClass) -> int:
    return int(
        (Decimal(outstanding) * klass.allowance_pct / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )


def _paid_sums(conn: Connection, as_of: date) -> dict[str, int]:
    """What was paid on each loan by ``as_of``: its installments summed by the database, the voided taken
    out again (voids are few: found from the voids, not by probing every installment)."""
    t = schema.transactions
    v = t.alias("v")
    paid = (t.c.kind == "installment", t.c.day <= as_of.isoformat(), t.c.total_rp > 0)
    sums = {
        str(loan): int(total)
        for loan, total in conn.execute(
            select(t.c.loan, func.sum(t.c.total_rp)).where(*paid).group_by(t.c.loan)
        )
    }
    voids = select(v.c.ref).where(v.c.ref.is_not(None), v.c.kind == "void")
    for loan, total in conn.execute(select(t.c.loan, t.c.total_rp).where(*paid, t.c.id.in_(voids))):
        sums[str(loan)] -= int(total)
    return sums


def _quiet_payments(conn: Connection, loans: list[str], as_of: date) -> dict[str, list[tuple[str, int]]]:
    """Each of ``loans``' payments up to ``as_of`` as (ISO day, amount), in day order, the voided left out:
    what ``schedule.quiet_position`` reads (no dates made, no recording times: these loans have one
    schedule version)."""
    t = schema.transactions
    rows: list[Any] = []
    for start in range(0, len(loans), IN_LIST_MAX):
        part = loans[start : start + IN_LIST_MAX]
        query = select(t.c.id, t.c.loan, t.c.day, t.c.total_rp).where(
            t.c.kind == "installment", t.c.loan.in_(part), t.c.day <= as_of.isoformat(), t.c.total_rp > 0
        )
        rows.extend(conn.execute(query).all())
    voided = _voided(conn, [r[0] for r in rows])
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for ident, loan, day, total in rows:
        if ident not in voided:
            out[loan].append((day, total))
    for paid in out.values():
        paid.sort()
    return out


def _parts(
    row: Any, principal_rp: int, plain_term: int, seen: dict[tuple[Any, ...], tuple[tuple[int, int], ...]]
) -> tuple[tuple[int, int], ...]:
    """A loan's (principal, interest) per month from its application row's terms (``Application.amounts``
    without making the application), or the plain flat schedule of a loan without one. ``seen`` keeps
    them by the row's raw terms: a book of round amounts over a few terms makes each one once."""
    if row is None or row.method is None:
        key: tuple[Any, ...] = ("", principal_rp)
    else:
        granted = row.approved_amount_rp if row.approved_amount_rp is not None else row.amount_rp
        key = (row.method, granted, row.rate_month_pct, row.approved_term_months, row.grace_months)
    found = seen.get(key)
    if found is None:
        if row is None or row.method is None:
            found = sched.amounts("flat", principal_rp, Decimal(0), plain_term)
        else:
            method, granted, rate, term, grace = key
            found = sched.amounts(
                method, int(granted), Decimal(rate), int(term), grace_months=int(grace or 0)
            )
        seen[key] = found
    return found


def _positions(ledger: Ledger, as_of: date) -> list[tuple[str, str, str | None, int, int, int]]:
    """(loan, member, product, principal outstanding, arrears, days late) of every loan paid out by
    ``as_of`` and not written off by then.

    A loan without a penalty rule and never rescheduled is read from its amounts and the sum of its
    payments (``schedule.position``, equal to settling them one by one), and so is a loan with a penalty
    rule that was never a penalty period late (``schedule.quiet_position``); the others are settled
    payment by payment as their cards are. So the aging of 100,000 loans reads most loans as one sum each."""
    ensure_tables(ledger)
    lo, a = schema.loans, loan_applications
    with ledger.read() as conn:
        loans = conn.execute(
            select(lo.c.loan, lo.c.member, lo.c.principal_rp, lo.c.tx, lo.c.day).where(
                lo.c.day <= as_of.isoformat()
            )
        ).all()
        voided = _voided(conn, [str(row.tx) for row in loans])
        loans = [row for row in loans if row.tx not in voided]
        names = {str(row.loan) for row in loans}
        gone = _written_off_days(conn, sorted(names), as_of)
        rescheduled = _versions(conn, set(names) - gone.keys(), as_of)
        # Whole applications only for the loans settled payment by payment; the others' terms as rows.
        apps: dict[str, Application] = {}
        terms: dict[str, Any] = {}
        penalised: list[str] = []
        for row in conn.execute(select(a).where(a.c.loan.is_not(None))).all():
            name = row.loan
            if name not in names or name in gone:
                continue
            penalty = Decimal(row.penalty_month_pct or 0) > 0
            if name in rescheduled or (penalty and row.method is None):
                apps[name] = application_from_row(row._mapping)
                continue
            terms[name] = row
            if penalty:
                penalised.append(name)
        stamped = _payments(conn, sorted(apps), as_of)
        quiet = _quiet_payments(conn, sorted(penalised), as_of)
        paid = _paid_sums(conn, as_of)
    plain_term = ledger.config.loan_term_months
    penalty_rule = set(penalised)
    seen: dict[tuple[Any, ...], tuple[tuple[int, int], ...]] = {}
    out: list[tuple[str, str, str | None, int, int, int]] = []
    for row in loans:
        name = str(row.loan)
        if name in gone:
            continue
        if name in apps or name in rescheduled:
            app = apps.get(name)
            card = _card(
                ledger,
                row,
                app=app,
                stamped=stamped.get(name, []),
                rescheduled=rescheduled,
                gone=gone,
                as_of=as_of,
            )
            out.append(
                (
                    name,
                    str(row.member),
                    app.product if app is not None else None,
                    *_state_position(card.state),
                )
            )
            continue
        found = terms.get(name)
        product = str(found.product) if found is not None else None
        parts = _parts(found, int(row.principal_rp), plain_term, seen)
        start = date.fromisoformat(str(row.day))
        if name in penalty_rule:
            assert found is not None  # a penalty rule is an application's term
            payments = quiet.get(name, [])
            position = sched.quiet_position(parts, start, payments, as_of)
            if position is None:  # a period late at some time: settled payment by payment, as its card is
                app = application_from_row(found._mapping)
                settled = [(0, sched.Payment(date.fromisoformat(day), amount)) for day, amount in payments]
                card = _card(ledger, row, app=app, stamped=settled, rescheduled={}, gone=gone, as_of=as_of)
                position = _state_position(card.state)
            out.append((name, str(row.member), product, *position))
            continue
        out.append((name, str(row.member), product, *sched.position(parts, start, paid.get(name, 0), as_of)))
    return out


def _state_position(state: sched.State) -> tuple[int, int, int]:
    """(principal outstanding, arrears, days late) of a settled loan, in one pass over its lines."""
    outstanding = arrears = 0
    oldest: date | None = None
    for line in state.lines:
        outstanding += line.principal_rp - line.principal_paid_rp
        if line.due <= state.as_of:
            owed = line.owed_rp
            if owed > 0:
                arrears += owed
                oldest = oldest or line.due
    return outstanding, arrears, (state.as_of - oldest).days if oldest is not None else 0


def aging(ledger: Ledger, as_of: date) -> Aging:
    """Every loan still owing on ``as_of`` with its days late, class and allowance; totals per class. A
    written-off loan is off the books: out of the aging, the allowance and PAR."""
    policy = ledger.config.loans
    rows: list[AgingRow] = []
    for loan, member, product, outstanding, arrears, days_late in _positions(ledger, as_of):
        if outstanding <= 0 and arrears <= 0:
            continue
        klass = policy.klass(days_late)
        rows.append(
            AgingRow(
                loan=loan,
                member=member,
                product=product,
                outstanding_rp=outstanding,
                arrears_rp=arrears,
                days_late=days_late,
                klass=klass.code,
                allowance_rp=_allowance(outstanding, klass),
            )
        )
    totals = tuple(
        ClassTotal(
            code=k.code,
            name=k.name,
            loans=sum(1 for r in rows if r.klass == k.code),
            outstanding_rp=sum(r.outstanding_rp for r in rows if r.klass == k.code),
            allowance_rp=sum(r.allowance_rp for r in rows if r.klass == k.code),
            problem=k.problem,
        )
        for k in policy.classes
    )
    rows.sort(key=lambda r: (-r.days_late, r.loan))
    return Aging(as_of=as_of, rows=tuple(rows), classes=totals)


def due_between(ledger: Ledger, lo: date, hi: date) -> list[tuple[LoanCard, sched.Line]]:
    """The installments due from ``lo`` to ``hi`` (inclusive) with something still owed, by due date. A
    loan written off by ``hi`` is off the books: what comes in for it is a recovery, not an installment."""
    found = [
        (card, line)
        for card in cards(ledger, hi)
        if card.written_off is None
        for line in card.state.lines
        if lo <= line.due <= hi and line.owed_rp > 0
    ]
    return sorted(found, key=lambda pair: (pair[1].due, pair[0].loan))


def members_in_arrears(cards_: Iterable[LoanCard]) -> set[str]:
    """The members with an installment due and unpaid."""
    return {card.member for card in cards_ if card.state.days_late > 0}
