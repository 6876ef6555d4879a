"""Year-end: the store side of points and SHU, closing and reopening a year, and their commands.

The shell around the pure rules of ``central.points`` and ``central.shu``: SQL aggregates a period per
member and rule (sales net of voids, savings deposits, interest paid, term-deposit movements, wajib
balances, the non-participant units' margin), the pure functions turn those totals into points and an
allocation, and ``close_year`` posts the allocation to the journal:

    Dr SHU of the year (equity, ``surplus`` account)        SHU
    Cr reserve (equity)                                      reserve share (+ the non-member part)
    Cr members' SHU payable (liability), one line per member
    Cr board / employees / education / social / regional funds (liabilities); board per member when split

``reopen_year`` posts the same lines reversed and keeps who reopened, when and why. Both are rows in
``year_closes`` besides the journal. Commands (``python -m central ...``): ``close-year``, ``reopen-year``,
``report points``, ``report shu``, ``board activity``, ``board list``. See docs/points-and-shu.md.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import json
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    and_,
    case,
    func,
    null,
    select,
    text,
    true,
)
from sqlalchemy.exc import IntegrityError

from central import schema
from central.accounts import EQUITY, LIABILITY, REVENUE
from central.config import Config
from central.errors import CentralError
from central.points import (
    MemberPoints,
    MemberTotal,
    PassiveBracket,
    PointPolicy,
    PointRule,
    PointsResult,
    RuleError,
    TermMovement,
    Tier,
    compute_points,
    format_points,
    member_sort_key,
    points_record,
    term_deposit_basis_rp,
    to_decimal,
)
from central.points import validate_policy as validate_point_policy
from central.shu import (
    Allocation,
    Fund,
    NoSurplus,
    NothingToSplit,
    ShuPolicy,
    allocate,
    parse_percent,
)
from central.shu import validate_policy as validate_shu_policy

if TYPE_CHECKING:
    from central.ledger import Ledger

BOARD_ROLES: Final = ("ketua", "sekretaris", "bendahara", "pengurus")
# One activity record scores 1..MAX_ACTIVITY_SCORE; a year holds at most MAX_ACTIVITY_ROWS records.
MAX_ACTIVITY_SCORE: Final = 1_000
MAX_ACTIVITY_ROWS: Final = 100_000
MAX_REASON: Final = 200
MAX_NOTE: Final = 200
MAX_BY: Final = 80
FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 9999
# PostgreSQL memory per hash aggregate/join while a year is aggregated (SET LOCAL, that transaction only).
AGGREGATE_WORK_MEM_MB: Final = 128
# Rows fetched per batch from the big grouped scan.
FETCH_BATCH: Final = 20_000
# Journal rows are written in batches of this many.
JOURNAL_BATCH: Final = 5_000
# The journal ``unit`` of year-end entries (they belong to no business unit).
YEAREND_UNIT: Final = "shu"

# The member summary's everyone-wide estimate is recomputed at most this often per ledger, year and day.
ESTIMATE_CACHE_TTL_S: Final = 300
ESTIMATE_CACHE_MAX: Final = 16
_ESTIMATE_CACHE: dict[tuple[str, int, str], tuple[float, YearResult]] = {}
_CACHE_LOCK: Final = threading.Lock()
_REFRESHING: set[tuple[str, int, str]] = set()
MAX_REFRESHING: Final = 2  # background recomputations at once

# Accounts the allocation posts to, by fund key; the config's [shu.accounts] may change them.
DEFAULT_SHU_ACCOUNTS: Final = {
    "surplus": ("3301", "SHU tahun berjalan (ikhtisar)", EQUITY),
    "cadangan": ("3201", "Cadangan", EQUITY),
    "anggota": ("2201", "Utang SHU anggota", LIABILITY),
    "pengurus": ("2202", "Dana pengurus", LIABILITY),
    "karyawan": ("2203", "Dana karyawan", LIABILITY),
    "pendidikan": ("2204", "Dana pendidikan", LIABILITY),
    "sosial": ("2205", "Dana sosial", LIABILITY),
    "pembangunan": ("2206", "Dana pembangunan daerah kerja", LIABILITY),
}

# -- this module's tables (created on first use, beside the ledger's) ----------------------------------

metadata = MetaData()

year_closes = Table(
    "year_closes",
    metadata,
    Column("year", Integer, nullable=False),
    Column("round", Integer, nullable=False),  # 1 for the first close of a year, +1 after each reopen
    Column("shu_rp", BigInteger, nullable=False),
    Column("closed_ts", BigInteger, nullable=False),
    Column("closed_by", String(MAX_BY), nullable=False),
    Column("close_tx", String(64), nullable=False),
    Column("allocation", Text, nullable=False),  # JSON of shu_data(): funds, members, board, totals
    Column("reopened_ts", BigInteger),
    Column("reopened_by", String(MAX_BY)),
    Column("reopen_reason", String(MAX_REASON)),
    Column("reopen_tx", String(64)),
    PrimaryKeyConstraint("year", "round"),
)

board_activity = Table(
    "board_activity",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member", String(40), nullable=False),
    Column("day", String(10), nullable=False),
    Column("score", Integer, nullable=False),
    Column("note", String(MAX_NOTE), nullable=False),
    Column("recorded_ts", BigInteger, nullable=False),
    Column("recorded_by", String(MAX_BY), nullable=False),
)
Index("ix_board_activity_day", board_activity.c.day)


# -- errors -------------------------------------------------------------------------------------------


class YearAlreadyClosed(RuleError):
    """The year is closed; reopen it first."""


class YearNotClosed(RuleError):
    """Reopening a year that is not closed."""


class YearNotOver(RuleError):
    """Closing a year before its last day."""


class ShuAccountMissing(RuleError):
    """The chart of accounts lacks an account the allocation posts to, or it has the wrong type."""


class BadYearendInput(RuleError):
    """A year, reason, score or member given to a year-end command is invalid."""


# -- policies from the config -------------------------------------------------------------------------


def _rule_key(unit: str, basis: str, payment: str | None, product: str | None) -> str:
    if basis == "interest":
        return "bunga"
    if product:
        return product
    return f"{unit}-{payment}" if payment else unit


def point_policy(config: Config) -> PointPolicy:
    """The points policy of the cooperative's config (``[points]``; docs/points-and-shu.md)."""
    rules = []
    term_months = 3
    for r in config.point_rules:
        key = _rule_key(r.unit, r.basis, r.payment, r.product)
        if r.basis in ("margin", "amount"):
            rules.append(PointRule(key, "sale", r.unit, r.rp_per_point, basis=r.basis, payment=r.payment))
        elif r.basis == "saved":
            rules.append(PointRule(key, "savings", r.product or "", r.rp_per_point))
        elif r.basis == "interest":
            rules.append(PointRule(key, "interest", r.unit, r.rp_per_point))
        else:  # held
            rules.append(PointRule(key, "term_deposit", r.product or "berjangka", r.rp_per_point))
            term_months = r.months or term_months
    raw_points = config.raw.get("points", {}) if isinstance(config.raw.get("points"), dict) else {}
    passive_raw = raw_points.get("passive", {}) if isinstance(raw_points.get("passive"), dict) else {}
    if "brackets" in passive_raw:
        passive = _brackets(passive_raw["brackets"])
    else:
        p = config.passive
        passive = (
            PassiveBracket(p.threshold_rp, (Tier(None, p.below_rp_per_point),)),
            PassiveBracket(
                None, (Tier(p.threshold_rp, p.above_base_rp_per_point), Tier(None, p.above_rest_rp_per_point))
            ),
        )
    bonus_raw = raw_points.get("bonus", {}) if isinstance(raw_points.get("bonus"), dict) else {}
    policy = PointPolicy(
        rules=tuple(rules),
        passive=passive,
        non_participant_units=tuple(u.code for u in config.units if not u.participant),
        bonus_basis=str(bonus_raw.get("basis", "margin")),
        bonus_rp_per_point=config.bonus_rp_per_point,
        term_months=term_months,
    )
    validate_point_policy(policy)
    return policy


def _brackets(value: object) -> tuple[PassiveBracket, ...]:
    bad = BadYearendInput(
        "points.passive.brackets harus daftar {upto_rp, tiers = [{upto_rp, rp_per_point}, ...]}",
        "points.passive.brackets must be a list of {upto_rp, tiers = [{upto_rp, rp_per_point}, ...]}",
    )
    if not isinstance(value, list):
        raise bad
    brackets = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("tiers"), list):
            raise bad
        tiers = []
        for tier in item["tiers"]:
            if not isinstance(tier, dict) or not isinstance(tier.get("rp_per_point"), int):
                raise bad
            tiers.append(Tier(tier.get("upto_rp"), tier["rp_per_point"]))
        brackets.append(PassiveBracket(item.get("upto_rp"), tuple(tiers)))
    return tuple(brackets)


def _shu_raw(config: Config) -> dict[str, Any]:
    raw = config.raw.get("shu", {})
    return raw if isinstance(raw, dict) else {}


def shu_policy(config: Config) -> ShuPolicy:
    """The SHU policy of the config's ``[shu]`` (AD/ART percentages, method, board split)."""
    raw = _shu_raw(config)
    funds = tuple(
        Fund(s.key, s.name, parse_percent(str(s.percent), f"shu.shares {s.key}")) for s in config.shu_shares
    )
    classic = raw.get("classic", {}) if isinstance(raw.get("classic"), dict) else {}
    policy = ShuPolicy(
        funds=funds or ShuPolicy().funds,
        method=config.shu_method,
        board_max_percent=parse_percent(str(config.shu_board_max_percent), "shu.board_max_percent"),
        members_fund=str(raw.get("members_fund", "anggota")),
        board_fund=str(raw.get("board_fund", "pengurus")),
        reserve_fund=str(raw.get("reserve_fund", "cadangan")),
        non_member_fund=str(raw.get("non_member_fund", raw.get("reserve_fund", "cadangan"))),
        board_by_activity=bool(raw.get("board_by_activity", False)),
        modal_percent=parse_percent(classic.get("modal_percent", 40), "shu.classic.modal_percent"),
        usaha_percent=parse_percent(classic.get("usaha_percent", 60), "shu.classic.usaha_percent"),
    )
    validate_shu_policy(policy)
    return policy


def shu_accounts(config: Config, policy: ShuPolicy) -> dict[str, str]:
    """Account code per fund key (and ``surplus``), checked against the chart: exists, right type."""
    raw = _shu_raw(config).get("accounts", {})
    overrides = raw if isinstance(raw, dict) else {}
    result: dict[str, str] = {}
    missing: list[str] = []
    for key in ("surplus", *(f.key for f in policy.funds)):
        default = DEFAULT_SHU_ACCOUNTS.get(key)
        code = str(overrides.get(key, default[0] if default else ""))
        want = EQUITY if key in ("surplus", policy.reserve_fund) else LIABILITY
        account = config.account(code) if code else None
        if account is None or account.type != want:
            name = default[1] if default else key
            missing.append(f'{{code = "{code or "?"}", name = "{name}", type = "{want}"}}')
        result[key] = code
    if missing:
        raise ShuAccountMissing(
            "bagan akun belum punya akun pembagian SHU; tambahkan ke [[accounts]] "
            "(atau ubah [shu.accounts]): " + "; ".join(missing),
            "the chart of accounts lacks the SHU allocation accounts; add them to [[accounts]] "
            "(or change [shu.accounts]): " + "; ".join(missing),
        )
    return result


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


def _ensure_tables(ledger: Ledger) -> None:
    metadata.create_all(ledger.engine)


def _year_bounds(year: int) -> tuple[str, str]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadYearendInput(f"tahun {year} tidak masuk akal", f"year {year} is not a plausible year")
    return f"{year:04d}-01-01", f"{year:04d}-12-31"


def _voided(conn: Connection, hi: str, only: str | None = None, *, with_cost: bool = True) -> list[Any]:
    """Member transactions voided by a void dated on or before ``hi`` (few rows; found by the ref index)."""
    tx = schema.transactions
    v = tx.alias("v")
    who = tx.c.member.is_not(None) if only is None else tx.c.member == only
    cost = tx.c.cost_rp if with_cost else null().label("cost_rp")
    return list(
        conn.execute(
            select(
                tx.c.id, tx.c.kind, tx.c.member, tx.c.unit, tx.c.payment, tx.c.product, tx.c.total_rp,
                tx.c.interest_rp, tx.c.day, cost,
            )
            .select_from(v.join(tx, tx.c.id == v.c.ref))
            .where(v.c.ref.is_not(None), v.c.kind == "void", v.c.day <= hi, tx.c.day <= hi, who)
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
    from central.reports import Period, income

    section = income(ledger, Period(lo, hi))[0]
    summary = dict(section.summary)
    by_account = {row[2]: int(row[4]) for row in section.rows}
    revenue = sum(int(row[4]) for row in section.rows if row[0] == REVENUE)
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
    return IncomeFigures(int(summary["surplus_rp"]), revenue - cogs_total, max(non_member, Fraction(0)))


# -- computing the year -------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearResult:
    """A year's (or year-to-date's) points and allocation, with what they were computed from."""

    year: int
    lo: str
    hi: str
    points: PointsResult
    allocation: Allocation | None  # None: a loss, nothing to allocate
    income: IncomeFigures
    estimate: bool
    timings: Mapping[str, float] = field(default_factory=dict)  # seconds per phase, for operators


def _board_scores(conn: Connection, lo: str, hi: str) -> dict[str, int]:
    b = board_activity
    return {
        member: int(score)
        for member, score in conn.execute(
            select(b.c.member, func.sum(b.c.score)).where(b.c.day >= lo, b.c.day <= hi).group_by(b.c.member)
        )
    }


def compute_year(
    ledger: Ledger, year: int, *, on: date | None = None, estimate: bool = False, strict: bool | None = None
) -> YearResult:
    """Points and SHU allocation of ``year`` (up to ``on`` for an estimate); nothing is written.

    ``strict`` (default: not ``estimate``) raises when there is nothing to allocate (a loss, or nobody
    with points); otherwise the result carries ``allocation=None``.
    """
    strict = not estimate if strict is None else strict
    lo, hi = _year_bounds(year)
    if on is not None:
        hi = min(hi, on.isoformat())
        if hi < lo:
            raise BadYearendInput(
                f"tanggal {on} sebelum tahun {year}", f"date {on} is before the year {year}"
            )
    config = ledger.config
    ppolicy = point_policy(config)
    spolicy = shu_policy(config)
    _ensure_tables(ledger)
    clock = [time.perf_counter()]

    def lap() -> float:
        clock.append(time.perf_counter())
        return clock[-1] - clock[-2]

    with ledger.read() as conn:
        if conn.dialect.name == "postgresql":
            # This transaction only: let the per-member hash aggregates and joins stay in memory.
            conn.exec_driver_sql(f"SET LOCAL work_mem = '{AGGREGATE_WORK_MEM_MB}MB'")
        phases: dict[str, float] = {}
        inputs = period_inputs(conn, config, ppolicy, lo, hi, timings=phases)
        scores = _board_scores(conn, lo, hi) if spolicy.board_by_activity else {}
    timings = {"aggregate_s": lap(), **{f"aggregate_{k}": v for k, v in phases.items()}}
    points = points_of(ppolicy, inputs)
    timings["points_s"] = lap()
    figures = income_figures(ledger, lo, hi)
    timings["income_s"] = lap()
    allocation: Allocation | None
    try:
        allocation = allocate(
            figures.surplus_rp,
            spolicy,
            points={m.member: m.total for m in points.members},
            non_member_rp=figures.non_member_rp(),
            capital_rp=inputs.capital_rp,
            business_rp=inputs.business_rp,
            board_scores=scores,
        )
    except (NoSurplus, NothingToSplit):
        if strict:
            raise
        allocation = None
    timings["allocate_s"] = lap()
    return YearResult(year, lo, hi, points, allocation, figures, estimate, timings=timings)


# -- closing and reopening ----------------------------------------------------------------------------


def _open_round(conn: Connection, year: int) -> tuple[int, Any]:
    """(next round number, the row of the current close or None)."""
    c = year_closes
    rows = conn.execute(select(c).where(c.c.year == year).order_by(c.c.round)).mappings().all()
    current = next((r for r in rows if r["reopened_ts"] is None), None)
    return len(rows) + 1, current


def _allocation_lines(
    allocation: Allocation, policy: ShuPolicy, accounts: Mapping[str, str]
) -> list[tuple[str, int, int, str | None, str]]:
    """(account, debit, credit, member, memo) of the allocation entry; balances by construction."""
    out: list[tuple[str, int, int, str | None, str]] = []
    if allocation.shu_rp:
        out.append((accounts["surplus"], allocation.shu_rp, 0, None, "SHU tahun berjalan dibagi"))
    for fund in allocation.funds:
        if fund.amount_rp == 0:
            continue
        if fund.key == policy.members_fund:
            for share in allocation.members:
                if share.shu_rp:
                    out.append((accounts[fund.key], 0, share.shu_rp, share.member, "SHU anggota"))
        elif fund.key == policy.board_fund and allocation.board:
            for board in allocation.board:
                if board.amount_rp:
                    out.append(
                        (accounts[fund.key], 0, board.amount_rp, board.member, "dana pengurus (keaktifan)")
                    )
        else:
            out.append((accounts[fund.key], 0, fund.amount_rp, None, f"SHU: {fund.name}"[:80]))
    debit = sum(x[1] for x in out)
    credit = sum(x[2] for x in out)
    assert debit == credit == allocation.shu_rp, "the allocation entry must balance"
    return out


def _write_entry(
    conn: Connection, tx_id: str, day: str, lines: Sequence[tuple[str, int, int, str | None, str]]
) -> None:
    from central.ledger import insert_many

    ts = int(time.time())
    rows = [
        (tx_id, number, day, ts, account, debit, credit, YEAREND_UNIT, member, memo)
        for number, (account, debit, credit, member, memo) in enumerate(lines, start=1)
    ]
    for start in range(0, len(rows), JOURNAL_BATCH):
        insert_many(conn, schema.journal, rows[start : start + JOURNAL_BATCH])


def _who(by: str | None) -> str:
    name = (by or "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (OSError, KeyError):
            name = "?"
    return name[:MAX_BY]


def close_year(ledger: Ledger, year: int, *, by: str | None = None, early: bool = False) -> YearResult:
    """Compute the year's SHU, allocate it, post the allocation and record the close.

    Refused when the year is already closed, when it has not ended yet (unless ``early``), when the
    year made a loss, when the chart lacks the allocation accounts, or when nobody can receive the
    members' share.
    """
    _, hi = _year_bounds(year)
    today = datetime.now(ledger.config.tz).date().isoformat()
    if not early and today <= hi:
        raise YearNotOver(
            f"tahun {year} belum berakhir (hari ini {today}); lihat perkiraan dengan "
            f"`report shu --year {year} --estimate`, atau tutup lebih awal dengan --early",
            f"the year {year} has not ended (today is {today}); see the estimate with `report shu --year "
            f"{year} --estimate`, or close it early with --early",
        )
    _ensure_tables(ledger)
    with ledger.read() as conn:
        _, current = _open_round(conn, year)
    if current is not None:
        raise _already_closed(year, current)
    spolicy = shu_policy(ledger.config)
    accounts = shu_accounts(ledger.config, spolicy)
    result = compute_year(ledger, year)
    assert result.allocation is not None
    lines = _allocation_lines(result.allocation, spolicy, accounts)
    who = _who(by)
    try:
        with ledger.write() as conn:
            round_no, current = _open_round(conn, year)
            if current is not None:
                raise _already_closed(year, current)
            tx_id = f"shu:{year}:close:{round_no}"
            _write_entry(conn, tx_id, hi, lines)
            conn.execute(
                year_closes.insert().values(
                    year=year,
                    round=round_no,
                    shu_rp=result.allocation.shu_rp,
                    closed_ts=int(time.time()),
                    closed_by=who,
                    close_tx=tx_id,
                    allocation=json.dumps(shu_data(result), ensure_ascii=False, sort_keys=True),
                )
            )
    except IntegrityError as err:  # a concurrent close won the race
        raise YearAlreadyClosed(
            f"tahun {year} baru saja ditutup oleh proses lain",
            f"the year {year} was just closed by another run",
        ) from err
    return result


def _already_closed(year: int, row: Mapping[str, Any]) -> YearAlreadyClosed:
    when = datetime.fromtimestamp(int(row["closed_ts"])).isoformat(timespec="seconds")
    return YearAlreadyClosed(
        f"tahun {year} sudah ditutup ({when} oleh {row['closed_by']}); buka kembali dulu dengan "
        f"`reopen-year {year} --reason ...`",
        f"the year {year} is already closed ({when} by {row['closed_by']}); reopen it first with "
        f"`reopen-year {year} --reason ...`",
    )


def reopen_year(ledger: Ledger, year: int, *, reason: str, by: str | None = None) -> str:
    """Reverse the year's close (a reversing journal entry) and record when, why and by whom; the tx id."""
    _year_bounds(year)
    text = " ".join(reason.split())
    if not text:
        raise BadYearendInput(
            "alasan membuka kembali wajib diisi (--reason)", "a reason for reopening is required (--reason)"
        )
    if len(text) > MAX_REASON:
        raise BadYearendInput(
            f"alasan paling panjang {MAX_REASON} karakter",
            f"the reason may be at most {MAX_REASON} characters",
        )
    _ensure_tables(ledger)
    j = schema.journal
    c = year_closes
    who = _who(by)
    with ledger.write() as conn:
        _, current = _open_round(conn, year)
        if current is None:
            raise YearNotClosed(f"tahun {year} belum ditutup", f"the year {year} is not closed")
        original = conn.execute(
            select(j.c.account, j.c.debit_rp, j.c.credit_rp, j.c.member, j.c.memo, j.c.day)
            .where(j.c.tx == current["close_tx"])
            .order_by(j.c.line)
        ).all()
        reversal = [
            (account, int(credit), int(debit), member, f"batal: {memo}"[:80])
            for account, debit, credit, member, memo, _ in original
        ]
        tx_id = f"shu:{year}:reopen:{current['round']}"
        day = original[0].day if original else f"{year:04d}-12-31"
        _write_entry(conn, tx_id, day, reversal)
        conn.execute(
            c.update()
            .where(c.c.year == year, c.c.round == current["round"])
            .values(reopened_ts=int(time.time()), reopened_by=who, reopen_reason=text, reopen_tx=tx_id)
        )
    return tx_id


def year_history(ledger: Ledger, year: int) -> list[dict[str, Any]]:
    """Every close and reopen of the year: the audit trail."""
    _ensure_tables(ledger)
    c = year_closes
    with ledger.read() as conn:
        rows = conn.execute(select(c).where(c.c.year == year).order_by(c.c.round)).mappings().all()
    return [{k: v for k, v in row.items() if k != "allocation"} for row in rows]


def closed_allocation(ledger: Ledger, year: int) -> dict[str, Any] | None:
    """The stored allocation of the year's current close, or None when the year is open."""
    _ensure_tables(ledger)
    with ledger.read() as conn:
        _, current = _open_round(conn, year)
    if current is None:
        return None
    data: dict[str, Any] = json.loads(current["allocation"])
    data["closed"] = {"round": current["round"], "at": int(current["closed_ts"]), "by": current["closed_by"]}
    return data


# -- board activity -----------------------------------------------------------------------------------


def record_activity(
    ledger: Ledger, member: str, score: int, *, on: date, note: str = "", by: str | None = None
) -> None:
    """Record a board member's activity score (seed 000's merit system)."""
    if isinstance(score, bool) or not 1 <= score <= MAX_ACTIVITY_SCORE:
        raise BadYearendInput(
            f"skor keaktifan harus 1..{MAX_ACTIVITY_SCORE}",
            f"the activity score must be 1..{MAX_ACTIVITY_SCORE}",
        )
    row = ledger.member(member)
    if row["role"] not in BOARD_ROLES:
        raise BadYearendInput(
            f"anggota {member} berperan {row['role']}, bukan pengurus ({', '.join(BOARD_ROLES)})",
            f"member {member} has role {row['role']}, not a board role ({', '.join(BOARD_ROLES)})",
        )
    _ensure_tables(ledger)
    b = board_activity
    with ledger.write() as conn:
        count = conn.execute(
            select(func.count()).where(b.c.day >= f"{on.year:04d}-01-01", b.c.day <= f"{on.year:04d}-12-31")
        ).scalar_one()
        if int(count) >= MAX_ACTIVITY_ROWS:
            raise BadYearendInput(
                f"sudah {MAX_ACTIVITY_ROWS} catatan keaktifan tahun ini",
                f"{MAX_ACTIVITY_ROWS} records this year",
            )
        conn.execute(
            b.insert().values(
                member=member,
                day=on.isoformat(),
                score=score,
                note=" ".join(note.split())[:MAX_NOTE],
                recorded_ts=int(time.time()),
                recorded_by=_who(by),
            )
        )


def activity_totals(ledger: Ledger, year: int) -> dict[str, int]:
    """Sum of activity scores per board member in the year."""
    lo, hi = _year_bounds(year)
    _ensure_tables(ledger)
    with ledger.read() as conn:
        return _board_scores(conn, lo, hi)


# -- plain data for reports, JSON and the demo --------------------------------------------------------


def shu_data(result: YearResult) -> dict[str, Any]:
    """The allocation as plain, JSON-ready data: per fund, per member (points, shu_rp), board, totals."""
    allocation = result.allocation
    points = result.points.by_member()
    members: list[dict[str, Any]] = []
    if allocation is not None:
        for share in allocation.members:
            entry: dict[str, Any] = {
                "member": share.member,
                "points": format_points(share.points),
                "shu_rp": share.shu_rp,
            }
            if allocation.method == "classic":
                entry["modal_rp"] = share.modal_rp
                entry["usaha_rp"] = share.usaha_rp
            members.append(entry)
    else:
        members = [
            {"member": m, "points": format_points(p.total), "shu_rp": 0}
            for m, p in sorted(points.items(), key=lambda kv: member_sort_key(kv[0]))
        ]
    funds = (
        [
            {"fund": f.key, "name": f.name, "percent": _percent(f.percent), "amount_rp": f.amount_rp}
            for f in allocation.funds
        ]
        if allocation is not None
        else []
    )
    total_points = sum((p.total for p in points.values()), Fraction(0))
    return {
        "year": result.year,
        "period": {"from": result.lo, "to": result.hi},
        "estimate": result.estimate,
        "method": allocation.method if allocation is not None else None,
        "shu_rp": result.income.surplus_rp,
        "non_member_rp": allocation.non_member_rp if allocation is not None else 0,
        "funds": funds,
        "members": members,
        "board": [
            {"member": b.member, "score": b.score, "amount_rp": b.amount_rp}
            for b in (allocation.board if allocation is not None else ())
        ],
        "totals": {
            "funds_rp": sum(f["amount_rp"] for f in funds),
            "members_rp": sum(m["shu_rp"] for m in members),
            "points": format_points(total_points),
            "members": len(members),
        },
    }


def _percent(value: Fraction) -> str:
    return format(to_decimal(value).normalize(), "f")


def points_data(result: PointsResult, member: str | None = None) -> list[dict[str, object]]:
    """``report points --json``: one object per member with member, active, passive, bonus, total."""
    return [points_record(m) for m in result.members if member is None or m.member == member]


def close_year_for_demo(ledger: Ledger, year: int, *, by: str = "demo", early: bool = True) -> dict[str, Any]:
    """Close ``year`` and return the allocation and the per-member table (``shu_data``) for the demo."""
    return shu_data(close_year(ledger, year, by=by, early=early))


# -- the member summary seam (central.reports.member_summary calls this) --------------------------------


def _store_estimate(key: tuple[str, int, str], at: float, result: YearResult) -> None:
    with _CACHE_LOCK:
        while len(_ESTIMATE_CACHE) >= ESTIMATE_CACHE_MAX:
            del _ESTIMATE_CACHE[min(_ESTIMATE_CACHE, key=lambda k: _ESTIMATE_CACHE[k][0])]
        _ESTIMATE_CACHE[key] = (at, result)


def _refresh_estimate(ledger: Ledger, year: int, on: date, key: tuple[str, int, str]) -> None:
    """Background refresh; on any failure the older estimate simply stays in use."""
    try:
        started = time.monotonic()
        _store_estimate(key, started, compute_year(ledger, year, on=on, estimate=True))
    except Exception:  # noqa: S110 - a refresh that fails (ledger closed, database busy) changes nothing
        pass
    finally:
        with _CACHE_LOCK:
            _REFRESHING.discard(key)


def _estimate_cached(ledger: Ledger, year: int, on: date, *, allow_stale: bool = False) -> YearResult:
    """The whole year-to-date computation, kept for ESTIMATE_CACHE_TTL_S per ledger, year and day.

    Serves the kiosk's member summary: the everyone-wide part (points of all members, bonus pool, surplus)
    is at most that old; the asking member's own points are always read fresh. With ``allow_stale``, an
    older estimate of the same year (an earlier day, or past its time) is returned at once while one
    background thread recomputes it, so a member never waits for the whole year to be aggregated again.
    """
    key = (ledger.target, year, on.isoformat())
    now = time.monotonic()
    with _CACHE_LOCK:
        hit = _ESTIMATE_CACHE.get(key)
        if hit is not None and now - hit[0] < ESTIMATE_CACHE_TTL_S:
            return hit[1]
        if allow_stale:
            older = [
                v for (target, y, day), v in _ESTIMATE_CACHE.items()
                if target == ledger.target and y == year and day <= key[2]
            ]  # fmt: skip
            if older:
                if key not in _REFRESHING and len(_REFRESHING) < MAX_REFRESHING:
                    _REFRESHING.add(key)
                    threading.Thread(
                        target=_refresh_estimate,
                        args=(ledger, year, on, key),
                        name="shu-estimate",
                        daemon=True,
                    ).start()
                return max(older, key=lambda v: v[0])[1]
    result = compute_year(ledger, year, on=on, estimate=True)
    _store_estimate(key, now, result)
    return result


def _own_points(
    ledger: Ledger, number: str, year: int, on: date | None, everyone: YearResult
) -> MemberPoints:
    """One member's points read fresh (indexed by member), the bonus share taken from ``everyone``."""
    lo, hi = _year_bounds(year)
    if on is not None:
        hi = min(hi, on.isoformat())
    policy = point_policy(ledger.config)
    with ledger.read() as conn:
        inputs = period_inputs(conn, ledger.config, policy, lo, hi, only=number)
    own = compute_points(policy, inputs.totals, wajib_rp=inputs.wajib_rp, term_basis_rp=inputs.term_basis_rp)
    mp = own.by_member().get(number) or MemberPoints.make(number)
    if not mp.active:
        return mp
    before = everyone.points.by_member().get(number)
    recipients = everyone.points.bonus_recipients + (0 if before is not None and before.active else 1)
    return mp.with_bonus(everyone.points.bonus_pool / recipients)


def member_points(ledger: Ledger, number: str, year: int, on: date | None = None) -> MemberPoints:
    """One member's points for ``year`` up to ``on`` (the whole year when None)."""
    ledger.member(number)  # UnknownMember for a wrong number
    day = on or date(year, 12, 31)
    return _own_points(ledger, number, year, on, _estimate_cached(ledger, year, day))


def estimate_shares(ledger: Ledger, year: int, on: date | None = None) -> YearResult:
    """The live estimate: the year-to-date surplus allocated by points so far (nothing written)."""
    return compute_year(ledger, year, on=on, estimate=True)


def _closed_member_shu(ledger: Ledger, year: int, number: str) -> int | None:
    """The member's SHU as posted by the year's current close, or None when the year is open."""
    _ensure_tables(ledger)
    j = schema.journal
    with ledger.read() as conn:
        _, current = _open_round(conn, year)
        if current is None:
            return None
        policy = shu_policy(ledger.config)
        payable = shu_accounts(ledger.config, policy)[policy.members_fund]
        value = conn.execute(
            select(func.coalesce(func.sum(j.c.credit_rp), 0)).where(
                j.c.member == number, j.c.account == payable, j.c.tx == current["close_tx"]
            )
        ).scalar_one()
    return int(value)


def member_points_and_shu(ledger: Ledger, number: str, on: date) -> tuple[dict[str, Any], int | None]:
    """For the kiosk's member summary: the member's points this year (the contract's JSON numbers, two
    decimals) and their SHU: as posted if the year is closed, else the year-to-date estimate."""
    everyone = _estimate_cached(ledger, on.year, on, allow_stale=True)
    mp = _own_points(ledger, number, on.year, on, everyone)
    shu = _closed_member_shu(ledger, on.year, number)
    if shu is None:
        shu = 0
        allocation = everyone.allocation
        before = everyone.points.by_member().get(number)
        listed = next((s.shu_rp for s in allocation.members if s.member == number), 0) if allocation else 0
        if allocation is not None and (
            allocation.method != "points" or (before and before.total == mp.total)
        ):
            shu = listed  # unchanged since the cached computation: the allocation's own figure
        elif allocation is not None:
            policy = shu_policy(ledger.config)
            others = sum((m.total for m in everyone.points.members if m.member != number), Fraction(0))
            total = others + mp.total
            if total > 0:
                share = allocation.fund(policy.members_fund) * mp.total / total
                shu = share.numerator // share.denominator

    # The contract's JSON numbers; the values are already rounded to two decimals (display only).
    def number_of(value: Fraction) -> float:
        return float(to_decimal(value))

    points = {
        "active": {k: number_of(v) for k, v in mp.active},
        "passive": number_of(mp.passive),
        "bonus": number_of(mp.bonus),
        "total": number_of(mp.total),
    }
    return points, shu


# -- rendering (pure) ---------------------------------------------------------------------------------

_TEXT: Final = {
    "points_title": ("Poin anggota {year}", "Member points {year}"),
    "shu_title": ("Pembagian SHU {year}", "SHU allocation {year}"),
    "estimate": (
        "PERKIRAAN (belum final): SHU berjalan s.d. {hi} dibagi menurut poin sejauh ini",
        "ESTIMATE (not final): the year-to-date surplus up to {hi} divided by points so far",
    ),
    "loss": ("Belum ada SHU untuk dibagi (SHU berjalan Rp {shu}).", "No surplus to divide yet (Rp {shu})."),
    "closed": ("Tutup buku: putaran {round}, oleh {by}", "Closed: round {round}, by {by}"),
    "open": (
        "Tahun belum ditutup; angka dihitung dari buku saat ini.",
        "Year not closed; computed from the books.",
    ),
    "closed_ok": (
        "Tahun {year} ditutup: SHU Rp {shu} dibagi; {members} anggota menerima Rp {members_rp}.",
        "Year {year} closed: SHU Rp {shu} allocated; {members} members receive Rp {members_rp}.",
    ),
    "changed": (
        "PERHATIAN: buku tahun ini berubah setelah tutup buku (SHU sekarang Rp {shu}); "
        "buka kembali (reopen-year {year}) dan tutup ulang",
        "WARNING: the year's books changed after the close (SHU now Rp {shu}); "
        "reopen (reopen-year {year}) and close again",
    ),
    "reopened": ("Tahun {year} dibuka kembali ({tx}).", "Year {year} reopened ({tx})."),
    "history": ("Riwayat tutup buku {year}", "Closing history {year}"),
    "recorded": (
        "Keaktifan {member} dicatat: skor {score}.",
        "Activity of {member} recorded: score {score}.",
    ),
    "funds": ("Pos", "Fund"),
    "members": ("Anggota", "Members"),
    "board": ("Pengurus (menurut keaktifan)", "Board (by activity)"),
    "total": ("Jumlah", "Total"),
    "non_member": ("bagian non-anggota ke cadangan", "non-member part to the reserve"),
}


def _t(key: str, lang: str, **values: object) -> str:
    pair = _TEXT[key]
    return (pair[1] if lang == "en" else pair[0]).format(**values)


def _rp(value: int, lang: str) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "id" else text


def render_points(result: PointsResult, year: int, lang: str, member: str | None = None) -> str:
    """A readable table: one row per member, active points per rule, passive, bonus, total."""
    keys = list(result.rule_keys)
    header = ["member", *keys, "passive", "bonus", "total"]
    rows = []
    for m in result.members:
        if member is not None and m.member != member:
            continue
        active = dict(m.active)
        rows.append(
            [
                m.member,
                *(format_points(active.get(k, Fraction(0))) for k in keys),
                format_points(m.passive),
                format_points(m.bonus),
                format_points(m.total),
            ]
        )
    return _table(_t("points_title", lang, year=year), header, rows)


def points_csv(result: PointsResult, member: str | None = None) -> str:
    """``report points --csv``: member, one column per rule, passive, bonus, total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    keys = list(result.rule_keys)
    writer.writerow(["member", *keys, "passive", "bonus", "total"])
    for m in result.members:
        if member is None or m.member == member:
            active = dict(m.active)
            cells = [active.get(k, Fraction(0)) for k in keys] + [m.passive, m.bonus, m.total]
            writer.writerow([m.member, *(format_points(c) for c in cells)])
    return out.getvalue()


def shu_csv(data: Mapping[str, Any]) -> str:
    """``report shu --csv``: the per-member table (member, points, shu_rp)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["member", "points", "shu_rp"])
    writer.writerows([m["member"], m["points"], m["shu_rp"]] for m in data["members"])
    return out.getvalue()


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        return "  ".join(
            [first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))]
        )

    out = [title, line(header), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    return "\n".join(out).rstrip() + "\n"


def render_shu(data: Mapping[str, Any], lang: str) -> str:
    """A readable allocation: the funds, each member's points and rupiah, the board split, totals."""
    out = [_t("shu_title", lang, year=data["year"])]
    if data["estimate"]:
        out.append(_t("estimate", lang, hi=data["period"]["to"]))
    closed = data.get("closed")
    out.append(_t("closed", lang, **closed) if closed else _t("open", lang))
    if closed and data.get("current_shu_rp", data["shu_rp"]) != data["shu_rp"]:
        out.append(_t("changed", lang, shu=_rp(data["current_shu_rp"], lang), year=data["year"]))
    out.append(f"SHU: Rp {_rp(data['shu_rp'], lang)}")
    if not data["funds"]:
        out.append(_t("loss", lang, shu=_rp(data["shu_rp"], lang)))
    else:
        if data["non_member_rp"]:
            out.append(f"{_t('non_member', lang)}: Rp {_rp(data['non_member_rp'], lang)}")
        out.append("")
        out.append(
            _table(
                _t("funds", lang),
                ["fund", "percent", "amount_rp"],
                [[f["fund"], f["percent"], _rp(f["amount_rp"], lang)] for f in data["funds"]],
            )
        )
        out.append(
            _table(
                _t("members", lang),
                ["member", "points", "shu_rp"],
                [[m["member"], m["points"], _rp(m["shu_rp"], lang)] for m in data["members"]],
            )
        )
        if data["board"]:
            out.append(
                _table(
                    _t("board", lang),
                    ["member", "score", "amount_rp"],
                    [[b["member"], str(b["score"]), _rp(b["amount_rp"], lang)] for b in data["board"]],
                )
            )
    totals = data["totals"]
    out.append(
        f"{_t('total', lang)}: funds_rp {_rp(totals['funds_rp'], lang)}, members_rp "
        f"{_rp(totals['members_rp'], lang)}, points {totals['points']}, members {totals['members']}"
    )
    return "\n".join(out) + "\n"


# -- commands -----------------------------------------------------------------------------------------

Handler = Callable[[Any, argparse.Namespace], int]


def _year_arg(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year like 2026") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"{text!r} is not a plausible year")
    return year


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def _lang(args: argparse.Namespace) -> str:
    return "en" if getattr(args, "lang", None) == "en" else "id"


def _guard(handler: Handler) -> Handler:
    """Turn the rules' bilingual errors into the CLI's error in the chosen language."""

    def run(ledger: Any, args: argparse.Namespace) -> int:
        try:
            return handler(ledger, args)
        except RuleError as err:
            raise CentralError(err.message(_lang(args))) from err

    run.__doc__ = handler.__doc__
    return run


def cmd_close_year(ledger: Ledger, args: argparse.Namespace) -> int:
    """Close the year: allocate the SHU and post it."""
    lang = _lang(args)
    result = close_year(ledger, args.year, by=args.by, early=args.early)
    data = shu_data(result)
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(
            _t(
                "closed_ok",
                lang,
                year=args.year,
                shu=_rp(data["shu_rp"], lang),
                members=sum(1 for m in data["members"] if m["shu_rp"]),
                members_rp=_rp(data["totals"]["members_rp"], lang),
            )
        )
    return 0


def cmd_year_history(ledger: Ledger, args: argparse.Namespace) -> int:
    """The audit trail of a year: every close and reopen, who, when, why."""
    rows = year_history(ledger, args.year)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    tz = ledger.config.tz

    def when(ts: int | None) -> str:
        return "" if ts is None else datetime.fromtimestamp(int(ts), tz).isoformat(timespec="seconds")

    table = [
        [
            str(r["round"]), _rp(int(r["shu_rp"]), _lang(args)), when(r["closed_ts"]), r["closed_by"],
            when(r["reopened_ts"]), r["reopened_by"] or "", r["reopen_reason"] or "",
        ]
        for r in rows
    ]  # fmt: skip
    header = ["round", "shu_rp", "closed", "closed_by", "reopened", "reopened_by", "reason"]
    print(_table(_t("history", _lang(args), year=args.year), header, table), end="")
    return 0


def cmd_reopen_year(ledger: Ledger, args: argparse.Namespace) -> int:
    """Reopen a closed year with a reason (the reversal is posted)."""
    tx_id = reopen_year(ledger, args.year, reason=args.reason, by=args.by)
    print(_t("reopened", _lang(args), year=args.year, tx=tx_id))
    return 0


def cmd_board_activity(ledger: Ledger, args: argparse.Namespace) -> int:
    """Record a board member's activity score."""
    on = args.on or datetime.now(ledger.config.tz).date()
    record_activity(ledger, args.member, args.score, on=on, note=args.note or "", by=args.by)
    print(_t("recorded", _lang(args), member=args.member, score=args.score))
    return 0


def cmd_board_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """Activity score totals per board member for a year."""
    totals = activity_totals(ledger, args.year)
    rows = sorted(totals.items(), key=lambda kv: member_sort_key(kv[0]))
    if args.json:
        print(json.dumps([{"member": m, "score": s} for m, s in rows], ensure_ascii=False))
    else:
        print(_table(_t("board", _lang(args)), ["member", "score"], [[m, str(s)] for m, s in rows]), end="")
    return 0


def _report_year(ledger: Ledger, args: argparse.Namespace) -> int:
    if args.year is not None:
        if args.start or args.end:
            raise BadYearendInput(
                "pakai --year saja, tanpa --from/--to", "use --year alone, without --from/--to"
            )
        return int(args.year)
    return datetime.now(ledger.config.tz).date().year


def cmd_report_points(ledger: Ledger, args: argparse.Namespace) -> int:
    """Points per member and source for a year (to date when the year is running)."""
    year = _report_year(ledger, args)
    member = args.member or args.number
    if member:
        ledger.member(member)
    on = args.on
    result = compute_year(ledger, year, on=on, estimate=True)
    if args.json:
        print(json.dumps(points_data(result.points, member), ensure_ascii=False))
    elif getattr(args, "csv", False):
        sys.stdout.write(points_csv(result.points, member))
    else:
        print(render_points(result.points, year, _lang(args), member), end="")
    return 0


def cmd_report_shu(ledger: Ledger, args: argparse.Namespace) -> int:
    """The year's allocation: closed figures when closed, else computed; --estimate for the running year."""
    year = _report_year(ledger, args)
    data: dict[str, Any] | None = None if args.estimate else closed_allocation(ledger, year)
    if data is not None:
        # Late transactions dated in a closed year (an outpost syncing after the close) change the books.
        lo, hi = _year_bounds(year)
        data["current_shu_rp"] = income_figures(ledger, lo, hi).surplus_rp
    if data is None:
        if args.estimate:
            data = shu_data(estimate_shares(ledger, year, on=args.on))
        else:
            data = shu_data(compute_year(ledger, year, on=args.on, estimate=False, strict=False))
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    elif getattr(args, "csv", False):
        sys.stdout.write(shu_csv(data))
    else:
        print(render_shu(data, _lang(args)), end="")
    return 0


def add_report_arguments(report: argparse.ArgumentParser) -> None:
    """The options of ``report points`` and ``report shu`` on the ledger's ``report`` command."""
    report.add_argument("--member", help="report points: only this member")
    report.add_argument("--estimate", action="store_true", help="report shu: the running year's estimate")
    report.add_argument("--on", type=_date_arg, help="report points/shu: up to this day (YYYY-MM-DD)")


def add_commands(sub: Any) -> None:
    """Add close-year, reopen-year, year-history and board to ``python -m central``."""
    p = sub.add_parser("close-year", help="close a year: allocate its SHU and post it to the ledger")
    p.add_argument("year", type=_year_arg)
    p.add_argument("--by", help="who closes (default: the logged-in user)")
    p.add_argument("--early", action="store_true", help="allow closing before the year's last day")
    p.add_argument("--json", action="store_true", help="print the allocation as JSON")
    p.set_defaults(func=_guard(cmd_close_year))

    p = sub.add_parser("reopen-year", help="reverse a year's close, with the reason kept")
    p.add_argument("year", type=_year_arg)
    p.add_argument("--reason", required=True, help="why the year is reopened (kept in the audit trail)")
    p.add_argument("--by", help="who reopens (default: the logged-in user)")
    p.set_defaults(func=_guard(cmd_reopen_year))

    p = sub.add_parser("year-history", help="a year's closes and reopens: who, when, why")
    p.add_argument("year", type=_year_arg)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_guard(cmd_year_history))

    p = sub.add_parser("board", help="board members' activity (seed 000 merit system)")
    bsub = p.add_subparsers(dest="board_action", metavar="ACTION")
    bsub.required = True
    b = bsub.add_parser("activity", help="record an activity score of a board member")
    b.add_argument("--member", required=True)
    b.add_argument("--score", type=int, required=True, help=f"1..{MAX_ACTIVITY_SCORE}")
    b.add_argument("--on", type=_date_arg, help="day of the activity (default today)")
    b.add_argument("--note", help="what was done")
    b.add_argument("--by", help="who records it")
    b.set_defaults(func=_guard(cmd_board_activity))
    b = bsub.add_parser("list", help="activity score totals per board member")
    b.add_argument("--year", type=_year_arg, required=True)
    b.add_argument("--json", action="store_true")
    b.set_defaults(func=_guard(cmd_board_list))


# ``report points`` and ``report shu``: added to the ledger's ``report`` command (see central/cli.py).
REPORT_HANDLERS: Final = {"points": _guard(cmd_report_points), "shu": _guard(cmd_report_shu)}
