"""The audit: recompute the log from the books as they are now and hold it against what was signed.

``audit`` streams the leaves in order beside the transactions they name, once, and reports every
difference as a ``Finding`` that names what broke:

- a position missing from the log (a ``log_leaves`` row removed);
- a transaction of the log missing from the books (a ``transactions`` row deleted);
- a transaction whose envelope no longer hashes to its leaf (its row was edited);
- a transaction column that disagrees with its own envelope (a row edited beside its envelope);
- a transaction in the books that the log never saw (inserted behind the log's back);
- a block of 16 or more leaves whose hash is not the one stored when they were appended (reordered);
- a checkpoint (kept in the database, given by a witness, or kept or refused by a device as its witness
  report says) whose signature fails, or whose tree is not the one recomputed now: the log was rewritten
  after the last checkpoint that still matches, or central showed a device a forked one;
- a device that reported a problem with the log (``central.transparency.witnesses``);
- with ``journal``, a transaction whose journal lines are not what its envelope posts (``check_journal``).

It reads the ledger's tables by name (the log sits below the ledger); the journal's posting rules come
from the caller.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, column, select, table

from central.transparency import log as tlog
from central.transparency import witnesses
from central.transparency.tables import LEVEL_SHIFT, STORED_LEVEL, log_leaves, log_nodes
from sync import checkpoint as note
from sync import merkle

MAX_FINDINGS: Final = 200
READ_BATCH: Final = 20_000
# transactions column -> the envelope member it copies (ingest writes them from the envelope)
COPIED: Final = (
    ("device", "device"),
    ("seq", "seq"),
    ("kind", "kind"),
    ("member", "member"),
    ("total_rp", "total"),
    ("unit", "unit"),
    ("payment", "payment"),
    ("at", "at"),
)
TX: Final = table("transactions", *(column(name) for name in ("id", "body", "ref", *(c for c, _ in COPIED))))
JOURNAL: Final = table(
    "journal", column("tx"), column("line"), column("account"), column("debit_rp"), column("credit_rp")
)


@dataclass(frozen=True)
class Finding:
    """One thing the audit found wrong: a short code, and what it is in English and Indonesian."""

    code: str
    en: str
    id_: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.id_


@dataclass(frozen=True)
class Report:
    """What the audit checked and found."""

    leaves: int
    checkpoints: int
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings


class _Found:
    def __init__(self) -> None:
        self.items: list[Finding] = []

    def add(self, code: str, en: str, id_: str) -> None:
        if len(self.items) < MAX_FINDINGS:
            self.items.append(Finding(code, en, id_))


def audit(
    conn: Connection,
    verifier: note.VerifierKey | None = None,
    witnessed: Sequence[str] = (),
    journal: Callable[[dict[str, Any], Callable[[str], Any]], Sequence[tuple[str, int, int]]] | None = None,
) -> Report:
    """Check the log against the books and against every checkpoint kept (and ``witnessed``: checkpoint
    notes kept elsewhere), signatures by ``verifier`` (default: the log's own key as stored)."""
    found = _Found()
    settings = tlog.meta(conn)
    if verifier is None and "verifier" in settings:
        verifier = note.parse_verifier(settings["verifier"])
    wanted = _checkpoints(conn, verifier, witnessed, found)
    stored_nodes = {int(k): bytes(h) for k, h in conn.execute(select(log_nodes.c.node, log_nodes.c.hash))}
    frontier = merkle.Frontier()
    held = _Held(found)
    if 0 in wanted:
        held.check(wanted[0], merkle.EMPTY_ROOT)
    expected = 0
    query = (
        select(log_leaves.c.idx, log_leaves.c.tx, log_leaves.c.hash, TX.c.body, *(TX.c[c] for c, _ in COPIED))
        .select_from(log_leaves.outerjoin(TX, TX.c.id == log_leaves.c.tx))
        .order_by(log_leaves.c.idx)
    )
    for row in conn.execute(query).yield_per(READ_BATCH):
        index, tx = int(row.idx), str(row.tx)
        if index != expected:
            found.add(
                "leaf_missing",
                f"positions {expected}..{index - 1} are missing from the log (rows of log_leaves removed)",
                f"posisi {expected}..{index - 1} hilang dari log (baris log_leaves dihapus)",
            )
            expected = index  # the tree below is then recomputed without them: checkpoints show it too
        expected += 1
        stored = bytes(row.hash)
        if row.body is None:
            found.add(
                "tx_deleted",
                f"transaction {tx} (position {index} of the log) was deleted from the books",
                f"transaksi {tx} (posisi {index} di log) dihapus dari buku",
            )
            leaf = stored
        else:
            leaf = merkle.leaf_hash(str(row.body).encode("utf-8"))
            if leaf != stored:
                found.add(
                    "tx_changed",
                    f"transaction {tx} (position {index}) was changed: its envelope is not the one logged",
                    f"transaksi {tx} (posisi {index}) diubah: amplopnya bukan yang tercatat di log",
                )
            _columns_match(row, found)
        frontier.push(leaf)
        for (level, node_index), h in frontier.completed.items():
            key = (level << LEVEL_SHIFT) | node_index
            if level >= STORED_LEVEL and stored_nodes.get(key, h) != h:
                first, last = node_index << level, ((node_index + 1) << level) - 1
                found.add(
                    "reordered",
                    f"positions {first}..{last} of the log were reordered or replaced after they were logged",
                    f"posisi {first}..{last} di log ditukar atau diganti setelah tercatat",
                )
        if frontier.size in wanted:
            held.check(wanted[frontier.size], frontier.root())
    size = frontier.size
    for cp_size, items in sorted(wanted.items()):
        for cp, label in items if cp_size > size else ():
            found.add(
                "log_truncated",
                f"{label[0]} of size {cp_size} (signed {cp.time}) is larger than the log ({size} leaves): "
                "the log was cut",
                f"{label[1]} berukuran {cp_size} (ditandatangani {cp.time}) lebih besar dari log "
                f"({size} daun): log dipotong",
            )
    _not_logged(conn, found)
    if journal is not None:
        check_journal(conn, journal, found)
    kept = sum(len(v) for v in wanted.values())
    return Report(size, kept, tuple(found.items))


Label = tuple[str, str]  # a checkpoint's name in English and Indonesian


def _checkpoints(
    conn: Connection, verifier: note.VerifierKey | None, witnessed: Sequence[str], found: _Found
) -> dict[int, list[tuple[note.Checkpoint, Label]]]:
    wanted: dict[int, list[tuple[note.Checkpoint, Label]]] = {}
    sources = [(p.note, (f"checkpoint #{p.id}", f"checkpoint #{p.id}")) for p in tlog.every_checkpoint(conn)]
    sources += [
        (text, (f"the witness's checkpoint {n}", f"checkpoint saksi {n}"))
        for n, text in enumerate(witnessed, 1)
    ]
    sources += witnesses.notes(conn)  # what devices kept, and refused, as they reported it
    for item in witnesses.flagged(conn):
        problem = item.problem()
        what = (problem.text("en"), problem.text("id")) if problem else (", ".join(item.problems),) * 2
        found.add(
            "device_flagged",
            f"device {item.device} flagged the log: {what[0]}",
            f"perangkat {item.device} menandai log: {what[1]}",
        )
    for text, label in sources:
        try:
            if verifier is not None:
                cp = note.verify(text, verifier)
            else:
                cp = note.parse(text.split("\n\n")[0] + "\n")
        except note.NoteError as err:
            found.add(
                "bad_signature",
                f"{label[0]} is not validly signed by the log key: {err}",
                f"{label[1]} tidak ditandatangani sah oleh kunci log: {err}",
            )
            continue
        wanted.setdefault(cp.size, []).append((cp, label))
    return wanted


class _Held:
    """Checkpoints held against the recomputed roots, in increasing size."""

    def __init__(self, found: _Found) -> None:
        self.found = found
        self.matched = 0  # the largest size whose checkpoints all matched so far

    def check(self, items: list[tuple[note.Checkpoint, Label]], root: bytes) -> None:
        bad = [(cp, label) for cp, label in items if cp.root != root]
        for cp, label in bad:
            since = self.matched
            self.found.add(
                "rewritten",
                f"{label[0]} of size {cp.size} (signed {cp.time}) does not match the books: the log was "
                f"rewritten after position {since} (the last checkpoint that still matches)",
                f"{label[1]} berukuran {cp.size} (ditandatangani {cp.time}) tidak cocok dengan buku: log "
                f"ditulis ulang setelah posisi {since} (checkpoint terakhir yang masih cocok)",
            )
        if not bad and items:
            self.matched = items[0][0].size


def _columns_match(row: Any, found: _Found) -> None:
    try:
        env = json.loads(row.body)
    except ValueError:
        return
    if not isinstance(env, dict):
        return
    for name, member in COPIED:
        stored, signed = getattr(row, name), env.get(member)
        if stored is not None and signed is not None and str(stored) != str(signed):
            found.add(
                "column_changed",
                f"transaction {row.tx}: its {name} says {stored} but its signed envelope says {signed}",
                f"transaksi {row.tx}: kolom {name} berisi {stored} tetapi amplop bertandatangannya {signed}",
            )


def _not_logged(conn: Connection, found: _Found) -> None:
    t = TX
    query = (
        select(t.c.id)
        .select_from(t.outerjoin(log_leaves, log_leaves.c.tx == t.c.id))
        .where(log_leaves.c.tx.is_(None))
        .limit(MAX_FINDINGS)
    )
    for (ident,) in conn.execute(query):
        found.add(
            "not_logged",
            f"transaction {ident} is in the books but not in the log (added behind the log's back)",
            f"transaksi {ident} ada di buku tetapi tidak di log (ditambahkan diam-diam)",
        )


Lines = list[tuple[str, int, int]]


def check_journal(
    conn: Connection,
    post: Callable[[dict[str, Any], Callable[[str], Any]], Sequence[tuple[str, int, int]]],
    found: _Found,
) -> None:
    """Hold every transaction's journal lines (account, debit, credit, in line order) against what its
    envelope posts: ``post(envelope, lines_of)`` gives them, ``lines_of(ref)`` the lines posted for an
    earlier envelope (a void reverses them). Lines of no transaction are named too.

    One pass over the transactions joined to their lines, in id order; only the lines of transactions
    that a void reverses are kept, and a void met before what it voids is checked at the end."""
    j = JOURNAL
    voided = {str(ref) for (ref,) in conn.execute(select(TX.c.ref).where(TX.c.kind == "void"))}
    kept: dict[str, Lines] = {}
    later: list[tuple[str, dict[str, Any], Lines]] = []

    def lines_of(ref: str) -> Lines:
        if ref not in kept:
            raise LookupError(ref)
        return kept[ref]

    def check(ident: str, env: dict[str, Any], have: Lines, final: bool) -> None:
        try:
            want = list(post(env, lines_of))
        except LookupError:
            if not final:
                later.append((ident, env, have))
                return
            want = []
        except Exception as err:  # a rule that no longer posts this envelope is a finding
            found.add(
                "journal_unposted",
                f"transaction {ident}: its envelope no longer posts ({err})",
                f"transaksi {ident}: amplopnya tidak bisa diposting lagi ({err})",
            )
            return
        if ident in voided:
            kept[ident] = want
        if have != want:
            found.add(
                "journal_changed",
                f"transaction {ident}: its journal lines {_show(have)} are not what its envelope posts "
                f"{_show(want)}",
                f"transaksi {ident}: baris jurnalnya {_show(have)} bukan yang diposting amplopnya "
                f"{_show(want)}",
            )

    query = (
        select(TX.c.id, TX.c.body, j.c.account, j.c.debit_rp, j.c.credit_rp)
        .select_from(TX.outerjoin(j, j.c.tx == TX.c.id))
        .order_by(TX.c.id, j.c.line)
    )
    current: tuple[str, str] | None = None
    have: Lines = []
    for ident, body, account, debit, credit in conn.execute(query).yield_per(READ_BATCH):
        if current is None or current[0] != ident:
            if current is not None:
                _parsed(current, have, check)
            current, have = (str(ident), str(body)), []
        if account is not None:
            have.append((str(account), int(debit), int(credit)))
    if current is not None:
        _parsed(current, have, check)
    for ident, env, lines in later:
        check(ident, env, lines, True)
    orphans = (
        select(j.c.tx)
        .select_from(j.outerjoin(TX, TX.c.id == j.c.tx))
        .where(TX.c.id.is_(None))
        .distinct()
        .limit(MAX_FINDINGS)
    )
    for (ident,) in conn.execute(orphans):
        found.add(
            "journal_orphan",
            f"journal lines of {ident}, which is no transaction in the books",
            f"baris jurnal milik {ident}, yang bukan transaksi di buku",
        )


def _parsed(
    current: tuple[str, str], have: Lines, check: Callable[[str, dict[str, Any], Lines, bool], None]
) -> None:
    try:
        env = json.loads(current[1])
    except ValueError:
        return
    if isinstance(env, dict):
        check(current[0], env, have, False)


def _show(lines: Iterable[tuple[str, int, int]]) -> str:
    return "[" + ", ".join(f"{a} D{d} K{c}" for a, d, c in lines) + "]"
