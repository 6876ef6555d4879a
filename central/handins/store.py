"""The daily deposit at central (docs/handins.md): the clerks' ``handin`` envelopes as the treasurer sees
them, their confirmation with the cash received (which books the differences on the office chain, once per
hand-in), the shifts with sales but no hand-in, and the reconciliation of each hand-in with the shift's
transactions in the ledger.

The receipts live in a side table (``handin_receipts``, created through ``Ledger.create_side_tables``); the
money never sits there: a difference is a ``journal`` envelope of purpose ``cash_difference`` whose note
names the hand-in, so a retry after a crash between posting and recording finds the entry and posts
nothing again.
"""

from __future__ import annotations

import json
import time as _time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import BigInteger, Column, MetaData, String, Table, insert, select
from sqlalchemy.orm import aliased

from central.branches import scope
from central.errors import Refusal
from central.handins import rules
from central.ledger import Ledger, schema
from central.office import entries, record
from central.office.errors import OfficeError
from central.office.identity import Office

MAX_BY: Final = 40

metadata = MetaData()

handin_receipts = Table(
    "handin_receipts",
    metadata,
    Column("tx", String(64), primary_key=True),  # the handin envelope's id
    Column("received_rp", BigInteger, nullable=False),
    Column("expected_rp", BigInteger, nullable=False),  # recomputed from the ledger at confirmation
    Column("by", String(MAX_BY), nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("posted_tx", String(64)),  # the cash_difference journal; null when nothing differed
)


def ensure_tables(ledger: Ledger) -> None:
    """Create the hand-in tables if missing (``Ledger.create_side_tables`` does it once per ledger)."""
    ledger.create_side_tables(metadata)


class HandinError(Refusal):
    """A hand-in request cannot be done; ``text(lang)`` gives the reason in the user's language."""


@dataclass(frozen=True)
class Handin:
    """One hand-in, with the treasurer's receipt when confirmed. ``difference_rp`` is what was received
    (or, before confirmation, counted) less what the device expected."""

    id: str
    device: str
    clerk: str
    unit: str
    day: str
    at: str
    period_from: str
    period_to: str
    expected_rp: int
    counted_rp: int
    received_rp: int | None
    received_by: str | None
    posted_tx: str | None

    @property
    def difference_rp(self) -> int:
        """Received (or counted, before receipt) less expected."""
        return (self.counted_rp if self.received_rp is None else self.received_rp) - self.expected_rp

    def row(self) -> dict[str, Any]:
        """The hand-in as a plain row (JSON, CSV, tables)."""
        return {
            "id": self.id,
            "device": self.device,
            "clerk": self.clerk,
            "unit": self.unit,
            "day": self.day,
            "from": self.period_from,
            "to": self.period_to,
            "expected_rp": self.expected_rp,
            "counted_rp": self.counted_rp,
            "difference_rp": self.difference_rp,
            "received": self.received_rp is not None,
            "received_rp": self.received_rp,
            "received_by": self.received_by,
            "posted_tx": self.posted_tx,
        }


def _handin(row: Any, receipt: Any) -> Handin:
    body = json.loads(row.body)
    return Handin(
        id=row.id,
        device=row.device,
        clerk=str(body["clerk"]),
        unit=row.unit,
        day=row.day,
        at=row.at,
        period_from=str(body["from"]),
        period_to=str(body["to"]),
        expected_rp=int(body["expected_rp"]),
        counted_rp=int(body["counted_rp"]),
        received_rp=None if receipt is None else int(receipt.received_rp),
        received_by=None if receipt is None else str(receipt.by),
        posted_tx=None if receipt is None else receipt.posted_tx,
    )


def handins(
    ledger: Ledger,
    *,
    day: date | None = None,
    unit: str | None = None,
    ids: tuple[str, ...] = (),
    branch: str | None = None,
    branches: scope.Branches | None = None,
) -> list[Handin]:
    """The hand-ins recorded on ``day`` (the local day of the envelope's ``at``), of ``unit``, by devices
    of ``branch`` (``central.branches.scope``; ``branches`` when the caller has them loaded), by time."""
    ensure_tables(ledger)
    t, r = schema.transactions, handin_receipts
    query = (
        select(
            t.c.id, t.c.device, t.c.unit, t.c.day, t.c.at, t.c.body, r.c.received_rp, r.c.by, r.c.posted_tx
        )
        .select_from(t.outerjoin(r, r.c.tx == t.c.id))
        .where(t.c.kind == "handin")
        .order_by(t.c.ts, t.c.id)
    )
    if day is not None:
        query = query.where(t.c.day == day.isoformat())
    if unit is not None:
        query = query.where(t.c.unit == unit)
    if ids:
        query = query.where(t.c.id.in_(ids))
    if branch is not None:
        query = query.where(scope.in_branch(t.c.device, branches or scope.load(ledger), branch))
    with ledger.read() as conn:
        rows = conn.execute(query).all()
    return [_handin(row, row if row.received_rp is not None else None) for row in rows]


def get(ledger: Ledger, tx: str) -> Handin:
    """One hand-in by its transaction id, or ``HandinError``."""
    found = handins(ledger, ids=(tx,))
    if not found:
        raise HandinError(
            f"no hand-in with id {tx!r}; `central handins list` shows them",
            f"tidak ada setoran dengan id {tx!r}; lihat `central handins list`",
        )
    return found[0]


# ---- the shift's transactions -------------------------------------------------------------------------


def _ts(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def shift_facts(ledger: Ledger, device: str, clerk: str, start_ts: int, end_ts: int) -> list[rules.Fact]:
    """The accepted cash transactions ``clerk`` recorded at ``device`` from ``start_ts`` to ``end_ts``
    (Unix seconds, both included), in the device's order; a void carries the kind it voids."""
    t = schema.transactions
    ref = aliased(t)
    query = (
        select(t.c.id, t.c.kind, t.c.payment, t.c.total_rp, ref.c.kind)
        .select_from(t.outerjoin(ref, ref.c.id == t.c.ref))
        .where(
            t.c.device == device,
            t.c.clerk == clerk,
            t.c.ts >= start_ts,
            t.c.ts <= end_ts,
            t.c.kind.in_(rules.CASH_KINDS),
        )
        .order_by(t.c.seq)
    )
    with ledger.read() as conn:
        return [rules.Fact(str(i), k, p, int(v), rk) for i, k, p, v, rk in conn.execute(query)]


def ledger_expected_rp(ledger: Ledger, handin: Handin) -> tuple[int, list[rules.Fact]]:
    """The cash ``handin``'s shift should hold by the ledger, and the transactions it comes from."""
    facts = shift_facts(ledger, handin.device, handin.clerk, _ts(handin.period_from), _ts(handin.period_to))
    return rules.cash_expected_rp(facts), facts


# ---- confirmation --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmed:
    """A confirmation: the hand-in after it, and whether it was confirmed before (nothing done again)."""

    handin: Handin
    already: bool


def _posted(ledger: Ledger, tx: str) -> str | None:
    t = schema.transactions
    with ledger.read() as conn:
        found = conn.execute(
            select(t.c.id).where(t.c.kind == "journal", t.c.note == f"{rules.NOTE_PREFIX}{tx}")
        ).first()
    return None if found is None else str(found[0])


def _receipt(ledger: Ledger, tx: str) -> Any:
    with ledger.read() as conn:
        return conn.execute(select(handin_receipts).where(handin_receipts.c.tx == tx)).first()


def confirm(
    ledger: Ledger,
    office: Office | None,
    tx: str,
    received_rp: int,
    *,
    by: str,
    now_ts: int | None = None,
) -> Confirmed:
    """Record that the treasurer received ``received_rp`` of hand-in ``tx`` and book the differences
    (``rules.difference_lines`` against the cash the ledger says the shift should hold) with one
    ``cash_difference`` journal on the office chain. Once per hand-in: confirming again with the same
    amount does nothing, with another amount is refused."""
    if isinstance(received_rp, bool) or not isinstance(received_rp, int) or received_rp < 0:
        raise HandinError(
            f"the amount received must be whole rupiah, 0 or more; got {received_rp!r}",
            f"uang yang diterima harus rupiah bulat, 0 atau lebih; bukan {received_rp!r}",
        )
    if not by.strip() or len(by) > MAX_BY:
        raise HandinError(
            f"--by names who received the cash (1 to {MAX_BY} characters)",
            f"--by menyebut siapa yang menerima uang (1 sampai {MAX_BY} karakter)",
        )
    handin = get(ledger, tx)
    done = _already(handin, received_rp)
    if done is not None:
        return done
    expected, _ = ledger_expected_rp(ledger, handin)
    config = ledger.config
    lines = rules.difference_lines(
        expected,
        handin.counted_rp,
        received_rp,
        cash=config.posting.cash,
        difference=config.cash_difference or "",
    )
    if lines and config.cash_difference is None:
        raise HandinError(
            "the hand-in differs from what the shift should hold, and the config names no account for it: "
            "add [posting] cash_difference (e.g. 5802 Selisih kas, docs/config.md)",
            "setoran berbeda dari yang seharusnya, dan konfigurasi tidak menyebut akunnya: tambahkan "
            "[posting] cash_difference (misalnya 5802 Selisih kas, docs/config.md)",
        )
    ts = int(_time.time()) if now_ts is None else now_ts
    posted: str | None = None
    try:
        with record.chain_lock(ledger):
            again = _receipt(ledger, tx)  # under the lock: two confirmations at once book once
            if again is not None:
                done = _already(get(ledger, tx), received_rp)
                assert done is not None
                return done
            posted = _posted(ledger, tx)
            if lines and posted is None:
                if office is None:
                    raise HandinError("posting needs the office's key", "pembukuan memerlukan kunci kantor")
                body = entries.journal(
                    rules.PURPOSE,
                    [entries.EntryLine(x.account, x.debit_rp, x.credit_rp, x.memo) for x in lines],
                    unit=handin.unit,
                )
                body["note"] = f"{rules.NOTE_PREFIX}{tx}"
                record.precheck(ledger, body)
                at = record.stamp(ledger, datetime.fromtimestamp(ts, config.tz))
                signed = record.sign_next(ledger, office, [body], at=at, by=by)
                refused = record.ingest_signed(ledger, office, signed)
                if refused:
                    raise HandinError(
                        f"the ledger refused the cash-difference entry: {refused[0]}",
                        f"buku besar menolak jurnal selisih kas: {refused[0]}",
                    )
                posted = str(signed[0]["id"])
            with ledger.write() as conn:
                conn.execute(
                    insert(handin_receipts).values(
                        tx=tx, received_rp=received_rp, expected_rp=expected, by=by, ts=ts, posted_tx=posted
                    )
                )
    except OfficeError as err:
        raise HandinError(err.text("en"), err.text("id")) from err
    return Confirmed(get(ledger, tx), already=False)


def _already(handin: Handin, received_rp: int) -> Confirmed | None:
    if handin.received_rp is None:
        return None
    if handin.received_rp != received_rp:
        raise HandinError(
            f"hand-in {handin.id} was confirmed already with Rp {handin.received_rp:,} received by "
            f"{handin.received_by}; a confirmation is not changed (book a correcting journal instead)",
            f"setoran {handin.id} sudah dikonfirmasi dengan Rp {handin.received_rp:,} diterima oleh "
            f"{handin.received_by}; konfirmasi tidak diubah (buat jurnal koreksi)",
        )
    return Confirmed(handin, already=True)


# ---- missing hand-ins ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """A clerk's transactions on ``day`` at ``device`` that no hand-in covers (by the end of the next day)."""

    day: str
    device: str
    unit: str
    clerk: str
    transactions: int
    first_at: str
    last_at: str
    cash_expected_rp: int
    ids: tuple[str, ...]

    def row(self) -> dict[str, Any]:
        """As a plain row."""
        return {
            "day": self.day,
            "device": self.device,
            "unit": self.unit,
            "clerk": self.clerk,
            "transactions": self.transactions,
            "first_at": self.first_at,
            "last_at": self.last_at,
            "cash_expected_rp": self.cash_expected_rp,
        }


def missing(ledger: Ledger, day: date) -> list[Missing]:
    """Shifts of ``day`` with cash transactions by a clerk that no hand-in recorded by the end of the next
    day covers (its device and clerk, its period): one row per device and clerk."""
    t = schema.transactions
    ref = aliased(t)
    with ledger.read() as conn:
        rows = conn.execute(
            select(
                t.c.id,
                t.c.device,
                t.c.unit,
                t.c.clerk,
                t.c.at,
                t.c.ts,
                t.c.kind,
                t.c.payment,
                t.c.total_rp,
                ref.c.kind.label("ref_kind"),
            )
            .select_from(t.outerjoin(ref, ref.c.id == t.c.ref))
            .where(t.c.day == day.isoformat(), t.c.clerk.is_not(None), t.c.kind.in_(rules.CASH_KINDS))
            .order_by(t.c.device, t.c.seq)
        ).all()
        cover = conn.execute(
            select(t.c.device, t.c.body).where(
                t.c.kind == "handin",
                t.c.day <= (day + timedelta(days=1)).isoformat(),
                t.c.day >= day.isoformat(),
            )
        ).all()
    periods: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for device, body_text in cover:
        body = json.loads(body_text)
        periods.setdefault((device, str(body["clerk"])), []).append((_ts(body["from"]), _ts(body["to"])))
    open_: dict[tuple[str, str], list[Any]] = {}
    for row in rows:
        spans = periods.get((row.device, row.clerk), [])
        if not any(lo <= row.ts <= hi for lo, hi in spans):
            open_.setdefault((row.device, row.clerk), []).append(row)
    found = []
    for (device, clerk), items in sorted(open_.items()):
        facts = [rules.Fact(r.id, r.kind, r.payment, int(r.total_rp), r.ref_kind) for r in items]
        found.append(
            Missing(
                day.isoformat(),
                device,
                items[0].unit,
                clerk,
                len(items),
                items[0].at,
                items[-1].at,
                rules.cash_expected_rp(facts),
                tuple(r.id for r in items),
            )
        )
    return found


# ---- reconciliation ------------------------------------------------------------------------------------

RECONCILE_COLUMNS: Final = (
    "unit",
    "clerk",
    "device",
    "day",
    "id",
    "from",
    "to",
    "expected_device_rp",
    "expected_ledger_rp",
    "device_agrees",
    "counted_rp",
    "received_rp",
    "difference_rp",
    "transactions",
)


def reconcile(
    ledger: Ledger, day: date, unit: str | None = None, branch: str | None = None
) -> list[dict[str, Any]]:
    """One row per hand-in of ``day`` (by unit, clerk, time): the cash expected as the device said and as
    the ledger recomputes it from the shift's transactions, whether they agree, counted, received and the
    difference (received, or counted before receipt, less the ledger's expected), and the ids of the
    shift's transactions (``transactions``), so each figure is traceable to the sales."""
    rows = []
    for h in handins(ledger, day=day, unit=unit, branch=branch):
        expected, facts = ledger_expected_rp(ledger, h)
        handed = h.counted_rp if h.received_rp is None else h.received_rp
        rows.append(
            {
                "unit": h.unit,
                "clerk": h.clerk,
                "device": h.device,
                "day": h.day,
                "id": h.id,
                "from": h.period_from,
                "to": h.period_to,
                "expected_device_rp": h.expected_rp,
                "expected_ledger_rp": expected,
                "device_agrees": expected == h.expected_rp,
                "counted_rp": h.counted_rp,
                "received_rp": h.received_rp,
                "difference_rp": handed - expected,
                "transactions": [f.id for f in facts],
            }
        )
    rows.sort(key=lambda r: (r["unit"], r["clerk"], r["from"]))
    return rows
