"""The transparency log in the ledger: leaves appended with ingest, checkpoints, proofs and the CLI."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from central import cli, keyfiles, sample
from central.ledger import Ledger, schema
from central.ledger import ingest as ingest_mod
from central.transparency import __main__ as verifier_cli
from central.transparency import log as tlog
from central.transparency import verify
from central.transparency.tables import log_checkpoints, log_leaves, log_nodes
from sync import checkpoint as note
from sync import merkle


def _bodies_in_log_order(ledger: Ledger) -> list[bytes]:
    t = schema.transactions
    with ledger.read() as conn:
        rows = conn.execute(
            select(t.c.body)
            .select_from(log_leaves.join(t, t.c.id == log_leaves.c.tx))
            .order_by(log_leaves.c.idx)
        )
        return [str(body).encode() for (body,) in rows]


def _qr(envelope: dict[str, Any]) -> str:
    raw = base64.b64decode(envelope["sig"])
    return f"KOP1|{envelope['id']}|{base64.b32encode(raw[:16]).decode().rstrip('=')}"


def test_every_accepted_envelope_is_a_leaf_in_acceptance_order(
    loaded: Ledger, month: sample.SampleData
) -> None:
    """Each accepted envelope becomes the next leaf (its canonical body); duplicates and refusals add none,
    and the stored tree's root is the root of those bodies."""
    first = loaded.ingest(month.envelopes[:150])
    again = loaded.ingest([*month.envelopes[100:160], {"id": "junk"}])
    assert len(again.duplicates) == 50 and again.rejected
    accepted = first.accepted + again.accepted
    with loaded.read() as conn:
        assert tlog.size(conn) == len(accepted) == 160
        assert [tlog.leaf_index(conn, tx) for tx in accepted] == list(range(160))
        stored_root = tlog.root_at(conn, 160)
    bodies = _bodies_in_log_order(loaded)
    assert bodies[0] == json.dumps(month.envelopes[0], sort_keys=True, separators=(",", ":")).encode()
    assert stored_root == merkle.root([merkle.leaf_hash(b) for b in bodies])


def test_a_chunk_that_fails_leaves_no_leaf(
    loaded: Ledger, month: sample.SampleData, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A leaf is committed with its transaction or not at all: a chunk whose write fails leaves the log as
    it was."""
    loaded.ingest(month.envelopes[:20])
    real = ingest_mod.insert_many

    def failing(conn: Any, table: Any, rows: Any, columns: Any = None) -> None:
        if table is schema.journal:
            raise RuntimeError("disk full")
        real(conn, table, rows, columns)

    monkeypatch.setattr(ingest_mod, "insert_many", failing)
    with pytest.raises(RuntimeError):
        loaded.ingest(month.envelopes[20:40])
    with loaded.read() as conn:
        assert tlog.size(conn) == 20


def test_stored_proofs_equal_the_in_memory_tree(loaded: Ledger, month: sample.SampleData) -> None:
    """Proofs read from the stored subtree hashes equal those of the whole tree held in memory, for
    every leaf and many pairs of sizes, across chunks that end anywhere."""
    for start, end in ((0, 37), (37, 38), (38, 101), (101, 300)):
        loaded.ingest(month.envelopes[start:end])
    tree = merkle.MemoryTree(merkle.leaf_hash(b) for b in _bodies_in_log_order(loaded))
    n = len(tree.leaves)
    with loaded.read() as conn:
        for size in (1, 16, 17, 100, 255, 256, n):
            assert tlog.root_at(conn, size) == tree.root(size)
        for index in range(0, n, 7):
            assert tlog.inclusion_proof(conn, index, n) == tree.inclusion(index)
        for old in (1, 15, 16, 31, 64, 100, 257, n):
            assert tlog.consistency_proof(conn, old, n) == tree.consistency(old)
        stored = conn.execute(select(log_nodes.c.node)).all()
    assert len(stored) < n // 8 + 8  # about n/8 subtree hashes: a proof never rehashes the tree


def test_a_log_started_on_older_books_takes_them_in_first(loaded: Ledger, month: sample.SampleData) -> None:
    """When the log is empty but the books are not (a ledger older than the log), the next ingest first
    appends every transaction already there, by when central received them."""
    loaded.ingest(month.envelopes[:50])
    with loaded.write() as conn:
        conn.execute(log_nodes.delete())
        conn.execute(log_leaves.delete())
    loaded.ingest(month.envelopes[50:60])
    with loaded.read() as conn:
        assert tlog.size(conn) == 60
        assert tlog.leaf_index(conn, month.envelopes[59]["id"]) == 59


def _init(db: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["--db", db, "--lang", "en", "transparency", "init"]) == 0
    out = capsys.readouterr().out
    assert "Transparency log ready" in out
    return out.strip().splitlines()[-1]


def test_cli_init_checkpoint_and_proofs_verify_without_the_database(
    tmp_path: Path, month: sample.SampleData, capsys: pytest.CaptureFixture[str]
) -> None:
    """init makes a 0600 key and signs; ingest signs the grown tree; the proofs the CLI prints verify
    with the standalone verifier; verify-receipt names the position and checkpoint."""
    db = str(tmp_path / "coop.sqlite")
    assert cli.main(["--db", db, "init"]) == 0
    with Ledger.open(db) as ledger:
        sample.load_into(ledger, month)
        ledger.ingest(month.envelopes[:100])
    capsys.readouterr()
    public = _init(db, capsys)
    key_file = tmp_path / "coop.log.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == keyfiles.SECRET_MODE
    (tmp_path / "key.txt").write_text(public + "\n")
    assert cli.main(["--db", db, "transparency", "latest"]) == 0
    (tmp_path / "old.txt").write_text(capsys.readouterr().out)
    with Ledger.open(db) as ledger:
        ledger.ingest(month.envelopes[100:130])  # signs a checkpoint of 130 by itself
    assert cli.main(["--db", db, "transparency", "latest", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["size"] == 130

    sale = next(e for e in month.envelopes[:100] if e["kind"] == "sale")
    assert cli.main(["--db", db, "transparency", "prove-inclusion", "--tx", sale["id"]]) == 0
    (tmp_path / "inc.json").write_text(capsys.readouterr().out)
    assert cli.main(["--db", db, "transparency", "prove-consistency", "--from", "100"]) == 0
    (tmp_path / "cons.json").write_text(capsys.readouterr().out)
    key = str(tmp_path / "key.txt")
    args = ["--lang", "en", "verify", "--key", key]
    assert verifier_cli.main([*args, "--inclusion", str(tmp_path / "inc.json"), "--receipt", _qr(sale)]) == 0
    out = capsys.readouterr().out
    assert f"transaction {sale['id']} is at position" in out and "receipt matches" in out
    cons = ["--consistency", str(tmp_path / "cons.json"), "--old", str(tmp_path / "old.txt")]
    assert verifier_cli.main([*args, *cons]) == 0
    assert "CONSISTENT: tree 100 is a prefix of tree 130" in capsys.readouterr().out
    assert verifier_cli.main([*args, "--checkpoint", str(tmp_path / "old.txt")]) == 0

    other = next(e for e in month.envelopes[:100] if e["kind"] == "sale" and e["id"] != sale["id"])
    assert verifier_cli.main([*args, "--inclusion", str(tmp_path / "inc.json"), "--receipt", _qr(other)]) == 1
    assert "does not match" in capsys.readouterr().out

    assert cli.main(["--db", db, "--lang", "en", "verify-receipt", _qr(sale)]) == 0
    out = capsys.readouterr().out
    with Ledger.open(db) as ledger, ledger.read() as conn:
        index = tlog.leaf_index(conn, sale["id"])
    assert f"Included in the books at position {index} of checkpoint 130, signed at " in out


def test_a_tampered_bundle_fails_with_a_reason(
    tmp_path: Path, loaded: Ledger, month: sample.SampleData
) -> None:
    """An inclusion proof with one bit flipped, another index or another envelope fails and says why."""
    loaded.ingest(month.envelopes[:40])
    key_file = str(tmp_path / "log.key")  # a PostgreSQL ledger has no folder to keep it beside
    assert cli.main(["--db", loaded.target, "transparency", "init", "--log-key", key_file]) == 0
    with loaded.read() as conn:
        bundle = tlog.inclusion_bundle(conn, month.envelopes[7]["id"])
        key = note.parse_verifier(tlog.meta(conn)["verifier"])
    assert verify.inclusion(bundle, key).index == 7
    flipped = dict(
        bundle,
        proof=[
            base64.b64encode(b"\x01" + base64.b64decode(bundle["proof"][0])[1:]).decode(),
            *bundle["proof"][1:],
        ],
    )
    for bad in (flipped, dict(bundle, index=8), dict(bundle, size=39)):
        with pytest.raises(verify.VerifyError) as err:
            verify.inclusion(bad, key)
        assert err.value.text("en")
    with pytest.raises(verify.VerifyError, match="not transaction"):
        verify.inclusion(dict(bundle, envelope=json.dumps(month.envelopes[8])), key)


def test_cli_mistakes_are_bilingual_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before init, and for a transaction that is not there, the CLI says what to do (exit 2)."""
    db = str(tmp_path / "c.sqlite")
    assert cli.main(["--db", db, "init"]) == 0
    assert cli.main(["--db", db, "transparency", "checkpoint"]) == 2
    assert "transparency init" in capsys.readouterr().err
    _init(db, capsys)
    assert cli.main(["--db", db, "--lang", "en", "transparency", "prove-inclusion", "--tx", "x:1"]) == 2
    assert "not in the log" in capsys.readouterr().err
    assert cli.main(["--db", db, "transparency", "prove-consistency", "--from", "5"]) == 2
    assert "tidak ada bukti konsistensi" in capsys.readouterr().err
    assert cli.main(["--db", db, "transparency", "init"]) == 0  # again: keeps the key, signs anew
    assert "sudah siap" in capsys.readouterr().out
    with Ledger.open(db) as ledger, ledger.read() as conn:
        assert len(conn.execute(select(log_checkpoints.c.id)).all()) == 2
