"""Bringing opening balances into the ledger, once, and reversing them: the store side of ``opening``.

All or nothing: every row is checked against the ledger (members known, loan ids unused, the equity
account configured, no other opening in force) before anything is signed; then the batch's envelopes are
signed on the office chain and ingested in one call. Should the ledger still refuse one (a race with
another writer), the ones it took are voided at once, so the opening is in force whole or not at all.
A second import is refused while the first is in force; ``reverse`` voids every envelope of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from central.ledger import Ledger, schema
from central.ledger.lookups import _live_openings
from central.office import opening, record
from central.office.errors import EntryInvalid, EntryRefused, OpeningExists, OpeningRowsError
from central.office.identity import Office
from sync import envelope as wire


@dataclass(frozen=True)
class OpeningResult:
    """What an opening import or reversal committed."""

    batch: str
    entries: tuple[record.Recorded, ...]

    @property
    def debit_rp(self) -> int:
        """Sum of the debits posted (equal to the credits)."""
        return sum(line.debit_rp for entry in self.entries for line in entry.lines)


def _exists(ledger: Ledger) -> None:
    with ledger.read() as conn:
        live = _live_openings(conn)
    if live:
        batch = sorted(live)[0]
        raise OpeningExists(
            f"opening balances were already brought in (batch {batch}, {live[batch]} entries); to import "
            f"again, first reverse them: `python -m central office opening-reverse {batch} --reason ...`",
            f"saldo awal sudah dimasukkan (batch {batch}, {live[batch]} entri); untuk impor ulang, batalkan "
            f"dulu: `python -m central office opening-reverse {batch} --reason ...`",
        )


def _check_against_ledger(ledger: Ledger, rows: Sequence[opening.OpeningRow]) -> None:
    if ledger.config.opening is None:
        raise EntryInvalid(
            'the config has no opening balance equity account: add opening = "3401" (an equity account, '
            "Saldo awal) under [posting] and run `init --config` again",
            'config belum punya akun ekuitas saldo awal: tambahkan opening = "3401" '
            "(akun ekuitas, Saldo awal) di [posting] lalu jalankan lagi `init --config`",
        )
    m, lo = schema.members, schema.loans
    members = opening.members_of(rows)
    loans = {row.key: row.line for row in rows if row.what == "loan" and row.key is not None}
    with ledger.read() as conn:
        known = set(conn.execute(select(m.c.number).where(m.c.number.in_(list(members)))).scalars())
        used = set(conn.execute(select(lo.c.loan).where(lo.c.loan.in_(list(loans)))).scalars())
    problems = [
        (line, f"unknown member {number!r}; import members first")
        for number, line in members.items()
        if number not in known
    ]
    problems += [
        (
            line,
            f"loan id {loan} is already in the ledger (ids stay taken, a reversed opening's too);"
            " give another id",
        )
        for loan, line in loans.items()
        if loan in used
    ]
    selling = {u.code for u in ledger.config.units if u.accounts is not None}
    problems += [
        (row.line, f"unit {row.key} sells nothing, so it holds no stock")
        for row in rows
        if row.what == "inventory" and row.key not in selling
    ]
    if problems:
        raise OpeningRowsError(sorted(problems))


def import_opening(
    ledger: Ledger,
    office: Office,
    rows: Sequence[opening.OpeningRow],
    *,
    at: datetime | None = None,
    by: str | None = None,
) -> OpeningResult:
    """Bring the checked rows in as one opening batch on the office chain (see the module's docstring)."""
    ledger.require_current()
    _exists(ledger)  # the first thing to say; checked again holding the lock
    _check_against_ledger(ledger, rows)
    batch = wire.new_id()
    bodies = opening.bodies(rows, batch)
    stamp = record.stamp(ledger, at)
    with record.chain_lock(ledger):
        _exists(ledger)
        signed = record.sign_next(ledger, office, bodies, at=stamp, by=by)
        refused = record.ingest_signed(ledger, office, signed)
        if refused:
            _undo(ledger, office, batch, stamp, by)
            raise EntryRefused(
                f"the ledger refused part of the opening ({refused[0]}); nothing of it stays in force",
                f"buku besar menolak sebagian saldo awal ({refused[0]}); tidak ada yang berlaku",
            )
    return OpeningResult(batch, tuple(record.recorded(ledger, [env["id"] for env in signed])))


def _live_envelopes(ledger: Ledger, batch: str) -> list[str]:
    t = schema.transactions
    v = t.alias("v")
    with ledger.read() as conn:
        return list(
            conn.execute(
                select(t.c.id)
                .where(
                    t.c.kind == "opening",
                    t.c.ref == batch,
                    t.c.id.not_in(select(v.c.ref).where(v.c.kind == "void")),
                )
                .order_by(t.c.seq)
            ).scalars()
        )


def _undo(ledger: Ledger, office: Office, batch: str, stamp: str, by: str | None) -> list[str]:
    """Void every envelope of ``batch`` still in force (holding the chain lock); the void ids."""
    reason = f"pembatalan saldo awal {batch}"[: wire.MAX_TEXT_CHARS]
    bodies = [record.void_body(ledger, ident, reason) for ident in _live_envelopes(ledger, batch)]
    signed = record.sign_next(ledger, office, bodies, at=stamp, by=by)
    refused = record.ingest_signed(ledger, office, signed)
    if refused:
        raise EntryRefused(
            f"the ledger refused to reverse part of opening {batch}: {refused[0]}; run the reversal again",
            f"buku besar menolak membatalkan sebagian saldo awal {batch}: {refused[0]}; ulangi pembatalan",
        )
    return [env["id"] for env in signed]


def _check_reversible(ledger: Ledger, batch: str, ids: list[str]) -> None:
    """Refuse a reversal that would take a member's savings or loan below zero (they moved since)."""
    j = schema.journal
    config = ledger.config
    member_accounts = {code for _, code in config.posting.savings} | {config.posting.loans}
    with ledger.read() as conn:
        opened = conn.execute(
            select(j.c.member, j.c.account, func.sum(j.c.debit_rp - j.c.credit_rp))
            .where(j.c.tx.in_(ids), j.c.member.is_not(None), j.c.account.in_(sorted(member_accounts)))
            .group_by(j.c.member, j.c.account)
        ).all()
        problems = []
        for member, account, amount in opened:
            now = conn.execute(
                select(func.coalesce(func.sum(j.c.debit_rp - j.c.credit_rp), 0)).where(
                    j.c.member == member, j.c.account == account
                )
            ).scalar_one()
            if (int(now) - int(amount)) * (1 if account == config.posting.loans else -1) < 0:
                problems.append(f"{member} ({account})")
    if problems:
        shown = ", ".join(problems[:20])
        raise EntryInvalid(
            f"opening {batch} cannot be reversed: these balances moved since and would go below zero: "
            f"{shown}; reverse those later entries first",
            f"saldo awal {batch} tidak bisa dibatalkan: saldo ini sudah bergerak dan akan jadi minus: "
            f"{shown}; batalkan dulu transaksi sesudahnya",
        )


def reverse_opening(
    ledger: Ledger, office: Office, batch: str, *, at: datetime | None = None, by: str | None = None
) -> OpeningResult:
    """Void every envelope of opening ``batch``; afterwards a new opening may be imported."""
    ledger.require_current()
    stamp = record.stamp(ledger, at)
    with record.chain_lock(ledger):
        ids = _live_envelopes(ledger, batch)
        if not ids:
            raise EntryInvalid(
                f"no opening batch {batch!r} in force", f"tidak ada saldo awal {batch!r} yang berlaku"
            )
        _check_reversible(ledger, batch, ids)
        voids = _undo(ledger, office, batch, stamp, by)
    return OpeningResult(batch, tuple(record.recorded(ledger, voids)))
