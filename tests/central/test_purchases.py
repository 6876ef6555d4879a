"""Stock purchases (pembelian persediaan): posting, ingest checks, voids, reports, sample data, points."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central import config, sample, yearend
from central.books import reports, statement
from central.errors import ConfigError
from central.ledger import Ledger, posting
from sync import envelope as wire
from tests.central.helpers import TOKO_COST, TOKO_PRICE, TOKO_SKU, Device

DEFAULTS = config.default()
INVENTORY = DEFAULTS.posting.inventory
CASH = DEFAULTS.posting.cash
PAYABLES = "2301"
CAFE = next(p for p in sample.sample_products() if p.unit == "cafe")
MONTH = reports.Period("2026-03-01", "2026-03-31")


def _buy(dev: Device, qty: int = 10, cost_rp: int = TOKO_COST, **fields: Any) -> dict[str, Any]:
    line = {"sku": TOKO_SKU, "qty": qty, "price_rp": cost_rp, "cost_rp": cost_rp}
    base: dict[str, Any] = {"lines": [line], "total": qty * cost_rp, "supplier": "CV Sumber Rejeki"}
    base.update(fields)
    return dev.make("purchase", **base)


def _balances(ledger: Ledger, on: str = "2026-12-31") -> dict[str, int]:
    """Balance of each account on its normal side, from the balance sheet."""
    return {row[1]: int(row[3]) for row in reports.balance_sheet(ledger, on)[0].rows if row[1]}


def _no_payables_config() -> config.Config:
    raw = dict(DEFAULTS.raw)
    raw["posting"] = {k: v for k, v in raw["posting"].items() if k != "payables"}
    return config.parse(raw)


def test_default_config_names_the_payables_account() -> None:
    """The default chart has 2301 Utang usaha (pemasok), a liability, as [posting] payables."""
    assert DEFAULTS.payables == PAYABLES
    account = DEFAULTS.account(PAYABLES)
    assert account is not None and account.type == "liability"


def test_config_without_payables_still_loads_and_a_wrong_type_is_refused() -> None:
    """An older config without payables loads (payables None); payables naming an asset is refused."""
    assert _no_payables_config().payables is None
    raw = dict(DEFAULTS.raw)
    raw["posting"] = {**raw["posting"], "payables": CASH}
    with pytest.raises(ConfigError, match=r"posting\.payables account 1101 is asset, it must be liability"):
        config.parse(raw)


def test_cash_and_credit_purchases_post_to_cash_or_payables() -> None:
    """A purchase debits inventory; paid in cash it credits cash, on credit the supplier payables."""
    dev = Device("gudang-01")
    paid = posting.post(_buy(dev), DEFAULTS)
    owed = posting.post(_buy(dev, payment="credit"), DEFAULTS)
    total = 10 * TOKO_COST
    assert [(x.account, x.debit_rp, x.credit_rp) for x in paid] == [(INVENTORY, total, 0), (CASH, 0, total)]
    assert [(x.account, x.debit_rp, x.credit_rp) for x in owed] == [
        (INVENTORY, total, 0),
        (PAYABLES, 0, total),
    ]
    assert paid[0].memo == "pembelian persediaan: CV Sumber Rejeki"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 1000), st.integers(0, 2_000_000)), min_size=1, max_size=8),
    st.sampled_from(["cash", "credit"]),
)
def test_any_purchase_posts_a_balanced_entry(items: list[tuple[int, int]], payment: str) -> None:
    """Any valid purchase posts debits equal to credits, with inventory up by exactly its total."""
    lines = [{"sku": TOKO_SKU, "qty": q, "price_rp": c, "cost_rp": c} for q, c in items]
    total = sum(q * c for q, c in items)
    env = Device("gudang-01").make("purchase", lines=lines, total=total, payment=payment)
    wire.check(env)
    entry = posting.post(env, DEFAULTS)
    assert posting.is_balanced(entry)
    assert sum(x.debit_rp - x.credit_rp for x in entry if x.account == INVENTORY) == total


def test_purchases_are_ingested_and_balance_the_books(loaded: Ledger) -> None:
    """Cash and credit purchases are accepted; inventory, cash and payables move and the books balance."""
    dev = Device("gudang-09").register(loaded)
    report = loaded.ingest([_buy(dev, qty=100), _buy(dev, qty=50, payment="credit")])
    assert report.ok, report.rejected
    balances = _balances(loaded)
    assert balances[INVENTORY] == 150 * TOKO_COST
    assert balances[CASH] == -100 * TOKO_COST
    assert balances[PAYABLES] == 50 * TOKO_COST
    sheet = dict(reports.balance_sheet(loaded, "2026-12-31")[0].summary)
    assert sheet["balanced"] is True and sheet["liabilities_rp"] == 50 * TOKO_COST
    trial = reports.trial_balance(loaded, MONTH)[0]
    assert dict(trial.summary)["balanced"] is True
    assert (PAYABLES, "Utang usaha (pemasok)", "liability", 0, 50 * TOKO_COST) in trial.rows


def test_bad_purchases_are_quarantined_with_reasons(loaded: Ledger) -> None:
    """Unknown sku, another unit's sku, a non-selling unit, a member, cost != price: each refused, named."""
    dev = Device("gudang-09").register(loaded)
    spdev = Device("sp-09", unit="simpan-pinjam").register(loaded)
    cafe_line = {"sku": CAFE.sku, "qty": 2, "price_rp": CAFE.cost_rp, "cost_rp": CAFE.cost_rp}
    unknown = {"sku": "NOPE-1", "qty": 1, "price_rp": 500, "cost_rp": 500}
    uneven = {"sku": TOKO_SKU, "qty": 1, "price_rp": TOKO_PRICE, "cost_rp": TOKO_COST}
    sp_line = {"sku": TOKO_SKU, "qty": 1, "price_rp": TOKO_COST, "cost_rp": TOKO_COST}
    envs = [
        _buy(dev, lines=[unknown], total=500),
        _buy(dev, lines=[cafe_line], total=2 * CAFE.cost_rp),
        _buy(dev, member="A001"),
        _buy(dev, lines=[uneven], total=TOKO_PRICE),
        _buy(spdev, lines=[sp_line], total=TOKO_COST),
    ]
    report = loaded.ingest(envs)
    assert not report.accepted
    by_id = {r.id: r.reason for r in report.rejected}
    reasons = [by_id[e["id"]] for e in envs]
    assert "unknown sku 'NOPE-1'" in reasons[0]
    assert f"sku {CAFE.sku!r} belongs to unit cafe, not toko" in reasons[1]
    assert "member must be null" in reasons[2]
    assert "cost_rp" in reasons[3] and "must equal its price_rp" in reasons[3]
    assert "unit simpan-pinjam sells nothing" in reasons[4]
    assert len(reports.quarantine(loaded)[0].rows) == 5
    assert _balances(loaded).get(INVENTORY, 0) == 0


def test_credit_purchase_without_payables_names_the_key(db_url: str) -> None:
    """With a config lacking [posting] payables a credit purchase is quarantined naming that key."""
    with Ledger.open(db_url) as ledger:
        ledger.init(_no_payables_config())
        ledger.import_products(list(sample.sample_products()))
        dev = Device("gudang-09").register(ledger)
        report = ledger.ingest([_buy(dev), _buy(dev, payment="credit")])
        assert len(report.accepted) == 1
        assert "payables" in report.rejected[0].reason and "[posting]" in report.rejected[0].reason


def test_voiding_a_purchase_restores_the_balances(loaded: Ledger) -> None:
    """A void of a purchase (member null, same payment and total) reverses it to the rupiah."""
    dev = Device("gudang-09").register(loaded)
    before = _balances(loaded)
    cash = _buy(dev, qty=30)
    credit = _buy(dev, qty=20, payment="credit")
    assert loaded.ingest([cash, credit]).ok
    report = loaded.ingest([dev.void(cash), dev.void(credit)])
    assert report.ok, report.rejected
    after = _balances(loaded)
    for account in (INVENTORY, CASH, PAYABLES):
        assert after.get(account, 0) == before.get(account, 0)


def test_cash_book_shows_cash_purchases_as_money_out(loaded: Ledger) -> None:
    """A cash purchase is a payment in the cash book with a readable memo; a credit one is not in it."""
    dev = Device("gudang-09").register(loaded)
    assert loaded.ingest([_buy(dev, qty=4), _buy(dev, qty=6, payment="credit")]).ok
    section = reports.cashbook(loaded, MONTH)[0]
    assert [(r[4], r[5], r[6]) for r in section.rows] == [
        ("pembelian persediaan: CV Sumber Rejeki", 0, 4 * TOKO_COST)
    ]
    assert dict(section.summary)["out_rp"] == 4 * TOKO_COST


def test_purchases_earn_no_points_and_leave_the_surplus(loaded: Ledger) -> None:
    """Points and the SHU surplus computed by central.yearend do not change when purchases are added."""
    shop = Device("toko-09").register(loaded)
    assert loaded.ingest([shop.sale(qty=5, member="A001")]).ok
    before = yearend.compute_year(loaded, 2026, estimate=True)
    gudang = Device("gudang-09").register(loaded)
    assert loaded.ingest([_buy(gudang, qty=500), _buy(gudang, qty=80, payment="credit")]).ok
    after = yearend.compute_year(loaded, 2026, estimate=True)
    assert after.points.by_member() == before.points.by_member()
    assert after.income.surplus_rp == before.income.surplus_rp
    sections = statement.member_statement(loaded, "A001", MONTH)
    assert all("pembelian persediaan" not in str(row) for s in sections for row in s.rows)


def test_generated_year_keeps_inventory_positive_at_every_month_end(ledger: Ledger) -> None:
    """A generated year with purchases ingests whole and never shows negative inventory at a month end."""
    data = sample.generate(seed=5, start=date(2026, 1, 1), end=date(2026, 12, 31), members=6, per_day=3)
    kinds = [e for e in data.envelopes if e["kind"] == "purchase"]
    assert {e["device"] for e in kinds} == {sample.WAREHOUSE}
    assert {e["payment"] for e in kinds} == {"cash", "credit"}
    sample.load_into(ledger, data)
    report = ledger.ingest(data.envelopes)
    assert report.ok, report.rejected[:3]
    for month in range(1, 13):
        on = sample.month_end(date(2026, month, 1)).isoformat()
        assert _balances(ledger, on)[INVENTORY] >= 0, on


def test_sample_without_purchases_is_otherwise_identical() -> None:
    """Purchases draw from their own random stream: turning them off leaves every other envelope as is."""
    args: dict[str, Any] = {"seed": 2, "start": date(2026, 3, 1), "end": date(2026, 3, 20), "per_day": 10}
    with_p = sample.generate(**args)
    without = sample.generate(**args, purchases=False)
    strip = ("seq", "prev", "sig", "id")

    def bodies(data: sample.SampleData) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in e.items() if k not in strip}
            for e in data.envelopes
            if e["kind"] not in ("purchase", "supplier_payment")
        ]

    assert bodies(with_p) == bodies(without)
    assert not any(e["kind"] in ("purchase", "supplier_payment") for e in without.envelopes)


def test_purchase_bodies_split_at_the_format_limits() -> None:
    """A huge purchase is split into envelopes that each pass the shape check and add up to the order."""
    product = next(p for p in sample.sample_products() if p.unit == "toko")
    bodies = sample.purchase_bodies("toko", [(product, 400_000)], payment="cash")
    assert len(bodies) > 1
    assert sum(line["qty"] for b in bodies for line in b["lines"]) == 400_000
    for number, body in enumerate(bodies, start=1):
        env = {"v": 1, "id": f"g:{number}", "device": "gudang-01", "seq": 2, "prev": "a" * 64,
               "at": "2026-03-01T06:30:00+07:00", **body}  # fmt: skip
        wire.check(env)


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 40), st.integers(0, 300))
def test_sample_inventory_never_goes_negative(seed: int, per_day: int, offset_days: int) -> None:
    """For any seed, size and start, the sample's stock bought minus cost sold (voids back) stays >= 0."""
    start = date(2026, 1, 1) + timedelta(days=offset_days)
    data = sample.generate(seed=seed, start=start, end=start + timedelta(days=30), members=6, per_day=per_day)
    cost_of: dict[str, int] = {}
    inventory_rp = 0
    for env in data.envelopes:
        if env["kind"] == "purchase":
            inventory_rp += env["total"]
        elif env["kind"] == "sale":
            cost_of[env["id"]] = sum(wire.line_cost_rp(line) for line in env["lines"])
            inventory_rp -= cost_of[env["id"]]
        elif env["kind"] == "void":
            inventory_rp += cost_of.get(env["ref"], 0)
        assert inventory_rp >= 0, env["id"]


def test_a_continuing_period_buys_back_what_was_sold_since_the_last_purchase(ledger: Ledger) -> None:
    """demo-data month after month: the next period's first purchases buy back what was sold since the
    warehouse last bought, so inventory ends each period where a single long period would keep it."""
    first = sample.generate(seed=6, start=date(2026, 3, 1), end=date(2026, 3, 10), members=6, per_day=6)
    sample.load_into(ledger, first)
    assert ledger.ingest(first.envelopes).ok
    state = sample.state_of(ledger, [device for device, _ in sample.DEVICES])
    assert state.unbought  # sold on 8..10 March, after the purchase of the 8th
    nxt = sample.generate(
        seed=6, start=date(2026, 3, 11), end=date(2026, 3, 20), members=6, per_day=6, state=state
    )
    opening = [e for e in nxt.envelopes if e["kind"] == "purchase" and e["at"].startswith("2026-03-11")]
    bought: dict[str, int] = {}
    for env in opening:
        for line in env["lines"]:
            bought[line["sku"]] = bought.get(line["sku"], 0) + line["qty"]
    assert bought == dict(state.unbought)
    assert ledger.ingest(nxt.envelopes).ok
    assert _balances(ledger, "2026-03-20")[INVENTORY] >= 0


def _pay(dev: Device, total_rp: int, supplier: str = "CV Sumber Rejeki") -> dict[str, Any]:
    return dev.make("supplier_payment", total=total_rp, supplier=supplier)


def test_paying_a_supplier_moves_payables_to_cash(loaded: Ledger) -> None:
    """A supplier payment debits payables and credits cash; the cash book shows it as money out."""
    dev = Device("gudang-09").register(loaded)
    owed = 50 * TOKO_COST
    report = loaded.ingest([_buy(dev, qty=50, payment="credit"), _pay(dev, owed)])
    assert report.ok, report.rejected
    balances = _balances(loaded)
    assert balances.get(PAYABLES, 0) == 0
    assert balances[CASH] == -owed
    book = reports.cashbook(loaded, MONTH)[0]
    memos = [str(row) for row in book.rows]
    assert any("pembayaran pemasok: CV Sumber Rejeki" in row for row in memos)


def test_supplier_payment_shape_is_checked(loaded: Ledger) -> None:
    """A supplier payment without a supplier, with a member or with lines is refused with a reason."""
    dev = Device("gudang-09").register(loaded)
    with pytest.raises(wire.EnvelopeError, match="names the supplier"):
        wire.check(dev.make("supplier_payment", total=1000, supplier="  "))
    with pytest.raises(wire.EnvelopeError, match="member must be null"):
        wire.check(dev.make("supplier_payment", total=1000, supplier="CV A", member="A001"))
    with pytest.raises(wire.EnvelopeError, match="above 0"):
        wire.check(dev.make("supplier_payment", total=0, supplier="CV A"))


def test_supplier_payment_without_payables_is_quarantined(db_url: str) -> None:
    """Without [posting] payables a supplier payment is quarantined, naming the key to add."""
    with Ledger.open(db_url) as ledger:
        ledger.init(_no_payables_config())
        dev = Device("gudang-09").register(ledger)
        report = ledger.ingest([_pay(dev, 1000)])
        [rejection] = report.rejected
        assert "payables" in rejection.reason and "[posting]" in rejection.reason


def test_generated_year_pays_its_suppliers() -> None:
    """The sample warehouse pays what it bought on credit at its next purchase round."""
    data = sample.generate(seed=3, start=date(2026, 1, 1), end=date(2026, 3, 31), members=10, per_day=10)
    owed = sum(e["total"] for e in data.envelopes if e["kind"] == "purchase" and e["payment"] == "credit")
    paid = sum(e["total"] for e in data.envelopes if e["kind"] == "supplier_payment")
    assert 0 < paid <= owed
    for env in data.envelopes:
        wire.check(env)
