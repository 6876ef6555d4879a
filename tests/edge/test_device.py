"""The device API that kiosk/ and sync/ build on: recording, outbox, acks, status."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from edge.device import Device
from edge.errors import (
    CreditNeedsMember,
    DisputeOfNonSale,
    DisputeOfOthersSale,
    DisputeOfVoidedSale,
    EdgeError,
    InactiveMember,
    InstallmentAboveOwed,
    NotVoidable,
    OutOfStock,
    UnknownMember,
    UnknownProduct,
    UnknownTransaction,
    WrongUnit,
)
from edge.keys import load as load_key
from sync.envelope import GENESIS, chain_hash, check, parse, verify


def test_sale_is_signed_chained_envelope(dev: Device, device_dir: Path) -> None:
    """A recorded sale is a signed envelope in the outbox, priced from the local catalog."""
    rec = dev.record_sale([("8991001", 2), ("TELUR", "1.5")], member="A001", payment="cash")
    env = parse(dev.outbox_after(0, 10)[0][1])
    check(env)
    assert verify(env, load_key(device_dir).public_key())
    assert env["seq"] == 1 and env["prev"] == GENESIS
    assert env["total"] == 2 * 68000 + 42000 == rec.total_rp
    assert env["lines"][1] == {"sku": "TELUR", "qty": "1.5", "price_rp": 28000, "cost_rp": 25000}
    assert env["unit"] == "toko" and env["device"] == "toko-01" and env["member"] == "A001"


def test_chain_links_each_envelope_to_the_previous(dev: Device) -> None:
    """Each envelope's prev is the chain hash of the one before it and seq counts up from 1."""
    for _ in range(3):
        dev.record_sale([("PULSA", 1)])
    rows = [parse(data) for _, data in dev.outbox_after(0, 10)]
    assert [r["seq"] for r in rows] == [1, 2, 3]
    assert rows[1]["prev"] == chain_hash(rows[0]) and rows[2]["prev"] == chain_hash(rows[1])


def test_sale_takes_stock_and_void_gives_it_back(dev: Device) -> None:
    """Stock drops by what was sold (exactly, for weights) and a void restores it."""
    rec = dev.record_sale([("8991001", 3), ("TELUR", "0.25")])
    product = dev.product("TELUR")
    assert product is not None and product.stock == Decimal("9.75")
    assert dev.stock_milli()["8991001"] == 37000
    dev.record_void(rec.id, "pembeli batal")
    assert dev.stock_milli()["8991001"] == 40000 and dev.stock_milli()["TELUR"] == 10000


@pytest.mark.parametrize(
    ("lines", "member", "payment", "error"),
    [
        ([("NOPE", 1)], None, "cash", UnknownProduct),
        ([("KOPI", 1)], None, "cash", WrongUnit),
        ([("8991003", 2), ("8991003", 2)], None, "cash", OutOfStock),
        ([("PULSA", 1)], "Z999", "cash", UnknownMember),
        ([("PULSA", 1)], "A003", "cash", InactiveMember),
        ([("PULSA", 1)], None, "credit", CreditNeedsMember),
    ],
)
def test_refused_sale_leaves_no_trace(dev: Device, lines, member, payment, error) -> None:  # type: ignore[no-untyped-def]
    """A refused sale raises its own error with text in both languages and changes nothing."""
    before = dev.stock_milli()
    with pytest.raises(error) as info:
        dev.record_sale(lines, member=member, payment=payment)
    assert isinstance(info.value, EdgeError)
    assert info.value.message("id") != info.value.message("en")
    assert dev.outbox_after(0, 10) == [] and dev.stock_milli() == before


def test_void_rules(dev: Device) -> None:
    """A void repeats the voided sale's member, payment and total, and cannot be repeated."""
    rec = dev.record_sale([("8991002", 2)], member="A001", payment="credit")
    void = dev.record_void(rec.id, "salah barang")
    assert (void.member, void.payment, void.total_rp) == ("A001", "credit", 35000)
    assert void.envelope["ref"] == rec.id
    with pytest.raises(NotVoidable):
        dev.record_void(rec.id, "lagi")
    with pytest.raises(NotVoidable):
        dev.record_void(void.id, "void of void")
    with pytest.raises(UnknownTransaction) as caught:
        dev.record_void("unknown-id", "tidak ada")
    # Central has no void command: the message points to the recording device or a dispute.
    assert "central office" not in caught.value.message("en")
    assert "on the device that recorded it" in caught.value.message("en")
    assert "report disputes" in caught.value.message("id")


def test_out_of_stock_says_where_the_stock_count_comes_from(dev: Device) -> None:
    """Central tracks no stock: the message points to the device's catalog import, not to central."""
    with pytest.raises(OutOfStock) as caught:
        dev.record_sale([("8991003", 1000)])
    assert "at central" not in caught.value.message("en")
    assert "central does not track stock yet" in caught.value.message("en")
    assert "edge catalog import" in caught.value.message("id")


def test_deposit_installment_dispute(dev: Device) -> None:
    """Deposits, installments and disputes become envelopes of their kind that pass the format check."""
    dep = dev.record_savings_deposit("A001", "wajib", 50000)
    inst = dev.record_installment("A002", "L-7", 90000, 10000)
    disp = dev.record_dispute("A001", "abc123", "bukan saya yang membeli")
    assert (dep.kind, dep.total_rp, dep.envelope["product"]) == ("savings_deposit", 50000, "wajib")
    assert (inst.total_rp, inst.envelope["principal_rp"]) == (100000, 90000)
    assert (disp.kind, disp.total_rp) == ("dispute", 0)
    for _, data in dev.outbox_after(0, 10):
        check(parse(data))


def test_dispute_is_refused_for_what_is_not_the_members_own_live_sale(dev: Device) -> None:
    """A dispute of a deposit, an installment, a void or a dispute, of another member's sale or of a
    voided sale is refused with its own error; the member's own sale is accepted. Nothing else is written."""
    deposit = dev.record_savings_deposit("A001", "wajib", 50000)
    installment = dev.record_installment("A001", "L-7", 90000, 10000)
    own = dev.record_sale([("PULSA", 1)], member="A001")
    others = dev.record_sale([("PULSA", 1)], member="A002")
    walk_in = dev.record_sale([("PULSA", 1)])
    voided = dev.record_sale([("PULSA", 1)], member="A001")
    void = dev.record_void(voided.id, "salah input")
    dispute = dev.record_dispute("A001", own.id, "bukan saya")
    before = dev.status().last_seq
    for ref, error in (
        (deposit.id, DisputeOfNonSale),
        (installment.id, DisputeOfNonSale),
        (void.id, DisputeOfNonSale),
        (dispute.id, DisputeOfNonSale),
        (others.id, DisputeOfOthersSale),
        (walk_in.id, DisputeOfOthersSale),
        (voided.id, DisputeOfVoidedSale),
    ):
        with pytest.raises(error) as caught:
            dev.record_dispute("A001", ref, "bukan saya")
        assert ref in caught.value.message("id") and ref in caught.value.message("en")
    assert dev.status().last_seq == before


def test_dispute_of_a_sale_elsewhere_is_checked_against_the_saved_summary(dev: Device) -> None:
    """A ref recorded on another device is checked against the member's last summary from central."""
    dev.save_member_summary(
        "A001",
        {
            "as_of": "2026-11-22T10:00:00+07:00",
            "recent": [
                {"id": "cafe-01:sale", "kind": "sale", "total": 19000},
                {"id": "sp-01:wajib", "kind": "savings_deposit", "total": 50000},
            ],
        },
    )
    with pytest.raises(DisputeOfNonSale):
        dev.record_dispute("A001", "sp-01:wajib", "bukan saya")
    assert dev.record_dispute("A001", "cafe-01:sale", "bukan saya").kind == "dispute"
    assert dev.record_dispute("A001", "unknown-here", "bukan saya").kind == "dispute"  # central checks


def test_installment_above_what_the_cache_says_is_owed_is_refused(dev: Device) -> None:
    """With a saved summary, principal above the loan left (less installments recorded since) is refused."""
    dev.record_installment("A001", "L-1", 500_000, 0)  # no summary yet: the device cannot tell
    dev.save_member_summary(
        "A001", {"as_of": "2026-11-22T10:00:00+07:00", "loan": {"outstanding_rp": 300_000}}
    )
    dev.record_installment("A001", "L-1", 200_000, 25_000)
    with pytest.raises(InstallmentAboveOwed) as caught:
        dev.record_installment("A001", "L-1", 100_001, 0)
    assert caught.value.owed_rp == 100_000
    assert "Rp 100.000" in caught.value.message("id") and "Rp 100,000" in caught.value.message("en")
    assert dev.record_installment("A001", "L-1", 100_000, 5_000).total_rp == 105_000


def test_acks_drive_status_and_outbox_depth(dev: Device) -> None:
    """mark_acked moves the ack seq forward only, caps it at the last seq, and empties the unsynced count."""
    for _ in range(4):
        dev.record_sale([("PULSA", 1)])
    assert dev.status().outbox_depth == 4
    assert dev.mark_acked(2) == 2
    assert dev.mark_acked(1) == 2
    status = dev.status()
    assert (status.outbox_depth, status.last_ack_seq, status.last_seq) == (2, 2, 4)
    assert dev.mark_acked(99) == 4 and dev.status().outbox_depth == 0
    assert [s for s, _ in dev.outbox_after(2, 10)] == [3, 4]


def test_prune_keeps_chain_going(dev: Device) -> None:
    """Pruning delivered rows leaves seq and prev continuing from the pruned chain head."""
    for _ in range(3):
        dev.record_sale([("PULSA", 1)])
    last = parse(dev.outbox_after(2, 1)[0][1])
    dev.mark_acked(3)
    dev.apply_downlink("members", {"kind": "snapshot", "version": 2, "items": []})
    dev.apply_downlink(
        "catalog",
        {
            "kind": "snapshot",
            "version": 2,
            "items": [
                {
                    "sku": "PULSA",
                    "name": "Isi pulsa",
                    "unit": "toko",
                    "price_rp": 10000,
                    "cost_rp": 9500,
                    "stock": None,
                }
            ],
        },
    )
    assert dev.prune_delivered(older_than_s=-1) == 3
    rec = dev.record_sale([("PULSA", 1)])
    assert rec.seq == 4 and rec.envelope["prev"] == chain_hash(last)


def test_prune_keeps_unsynced_rows(dev: Device) -> None:
    """Rows central has not confirmed are never pruned."""
    dev.record_sale([("PULSA", 1)])
    assert dev.prune_delivered(older_than_s=-1) == 0
    assert len(dev.outbox_after(0, 10)) == 1


def test_member_summary_cache(dev: Device) -> None:
    """The last member summary saved is returned as saved, with its as_of."""
    assert dev.member_summary("A001") is None
    summary = {"member": "A001", "as_of": "2026-11-22T10:00:00+07:00", "points": {"total": 43.75}}
    dev.save_member_summary("A001", summary)
    assert dev.member_summary("A001") == summary


def test_lookup_by_card_and_search(dev: Device) -> None:
    """Members are found by card code, products by text in sku or name, filtered by unit."""
    member = dev.member_by_card("KP0123456789AB")
    assert member is not None and member.number == "A001"
    assert dev.member_by_card("KPXXXXXXXXXXXX") is None
    assert [p.sku for p in dev.search_products("minyak")] == ["8991002"]
    assert [p.sku for p in dev.search_products("o", unit="cafe")] == ["KOPI"]
    assert json.dumps([p.sku for p in dev.products("cafe")]) == '["KOPI"]'


def test_missing_store_is_refused_not_recreated(device_dir: Path) -> None:
    """If edge.sqlite disappears the device refuses to start an empty store and says what was lost."""
    from edge.device import STORE_FILE
    from edge.errors import StoreMissing

    (device_dir / STORE_FILE).unlink()
    with pytest.raises(StoreMissing) as info:
        Device.open(device_dir)
    assert "new device id" in info.value.message("en")
    assert not (device_dir / STORE_FILE).exists()


def test_clerk_must_be_registered_and_active(dev: Device) -> None:
    """A transaction names only a registered, active clerk; a typo is refused, not recorded."""
    from edge.errors import UnknownClerk

    dev.add_clerk("k1", "Ani", "1234")
    assert dev.record_sale([("PULSA", 1)], clerk="k1").envelope["clerk"] == "k1"
    with pytest.raises(UnknownClerk):
        dev.record_sale([("PULSA", 1)], clerk="k2")
    assert dev.status().last_seq == 1


def test_largest_sale_still_fits_the_wire_limit(dev: Device) -> None:
    """A sale at the line limit with long codes stays under the envelope size limit, so nothing in the
    outbox can be refused by central for its size; one line more is refused before anything is written."""
    from edge.errors import InvalidInput
    from sync.envelope import MAX_ENVELOPE_BYTES, MAX_LINES

    sku = "X" * 40
    item = {
        "sku": sku,
        "name": "Barang panjang",
        "unit": "toko",
        "price_rp": 9_999_999,
        "cost_rp": 9_999_999,
        "stock": None,
    }
    assert dev.apply_downlink("catalog", {"kind": "delta", "version": 2, "base": 1, "items": [item]})
    rec = dev.record_sale([(sku, "1.125")] * MAX_LINES, member="A001", note="n" * 200)
    assert len(rec.data) <= MAX_ENVELOPE_BYTES
    with pytest.raises(InvalidInput):
        dev.record_sale([(sku, 1)] * (MAX_LINES + 1))
    assert dev.status().last_seq == 1


def test_store_is_open_to_sqlite_utils(dev: Device) -> None:
    """dev.db is a sqlite-utils Database over the same store, for inspection tools."""
    dev.record_sale([("PULSA", 1)])
    assert dev.db["outbox"].count == 1
    assert {"meta", "products", "members", "outbox", "clerks"} <= set(dev.db.table_names())


def test_outbox_bound_refuses_cleanly(dev: Device) -> None:
    """When the unsynced bound is reached recording is refused with a reason until central acks."""
    from edge.errors import OutboxFull

    dev.max_unsynced = 2
    dev.record_sale([("PULSA", 1)])
    dev.record_sale([("PULSA", 1)])
    with pytest.raises(OutboxFull) as info:
        dev.record_sale([("PULSA", 1)])
    assert "outbox export" in info.value.message("en")
    dev.mark_acked(1)
    assert dev.record_sale([("PULSA", 1)]).seq == 3


def test_rewind_ack_sends_again_only_what_is_kept(dev: Device) -> None:
    """A rewound ack marks kept rows unacked again and never moves forward; with every row pruned there is
    nothing to send again and the ack stays."""
    for _ in range(5):
        dev.record_sale([("8991001", 1)], member=None, payment="cash")
    assert dev.mark_acked(5) == 5
    assert dev.rewind_ack(7) == 5  # never forward
    assert dev.rewind_ack(2) == 2
    assert dev.status().last_ack_seq == 2
    assert dev.mark_acked(5) == 5
    dev.prune_delivered(0)
    kept = [seq for seq, _ in dev.outbox_after(0, 10)]
    assert dev.rewind_ack(1) == (max(1, min(kept) - 1) if kept else 5)
