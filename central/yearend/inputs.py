"""The store side of points: SQL aggregates of a period per member and rule, and the income figures."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import (
    Connection,
    and_,
    case,
    func,
    null,
    select,
    text,
    true,
)

from central.accounts import REVENUE
from central.config import Config
from central.ledger import schema
from central.ledger.balances import income_amounts
from central.yearend.points import (
    MemberTotal,
    PointPolicy,
    PointsResult,
    TermMovement,
    compute_points,
    term_deposit_basis_rp,
)
from central.yearend.policy import FETCH_BATCH, FIRST_YEAR, LAST_YEAR, BadYearendInput
from central.yearend.tables import metadata

if TYPE_CHECKING:
    from central.ledger import Ledger


# -- store: the period's inputs -----------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodInputs:
    """Everything the pure rules need for a period, aggregated per member by SQL."""

    lo: str
    hi: str
    totals: tuple[MemberTotal, ...]
    wajib_rp: Mapping[str, int]
    capital_rp: Mapping[str, int]
    term_basis_rp: Mapping[str, int]
    business_rp: Mapping[str, int]
    non_participant_amount_rp: int
    non_participant_margin_rp: int


def ensure_tables(ledger: Ledger) -> None:
    ledger.create_side_tables(metadata)


def year_bounds(year: int) -> tuple[str, str]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadYearendInput(f"tahun {year} tidak masuk akal", f"year {year} is not a plausible year")
    return f"{year:04d}-01-01", f"{year:04d}-12-31"


def _voided(conn: Connection, hi: str, only: str | None = None, *, with_cost: bool = True) -> list[Any]:
    """Member transactions voided by a void dated on or before ``hi`` (few rows; found by the ref index)."""
    tx = schema.transactions
    v = tx.alias("v")
    who = tx.c.member.is_not(None) if only is None else tx.c.member == only
    cost = tx.c.cost_rp if with_cost else null().label("cost_rp")
    # Driven from the voids (the ref index holds only voids and disputes), never from the member's rows: a
    # join lets SQLite without statistics walk every transaction of the member and probe each for a void.
    voids = select(v.c.ref).where(v.c.ref.is_not(None), v.c.kind == "void", v.c.day <= hi)
    return list(
        conn.execute(
            select(
                tx.c.id, tx.c.kind, tx.c.member, tx.c.unit, tx.c.payment, tx.c.product, tx.c.total_rp,
                tx.c.interest_rp, tx.c.day, cost,
            )
            .where(tx.c.id.in_(voids), tx.c.day <= hi, who)
        ).all()
    )  # fmt: skip


def _cost_query(
    conn: Connection, units: Sequence[str], lo: str, hi: str, only: str | None
) -> tuple[Any, dict[str, Any]]:
    """Cost of goods per member/unit/payment of the period's sales in ``units`` (statement, parameters).

    On SQLite the whole-period query is written with CROSS JOIN, which makes SQLite scan the transactions
    and look up each sale's lines by its key; left to itself it scans every sale line of every unit and
    looks up its transaction, about twice as slow. Elsewhere (PostgreSQL, or one member) the plain join.
    """
    tx = schema.transactions
    lines = schema.sale_lines
    if conn.dialect.name == "sqlite" and only is None:
        marks = ", ".join(f":u{n}" for n in range(len(units)))
        # Fixed table and column names; the units and dates are bound parameters.
        statement = text(
            "SELECT t.member, t.unit, t.payment, SUM(l.cost_total_rp) FROM transactions t "  # noqa: S608
            "CROSS JOIN sale_lines l ON l.tx = t.id "
            f"WHERE t.kind = 'sale' AND t.unit IN ({marks}) AND t.day >= :lo AND t.day <= :hi "
            "GROUP BY t.member, t.unit, t.payment"
        )
        return statement, {"lo": lo, "hi": hi, **{f"u{n}": u for n, u in enumerate(units)}}
    who = true() if only is None else tx.c.member == only
    joined = (
        select(tx.c.member, tx.c.unit, tx.c.payment, func.sum(lines.c.cost_total_rp))
        .select_from(tx.join(lines, lines.c.tx == tx.c.id))
        .where(tx.c.kind == "sale", who, tx.c.unit.in_(list(units)), tx.c.day >= lo, tx.c.day <= hi)
        .group_by(tx.c.member, tx.c.unit, tx.c.payment)
    )
    return joined, {}


COUNTED_KINDS: Final = ("sale", "savings_deposit", "savings_withdrawal", "installment")
# The first schema version whose transactions carry their cost of goods (``cost_rp``).
COST_ON_ROWS_VERSION: Final = 2


def costs_on_rows(conn: Connection) -> bool:
    """Whether the ledger's sales carry their cost of goods (schema version 2 and later)."""
    value = conn.execute(
        select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
    ).scalar_one_or_none()
    return value is not None and value.isdigit() and int(value) >= COST_ON_ROWS_VERSION


@dataclass
class _Sums:
    """The period's per-member sums as the scans collect them (voids not yet taken out)."""

    sales: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (member, unit, payment)
    costs: dict[tuple[str, str, str], int] = field(default_factory=dict)  # margin units' cost of goods
    saved: dict[tuple[str, str], int] = field(default_factory=dict)  # (member, product), not term
    interest: dict[str, int] = field(default_factory=dict)
    moves: dict[tuple[str, str, str], int] = field(default_factory=dict)  # term: (member, day, kind)


def _scan_member_index(
    conn: Connection,
    sums: _Sums,
    *,
    lo: str,
    hi: str,
    only: str | None,
    term_products: Sequence[str],
    margin_set: frozenset[str],
) -> None:
    """Schema version 2: two grouped reads of the member index (``schema.MEMBER_TOTALS_INDEX``).

    The totals are grouped in the index's own order (member, kind, unit, payment, product), so both
    databases read them off the index without sorting millions of rows; each sale brings its cost of
    goods. Term-deposit movements (by day, also before the period) are a second, small grouped read.
    """
    tx = schema.transactions
    who = tx.c.member.is_not(None) if only is None else tx.c.member == only
    grouped = (
        select(
            tx.c.member, tx.c.kind, tx.c.unit, tx.c.payment, tx.c.product,
            func.sum(tx.c.total_rp), func.sum(tx.c.interest_rp), func.sum(tx.c.cost_rp),
        )
        .where(who, tx.c.day >= lo, tx.c.day <= hi, tx.c.kind.in_(COUNTED_KINDS))
        .group_by(tx.c.member, tx.c.kind, tx.c.unit, tx.c.payment, tx.c.product)
    )  # fmt: skip
    sales, costs, saved, interest = sums.sales, sums.costs, sums.saved, sums.interest
    terms = frozenset(term_products)
    # Streamed in batches (a server-side cursor on PostgreSQL): a million groups never sit in memory twice.
    result = conn.execute(grouped.execution_options(yield_per=FETCH_BATCH))
    for member, kind, unit, payment, product, amount, paid_interest, cost in result:
        if kind == "sale":
            key = (member, unit, payment)
            sales[key] = sales.get(key, 0) + int(amount or 0)
            if unit in margin_set:
                costs[key] = costs.get(key, 0) + int(cost or 0)
        elif kind == "savings_deposit":
            if product not in terms:
                pair = (member, product)
                saved[pair] = saved.get(pair, 0) + int(amount or 0)
        elif kind == "installment":
            interest[member] = interest.get(member, 0) + int(paid_interest or 0)
    if term_products:  # deposits made before the period still count for the time held inside it
        moves = sums.moves
        for member, day, kind, amount in conn.execute(
            select(tx.c.member, tx.c.day, tx.c.kind, func.sum(tx.c.total_rp))
            .where(
                who,
                tx.c.day <= hi,
                tx.c.kind.in_(["savings_deposit", "savings_withdrawal"]),
                tx.c.product.in_(term_products),
            )
            .group_by(tx.c.member, tx.c.day, tx.c.kind)
        ):
            moves[(member, day, kind)] = int(amount or 0)


def _scan_rows(
    conn: Connection,
    sums: _Sums,
    *,
    lo: str,
    hi: str,
    only: str | None,
    term_products: Sequence[str],
    margin_units: Sequence[str],
) -> None:
    """Before schema version 2 (no ``cost_rp``, no member totals index): one grouped scan of the rows and a
    join of the margin units' sales to their lines. Kept as the reference the tests hold the fast path to.
    """
    tx = schema.transactions
    # The two big scans leave walk-ins out in Python: "member IS NOT NULL" would lead SQLite to walk the
    # member index with a row lookup each, several times slower than one plain scan.
    scan_who = true() if only is None else tx.c.member == only
    is_term = and_(
        tx.c.kind.in_(["savings_deposit", "savings_withdrawal"]),
        tx.c.product.in_(term_products or ["-"]),
    )
    term_day = case((is_term, tx.c.day), else_=None).label("term_day")
    sales, costs, saved, interest, moves = sums.sales, sums.costs, sums.saved, sums.interest, sums.moves

    def add_moves(rows: Any) -> None:
        for member, day, kind, amount in rows:
            if member is None:
                continue
            key = (member, day, kind)
            moves[key] = moves.get(key, 0) + int(amount or 0)

    grouped = (
        select(
            tx.c.member, tx.c.kind, tx.c.unit, tx.c.payment, tx.c.product, term_day,
            func.sum(tx.c.total_rp), func.sum(tx.c.interest_rp),
        )
        .where(tx.c.day >= lo, tx.c.day <= hi, scan_who, tx.c.kind.in_(COUNTED_KINDS))
        .group_by(tx.c.member, tx.c.kind, tx.c.unit, tx.c.payment, tx.c.product, term_day)
    )  # fmt: skip
    streamed = grouped.execution_options(yield_per=FETCH_BATCH)
    for member, kind, unit, payment, product, day, amount, paid_interest in conn.execute(streamed):
        if member is None:
            continue  # walk-ins earn nothing
        value = int(amount or 0)
        if day is not None:
            add_moves([(member, day, kind, value)])
        elif kind == "sale":
            sales[(member, unit, payment)] = sales.get((member, unit, payment), 0) + value
        elif kind == "savings_deposit":
            saved[(member, product)] = saved.get((member, product), 0) + value
        elif kind == "installment":
            interest[member] = interest.get(member, 0) + int(paid_interest or 0)
    if term_products:  # deposits made before the period still count for the time held inside it
        add_moves(
            conn.execute(
                select(tx.c.member, tx.c.day, tx.c.kind, func.sum(tx.c.total_rp))
                .where(tx.c.day < lo, scan_who, is_term)
                .group_by(tx.c.member, tx.c.day, tx.c.kind)
            )
        )
    if margin_units:
        for member, unit, payment, cost in conn.execute(*_cost_query(conn, margin_units, lo, hi, only)):
            if member is not None:
                costs[(member, unit, payment)] = int(cost or 0)


def period_inputs(
    conn: Connection,
    config: Config,
    policy: PointPolicy,
    lo: str,
    hi: str,
    *,
    only: str | None = None,
    from_lines: bool | None = None,
    timings: dict[str, float] | None = None,
) -> PeriodInputs:
    """Aggregate the period [lo, hi] per member and rule; walk-ins (no member) and voids are left out.

    One grouped scan of the period's transactions gives sales with their cost of goods, savings
    deposits, interest and the term-deposit movements (grouped by day); voids, balances and the
    non-participant units' margin are small indexed queries. ``only``: just this member (its index makes
    that cheap); the non-participant totals are then 0. ``from_lines``: take the cost of goods from the
    sale lines (a join) instead of the transactions' ``cost_rp``; the default does so only for a ledger
    older than schema version 2, and the tests use it as the reference the fast path must agree with.
    ``timings``: seconds per phase are added to it (scan, voids, totals, balances).
    """
    if from_lines is None:
        from_lines = not costs_on_rows(conn)
    lines = schema.sale_lines
    j = schema.journal
    jwho = j.c.member.is_not(None) if only is None else j.c.member == only
    term_products = sorted({r.unit for r in policy.rules if r.source == "term_deposit"})
    margin_units = sorted({r.unit for r in policy.rules if r.source == "sale" and r.basis == "margin"})
    margin_set = frozenset(margin_units)
    clock = [time.perf_counter()]

    def lap(name: str) -> None:
        clock.append(time.perf_counter())
        if timings is not None:
            timings[name] = clock[-1] - clock[-2]

    collected = _Sums()
    if from_lines:
        _scan_rows(
            conn, collected, lo=lo, hi=hi, only=only, term_products=term_products, margin_units=margin_units
        )
    else:
        _scan_member_index(
            conn, collected, lo=lo, hi=hi, only=only, term_products=term_products, margin_set=margin_set
        )
    sales, costs, saved, interest = collected.sales, collected.costs, collected.saved, collected.interest
    moves = collected.moves
    lap("scan_s")

    # Take the voided transactions back out.
    voided = _voided(conn, hi, only, with_cost=not from_lines)
    margin_voids = [r.id for r in voided if r.kind == "sale" and r.unit in margin_set and lo <= r.day <= hi]
    voided_cost: dict[str, int] = {}
    if not from_lines:
        wanted = set(margin_voids)
        voided_cost = {r.id: int(r.cost_rp or 0) for r in voided if r.id in wanted}
        margin_voids = []
    for start in range(0, len(margin_voids), 1000):
        part = margin_voids[start : start + 1000]
        for ident, cost in conn.execute(
            select(lines.c.tx, func.sum(lines.c.cost_total_rp))
            .where(lines.c.tx.in_(part))
            .group_by(lines.c.tx)
        ):
            voided_cost[ident] = int(cost or 0)
    for row in voided:
        total = int(row.total_rp)
        if row.kind in ("savings_deposit", "savings_withdrawal") and row.product in term_products:
            key = (row.member, row.day, row.kind)
            moves[key] = moves.get(key, 0) - total
        elif not lo <= row.day <= hi:
            continue
        elif row.kind == "sale":
            key3 = (row.member, row.unit, row.payment)
            sales[key3] = sales.get(key3, 0) - total
            costs[key3] = costs.get(key3, 0) - voided_cost.get(row.id, 0)
        elif row.kind == "savings_deposit":
            saved[(row.member, row.product)] = saved.get((row.member, row.product), 0) - total
        elif row.kind == "installment":
            interest[row.member] = interest.get(row.member, 0) - int(row.interest_rp or 0)

    lap("voids_s")
    # About a million totals in a year: made by tuple.__new__ (what MemberTotal(...) does, without the
    # keyword handling), in field order: member, source, unit, payment, amount_rp, margin_rp.
    make = tuple.__new__
    totals: list[MemberTotal] = []
    business: dict[str, int] = {}
    for (member, unit, payment), amount in sales.items():
        margin = amount - costs.get((member, unit, payment), 0)
        totals.append(make(MemberTotal, (member, "sale", unit, payment, amount, margin)))
        business[member] = business.get(member, 0) + amount
    saving_rules = {r.unit for r in policy.rules if r.source == "savings"}
    for (member, product), amount in saved.items():
        if product in saving_rules:  # deposits to other products (wajib, sukarela) earn no active points
            totals.append(make(MemberTotal, (member, "savings", product, None, amount, 0)))
    interest_unit = next((r.unit for r in policy.rules if r.source == "interest"), "simpan-pinjam")
    for member, amount in interest.items():
        totals.append(make(MemberTotal, (member, "interest", interest_unit, None, amount, 0)))
        business[member] = business.get(member, 0) + amount

    term_basis: dict[str, int] = {}
    if term_products:
        per_member: dict[str, list[TermMovement]] = {}
        for (member, day, kind), amount in moves.items():
            sign = 1 if kind == "savings_deposit" else -1
            if amount:
                per_member.setdefault(member, []).append(TermMovement(date.fromisoformat(day), sign * amount))
        first_day = date.fromisoformat(lo)
        after_last = date.fromordinal(date.fromisoformat(hi).toordinal() + 1)
        for member, member_moves in per_member.items():
            basis = term_deposit_basis_rp(member_moves, first_day, after_last, policy.term_months)
            if basis:
                term_basis[member] = basis

    lap("totals_s")
    # Balances at the period's end from the journal: wajib (passive points), pokok + wajib (classic capital).
    wajib_acc = config.posting.savings_account("wajib")
    pokok_acc = config.posting.savings_account("pokok")
    wajib: dict[str, int] = {}
    capital: dict[str, int] = {}
    for member, account, amount in conn.execute(
        select(j.c.member, j.c.account, func.sum(j.c.credit_rp) - func.sum(j.c.debit_rp))
        .where(j.c.account.in_([wajib_acc, pokok_acc]), jwho, j.c.day <= hi)
        .group_by(j.c.member, j.c.account)
    ):
        value = int(amount or 0)
        capital[member] = capital.get(member, 0) + value
        if account == wajib_acc:
            wajib[member] = value

    # Non-participant units: their revenue (members and not) and margin in the period, from the journal.
    np_accounts: dict[str, int] = {}
    for np_unit in config.units:
        if not np_unit.participant and np_unit.accounts is not None:
            np_accounts[np_unit.accounts.revenue_member] = 1
            np_accounts[np_unit.accounts.revenue_non_member] = 1
            np_accounts[np_unit.accounts.cogs] = -1
    np_amount = np_margin = 0
    if np_accounts and only is None:
        # The ledger's per-account day sums when it keeps them (kept with every journal insert).
        sums: Any = getattr(schema, "account_days", j)
        for account, debit, credit in conn.execute(
            select(sums.c.account, func.sum(sums.c.debit_rp), func.sum(sums.c.credit_rp))
            .where(sums.c.account.in_(list(np_accounts)), sums.c.day >= lo, sums.c.day <= hi)
            .group_by(sums.c.account)
        ):
            net_credit = int(credit or 0) - int(debit or 0)
            if np_accounts[account] > 0:
                np_amount += net_credit
            np_margin += net_credit  # revenue credits, cost debits (negative)
    lap("balances_s")
    return PeriodInputs(
        lo=lo,
        hi=hi,
        totals=tuple(totals),
        wajib_rp=wajib,
        capital_rp=capital,
        term_basis_rp=term_basis,
        business_rp=business,
        non_participant_amount_rp=np_amount,
        non_participant_margin_rp=np_margin,
    )


def points_of(policy: PointPolicy, inputs: PeriodInputs) -> PointsResult:
    """The pure points computation over a period's inputs."""
    return compute_points(
        policy,
        inputs.totals,
        wajib_rp=inputs.wajib_rp,
        term_basis_rp=inputs.term_basis_rp,
        non_participant_amount_rp=inputs.non_participant_amount_rp,
        non_participant_margin_rp=inputs.non_participant_margin_rp,
    )


# -- income: the year's SHU and its non-member part ---------------------------------------------------


@dataclass(frozen=True)
class IncomeFigures:
    """The period's surplus (SHU before allocation) and the gross margin earned on members and others."""

    surplus_rp: int
    gross_rp: int
    non_member_gross: Fraction

    def non_member_rp(self) -> int:
        """SHU x the non-members' share of the gross margin, floored and clipped to 0..SHU."""
        if self.surplus_rp <= 0 or self.gross_rp <= 0 or self.non_member_gross <= 0:
            return 0
        share = Fraction(self.surplus_rp) * self.non_member_gross / self.gross_rp
        return max(0, min(self.surplus_rp, share.numerator // share.denominator))


def income_figures(ledger: Ledger, lo: str, hi: str) -> IncomeFigures:
    """From the ledger's income statement: surplus, gross margin, and the walk-ins' part of it.

    Non-member gross margin of a participant unit = its non-member revenue minus the unit's cost of goods
    apportioned by revenue. Non-participant units count as the members' business (their margin reaches
    members as average bonus points).
    """
    with ledger.read() as conn:
        amounts = income_amounts(conn, ledger.config.chart, lo, hi)
    by_account = {account.code: amount for account, amount in amounts}
    revenue = sum(amount for account, amount in amounts if account.type == REVENUE)
    surplus = revenue - sum(amount for account, amount in amounts if account.type != REVENUE)
    cogs_total = 0
    non_member = Fraction(0)
    for unit in ledger.config.units:
        if unit.accounts is None:
            continue
        r_m = by_account.get(unit.accounts.revenue_member, 0)
        r_nm = by_account.get(unit.accounts.revenue_non_member, 0)
        cost = by_account.get(unit.accounts.cogs, 0)
        cogs_total += cost
        if unit.participant and r_nm > 0:
            non_member += Fraction(r_nm) - Fraction(cost * r_nm, r_m + r_nm)
    return IncomeFigures(surplus, revenue - cogs_total, max(non_member, Fraction(0)))
