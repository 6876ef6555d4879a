"""Tampering drills on a real ledger: each way of rewriting the books behind the log's back is caught by
`central transparency audit` (or by a witness's kept checkpoint) and the finding names what broke."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, update

from central import cli, config, sample
from central.ledger import Ledger, schema
from central.transparency import audit as log_audit
from central.transparency import keys, verify
from central.transparency import log as tlog
from central.transparency.tables import log_checkpoints, log_leaves, log_nodes
from sync import checkpoint as note

FIRST, SECOND = 200, 260  # envelopes before the first checkpoint, and in all


@pytest.fixture
def books(tmp_path: Path, month: sample.SampleData) -> Iterator[Ledger]:
    """A ledger of 260 transactions with its log set up after 200 (so two checkpoints), checking clean."""
    db = str(tmp_path / "coop.sqlite")
    with Ledger.open(db) as ledger:
        ledger.init(config.default())
        sample.load_into(ledger, month)
        assert not ledger.ingest(month.envelopes[:FIRST]).rejected
        assert cli.main(["--db", db, "transparency", "init"]) == 0
        assert not ledger.ingest(month.envelopes[FIRST:SECOND]).rejected
        assert _audit(ledger).ok
        yield ledger


def _audit(ledger: Ledger, witnessed: tuple[str, ...] = ()) -> log_audit.Report:
    from central.cli.transparency import journal_rules

    with ledger.read() as conn:
        return log_audit.audit(conn, None, witnessed, journal_rules(ledger))


def _codes(report: log_audit.Report) -> set[str]:
    return {f.code for f in report.findings}


def _tx(ledger: Ledger, index: int) -> str:
    with ledger.read() as conn:
        return str(conn.execute(select(log_leaves.c.tx).where(log_leaves.c.idx == index)).scalar_one())


def _texts(report: log_audit.Report) -> str:
    return "\n".join(f.text("en") for f in report.findings)


def test_editing_an_envelope_is_named(books: Ledger) -> None:
    """An envelope's body edited in place: its leaf no longer matches, and the signed trees do not."""
    tx = _tx(books, 17)
    t = schema.transactions
    with books.write() as conn:
        body = conn.execute(select(t.c.body).where(t.c.id == tx)).scalar_one()
        conn.execute(update(t).where(t.c.id == tx).values(body=body.replace('"total":', '"total":1')))
    report = _audit(books)
    assert {"tx_changed", "rewritten"} <= _codes(report)
    assert f"transaction {tx} (position 17) was changed" in _texts(report)
    assert "rewritten after position 0" in _texts(report)


def test_editing_a_transaction_column_is_named(books: Ledger) -> None:
    """A transactions column changed beside its signed envelope: the column and both values are named."""
    tx = _tx(books, 3)
    t = schema.transactions
    with books.write() as conn:
        conn.execute(update(t).where(t.c.id == tx).values(total_rp=t.c.total_rp + 1000))
    report = _audit(books)
    assert _codes(report) == {"column_changed"}
    assert f"transaction {tx}: its total_rp says" in _texts(report)


def test_editing_a_journal_row_is_named(books: Ledger) -> None:
    """A journal line changed: the transaction's lines are no longer what its envelope posts."""
    j = schema.journal
    with books.write() as conn:
        tx, line = conn.execute(select(j.c.tx, j.c.line).where(j.c.debit_rp > 0).limit(1)).one()
        conn.execute(update(j).where(j.c.tx == tx, j.c.line == line).values(debit_rp=j.c.debit_rp + 500))
    report = _audit(books)
    assert _codes(report) == {"journal_changed"}
    assert f"transaction {tx}: its journal lines" in _texts(report)


def test_deleting_a_transaction_is_named(books: Ledger) -> None:
    """A transaction removed with its journal lines: the log still names it at its position."""
    tx = _tx(books, 42)
    with books.write() as conn:
        conn.execute(delete(schema.journal).where(schema.journal.c.tx == tx))
        conn.execute(delete(schema.sale_lines).where(schema.sale_lines.c.tx == tx))
        conn.execute(delete(schema.transactions).where(schema.transactions.c.id == tx))
    report = _audit(books)
    assert "tx_deleted" in _codes(report)
    assert f"transaction {tx} (position 42 of the log) was deleted from the books" in _texts(report)


def test_reordering_two_is_named(books: Ledger) -> None:
    """Two leaves swapped in the log: every hash still matches its envelope, but the block they sit in
    and every signed tree over them do not."""
    with books.write() as conn:
        conn.execute(update(log_leaves).where(log_leaves.c.idx == 5).values(idx=-1))
        conn.execute(update(log_leaves).where(log_leaves.c.idx == 9).values(idx=5))
        conn.execute(update(log_leaves).where(log_leaves.c.idx == -1).values(idx=9))
    report = _audit(books)
    assert {"reordered", "rewritten"} <= _codes(report)
    assert "positions 0..15 of the log were reordered or replaced" in _texts(report)


def test_a_row_added_behind_the_logs_back_is_named(books: Ledger) -> None:
    """A transaction inserted straight into the books is named as not in the log."""
    t = schema.transactions
    with books.write() as conn:
        row = conn.execute(select(t).where(t.c.id == _tx(books, 0))).mappings().one()
        conn.execute(insert(t).values({**row, "id": "ghost:1", "seq": 999_999}))
    report = _audit(books)
    assert "not_logged" in _codes(report)
    assert "transaction ghost:1 is in the books but not in the log" in _texts(report)


def test_a_removed_log_row_is_named(books: Ledger) -> None:
    """A row of the log removed: the missing position is named."""
    with books.write() as conn:
        conn.execute(delete(log_leaves).where(log_leaves.c.idx == 100))
    report = _audit(books)
    assert "positions 100..100 are missing from the log" in _texts(report)


def _regrow_without(books: Ledger, tx: str, keep: int) -> None:
    """What a dishonest operator holding the log key would do: remove a transaction, cut the log back,
    append the books again without it, hide the later checkpoints and sign a new one."""
    settings_key = keys.load_key(Path(books.target).with_name("coop.log.key"))
    with books.write() as conn:
        conn.execute(delete(schema.journal).where(schema.journal.c.tx == tx))
        conn.execute(delete(schema.sale_lines).where(schema.sale_lines.c.tx == tx))
        conn.execute(delete(schema.transactions).where(schema.transactions.c.id == tx))
        conn.execute(delete(log_leaves).where(log_leaves.c.idx >= keep))
        conn.execute(delete(log_nodes))
        conn.execute(delete(log_checkpoints).where(log_checkpoints.c.size > keep))
        kept = [
            (str(i), bytes(h))
            for i, h in conn.execute(select(log_leaves.c.tx, log_leaves.c.hash).order_by(log_leaves.c.idx))
        ]
        conn.execute(delete(log_leaves))
        t = schema.transactions
        bodies = dict(conn.execute(select(t.c.id, t.c.body)).all())
        tlog.append_leaves(conn, 0, [(i, bodies[i].encode()) for i, _ in kept])
        tlog.backfill(conn)
        tlog.sign_checkpoint(conn, settings_key, tlog.meta(conn)["origin"])


def test_truncating_and_regrowing_differently_is_caught_by_a_witness(books: Ledger) -> None:
    """The log cut back to 200 and grown again without one transaction, its later checkpoints hidden:
    the books check clean against what is left in the database, but a witness's kept checkpoint of 260
    shows the rewrite, and the verifier refuses the new checkpoint as a continuation of it."""
    with books.read() as conn:
        witness = tlog.latest(conn)
        verifier = note.parse_verifier(tlog.meta(conn)["verifier"])
    assert witness is not None and witness.size == SECOND
    _regrow_without(books, _tx(books, 230), keep=FIRST)
    assert _audit(books).ok  # everything left in the database agrees with itself
    report = _audit(books, (witness.note,))
    assert _codes(report) == {"log_truncated"}
    assert f"the witness's checkpoint 1 of size {SECOND}" in _texts(report)
    assert "larger than the log (259 leaves): the log was cut" in _texts(report)
    with books.read() as conn:
        new = tlog.latest(conn)
        assert new is not None
        proof = tlog.consistency_proof(conn, FIRST, new.size)
    old_cp = verify.checkpoint(witness.note, verifier)
    new_cp = verify.checkpoint(new.note, verifier)
    with pytest.raises(verify.VerifyError, match="larger than the new one"):
        verify.consistent(old_cp, new_cp, proof)


def test_a_fork_is_flagged(books: Ledger, tmp_path: Path, month: sample.SampleData) -> None:
    """Central shows two places two different histories (a copy of the books grown differently, signed
    with the same key): the two checkpoints of one size differ (a fork), and no consistency proof links
    one branch's older checkpoint to the other's newer one."""
    twin_path = tmp_path / "twin.sqlite"
    with sqlite3.connect(books.target) as src, sqlite3.connect(twin_path) as dst:
        src.backup(dst)  # a consistent copy (the ledger runs in WAL mode)
    shutil.copy(Path(books.target).with_name("coop.log.key"), tmp_path / "twin.log.key")
    with books.read() as conn:
        verifier = note.parse_verifier(tlog.meta(conn)["verifier"])
        size = tlog.size(conn)
    extra = month.envelopes[SECOND : SECOND + 10]
    with Ledger.open(str(twin_path)) as twin:
        with twin.write() as conn:  # the twin signs with the same key, found through its own meta
            tlog.set_meta(conn, key_path=str(tmp_path / "twin.log.key"))
        twin.ingest([extra[1], extra[0], *extra[2:]])  # the same sales, another order: another history
        with twin.read() as conn:
            twin_cp = tlog.latest(conn)
            twin_old = tlog.at_size(conn, size)
    books.ingest(extra)
    with books.read() as conn:
        ours = tlog.latest(conn)
        proof = tlog.consistency_proof(conn, size, size + 10)
    assert ours is not None and twin_cp is not None and twin_old is not None
    a, b = verify.checkpoint(ours.note, verifier), verify.checkpoint(twin_cp.note, verifier)
    assert a.size == b.size
    with pytest.raises(verify.VerifyError, match="forked"):
        verify.consistent(a, b, [])
    common = verify.checkpoint(twin_old.note, verifier)  # both branches share the tree of ``size``
    verify.consistent(common, a, proof)  # our branch grew from it
    with pytest.raises(verify.VerifyError, match="not a prefix"):
        verify.consistent(common, b, proof)  # the proof we serve does not lead to the other branch's tree
    with Ledger.open(str(twin_path)) as twin, twin.read() as conn:
        bad = log_audit.audit(conn, verifier, (ours.note,))
    assert "rewritten" in {f.code for f in bad.findings}


def test_the_cli_audit_names_findings_and_fails(books: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    """`transparency audit` prints each finding in the user's language and exits 1; clean, it exits 0."""
    assert cli.main(["--db", books.target, "transparency", "audit"]) == 0
    assert "AUDIT LULUS" in capsys.readouterr().out
    with books.write() as conn:
        conn.execute(
            update(schema.transactions).where(schema.transactions.c.id == _tx(books, 1)).values(unit="x")
        )
    assert cli.main(["--db", books.target, "--lang", "en", "transparency", "audit"]) == 1
    out = capsys.readouterr().out
    assert "AUDIT FAILED: 1 findings" in out and "[column_changed]" in out and "its unit says x" in out
    with books.read() as conn:
        assert conn.execute(select(func.count()).select_from(log_checkpoints)).scalar_one() == 2


def test_a_void_filed_before_what_it_voids_is_checked_against_its_reversal(
    books: Ledger, month: sample.SampleData
) -> None:
    """The journal check reads transactions in id order: a void whose id sorts before the sale it voids
    (isiulang-01:100 voids isiulang-01:69) is still held against the reversal of that sale's lines."""
    void = next(e for e in month.envelopes if e["kind"] == "void" and e["id"] < e["ref"])
    assert not books.ingest(month.envelopes[SECOND:]).rejected
    assert _audit(books).ok
    j = schema.journal
    with books.write() as conn:
        conn.execute(update(j).where(j.c.tx == void["id"], j.c.line == 1).values(credit_rp=j.c.credit_rp + 1))
    assert f"transaction {void['id']}: its journal lines" in _texts(_audit(books))
