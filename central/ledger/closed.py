"""Closed years in the ledger: which years are closed, and where a transaction dated in one is posted.

A closed year stays closed (docs/points-and-shu.md, "A closed year stays closed"). The year-end close and
reopen (``central.yearend.closing``) keep the closed years in ``meta`` (key ``CLOSED_KEY``, a JSON list),
so ingest reads them with one primary-key lookup per chunk and never imports the year-end package.

* An office entry dated in a closed year is refused before it is signed (``central.office.record``).
* A device's transaction dated in a closed year that arrives late (an outpost offline over New Year) is
  never refused for it: ingest posts it on the first day of the open period (``posting_day``), its own
  time kept in ``at`` and ``ts``, its journal memos marked with its own date (``late_memo``). Its day, and
  with it the points, the income statement and the balance sheet, are the open year's; the closed year's
  statements stay what they were at the close. ``late`` lists them for the manager.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Connection, select

from central.ledger import schema

if TYPE_CHECKING:
    from central.ledger.store import Ledger

CLOSED_KEY: Final = "closed_years"
MEMO_CHARS: Final = 80
LATE_MARK: Final = " (tgl {day})"  # the memo's end on a late posting: the transaction's own date


def read_closed(conn: Connection) -> frozenset[int]:
    """The closed years kept in ``meta`` (none before the first close)."""
    m = schema.meta
    value = conn.execute(select(m.c.value).where(m.c.key == CLOSED_KEY)).scalar_one_or_none()
    return frozenset(int(y) for y in json.loads(value)) if value else frozenset()


def write_closed(conn: Connection, years: Iterable[int]) -> None:
    """Keep ``years`` as the closed years (inside the caller's write transaction)."""
    m = schema.meta
    value = json.dumps(sorted({int(y) for y in years}))
    if conn.execute(select(m.c.key).where(m.c.key == CLOSED_KEY)).first() is None:
        conn.execute(m.insert().values(key=CLOSED_KEY, value=value))
    else:
        conn.execute(m.update().where(m.c.key == CLOSED_KEY).values(value=value))


def closed_years(ledger: Ledger) -> frozenset[int]:
    """The closed years of ``ledger``."""
    with ledger.read() as conn:
        return read_closed(conn)


def posting_day(day: str, closed: frozenset[int]) -> str:
    """The day a transaction of local ``day`` is posted on: its own, or, when its year is closed, the first
    day of the next year that is not."""
    year = int(day[:4])
    if year not in closed:
        return day
    while year in closed:
        year += 1
    return f"{year:04d}-01-01"


def late_memo(memo: str, day: str) -> str:
    """A journal memo marked with the transaction's own ``day`` (within the memo column's 80 characters)."""
    mark = LATE_MARK.format(day=day)
    return memo[: MEMO_CHARS - len(mark)] + mark


@dataclass(frozen=True)
class Late:
    """A transaction dated in a closed year and posted on the first day of the open period."""

    id: str
    device: str
    unit: str
    kind: str
    member: str | None
    total_rp: int
    at: str  # its own time, as the device wrote it
    own_day: str  # its own local date
    posted_day: str
    received_ts: int

    def row(self) -> dict[str, Any]:
        """As a plain row (JSON, CSV)."""
        return {
            "id": self.id,
            "own_day": self.own_day,
            "posted_day": self.posted_day,
            "device": self.device,
            "unit": self.unit,
            "kind": self.kind,
            "member": self.member,
            "total_rp": self.total_rp,
            "at": self.at,
            "received_ts": self.received_ts,
        }


def late(ledger: Ledger, year: int | None = None) -> list[Late]:
    """The late postings (into ``year``, or every year): transactions posted on a first open day whose own
    time is before that day, oldest first. A manager's list, not a hot path: it filters the transactions
    on those days."""
    tz = ledger.config.tz
    with ledger.read() as conn:
        closed = read_closed(conn)
        days = sorted({posting_day(f"{y:04d}-01-01", closed) for y in closed})
        if year is not None:
            days = [d for d in days if d.startswith(f"{year:04d}-")]
        if not days:
            return []
        t = schema.transactions
        rows = conn.execute(
            select(
                t.c.id, t.c.device, t.c.unit, t.c.kind, t.c.member, t.c.total_rp, t.c.at, t.c.ts, t.c.day,
                t.c.received_ts,
            )
            .where(t.c.day.in_(days))
            .order_by(t.c.ts, t.c.id)
        ).all()  # fmt: skip
    found = []
    for row in rows:
        start = int(datetime.combine(date.fromisoformat(row.day), time(0), tz).timestamp())
        if int(row.ts) < start:
            own = datetime.fromtimestamp(int(row.ts), tz).date().isoformat()
            found.append(
                Late(
                    row.id, row.device, row.unit, row.kind, row.member, int(row.total_rp), row.at, own,
                    row.day, int(row.received_ts),
                )
            )  # fmt: skip
    return found
