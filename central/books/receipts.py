"""Checking a printed receipt against the books: ``python -m central verify-receipt "KOP1|<id>|<sig>"``.

A receipt's QR code carries the transaction id and the start of the envelope's Ed25519 signature
(base32 of its first bytes). Central stored that envelope, with its signature verified, when it ingested
the sale; a receipt whose id is in the ledger and whose signature start matches what was stored belongs
to that transaction. A forged receipt would need the device's key, and a receipt for a sale that never
reached the ledger shows as unknown, which is what a member or supervisor needs to know.

The answer names the transaction's date, unit, total and whether it was voided; it never shows the member,
so whoever holds a receipt learns nothing about anyone else (``receipt_member`` gives it to a caller that
decides who may see it).

A member's own sales as receipts show them (``sale``, ``member_sales``): items, device, and whether the sale
was voided or disputed; the portal's purchases and "not me" pages read them.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, Row, and_, exists, func, select

from central.ledger import Ledger, schema
from sync import envelope as wire

QR_PREFIX: Final = "KOP1"
MAX_PAYLOAD_CHARS: Final = 300
SIGNATURE_BYTES_MIN: Final = 8  # shorter prefixes are too easy to guess

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "valid": (
        "Struk SAH: transaksi {txid}, {at}, unit {unit}, total Rp {total}.",
        "Receipt VALID: transaction {txid}, {at}, unit {unit}, total Rp {total}.",
    ),
    "voided": (
        "Struk SAH tetapi transaksinya DIBATALKAN ({void}).",
        "Receipt VALID but its transaction was VOIDED ({void}).",
    ),
    "unknown": (
        "Transaksi {txid} belum ada di buku besar pusat. Jika baru saja dicatat, perangkat mungkin belum "
        "tersinkron; coba lagi nanti atau tanyakan ke pengawas.",
        "Transaction {txid} is not in the central ledger. If it was just recorded, the device may not have "
        "synced yet; try again later or ask a supervisor.",
    ),
    "mismatch": (
        "Struk TIDAK SAH: tanda tangan tidak cocok dengan transaksi {txid} di buku besar. "
        "Laporkan ke pengawas.",
        "Receipt NOT VALID: its signature does not match transaction {txid} in the ledger. Report it to a "
        "supervisor.",
    ),
    "malformed": (
        "Bukan kode struk koperasi (harus berbentuk KOP1|<id transaksi>|<tanda tangan>).",
        "Not a cooperative receipt code (it must look like KOP1|<transaction id>|<signature>).",
    ),
}


@dataclass(frozen=True)
class ReceiptCheck:
    """The answer about one receipt; ``status`` is valid, voided, unknown, mismatch or malformed."""

    status: str
    txid: str | None = None
    at: str | None = None
    unit: str | None = None
    total_rp: int | None = None
    void: str | None = None
    posted_day: str | None = None  # the day it is on the books: after ``at`` for a late arrival

    @property
    def late(self) -> bool:
        """Posted on another day than its own (dated in a closed year, arrived after the close)."""
        return self.posted_day is not None and self.at is not None and self.posted_day > self.at[:10]

    def message(self, lang: str) -> str:
        pair = MESSAGES[self.status]
        text = pair[1] if lang == "en" else pair[0]
        return text.format(
            txid=self.txid,
            at=self.at,
            unit=self.unit,
            total=f"{self.total_rp or 0:,}".replace(",", "."),
            void=self.void,
        )


def split_payload(text: str) -> tuple[str, bytes] | None:
    """``(txid, signature prefix bytes)`` of a receipt QR text, or None when it is not one."""
    parts = text.strip().split("|")
    if len(text) > MAX_PAYLOAD_CHARS or len(parts) != 3 or parts[0] != QR_PREFIX:
        return None
    if not wire.ID_RE.match(parts[1]):  # no envelope has such an id (and NUL never reaches the database)
        return None
    encoded = parts[2].upper()
    try:
        prefix = base64.b32decode(encoded + "=" * (-len(encoded) % 8))
    except (binascii.Error, ValueError):
        return None
    if len(prefix) < SIGNATURE_BYTES_MIN:
        return None
    return parts[1], prefix


def stored_signature(body: str) -> bytes:
    """The raw signature bytes of a stored envelope (empty when it was ingested unsigned)."""
    try:
        sig = json.loads(body).get("sig")
        return base64.b64decode(sig, validate=True) if isinstance(sig, str) else b""
    except (ValueError, binascii.Error, AttributeError):
        return b""


def verify_receipt(ledger: Ledger, payload: str) -> ReceiptCheck:
    """Check a receipt's QR text against the ledger."""
    parsed = split_payload(payload)
    if parsed is None:
        return ReceiptCheck("malformed")
    txid, prefix = parsed
    tx = schema.transactions
    with ledger.read() as conn:
        row = conn.execute(
            select(tx.c.at, tx.c.unit, tx.c.total_rp, tx.c.body, tx.c.kind, tx.c.day).where(tx.c.id == txid)
        ).first()
        if row is None:
            return ReceiptCheck("unknown", txid=txid)
        stored = stored_signature(row.body)
        if not stored or stored[: len(prefix)] != prefix:
            return ReceiptCheck("mismatch", txid=txid)
        void = conn.execute(
            select(tx.c.id).where(tx.c.kind == "void", tx.c.ref == txid).limit(1)
        ).scalar_one_or_none()
    status = "voided" if void else "valid"
    return ReceiptCheck(
        status, txid=txid, at=row.at, unit=row.unit, total_rp=int(row.total_rp), void=void, posted_day=row.day
    )


def receipt_member(ledger: Ledger, txid: str) -> str | None:
    """The member of transaction ``txid`` (None: a walk-in, or no such transaction); for callers that
    decide who may see it."""
    if not wire.ID_RE.match(txid):
        return None
    tx = schema.transactions
    with ledger.read() as conn:
        return conn.execute(select(tx.c.member).where(tx.c.id == txid)).scalar_one_or_none()


# -- a member's sales as their receipts show them ----------------------------------------------------------

MAX_ITEMS_LISTED: Final = 3  # items named per sale in a listing (the sale itself shows every line)


@dataclass(frozen=True)
class SaleLine:
    """One line of a sale: the product's sku and name (as the catalog names it now), quantity and amounts."""

    sku: str
    name: str
    qty: str
    price_rp: int
    amount_rp: int


@dataclass(frozen=True)
class Sale:
    """A sale with what a receipt shows, and its state: ``void`` and ``dispute`` are the ids of the void
    and of the (first) dispute referring to it, or None. ``lines`` may be the first few only (``items``
    says how many it has)."""

    id: str
    at: str
    day: str
    unit: str
    device: str
    member: str | None
    payment: str
    total_rp: int
    lines: tuple[SaleLine, ...]
    items: int
    void: str | None
    dispute: str | None
    dispute_day: str | None = None


def _lines(conn: Connection, ids: Sequence[str], per_sale: int | None) -> dict[str, list[SaleLine]]:
    sl, p = schema.sale_lines, schema.products
    found: dict[str, list[SaleLine]] = {}
    if not ids:
        return found
    query = (
        select(sl.c.tx, sl.c.line, sl.c.sku, func.coalesce(p.c.name, sl.c.sku), sl.c.qty, sl.c.price_rp,
               sl.c.amount_rp)
        .select_from(sl.outerjoin(p, p.c.sku == sl.c.sku))
        .where(sl.c.tx.in_(list(ids)))
        .order_by(sl.c.tx, sl.c.line)
    )  # fmt: skip
    if per_sale is not None:
        query = query.where(sl.c.line <= per_sale)  # lines are numbered from 1
    for tx, _line, sku, name, qty, price, amount in conn.execute(query):
        found.setdefault(tx, []).append(SaleLine(sku, name, str(qty), int(price), int(amount)))
    return found


def _refs(conn: Connection, ids: Sequence[str], kind: str) -> dict[str, tuple[str, str]]:
    """ref -> (id, day) of the first ``kind`` (void, dispute) referring to each of ``ids``."""
    tx = schema.transactions
    found: dict[str, tuple[str, str]] = {}
    if not ids:
        return found
    rows = conn.execute(
        select(tx.c.ref, tx.c.id, tx.c.day)
        .where(tx.c.kind == kind, tx.c.ref.in_(list(ids)))
        .order_by(tx.c.ts, tx.c.id)
    )
    for ref, ident, day in rows:
        found.setdefault(ref, (ident, day))
    return found


def _sales(conn: Connection, rows: Sequence[Row[Any]], per_sale: int | None) -> list[Sale]:
    sl = schema.sale_lines
    ids = [r.id for r in rows]
    lines = _lines(conn, ids, per_sale)
    counts: dict[str, int] = (
        {
            tx: int(n)
            for tx, n in conn.execute(select(sl.c.tx, func.count()).where(sl.c.tx.in_(ids)).group_by(sl.c.tx))
        }
        if ids
        else {}
    )
    voids = _refs(conn, ids, "void")
    disputes = _refs(conn, ids, "dispute")
    return [
        Sale(
            r.id,
            r.at,
            r.day,
            r.unit,
            r.device,
            r.member,
            r.payment,
            int(r.total_rp),
            tuple(lines.get(r.id, ())),
            int(counts.get(r.id, 0)),
            voids.get(r.id, (None,))[0],
            disputes.get(r.id, (None,))[0],
            disputes.get(r.id, (None, None))[1],
        )
        for r in rows
    ]


def _sale_columns() -> tuple[Any, ...]:
    tx = schema.transactions
    return (tx.c.id, tx.c.at, tx.c.day, tx.c.unit, tx.c.device, tx.c.member, tx.c.payment, tx.c.total_rp)


def sale(ledger: Ledger, txid: str) -> Sale | None:
    """Sale ``txid`` with every line, its void and dispute; None when there is no such sale."""
    if not wire.ID_RE.match(txid):
        return None
    tx = schema.transactions
    with ledger.read() as conn:
        rows = conn.execute(select(*_sale_columns()).where(tx.c.id == txid, tx.c.kind == "sale")).all()
        found = _sales(conn, rows, None)
    return found[0] if found else None


@dataclass(frozen=True)
class SalesPage:
    """One page of a member's sales of a period, newest first, with the period's count and the total of
    the sales not voided."""

    sales: tuple[Sale, ...]
    count: int
    total_rp: int


def member_sales(
    ledger: Ledger, number: str, lo: str, hi: str, *, limit: int, offset: int = 0, totals: bool = True
) -> SalesPage:
    """Member ``number``'s sales from day ``lo`` to ``hi`` (inclusive): ``limit`` of them from ``offset``,
    newest first, each with its first items, its void and its dispute. Without ``totals`` the page's
    count and total are left at 0 (the home page's latest few need neither)."""
    tx = schema.transactions
    void = tx.alias("v")
    mine = and_(tx.c.member == number, tx.c.kind == "sale", tx.c.day >= lo, tx.c.day <= hi)
    not_voided = ~exists().where(void.c.kind == "void", void.c.ref == tx.c.id)
    with ledger.read() as conn:
        count = total_rp = 0
        if totals:
            count = int(conn.execute(select(func.count()).select_from(tx).where(mine)).scalar_one())
            total = conn.execute(select(func.coalesce(func.sum(tx.c.total_rp), 0)).where(mine, not_voided))
            total_rp = int(total.scalar_one())
        rows = conn.execute(
            select(*_sale_columns())
            .where(mine)
            .order_by(tx.c.ts.desc(), tx.c.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        sales = _sales(conn, rows, MAX_ITEMS_LISTED)
    return SalesPage(tuple(sales), count, total_rp)


def dispute_of(ledger: Ledger, txid: str) -> str | None:
    """The id of the first dispute of transaction ``txid``, or None."""
    tx = schema.transactions
    with ledger.read() as conn:
        return conn.execute(
            select(tx.c.id).where(tx.c.kind == "dispute", tx.c.ref == txid).order_by(tx.c.ts).limit(1)
        ).scalar_one_or_none()
