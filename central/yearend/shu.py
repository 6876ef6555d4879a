"""SHU (Sisa Hasil Usaha) allocation: the pure rules.

The year's SHU is split into the AD/ART funds by their percentages (reserve, members' share, board,
employees, education, social, regional development); the members' share is then divided among members by
their points (seed 004) or by the classic formula (jasa modal by pokok + wajib savings, jasa usaha by
transactions); the board fund may be divided among board members by recorded activity (seed 000).

Every split is a largest-remainder allocation over exact rationals: each share is floored, and the
rupiah left over go one each to the largest fractional remainders, ties to the earlier entry (member
number order for members, config order for funds). So the amounts add up exactly to the pool, nobody gets
a negative share, scaling every weight changes nothing, more weight never gets less, and the same inputs
always give the same output.

The SHU earned on non-members (walk-in sales of participant units) never reaches the members' pool: it is
set aside first and goes to the reserve (``ShuPolicy.non_member_fund``); the AD/ART percentages apply to
the rest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Final

from central.yearend.points import RuleError, member_sort_key

METHODS: Final = ("points", "classic")
HUNDRED: Final = Fraction(100)
MAX_FUNDS: Final = 32
# The board's reward may not exceed this share of the SHU (seed 003's AD/ART: "tak lebih dari 5 persen").
BOARD_MAX_PERCENT_DEFAULT: Final = Fraction(5)


class PercentError(RuleError):
    """The AD/ART percentages are malformed or do not add up to 100."""


class UnknownFund(RuleError):
    """The policy names a fund (members', board, reserve) that is not among its funds."""


class NoSurplus(RuleError):
    """The year closed with a loss: there is no SHU to allocate."""


class NothingToSplit(RuleError):
    """A pool has rupiah but nobody has any weight (points, savings, activity) to split it by."""


class BadWeight(RuleError):
    """A weight is negative, or a pool is negative."""


@dataclass(frozen=True)
class Fund:
    """One AD/ART fund: its key (``cadangan``, ``anggota``, ...), name and percent of the SHU."""

    key: str
    name: str
    percent: Fraction


DEFAULT_FUNDS: Final = (
    Fund("cadangan", "Cadangan", Fraction(40)),
    Fund("anggota", "Jasa anggota", Fraction(40)),
    Fund("pengurus", "Dana pengurus", Fraction(5)),
    Fund("karyawan", "Dana karyawan", Fraction(5)),
    Fund("pendidikan", "Dana pendidikan", Fraction(5)),
    Fund("sosial", "Dana sosial", Fraction(3)),
    Fund("pembangunan", "Dana pembangunan daerah kerja", Fraction(2)),
)


@dataclass(frozen=True)
class ShuPolicy:
    """How the SHU is allocated; the config builds one."""

    funds: tuple[Fund, ...] = DEFAULT_FUNDS
    members_fund: str = "anggota"
    board_fund: str = "pengurus"
    reserve_fund: str = "cadangan"
    non_member_fund: str = "cadangan"
    method: str = "points"
    # Classic formula: the members' share is split into jasa modal and jasa usaha by these two percentages
    # (of the members' share; they add up to 100).
    modal_percent: Fraction = Fraction(40)
    usaha_percent: Fraction = Fraction(60)
    board_max_percent: Fraction = BOARD_MAX_PERCENT_DEFAULT
    board_by_activity: bool = False


@dataclass(frozen=True, slots=True)
class FundAmount:
    key: str
    name: str
    percent: Fraction
    amount_rp: int


@dataclass(frozen=True, slots=True)
class MemberShare:
    """A member's SHU: total, and (classic formula) its jasa modal and jasa usaha parts."""

    member: str
    points: Fraction
    shu_rp: int
    modal_rp: int = 0
    usaha_rp: int = 0


@dataclass(frozen=True, slots=True)
class BoardShare:
    member: str
    score: int
    amount_rp: int


@dataclass(frozen=True)
class Allocation:
    """The whole year's allocation: funds, members' shares, and board shares when split by activity."""

    shu_rp: int
    non_member_rp: int
    method: str
    funds: tuple[FundAmount, ...]
    members: tuple[MemberShare, ...]
    board: tuple[BoardShare, ...] = ()

    def fund(self, key: str) -> int:
        return next(f.amount_rp for f in self.funds if f.key == key)

    @property
    def members_total_rp(self) -> int:
        return sum(m.shu_rp for m in self.members)


def parse_percent(value: object, where: str) -> Fraction:
    """A configured percent (int, decimal text, or a TOML float like 2.5) as an exact fraction."""
    if isinstance(value, bool):
        value = None
    try:
        if isinstance(value, int):
            result = Fraction(value)
        elif isinstance(value, float | str):
            # str() of a TOML float is its shortest decimal text: 2.5 stays exactly 5/2.
            result = Fraction(Decimal(str(value)))
        else:
            raise TypeError(value)
    except (InvalidOperation, TypeError, ValueError) as err:
        raise PercentError(
            f"{where}: persen harus angka, bukan {value!r}",
            f"{where}: percent must be a number, not {value!r}",
        ) from err
    if not 0 <= result <= HUNDRED:
        raise PercentError(f"{where}: persen harus 0..100, bukan {value}", f"{where}: percent must be 0..100")
    return result


def validate_policy(policy: ShuPolicy) -> None:
    """Refuse an allocation that cannot be made, naming the fund or the sum at fault."""
    if not policy.funds or len(policy.funds) > MAX_FUNDS:
        raise PercentError(f"SHU: perlu 1..{MAX_FUNDS} pos pembagian", f"SHU: need 1..{MAX_FUNDS} funds")
    keys = [f.key for f in policy.funds]
    if len(set(keys)) != len(keys):
        raise PercentError("SHU: ada kunci pos ganda", "SHU: duplicate fund keys")
    for fund in policy.funds:
        if not 0 <= fund.percent <= HUNDRED:
            raise PercentError(
                f"SHU: persen pos '{fund.key}' harus 0..100",
                f"SHU: percent of fund '{fund.key}' must be 0..100",
            )
    total = sum((f.percent for f in policy.funds), Fraction(0))
    if total != HUNDRED:
        shown = _percent_text(total)
        raise PercentError(
            f"SHU: persentase AD/ART berjumlah {shown}%, harus tepat 100%; "
            "perbaiki bagian [shu] di konfigurasi",
            f"SHU: the AD/ART percentages add up to {shown}%, they must be exactly 100%; "
            "fix the [shu] section of the config",
        )
    for role, key in (
        ("anggota", policy.members_fund),
        ("pengurus", policy.board_fund),
        ("cadangan", policy.reserve_fund),
        ("non-anggota", policy.non_member_fund),
    ):
        if key not in keys:
            raise UnknownFund(
                f"SHU: pos '{key}' ({role}) tidak ada di antara pos {', '.join(keys)}",
                f"SHU: fund '{key}' ({role}) is not among the funds {', '.join(keys)}",
            )
    board = next(f for f in policy.funds if f.key == policy.board_fund)
    if board.percent > policy.board_max_percent:
        raise PercentError(
            f"SHU: dana pengurus {_percent_text(board.percent)}% melebihi batas AD/ART "
            f"{_percent_text(policy.board_max_percent)}%",
            f"SHU: the board fund {_percent_text(board.percent)}% exceeds the AD/ART limit "
            f"{_percent_text(policy.board_max_percent)}%",
        )
    if policy.method not in METHODS:
        raise PercentError(
            f"SHU: metode '{policy.method}' tidak dikenal (points atau classic)",
            f"SHU: unknown method '{policy.method}' (points or classic)",
        )
    if policy.method == "classic" and policy.modal_percent + policy.usaha_percent != HUNDRED:
        raise PercentError(
            "SHU: jasa modal + jasa usaha harus 100% dari bagian anggota",
            "SHU: jasa modal + jasa usaha must be 100% of the members' share",
        )


def _percent_text(value: Fraction) -> str:
    text = f"{Decimal(value.numerator) / Decimal(value.denominator):.4f}".rstrip("0").rstrip(".")
    return text or "0"


def largest_remainder(pool_rp: int, weights: Sequence[tuple[str, Fraction]]) -> tuple[tuple[str, int], ...]:
    """Split ``pool_rp`` in proportion to ``weights``; the result sums exactly to the pool.

    Ties of the fractional remainder go to the entry listed first, so callers list members in member
    number order. A zero pool gives zeros; a positive pool with no weight at all cannot be split.
    """
    if isinstance(pool_rp, bool) or not isinstance(pool_rp, int) or pool_rp < 0:
        raise BadWeight(
            f"pool harus rupiah bulat >= 0, bukan {pool_rp!r}",
            f"pool must be whole rupiah >= 0, not {pool_rp!r}",
        )
    fractions = [w if isinstance(w, Fraction) else Fraction(w) for _, w in weights]
    if any(f.numerator < 0 for f in fractions):  # a Fraction's denominator is always positive
        raise BadWeight("bobot tidak boleh negatif", "weights must not be negative")
    if pool_rp == 0:
        return tuple((k, 0) for k, _ in weights)
    # Exact and fast: scale every weight to an integer over the common denominator; share i is then
    # pool * w_i / W, its floor and remainder plain integer divmod (the same as rational arithmetic).
    common = math.lcm(*(f.denominator for f in fractions)) if fractions else 1
    scaled = [f.numerator * (common // f.denominator) for f in fractions]
    total = sum(scaled)
    if total == 0:
        raise NothingToSplit(
            f"Rp {pool_rp} tidak dapat dibagi: tidak ada yang punya bobot (poin, simpanan atau skor)",
            f"Rp {pool_rp} cannot be divided: nobody has any weight (points, savings or score)",
        )
    floors: list[int] = []
    remainders: list[int] = []
    for weight in scaled:
        whole, rest = divmod(weight * pool_rp, total)
        floors.append(whole)
        remainders.append(rest)
    left = pool_rp - sum(floors)
    assert 0 <= left < max(len(weights), 1), "floors never exceed the pool, nor leave a rupiah per entry"
    # The largest remainders, ties to the earlier entry: a stable sort keeps equal ones in list order.
    for index in sorted(range(len(scaled)), key=remainders.__getitem__, reverse=True)[:left]:
        floors[index] += 1
    result = tuple((k, floors[i]) for i, (k, _) in enumerate(weights))
    assert sum(a for _, a in result) == pool_rp
    return result


def split_members(pool_rp: int, weights: Mapping[str, Fraction]) -> dict[str, int]:
    """Largest remainder over members, ties broken by member number (natural order)."""
    ordered = [(m, weights[m]) for m in sorted(weights, key=member_sort_key)]
    return dict(largest_remainder(pool_rp, ordered))


def non_member_surplus_rp(shu_rp: int, member_gross_rp: int, non_member_gross_rp: int) -> int:
    """The part of the SHU earned on non-members: SHU x their share of the gross margin, floored.

    Clipped to 0..SHU; no SHU (or no margin) gives 0.
    """
    gross = member_gross_rp + non_member_gross_rp
    if shu_rp <= 0 or gross <= 0 or non_member_gross_rp <= 0:
        return 0
    return min(shu_rp, shu_rp * non_member_gross_rp // gross)


def allocate(
    shu_rp: int,
    policy: ShuPolicy,
    *,
    points: Mapping[str, Fraction],
    non_member_rp: int = 0,
    capital_rp: Mapping[str, int] | None = None,
    business_rp: Mapping[str, int] | None = None,
    board_scores: Mapping[str, int] | None = None,
) -> Allocation:
    """Allocate a year's SHU.

    ``points``: each member's total points (the weights of the points method, and shown beside every
    share); ``non_member_rp``: the part earned on non-members (``non_member_surplus_rp``); ``capital_rp``
    and ``business_rp``: pokok + wajib balances and transaction totals per member (classic method);
    ``board_scores``: recorded activity per board member (used when ``board_by_activity``).
    """
    validate_policy(policy)
    if shu_rp < 0:
        raise NoSurplus(
            f"SHU negatif (rugi Rp {-shu_rp}): tidak ada yang dibagi; "
            "penutupan kerugian diputuskan Rapat Anggota",
            f"negative SHU (a loss of Rp {-shu_rp}): nothing to allocate; "
            "the members' meeting decides how to cover the loss",
        )
    if not 0 <= non_member_rp <= shu_rp:
        raise BadWeight("bagian non-anggota harus 0..SHU", "the non-member part must be 0..SHU")
    member_based = shu_rp - non_member_rp
    fund_split = dict(largest_remainder(member_based, [(f.key, f.percent) for f in policy.funds]))
    fund_split[policy.non_member_fund] += non_member_rp
    funds = tuple(FundAmount(f.key, f.name, f.percent, fund_split[f.key]) for f in policy.funds)
    pool = fund_split[policy.members_fund]

    # Callers list members in member order already: sorting keeps it, and costs one pass over them.
    named = dict.fromkeys(points)
    for extra in (capital_rp or {}, business_rp or {}):
        named.update((m, None) for m in extra if m not in named)
    everyone = sorted(named, key=member_sort_key)
    if policy.method == "points":
        by_points = split_members(pool, {m: points.get(m, Fraction(0)) for m in everyone})
        members = tuple(MemberShare(m, points.get(m, Fraction(0)), by_points[m]) for m in everyone)
    else:
        modal_pool, usaha_pool = (
            a
            for _, a in largest_remainder(
                pool, [("modal", policy.modal_percent), ("usaha", policy.usaha_percent)]
            )
        )
        capital = {m: Fraction(max((capital_rp or {}).get(m, 0), 0)) for m in everyone}
        business = {m: Fraction(max((business_rp or {}).get(m, 0), 0)) for m in everyone}
        modal = split_members(modal_pool, capital)
        usaha = split_members(usaha_pool, business)
        members = tuple(
            MemberShare(m, points.get(m, Fraction(0)), modal[m] + usaha[m], modal[m], usaha[m])
            for m in everyone
        )

    board: tuple[BoardShare, ...] = ()
    if policy.board_by_activity and board_scores:
        scores = {m: Fraction(max(s, 0)) for m, s in board_scores.items()}
        if sum(scores.values()) > 0:
            split = split_members(fund_split[policy.board_fund], scores)
            board = tuple(
                BoardShare(m, board_scores[m], split[m]) for m in sorted(board_scores, key=member_sort_key)
            )
    allocation = Allocation(shu_rp, non_member_rp, policy.method, funds, members, board)
    assert sum(f.amount_rp for f in funds) == shu_rp
    assert allocation.members_total_rp == pool
    return allocation
