"""Stock on hand, the reorder list, slow movers and items sold below cost (central.stock), and the catalog
downlink's stock: on hand is checked against a reference computed here from the envelopes themselves."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from central import config, sample
from central.errors import ConfigError
from central.ledger import Ledger
from central.stock import onhand, reports, rules
from edge import rules as edge_rules
from sync import envelope as wire
from tests.central.helpers import TOKO_COST, TOKO_PRICE, TOKO_SKU, Device


def reference(envelopes: Iterable[Mapping[str, Any]], through: str) -> dict[tuple[str, str], Decimal]:
    """On hand per (unit, sku) up to day ``through``, worked out from the envelopes alone: purchases add,
    sales take, a void gives back what its purchase or sale moved, from the void's own day."""
    by_id = {env["id"]: env for env in envelopes}
    held: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for env in by_id.values():
        if env["at"][:10] > through:
            continue
        kind, moved = env["kind"], env
        sign = 1
        if kind == "void":
            moved = by_id[env["ref"]]
            kind = moved["kind"]
            sign = -1
        if kind not in ("sale", "purchase"):
            continue
        if kind == "sale":
            sign = -sign
        for line in moved["lines"]:
            held[(moved["unit"], line["sku"])] += sign * Decimal(str(line["qty"]))
    return {key: qty for key, qty in held.items() if qty or key}


def _as_qty(positions: Iterable[onhand.Position]) -> dict[tuple[str, str], Decimal]:
    return {(p.unit, p.sku): Decimal(p.onhand_milli) / 1000 for p in positions}


@pytest.fixture
def month_ledger(loaded: Ledger, month: sample.SampleData) -> Ledger:
    """The sample month ingested (purchases, sales, voids of every unit)."""
    report = loaded.ingest(list(month.envelopes))
    assert not report.rejected
    return loaded


@pytest.mark.parametrize("day", ["2026-03-01", "2026-03-04", "2026-03-15", "2026-03-31"])
def test_on_hand_equals_the_reference_over_a_month(
    month_ledger: Ledger, month: sample.SampleData, day: str
) -> None:
    """Stock on hand as of several days equals the quantities worked out from the envelopes here."""
    expected = reference(month.envelopes, day)
    got = _as_qty(onhand.positions(month_ledger, date.fromisoformat(day)))
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}


def test_last_days_and_velocity_follow_the_envelopes(month_ledger: Ledger, month: sample.SampleData) -> None:
    """Last purchase and sale days are the latest standing ones; sold over the window is net of voids."""
    as_of = date(2026, 3, 20)
    voided = {
        env["ref"] for env in month.envelopes if env["kind"] == "void" and env["at"][:10] <= "2026-03-20"
    }
    last_sale: dict[tuple[str, str], str] = {}
    last_purchase: dict[tuple[str, str], str] = {}
    sold: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for env in month.envelopes:
        day = env["at"][:10]
        if env["kind"] not in ("sale", "purchase") or day > "2026-03-20" or env["id"] in voided:
            continue
        for line in env["lines"]:
            key = (env["unit"], line["sku"])
            target = last_sale if env["kind"] == "sale" else last_purchase
            target[key] = max(target.get(key, ""), day)
            if env["kind"] == "sale":
                sold[key] += Decimal(str(line["qty"]))
    for p in onhand.positions(month_ledger, as_of):
        key = (p.unit, p.sku)
        assert p.last_sale == last_sale.get(key), key
        assert p.last_purchase == last_purchase.get(key), key
        assert Decimal(p.sold_milli) / 1000 == sold.get(key, 0), key  # the window (30 days) holds the month


def test_a_void_gives_the_stock_back(ledger: Ledger) -> None:
    """A sale takes stock on its day and its void gives it back from the void's day."""
    ledger.import_products(list(sample.sample_products()))
    dev = Device().register(ledger)
    buy = dev.make(
        "purchase",
        at="2026-03-01T07:00:00+07:00",
        lines=[{"sku": TOKO_SKU, "qty": 10, "price_rp": TOKO_COST, "cost_rp": TOKO_COST}],
        total=10 * TOKO_COST,
        supplier="CV Sumber",
    )
    sale = dev.sale(member=None, qty=3, at="2026-03-02T10:00:00+07:00")
    void = dev.void(sale, at="2026-03-04T10:00:00+07:00")
    assert not ledger.ingest([buy, sale, void]).rejected

    def held(day: str) -> int:
        found = [p for p in onhand.positions(ledger, date.fromisoformat(day), "toko") if p.sku == TOKO_SKU]
        return found[0].onhand_milli

    assert [held(d) for d in ("2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04")] == [
        10_000,
        7_000,
        7_000,
        10_000,
    ]
    pos = next(p for p in onhand.positions(ledger, date(2026, 3, 4), "toko") if p.sku == TOKO_SKU)
    assert pos.last_sale is None  # the only sale was voided
    assert pos.sold_milli == 0


def _reorder_ledger(ledger: Ledger) -> Ledger:
    raw = config.merge_over_defaults(
        config._default_raw(),
        {"stock": {"window_days": 10, "lead_time_days": 3, "cover_days": 4, "min_qty": 2}},
    )
    ledger.init(config.parse(raw))
    ledger.import_products(list(sample.sample_products()))
    dev = Device().register(ledger)
    envs = [
        dev.make(
            "purchase",
            at="2026-03-01T07:00:00+07:00",
            lines=[{"sku": TOKO_SKU, "qty": 30, "price_rp": TOKO_COST, "cost_rp": TOKO_COST}],
            total=30 * TOKO_COST,
        )
    ]
    for day in range(3, 11):  # 8 sales of 3 from 3 to 10 March: 24 sold in the 10 days to 10 March
        envs.append(dev.sale(member=None, qty=3, at=f"2026-03-{day:02d}T10:00:00+07:00"))
    assert not ledger.ingest(envs).rejected
    return ledger


def test_reorder_quantity_is_the_hand_computed_one(db_url: str) -> None:
    """30 bought, 24 sold in a 10-day window (2.4 a day), lead 3 days, cover 4, minimum 2: the reorder
    point is 2.4 x 3 + 2 = 9.2, on hand 6 is below it, so buy up to 2.4 x 7 + 2 = 18.8: 12.8, 13 units."""
    with Ledger.open(db_url) as ledger:
        _reorder_ledger(ledger)
        table = reports.reorder_table(ledger, date(2026, 3, 10), "toko")
        assert table.dicts() == [
            {
                "unit": "toko",
                "sku": TOKO_SKU,
                "name": sample.sample_products()[0].name,
                "onhand": "6",
                "avg_daily": "2.400",
                "reorder_point": "9.2",
                "order_qty": 13,
                "order_rp": 13 * TOKO_COST,
            }
        ]
        pos = next(p for p in onhand.positions(ledger, date(2026, 3, 10), "toko") if p.sku == TOKO_SKU)
        assert pos.days_left == 2  # 6 / 2.4 = 2.5 days, whole days
        # as of 5 March: 6 sold in the window (0.6 a day), 24 on hand: above 0.6 x 3 + 2, nothing to buy
        assert reports.reorder_table(ledger, date(2026, 3, 5), "toko").rows == ()


def test_reorder_rule_examples() -> None:
    """The rule's corners: no sales and above the minimum buys nothing; below the minimum buys up to it."""
    assert rules.reorder(5_000, 0, 30, 7, 14, 2).order_qty == 0
    assert rules.reorder(1_000, 0, 30, 7, 14, 2).order_qty == 1
    assert rules.reorder(-2_000, 0, 30, 7, 14, 0).order_qty == 2
    assert rules.reorder(0, 30_000, 30, 7, 14, 0) == rules.Reorder(7_000, 21_000, 21)


def test_slow_movers_and_items_sold_below_cost(ledger: Ledger) -> None:
    """An item with stock and no sale in slow_days is slow; a sale below cost is listed with its loss."""
    ledger.import_products(list(sample.sample_products()))
    other = sample.sample_products()[1]
    dev = Device().register(ledger)
    envs = [
        dev.make(
            "purchase",
            at="2026-01-02T07:00:00+07:00",
            lines=[
                {"sku": TOKO_SKU, "qty": 10, "price_rp": TOKO_COST, "cost_rp": TOKO_COST},
                {"sku": other.sku, "qty": 5, "price_rp": other.cost_rp, "cost_rp": other.cost_rp},
            ],
            total=10 * TOKO_COST + 5 * other.cost_rp,
        ),
        dev.make(
            "sale",
            at="2026-03-20T10:00:00+07:00",
            lines=[{"sku": TOKO_SKU, "qty": 2, "price_rp": TOKO_COST - 1000, "cost_rp": TOKO_COST}],
            total=2 * (TOKO_COST - 1000),
        ),
    ]
    assert not ledger.ingest(envs).rejected
    slow = reports.slow_table(ledger, date(2026, 3, 31), "toko")
    assert [(r[1], r[3], r[4], r[5]) for r in slow.rows] == [(other.sku, "5", "", "")]
    below = reports.below_cost_table(ledger, date(2026, 3, 31), "toko")
    assert below.dicts() == [
        {
            "unit": "toko",
            "sku": TOKO_SKU,
            "name": sample.sample_products()[0].name,
            "lines": 1,
            "qty": "2",
            "sold_rp": 2 * (TOKO_COST - 1000),
            "cost_rp": 2 * TOKO_COST,
            "loss_rp": 2000,
        }
    ]


def test_catalog_carries_stock_of_tracked_items_in_the_form_devices_accept(ledger: Ledger) -> None:
    """An item bought into its unit goes out with its stock (decimal text when not whole), an item never
    bought or counted with null, and edge's catalog parser takes every item."""
    ledger.import_products(list(sample.sample_products()))
    dev = Device().register(ledger)
    envs = [
        dev.make(
            "purchase",
            lines=[{"sku": TOKO_SKU, "qty": "7.5", "price_rp": TOKO_COST, "cost_rp": TOKO_COST}],
            total=wire_total("7.5", TOKO_COST),
        ),
        dev.sale(member=None, qty=2),
    ]
    assert not ledger.ingest(envs).rejected
    items = onhand.with_stock(ledger, ledger.products())
    by_sku = {item["sku"]: item for item in items}
    assert by_sku[TOKO_SKU]["stock"] == "5.5"
    assert all(item["stock"] is None for sku, item in by_sku.items() if sku != TOKO_SKU)
    parsed = [edge_rules.catalog_item(item) for item in items]
    assert next(p for p in parsed if p.sku == TOKO_SKU).stock == Decimal("5.5")


def wire_total(qty: str, price: int) -> int:
    """A line's amount as the envelope checks it (rounded half up)."""
    return wire.line_amount_rp({"sku": "x", "qty": qty, "price_rp": price, "cost_rp": 0})


@pytest.mark.parametrize("downlink", [True, False])
def test_catalog_stock_is_never_negative_and_null_when_the_config_says_so(
    db_url: str, downlink: bool
) -> None:
    """A negative on hand (sold before bought) goes out as 0; [stock] downlink = false sends null."""
    raw = config.merge_over_defaults(config._default_raw(), {"stock": {"downlink": downlink}})
    with Ledger.open(db_url) as ledger:
        ledger.init(config.parse(raw))
        ledger.import_products(list(sample.sample_products()))
        dev = Device().register(ledger)
        buy = dev.make(
            "purchase",
            lines=[{"sku": TOKO_SKU, "qty": 1, "price_rp": TOKO_COST, "cost_rp": TOKO_COST}],
            total=TOKO_COST,
        )
        assert not ledger.ingest([buy, dev.sale(member=None, qty=3)]).rejected
        stock = {i["sku"]: i["stock"] for i in onhand.with_stock(ledger, ledger.products())}
        assert stock[TOKO_SKU] == (0 if downlink else None)
        assert onhand.current(ledger)[("toko", TOKO_SKU)] == -2000


def test_stock_config_is_validated() -> None:
    """Unknown keys, a clerk as approver, a non-number and one account for both sides are refused."""
    base = config._default_raw()
    for bad, match in (
        ({"window": 3}, "unknown key"),
        ({"approvers": ["kasir"]}, "may not approve"),
        ({"approvers": ["raja"]}, "unknown role"),
        ({"lead_time_days": "7"}, "whole number"),
        ({"window_days": 0}, "between 1"),
        ({"surplus_income": "5801"}, "two different"),
        ({"shrinkage_expense": "1101"}, "must be expense"),
        ({"minimums": {"X": -1}}, "whole quantity"),
    ):
        with pytest.raises(ConfigError, match=match):
            config.parse(config.merge_over_defaults(base, {"stock": bad}))
    policy = config.parse(config.merge_over_defaults(base, {"stock": {"minimums": {"X": 4}}})).stock
    assert (policy.minimum("X"), policy.minimum("Y")) == (4, 0)


def test_quantities_are_exact_thousandths() -> None:
    """Typed and wire quantities become exact thousandths and read back the same."""
    assert rules.parse_milli("1,250") == rules.parse_milli("1.25") == 1250
    assert rules.wire_milli("0.001") == 1
    assert rules.show(-1500) == "-1.5"
    assert rules.wire(12_000) == 12
    for bad in ("-1", "1.2345", "abc", ""):
        with pytest.raises(rules.BadQuantity):
            rules.parse_milli(bad)


_QTY = st.one_of(st.integers(1, 40), st.sampled_from(["0.5", "1.250", "2.001", "0.333"]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["purchase", "sale", "void"]), st.integers(0, 2), _QTY, st.integers(1, 9)),
        min_size=1,
        max_size=25,
    ),
    day=st.integers(1, 10),
)
def test_on_hand_over_random_purchases_sales_and_voids(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int, Any, int]], day: int
) -> None:
    """For any sequence of purchases, sales (decimal quantities too) and voids of either, on hand as of any
    day equals the reference worked out from the envelopes."""
    products = [p for p in sample.sample_products() if p.unit == "toko"][:3]
    path = tmp_path_factory.mktemp("stockprop") / "l.sqlite"
    with Ledger.open(str(path)) as ledger:
        ledger.init(config.default())
        ledger.import_products(list(sample.sample_products()))
        dev = Device().register(ledger)
        envs: list[dict[str, Any]] = []
        voidable: list[dict[str, Any]] = []
        for kind, which, qty, on in steps:
            at = f"2026-03-{on:02d}T10:00:00+07:00"
            product = products[which]
            if kind == "void":
                if not voidable:
                    continue
                original = voidable.pop(0)
                envs.append(
                    dev.void(original, at=f"2026-03-{max(on, int(original['at'][8:10])):02d}T11:00:00+07:00")
                )
                continue
            price = product.cost_rp if kind == "purchase" else product.price_rp
            line = {"sku": product.sku, "qty": qty, "price_rp": price, "cost_rp": product.cost_rp}
            total = wire_total(str(qty), price)
            fields: dict[str, Any] = {"lines": [line], "total": total, "at": at}
            if kind == "sale":
                fields["member"] = None
            env = dev.make(kind, **fields)
            envs.append(env)
            voidable.append(env)
        report = ledger.ingest(envs)
        assert not report.rejected, report.rejected
        through = f"2026-03-{day:02d}"
        expected = {k: v for k, v in reference(envs, through).items() if v}
        got = {k: v for k, v in _as_qty(onhand.positions(ledger, date(2026, 3, day), "toko")).items() if v}
        assert got == expected


def test_toko_price_is_above_cost() -> None:
    """The helpers' item sells above its cost (the below-cost test relies on it)."""
    assert TOKO_PRICE > TOKO_COST


def test_catalog_stock_is_read_again_only_when_something_moved(ledger: Ledger) -> None:
    """Asked again with nothing added, the catalog's stock is the figures already read; a new sale or an
    approved count line makes it read again."""
    ledger.import_products(list(sample.sample_products()))
    dev = Device().register(ledger)
    buy = dev.make(
        "purchase",
        lines=[{"sku": TOKO_SKU, "qty": 9, "price_rp": TOKO_COST, "cost_rp": TOKO_COST}],
        total=9 * TOKO_COST,
    )
    assert not ledger.ingest([buy]).rejected
    assert onhand.current(ledger)[("toko", TOKO_SKU)] == 9_000
    assert onhand.current(ledger)[("toko", TOKO_SKU)] == 9_000
    assert not ledger.ingest([dev.sale(member=None, qty=4)]).rejected
    assert onhand.current(ledger)[("toko", TOKO_SKU)] == 5_000
