"""A member's own figures: the statement of purchases, savings and loans for a period, and the
summary the kiosk's member screen and the portal show (docs/contracts.md, "Member summary")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, func, select

from central.books.reports import RECENT_LIMIT, Period, Section
from central.errors import UnknownMember
from central.ledger import schema
from central.ledger.balances import sum_balance
from central.loans import portfolio
from central.messages import t
from central.yearend.estimate import member_points_and_shu

if TYPE_CHECKING:
    from central.ledger import Ledger


# -- members ------------------------------------------------------------------------------------------


def _voided_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    tx = schema.transactions
    if not ids:
        return set()
    found: set[str] = set()
    for start in range(0, len(ids), 2000):
        part = list(ids[start : start + 2000])
        found.update(
            r for (r,) in conn.execute(select(tx.c.ref).where(tx.c.kind == "void", tx.c.ref.in_(part)))
        )
    return found


def _savings(conn: Connection, ledger: Ledger, number: str, hi: str) -> dict[str, int]:
    j = schema.journal
    by_account = {code: product for product, code in ledger.config.posting.savings}
    result = dict.fromkeys((p for p, _ in ledger.config.posting.savings), 0)
    query = (
        select(j.c.account, func.sum(j.c.credit_rp) - func.sum(j.c.debit_rp))
        .where(j.c.member == number, j.c.account.in_(list(by_account)), j.c.day <= hi)
        .group_by(j.c.account)
    )
    for account, amount in conn.execute(query):
        result[by_account[account]] += int(amount or 0)
    return result


def _member_balance(conn: Connection, number: str, account: str, hi: str) -> int:
    j = schema.journal
    return sum_balance(conn, and_(j.c.member == number, j.c.account == account, j.c.day <= hi))


def member_statement(ledger: Ledger, number: str, period: Period, lang: str = "id") -> list[Section]:
    """One member's purchases in the period, savings balances and movements, loans and store credit."""
    tx = schema.transactions
    m = schema.members
    posting = ledger.config.posting
    with ledger.read() as conn:
        member = conn.execute(select(m.c.number, m.c.name).where(m.c.number == number)).first()
        if member is None:
            raise UnknownMember(f"no member with number {number!r}; see `export members`")
        in_period = and_(tx.c.member == number, tx.c.day >= period.lo, tx.c.day <= period.hi)
        sales = conn.execute(
            select(tx.c.day, tx.c.id, tx.c.unit, tx.c.payment, tx.c.total_rp)
            .where(in_period, tx.c.kind == "sale")
            .order_by(tx.c.day, tx.c.ts, tx.c.id)
        ).all()
        voided = _voided_ids(conn, [row.id for row in sales])
        purchases = tuple(
            (row.day, row.id, row.unit, row.payment, int(row.total_rp), "void" if row.id in voided else "")
            for row in sales
        )
        movements = conn.execute(
            select(tx.c.day, tx.c.id, tx.c.kind, tx.c.product, tx.c.total_rp)
            .where(in_period, tx.c.kind.in_(["savings_deposit", "savings_withdrawal"]))
            .order_by(tx.c.day, tx.c.ts, tx.c.id)
        ).all()
        savings = _savings(conn, ledger, number, period.hi)
        loans = _loans(conn, number, period.hi)
        credit_used = _member_balance(conn, number, posting.receivable, period.hi)
    bought = sum(row[4] for row in purchases if not row[5])
    return [
        Section(
            "purchases",
            f"{t('member_statement', lang)} {member.number} {member.name} - {t('purchases', lang)} "
            f"{period.label()}",
            ("day", "tx", "unit", "payment", "total_rp", "status"),
            purchases,
            (("total_rp", bought), ("credit_used_rp", credit_used)),
        ),
        Section(
            "savings",
            t("savings", lang),
            ("day", "tx", "kind", "product", "amount_rp"),
            tuple((r.day, r.id, r.kind, r.product, int(r.total_rp)) for r in movements),
            tuple((f"{product}_rp", amount) for product, amount in savings.items()),
        ),
        Section(
            "loans",
            t("loans", lang),
            ("loan", "day", "principal_rp", "repaid_rp", "interest_paid_rp", "outstanding_rp"),
            tuple(loans),
            (("outstanding_rp", sum(row[5] for row in loans)),),
        ),
    ]


def _loans(conn: Connection, number: str, hi: str) -> list[tuple[str, str, int, int, int, int]]:
    tx = schema.transactions
    loans = schema.loans
    rows = conn.execute(
        select(loans.c.loan, loans.c.day, loans.c.principal_rp, loans.c.tx)
        .where(loans.c.member == number, loans.c.day <= hi)
        .order_by(loans.c.day, loans.c.loan)
    ).all()
    if not rows:
        return []
    voided = _voided_ids(conn, [r.tx for r in rows])
    paid_rows = conn.execute(
        select(tx.c.id, tx.c.loan, tx.c.principal_rp, tx.c.interest_rp).where(
            tx.c.member == number, tx.c.kind == "installment", tx.c.day <= hi
        )
    ).all()
    voided_paid = _voided_ids(conn, [r.id for r in paid_rows])
    paid: dict[str, tuple[int, int]] = {}
    for ident, loan, principal, interest in paid_rows:
        if ident in voided_paid:
            continue
        p, i = paid.get(loan, (0, 0))
        paid[loan] = (p + int(principal or 0), i + int(interest or 0))
    result = []
    for row in rows:
        if row.tx in voided:
            continue
        p, i = paid.get(row.loan, (0, 0))
        result.append((row.loan, row.day, int(row.principal_rp), p, i, int(row.principal_rp) - p))
    return result


def member_loans(ledger: Ledger, number: str, hi: str) -> list[tuple[str, str, int, int, int, int]]:
    """Loans paid out to the member by ``hi``: (loan, day, principal, repaid, interest, outstanding)."""
    with ledger.read() as conn:
        return _loans(conn, number, hi)


def member_summary(ledger: Ledger, number: str, on: date | datetime | None = None) -> dict[str, Any]:
    """The contract's member summary (docs/contracts.md). Points and SHU come from ``central.yearend`` if
    present (``member_points_and_shu(ledger, number, on_date)``), else they are None."""
    tz = ledger.config.tz
    if on is None:
        stamp = datetime.now(tz).replace(microsecond=0)
    elif isinstance(on, datetime):
        stamp = on if on.tzinfo else on.replace(tzinfo=tz)
        stamp = stamp.astimezone(tz).replace(microsecond=0)
    else:
        stamp = datetime(on.year, on.month, on.day, 23, 59, 59, tzinfo=tz)
    hi = stamp.date().isoformat()
    tx = schema.transactions
    m = schema.members
    posting = ledger.config.posting
    with ledger.read() as conn:
        row = conn.execute(select(m.c.name, m.c.credit_limit_rp).where(m.c.number == number)).first()
        if row is None:
            raise UnknownMember(f"no member with number {number!r}")
        savings = _savings(conn, ledger, number, hi)
        loans = [loan for loan in _loans(conn, number, hi) if loan[5] > 0]
        used = _member_balance(conn, number, posting.receivable, hi)
        recent = conn.execute(
            select(tx.c.id, tx.c.at, tx.c.unit, tx.c.total_rp, tx.c.payment, tx.c.kind)
            .where(tx.c.member == number, tx.c.day <= hi)
            .order_by(tx.c.ts.desc(), tx.c.id.desc())
            .limit(RECENT_LIMIT)
        ).all()
    outstanding = sum(loan[5] for loan in loans)
    next_installment, next_due, arrears, days_late = _next_installment(ledger, number, stamp.date())
    limit = row.credit_limit_rp if row.credit_limit_rp is not None else ledger.config.default_credit_limit_rp
    points, shu = _points_seam(ledger, number, stamp.date())
    return {
        "member": number,
        "name": row.name,
        "as_of": stamp.isoformat(),
        "year": stamp.year,
        "points": points,
        "savings": savings,
        "loan": {
            "outstanding_rp": outstanding,
            "next_installment_rp": next_installment,
            "next_due": next_due,
            "arrears_rp": arrears,
            "days_late": days_late,
        },
        "credit": {"used_rp": used, "limit_rp": int(limit)},
        "recent": [
            {
                "id": r.id,
                "at": r.at,
                "unit": r.unit,
                "total": int(r.total_rp),
                "payment": r.payment,
                "kind": r.kind,
            }
            for r in recent
        ],
        "shu_estimate_rp": shu,
    }


def _points_seam(ledger: Ledger, number: str, on: date) -> tuple[Any, int | None]:
    """The member's points and SHU (estimate, or posted once the year is closed) from the year-end."""
    points, shu = member_points_and_shu(ledger, number, on)
    return points, (None if shu is None else int(shu))


def _next_installment(ledger: Ledger, number: str, as_of: date) -> tuple[int, str | None, int, int]:
    """(amount, due day, arrears, days late) of the member's loans by their schedules
    (``central.loans.portfolio``): when something is overdue, all that is overdue and its oldest due day;
    else the next installment(s) falling due on the next due day."""
    open_lines = [
        line
        for card in portfolio.cards(ledger, as_of, member=number)
        for line in card.state.lines
        if line.owed_rp > 0
    ]
    if not open_lines:
        return 0, None, 0, 0
    overdue = [line for line in open_lines if line.due <= as_of]
    if overdue:
        oldest = min(line.due for line in overdue)
        arrears = sum(line.owed_rp for line in overdue)
        return arrears, oldest.isoformat(), arrears, (as_of - oldest).days
    nearest = min(line.due for line in open_lines)
    return sum(line.owed_rp for line in open_lines if line.due == nearest), nearest.isoformat(), 0, 0
