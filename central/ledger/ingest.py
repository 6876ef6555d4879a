"""Ingest: checked, idempotent, chunked posting of envelopes into the ledger.

Each chunk of at most ``CHUNK_SIZE`` envelopes is one database transaction: the state the checks need
(existing ids, members, products, devices, referenced transactions, member balances) is read once per chunk,
every envelope is checked and posted in Python, and the rows go in with one ``executemany`` per table.
Invalid envelopes go to the quarantine table with a readable reason; the rest of the chunk is committed.

Signatures are checked once per chain-linked run of a device's envelopes, not once per envelope
(``chain_runs``, ``run_verdicts``): an envelope's ``prev`` is the SHA-256 of the whole previous
envelope, signature included, so a valid signature on the last envelope of a run vouches for every
envelope before it.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import partial
from typing import Any, Final, NamedTuple, Protocol

from sqlalchemy import Connection, Engine, RootTransaction

from central.config import Config
from central.ledger import schema
from central.ledger.checks import (
    _Bad,
    _opening_loans,
    _post_now,
    _Refused,
    _State,
    _validate,
)
from central.ledger.closed import late_memo, posting_day, read_closed
from central.ledger.lookups import (
    _balances,
    _chain_breaks,
    _devices,
    _live_openings,
    _loan_outstanding,
    _lookup,
    _office_device,
    _refs,
    _seq_lookup,
    _written_off,
)
from central.ledger.parsed import _Derived, _Prepared, _Ref
from central.ledger.posting import Line, PostingError
from central.ledger.refusals import (
    REFUSAL_COLUMNS,
    body_text,
    digest,
    no_nul,
    refusal_row,
    refused_ids,
    refused_positions,
    text_or_none,
)
from central.ledger.signatures import _Verdicts, signed_and_body
from central.ledger.tables import insert_many
from central.transparency import log as transparency_log
from sync import envelope as wire
from sync.refusals import DEVICE_REVOKED


class Ledger(Protocol):
    """What ingest needs of the store (``central.ledger.store.Ledger``), so that the store may call ingest."""

    @property
    def engine(self) -> Engine: ...

    @property
    def config(self) -> Config: ...


CHUNK_SIZE: Final = 2000
# PostgreSQL advisory lock taken by each ingest chunk's transaction, so that concurrent ingests (serve and
# an operator's command) check and write one after the other, as BEGIN IMMEDIATE does on SQLite.
PG_INGEST_LOCK: Final = 0x4B4F5031
MAX_REJECTIONS_KEPT: Final = 100_000  # in one report; the quarantine table keeps them all
# Kinds whose lines name products; their lines are stored in sale_lines (join on the transaction's kind).
LINE_KINDS: Final = ("sale", "purchase")
# The cyclic garbage collector's thresholds while envelopes are parsed and ingested (``relaxed_collector``;
# Python's are 700, 10, 10). Each envelope allocates a few dozen dicts, lists and tuples that live until
# its chunk commits, so at the defaults the collector ran every few dozen envelopes and kept re-scanning
# the chunks in flight: about 12 % of a backlog drain through ``central serve``. Ingest makes no
# reference cycles of its own (reference counting frees its garbage), so a first-generation pass every
# 100,000 allocations costs little memory; the older generations keep Python's ratios (a full pass
# every hundred first-generation ones), so cycles made elsewhere in a long-running serve still go.
GC_THRESHOLDS: Final = (100_000, 10, 10)


class Rejection(NamedTuple):
    """An envelope that was not committed, and why (also stored in the quarantine table)."""

    id: str | None
    device: str | None
    seq: int | None
    reason: str


@dataclass
class IngestReport:
    """What one ``ingest`` call did: ids committed, ids seen before with equal content, rejections."""

    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was rejected."""
        return not self.rejected


@dataclass
class _Chunk:
    """Rows to write for one chunk."""

    tx_rows: list[tuple[Any, ...]] = field(default_factory=list)
    sale_rows: list[tuple[Any, ...]] = field(default_factory=list)
    journal_rows: list[tuple[Any, ...]] = field(default_factory=list)
    loan_rows: list[tuple[Any, ...]] = field(default_factory=list)
    links: list[tuple[str, int, str, str]] = field(default_factory=list)  # (device, seq, prev, chain)
    break_rows: list[tuple[str, int]] = field(default_factory=list)
    quarantine_rows: list[tuple[Any, ...]] = field(default_factory=list)
    refusal_rows: list[tuple[Any, ...]] = field(default_factory=list)


def chunks(items: Iterable[Any], size: int | None = None) -> Iterator[list[Any]]:
    """Split an iterable into lists of at most ``size`` (default ``CHUNK_SIZE``) items."""
    size = size or CHUNK_SIZE
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _ParsedChunk:
    """One chunk after parsing and shape checks, before any database work."""

    parsed: list[_Prepared]
    out: _Chunk
    rejected: list[Rejection]
    now: int


@dataclass
class Prepared:
    """Envelopes parsed and shape-checked ahead of their database transaction (``prepare``); ingest
    fills its chunks' rows, so it is ingested once."""

    chunks: list[_ParsedChunk]


def _parsed_chunks(envelopes: Iterable[Any], config: Config | None = None) -> Iterator[_ParsedChunk]:
    for batch in chunks(envelopes):
        now = int(time.time())
        out = _Chunk()
        local = IngestReport()
        parsed = _parse_all(batch, local, out, now, config)
        yield _ParsedChunk(parsed, out, local.rejected, now)


_collector_lock = threading.Lock()
_collector_users: list[tuple[int, int, int]] = []  # each holds the thresholds from before the first


@contextlib.contextmanager
def relaxed_collector() -> Iterator[None]:
    """Run with the garbage collector's thresholds at ``GC_THRESHOLDS``. Calls may nest and overlap
    across threads (serve's threads, the tests' servers): the last to leave restores the thresholds
    from before the first came in."""
    with _collector_lock:
        _collector_users.append(_collector_users[0] if _collector_users else gc.get_threshold())
        gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        with _collector_lock:
            before = _collector_users.pop()
            if not _collector_users:
                gc.set_threshold(*before)


def prepare(envelopes: Iterable[Any], config: Config | None = None) -> Prepared:
    """Parse and shape-check envelopes without the database (pure): the part of ingest that needs no
    ledger state, so that ``central serve`` does it for the next round on one thread while another
    writes and commits the previous one. With the ledger's ``config`` it also works out each
    envelope's date and journal lines. ``ingest(ledger, prepare(items, ledger.config))`` equals
    ``ingest(ledger, items)``; keep the input bounded (it is held in memory whole)."""
    with relaxed_collector():
        return Prepared(list(_parsed_chunks(envelopes, config)))


def ingest(
    ledger: Ledger,
    envelopes: Iterable[Any] | Prepared,
    *,
    require_signature: bool = False,
    expected_device: str | None = None,
    retry: bool = False,
) -> IngestReport:
    """Check and commit envelopes (dicts, JSON bytes or text, or ``prepare``'s result); see
    ``Ledger.ingest``. ``retry`` (the office's ``quarantine retry``) checks again an envelope that was
    refused before; otherwise such an envelope is refused again with its stored reason.

    Each chunk is one write transaction: parse and shape-check (pure), read the state the checks need,
    check every envelope against it, write the rows, commit. A plain iterable is parsed chunk by chunk
    as it is consumed, so a long file is never held whole.
    """
    with relaxed_collector():
        return _ingest(ledger, envelopes, require_signature, expected_device, retry)


def _ingest(
    ledger: Ledger,
    envelopes: Iterable[Any] | Prepared,
    require_signature: bool,
    expected_device: str | None,
    retry: bool = False,
) -> IngestReport:
    report = IngestReport()
    parsed_chunks = envelopes.chunks if isinstance(envelopes, Prepared) else _parsed_chunks(envelopes)
    for chunk in parsed_chunks:
        room = MAX_REJECTIONS_KEPT - len(report.rejected)
        report.rejected.extend(chunk.rejected[: max(room, 0)])
        conn = ledger.engine.connect().execution_options(immediate=True)
        try:
            txn = conn.begin()
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (PG_INGEST_LOCK,))
            _check_chunk(
                conn,
                ledger,
                chunk.parsed,
                report=report,
                out=chunk.out,
                now=chunk.now,
                require_signature=require_signature,
                expected_device=expected_device,
                retry=retry,
            )
        except BaseException:
            conn.close()  # rolls back
            raise
        _finish(conn, txn, chunk.out)
    return report


def _finish(conn: Connection, txn: RootTransaction, out: _Chunk) -> None:
    """Write a checked chunk's rows and commit; roll back on any error."""
    try:
        _write(conn, out)
        txn.commit()
    finally:
        conn.close()


def _stamp(env: Mapping[str, Any], tz: tzinfo) -> tuple[int, str]:
    """(Unix time, local day in ``tz``) of an envelope's ``at``."""
    stamp = datetime.fromisoformat(env["at"])
    return int(stamp.timestamp()), stamp.astimezone(tz).date().isoformat()


def _derive(env: Mapping[str, Any], config: Config) -> _Derived | None:
    """``_Derived`` of a shape-checked envelope; anything that fails is left to the checks, which then
    refuse it with the reason they always give, in their order."""
    try:
        ts, day = _stamp(env, config.tz)
    except (ValueError, OverflowError, OSError):
        return None
    amounts: list[tuple[int, int]] = []
    lines: tuple[Line, ...] | None = None
    if env["kind"] not in ("void", "dispute") and config.unit(env["unit"]) is not None:
        try:
            amounts, lines = _post_now(env, config)
        except Exception:  # posted again, in order, by the checks, which name the reason
            amounts, lines = [], None
    return _Derived(config, ts, day, amounts, lines)


def _parse_all(
    batch: list[Any], report: IngestReport, out: _Chunk, now: int, config: Config | None = None
) -> list[_Prepared]:
    """Parse and shape-check a chunk (pure); refusals go to ``out.quarantine_rows``."""
    parsed: list[_Prepared] = []
    for item in batch:
        try:
            if isinstance(item, dict):
                env = item  # its size is checked once encoded, below
            elif isinstance(item, bytes | bytearray | str):
                env = wire.parse(bytes(item) if isinstance(item, bytearray) else item)
            else:
                raise wire.EnvelopeError(f"an envelope must be a JSON object, got {type(item).__name__}")
            wire.check(env)  # free text (clerk, note, reason, supplier) included
            signed_bytes, body = signed_and_body(env)
            if len(body) > wire.MAX_ENVELOPE_BYTES:
                raise wire.EnvelopeError(
                    f"envelope is more than the limit of {wire.MAX_ENVELOPE_BYTES} bytes"
                )
        except (wire.EnvelopeError, TypeError, ValueError, KeyError) as err:
            env_any = item if isinstance(item, dict) else {}
            _reject(report, out, now, env_any, raw=item, reason=str(err))
            continue
        parsed.append(
            _Prepared(
                env,
                item,
                signed_bytes,
                hashlib.sha256(signed_bytes).hexdigest(),
                body,
                hashlib.sha256(body).hexdigest(),
                _derive(env, config) if config is not None else None,
            )
        )
    return parsed


def _reject(
    report: IngestReport, out: _Chunk, now: int, env: Mapping[str, Any], *, raw: Any, reason: str
) -> str:
    ident = text_or_none(env.get("id"))
    device = text_or_none(env.get("device"))
    seq_value = env.get("seq")
    seq = seq_value if isinstance(seq_value, int) and not isinstance(seq_value, bool) else None
    if seq is not None and not -(2**62) < seq < 2**62:
        seq = None
    if len(report.rejected) < MAX_REJECTIONS_KEPT:
        report.rejected.append(Rejection(ident, device, seq, reason))
    body = no_nul(body_text(raw))
    reason = no_nul(reason)
    row_digest = digest(ident, reason, body)
    out.quarantine_rows.append((now, ident, device, seq, reason, body, row_digest))
    return row_digest


def _check_chunk(
    conn: Connection,
    ledger: Ledger,
    parsed: list[_Prepared],
    *,
    report: IngestReport,
    out: _Chunk,
    now: int,
    require_signature: bool,
    expected_device: str | None,
    retry: bool = False,
) -> None:
    """Read the state a chunk needs, check every envelope against it, and fill ``out`` with rows."""
    config = ledger.config
    tz = config.tz
    posting = config.posting
    member_accounts = {code for _, code in posting.savings} | {posting.loans}
    unit_codes = {u.code for u in config.units}
    envs = [item.env for item in parsed]
    ids = list({env["id"] for env in envs})
    refs = list({env["ref"] for env in envs if env["kind"] in ("void", "dispute")})
    members_needed = list({env["member"] for env in envs if env["member"] is not None})
    # Savings and loan balances are checked for the other kinds only: a sale or purchase touches neither.
    members_with_balances = list(
        {env["member"] for env in envs if env["member"] is not None and env["kind"] not in LINE_KINDS}
    )
    skus = list(
        {line["sku"] for env in envs if env["kind"] in (*LINE_KINDS, "count_line") for line in env["lines"]}
    )
    loan_ids = list({env["loan"] for env in envs if "loan" in env} | _opening_loans(envs))
    dev_names = list({env["device"] for env in envs})

    state = _State(
        existing=_lookup(conn, schema.transactions.c.id, ids, schema.transactions.c.content),
        seq_taken=_seq_lookup(conn, parsed),
        known_members=set(_lookup(conn, schema.members.c.number, members_needed, schema.members.c.number)),
        product_units=_lookup(conn, schema.products.c.sku, skus, schema.products.c.unit),
        devices=_devices(conn, dev_names),
        ref_rows=_refs(conn, refs),
        voided=set(
            _lookup(
                conn,
                schema.transactions.c.ref,
                refs,
                schema.transactions.c.ref,
                schema.transactions.c.kind == "void",
            )
        ),
        balances=_balances(conn, members_with_balances, member_accounts),
        loan_owner=_lookup(conn, schema.loans.c.loan, loan_ids, schema.loans.c.member),
    )
    ref_loans = {ref.loan for ref in state.ref_rows.values() if ref.loan is not None}
    state.loans_account = posting.loans
    state.loan_outstanding = _loan_outstanding(conn, sorted(set(loan_ids) | ref_loans), posting.loans)
    if any(env["kind"] in ("installment", "journal") for env in envs):
        state.written_off = _written_off(conn, loan_ids)
    if any(env["kind"] in ("journal", "savings_withdrawal") for env in envs):
        state.office_device = _office_device(conn)
    if any(env["kind"] == "opening" for env in envs):
        state.openings = _live_openings(conn)
    state.closed = read_closed(conn)
    state.refused = refused_ids(conn, ids)
    state.refused_at = refused_positions(conn, parsed)

    verdicts = _Verdicts(parsed, state.devices)
    for index, (env, raw, _, content, body, chain, derived) in enumerate(parsed):
        ident = env["id"]
        known = state.existing.get(ident)
        if known is not None:
            if known == content:
                report.duplicates.append(ident)
            else:
                reason = f"conflict: id {ident} was already committed with other content"
                _reject(report, out, now, env, raw=raw, reason=reason)
            continue
        refused = state.refused.get(ident)
        if refused is not None and not retry:  # processed before: refused again, stored once
            same = refused[0] == content
            reason = refused[1] if same else f"conflict: id {ident} was already refused with other content"
            _reject(report, out, now, env, raw=raw, reason=reason)
            continue
        placed = False
        try:
            placed = _admit(
                env,
                authentic=partial(verdicts.authentic, index),
                state=state,
                require_signature=require_signature,
                expected_device=expected_device,
            )
            lines, amounts = _validate(
                env,
                derived=derived,
                config=config,
                state=state,
                unit_codes=unit_codes,
                member_accounts=member_accounts,
            )
        except (_Bad, PostingError) as err:
            row_digest = _reject(report, out, now, env, raw=raw, reason=str(err))
            if placed and isinstance(err, _Refused):
                _place(parsed[index], str(err), row_digest, state=state, out=out, now=now)
            continue
        _accept(
            env,
            derived=derived,
            body=body,
            chain=chain,
            content=content,
            lines=lines,
            amounts=amounts,
            state=state,
            tz=tz,
            now=now,
            out=out,
        )
        report.accepted.append(ident)

    out.quarantine_rows = _new_quarantine_rows(conn, out.quarantine_rows)
    out.break_rows = _chain_breaks(conn, out.links)


def _new_quarantine_rows(conn: Connection, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows whose refusal (digest: id and reason) is stored neither yet nor earlier in the chunk."""
    q = schema.quarantine
    stored = set(_lookup(conn, q.c.digest, list({row[6] for row in rows}), q.c.digest))
    fresh = []
    for row in rows:
        if row[6] not in stored:
            stored.add(row[6])
            fresh.append(row)
    return fresh


def _place(item: _Prepared, reason: str, row_digest: str, *, state: _State, out: _Chunk, now: int) -> None:
    """Let an authentic refused envelope hold its chain position (``central.ledger.refusals``); its
    links to its neighbours are checked like a committed envelope's."""
    env = item.env
    key = (env["device"], env["seq"])
    if key in state.refused_at or key in state.seq_taken:
        return
    out.refusal_rows.append(refusal_row(item, reason, row_digest, now))
    out.links.append((env["device"], env["seq"], env["prev"], item.chain))
    state.refused_at[key] = env["id"]
    state.refused[env["id"]] = (item.content, reason)


def _admit(
    env: dict[str, Any],
    *,
    authentic: Callable[[], bool],
    state: _State,
    require_signature: bool,
    expected_device: str | None,
) -> bool:
    """Check sender, device, signature and seq; raises _Bad with the reason. True when the envelope is
    authentic (signed by, or vouched for by a signature of, its registered and unrevoked device)."""
    device = env["device"]
    if expected_device is not None and device != expected_device:
        raise _Bad(f"device {device} in the envelope does not match the sender {expected_device}")
    registered = state.devices.get(device)
    if registered is not None and registered.revoked:
        why = f" ({registered.revoked_reason})" if registered.revoked_reason else ""
        raise _Bad(f"{DEVICE_REVOKED}{why}: {device} may no longer send transactions")
    if registered is None and require_signature:
        raise _Bad(f"unknown device {device}: register it with `devices add` before it sends")
    must_verify = registered is not None and ("sig" in env or require_signature)
    if must_verify and not authentic():
        what = "missing signature" if "sig" not in env else "bad signature"
        raise _Bad(f"{what}: not signed by the registered key of device {device}")
    other = state.seq_taken.get((device, env["seq"]))
    if other is not None:
        raise _Bad(f"conflict: seq {env['seq']} of device {device} is already used by transaction {other}")
    held = state.refused_at.get((device, env["seq"]))
    if held is not None and held != env["id"]:
        raise _Bad(f"conflict: seq {env['seq']} of device {device} is held by refused transaction {held}")
    return registered is not None and "sig" in env


def _accept(
    env: dict[str, Any],
    *,
    derived: _Derived | None,
    body: bytes,
    chain: str,
    content: str,
    lines: tuple[Line, ...],
    amounts: list[tuple[int, int]],
    state: _State,
    tz: tzinfo,
    now: int,
    out: _Chunk,
) -> None:
    ident = env["id"]
    if derived is not None and derived.config.tz is tz:
        ts, day = derived.ts, derived.day
    else:
        ts, day = _stamp(env, tz)
    if state.closed and int(day[:4]) in state.closed:  # late for a closed year: into the open period
        lines = tuple(line._replace(memo=late_memo(line.memo, day)) for line in lines)
        day = posting_day(day, state.closed)
    kind = env["kind"]
    member = env["member"]
    signed = "sig" in env and env["device"] in state.devices
    out.links.append((env["device"], env["seq"], env["prev"], chain))
    out.tx_rows.append(
        (
            ident,
            env["device"],
            env["seq"],
            env["prev"],
            chain,
            content,
            env["at"],
            ts,
            day,
            env["unit"],
            kind,
            member,
            env["payment"],
            env["total"],
            env.get("product"),
            env.get("loan"),
            env.get("principal_rp"),
            env.get("interest_rp"),
            env.get("ref", env.get("batch")),  # an opening's batch id
            env.get("reason"),
            env.get("clerk"),
            env.get("note"),
            signed,
            now,
            body.decode("utf-8"),
            sum(cost for _, cost in amounts) if kind in LINE_KINDS else None,  # cost_rp: margins, no join
        )
    )
    if kind in LINE_KINDS:
        for number, (line, (amount, cost)) in enumerate(zip(env["lines"], amounts, strict=True), 1):
            out.sale_rows.append(
                (
                    ident,
                    number,
                    line["sku"],
                    str(line["qty"]),
                    line["price_rp"],
                    line["cost_rp"],
                    amount,
                    cost,
                )
            )
    for number, line in enumerate(lines, start=1):
        out.journal_rows.append(
            (
                ident,
                number,
                day,
                ts,
                line.account,
                line.debit_rp,
                line.credit_rp,
                line.unit,
                member,
                line.memo,
            )
        )
        if member is not None and kind != "sale":  # balances the checks use: savings and loans
            key = (member, line.account)
            state.balances[key] = state.balances.get(key, 0) + line.debit_rp - line.credit_rp
    if kind == "loan_disbursement":
        out.loan_rows.append((env["loan"], member, env["total"], ident, day))
        state.loan_owner[env["loan"]] = member
        state.loan_outstanding[env["loan"]] = env["total"]
    if kind == "installment":
        loan = env["loan"]
        state.loan_outstanding[loan] = state.loan_outstanding.get(loan, 0) - env["principal_rp"]
    if kind == "journal" and env.get("loan") is not None:
        loan = env["loan"]
        change = sum(x.debit_rp - x.credit_rp for x in lines if x.account == state.loans_account)
        state.loan_outstanding[loan] = state.loan_outstanding.get(loan, 0) + change
        if env["purpose"] == "write_off":
            state.written_off.setdefault(loan, day)
    if kind == "opening":
        state.openings[env["batch"]] = state.openings.get(env["batch"], 0) + 1
        for item in env["items"]:
            if item["what"] == "loan":
                out.loan_rows.append((item["loan"], member, item["amount_rp"], ident, day))
                state.loan_owner[item["loan"]] = member
                state.loan_outstanding[item["loan"]] = item["amount_rp"]
    if kind == "void":
        state.voided.add(env["ref"])
        original = state.ref_rows[env["ref"]]
        if original.loan is not None:
            change = -original.principal_rp if original.kind == "loan_disbursement" else original.principal_rp
            state.loan_outstanding[original.loan] = state.loan_outstanding.get(original.loan, 0) + change
    state.existing[ident] = content
    state.seq_taken[(env["device"], env["seq"])] = ident
    principal_rp = (
        env["principal_rp"] if kind == "installment" else env["total"] if kind == "loan_disbursement" else 0
    )
    state.ref_rows[ident] = _Ref(
        kind, member, env["payment"], env["total"], env["unit"], lines, env.get("loan"), principal_rp
    )


def _write(conn: Connection, out: _Chunk) -> None:
    insert_many(conn, schema.transactions, out.tx_rows)
    transparency_log.append(conn, out.tx_rows, schema.transactions)  # leaves commit with their transactions
    insert_many(conn, schema.sale_lines, out.sale_rows)
    insert_many(conn, schema.journal, out.journal_rows)
    insert_many(conn, schema.loans, out.loan_rows)
    insert_many(conn, schema.chain_breaks, out.break_rows)
    insert_many(
        conn,
        schema.quarantine,
        out.quarantine_rows,
        columns=("received_ts", "id", "device", "seq", "reason", "body", "digest"),
    )
    insert_many(conn, schema.refusals, out.refusal_rows, columns=REFUSAL_COLUMNS)
