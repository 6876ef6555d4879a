"""The ledger state one ingest chunk is checked against, read once per chunk: members, devices, seqs
already committed, chain links, referenced transactions, loans outstanding and member balances."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Connection, and_, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql

from central.ledger import schema
from central.ledger.parsed import _Device, _Prepared, _Ref
from central.ledger.posting import Line
from sync import envelope as wire

# Values per IN list of one lookup query (a long IN list is slow to plan on PostgreSQL).
IN_LIST_MAX: Final = 2000
# A device's seqs in a chunk are looked up with one BETWEEN when they span at most this many times their
# count (the usual in-order run), else with IN.
SEQ_RANGE_FACTOR: Final = 4
# The ``meta`` key holding the office's device id (written by ``central.office.identity.init``).
OFFICE_DEVICE_KEY: Final = "office_device"


def _member_of(conn: Connection, column: Any, values: list[Any]) -> Any:
    """``column IN values``; on PostgreSQL ``= ANY(array)``, one parameter instead of thousands to plan."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


def _lookup(conn: Connection, key: Any, values: list[Any], value_col: Any, *where: Any) -> dict[Any, Any]:
    result: dict[Any, Any] = {}
    if not values:
        return result
    table = key.table
    for start in range(0, len(values), IN_LIST_MAX):
        part = values[start : start + IN_LIST_MAX]
        query = select(key, value_col).select_from(table).where(_member_of(conn, key, part), *where)
        for k, v in conn.execute(query):
            result[k] = v
    return result


def _chain_breaks(conn: Connection, links: list[tuple[str, int, str, str]]) -> list[tuple[str, int]]:
    """(device, seq) of accepted envelopes whose link to a committed neighbour is broken: their ``prev`` is
    not the previous seq's chain hash, or the next seq's ``prev`` is not theirs."""
    if not links:
        return []
    known: dict[tuple[str, int], tuple[str, str]] = {(d, s): (p, c) for d, s, p, c in links}
    wanted: dict[str, set[int]] = {}
    for device, seq, _, _ in links:
        for other in (seq - 1, seq + 1):
            if other >= 1 and (device, other) not in known:
                wanted.setdefault(device, set()).add(other)
    # Authentic refused envelopes hold their positions too (schema.refusals): their links count.
    for table in (schema.refusals, schema.transactions):
        for device, seqs in wanted.items():
            ordered = sorted(seqs)
            for start in range(0, len(ordered), IN_LIST_MAX):
                part = ordered[start : start + IN_LIST_MAX]
                c = table.c
                query = select(c.seq, c.prev, c.chain).where(c.device == device, c.seq.in_(part))
                for seq, prev, chain in conn.execute(query):
                    known[(device, int(seq))] = (prev, chain)
    breaks: set[tuple[str, int]] = set()
    for device, seq, prev, chain in links:
        before = known.get((device, seq - 1))
        if before is not None and before[1] != prev:
            breaks.add((device, seq))
        after = known.get((device, seq + 1))
        if after is not None and after[0] != chain:
            breaks.add((device, seq + 1))
    cb = schema.chain_breaks
    for device in {device for device, _ in breaks}:  # rare: a break found again (a retried refusal)
        stored = conn.execute(select(cb.c.seq).where(cb.c.device == device)).scalars()
        breaks -= {(device, int(seq)) for seq in stored}
    return sorted(breaks)


def _seq_lookup(conn: Connection, parsed: list[_Prepared]) -> dict[tuple[str, int], str]:
    by_device: dict[str, set[int]] = {}
    for env, *_ in parsed:
        by_device.setdefault(env["device"], set()).add(env["seq"])
    t = schema.transactions
    taken: dict[tuple[str, int], str] = {}
    for device, seqs in by_device.items():
        low, high = min(seqs), max(seqs)
        if high - low < SEQ_RANGE_FACTOR * len(seqs):  # a device's run of seqs: one range scan
            where = t.c.seq.between(low, high)
        else:
            where = t.c.seq.in_(sorted(seqs))
        for seq, ident in conn.execute(select(t.c.seq, t.c.id).where(t.c.device == device, where)):
            if int(seq) in seqs:
                taken[(device, int(seq))] = ident
    return taken


def _devices(conn: Connection, names: list[str]) -> dict[str, _Device]:
    d = schema.devices
    if not names:
        return {}
    rows = conn.execute(
        select(d.c.device, d.c.public_key, d.c.revoked_ts, d.c.revoked_reason).where(d.c.device.in_(names))
    )
    return {
        name: _Device(wire.load_public_key(key), revoked is not None, reason)
        for name, key, revoked, reason in rows
    }


def _refs(conn: Connection, refs: list[str]) -> dict[str, _Ref]:
    if not refs:
        return {}
    t = schema.transactions
    j = schema.journal
    found: dict[str, _Ref] = {}
    rows = conn.execute(
        select(
            t.c.id, t.c.kind, t.c.member, t.c.payment, t.c.total_rp, t.c.unit, t.c.loan, t.c.principal_rp
        ).where(t.c.id.in_(refs))
    ).all()
    lines: dict[str, list[Line]] = {}
    query = (
        select(j.c.tx, j.c.account, j.c.debit_rp, j.c.credit_rp, j.c.unit, j.c.memo)
        .where(j.c.tx.in_(refs))
        .order_by(j.c.tx, j.c.line)
    )
    for tx, account, debit, credit, unit, memo in conn.execute(query):
        lines.setdefault(tx, []).append(Line(account, int(debit), int(credit), unit, memo))
    for ident, kind, member, payment, total, unit, loan, principal in rows:
        principal_rp = (
            int(principal) if kind == "installment" else int(total) if kind == "loan_disbursement" else 0
        )
        found[ident] = _Ref(
            kind, member, payment, int(total), unit, tuple(lines.get(ident, ())), loan, principal_rp
        )
    return found


def _loan_outstanding(
    conn: Connection, loan_ids: list[str], loans_account: str | None = None
) -> dict[str, int]:
    """Principal still owed per loan: disbursed minus installments' principal, voided ones left out; with
    ``loans_account``, also the office's journals naming the loan (a write-off) on that account."""
    if not loan_ids:
        return {}
    t = schema.transactions
    owed: dict[str, int] = {}
    money: list[tuple[str, str, int]] = []  # (tx id, loan, +principal lent / -principal repaid)
    for start in range(0, len(loan_ids), IN_LIST_MAX):
        part = loan_ids[start : start + IN_LIST_MAX]
        query = select(t.c.id, t.c.kind, t.c.loan, t.c.total_rp, t.c.principal_rp).where(
            t.c.loan.in_(part), t.c.kind.in_(["loan_disbursement", "installment"])
        )
        for ident, kind, loan, total, principal in conn.execute(query):
            money.append((ident, loan, int(total) if kind == "loan_disbursement" else -int(principal or 0)))
        if loans_account is not None:
            j = schema.journal
            journals = (
                select(t.c.id, t.c.loan, func.sum(j.c.debit_rp - j.c.credit_rp))
                .select_from(t.join(j, j.c.tx == t.c.id))
                .where(t.c.loan.in_(part), t.c.kind == "journal", j.c.account == loans_account)
                .group_by(t.c.id, t.c.loan)
            )
            money.extend((ident, loan, int(change)) for ident, loan, change in conn.execute(journals))
        # Loans brought over by an opening: the loans row carries the principal still owed then.
        lo = schema.loans
        opening = select(lo.c.tx, lo.c.loan, lo.c.principal_rp).where(
            lo.c.loan.in_(part), lo.c.tx.in_(select(t.c.id).where(t.c.kind == "opening"))
        )
        money.extend((ident, loan, int(principal)) for ident, loan, principal in conn.execute(opening))
    voided = set(
        _lookup(
            conn,
            t.c.ref,
            [ident for ident, _, _ in money],
            t.c.ref,
            t.c.kind == "void",
        )
    )
    for ident, loan, amount in money:
        if ident not in voided:
            owed[loan] = owed.get(loan, 0) + amount
    return owed


def _office_device(conn: Connection) -> str | None:
    """The office's device id, or None before ``office init``."""
    m = schema.meta
    value = conn.execute(select(m.c.value).where(m.c.key == OFFICE_DEVICE_KEY)).scalar_one_or_none()
    return str(value) if value is not None else None


def _written_off(conn: Connection, loan_ids: list[str]) -> dict[str, str]:
    """The loans among ``loan_ids`` written off (a ``journal`` with purpose ``write_off`` naming the loan,
    not voided): loan id -> the write-off's day."""
    if not loan_ids:
        return {}
    t = schema.transactions
    found: dict[str, str] = {}
    rows: list[tuple[str, str, str, str]] = []
    for start in range(0, len(loan_ids), IN_LIST_MAX):
        part = loan_ids[start : start + IN_LIST_MAX]
        query = select(t.c.id, t.c.loan, t.c.day, t.c.body).where(t.c.loan.in_(part), t.c.kind == "journal")
        rows.extend((str(i), str(loan), str(day), str(body)) for i, loan, day, body in conn.execute(query))
    voided = set(_lookup(conn, t.c.ref, [r[0] for r in rows], t.c.ref, t.c.kind == "void"))
    for ident, loan, day, body in sorted(rows, key=lambda r: r[2]):
        if ident not in voided and wire.parse(body).get("purpose") == "write_off":
            found.setdefault(loan, day)
    return found


def _balances(conn: Connection, members: list[str], accounts: set[str]) -> dict[tuple[str, str], int]:
    """Balance (credit-normal for savings, debit-normal for loans) per (member, account)."""
    j = schema.journal
    result: dict[tuple[str, str], int] = {}
    for start in range(0, len(members), IN_LIST_MAX):
        part = members[start : start + IN_LIST_MAX]
        query = (
            select(j.c.member, j.c.account, func.sum(j.c.debit_rp), func.sum(j.c.credit_rp))
            .where(and_(j.c.member.in_(part), j.c.account.in_(sorted(accounts))))
            .group_by(j.c.member, j.c.account)
        )
        for member, account, debit, credit in conn.execute(query):
            result[(member, account)] = int(debit or 0) - int(credit or 0)
    return result


def _live_openings(conn: Connection) -> dict[str, int]:
    """Opening batches with envelopes not voided: batch id (the ``ref`` column) -> how many."""
    t = schema.transactions
    v = t.alias("v")
    voided = select(v.c.ref).where(v.c.kind == "void", v.c.ref.is_not(None))
    query = (
        select(t.c.ref, func.count()).where(t.c.kind == "opening", t.c.id.not_in(voided)).group_by(t.c.ref)
    )
    return {batch: int(count) for batch, count in conn.execute(query)}
