"""The branches compared for a month (perbandingan cabang): per branch and for the cooperative as a whole,
sales, cost of goods and gross margin, shrinkage, the daily deposits' differences, and how many devices
there are and how many are offline.

Each figure is summed in SQL per recording device and then added up per branch through
``central.branches.scope``, so the consolidated row is exactly the sum of the branch rows:

- sales: standing (not voided) sales of the month, ``total_rp``; cost of goods: their ``cost_rp``;
- shrinkage: net value of the stock counts approved in the month (loss less surplus); a count belongs to
  the branch of the devices that sent its lines (the lowest device id when devices of several branches
  counted), a count typed only at the office belongs to the office;
- hand-ins: what the devices expected and what was handed in (received once confirmed, counted before);
- devices: unrevoked devices other than the office; offline when silent for longer than
  ``central.books.board.SILENT_AFTER_S`` (the board's rule).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, fields
from datetime import date
from typing import TYPE_CHECKING, Final

from sqlalchemy import Connection, func, select

from central.books import board
from central.branches.scope import OFFICE_BRANCH, Branches, in_branch, load
from central.handins.store import ensure_tables as ensure_handin_tables
from central.handins.store import handin_receipts
from central.ledger import schema
from central.stock.branch import count_device
from central.stock.tables import ensure_tables as ensure_stock_tables
from central.stock.tables import stock_counts

if TYPE_CHECKING:
    from central.ledger import Ledger

TOTAL: Final = "*"  # the consolidated row's branch key
COLUMNS: Final = (
    "branch",
    "sales_rp",
    "cost_rp",
    "margin_rp",
    "shrinkage_rp",
    "handin_expected_rp",
    "handin_received_rp",
    "handin_difference_rp",
    "devices",
    "offline",
)


@dataclass(frozen=True)
class Row:
    """One branch's month (or, with ``branch == TOTAL``, the cooperative's)."""

    branch: str
    sales_rp: int = 0
    cost_rp: int = 0
    shrinkage_rp: int = 0  # net loss at cost: above 0 stock went missing
    handin_expected_rp: int = 0
    handin_received_rp: int = 0
    devices: int = 0
    offline: int = 0

    @property
    def margin_rp(self) -> int:
        return self.sales_rp - self.cost_rp

    @property
    def handin_difference_rp(self) -> int:
        """Handed in less expected: below 0 short."""
        return self.handin_received_rp - self.handin_expected_rp

    def values(self) -> tuple[object, ...]:
        return tuple(getattr(self, c) for c in COLUMNS)


@dataclass(frozen=True)
class Comparison:
    """The month's rows per branch and the consolidated total."""

    month: str  # YYYY-MM
    rows: tuple[Row, ...]
    total: Row


def month_bounds(month: str) -> tuple[str, str]:
    """The first and last day (YYYY-MM-DD) of ``month`` (YYYY-MM); ValueError when it is not one."""
    first = date.fromisoformat(f"{month}-01")
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first.isoformat(), date.fromordinal(nxt.toordinal() - 1).isoformat()


def add(branch: str, rows: list[Row]) -> Row:
    """The sum of ``rows`` as one row named ``branch`` (pure: the consolidation law)."""
    sums = {f.name: sum(getattr(r, f.name) for r in rows) for f in fields(Row) if f.name != "branch"}
    return Row(branch, **sums)


def _sales(conn: Connection, lo: str, hi: str) -> dict[str, tuple[int, int]]:
    t = schema.transactions
    voids = t.alias("voids")
    voided = select(voids.c.id).where(voids.c.kind == "void", voids.c.ref == t.c.id).exists()
    query = (
        select(t.c.device, func.sum(t.c.total_rp), func.sum(func.coalesce(t.c.cost_rp, 0)))
        .where(t.c.kind == "sale", t.c.day >= lo, t.c.day <= hi, ~voided)
        .group_by(t.c.device)
    )
    return {str(d): (int(s or 0), int(c or 0)) for d, s, c in conn.execute(query)}


def _shrinkage(conn: Connection, lo: str, hi: str) -> dict[str | None, int]:
    c = stock_counts
    device = count_device(c.c.id)
    query = (
        select(device, func.sum(func.coalesce(c.c.loss_rp, 0) - func.coalesce(c.c.surplus_rp, 0)))
        .where(c.c.state == "approved", c.c.posted_day >= lo, c.c.posted_day <= hi)
        .group_by(device)
    )
    return {d: int(v or 0) for d, v in conn.execute(query)}


def _handins(conn: Connection, lo: str, hi: str) -> dict[str, tuple[int, int]]:
    """Per device, (expected, handed in) of the month's hand-ins. The figures sit in the envelope body, so
    each hand-in (a few per device and day) is read once; the sums are per device."""
    t, r = schema.transactions, handin_receipts
    query = (
        select(t.c.device, t.c.body, r.c.received_rp)
        .select_from(t.outerjoin(r, r.c.tx == t.c.id))
        .where(t.c.kind == "handin", t.c.day >= lo, t.c.day <= hi)
    )
    out: dict[str, tuple[int, int]] = {}
    for device, body, received in conn.execute(query):
        env = json.loads(body)
        handed = int(env["counted_rp"]) if received is None else int(received)
        expected, got = out.get(str(device), (0, 0))
        out[str(device)] = (expected + int(env["expected_rp"]), got + handed)
    return out


def compare(ledger: Ledger, month: str, now_ts: int, branches: Branches | None = None) -> Comparison:
    """The comparison of ``month`` (YYYY-MM); devices offline as of ``now_ts``."""
    lo, hi = month_bounds(month)
    known = branches or load(ledger)
    ensure_stock_tables(ledger)
    ensure_handin_tables(ledger)
    with ledger.read() as conn:
        sales = _sales(conn, lo, hi)
        shrink = _shrinkage(conn, lo, hi)
        handed = _handins(conn, lo, hi)
    fleet = [d for d in board.fleet(ledger) if d.device != known.office and d.revoked_ts is None]
    per: dict[str, dict[str, int]] = {}

    def bump(branch: str, **values: int) -> None:
        slot = per.setdefault(branch, {})
        for key, value in values.items():
            slot[key] = slot.get(key, 0) + value

    for device, (s, c) in sales.items():
        bump(known.of(device), sales_rp=s, cost_rp=c)
    for maybe, value in shrink.items():
        bump(known.of(maybe) if maybe is not None else OFFICE_BRANCH, shrinkage_rp=value)
    for device, (e, h) in handed.items():
        bump(known.of(device), handin_expected_rp=e, handin_received_rp=h)
    for d in fleet:
        bump(known.of(d.device), devices=1, offline=int(d.silent(now_ts)))
    names = list(known.names()) + sorted(set(per) - set(known.names()))
    rows = [Row(name, **per.get(name, {})) for name in names]
    return Comparison(month, tuple(rows), add(TOTAL, rows))


UNIT_COLUMNS: Final = ("unit", "sales_rp", "cost_rp", "margin_rp")


def units(
    ledger: Ledger, month: str, branch: str | None = None, branches: Branches | None = None
) -> tuple[tuple[str, int, int, int], ...]:
    """Sales, cost of goods and gross margin per unit in ``month``, of ``branch``'s devices (None: every
    branch, consolidated), by unit: one ``GROUP BY`` with the branch's devices in the ``WHERE``."""
    lo, hi = month_bounds(month)
    t = schema.transactions
    voids = t.alias("voids")
    voided = select(voids.c.id).where(voids.c.kind == "void", voids.c.ref == t.c.id).exists()
    query = (
        select(t.c.unit, func.sum(t.c.total_rp), func.sum(func.coalesce(t.c.cost_rp, 0)))
        .where(
            t.c.kind == "sale",
            t.c.day >= lo,
            t.c.day <= hi,
            ~voided,
            in_branch(t.c.device, branches or load(ledger), branch),
        )
        .group_by(t.c.unit)
        .order_by(t.c.unit)
    )
    with ledger.read() as conn:
        found = conn.execute(query).all()
    return tuple((str(u), int(s or 0), int(c or 0), int(s or 0) - int(c or 0)) for u, s, c in found)


def render_csv(comparison: Comparison) -> str:
    """The comparison as CSV: one line per branch and a last line for the total (branch ``*``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in (*comparison.rows, comparison.total):
        writer.writerow(row.values())
    return out.getvalue()
