"""Closed years in the ledger: which years are closed, and where a transaction dated in one is posted.

A closed year stays closed (docs/points-and-shu.md, "A closed year stays closed"). The year-end close and
reopen (``central.yearend.closing``) keep the closed years in ``meta`` (key ``CLOSED_KEY``, a JSON list),
so ingest reads them with one primary-key lookup per chunk and never imports the year-end package.

* An office entry dated in a closed year is refused before it is signed (``central.office.record``).
* A device's transaction dated in a closed year that arrives late (an outpost offline over New Year) is
  never refused for it: ingest posts it on the first day of the open period (``posting_day``), its own
  time kept in ``at`` and ``ts``, its journal memos marked with its own date (``late_memo``). Its day, and
  with it the points, the income statement and the balance sheet, are the open year's; the closed year's
  statements stay what they were at the close. ``central.ledger.late`` lists them for the manager. Pure
  but for ``read_closed`` and ``write_closed`` (one ``meta`` row); no import of the ledger's store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Final

from sqlalchemy import Connection, select

from central.ledger import schema

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
