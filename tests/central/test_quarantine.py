"""Refused envelopes are processed: stored once, past the ack when authentic, and the office's to act on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from central.cli import app as cli
from central.ledger import Ledger, schema
from central.ledger import quarantine as q
from central.members.rows import MemberRow
from sync import envelope as wire
from tests.central.helpers import Device


def _rows(ledger: Ledger) -> int:
    with ledger.read() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.quarantine)).scalar_one())


def _late_member(ledger: Ledger, number: str = "Z900") -> None:
    ledger.import_members([MemberRow(number, "Sari", "2026-01-02", None, None, None, "anggota")])


def test_an_authentic_refusal_lets_the_ack_move_past_it(loaded: Ledger) -> None:
    """A signed envelope refused for its content counts as processed for the device's contiguous seq."""
    dev = Device().register(loaded)
    envs = [dev.sale(), dev.sale(member="Z900"), dev.sale()]
    report = loaded.ingest(envs, require_signature=True)
    assert len(report.accepted) == 2 and len(report.rejected) == 1
    assert loaded.contiguous_seq(dev.name) == 3


def test_a_dispute_of_an_installment_does_not_stop_the_device(loaded: Ledger) -> None:
    """The member-triggered case of issue 12: a dispute naming an installment is refused, the ack moves on."""
    dev = Device().register(loaded)
    lend = dev.lend("A001", "L-9", 100_000)
    pay = dev.repay("A001", "L-9", 10_000, 1_000)
    dispute = dev.make("dispute", member="A001", ref=pay["id"], reason="bukan saya")
    after = dev.sale()
    report = loaded.ingest([lend, pay, dispute, after], require_signature=True)
    reason = f"a dispute refers to a sale; {pay['id']} is a installment"
    assert [r.reason for r in report.rejected] == [reason]
    assert loaded.contiguous_seq(dev.name) == 4


def test_a_forgery_cannot_skip_a_real_envelope(loaded: Ledger) -> None:
    """Garbage or a bad signature at a seq never advances the ack; the real envelope there is still taken."""
    dev = Device().register(loaded)
    first = dev.sale()
    real = dev.sale()
    forged = dict(real, id="forged-2", total=real["total"] + 1)
    unsigned = {k: v for k, v in real.items() if k != "sig"} | {"id": "unsigned-2", "member": "Z900"}
    loaded.ingest([first, forged, unsigned, b'{"device":"toko-09","seq":2}'], require_signature=True)
    assert loaded.contiguous_seq(dev.name) == 1
    assert loaded.ingest([real], require_signature=True).accepted == [real["id"]]
    assert loaded.contiguous_seq(dev.name) == 2


def test_a_gap_before_a_refusal_is_still_a_gap(loaded: Ledger) -> None:
    """A refusal holds only its own position: a missing seq before it still stops the contiguous seq."""
    dev = Device().register(loaded)
    first = dev.sale()
    dev.sale()  # seq 2 never arrives
    third = dev.sale(member="Z900")
    loaded.ingest([first, third], require_signature=True)
    assert loaded.contiguous_seq(dev.name) == 1


def test_a_resent_refusal_is_stored_once(loaded: Ledger) -> None:
    """The same refused envelope ingested again (a resend, or the same file twice) adds no quarantine row."""
    dev = Device().register(loaded)
    bad = dev.sale(member="Z900")
    unregistered = Device("toko-77").sale(member="Z900")
    for _ in range(3):
        report = loaded.ingest([json.dumps(bad), bad, unregistered], require_signature=True)
        assert len(report.rejected) == 3
    assert _rows(loaded) == 2


def test_a_refusal_stays_refused_when_resent_after_the_cause_is_fixed(loaded: Ledger) -> None:
    """Once the device has been told, only the office's retry may commit a refused envelope."""
    dev = Device().register(loaded)
    bad = dev.sale(member="Z900")
    loaded.ingest([bad], require_signature=True)
    _late_member(loaded)
    report = loaded.ingest([bad], require_signature=True)
    assert report.accepted == [] and report.rejected[0].reason.startswith("unknown member")


def test_another_envelope_cannot_take_a_refused_position(loaded: Ledger) -> None:
    """A second envelope signed for a seq held by a refusal is a conflict, not a silent replacement."""
    dev = Device().register(loaded)
    bad = dev.sale(member="Z900")
    loaded.ingest([bad], require_signature=True)
    dev.seq, dev.prev = 0, wire.GENESIS
    other = dev.sale(id="other-1")
    report = loaded.ingest([other], require_signature=True)
    assert "held by refused transaction" in report.rejected[0].reason


def test_a_broken_link_across_a_refusal_is_reported(loaded: Ledger) -> None:
    """Chain breaks are found between a refused envelope and its committed neighbour (invariant 3)."""
    dev = Device().register(loaded)
    first = dev.sale()
    refused = dev.sale(member="Z900")
    dev.prev = "ab" * 32  # the next envelope does not link to the refused one
    third = dev.sale()
    loaded.ingest([first, refused, third], require_signature=True)
    with loaded.read() as conn:
        breaks = conn.execute(select(schema.chain_breaks.c.seq)).scalars().all()
    assert breaks == [3]
    assert loaded.contiguous_seq(dev.name) == 3


def _refused_qid(ledger: Ledger) -> int:
    return q.list_entries(ledger, "open")[0].qid


def test_retry_after_the_cause_is_fixed_commits_once(loaded: Ledger) -> None:
    """Retry re-ingests the stored body; accepted, the row is settled and audited; a resend is a duplicate."""
    dev = Device().register(loaded)
    bad = dev.sale(member="Z900")
    loaded.ingest([bad], require_signature=True)
    qid = _refused_qid(loaded)
    assert q.retry(loaded, qid, by="ani").state == "open"  # still unknown: stays open
    _late_member(loaded)
    outcome = q.retry(loaded, qid, by="ani", reason="anggota diimpor")
    assert (outcome.state, outcome.detail) == ("accepted", "accepted")
    assert loaded.ingest([bad], require_signature=True).duplicates == [bad["id"]]
    entry = q.show(loaded, qid)
    assert entry.state == "accepted" and entry.holds_position
    assert [(a.action, a.actor, a.outcome.split(":")[0]) for a in entry.actions] == [
        ("retry", "ani", "refused again"),
        ("retry", "ani", "accepted"),
    ]
    assert _rows(loaded) == 1
    notice = q.refusal_notice(loaded, dev.name)
    assert [(i.seq, i.state) for i in notice.items] == [(1, "accepted")]


def test_dismiss_needs_a_reason_and_settles_the_row(loaded: Ledger) -> None:
    """Dismiss records who and why; a settled row can be neither retried nor dismissed again."""
    dev = Device().register(loaded)
    loaded.ingest([dev.sale(member="Z900")], require_signature=True)
    qid = _refused_qid(loaded)
    with pytest.raises(q.ReasonRequired):
        q.dismiss(loaded, qid, reason=" ")
    assert q.dismiss(loaded, qid, reason="uji coba", by="budi").state == "dismissed"
    with pytest.raises(q.NotOpen):
        q.retry(loaded, qid)
    action = q.show(loaded, qid).actions[0]
    assert (action.action, action.actor, action.reason) == ("dismiss", "budi", "uji coba")
    notice = q.refusal_notice(loaded, dev.name)
    assert notice.total == 1 and notice.items[0].state == "refused"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_quarantine_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`quarantine list|show|retry|dismiss` work, in Indonesian by default, errors without traces."""
    db = str(tmp_path / "coop.sqlite")
    assert _run(capsys, "--db", db, "init")[0] == 0
    with Ledger.open(db) as ledger:
        dev = Device().register(ledger)
        ledger.ingest([dev.sale(member="Z900"), dev.sale(member="Z901")], require_signature=True)
    code, out, _ = _run(capsys, "--db", db, "quarantine", "list")
    assert code == 0 and "terbuka" in out and "Z900" in out
    rows: list[dict[str, Any]] = json.loads(_run(capsys, "--db", db, "quarantine", "list", "--json")[1])
    first, second = sorted(row["qid"] for row in rows)
    code, out, _ = _run(capsys, "--db", db, "--lang", "en", "quarantine", "show", str(first))
    assert code == 0 and "Body as received" in out and "moved past it" in out
    code, out, _ = _run(
        capsys, "--db", db, "quarantine", "dismiss", str(first), "--reason", "uji", "--by", "ani"
    )
    assert code == 0 and "diabaikan" in out
    code, _, err = _run(capsys, "--db", db, "quarantine", "retry", str(first))
    assert code == 2 and "sudah selesai" in err and "Traceback" not in err
    code, _, err = _run(capsys, "--db", db, "quarantine", "show", "999")
    assert code == 2 and "999" in err
    assert _run(capsys, "--db", db, "quarantine", "retry", str(second))[0] == 1  # refused again
    code, out, _ = _run(capsys, "--db", db, "report", "quarantine")
    assert code == 0 and "Z901" in out
