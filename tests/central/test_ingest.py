"""Ingest: idempotence, conflicts, quarantine reasons, domain rules, signatures, chains (SQLite and PG)."""

from __future__ import annotations

import json

import pytest

from central import sample
from central.books import reports
from central.books.statement import member_summary
from central.ledger import Ledger
from sync import envelope as wire
from tests.central.helpers import (
    TOKO_PRICE,
    TOKO_SKU,
    Device,
    account_days_match_journal,
    snapshot,
    unbalanced_entries,
)


def test_sample_month_is_accepted_whole_and_balanced(loaded: Ledger, month: sample.SampleData) -> None:
    """A month of valid signed envelopes from several devices is committed entirely, every entry balanced."""
    report = loaded.ingest(month.envelopes, require_signature=True)
    assert report.rejected == []
    assert len(report.accepted) == len(month.envelopes)
    assert unbalanced_entries(loaded) == []
    assert account_days_match_journal(loaded)
    summary = dict(reports.balance_sheet(loaded, "2026-03-31")[0].summary)
    assert summary["balanced"] is True
    assert summary["assets_rp"] > 0


def test_same_envelope_twice_counts_once(loaded: Ledger) -> None:
    """An envelope ingested twice (also within one batch) is committed once and reported as a duplicate."""
    dev = Device()
    env = dev.sale()
    first = loaded.ingest([env, env])
    assert first.accepted == [env["id"]] and first.duplicates == [env["id"]]
    before = snapshot(loaded)
    again = loaded.ingest([json.dumps(env).encode()])
    assert again.duplicates == [env["id"]] and again.accepted == []
    assert snapshot(loaded) == before


def test_same_id_other_content_is_a_conflict(loaded: Ledger) -> None:
    """A tampered copy of a committed envelope (same id, other content) is rejected as a conflict."""
    dev = Device()
    env = dev.sale(qty=1)
    loaded.ingest([env])
    before = snapshot(loaded)
    tampered = {**env, "lines": [{**env["lines"][0], "qty": 3}], "total": 3 * TOKO_PRICE}
    report = loaded.ingest([tampered])
    assert [r.reason.split(":")[0] for r in report.rejected] == ["conflict"]
    assert snapshot(loaded) == before


def test_seq_reused_by_another_id_is_a_conflict(loaded: Ledger) -> None:
    """Two different envelopes claiming the same device seq: the second is a conflict."""
    dev = Device()
    env = dev.sale()
    other = {**env, "id": "toko-09:other"}
    report = loaded.ingest([env, other])
    assert report.accepted == [env["id"]]
    assert "already used by transaction" in report.rejected[0].reason


BAD_CASES = [
    (lambda e: b"{not json", "not valid JSON"),
    (lambda e: {**e, "kind": "refund"}, "unknown kind"),
    (lambda e: {**e, "member": "Z999"}, "unknown member"),
    (lambda e: {**e, "lines": [{**e["lines"][0], "sku": "NOPE"}]}, "unknown sku"),
    (lambda e: {**e, "lines": [{**e["lines"][0], "price_rp": -5}], "total": -10}, "negative"),
    (
        lambda e: {**e, "lines": [{**e["lines"][0], "price_rp": 10**15}], "total": 2 * 10**15},
        "exceeds the limit",
    ),
    (lambda e: {**e, "total": e["total"] + 1}, "add up"),
    (lambda e: {**e, "sig": e["sig"][:-4] + "AAA="}, "bad signature"),
    (lambda e: {**e, "unit": "bengkel"}, "unknown unit"),
    (lambda e: {**e, "lines": [{**e["lines"][0], "sku": "CF-KOPI"}]}, "sold by unit cafe"),
    (lambda e: {**e, "note": "a\x00b"}, "control character"),
    (lambda e: b'{"id": "x\x00y", \xff}', "not valid JSON"),
    (lambda e: b"[" * 8000 + b"]" * 8000, "nested too deeply"),
    # A lone surrogate escape: valid to Python's json module, but no UTF-8 text can hold it.
    (lambda e: json.dumps({**e, "note": "X"}).replace('"X"', '"\\ud800"').encode(), "not valid JSON"),
]


def test_text_no_utf8_can_hold_is_refused_not_a_crash(loaded: Ledger) -> None:
    """An envelope handed over as a dict with a lone surrogate in its text is quarantined with the
    reason; it cannot be encoded, so it could not be stored or hashed, and the batch goes on."""
    dev = Device()
    ok = dev.sale()
    bad = {**dev.sale(), "clerk": "kasir \udc00"}
    report = loaded.ingest([bad, ok])
    assert report.accepted == [ok["id"]]
    assert ["lone UTF-16 surrogate" in r.reason for r in report.rejected] == [True]


def test_an_object_nested_thousands_deep_is_refused_not_a_crash(loaded: Ledger) -> None:
    """A dict handed to ingest with a field nested thousands deep (neither encodable nor printable in
    full) is quarantined with the reason, a bounded copy of it kept, and the batch goes on."""
    deep: object = []
    for _ in range(5000):
        deep = [deep]
    dev = Device()
    ok = dev.sale()
    report = loaded.ingest([{**dev.sale(), "extra": deep}, ok])
    assert report.accepted == [ok["id"]]
    assert ["unexpected field" in r.reason for r in report.rejected] == [True]


def test_bad_envelopes_are_quarantined_with_reasons_and_the_rest_committed(loaded: Ledger) -> None:
    """Malformed JSON, unknown kind/member/sku/unit, negative or overflowing amounts, lines that do not add
    up, a bad signature: each is quarantined with its reason while the good rows of the batch go in."""
    dev = Device().register(loaded)
    batch: list[object] = []
    good: list[str] = []
    for mutate, reason in BAD_CASES:
        ok = dev.sale()
        good.append(ok["id"])
        broken = mutate(dev.sale())
        if isinstance(broken, dict) and reason != "bad signature":
            broken = wire.sign({k: v for k, v in broken.items() if k != "sig"}, dev.key)  # only this fault
        batch += [ok, broken]
    report = loaded.ingest(batch)
    assert report.accepted == good
    assert len(report.rejected) == len(BAD_CASES)
    reasons = sorted(r.reason for r in report.rejected)
    for _, reason in BAD_CASES:
        assert any(reason in text for text in reasons), reason
    stored = [row[5] for row in reports.quarantine(loaded)[0].rows]
    assert sorted(stored) == reasons


def test_same_refusal_is_quarantined_once(loaded: Ledger) -> None:
    """Re-sending the same bad envelope reports it again but keeps one quarantine row."""
    loaded.ingest([b"{oops"])
    report = loaded.ingest([b"{oops"])
    assert len(report.rejected) == 1
    assert len(reports.quarantine(loaded)[0].rows) == 1


def test_revoked_device_is_quarantined(loaded: Ledger) -> None:
    """After `devices revoke`, the device's envelopes are quarantined as "device revoked", with its reason."""
    dev = Device().register(loaded)
    assert loaded.ingest([dev.sale()]).ok
    loaded.devices_revoke(dev.name, "hilang dicuri")
    report = loaded.ingest([dev.sale()])
    assert report.rejected and report.rejected[0].reason.startswith("device revoked (hilang dicuri)")


def test_require_signature_refuses_unsigned_unknown_and_mismatched(loaded: Ledger) -> None:
    """The MQTT path needs a valid signature by a registered device named by the topic."""
    dev = Device().register(loaded)
    stranger = Device("toko-77")
    unsigned = dev.make("sale", sign=False, member=None, lines=[
        {"sku": TOKO_SKU, "qty": 1, "price_rp": TOKO_PRICE, "cost_rp": 1}], total=TOKO_PRICE)  # fmt: skip
    report = loaded.ingest([unsigned], require_signature=True)
    assert "missing signature" in report.rejected[0].reason
    report = loaded.ingest([stranger.sale()], require_signature=True)
    assert "unknown device" in report.rejected[0].reason
    report = loaded.ingest([dev.sale()], require_signature=True, expected_device="cafe-01")
    assert "does not match the sender" in report.rejected[0].reason
    # the operator's historical ingest accepts unsigned envelopes of unregistered devices
    assert loaded.ingest([Device("toko-55").sale(sign=False)]).ok


def test_void_rules(loaded: Ledger) -> None:
    """A void needs an existing, unvoided money transaction with equal member, payment and total."""
    dev = Device()
    sale = dev.sale(payment="credit")
    loaded.ingest([sale])
    bad_total = dev.void(sale, total=sale["total"] - 1)
    unknown = dev.void(sale, ref="nope:1")
    ok = dev.void(sale)
    twice = dev.void(sale)
    report = loaded.ingest([bad_total, unknown, ok, twice])
    assert report.accepted == [ok["id"]]
    reasons = [r.reason for r in report.rejected]
    assert (
        "must repeat" in reasons[0] and "unknown transaction" in reasons[1] and "already voided" in reasons[2]
    )
    members = {m["number"]: m for m in loaded.members()}
    assert members["A001"]["credit_used_rp"] == 0  # the credit sale was reversed
    assert unbalanced_entries(loaded) == []


def test_void_posts_the_reversal(loaded: Ledger) -> None:
    """Voiding a sale leaves every account as it was before the sale; the original entry stays."""
    dev = Device()
    sale = dev.sale()
    loaded.ingest([sale, dev.void(sale)])
    rows = reports.trial_balance(loaded, reports.Period())[0].rows
    assert len(rows) == 4 and all(row[3] == row[4] == 0 for row in rows)
    assert snapshot(loaded)["journal"][0] == 8


def test_withdrawal_cannot_exceed_balance(loaded: Ledger) -> None:
    """A withdrawal above the member's balance of that savings product is quarantined."""
    dev = Device("sp-09", "simpan-pinjam")
    report = loaded.ingest(
        [dev.deposit("A002", "sukarela", 50_000), dev.withdraw("A002", "sukarela", 60_000),
         dev.withdraw("A002", "shr", 1_000), dev.withdraw("A002", "sukarela", 50_000)]
    )  # fmt: skip
    assert len(report.accepted) == 2
    assert all("below zero" in r.reason for r in report.rejected)
    assert member_summary(loaded, "A002")["savings"]["sukarela"] == 0


def test_a_device_never_pays_out_equity_savings_whatever_the_balance(loaded: Ledger) -> None:
    """Central checks again what devices refuse: pokok and wajib are the members' equity, returned only by
    a leaving member's settlement at the office, so a device's withdrawal of one is quarantined with the
    reason, even with the money there."""
    dev = Device("sp-10", "simpan-pinjam")
    report = loaded.ingest([dev.deposit("A003", "wajib", 50_000), dev.withdraw("A003", "wajib", 10_000)])
    assert len(report.accepted) == 1
    assert "simpanan wajib is the member's equity, returned only when the member leaves" in (
        report.rejected[0].reason
    )
    assert member_summary(loaded, "A003")["savings"]["wajib"] >= 50_000


def test_no_new_loan_before_the_old_one_is_repaid(loaded: Ledger) -> None:
    """Seed 003: a second loan is refused until the first is repaid; then it is allowed."""
    dev = Device("sp-09", "simpan-pinjam")
    report = loaded.ingest(
        [dev.lend("A003", "L1", 1_000_000), dev.lend("A003", "L2", 500_000),
         dev.repay("A003", "L1", 1_000_000, 10_000), dev.lend("A003", "L3", 500_000),
         dev.repay("A003", "L1", 1, 0), dev.repay("A004", "L3", 1, 0), dev.repay("A003", "L9", 1, 0)]
    )  # fmt: skip
    assert report.accepted == ["sp-09:1", "sp-09:3", "sp-09:4"]
    reasons = [r.reason for r in report.rejected]
    assert "no new loan before the old one is repaid" in reasons[0]
    assert "principal outstanding" in reasons[1]
    assert "belongs to member A003" in reasons[2]
    assert "unknown loan" in reasons[3]


def test_dispute_posts_nothing_and_is_listed(loaded: Ledger) -> None:
    """A dispute is stored with no journal entry, listed in `report disputes`; only the buyer may dispute."""
    dev = Device()
    sale = dev.sale(member="A005")
    dispute = dev.make("dispute", member="A005", ref=sale["id"], reason="bukan saya")
    foreign = dev.make("dispute", member="A006", ref=sale["id"], reason="bukan saya")
    report = loaded.ingest([sale, dispute, foreign])
    assert report.accepted == [sale["id"], dispute["id"]]
    assert "only dispute their own" in report.rejected[0].reason
    assert snapshot(loaded)["journal"][0] == 4
    rows = reports.disputes(loaded, reports.Period())[0].rows
    assert [(r[1], r[2], r[3]) for r in rows] == [(dispute["id"], "A005", sale["id"])]


def test_chain_gaps_and_broken_prev_are_reported(loaded: Ledger) -> None:
    """`report chains` lists missing seqs and envelopes whose prev is not the hash of their predecessor."""
    dev = Device()
    envs = [dev.sale() for _ in range(6)]
    broken = dict(envs[5])
    broken["prev"] = "f" * 64
    broken = wire.sign({k: v for k, v in broken.items() if k != "sig"}, dev.key)
    loaded.ingest([envs[0], envs[1], envs[3], envs[4], broken])
    assert loaded.contiguous_seq(dev.name) == 2
    row = reports.chains(loaded)[0].rows[0]
    assert row[0] == dev.name and row[3] == 2
    assert row[4] == "3-3"
    assert row[5] == "6"
    loaded.ingest([envs[2]])
    assert loaded.contiguous_seq(dev.name) == 6
    assert loaded.contiguous_seq("nobody") == 0


def test_a_refused_authentic_envelope_is_no_gap_in_the_chain_report(loaded: Ledger) -> None:
    """An authentic envelope central refused holds its position: `report chains` counts it as refused,
    not as a gap, and the contiguous seq runs past it."""
    dev = Device().register(loaded)
    envs = [dev.sale(), dev.withdraw("A001", "sukarela", 10**9), dev.sale()]
    report = loaded.ingest(envs, require_signature=True)
    assert [r.id for r in report.rejected] == [envs[1]["id"]]
    assert loaded.contiguous_seq(dev.name) == 3
    row = reports.chains(loaded)[0].rows[0]
    assert row[0] == dev.name and row[2] == 3 and row[3] == 3
    assert row[4] == "" and row[6] == 1


def test_contiguous_seq_is_zero_without_the_first(loaded: Ledger) -> None:
    """A device whose seq 1 has not arrived has contiguous seq 0, and the chain report names 1-1 missing."""
    dev = Device()
    envs = [dev.sale() for _ in range(2)]
    loaded.ingest([envs[1]])
    assert loaded.contiguous_seq(dev.name) == 0
    assert reports.chains(loaded)[0].rows[0][4] == "1-1"


def test_state_carries_across_chunks(
    loaded: Ledger, month: sample.SampleData, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With tiny chunks (each its own transaction), a month ingests exactly as in one chunk."""
    import central.ledger.ingest

    monkeypatch.setattr(central.ledger.ingest, "CHUNK_SIZE", 97)
    report = loaded.ingest(month.envelopes)
    assert report.rejected == [] and len(report.accepted) == len(month.envelopes)
    again = loaded.ingest(month.envelopes[:50])
    assert len(again.duplicates) == 50
    assert unbalanced_entries(loaded) == []


def test_concurrent_ingests_count_each_envelope_once(
    loaded: Ledger, month: sample.SampleData, db_url: str
) -> None:
    """Three writers ingesting the same stream at once (like serve and an operator) commit it exactly once."""
    import threading

    envelopes = month.envelopes[:300]
    results: list[tuple[int, int, int]] = []

    def run() -> None:
        with Ledger.open(db_url) as other:
            report = other.ingest(envelopes)
            results.append((len(report.accepted), len(report.duplicates), len(report.rejected)))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [(0, 300, 0), (0, 300, 0), (300, 0, 0)]
    assert len(snapshot(loaded)["ids"]) == 300


def test_contiguous_seq_pages_and_grows(loaded: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """contiguous_seq reads past page boundaries, stops at a gap, and moves on once the gap is filled."""
    import central.ledger.store

    monkeypatch.setattr(central.ledger.store, "SEQ_PAGE", 2)
    dev = Device()
    envs = [dev.sale() for _ in range(8)]
    loaded.ingest(envs[:5] + envs[6:])
    assert loaded.contiguous_seq(dev.name) == 5
    loaded.ingest([envs[5]])
    assert loaded.contiguous_seq(dev.name) == 8
    with Ledger.open(loaded.target) as fresh:  # another process sees the same
        assert fresh.contiguous_seq(dev.name) == 8


def test_reinit_rebuilds_missing_day_sums(loaded: Ledger, month: sample.SampleData) -> None:
    """A ledger whose per-day sums are missing (made before they existed) gets them back on `init`."""
    from central import config
    from central.ledger.schema import account_days

    loaded.ingest(month.envelopes[:200])
    with loaded.write() as conn:
        conn.execute(account_days.delete())
    assert not account_days_match_journal(loaded)
    loaded.init(config.default())
    assert account_days_match_journal(loaded)


@pytest.mark.parametrize("order", [[5, 0, 1, 2, 3, 4], [0, 2, 4, 5, 3, 1], [5, 4, 3, 2, 1, 0]])
def test_broken_link_is_found_whatever_the_arrival_order(loaded: Ledger, order: list[int]) -> None:
    """A broken link is reported once, whichever end of it arrives first."""
    dev = Device()
    envs = [dev.sale() for _ in range(6)]
    envs[3] = wire.sign({**{k: v for k, v in envs[3].items() if k != "sig"}, "prev": "e" * 64}, dev.key)
    for index in order:
        loaded.ingest([envs[index]])
    row = reports.chains(loaded)[0].rows[0]
    # envs[3] (seq 4) names a wrong prev, and seq 5 names the hash of the original seq 4, not this one
    assert row[4] == "" and row[5] == "4 5"


def test_text_is_stored_exactly(loaded: Ledger) -> None:
    """Backslashes, quotes and non-ASCII text survive storage byte for byte (COPY escaping on PostgreSQL)."""
    from sqlalchemy import select

    from central.ledger.schema import transactions as t

    dev = Device()
    note = 'kopi "tubruk" \\ 50% — ☕ ß \\N \\t'
    env = dev.sale(note=note, clerk="Siti\\Rahayu")
    assert loaded.ingest([env]).ok
    with loaded.read() as conn:
        row = conn.execute(select(t.c.note, t.c.clerk, t.c.body).where(t.c.id == env["id"])).one()
    assert row.note == note and row.clerk == "Siti\\Rahayu"
    assert row.body == wire.canonical(env).decode("utf-8")
    assert loaded.ingest([json.loads(row.body)]).duplicates == [env["id"]]
