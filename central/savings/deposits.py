"""Term deposits (simpanan berjangka) as held: each placement with the terms copied from its product, its
maturity and state, and the interest accrued on it (``deposit_accruals``). The operations that move money
(place, accrue, mature, withdraw) are ``central.office.deposits``; they record envelopes on the office's
chain and write these rows (docs/savings.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import func, select

from central.ledger import Ledger, schema
from central.savings import interest
from central.savings.errors import SavingsRefused
from central.savings.tables import deposit_accruals, deposit_placements, ensure_tables

PRODUCT: Final = "berjangka"
UNIT: Final = "simpan-pinjam"
STATES: Final = ("open", "paid", "rolled", "withdrawn")
MAX_BY: Final = 40


@dataclass(frozen=True)
class Placement:
    """One term deposit as placed, with what has been accrued on it so far."""

    id: int
    member: str
    product: str
    principal_rp: int
    term_months: int
    rate_year_pct: Decimal
    early_penalty_pct: Decimal
    early_forfeit_interest: bool
    at_maturity: str
    start: date
    maturity: date
    state: str
    placed_tx: str | None
    rolled_from: int | None
    closed_day: str | None
    interest_paid_rp: int | None
    penalty_rp: int | None
    forfeited_rp: int | None
    accrued_rp: int  # booked by accruals so far

    @property
    def code(self) -> str:
        """The placement's number as printed on its certificate (bilyet): ``BJ-000042``."""
        return code_of(self.id)

    @property
    def term_interest_rp(self) -> int:
        return interest.term_interest_rp(self.principal_rp, self.rate_year_pct, self.term_months)


@dataclass(frozen=True)
class Accrued:
    """One accrual made by ``accrue``."""

    placement: int
    member: str
    month: str
    amount_rp: int
    tx: str


@dataclass(frozen=True)
class Closed:
    """What closing a placement paid: principal and interest to the member, penalty and forfeited interest
    kept by the cooperative, and the new placement of a rollover."""

    placement: Placement
    principal_paid_rp: int
    interest_paid_rp: int
    penalty_rp: int
    forfeited_rp: int
    rolled_to: Placement | None
    ids: tuple[str, ...]


def code_of(ident: int) -> str:
    return f"BJ-{ident:06d}"


def parse_code(text: str) -> int | None:
    """The placement id of ``BJ-000042`` or ``42``; None when it is neither."""
    value = text.strip().upper().removeprefix("BJ-")
    return int(value) if value.isdigit() and len(value) <= 9 else None


def _placement(row: Any, accrued: int) -> Placement:
    return Placement(
        id=int(row.id),
        member=str(row.member),
        product=str(row.product),
        principal_rp=int(row.principal_rp),
        term_months=int(row.term_months),
        rate_year_pct=Decimal(row.rate_year_pct),
        early_penalty_pct=Decimal(row.early_penalty_pct),
        early_forfeit_interest=bool(row.early_forfeit_interest),
        at_maturity=str(row.at_maturity),
        start=date.fromisoformat(row.start),
        maturity=date.fromisoformat(row.maturity),
        state=str(row.state),
        placed_tx=row.placed_tx,
        rolled_from=row.rolled_from,
        closed_day=row.closed_day,
        interest_paid_rp=row.interest_paid_rp,
        penalty_rp=row.penalty_rp,
        forfeited_rp=row.forfeited_rp,
        accrued_rp=accrued,
    )


def listing(
    ledger: Ledger, *, member: str | None = None, state: str | None = None, ident: int | None = None
) -> list[Placement]:
    """Placements (of ``member``, in ``state``, or the one ``ident``), oldest first."""
    ensure_tables(ledger)
    p, a = deposit_placements, deposit_accruals
    query = select(p)
    if member is not None:
        query = query.where(p.c.member == member)
    if state is not None:
        query = query.where(p.c.state == state)
    if ident is not None:
        query = query.where(p.c.id == ident)
    with ledger.read() as conn:
        rows = conn.execute(query.order_by(p.c.id)).all()
        ids = [int(r.id) for r in rows]
        accrued: dict[int, int] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            for placement, total in conn.execute(
                select(a.c.placement, func.sum(a.c.amount_rp))
                .where(a.c.placement.in_(part))
                .group_by(a.c.placement)
            ):
                accrued[int(placement)] = int(total or 0)
    return [_placement(r, accrued.get(int(r.id), 0)) for r in rows]


def get(ledger: Ledger, ident: int) -> Placement:
    """Placement ``ident``, or ``SavingsRefused``."""
    found = listing(ledger, ident=ident)
    if not found:
        raise SavingsRefused(
            f"no term deposit {code_of(ident)}", f"tidak ada simpanan berjangka {code_of(ident)}"
        )
    return found[0]


def memo_of(placement: Placement, month: str) -> str:
    """The memo of a month's accrual of a placement: unique, so the ledger itself says whether it is made."""
    return f"bunga berjangka {placement.code} {month}"


def booked(ledger: Ledger, placement: Placement, month: str) -> tuple[str, int] | None:
    """(envelope, amount) of the accrual of ``month`` when the ledger holds it, else None."""
    j = schema.journal
    payable = ledger.config.savings.interest_payable
    with ledger.read() as conn:
        row = conn.execute(
            select(j.c.tx, j.c.credit_rp).where(
                j.c.account == payable,
                j.c.member == placement.member,
                j.c.memo == memo_of(placement, month),
                j.c.credit_rp > 0,
            )
        ).first()
    return None if row is None else (str(row.tx), int(row.credit_rp))


def accrued_months(ledger: Ledger, ident: int) -> set[str]:
    a = deposit_accruals
    with ledger.read() as conn:
        return {str(m) for (m,) in conn.execute(select(a.c.month).where(a.c.placement == ident))}


def due(ledger: Ledger, on: date) -> list[Placement]:
    """Open placements matured by ``on``."""
    return [p for p in listing(ledger, state="open") if p.maturity <= on]


def interest_payable_rp(ledger: Ledger, member: str) -> int:
    """The term-deposit interest accrued and not yet paid to ``member`` (their interest payable balance)."""
    payable = ledger.config.savings.interest_payable
    j = schema.journal
    with ledger.read() as conn:
        row = conn.execute(
            select(func.coalesce(func.sum(j.c.credit_rp), 0), func.coalesce(func.sum(j.c.debit_rp), 0)).where(
                j.c.member == member, j.c.account == payable
            )
        ).one()
    return int(row[0]) - int(row[1])
