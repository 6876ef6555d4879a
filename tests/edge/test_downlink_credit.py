"""Catalog, member, config and clerk downlinks (versioned, atomic) and the offline credit check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from edge.device import Device
from edge.errors import CreditLimitExceeded, InvalidDownlink
from edge.pins import hash_pin
from tests.edge.conftest import CATALOG, MEMBERS, snapshot


def delta(
    name: str, base: int, items: list[dict[str, Any]], delete: list[str] | None = None
) -> dict[str, Any]:
    """A downlink delta payload."""
    return {
        "name": name,
        "kind": "delta",
        "version": base + 1,
        "base": base,
        "items": items,
        "delete": delete or [],
    }


def member(number: str, limit_rp: int, used_rp: int) -> dict[str, Any]:
    """A members item."""
    return {
        "number": number,
        "name": number,
        "card_code": None,
        "role": "anggota",
        "active": True,
        "credit_limit_rp": limit_rp,
        "credit_used_rp": used_rp,
    }


def test_versions_old_snapshots_and_wrong_base_deltas_are_ignored(dev: Device) -> None:
    """A snapshot applies only if newer; a delta only on top of exactly the device's version."""
    assert not dev.apply_downlink("catalog", snapshot("catalog", 1, []))
    assert not dev.apply_downlink("catalog", delta("catalog", 5, []))
    item = {**CATALOG[0], "price_rp": 70000}
    assert dev.apply_downlink("catalog", delta("catalog", 1, [item], delete=["KOPI"]))
    product = dev.product("8991001")
    assert product is not None and product.price_rp == 70000 and dev.product("KOPI") is None
    assert dev.status().catalog_version == 2
    assert dev.apply_downlink("catalog", snapshot("catalog", 7, CATALOG[:2]))
    assert [p.sku for p in dev.products()] == ["8991001", "8991002"]
    assert not dev.apply_downlink("unknown-name", snapshot("x", 1, []))


@pytest.mark.parametrize(
    "bad",
    [
        {
            "kind": "snapshot",
            "version": 9,
            "items": [{"sku": "X1", "name": "X", "unit": "toko", "price_rp": -1, "cost_rp": 0, "stock": 1}],
        },
        {
            "kind": "snapshot",
            "version": 9,
            "items": [{"sku": "X1", "name": "X", "unit": "toko", "price_rp": 1.5, "cost_rp": 0, "stock": 1}],
        },
        {"kind": "snapshot", "version": 9, "items": [{**CATALOG[0]}, {"sku": "bad sku!"}]},
        {"kind": "sideways", "version": 9, "items": []},
        {"kind": "snapshot", "version": "9", "items": []},
        {"kind": "delta", "version": 9, "items": []},
        {"kind": "snapshot", "version": 9, "items": "all"},
    ],
)
def test_malformed_downlink_changes_nothing(dev: Device, bad: dict[str, Any]) -> None:
    """A malformed payload is refused with a reason and the catalog and its version stay as they were."""
    before = dev.products()
    with pytest.raises(InvalidDownlink) as info:
        dev.apply_downlink("catalog", bad)
    assert "catalog" in info.value.message("en")
    assert dev.products() == before and dev.status().catalog_version == 1


def test_catalog_snapshot_keeps_unsynced_sales_out_of_stock(dev: Device) -> None:
    """A new catalog snapshot's stock is reduced by this device's sales central has not confirmed yet."""
    dev.record_sale([("8991001", 2)])
    dev.mark_acked(1)
    dev.record_sale([("8991001", 5), ("TELUR", "0.5")])
    items = [{**CATALOG[0], "stock": 38}, {**CATALOG[3], "stock": 10}]  # central knows of the acked sale only
    assert dev.apply_downlink("catalog", snapshot("catalog", 2, items))
    assert dev.stock_milli() == {"8991001": 33000, "TELUR": 9500}


def test_credit_counts_unsynced_credit_and_voids_give_it_back(dev: Device) -> None:
    """available = limit - used - this device's unsynced credit sales (less their voids); the refusal
    names limit, used, pending and available."""
    assert dev.credit_available_rp("A001") == 400000
    first = dev.record_sale([("8991001", 4)], member="A001", payment="credit")  # 272,000
    assert dev.credit_available_rp("A001") == 128000
    with pytest.raises(CreditLimitExceeded) as info:
        dev.record_sale([("8991001", 2)], member="A001", payment="credit")  # 136,000
    err = info.value
    assert (err.limit_rp, err.used_rp, err.pending_rp, err.available_rp) == (500000, 100000, 272000, 128000)
    for text in ("Rp 500.000", "Rp 100.000", "Rp 272.000", "Rp 128.000"):
        assert text in err.message("id")
    assert "available Rp 128,000" in err.message("en")
    dev.record_sale([("8991001", 2)], member="A002", payment="cash")  # cash does not touch credit
    dev.record_void(first.id, "batal")
    assert dev.credit_available_rp("A001") == 400000
    dev.record_sale([("8991001", 2)], member="A001", payment="credit")
    assert dev.credit_available_rp("A001") == 264000


def test_credit_stays_pending_after_ack_until_members_snapshot(dev: Device) -> None:
    """An acked credit sale stays counted until a members snapshot (which includes it) arrives."""
    dev.record_sale([("8991001", 1)], member="A001", payment="credit")  # 68,000
    dev.mark_acked(1)
    assert dev.credit_available_rp("A001") == 332000
    members = [member("A001", 500000, 168000)]
    assert dev.apply_downlink("members", snapshot("members", 2, members))
    assert dev.credit_available_rp("A001") == 332000
    assert dev.apply_downlink("members", delta("members", 2, [member("A001", 600000, 168000)]))
    assert dev.credit_available_rp("A001") == 432000


def test_config_and_clerks_downlinks(dev: Device) -> None:
    """Config items and clerks (with PIN hashes) arrive by downlink; PINs check against them."""
    assert dev.apply_downlink("config", snapshot("config", 1, [{"key": "coop_name", "value": "Kop Maju"}]))
    assert dev.config() == {"coop_name": "Kop Maju"}
    clerks = [
        {"id": "k1", "name": "Ani", "pin_hash": hash_pin("1357"), "active": True},
        {"id": "k2", "name": "Edi", "pin_hash": hash_pin("2468"), "active": False},
    ]
    assert dev.apply_downlink("clerks", snapshot("clerks", 1, clerks))
    assert dev.check_pin("k1", "1357") and not dev.check_pin("k1", "1358")
    assert not dev.check_pin("k2", "2468") and not dev.check_pin("nobody", "1357")


def test_shift_summary(dev: Device) -> None:
    """A shift adds up one clerk's sales by payment, voids, deposits and installments into cash expected."""
    dev.add_clerk("k1", "Ani", "1357")
    dev.add_clerk("k2", "Edi", "2468")
    a = dev.record_sale([("8991002", 2)], clerk="k1")  # 35,000 cash
    dev.record_sale([("8991001", 1)], member="A001", payment="credit", clerk="k1")  # 68,000 credit
    dev.record_sale([("PULSA", 1)], clerk="k2")
    dev.record_savings_deposit("A001", "wajib", 25000, clerk="k1")
    dev.record_installment("A001", "L1", 40000, 5000, clerk="k1")
    dev.record_void(a.id, "salah", clerk="k1")
    s = dev.shift_summary("k1", "2000-01-01T00:00:00+07:00")
    assert (s.sales_count, s.sales_rp["cash"], s.sales_rp["credit"]) == (2, 35000, 68000)
    assert (s.voids_count, s.voids_rp["cash"], s.deposits_rp, s.installments_rp) == (1, 35000, 25000, 45000)
    assert s.cash_expected_rp == 35000 + 25000 + 45000 - 35000
    assert dev.check_pin("k2", "2468")


def test_members_snapshot_replaces_cache(dev: Device) -> None:
    """A members snapshot replaces the whole cache; a delta removes the members it deletes."""
    assert dev.apply_downlink("members", snapshot("members", 2, [*MEMBERS[:2], member("B7", 0, 0)]))
    assert [m.number for m in dev.members()] == ["A001", "A002", "B7"]
    assert dev.apply_downlink("members", delta("members", 2, [], delete=["A002"]))
    assert [m.number for m in dev.members()] == ["A001", "B7"]
    product = dev.product("TELUR")
    assert product is not None and product.stock == Decimal(10)


def test_reflects_map_says_exactly_what_central_counted(dev: Device) -> None:
    """With a `reflects` map central says up to which seq of this device its figures count: a stale
    snapshot applied after the ack keeps the sale pending, a fresh one releases it."""
    dev.record_sale([("8991001", 1)], member="A001", payment="credit")  # 68,000, seq 1
    dev.mark_acked(1)
    stale = {**snapshot("members", 2, [member("A001", 500000, 100000)]), "reflects": {"toko-01": 0}}
    assert dev.apply_downlink("members", stale)
    assert dev.credit_available_rp("A001") == 500000 - 100000 - 68000
    fresh = {**snapshot("members", 3, [member("A001", 500000, 168000)]), "reflects": {"toko-01": 1}}
    assert dev.apply_downlink("members", fresh)
    assert dev.credit_available_rp("A001") == 500000 - 168000
    other = {**snapshot("members", 4, [member("A001", 500000, 168000)]), "reflects": {"kafe-01": 9}}
    assert dev.apply_downlink("members", other)  # this device not named: nothing of it counted
    assert dev.credit_available_rp("A001") == 500000 - 168000 - 68000
    with pytest.raises(InvalidDownlink):
        dev.apply_downlink("members", {**snapshot("members", 5, []), "reflects": {"toko-01": -1}})
