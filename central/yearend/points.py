"""Member points (seed 004): the pure rules.

Three sources of points, each a plain function over plain data (no database, clock or network):

* **active** points from a member's transactions, one rule per business unit (and payment method where the
  seed distinguishes them): the period total of the rule's basis divided by the rule's rupiah per point;
* **passive** points from the member's mandatory savings (wajib) balance, by the seed's brackets;
* **average bonus** points from the non-participant units: their period margin converted at a configured
  rate and split equally among the members who earned active points in the period.

Points are exact (``fractions.Fraction``) and accrue on period totals per member and rule, never per
transaction, so many small purchases add up. They are shown with two decimals (``format_points``).

The store aggregates the period (per member and rule, voids and walk-ins already left out) and hands the
totals to ``compute_points``; see ``central/yearend.py``.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Final, NamedTuple

from central.errors import CentralError

# What a rule measures. ``sale``: a unit's sales to the member; ``savings``: deposits to a savings product
# in the period; ``interest``: loan interest the member paid in the period; ``term_deposit``: rupiah held in
# a term deposit times the number of full terms (3 months) held within the period.
SOURCES: Final = ("sale", "savings", "interest", "term_deposit")
# What a sale rule counts: the amount paid, or the gross margin (price minus cost) of the member's purchases.
BASES: Final = ("amount", "margin")
PAYMENTS: Final = ("cash", "credit")

# Bounds on configured data: keeps a typo (an extra zero, a runaway list) from becoming a silent disaster.
MAX_RULES: Final = 64
MAX_BRACKETS: Final = 16
MAX_TIERS: Final = 16
MAX_RP_PER_POINT: Final = 1_000_000_000
# Term deposits: months in one term; a movement list longer than this per member is refused as corrupt input.
TERM_MONTHS_DEFAULT: Final = 3
MAX_TERM_MOVEMENTS: Final = 10_000

TWO_PLACES: Final = Decimal("0.01")
ZERO: Final = Fraction(0)
# Natural sort keys of member numbers are cached (they are computed for every member in every split).
MAX_SORT_KEYS: Final = 1 << 18


class RuleError(CentralError, ValueError):
    """A points or SHU rule that cannot be applied; carries its message in Indonesian and English."""

    def __init__(self, text_id: str, text_en: str) -> None:
        super().__init__(text_en)
        self.text_id = text_id
        self.text_en = text_en

    def message(self, lang: str = "id") -> str:
        return self.text_en if lang == "en" else self.text_id


class BadPointRule(RuleError):
    """A configured point rule, passive bracket or rate is malformed."""


@dataclass(frozen=True)
class PointRule:
    """One active-point rule: ``rp_per_point`` rupiah of ``basis`` earn one point."""

    key: str  # label in reports and JSON: "toko-cash", "cafe", "smsk", "bunga", "berjangka"
    source: str  # one of SOURCES
    unit: str  # business unit (sale), savings product (savings, term_deposit), "simpan-pinjam" (interest)
    rp_per_point: int
    basis: str = "amount"  # one of BASES; only sale rules may use "margin"
    payment: str | None = None  # sale rules: "cash" / "credit", or None for both


@dataclass(frozen=True)
class Tier:
    """A marginal tier: the part of the balance up to ``upto_rp`` (None: no limit) at ``rp_per_point``."""

    upto_rp: int | None
    rp_per_point: int


@dataclass(frozen=True)
class PassiveBracket:
    """Balances up to ``upto_rp`` (None: any larger balance) earn points by these marginal tiers."""

    upto_rp: int | None
    tiers: tuple[Tier, ...]


# Seed 004, as written: a balance up to Rp 400,000 earns W / 10,000; a larger balance earns its first
# Rp 400,000 at 5,000 per point and the rest at 10,000. The examples (300,000 -> 30, 700,000 -> 110,
# 900,000 -> 130) require it, and so it has a cliff: 400,000 -> 40 but 410,000 -> 81. A cooperative that
# wants no cliff configures one bracket with marginal tiers instead (docs/points-and-shu.md).
SEED_PASSIVE: Final = (
    PassiveBracket(400_000, (Tier(None, 10_000),)),
    PassiveBracket(None, (Tier(400_000, 5_000), Tier(None, 10_000))),
)

SEED_RULES: Final = (
    PointRule("toko-cash", "sale", "toko", 1_000, basis="margin", payment="cash"),
    PointRule("toko-credit", "sale", "toko", 2_000, basis="margin", payment="credit"),
    PointRule("fotokopi", "sale", "fotokopi", 4_500),
    PointRule("cafe", "sale", "cafe", 4_000),
    PointRule("kiostel", "sale", "kiostel", 5_000),
    PointRule("smsk", "savings", "smsk", 100_000),
    PointRule("shr", "savings", "shr", 100_000),
    PointRule("bunga", "interest", "simpan-pinjam", 100_000),
    PointRule("berjangka", "term_deposit", "berjangka", 1_000_000),
)


@dataclass(frozen=True)
class PointPolicy:
    """Everything that decides points; the config builds one, the defaults are seed 004's."""

    rules: tuple[PointRule, ...] = SEED_RULES
    passive: tuple[PassiveBracket, ...] = SEED_PASSIVE
    # Non-participant units (no member points of their own): their margin becomes average bonus points.
    non_participant_units: tuple[str, ...] = ("isi-ulang",)
    bonus_basis: str = "margin"
    bonus_rp_per_point: int = 1_000
    term_months: int = TERM_MONTHS_DEFAULT


class MemberTotal(NamedTuple):
    """A member's period total for one source/unit/payment, as the store aggregated it.

    ``amount_rp`` is what was paid (sales), deposited (savings) or paid as interest (loans); ``margin_rp``
    is the gross margin of sales (price minus cost), 0 for other sources. Term deposits come as
    ``TermMovement``s instead, because time held matters. An immutable tuple: a year has about a million
    of them, and a tuple is made several times faster than a frozen dataclass.
    """

    member: str
    source: str
    unit: str
    payment: str | None
    amount_rp: int
    margin_rp: int = 0


@dataclass(frozen=True, slots=True)
class TermMovement:
    """A term-deposit deposit (positive ``amount_rp``) or withdrawal (negative) on a day."""

    on: date
    amount_rp: int


@dataclass(frozen=True, slots=True)
class MemberPoints:
    """A member's points for the period, exact: active per rule as (rule key, basis rupiah, rupiah per
    point) in rule order, passive, bonus, and their sum ``total``. Build with ``MemberPoints.make``."""

    member: str
    earned: tuple[tuple[str, int, int], ...]
    passive: Fraction
    bonus: Fraction
    total: Fraction

    @classmethod
    def make(
        cls,
        member: str,
        earned: tuple[tuple[str, int, int], ...] = (),
        passive: Fraction = ZERO,
        bonus: Fraction = ZERO,
    ) -> MemberPoints:
        return cls(member, earned, passive, bonus, _active_sum(earned) + passive + bonus)

    def with_bonus(self, bonus: Fraction) -> MemberPoints:
        return MemberPoints.make(self.member, self.earned, self.passive, bonus)

    @property
    def active(self) -> tuple[tuple[str, Fraction], ...]:
        """Active points per rule key, in rule order."""
        return tuple((key, Fraction(basis, rate)) for key, basis, rate in self.earned)

    @property
    def active_total(self) -> Fraction:
        return _active_sum(self.earned)


def _active_sum(earned: Sequence[tuple[str, int, int]]) -> Fraction:
    """Sum of basis / rate over the rules, in integers over the rates' common denominator (one Fraction)."""
    if not earned:
        return ZERO
    common = math.lcm(*(rate for _, _, rate in earned))
    return Fraction(sum(basis * (common // rate) for _, basis, rate in earned), common)


@dataclass(frozen=True)
class PointsResult:
    """The period's points for every member, sorted by member number, with the bonus pool it split."""

    members: tuple[MemberPoints, ...]
    bonus_pool: Fraction
    bonus_recipients: int
    rule_keys: tuple[str, ...] = field(default=())

    def by_member(self) -> dict[str, MemberPoints]:
        return {m.member: m for m in self.members}


@functools.lru_cache(maxsize=MAX_SORT_KEYS)
def member_sort_key(number: str) -> tuple[tuple[int, int, str], ...]:
    """Natural order of member numbers: A2 before A10; the tie-break of every allocation."""
    parts = re.findall(r"\d+|\D+", number)
    # The raw text last: numbers that read the same (A0, A00) still have one fixed order.
    return (*((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts), (2, 0, number))


def validate_policy(policy: PointPolicy) -> None:
    """Refuse a policy that cannot be applied, naming the offending rule or tier."""
    if len(policy.rules) > MAX_RULES:
        raise BadPointRule(f"lebih dari {MAX_RULES} aturan poin", f"more than {MAX_RULES} point rules")
    seen: set[str] = set()
    for rule in policy.rules:
        where = f"aturan poin '{rule.key}'"
        where_en = f"point rule '{rule.key}'"
        if not rule.key or rule.key in seen:
            raise BadPointRule(f"{where}: kunci kosong atau ganda", f"{where_en}: empty or duplicate key")
        seen.add(rule.key)
        if rule.source not in SOURCES:
            raise BadPointRule(
                f"{where}: sumber '{rule.source}' tidak dikenal (pilih {', '.join(SOURCES)})",
                f"{where_en}: unknown source '{rule.source}' (choose {', '.join(SOURCES)})",
            )
        if rule.basis not in BASES or (rule.basis == "margin" and rule.source != "sale"):
            raise BadPointRule(
                f"{where}: dasar '{rule.basis}' tidak berlaku (amount, atau margin untuk penjualan)",
                f"{where_en}: basis '{rule.basis}' does not apply (amount, or margin for sales)",
            )
        if rule.payment is not None and (rule.payment not in PAYMENTS or rule.source != "sale"):
            raise BadPointRule(
                f"{where}: cara bayar '{rule.payment}' tidak berlaku (cash/credit, hanya penjualan)",
                f"{where_en}: payment '{rule.payment}' does not apply (cash/credit, sales only)",
            )
        _check_rate(rule.rp_per_point, where, where_en)
    _check_rate(policy.bonus_rp_per_point, "poin bonus rata-rata", "average bonus points")
    if policy.bonus_basis not in BASES:
        raise BadPointRule(
            f"poin bonus rata-rata: dasar '{policy.bonus_basis}' tidak dikenal (amount/margin)",
            f"average bonus points: unknown basis '{policy.bonus_basis}' (amount/margin)",
        )
    if not 1 <= policy.term_months <= 12:
        raise BadPointRule("jangka simpanan berjangka harus 1..12 bulan", "term length must be 1..12 months")
    validate_passive(policy.passive)


def _check_rate(rp_per_point: int, where: str, where_en: str) -> None:
    if (
        isinstance(rp_per_point, bool)
        or not isinstance(rp_per_point, int)
        or not (0 < rp_per_point <= MAX_RP_PER_POINT)
    ):
        raise BadPointRule(
            f"{where}: rupiah per poin harus bilangan bulat 1..{MAX_RP_PER_POINT}, bukan {rp_per_point!r}",
            f"{where_en}: rupiah per point must be whole, 1..{MAX_RP_PER_POINT}, not {rp_per_point!r}",
        )


def validate_passive(brackets: Sequence[PassiveBracket]) -> None:
    """Brackets ascend and end open; tiers inside each bracket ascend and end open."""
    if not brackets or len(brackets) > MAX_BRACKETS:
        raise BadPointRule(
            f"poin pasif: perlu 1..{MAX_BRACKETS} kelompok saldo",
            f"passive points: need 1..{MAX_BRACKETS} brackets",
        )
    _check_ascending_open(
        [b.upto_rp for b in brackets], "kelompok saldo poin pasif", "passive point brackets"
    )
    for bracket in brackets:
        if not bracket.tiers or len(bracket.tiers) > MAX_TIERS:
            raise BadPointRule(
                f"poin pasif: setiap kelompok perlu 1..{MAX_TIERS} tingkat",
                f"passive points: each bracket needs 1..{MAX_TIERS} tiers",
            )
        _check_ascending_open([t.upto_rp for t in bracket.tiers], "tingkat poin pasif", "passive point tiers")
        for tier in bracket.tiers:
            _check_rate(tier.rp_per_point, "tingkat poin pasif", "passive point tier")


def _check_ascending_open(limits: Sequence[int | None], what: str, what_en: str) -> None:
    if limits[-1] is not None:
        raise BadPointRule(
            f"{what}: yang terakhir harus tanpa batas (upto_rp kosong)",
            f"{what_en}: the last one must be open-ended (no upto_rp)",
        )
    closed = limits[:-1]
    if any(x is None or x <= 0 for x in closed) or any(
        a is not None and b is not None and a >= b for a, b in itertools.pairwise(closed)
    ):
        raise BadPointRule(
            f"{what}: batas upto_rp harus positif dan naik",
            f"{what_en}: upto_rp limits must be positive, ascending",
        )


def passive_points(wajib_rp: int, brackets: Sequence[PassiveBracket] = SEED_PASSIVE) -> Fraction:
    """Passive points of a wajib balance: the first bracket that holds it, applied as marginal tiers."""
    if wajib_rp <= 0:
        return Fraction(0)
    bracket = next(b for b in brackets if b.upto_rp is None or wajib_rp <= b.upto_rp)
    common = math.lcm(*(t.rp_per_point for t in bracket.tiers))
    numerator = 0
    lower = 0
    for tier in bracket.tiers:
        upper = wajib_rp if tier.upto_rp is None else min(wajib_rp, tier.upto_rp)
        if upper > lower:
            numerator += (upper - lower) * (common // tier.rp_per_point)
        if tier.upto_rp is None or wajib_rp <= tier.upto_rp:
            break
        lower = tier.upto_rp
    return Fraction(numerator, common)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has at least 28 days")


def full_terms(start: date, end: date, term_months: int = TERM_MONTHS_DEFAULT) -> int:
    """How many whole terms of ``term_months`` fit from ``start`` up to ``end`` (end exclusive)."""
    if end <= start:
        return 0
    terms = 0
    while add_months(start, (terms + 1) * term_months) <= end:
        terms += 1
    return terms


def term_deposit_basis_rp(
    movements: Sequence[TermMovement],
    period_start: date,
    period_end: date,
    term_months: int = TERM_MONTHS_DEFAULT,
) -> int:
    """Rupiah x full terms held within [period_start, period_end) of a member's term deposits.

    Each deposit is a lot held from its day (or the period's start, if earlier); a withdrawal takes from
    the most recent lots first (**Decision**: a long-held deposit keeps its time), and ends their holding
    on its day. Only time inside the period counts, and only whole terms of it.
    """
    if len(movements) > MAX_TERM_MOVEMENTS:
        raise BadPointRule(
            f"lebih dari {MAX_TERM_MOVEMENTS} mutasi simpanan berjangka untuk satu anggota",
            f"more than {MAX_TERM_MOVEMENTS} term-deposit movements for one member",
        )
    lots: list[list[object]] = []  # [start day, amount still held]
    held: list[tuple[date, date, int]] = []  # closed (start, end, amount)
    for move in sorted(movements, key=lambda m: (m.on, -m.amount_rp)):
        if move.on >= period_end:
            break
        if move.amount_rp > 0:
            lots.append([move.on, move.amount_rp])
            continue
        take = -move.amount_rp
        while take > 0 and lots:
            start, amount = lots[-1]
            assert isinstance(start, date) and isinstance(amount, int)
            used = min(take, amount)
            held.append((start, move.on, used))
            take -= used
            if used == amount:
                lots.pop()
            else:
                lots[-1][1] = amount - used
    for start, amount in lots:
        assert isinstance(start, date) and isinstance(amount, int)
        held.append((start, period_end, amount))
    total = 0
    for start, end, amount in held:
        total += amount * full_terms(max(start, period_start), min(end, period_end), term_months)
    return total


def rule_for(total: MemberTotal, rules: Sequence[PointRule]) -> PointRule | None:
    """The first rule that matches a total's source, unit and payment; None: it earns nothing."""
    for rule in rules:
        if (
            rule.source == total.source
            and rule.unit == total.unit
            and (rule.payment is None or rule.payment == total.payment)
        ):
            return rule
    return None


def compute_points(
    policy: PointPolicy,
    totals: Iterable[MemberTotal],
    *,
    wajib_rp: Mapping[str, int],
    term_basis_rp: Mapping[str, int],
    non_participant_amount_rp: int = 0,
    non_participant_margin_rp: int = 0,
) -> PointsResult:
    """Every member's points for a period.

    ``totals``: per member sales, savings and interest totals of the period (walk-ins and voids excluded
    by the store); ``wajib_rp``: wajib balance at the period's end per member; ``term_basis_rp``: per member
    ``term_deposit_basis_rp``; the non-participant units' period amount and margin feed the bonus pool.
    Members appear if they have any points source at all.
    """
    basis_sum: dict[str, dict[str, int]] = {}
    # (source, unit, payment) -> (rule key, counts the margin) or None when no rule matches
    matched: dict[tuple[str, str, str | None], tuple[str, bool] | None] = {}
    for item in totals:
        member, source, unit, payment, amount_rp, margin_rp = item
        where = (source, unit, payment)
        if where in matched:
            found = matched[where]
        else:
            rule = None if source == "term_deposit" else rule_for(item, policy.rules)
            found = matched[where] = None if rule is None else (rule.key, rule.basis == "margin")
        if found is None:
            continue
        key, by_margin = found
        per_rule = basis_sum.get(member)
        if per_rule is None:
            per_rule = basis_sum[member] = {}
        per_rule[key] = per_rule.get(key, 0) + (margin_rp if by_margin else amount_rp)
    term_rule = next((r for r in policy.rules if r.source == "term_deposit"), None)
    if term_rule is not None:
        for member, basis in term_basis_rp.items():
            if basis:
                per_rule = basis_sum.setdefault(member, {})
                per_rule[term_rule.key] = per_rule.get(term_rule.key, 0) + basis

    order = [(r.key, r.rp_per_point) for r in policy.rules]
    earned: dict[str, tuple[tuple[str, int, int], ...]] = {}
    for member, per_rule in basis_sum.items():
        # Negative totals (refunds beyond purchases) earn nothing rather than take points away.
        earned[member] = tuple([(k, per_rule[k], rate) for k, rate in order if per_rule.get(k, 0) > 0])

    earners = {m for m, pts in earned.items() if pts}
    bonus_basis = non_participant_margin_rp if policy.bonus_basis == "margin" else non_participant_amount_rp
    bonus_pool = Fraction(max(bonus_basis, 0), policy.bonus_rp_per_point)
    bonus_each = bonus_pool / len(earners) if earners else ZERO

    # In the order the totals came (the store's is member order already): sorting that is one pass.
    everyone = dict.fromkeys(earned)
    everyone.update((m, None) for m, w in wajib_rp.items() if w > 0 and m not in everyone)
    # Each member's total in integers over one common denominator (the rule rates' lcm times the passive
    # and bonus denominators), made a Fraction once: the same exact value as adding the parts as Fractions.
    common = math.lcm(*(rate for _, rate in order)) if order else 1
    passive_of: dict[int, Fraction] = {}  # balances repeat (whole ten thousands): each is computed once
    members_list = []
    for m in sorted(everyone, key=member_sort_key):
        wajib = wajib_rp.get(m, 0)
        passive = passive_of.get(wajib)
        if passive is None:
            passive = passive_of[wajib] = passive_points(wajib, policy.passive)
        mine = earned.get(m, ())
        bonus = bonus_each if m in earners else ZERO
        active = sum([basis * (common // rate) for _, basis, rate in mine])
        p_num, p_den = passive.numerator, passive.denominator
        b_num, b_den = bonus.numerator, bonus.denominator
        total = Fraction(
            (active * p_den + p_num * common) * b_den + b_num * common * p_den, common * p_den * b_den
        )
        members_list.append(MemberPoints(m, mine, passive, bonus, total))
    members = tuple(members_list)
    return PointsResult(
        members=members,
        bonus_pool=bonus_pool,  # split among bonus_recipients; nothing is handed out when there are none
        bonus_recipients=len(earners),
        rule_keys=tuple(k for k, _ in order),
    )


@dataclass(frozen=True, slots=True)
class RulePoints:
    """What one rule earned a member: the rule, the rupiah of its basis it counted, and the points."""

    rule: PointRule
    basis_rp: int
    points: Fraction


def by_rule(policy: PointPolicy, mp: MemberPoints) -> tuple[RulePoints, ...]:
    """A member's active points per rule, in rule order, from what ``compute_points`` recorded in
    ``mp.earned`` (no second computation): their points plus ``mp.passive`` and ``mp.bonus`` are
    ``mp.total``. A rule no longer in ``policy`` is shown as a sale rule of its key."""
    rules = {rule.key: rule for rule in policy.rules}
    return tuple(
        RulePoints(rules.get(key) or PointRule(key, "sale", key, rate), basis, Fraction(basis, rate))
        for key, basis, rate in mp.earned
    )


def to_decimal(points: Fraction) -> Decimal:
    """Points rounded half-up to two decimals, for display only (computation stays exact)."""
    # Integer arithmetic: exact at any size, half away from zero.
    sign = -1 if points < 0 else 1
    n, d = abs(points.numerator), points.denominator
    hundredths = (n * 200 + d) // (2 * d)
    return Decimal(sign * hundredths).scaleb(-2).quantize(TWO_PLACES)


def format_points(points: Fraction) -> str:
    """Two-decimal text of exact points: Fraction(81, 2) -> '40.50'."""
    return str(to_decimal(points))


def points_record(mp: MemberPoints) -> dict[str, object]:
    """The JSON shape of one member's points: decimal strings with two decimals, rupiah stay integers."""
    return {
        "member": mp.member,
        "active": {k: format_points(p) for k, p in mp.active},
        "passive": format_points(mp.passive),
        "bonus": format_points(mp.bonus),
        "total": format_points(mp.total),
    }
