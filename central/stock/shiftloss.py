"""Shrinkage per clerk shift: each approved count line's difference shared over the clerks' shifts of its
unit while the item could have gone missing (docs/stock.md, "Shrinkage report").

A line's **window** runs from the item's previous count in the unit (its last approved count line counted
before), or else from its first purchase into the unit, to the moment it was counted: what is missing went
missing then. The clerks' **shifts** are the hand-ins the devices record at shift close (``handin``
envelopes: clerk, device, from, to). The line's value is shared over the shifts in proportion to the
seconds each was open within the window; the seconds of the window that no recorded shift covers go to
"no shift recorded" (a row with clerk ``-``). So when counts are taken at each shift change (count mode
on the kiosk makes that a few minutes' work) the window is one shift and the loss is exactly that
shift's; between counts further apart it is a time-proportional share. Shares are whole rupiah and add up
to the line's value exactly (largest remainder).

``split`` is the pure rule; ``rows`` reads the ledger.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func, select

from central.ledger import Ledger, schema
from central.stock import rules
from central.stock.tables import stock_count_lines, stock_counts

SHIFT_COLUMNS: Final = (
    "unit",
    "clerk",
    "device",
    "shift",
    "sales_rp",
    "loss_rp",
    "surplus_rp",
    "net_rp",
    "pct_sales",
)
NO_SHIFT: Final = None


@dataclass(frozen=True)
class Shift:
    """A clerk's shift as its hand-in recorded it: ``start_ts`` to ``end_ts`` at ``device`` in ``unit``."""

    unit: str
    clerk: str
    device: str
    start_ts: int
    end_ts: int
    start: str
    end: str

    def shown(self) -> str:
        """``2026-03-05 07:00-12:00`` (the end's day too when the shift ends on another day), local time."""
        start, end = self.start[:16].replace("T", " "), self.end[:16].replace("T", " ")
        return f"{start}-{end[11:] if end[:10] == start[:10] else end}"


def _covered(spans: Iterable[tuple[int, int]]) -> int:
    """Seconds covered by the union of ``spans``."""
    total, reach = 0, None
    for a, b in sorted(spans):
        if reach is None or a > reach:
            total += b - a
            reach = b
        elif b > reach:
            total += b - reach
            reach = b
    return total


def split(
    value_rp: int, window: tuple[int, int], shifts: Sequence[tuple[Hashable, int, int]]
) -> dict[Hashable, int]:
    """Share ``value_rp`` (signed) over ``shifts`` ((key, start_ts, end_ts)) by the seconds each overlaps the
    window (start, end]; the uncovered seconds go to ``NO_SHIFT``. The shares add up to ``value_rp``."""
    start, end = window
    if end <= start or value_rp == 0:
        return {NO_SHIFT: value_rp} if value_rp else {}
    weights: dict[Hashable, int] = {}
    spans = []
    for key, a, b in shifts:
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            weights[key] = weights.get(key, 0) + (hi - lo)
            spans.append((lo, hi))
    uncovered = (end - start) - _covered(spans)
    if uncovered > 0:
        weights[NO_SHIFT] = weights.get(NO_SHIFT, 0) + uncovered
    total = sum(weights.values())
    size, sign = abs(value_rp), (1 if value_rp > 0 else -1)
    shares = {key: size * w // total for key, w in weights.items()}
    left = size - sum(shares.values())
    by_remainder = sorted(weights, key=lambda k: (-(size * weights[k] % total), str(k)))
    for key in by_remainder[:left]:
        shares[key] += 1
    return {key: sign * share for key, share in shares.items() if share}


def _ts(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def _shifts(ledger: Ledger, units: set[str], until_ts: int) -> list[Shift]:
    t = schema.transactions
    found = []
    with ledger.read() as conn:
        for device, unit, body in conn.execute(
            select(t.c.device, t.c.unit, t.c.body).where(
                t.c.kind == "handin", t.c.unit.in_(sorted(units)), t.c.ts <= until_ts + 86_400
            )
        ):
            env = json.loads(body)
            found.append(
                Shift(
                    str(unit),
                    str(env["clerk"]),
                    str(device),
                    _ts(env["from"]),
                    _ts(env["to"]),
                    env["from"],
                    env["to"],
                )
            )
    return sorted(found, key=lambda s: (s.unit, s.start_ts, s.device, s.clerk))


def _sales_rp(ledger: Ledger, shift: Shift) -> int:
    t = schema.transactions
    voided = select(t.c.ref).where(t.c.kind == "void", t.c.ref.is_not(None))
    with ledger.read() as conn:
        found = conn.execute(
            select(func.sum(t.c.total_rp)).where(
                t.c.kind == "sale",
                t.c.device == shift.device,
                t.c.clerk == shift.clerk,
                t.c.ts >= shift.start_ts,
                t.c.ts <= shift.end_ts,
                t.c.id.not_in(voided),
            )
        ).scalar()
    return int(found or 0)


def rows(ledger: Ledger, start: str, end: str, unit: str | None = None) -> tuple[tuple[object, ...], ...]:
    """Per clerk shift (and per unit, the share no recorded shift covers): the shift's sales, the loss and
    surplus shared to it from the counts approved with ``posted_day`` from ``start`` to ``end``, net, and
    the net loss as a percent of the shift's sales; largest loss first."""
    c, line, t, sl = stock_counts, stock_count_lines, schema.transactions, schema.sale_lines
    where = [c.c.state == "approved", c.c.posted_day >= start, c.c.posted_day <= end, line.c.value_rp != 0]
    if unit is not None:
        where.append(c.c.unit == unit)
    with ledger.read() as conn:
        lines = conn.execute(
            select(line.c.unit, line.c.sku, line.c.counted_ts, line.c.value_rp)
            .select_from(line.join(c, c.c.id == line.c.count))
            .where(*where)
        ).all()
        if not lines:
            return ()
        units = {str(r[0]) for r in lines}
        skus = sorted({str(r[1]) for r in lines})
        counted: dict[tuple[str, str], list[int]] = {}
        for u, sku, ts in conn.execute(
            select(line.c.unit, line.c.sku, line.c.counted_ts).where(
                line.c.state == "approved", line.c.unit.in_(sorted(units)), line.c.sku.in_(skus)
            )
        ):
            counted.setdefault((str(u), str(sku)), []).append(int(ts))
        first_bought = {
            (str(r[0]), str(r[1])): int(r[2])
            for r in conn.execute(
                select(t.c.unit, sl.c.sku, func.min(t.c.ts))
                .select_from(sl.join(t, t.c.id == sl.c.tx))
                .where(t.c.kind == "purchase", t.c.unit.in_(sorted(units)), sl.c.sku.in_(skus))
                .group_by(t.c.unit, sl.c.sku)
            )
        }
    shifts = _shifts(ledger, units, max(int(r[2]) for r in lines))
    loss: dict[tuple[str, Shift | None], int] = {}
    surplus: dict[tuple[str, Shift | None], int] = {}
    for u, sku, ts, value in lines:
        key = (str(u), str(sku))
        before = [x for x in counted.get(key, ()) if x < int(ts)]
        since = max(before) if before else first_bought.get(key, int(ts))
        mine = [(s, s.start_ts, s.end_ts) for s in shifts if s.unit == u]
        for shift, share in split(int(value), (since, int(ts)), mine).items():
            target = loss if share < 0 else surplus
            slot = (str(u), shift if isinstance(shift, Shift) else None)
            target[slot] = target.get(slot, 0) + abs(share)
    out = []
    for slot in set(loss) | set(surplus):
        u, shift = slot
        lost, found = loss.get(slot, 0), surplus.get(slot, 0)
        sales = _sales_rp(ledger, shift) if shift is not None else 0
        out.append(
            (
                u,
                shift.clerk if shift else "-",
                shift.device if shift else "-",
                shift.shown() if shift else "-",
                sales,
                lost,
                found,
                found - lost,
                rules.pct(lost - found, sales),
            )
        )
    return tuple(sorted(out, key=lambda r: (r[7], r[0], r[3], r[1])))
