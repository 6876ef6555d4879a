"""What the board reads at a glance, and the lists behind it: sales per unit, cash, savings, loans out,
members in arrears, silent devices, quarantine waiting, devices that flagged the transparency log; the
fleet of devices with when central last heard from each and the log checkpoint each witnessed (its size,
when it was signed, how far the log has grown since, and any problem it reported); every dispute with the
sale it disputes. Read only, aggregated in SQL (or through the loan book and the reports, so the figures
are the same as on the pages they lead to).

Members in arrears: a member with an installment of one of their loans, from the loan's schedule
(``central.loans.portfolio.cards``, as the member's statement computes the next installment), that fell
due before the day and is not fully paid (``days_late > 0``). An installment due today is not late yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Final

from sqlalchemy import ColumnElement, FromClause, func, select

from central.books.reports import Period, cashbook
from central.ledger import schema
from central.ledger.balances import account_sums
from central.ledger.quarantine import counts
from central.loans import portfolio
from central.transparency import log as tlog
from central.transparency import witnesses
from sync.witness import Problem

if TYPE_CHECKING:
    from central.ledger import Ledger

SILENT_AFTER_S: Final = 24 * 3600  # a device not heard from for longer than this is "silent"
FIRST_DAY: Final = "0000-01-01"
MAX_DISPUTES: Final = 10_000


@dataclass(frozen=True)
class UnitSales:
    """A unit's sales (voided ones left out): on the day and from the month's first day to the day."""

    unit: str
    day_count: int
    day_rp: int
    month_count: int
    month_rp: int


@dataclass(frozen=True)
class Late:
    """A member in arrears: the oldest unpaid due day over their loans, days late, and what is overdue."""

    member: str
    loans: tuple[str, ...]
    oldest_due: date
    days_late: int
    arrears_rp: int


@dataclass(frozen=True)
class DeviceSeen:
    """A registered device with what central knows of it."""

    device: str
    unit: str
    branch: str
    added_ts: int
    revoked_ts: int | None
    revoked_reason: str | None
    transactions: int  # committed transactions
    last_seq: int  # highest committed seq
    contiguous_seq: int  # seqs 1..this all processed (committed or refused while authentic)
    last_tx_ts: int | None  # the device's time of its latest committed transaction
    last_heard_ts: int | None  # when central last received something authentic from it
    # The transparency log as this device witnessed it (``central.transparency.witnesses``): the size of
    # the checkpoint it kept and when that was signed (None: it never reported), the leaves the log holds
    # beyond it, and the problems it ever flagged (a fork, an inconsistent or badly signed checkpoint, a
    # missing sale), with the latest one.
    log_size: int | None = None
    log_signed_ts: int | None = None
    log_behind: int = 0
    log_flags: tuple[str, ...] = ()
    log_problem: Problem | None = None

    @property
    def log_flagged(self) -> bool:
        return bool(self.log_flags)

    def silent(self, now_ts: int, after_s: int = SILENT_AFTER_S) -> bool:
        """True for an unrevoked device central has not heard from (since it was added) for ``after_s``."""
        if self.revoked_ts is not None:
            return False
        seen = self.last_heard_ts if self.last_heard_ts is not None else self.added_ts
        return now_ts - seen > after_s


@dataclass(frozen=True)
class Glance:
    """The board's figures as of a day."""

    on: date
    month_start: date
    sales: tuple[UnitSales, ...]
    cash_rp: int  # the cash account's balance at the end of the day (the cash book's closing)
    deposits_day_rp: int
    deposits_month_rp: int
    savings_rp: int  # every savings product's balance at the end of the day
    loans_open: int
    loans_out_rp: int  # outstanding principal
    late: tuple[Late, ...]  # members in arrears, most days late first
    silent: tuple[DeviceSeen, ...]
    quarantine_open: int
    log_flagged: tuple[DeviceSeen, ...]  # devices that flagged a problem with the transparency log
    disputes_month: int

    @property
    def sales_day_rp(self) -> int:
        return sum(s.day_rp for s in self.sales)

    @property
    def sales_month_rp(self) -> int:
        return sum(s.month_rp for s in self.sales)


@dataclass(frozen=True)
class Dispute:
    """A dispute and the sale it disputes (the sale's fields are None when it is not in the ledger)."""

    tx: str
    day: str
    at: str
    member: str | None
    reason: str
    device: str  # who recorded the dispute: a kiosk, or the office's device
    sale: str
    sale_day: str | None
    sale_unit: str | None
    sale_device: str | None
    sale_total_rp: int | None
    sale_voided: bool


def _not_voided(tx: FromClause) -> ColumnElement[bool]:
    """No void refers to the row of ``tx`` (a transactions table or alias)."""
    voids = schema.transactions.alias("voids")
    return ~select(voids.c.id).where(voids.c.kind == "void", voids.c.ref == tx.c.id).exists()


def kind_totals(ledger: Ledger, kind: str, lo: str, hi: str) -> dict[str, tuple[int, int]]:
    """Per unit, (count, total rupiah) of the ``kind`` transactions on days lo..hi, voided ones left out."""
    t = schema.transactions
    query = (
        select(t.c.unit, func.count(), func.coalesce(func.sum(t.c.total_rp), 0))
        .where(t.c.kind == kind, t.c.day >= lo, t.c.day <= hi, _not_voided(t))
        .group_by(t.c.unit)
    )
    with ledger.read() as conn:
        return {unit: (int(n), int(total)) for unit, n, total in conn.execute(query)}


def sales_by_unit(ledger: Ledger, on: date) -> tuple[UnitSales, ...]:
    """Every unit of the cooperative (in the config's order, then any other unit that sold) with its
    sales on ``on`` and in ``on``'s month up to ``on``."""
    day = kind_totals(ledger, "sale", on.isoformat(), on.isoformat())
    month = kind_totals(ledger, "sale", on.replace(day=1).isoformat(), on.isoformat())
    units = [u.code for u in ledger.config.units]
    units += sorted(set(month) - set(units))
    return tuple(
        UnitSales(
            u, day.get(u, (0, 0))[0], day.get(u, (0, 0))[1], month.get(u, (0, 0))[0], month.get(u, (0, 0))[1]
        )
        for u in units
    )


def savings_balance(ledger: Ledger, on: date) -> int:
    """The balance of every savings product's account (what members have saved) at the end of ``on``."""
    codes = [code for _product, code in ledger.config.posting.savings]
    with ledger.read() as conn:
        sums = account_sums(conn, FIRST_DAY, on.isoformat())
    return sum(sums.get(code, (0, 0))[1] - sums.get(code, (0, 0))[0] for code in codes)


def in_arrears(cards: list[portfolio.LoanCard]) -> tuple[Late, ...]:
    """The members with an installment that fell due before the cards' day and is not fully paid."""
    found: dict[str, list[portfolio.LoanCard]] = {}
    for card in cards:
        if card.state.days_late > 0:
            found.setdefault(card.member, []).append(card)
    late = []
    for member, owing in found.items():
        oldest = min(card.state.overdue()[0].due for card in owing)
        late.append(
            Late(
                member=member,
                loans=tuple(card.loan for card in owing),
                oldest_due=oldest,
                days_late=max(card.state.days_late for card in owing),
                arrears_rp=sum(card.state.arrears_rp for card in owing),
            )
        )
    return tuple(sorted(late, key=lambda x: (-x.days_late, x.member)))


def fleet(ledger: Ledger) -> list[DeviceSeen]:
    """Every registered device (revoked ones too), with its committed transactions, highest and contiguous
    seq, its latest transaction's time and when central last received an authentic envelope from it
    (committed or refused while authentic: forged envelopes naming it do not count)."""
    t = schema.transactions
    r = schema.refusals
    tlog.prepare(ledger)  # the log's tables (witness reports) exist before the read
    with ledger.read() as conn:
        committed = {
            device: (int(n), int(seq), int(ts), int(heard))
            for device, n, seq, ts, heard in conn.execute(
                select(
                    t.c.device, func.count(), func.max(t.c.seq), func.max(t.c.ts), func.max(t.c.received_ts)
                ).group_by(t.c.device)
            )
        }
        refused = {
            device: int(heard)
            for device, heard in conn.execute(
                select(r.c.device, func.max(r.c.received_ts)).group_by(r.c.device)
            )
        }
        witnessed = {w.device: w for w in witnesses.overview(conn)}
    out = []
    for row in ledger.devices_list():
        device = str(row["device"])
        n, seq, ts, heard = committed.get(device, (0, 0, None, None))
        w = witnessed.get(device)
        heard_at = [x for x in (heard, refused.get(device)) if x is not None]
        out.append(
            DeviceSeen(
                device=device,
                unit=str(row["unit"]),
                branch=str(row["branch"]),
                added_ts=int(row["added_ts"]),
                revoked_ts=None if row["revoked_ts"] is None else int(row["revoked_ts"]),
                revoked_reason=row["revoked_reason"],
                transactions=n,
                last_seq=seq,
                contiguous_seq=ledger.contiguous_seq(device),
                last_tx_ts=ts,
                last_heard_ts=max(heard_at) if heard_at else None,
                log_size=None if w is None else w.size,
                log_signed_ts=None if w is None else _unix(w.signed_at),
                log_behind=0 if w is None else w.behind,
                log_flags=() if w is None else w.problems,
                log_problem=None if w is None else w.problem(),
            )
        )
    return out


def _unix(iso_utc: str) -> int | None:
    """A checkpoint's time (``2026-12-06T02:30:00Z``) as Unix time; None when it is not one."""
    try:
        return int(datetime.strptime(iso_utc, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())
    except ValueError:
        return None


def silent_devices(
    ledger: Ledger,
    now_ts: int,
    *,
    skip: frozenset[str] = frozenset(),
    after_s: int = SILENT_AFTER_S,
    seen: list[DeviceSeen] | None = None,
) -> tuple[DeviceSeen, ...]:
    """Unrevoked devices (not those in ``skip``, e.g. the office) silent for more than ``after_s``."""
    devices = fleet(ledger) if seen is None else seen
    return tuple(d for d in devices if d.device not in skip and d.silent(now_ts, after_s))


def disputes_count(ledger: Ledger, lo: str, hi: str) -> int:
    """How many disputes were recorded on days lo..hi."""
    t = schema.transactions
    with ledger.read() as conn:
        query = select(func.count()).select_from(t).where(t.c.kind == "dispute", t.c.day >= lo, t.c.day <= hi)
        return int(conn.execute(query).scalar_one())


def disputes(ledger: Ledger, limit: int = MAX_DISPUTES, offset: int = 0) -> list[Dispute]:
    """Every dispute, newest first, with the disputed sale (its day, unit, device, total, whether voided)."""
    t = schema.transactions
    sale = t.alias("sale")
    voids = t.alias("voids")
    voided = select(voids.c.id).where(voids.c.kind == "void", voids.c.ref == sale.c.id).exists()
    query = (
        select(
            t.c.id,
            t.c.day,
            t.c.at,
            t.c.member,
            t.c.reason,
            t.c.device,
            t.c.ref,
            sale.c.day.label("sale_day"),
            sale.c.unit.label("sale_unit"),
            sale.c.device.label("sale_device"),
            sale.c.total_rp.label("sale_total_rp"),
            voided.label("sale_voided"),
        )
        .select_from(t.outerjoin(sale, sale.c.id == t.c.ref))
        .where(t.c.kind == "dispute")
        .order_by(t.c.ts.desc(), t.c.id.desc())
        .limit(max(0, min(limit, MAX_DISPUTES)))
        .offset(max(0, offset))
    )
    with ledger.read() as conn:
        rows = conn.execute(query).all()
    return [
        Dispute(
            tx=str(r.id),
            day=str(r.day),
            at=str(r.at),
            member=r.member,
            reason=r.reason or "",
            device=str(r.device),
            sale=str(r.ref or ""),
            sale_day=r.sale_day,
            sale_unit=r.sale_unit,
            sale_device=r.sale_device,
            sale_total_rp=None if r.sale_total_rp is None else int(r.sale_total_rp),
            sale_voided=bool(r.sale_voided) if r.sale_day is not None else False,
        )
        for r in rows
    ]


def glance(ledger: Ledger, on: date, now_ts: int, *, skip_devices: frozenset[str] = frozenset()) -> Glance:
    """The board's figures as of the end of ``on`` (devices: silent as of ``now_ts``)."""
    lo, hi = on.replace(day=1).isoformat(), on.isoformat()
    cash = dict(cashbook(ledger, Period(hi, hi))[0].summary)["closing_rp"]
    day_deposits = kind_totals(ledger, "savings_deposit", hi, hi)
    month_deposits = kind_totals(ledger, "savings_deposit", lo, hi)
    cards = [
        c
        for c in portfolio.cards(ledger, on)
        if c.written_off is None and (c.outstanding_rp > 0 or c.state.arrears_rp > 0)
    ]  # a written-off loan is off the books, as in the aging
    devices = fleet(ledger)
    return Glance(
        on=on,
        month_start=on.replace(day=1),
        sales=sales_by_unit(ledger, on),
        cash_rp=int(cash),
        deposits_day_rp=sum(total for _n, total in day_deposits.values()),
        deposits_month_rp=sum(total for _n, total in month_deposits.values()),
        savings_rp=savings_balance(ledger, on),
        loans_open=sum(1 for c in cards if c.outstanding_rp > 0),
        loans_out_rp=sum(c.outstanding_rp for c in cards),
        late=in_arrears(cards),
        silent=silent_devices(ledger, now_ts, skip=skip_devices, seen=devices),
        quarantine_open=counts(ledger).get("open", 0),
        disputes_month=disputes_count(ledger, lo, hi),
        log_flagged=tuple(d for d in devices if d.log_flagged),
    )
