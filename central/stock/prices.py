"""Price changes made at the office, each holding from a day (docs/stock.md, "Price changes").

A change names an item, its new price and the day from which it holds (today or later, in the
cooperative's time zone). It waits in ``stock_price_changes`` until that day; then ``apply_due`` sets the
product's price, and the next catalog publication (``central serve``) differs from the last in that item
only, so every device of the branch gets it as a catalog delta (``sync.downlink``), not a full catalog.

The price a sale was made at is the device's: a device that sells before the delta reaches it records
the old price, and central posts the sale at that price (ingest never re-prices a sale nor refuses it for
its price). A change cannot hold from a past day: the sales made then are kept as they were made.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from sqlalchemy import Connection, insert, select, update

from central.ledger import Ledger, schema
from central.stock.errors import StockError
from central.stock.tables import MAX_TEXT, ensure_tables, stock_price_changes
from sync.envelope import MAX_AMOUNT_RP

MAX_PENDING_PER_ITEM: Final = 20
STATES: Final = ("pending", "applied", "cancelled")


@dataclass(frozen=True)
class PriceChange:
    """One price change: the item, its price before and after, the day it holds from, who made it."""

    id: int
    sku: str
    name: str
    unit: str
    old_rp: int
    price_rp: int
    from_day: str
    by: str
    ts: int
    applied_ts: int | None
    cancelled_ts: int | None
    note: str | None

    @property
    def state(self) -> str:
        """``pending`` (waiting for its day), ``applied`` or ``cancelled``."""
        if self.cancelled_ts is not None:
            return "cancelled"
        return "pending" if self.applied_ts is None else "applied"


def _now(now_ts: int | None) -> int:
    return int(_time.time()) if now_ts is None else now_ts


def _rows(conn: Connection, where: Any = None) -> list[PriceChange]:
    c, p = stock_price_changes, schema.products
    query = (
        select(c, p.c.name, p.c.unit)
        .select_from(c.outerjoin(p, p.c.sku == c.c.sku))
        .order_by(c.c.from_day.desc(), c.c.id.desc())
    )
    if where is not None:
        query = query.where(where)
    return [
        PriceChange(
            id=int(r["id"]),
            sku=str(r["sku"]),
            name=str(r["name"] or r["sku"]),
            unit=str(r["unit"] or ""),
            old_rp=int(r["old_rp"]),
            price_rp=int(r["price_rp"]),
            from_day=str(r["from_day"]),
            by=str(r["by"]),
            ts=int(r["ts"]),
            applied_ts=r["applied_ts"],
            cancelled_ts=r["cancelled_ts"],
            note=r["note"],
        )
        for r in conn.execute(query).mappings()
    ]


def change(
    ledger: Ledger,
    sku: str,
    price_rp: int,
    *,
    from_day: date,
    today: date,
    by: str,
    note: str | None = None,
    now_ts: int | None = None,
) -> PriceChange:
    """Record that ``sku`` costs ``price_rp`` from ``from_day`` (``today`` or later); applied at once when
    it holds today (``apply_due``)."""
    ensure_tables(ledger)
    sku = sku.strip()
    if isinstance(price_rp, bool) or not isinstance(price_rp, int) or not 0 < price_rp <= MAX_AMOUNT_RP:
        raise StockError(
            f"the price must be whole rupiah from 1 to {MAX_AMOUNT_RP:,}, not {price_rp!r}",
            f"harga harus rupiah bulat dari 1 sampai {MAX_AMOUNT_RP:,}, bukan {price_rp!r}",
        )
    if from_day < today:
        raise StockError(
            f"a price change holds from today ({today}) or later, not from {from_day}: the sales made "
            "before are kept at the price they were made at",
            f"perubahan harga berlaku mulai hari ini ({today}) atau nanti, bukan {from_day}: penjualan "
            "yang sudah terjadi tetap pada harga saat itu",
        )
    p, c = schema.products, stock_price_changes
    with ledger.write() as conn:
        product = conn.execute(select(p.c.price_rp).where(p.c.sku == sku)).first()
        if product is None:
            raise StockError(f"no item with code {sku!r}", f"tidak ada barang dengan kode {sku!r}")
        waiting = conn.execute(
            select(c.c.id).where(c.c.sku == sku, c.c.applied_ts.is_(None), c.c.cancelled_ts.is_(None))
        ).all()
        if len(waiting) >= MAX_PENDING_PER_ITEM:
            raise StockError(
                f"item {sku} has {len(waiting)} price changes waiting; cancel some first",
                f"barang {sku} punya {len(waiting)} perubahan harga yang menunggu; batalkan dulu sebagian",
            )
        made = conn.execute(
            insert(c).values(
                sku=sku,
                price_rp=price_rp,
                old_rp=int(product[0]),
                from_day=from_day.isoformat(),
                by=by[:40],
                ts=_now(now_ts),
                note=(note or "").strip()[:MAX_TEXT] or None,
            )
        ).inserted_primary_key
        assert made is not None
        change_id = int(made[0])
    apply_due(ledger, today, now_ts=now_ts)
    return get(ledger, change_id)


def apply_due(ledger: Ledger, day: date, *, now_ts: int | None = None) -> list[PriceChange]:
    """Apply the changes waiting whose day has come (``from_day`` <= ``day``), by day then as made (the
    last one of an item wins); return them. Idempotent: each change is applied once."""
    ensure_tables(ledger)
    c, p = stock_price_changes, schema.products
    due = (c.c.applied_ts.is_(None)) & (c.c.cancelled_ts.is_(None)) & (c.c.from_day <= day.isoformat())
    with ledger.read() as conn:
        if conn.execute(select(c.c.id).where(due).limit(1)).first() is None:
            return []
    ts = _now(now_ts)
    with ledger.write() as conn:
        found = conn.execute(
            select(c.c.id, c.c.sku, c.c.price_rp).where(due).order_by(c.c.from_day, c.c.id)
        ).all()
        for change_id, sku, price in found:
            conn.execute(update(p).where(p.c.sku == sku).values(price_rp=int(price), updated_ts=ts))
            conn.execute(update(c).where(c.c.id == change_id).values(applied_ts=ts))
        ids = [int(r[0]) for r in found]
        return _rows(conn, c.c.id.in_(ids)) if ids else []


def cancel(ledger: Ledger, change_id: int, *, by: str, now_ts: int | None = None) -> PriceChange:
    """Cancel a change still waiting for its day (an applied one is undone by a new change)."""
    found = get(ledger, change_id)
    if found.state != "pending":
        raise StockError(
            f"price change {change_id} is {found.state}; only a waiting one is cancelled (make a new change)",
            f"perubahan harga {change_id} berstatus {found.state}; hanya yang menunggu yang dibatalkan "
            "(buat perubahan baru)",
        )
    c = stock_price_changes
    with ledger.write() as conn:
        conn.execute(
            update(c)
            .where(c.c.id == change_id, c.c.applied_ts.is_(None))
            .values(
                cancelled_ts=_now(now_ts),
                note="; ".join(filter(None, (found.note, f"dibatalkan oleh {by}")))[:MAX_TEXT],
            )
        )
    return get(ledger, change_id)


def get(ledger: Ledger, change_id: int) -> PriceChange:
    """Price change ``change_id`` (``StockError`` when there is none)."""
    ensure_tables(ledger)
    with ledger.read() as conn:
        found = _rows(conn, stock_price_changes.c.id == change_id)
    if not found:
        raise StockError(
            f"no price change number {change_id}", f"tidak ada perubahan harga nomor {change_id}"
        )
    return found[0]


def listing(
    ledger: Ledger, *, unit: str | None = None, state: str | None = None, limit: int = 200
) -> list[PriceChange]:
    """Price changes, latest day first (of ``unit``, in ``state``), at most ``limit``."""
    ensure_tables(ledger)
    with ledger.read() as conn:
        found = _rows(conn)
    return [pc for pc in found if (unit is None or pc.unit == unit) and (state is None or pc.state == state)][
        :limit
    ]
