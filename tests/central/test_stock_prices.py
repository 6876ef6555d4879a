"""Price changes made at the office hold from their day: applied to the product on that day and no earlier,
sent to the devices as a catalog delta of that item alone, never from a past day; a sale a device made at
its old price is posted at that price, neither re-priced nor refused; the command line over the same."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from central import sample
from central.cli.app import main
from central.ledger import Ledger, schema
from central.stock import onhand, prices
from central.stock.errors import StockError
from sync import downlink
from tests.central.helpers import TOKO_COST, TOKO_PRICE, TOKO_SKU, Device

TODAY = date(2026, 3, 5)
OTHER = sample.sample_products()[1]


def _price(ledger: Ledger, sku: str = TOKO_SKU) -> int:
    return next(int(p["price_rp"]) for p in ledger.products() if p["sku"] == sku)


@pytest.fixture
def shop(ledger: Ledger) -> Ledger:
    ledger.import_products(list(sample.sample_products()))
    return ledger


def test_a_change_from_today_holds_at_once(shop: Ledger) -> None:
    """The new price is the product's at once, with the old one and who changed it kept."""
    done = prices.change(shop, TOKO_SKU, TOKO_PRICE + 2_000, from_day=TODAY, today=TODAY, by="mgr")
    assert (done.state, done.old_rp, done.price_rp, done.by) == (
        "applied",
        TOKO_PRICE,
        TOKO_PRICE + 2_000,
        "mgr",
    )
    assert _price(shop) == TOKO_PRICE + 2_000


def test_a_change_from_a_later_day_waits_for_it(shop: Ledger) -> None:
    """A change from the 10th waits through the 9th and holds on the 10th; of two changes of one item
    the later day wins; a waiting change can be cancelled, an applied one cannot (make a new one)."""
    tenth, twelfth = TODAY + timedelta(days=5), TODAY + timedelta(days=7)
    first = prices.change(shop, TOKO_SKU, 80_000, from_day=tenth, today=TODAY, by="mgr")
    prices.change(shop, TOKO_SKU, 81_000, from_day=twelfth, today=TODAY, by="mgr")
    dropped = prices.change(shop, OTHER.sku, 1_000, from_day=tenth, today=TODAY, by="mgr")
    assert first.state == "pending" and _price(shop) == TOKO_PRICE
    assert prices.apply_due(shop, tenth - timedelta(days=1)) == []
    assert prices.cancel(shop, dropped.id, by="mgr").state == "cancelled"
    applied = prices.apply_due(shop, tenth)
    assert [(a.sku, a.price_rp) for a in applied] == [(TOKO_SKU, 80_000)]
    assert prices.apply_due(shop, tenth) == []  # once
    assert _price(shop) == 80_000 and _price(shop, OTHER.sku) == OTHER.price_rp
    assert [a.price_rp for a in prices.apply_due(shop, twelfth + timedelta(days=3))] == [81_000]
    assert _price(shop) == 81_000
    with pytest.raises(StockError, match="only a waiting one"):
        prices.cancel(shop, first.id, by="mgr")
    # latest day first
    assert [pc.state for pc in prices.listing(shop)] == ["applied", "cancelled", "applied"]


@pytest.mark.parametrize(
    ("sku", "price", "day", "why"),
    [
        (TOKO_SKU, 0, TODAY, "whole rupiah from 1"),
        (TOKO_SKU, -5, TODAY, "whole rupiah from 1"),
        (TOKO_SKU, 1_000, TODAY - timedelta(days=1), "kept at the price they were made at"),
        ("NOPE", 1_000, TODAY, "no item with code"),
    ],
)
def test_a_bad_change_is_refused_in_both_languages(
    shop: Ledger, sku: str, price: int, day: date, why: str
) -> None:
    """A price of 0 or below, a past day or an unknown item is refused, with the reason in Indonesian too."""
    with pytest.raises(StockError, match=why) as refused:
        prices.change(shop, sku, price, from_day=day, today=TODAY, by="mgr")
    assert refused.value.text("id") != refused.value.text("en")
    assert prices.listing(shop) == []


def test_the_catalog_changes_by_a_delta_of_that_item(shop: Ledger) -> None:
    """The catalog built after the change's day differs from the one before in the changed item only, so
    the publication is a delta of one item, base the previous version."""
    before = onhand.with_stock(shop, shop.products())
    state, _, change = downlink.next_publication("catalog", None, before) or (None, None, None)
    assert state is not None and change is None
    prices.change(shop, TOKO_SKU, 70_500, from_day=TODAY + timedelta(days=1), today=TODAY, by="mgr")
    assert downlink.next_publication("catalog", state, onhand.with_stock(shop, shop.products())) is None
    prices.apply_due(shop, TODAY + timedelta(days=1))
    decided = downlink.next_publication("catalog", state, onhand.with_stock(shop, shop.products()))
    assert decided is not None
    _, snap, delta = decided
    assert delta is not None and (delta["base"], delta["version"]) == (1, 2) and delta["delete"] == []
    assert [(i["sku"], i["price_rp"]) for i in delta["items"]] == [(TOKO_SKU, 70_500)]
    assert len(snap["items"]) == len(before)


def test_a_sale_at_the_old_price_is_posted_at_it(shop: Ledger) -> None:
    """A device that sold before the delta reached it recorded the old price: central accepts the sale and
    posts what the device took, not the new price."""
    dev = Device().register(shop)
    prices.change(shop, TOKO_SKU, TOKO_PRICE + 5_000, from_day=TODAY, today=TODAY, by="mgr")
    sale = dev.sale(qty=2, member=None, at="2026-03-05T15:00:00+07:00")
    assert sale["lines"][0]["price_rp"] == TOKO_PRICE
    report = shop.ingest([sale])
    assert not report.rejected and report.accepted == [sale["id"]]
    t, line = schema.transactions, schema.sale_lines
    with shop.read() as conn:
        assert conn.execute(select(t.c.total_rp).where(t.c.id == sale["id"])).scalar() == 2 * TOKO_PRICE
        assert conn.execute(select(line.c.price_rp).where(line.c.tx == sale["id"])).scalar() == TOKO_PRICE
        assert conn.execute(select(t.c.cost_rp).where(t.c.id == sale["id"])).scalar() == 2 * TOKO_COST


def test_the_command_line_sets_lists_and_cancels(shop: Ledger, capsys: Any) -> None:
    """``stock price set`` from a later day waits, ``list`` shows it, ``cancel`` drops it; a bad price is a
    usage error (exit 2), a past day a refusal with the reason."""
    db = ["--db", shop.target, "--lang", "en"]
    later = (date.today() + timedelta(days=30)).isoformat()
    assert main([*db, "stock", "price", "set", TOKO_SKU, "70.000", "--from", later]) == 0
    shown = capsys.readouterr().out
    assert f"Rp {TOKO_PRICE:,} -> Rp 70,000 from {later} (pending)" in shown
    assert main([*db, "stock", "price", "list", "--json"]) == 0
    (row,) = __import__("json").loads(capsys.readouterr().out)
    assert (row["sku"], row["price_rp"], row["state"]) == (TOKO_SKU, 70_000, "pending")
    assert main([*db, "stock", "price", "cancel", str(row["id"])]) == 0
    assert "(cancelled)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as usage:
        main([*db, "stock", "price", "set", TOKO_SKU, "tujuh"])
    assert usage.value.code == 2
    assert "not a whole rupiah price" in capsys.readouterr().err
    past = (date.today() - timedelta(days=2)).isoformat()
    assert main([*db, "stock", "price", "set", TOKO_SKU, "70000", "--from", past]) != 0
    assert "kept at the price they were made at" in capsys.readouterr().err
    assert _price(shop) == TOKO_PRICE
