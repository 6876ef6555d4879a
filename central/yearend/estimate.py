"""The running year's estimate for the member summary: everyone's points and SHU so far, cached."""

from __future__ import annotations

import threading
import time
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import (
    func,
    select,
)

from central.ledger import schema
from central.yearend.closing import YearResult, compute_year, open_round
from central.yearend.inputs import ensure_tables, period_inputs, year_bounds
from central.yearend.points import (
    MemberPoints,
    compute_points,
    to_decimal,
)
from central.yearend.policy import point_policy, shu_accounts, shu_policy

if TYPE_CHECKING:
    from central.ledger import Ledger


# The member summary's everyone-wide estimate is recomputed at most this often per ledger, year and day.
ESTIMATE_CACHE_TTL_S: Final = 300
ESTIMATE_CACHE_MAX: Final = 16
_ESTIMATE_CACHE: dict[tuple[str, int, str], tuple[float, YearResult]] = {}
_CACHE_LOCK: Final = threading.Lock()
_REFRESHING: set[tuple[str, int, str]] = set()
MAX_REFRESHING: Final = 2  # background recomputations at once

# -- the member summary's points and SHU (central.books.statement.member_summary calls this) ----------


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
    lo, hi = year_bounds(year)
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
    ensure_tables(ledger)
    j = schema.journal
    with ledger.read() as conn:
        _, current = open_round(conn, year)
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
