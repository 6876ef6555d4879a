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
import reprlib
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
from central.ledger.lookups import (
    _balances,
    _chain_breaks,
    _devices,
    _live_openings,
    _loan_outstanding,
    _lookup,
    _refs,
    _seq_lookup,
)
from central.ledger.parsed import _Derived, _Device, _Prepared, _Ref
from central.ledger.posting import Line, PostingError, post, reverse, sale_amounts
from central.ledger.signatures import _Verdicts, signed_and_body
from central.ledger.tables import insert_many
from sync import envelope as wire


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
class _State:
    """What the checks of one chunk need to know, read once and updated as envelopes are accepted."""

    existing: dict[str, str]  # id -> content hash
    seq_taken: dict[tuple[str, int], str]  # (device, seq) -> id
    known_members: set[str]
    product_units: dict[str, str]  # sku -> unit
    devices: dict[str, _Device]
    ref_rows: dict[str, _Ref]
    voided: set[str]
    balances: dict[tuple[str, str], int]  # (member, account) -> debits - credits
    loan_owner: dict[str, str]  # loan id -> member
    loan_outstanding: dict[str, int] = field(default_factory=dict)  # loan id -> principal still owed
    openings: dict[str, int] = field(default_factory=dict)  # opening batch not voided -> its envelopes


class _Bad(Exception):
    """One envelope refused; the message is the quarantine reason."""


def _body_text(item: Any) -> str:
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
) -> IngestReport:
    """Check and commit envelopes (dicts, JSON bytes or text, or ``prepare``'s result); see
    ``Ledger.ingest``.

    Each chunk is one write transaction: parse and shape-check (pure), read the state the checks need,
    check every envelope against it, write the rows, commit. A plain iterable is parsed chunk by chunk
    as it is consumed, so a long file is never held whole.
    """
    with relaxed_collector():
        return _ingest(ledger, envelopes, require_signature, expected_device)


def _ingest(
    ledger: Ledger, envelopes: Iterable[Any] | Prepared, require_signature: bool, expected_device: str | None
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


def _post_now(env: Mapping[str, Any], config: Config) -> tuple[list[tuple[int, int]], tuple[Line, ...]]:
    """(line amounts, journal lines) of an envelope: the lines' amounts feed the posting of line kinds."""
    if env["kind"] in LINE_KINDS:
        amounts = sale_amounts(env)
        return amounts, post(env, config, amounts)
    return [], post(env, config)


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


def _posting(
    env: Mapping[str, Any], config: Config, derived: _Derived | None
) -> tuple[list[tuple[int, int]], tuple[Line, ...]]:
    """(line amounts, journal lines) of an envelope that passed the checks before posting."""
    if derived is not None and derived.lines is not None and derived.config is config:
        return derived.amounts, derived.lines
    return _post_now(env, config)


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



def _no_nul(text: str) -> str:
    """Text a database column can hold (PostgreSQL refuses NUL characters)."""
    return text.replace("\x00", "\\u0000") if "\x00" in text else text


def _text_or_none(value: Any, limit: int = 200) -> str | None:
    return _no_nul(value[:limit]) if isinstance(value, str) else None


def _reject(
    report: IngestReport, out: _Chunk, now: int, env: Mapping[str, Any], *, raw: Any, reason: str
) -> None:
    ident = _text_or_none(env.get("id"))
    device = _text_or_none(env.get("device"))
    seq_value = env.get("seq")
    seq = seq_value if isinstance(seq_value, int) and not isinstance(seq_value, bool) else None
    if seq is not None and not -(2**62) < seq < 2**62:
        seq = None
    if len(report.rejected) < MAX_REJECTIONS_KEPT:
        report.rejected.append(Rejection(ident, device, seq, reason))
    body = _no_nul(_body_text(raw))
    reason = _no_nul(reason)
    digest = hashlib.sha256((reason + "\n" + body).encode("utf-8")).hexdigest()
    out.quarantine_rows.append((now, ident, device, seq, reason, body, digest))


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
    skus = list({line["sku"] for env in envs if env["kind"] in LINE_KINDS for line in env["lines"]})
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
    state.loan_outstanding = _loan_outstanding(conn, sorted(set(loan_ids) | ref_loans))
    if any(env["kind"] == "opening" for env in envs):
        state.openings = _live_openings(conn)
    quarantined = set(
        _lookup(
            conn,
            schema.quarantine.c.digest,
            list({row[6] for row in out.quarantine_rows}),
            schema.quarantine.c.digest,
        )
    )

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
        try:
            lines, amounts = _validate(
                env,
                derived=derived,
                authentic=partial(verdicts.authentic, index),
                config=config,
                state=state,
                unit_codes=unit_codes,
                member_accounts=member_accounts,
                require_signature=require_signature,
                expected_device=expected_device,
            )
        except _Bad as err:
            _reject(report, out, now, env, raw=raw, reason=str(err))
            continue
        except PostingError as err:
            _reject(report, out, now, env, raw=raw, reason=str(err))
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

    out.quarantine_rows = [row for row in out.quarantine_rows if row[6] not in quarantined]
    out.break_rows = _chain_breaks(conn, out.links)



def _validate(
    env: dict[str, Any],
    *,
    derived: _Derived | None,
    authentic: Callable[[], bool],
    config: Config,
    state: _State,
    unit_codes: set[str],
    member_accounts: set[str],
    require_signature: bool,
    expected_device: str | None,
) -> tuple[tuple[Line, ...], list[tuple[int, int]]]:
    """The entry's lines and, for a sale, each line's (amount_rp, cost_rp); raises _Bad with the reason."""
    amounts: list[tuple[int, int]] = []
    device = env["device"]
    if expected_device is not None and device != expected_device:
        raise _Bad(f"device {device} in the envelope does not match the sender {expected_device}")
    registered = state.devices.get(device)
    if registered is not None and registered.revoked:
        why = f" ({registered.revoked_reason})" if registered.revoked_reason else ""
        raise _Bad(f"device revoked{why}: {device} may no longer send transactions")
    if registered is None and require_signature:
        raise _Bad(f"unknown device {device}: register it with `devices add` before it sends")
    must_verify = registered is not None and ("sig" in env or require_signature)
    if must_verify and not authentic():
        what = "missing signature" if "sig" not in env else "bad signature"
        raise _Bad(f"{what}: not signed by the registered key of device {device}")
    other = state.seq_taken.get((device, env["seq"]))
    if other is not None:
        raise _Bad(f"conflict: seq {env['seq']} of device {device} is already used by transaction {other}")
    unit = env["unit"]
    if unit not in unit_codes:
        raise _Bad(f"unknown unit {unit!r}; the units are {', '.join(sorted(unit_codes))}")
    member = env["member"]
    if member is not None and member not in state.known_members:
        raise _Bad(f"unknown member {member!r}; import the member first")
    kind = env["kind"]
    if kind == "sale":
        for number, line in enumerate(env["lines"], start=1):
            sku = line["sku"]
            owner = state.product_units.get(sku)
            if owner is None:
                raise _Bad(f"line {number}: unknown sku {sku!r}; import the product first")
            if owner != unit:
                raise _Bad(f"line {number}: sku {sku!r} is sold by unit {owner}, not {unit}")
        amounts, lines = _posting(env, config, derived)
    elif kind == "purchase":
        unit_conf = config.unit(unit)
        if unit_conf is None or unit_conf.accounts is None:
            selling = ", ".join(u.code for u in config.units if u.accounts is not None)
            raise _Bad(f"unit {unit} sells nothing, so it buys no stock; a purchase names one of {selling}")
        for number, line in enumerate(env["lines"], start=1):
            sku = line["sku"]
            owner = state.product_units.get(sku)
            if owner is None:
                raise _Bad(f"line {number}: unknown sku {sku!r}; import the product before buying it")
            if owner != unit:
                raise _Bad(
                    f"line {number}: sku {sku!r} belongs to unit {owner}, not {unit}; "
                    "record the purchase under the unit that sells it"
                )
        amounts, lines = _posting(env, config, derived)
    elif kind == "void":
        ref = _ref(env, state.ref_rows)
        if ref.kind in ("void", "dispute"):
            raise _Bad(f"void refers to a {ref.kind} ({env['ref']}); only money transactions can be voided")
        if env["ref"] in state.voided:
            raise _Bad(f"transaction {env['ref']} is already voided")
        if ref.total_rp != env["total"] or ref.member != member or ref.payment != env["payment"]:
            raise _Bad(
                f"void must repeat the voided transaction's member, payment and total "
                f"({ref.member}, {ref.payment}, {ref.total_rp}); "
                f"it says ({member}, {env['payment']}, {env['total']})"
            )
        lines = reverse(ref.lines)
    elif kind == "dispute":
        ref = _ref(env, state.ref_rows)
        if ref.kind != "sale":
            raise _Bad(f"a dispute refers to a sale; {env['ref']} is a {ref.kind}")
        if ref.member != member:
            raise _Bad(f"member {member} can only dispute their own purchases; {env['ref']} is not theirs")
        lines = ()
    elif kind in ("supplier_payment", "credit_payment"):
        _, lines = _posting(env, config, derived)
    elif kind == "opening":
        _check_opening(env, config, state)
        _, lines = _posting(env, config, derived)
    else:
        if kind == "loan_disbursement":
            loan = env["loan"]
            if loan in state.loan_owner:
                raise _Bad(f"loan id {loan} is already used; give the new loan its own id")
            outstanding = state.balances.get((member, config.posting.loans), 0)
            if outstanding > 0:
                raise _Bad(
                    f"member {member} still owes Rp {outstanding:,} on a loan; "
                    "no new loan before the old one is repaid"
                )
        elif kind == "installment":
            loan = env["loan"]
            owner = state.loan_owner.get(loan)
            if owner is None:
                raise _Bad(f"unknown loan {loan!r}; it must be disbursed before installments")
            if owner != member:
                raise _Bad(f"loan {loan} belongs to member {owner}, not {member}")
            owed = state.loan_outstanding.get(loan, 0)
            if env["principal_rp"] > owed:
                raise _Bad(
                    f"loan {loan} has Rp {owed:,} principal outstanding; "
                    f"principal_rp {env['principal_rp']:,} "
                    "is more than that (pay the rest as interest or fix the amount)"
                )
        _, lines = _posting(env, config, derived)
    if kind not in LINE_KINDS:  # a sale or purchase touches no savings or loan account
        _check_member_balances(env, lines, state.balances, member_accounts, config)
    return lines, amounts


def _opening_loans(envs: list[dict[str, Any]]) -> set[str]:
    """The loan ids that opening envelopes bring over."""
    openings = [env for env in envs if env["kind"] == "opening"]
    return {item["loan"] for env in openings for item in env["items"] if item["what"] == "loan"}


def _check_opening(env: Mapping[str, Any], config: Config, state: _State) -> None:
    """Opening balances come once (one batch, unless reversed); their loan ids are new, their units sell."""
    other = sorted(batch for batch in state.openings if batch != env["batch"])
    if other:
        raise _Bad(
            f"opening balances were already brought in (batch {other[0]}); reverse that opening first "
            f"(`office opening-reverse {other[0]}`), then import again"
        )
    seen: set[str] = set()
    for number, item in enumerate(env["items"], start=1):
        if item["what"] == "loan":
            loan = item["loan"]
            if loan in state.loan_owner or loan in seen:
                raise _Bad(f"item {number}: loan id {loan} is already used; give each loan its own id")
            seen.add(loan)
        elif item["what"] == "inventory":
            unit_conf = config.unit(item["unit"])
            if unit_conf is None or unit_conf.accounts is None:
                selling = ", ".join(u.code for u in config.units if u.accounts is not None)
                raise _Bad(
                    f"item {number}: inventory of unit {item['unit']!r}; units with stock: {selling}"
                )


def _ref(env: Mapping[str, Any], ref_rows: dict[str, _Ref]) -> _Ref:
    ref = ref_rows.get(env["ref"])
    if ref is None:
        raise _Bad(f"{env['kind']} refers to unknown transaction {env['ref']}")
    return ref


def _check_member_balances(
    env: Mapping[str, Any],
    lines: tuple[Line, ...],
    balances: dict[tuple[str, str], int],
    member_accounts: set[str],
    config: Config,
) -> None:
    member = env["member"]
    if member is None:
        return
    change: dict[str, int] = {}
    for line in lines:
        if line.account in member_accounts:
            change[line.account] = change.get(line.account, 0) + line.debit_rp - line.credit_rp
    for account, delta in change.items():
        sign = 1 if account == config.posting.loans else -1  # loans are debit-normal, savings credit-normal
        before = sign * balances.get((member, account), 0)
        after = before + sign * delta
        if after < 0:
            found = config.account(account)
            name = found.name if found is not None else account
            if account == config.posting.loans:
                raise _Bad(f"member {member} owes Rp {before:,} on loans; this would take it below zero")
            raise _Bad(f"member {member} has Rp {before:,} in {name}; this would take it below zero")


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
