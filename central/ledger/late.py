"""The late postings for the manager: transactions dated in a closed year that arrived after the close and
were posted on the first day of the open period (``central.ledger.closed``), and the closed years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select

from central.ledger import schema
from central.ledger.closed import posting_day, read_closed
from central.ledger.store import Ledger


def closed_years(ledger: Ledger) -> frozenset[int]:
    """The closed years of ``ledger``."""
    with ledger.read() as conn:
        return read_closed(conn)


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
