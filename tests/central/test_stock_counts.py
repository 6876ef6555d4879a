"""Stock counts (stok opname): lines compared with on hand at the moment each was counted while sales go
on, values at the last purchase price, nothing posted before the manager's approval, the shrinkage journal
on the office chain balanced and posted once, and the shrinkage report; the command line over the same."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from central import sample
from central.books import reports as books
from central.cli.app import main
from central.ledger import Ledger, schema
from central.office import identity
from central.office.identity import Office
from central.stock import counts, onhand, shrinkage
from central.stock.errors import CountRefused, StockError
from central.stock.tables import stock_counts
from tests.central.helpers import TOKO_COST, TOKO_SKU, Device, unbalanced_entries

OTHER = sample.sample_products()[1]
OTHER_BOUGHT_RP = OTHER.cost_rp + 234  # the last purchase price differs from the product's cost
EXPENSE, INCOME, INVENTORY = "5801", "4801", "1301"


def _ts(ledger: Ledger, hour: int, minute: int = 0, day: int = 5) -> int:
    return int(datetime(2026, 3, day, hour, minute, tzinfo=ledger.config.tz).timestamp())


def _at(hour: int, minute: int = 0, day: int = 5) -> str:
    return f"2026-03-{day:02d}T{hour:02d}:{minute:02d}:00+07:00"


@pytest.fixture
def shop(ledger: Ledger, tmp_path: Path) -> tuple[Ledger, Office, Device]:
    """20 of the toko's first item bought at its cost and 5 of the second at another price on 1 March,
    a sale of 2 of the first on 3 March; the office set up."""
    ledger.import_products(list(sample.sample_products()))
    dev = Device().register(ledger)
    envs = [
        dev.make(
            "purchase",
            at=_at(7, day=1),
            lines=[
                {"sku": TOKO_SKU, "qty": 20, "price_rp": TOKO_COST, "cost_rp": TOKO_COST},
                {"sku": OTHER.sku, "qty": 5, "price_rp": OTHER_BOUGHT_RP, "cost_rp": OTHER_BOUGHT_RP},
            ],
            total=20 * TOKO_COST + 5 * OTHER_BOUGHT_RP,
        ),
        dev.sale(member=None, qty=2, at=_at(10, day=3)),
    ]
    assert not ledger.ingest(envs).rejected
    office = identity.init(ledger, tmp_path / "office.key")[0]
    return ledger, office, dev


def _count_with_sales_during_it(ledger: Ledger, dev: Device) -> counts.Count:
    """Count of section "rak 1" from 08:00: a sale of 3 at 09:00, the first item counted 14 at 10:00 (so
    15 expected: 1 missing), a sale of 1 at 11:00 (after its line), the second counted 6 at 10:30 (5
    expected: 1 found over); closed at 12:00."""
    count = counts.start(ledger, "toko", by="mgr", section="rak 1", now_ts=_ts(ledger, 8))
    assert not ledger.ingest([dev.sale(member=None, qty=3, at=_at(9))]).rejected
    counts.enter(ledger, count.id, TOKO_SKU, "14", by="staf1", now_ts=_ts(ledger, 10))
    counts.enter(ledger, count.id, OTHER.sku, "6", by="staf1", now_ts=_ts(ledger, 10, 30))
    assert not ledger.ingest([dev.sale(member=None, qty=1, at=_at(11))]).rejected
    return counts.close(ledger, count.id, by="mgr", now_ts=_ts(ledger, 12))


def _posted(ledger: Ledger) -> list[Any]:
    t = schema.transactions
    with ledger.read() as conn:
        return conn.execute(select(t.c.id, t.c.note).where(t.c.kind == "journal")).all()


def _journal(ledger: Ledger, tx: str) -> list[tuple[str, int, int, str]]:
    j = schema.journal
    with ledger.read() as conn:
        rows = conn.execute(
            select(j.c.account, j.c.debit_rp, j.c.credit_rp, j.c.unit).where(j.c.tx == tx).order_by(j.c.line)
        ).all()
    return [(str(r[0]), int(r[1]), int(r[2]), str(r[3])) for r in rows]


def _held(ledger: Ledger, sku: str, day: int = 5) -> int:
    return next(
        p.onhand_milli
        for p in onhand.positions(ledger, datetime(2026, 3, day).date(), "toko")
        if p.sku == sku
    )


def test_a_count_compares_each_line_with_stock_at_its_moment(shop: tuple[Ledger, Office, Device]) -> None:
    """Sales during the count are accounted for by time: the 09:00 sale is in the 10:00 line's expected,
    the 11:00 sale is not; differences are valued at the last purchase price."""
    ledger, _, dev = shop
    count = _count_with_sales_during_it(ledger, dev)
    lines = {line.sku: line for line in count.lines}
    assert (lines[TOKO_SKU].expected_milli, lines[TOKO_SKU].diff_milli) == (15_000, -1_000)
    assert (lines[OTHER.sku].expected_milli, lines[OTHER.sku].diff_milli) == (5_000, 1_000)
    assert lines[TOKO_SKU].value_rp == -TOKO_COST
    assert lines[OTHER.sku].cost_rp == OTHER_BOUGHT_RP and lines[OTHER.sku].value_rp == OTHER_BOUGHT_RP
    assert (count.state, count.loss_rp, count.surplus_rp) == ("closed", TOKO_COST, OTHER_BOUGHT_RP)


def test_nothing_is_posted_before_approval_and_only_approvers_approve(
    shop: tuple[Ledger, Office, Device],
) -> None:
    """A closed count changes neither the books nor stock; a clerk, a member or a supervisor cannot
    approve it; the manager's approval posts one balanced shrinkage journal and moves stock."""
    ledger, office, dev = shop
    count = _count_with_sales_during_it(ledger, dev)
    assert _posted(ledger) == []
    assert _held(ledger, TOKO_SKU) == 20_000 - 2_000 - 3_000 - 1_000
    for role in ("kasir", "anggota", "pengawas"):
        with pytest.raises(CountRefused, match="only manajer may approve"):
            counts.approve(ledger, office, count.id, by="x", role=role)
    assert _posted(ledger) == [] and counts.get(ledger, count.id).state == "closed"

    done = counts.approve(ledger, office, count.id, by="mgr", role="manajer", now_ts=_ts(ledger, 16))
    assert done.state == "approved" and done.posted_day == "2026-03-05"
    assert _posted(ledger) == [(done.posted_tx, f"stok opname {count.id}")]
    assert _journal(ledger, str(done.posted_tx)) == [
        (EXPENSE, TOKO_COST, 0, "toko"),
        (INVENTORY, 0, TOKO_COST, "toko"),
        (INVENTORY, OTHER_BOUGHT_RP, 0, "toko"),
        (INCOME, 0, OTHER_BOUGHT_RP, "toko"),
    ]
    assert unbalanced_entries(ledger) == []
    trial = books.trial_balance(ledger, books.Period("2026-01-01", "2026-12-31"))[0]
    assert sum(r[3] for r in trial.rows if r[0]) == sum(r[4] for r in trial.rows if r[0])
    # stock follows the count from the moment each line was counted: 14 counted, 1 sold after
    assert _held(ledger, TOKO_SKU) == 13_000
    assert _held(ledger, OTHER.sku) == 6_000
    assert _held(ledger, TOKO_SKU, day=4) == 18_000  # the day before the count: unchanged
    with pytest.raises(CountRefused):
        counts.approve(ledger, office, count.id, by="mgr", role="manajer")


def test_approval_posts_once_even_after_a_crash_between_journal_and_row(
    shop: tuple[Ledger, Office, Device],
) -> None:
    """If the count's row was not updated after its journal committed, approving again finds the journal
    by its note and posts nothing more."""
    ledger, office, dev = shop
    count = _count_with_sales_during_it(ledger, dev)
    counts.approve(ledger, office, count.id, by="mgr", role="manajer")
    with ledger.write() as conn:
        conn.execute(update(stock_counts).where(stock_counts.c.id == count.id).values(state="closed"))
    again = counts.approve(ledger, office, count.id, by="mgr", role="manajer")
    assert again.state == "approved"
    assert len(_posted(ledger)) == 1


def test_a_rejected_count_posts_nothing_and_moves_no_stock(shop: tuple[Ledger, Office, Device]) -> None:
    """Rejecting needs a reason and an approver's role; afterwards stock and books are as before."""
    ledger, _, dev = shop
    count = _count_with_sales_during_it(ledger, dev)
    with pytest.raises(StockError, match="reason"):
        counts.reject(ledger, count.id, by="mgr", role="manajer", reason="")
    with pytest.raises(CountRefused):
        counts.reject(ledger, count.id, by="k", role="kasir", reason="salah hitung")
    done = counts.reject(ledger, count.id, by="mgr", role="manajer", reason="hitung ulang besok")
    assert (done.state, done.reason) == ("rejected", "hitung ulang besok")
    assert _posted(ledger) == []
    assert _held(ledger, TOKO_SKU) == 14_000
    assert [e["action"] for e in counts.events(ledger, count.id)] == [
        "start",
        "line",
        "line",
        "close",
        "reject",
    ]


def test_one_count_at_a_time_and_lines_only_while_open(shop: tuple[Ledger, Office, Device]) -> None:
    """A second count of the unit waits for the first; closed counts take no lines; a sku of another unit,
    a bad quantity and a unit without stock are refused with the reason."""
    ledger, _, _ = shop
    first = counts.start(ledger, "toko", by="mgr")
    with pytest.raises(CountRefused, match="still open"):
        counts.start(ledger, "toko", by="mgr")
    with pytest.raises(StockError, match="keeps no stock"):
        counts.start(ledger, "simpan-pinjam", by="mgr")
    cafe = next(p for p in sample.sample_products() if p.unit == "cafe")
    with pytest.raises(StockError, match="not an item of unit toko"):
        counts.enter(ledger, first.id, cafe.sku, "1", by="s")
    with pytest.raises(StockError, match="at most 3 decimals"):
        counts.enter(ledger, first.id, TOKO_SKU, "1.2345", by="s")
    with pytest.raises(CountRefused, match="no lines"):
        counts.close(ledger, counts.start(ledger, "cafe", by="mgr").id, by="mgr")
    counts.enter(ledger, first.id, TOKO_SKU, "3", by="s")
    counts.enter(ledger, first.id, TOKO_SKU, "4.5", by="s")  # typed again: replaces
    assert [line.counted_milli for line in counts.get(ledger, first.id).lines] == [4_500]
    counts.cancel(ledger, first.id, by="mgr", reason="mulai salah")
    with pytest.raises(CountRefused, match="only while it is open"):
        counts.enter(ledger, first.id, TOKO_SKU, "1", by="s")


def test_a_count_of_every_item_counts_the_uncounted_as_zero(shop: tuple[Ledger, Office, Device]) -> None:
    """Without a section, items with stock nobody typed in are closed as counted 0 (all missing)."""
    ledger, _, _ = shop
    count = counts.start(ledger, "toko", by="mgr", now_ts=_ts(ledger, 8))
    counts.enter(ledger, count.id, TOKO_SKU, "18", by="s", now_ts=_ts(ledger, 9))
    closed = counts.close(ledger, count.id, by="mgr", now_ts=_ts(ledger, 10))
    lines = {line.sku: line for line in closed.lines}
    assert set(lines) == {TOKO_SKU, OTHER.sku}
    assert (lines[OTHER.sku].counted_milli, lines[OTHER.sku].expected_milli) == (0, 5_000)
    assert closed.loss_rp == 5 * OTHER_BOUGHT_RP and closed.surplus_rp == 0


def test_shrinkage_report_per_unit_and_item(shop: tuple[Ledger, Office, Device]) -> None:
    """The period's approved counts per item and per unit, with percent of the unit's sales and margin."""
    ledger, office, dev = shop
    count = _count_with_sales_during_it(ledger, dev)
    counts.approve(ledger, office, count.id, by="mgr", role="manajer", now_ts=_ts(ledger, 16))
    found = shrinkage.report(ledger, "2026-03-01", "2026-03-31", "toko")
    assert [r[:8] for r in found.items] == [
        ("toko", TOKO_SKU, sample.sample_products()[0].name, 1, "-1", TOKO_COST, 0, -TOKO_COST),
        ("toko", OTHER.sku, OTHER.name, 1, "1", 0, OTHER_BOUGHT_RP, OTHER_BOUGHT_RP),
    ]
    (unit,) = found.units
    sales = 6 * sample.sample_products()[0].price_rp
    margin = sales - 6 * TOKO_COST
    net = OTHER_BOUGHT_RP - TOKO_COST
    assert unit[:7] == ("toko", 1, TOKO_COST, OTHER_BOUGHT_RP, net, sales, margin)
    assert unit[7] == f"{-net * 100 / sales:.2f}"
    assert shrinkage.report(ledger, "2026-04-01", "2026-04-30").units == ()


def test_the_command_line_runs_a_count(
    shop: tuple[Ledger, Office, Device], capsys: Any, tmp_path: Path
) -> None:
    """start, enter, close, a clerk's approval refused with exit 2, the manager's approval posted."""
    ledger, _, _ = shop
    db = ["--db", ledger.target, "--lang", "en"]
    assert main([*db, "stock", "count", "start", "--unit", "toko", "--section", "rak 2"]) == 0
    number = counts.listing(ledger)[0].id
    assert main([*db, "stock", "count", "enter", str(number), TOKO_SKU, "10"]) == 0
    assert main([*db, "stock", "count", "enter", str(number), "NOPE", "1"]) == 2
    assert "is not an item of unit toko" in capsys.readouterr().err
    assert main([*db, "stock", "count", "close", str(number)]) == 0
    assert main([*db, "stock", "count", "approve", str(number), "--role", "kasir"]) == 2
    assert "only manajer may approve" in capsys.readouterr().err
    key = ["--office-key", str(tmp_path / "office.key")]
    assert main([*db, "stock", "count", "approve", str(number), "--role", "manajer", *key]) == 0
    assert "Posted: journal" in capsys.readouterr().out
    assert main([*db, "stock", "shrinkage", "--from", "2026-01-01", "--to", "2030-12-31", "--json"]) == 0
    assert f'"loss_rp": {8 * TOKO_COST}' in capsys.readouterr().out
    assert main([*db, "stock", "reorder", "--unit", "toko", "--csv"]) == 0
    assert capsys.readouterr().out.startswith("unit,sku,name,onhand")
    assert main([*db, "stock", "onhand", "--unit", "nope"]) == 2
