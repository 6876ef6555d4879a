"""Refused envelopes on ingest: the quarantine row's text and digest, and the chain positions that
authentic refused envelopes hold (the ``refusals`` table).

A refused envelope is *processed*: when it is authentic (signed by its device's registered, unrevoked
key, or vouched for by the next signed envelope of the chain), it takes its ``(device, seq)`` as a
committed transaction would, so the device's contiguous seq, and with it the ack, moves past it. Only
the key holder can make such an envelope, so nothing sent by anybody else (garbage, a forgery, a
replay with other content, another device's envelope) can make central skip a seq of a device.
"""

from __future__ import annotations

import hashlib
import reprlib
from typing import Any, Final

from sqlalchemy import Connection, select

from central.ledger import schema
from central.ledger.lookups import IN_LIST_MAX
from central.ledger.parsed import _Prepared
from sync import envelope as wire


def body_text(item: Any) -> str:
    """The envelope as received, as text a quarantine row holds (bounded, never raising)."""
    if isinstance(item, bytes | bytearray):
        text = bytes(item).decode("utf-8", errors="replace")
    elif isinstance(item, str):
        text = item
    else:
        try:
            return wire.canonical(item).decode("utf-8")[: schema.MAX_QUARANTINE_BODY]
        except (TypeError, ValueError, RecursionError):
            try:
                text = repr(item)
            except RecursionError:  # nested thousands deep: shown to a bounded depth
                text = reprlib.repr(item)
    return text[: schema.MAX_QUARANTINE_BODY]


def no_nul(text: str) -> str:
    """Text a database column can hold (PostgreSQL refuses NUL characters)."""
    return text.replace("\x00", "\\u0000") if "\x00" in text else text


def text_or_none(value: Any, limit: int = 200) -> str | None:
    """``value`` cut to ``limit`` when it is text, else None."""
    return no_nul(value[:limit]) if isinstance(value, str) else None


def digest(ident: str | None, reason: str, body: str) -> str:
    """The quarantine row's key: one row per envelope id and reason, however often the envelope comes
    again (a device resending until it is acked); per body and reason when there is no id."""
    key = f"id:{ident}" if ident is not None else f"body:{body}"
    return hashlib.sha256((reason + "\n" + key).encode("utf-8")).hexdigest()


def refused_ids(conn: Connection, ids: list[str]) -> dict[str, tuple[str, str]]:
    """id -> (content hash, reason) of the envelopes among ``ids`` that already hold a refusal."""
    r = schema.refusals
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(ids), IN_LIST_MAX):
        part = ids[start : start + IN_LIST_MAX]
        query = select(r.c.id, r.c.content, r.c.reason).where(r.c.id.in_(part))
        for ident, content, reason in conn.execute(query):
            found[ident] = (content, reason)
    return found


def refused_positions(conn: Connection, parsed: list[_Prepared]) -> dict[tuple[str, int], str]:
    """(device, seq) -> id of the refusals at the chain positions a chunk names."""
    by_device: dict[str, set[int]] = {}
    for item in parsed:
        by_device.setdefault(item.env["device"], set()).add(item.env["seq"])
    r = schema.refusals
    taken: dict[tuple[str, int], str] = {}
    for device, seqs in by_device.items():
        query = select(r.c.seq, r.c.id).where(r.c.device == device, r.c.seq.between(min(seqs), max(seqs)))
        for seq, ident in conn.execute(query):
            if int(seq) in seqs:
                taken[(device, int(seq))] = ident
    return taken


def refusal_row(item: _Prepared, reason: str, row_digest: str, now: int) -> tuple[Any, ...]:
    """The ``refusals`` row of an authentic refused envelope."""
    env = item.env
    return (
        env["device"],
        env["seq"],
        env["id"],
        item.content,
        env["prev"],
        item.chain,
        no_nul(reason),
        row_digest,
        now,
    )


REFUSAL_COLUMNS: Final = (
    "device",
    "seq",
    "id",
    "content",
    "prev",
    "chain",
    "reason",
    "digest",
    "received_ts",
)
