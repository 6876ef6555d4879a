"""Member cards after import: a lost card gets a new random code at central (``reissue_card``), with an audit
trail of who did it and when. The old code keeps only its last four characters in the trail, so the trail
cannot be used to make a working card.

The new code replaces the old one in ``members``; the next members downlink (serve publishes a new version
whenever the members' content changes) carries it to every device, and from then on the old card is an
unknown card at the kiosks. The trail lives in its own table, created on first use beside the ledger's
(as year-end's tables are), so older ledgers need no upgrade for it.
"""

from __future__ import annotations

import getpass
import time
from typing import TYPE_CHECKING, Final, NamedTuple

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, inspect, select

from central.errors import StoreError, UnknownMember
from central.ledger import schema
from central.members.rows import new_card_code

if TYPE_CHECKING:
    from central.ledger.store import Ledger

MAX_BY: Final = 80
MAX_CODE_TRIES: Final = 10
SHOWN_CHARS: Final = 4  # of the old code, in the trail and in messages

metadata = MetaData()

card_reissues = Table(
    "card_reissues",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member", String(40), nullable=False, index=True),
    Column("old_last4", String(SHOWN_CHARS), nullable=False),
    Column("new_last4", String(SHOWN_CHARS), nullable=False),
    Column("reissued_ts", BigInteger, nullable=False),
    Column("reissued_by", String(MAX_BY), nullable=False),
)


class Reissue(NamedTuple):
    """A new card: the member, the new code (to print), the old code's last four, when and by whom."""

    number: str
    name: str
    card_code: str
    old_last4: str
    reissued_ts: int
    reissued_by: str


def _who(by: str | None) -> str:
    name = " ".join((by or "").split())
    if not name:
        try:
            name = getpass.getuser()
        except (OSError, KeyError):
            name = "?"
    return name[:MAX_BY]


def reissue_card(ledger: Ledger, number: str, *, by: str | None = None, now_ts: int | None = None) -> Reissue:
    """Give member ``number`` a new random card code, record who and when, and return it.

    Raises ``UnknownMember`` when nobody has that number. The old code stops working at a device once the
    device has the next members downlink.
    """
    ledger.config  # noqa: B018 - raises NotInitialised first
    m = schema.members
    who = _who(by)
    at = int(time.time()) if now_ts is None else now_ts
    with ledger.write() as conn:
        card_reissues.create(conn, checkfirst=True)
        row = conn.execute(select(m.c.name, m.c.card_code).where(m.c.number == number)).first()
        if row is None:
            raise UnknownMember(f"no member has number {number!r}")
        name, old = str(row[0]), str(row[1])
        for _ in range(MAX_CODE_TRIES):
            code = new_card_code()
            taken = conn.execute(select(m.c.number).where(m.c.card_code == code)).first()
            if taken is None and code != old:
                break
        else:  # pragma: no cover - 32**12 codes
            raise StoreError("could not find an unused card code; try again")
        conn.execute(m.update().where(m.c.number == number).values(card_code=code, updated_ts=at))
        conn.execute(
            card_reissues.insert().values(
                member=number,
                old_last4=old[-SHOWN_CHARS:],
                new_last4=code[-SHOWN_CHARS:],
                reissued_ts=at,
                reissued_by=who,
            )
        )
    return Reissue(number, name, code, old[-SHOWN_CHARS:], at, who)


def reissues(ledger: Ledger, number: str | None = None) -> list[dict[str, object]]:
    """The audit trail of card reissues (of one member, or all), oldest first."""
    with ledger.read() as conn:
        if not inspect(conn).has_table(card_reissues.name):
            return []
        query = select(card_reissues).order_by(card_reissues.c.id)
        if number is not None:
            query = query.where(card_reissues.c.member == number)
        return [dict(r) for r in conn.execute(query).mappings()]
