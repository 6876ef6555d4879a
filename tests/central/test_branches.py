"""Branches: a two-branch ledger (bogor and depok, both with a ``toko``) whose figures per branch are
computed by hand; each branch's figures are exact, the consolidated row is their sum, a branch filter
never shows another branch's rows, and the office's own entries belong to the central office (pusat)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, select, update

from central import sample
from central.branches import scope
from central.cli.app import main
from central.consolidation import compare
from central.disputes import store as disputes
from central.handins import store as handins
from central.ledger import Ledger, schema
from central.stock import shrinkage
from central.stock.tables import ensure_tables, stock_count_device_lines, stock_counts
from sync import envelope as wire
from tests.central.helpers import TOKO_COST, TOKO_PRICE, Device

MONTH = "2026-03"


def _register(ledger: Ledger, device: Device, branch: str) -> Device:
    ledger.devices_add(device.name, wire.public_key_text(device.key.public_key()), device.unit, branch)
    return device


def _handin(device: Device, expected: int, counted: int) -> dict[str, Any]:
    return device.make(
        "handin",
        clerk="k1",
        total=counted,
        expected_rp=expected,
        counted_rp=counted,
        **{"from": "2026-03-01T07:00:00+07:00", "to": "2026-03-01T09:00:00+07:00"},
    )


def _count(ledger: Ledger, unit: str, loss: int, surplus: int, device: str | None) -> None:
    """An approved count posted on 2026-03-20, its lines sent by ``device`` (None: typed at the office)."""
    ensure_tables(ledger)
    with ledger.write() as conn:
        cid = conn.execute(
            insert(stock_counts).values(
                unit=unit,
                state="approved",
                started_ts=1,
                started_by="staf",
                loss_rp=loss,
                surplus_rp=surplus,
                posted_day="2026-03-20",
            )
        ).inserted_primary_key[0]
        if device is not None:
            conn.execute(
                insert(stock_count_device_lines).values(
                    tx=f"{device}:count:{cid}",
                    count=cid,
                    device=device,
                    clerk="k1",
                    ts=1,
                    lines=1,
                    status="taken",
                )
            )


@pytest.fixture
def two(ledger: Ledger, month: sample.SampleData) -> Ledger:
    """bogor: toko-a1 (3 sales of 2, one voided; a hand-in 5,000 short; a count losing 40,000) and an idle
    toko-a2 last heard of three days ago; depok: toko-b1 (1 sale of 1, a hand-in exact, a count losing
    10,000 with 2,500 found over); a count typed only at the office (3,000 lost) belongs to pusat."""
    ledger.import_members(list(month.members))
    ledger.import_products(list(month.products))
    loaded = ledger
    a1 = _register(loaded, Device("toko-a1"), "bogor")
    _register(loaded, Device("toko-a2"), "bogor")
    b1 = _register(loaded, Device("toko-b1"), "depok")
    first, second, third = a1.sale(member=None), a1.sale(member=None), a1.sale(member=None)
    envs = [first, second, third, a1.void(second), _handin(a1, 100_000, 95_000)]
    assert loaded.ingest(envs, require_signature=True).rejected == []
    assert (
        loaded.ingest(
            [b1.sale(qty=1, member=None), _handin(b1, 50_000, 50_000)], require_signature=True
        ).rejected
        == []
    )
    with loaded.write() as conn:
        conn.execute(
            update(schema.devices)
            .where(schema.devices.c.device == "toko-a2")
            .values(added_ts=int(time.time()) - 3 * 86400)
        )
    _count(loaded, "toko", 40_000, 0, "toko-a1")
    _count(loaded, "toko", 10_000, 2_500, "toko-b1")
    _count(loaded, "toko", 3_000, 0, None)
    return loaded


def test_each_branch_and_the_total_equal_the_hand_computed_figures(two: Ledger) -> None:
    """Per branch: sales and cost of the standing sales, margin, net shrinkage, hand-in difference, devices
    and offline ones; the consolidated row is exactly their sum."""
    found = compare.compare(two, MONTH, int(time.time()))
    rows = {r.branch: r for r in found.rows}
    bogor, depok = rows["bogor"], rows["depok"]
    assert (bogor.sales_rp, bogor.cost_rp) == (4 * TOKO_PRICE, 4 * TOKO_COST)
    assert bogor.margin_rp == 4 * (TOKO_PRICE - TOKO_COST)
    assert (depok.sales_rp, depok.cost_rp) == (TOKO_PRICE, TOKO_COST)
    assert (bogor.shrinkage_rp, depok.shrinkage_rp) == (40_000, 7_500)
    assert (bogor.handin_expected_rp, bogor.handin_received_rp, bogor.handin_difference_rp) == (
        100_000,
        95_000,
        -5_000,
    )
    assert depok.handin_difference_rp == 0
    assert (bogor.devices, bogor.offline, depok.devices, depok.offline) == (2, 1, 1, 0)
    assert rows[scope.OFFICE_BRANCH].shrinkage_rp == 3_000
    total = found.total
    assert (total.sales_rp, total.cost_rp, total.shrinkage_rp) == (5 * TOKO_PRICE, 5 * TOKO_COST, 50_500)
    assert (total.handin_difference_rp, total.devices, total.offline) == (-5_000, 3, 1)
    assert total == compare.add(compare.TOTAL, list(found.rows))


def test_sales_and_margin_per_unit_filter_by_branch(two: Ledger) -> None:
    """Both branches have a ``toko``: per branch its own sales only, and all branches their sum."""
    margin = TOKO_PRICE - TOKO_COST
    assert compare.units(two, MONTH, "bogor") == (("toko", 4 * TOKO_PRICE, 4 * TOKO_COST, 4 * margin),)
    assert compare.units(two, MONTH, "depok") == (("toko", TOKO_PRICE, TOKO_COST, margin),)
    assert compare.units(two, MONTH) == (("toko", 5 * TOKO_PRICE, 5 * TOKO_COST, 5 * margin),)
    assert compare.units(two, MONTH, "nowhere") == ()


def test_the_shrinkage_report_filters_by_branch(two: Ledger) -> None:
    """The stock shrinkage report of one branch: its counts only, beside its own devices' sales and
    margin; the office's count under pusat; all branches together the whole."""
    margin = TOKO_PRICE - TOKO_COST
    per = {
        b: shrinkage.report(two, "2026-03-01", "2026-03-31", branch=b) for b in ("bogor", "depok", "pusat")
    }
    (bogor,) = per["bogor"].units
    assert (bogor[1], bogor[2], bogor[3], bogor[5], bogor[6]) == (1, 40_000, 0, 4 * TOKO_PRICE, 4 * margin)
    (depok,) = per["depok"].units
    assert (depok[1], depok[2], depok[3], depok[5], depok[6]) == (1, 10_000, 2_500, TOKO_PRICE, margin)
    (office,) = per["pusat"].units
    assert (office[1], office[2], office[5]) == (1, 3_000, 0)
    (whole,) = shrinkage.report(two, "2026-03-01", "2026-03-31").units
    assert whole[1:4] == (3, 53_000, 2_500) and whole[5] == 5 * TOKO_PRICE


def test_another_month_is_empty(two: Ledger) -> None:
    """Nothing of March shows in April; the devices are still counted."""
    found = compare.compare(two, "2026-04", int(time.time()))
    assert found.total.sales_rp == found.total.shrinkage_rp == found.total.handin_expected_rp == 0
    assert found.total.devices == 3


def test_a_branch_filter_never_shows_another_branchs_rows(two: Ledger) -> None:
    """``in_branch`` over the transactions' device: bogor's rows are all bogor's devices', and depok's
    and bogor's together are every device transaction."""
    known = scope.load(two)
    t = schema.transactions
    with two.read() as conn:
        every = {r[0] for r in conn.execute(select(t.c.device))}
        per = {
            b: {r[0] for r in conn.execute(select(t.c.device).where(scope.in_branch(t.c.device, known, b)))}
            for b in ("bogor", "depok", "nowhere")
        }
    assert per["bogor"] == {"toko-a1"}
    assert per["depok"] == {"toko-b1"}
    assert per["nowhere"] == set()
    assert every == per["bogor"] | per["depok"]
    day_a = [h.device for h in handins.handins(two, branch="bogor", branches=known)]
    assert day_a == ["toko-a1"]


def test_disputes_filter_by_the_branch_of_the_disputed_sale(two: Ledger) -> None:
    """A member disputes a sale in each branch: the bogor filter lists bogor's case only, and so on."""
    member = str(two.members()[0]["number"])
    made = {}
    for name, branch in (("toko-c1", "bogor"), ("toko-d1", "depok")):
        dev = _register(two, Device(name), branch)
        sale = dev.sale(member=member, qty=1)
        dispute = dev.make("dispute", member=member, ref=sale["id"], reason="bukan saya")
        assert two.ingest([sale, dispute], require_signature=True).rejected == []
        made[branch] = sale["id"]
    known = scope.load(two)
    for branch, sale_id in made.items():
        found = disputes.cases(two, devices=known.devices(branch))
        assert [c.sale for c in found] == [sale_id]
        assert disputes.count(two, devices=known.devices(branch)) == 1
    assert disputes.cases(two, devices=()) == []
    assert len(disputes.cases(two)) == 2


def test_the_office_chain_belongs_to_the_central_office() -> None:
    """The office device is in pusat whatever branch it was registered under; unknown devices too."""
    known = scope.Branches.from_rows(
        [{"device": "kantor", "branch": "bogor"}, {"device": "toko-a1", "branch": "bogor"}], office="kantor"
    )
    assert known.of("kantor") == scope.OFFICE_BRANCH
    assert known.devices("bogor") == ("toko-a1",)
    assert known.names() == ("bogor", scope.OFFICE_BRANCH)


amounts = st.integers(min_value=-(10**12), max_value=10**12)


@given(st.lists(st.tuples(amounts, amounts, amounts, amounts, amounts), max_size=8))
def test_the_consolidated_row_is_the_sum_of_the_branches(values: list[tuple[int, ...]]) -> None:
    """For any branch rows, the total's every figure, margin and difference included, is their sum."""
    rows = [compare.Row(f"b{i}", *v) for i, v in enumerate(values)]
    total = compare.add(compare.TOTAL, rows)
    assert total.margin_rp == sum(r.margin_rp for r in rows)
    assert total.handin_difference_rp == sum(r.handin_difference_rp for r in rows)
    assert total.sales_rp == sum(r.sales_rp for r in rows)


def test_the_csv_has_a_line_per_branch_and_the_total(two: Ledger) -> None:
    """The CSV's header is the columns; its last line is the consolidated one."""
    lines = compare.render_csv(compare.compare(two, MONTH, int(time.time()))).splitlines()
    assert lines[0].split(",") == list(compare.COLUMNS)
    assert lines[-1].startswith("*,")
    assert [line.split(",")[0] for line in lines[1:-1]] == ["bogor", "depok", scope.OFFICE_BRANCH]


def test_the_command_line(two: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    """``branches list``/``compare`` and ``handins list --branch``; an unknown branch or month is a usage
    error (exit 2) naming what is known, never a traceback."""
    if not two.target.endswith(".sqlite"):
        pytest.skip("the command line is tested on SQLite")
    db = ["--db", two.target]
    assert main([*db, "branches", "list", "--json"]) == 0
    listed = {r["branch"]: r["devices"] for r in json.loads(capsys.readouterr().out)}
    assert listed == {"bogor": "toko-a1 toko-a2", "depok": "toko-b1"}
    assert main([*db, "branches", "compare", "--month", MONTH, "--json"]) == 0
    rows = {r["branch"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["bogor"]["sales_rp"] == 4 * TOKO_PRICE and rows["*"]["handin_difference_rp"] == -5_000
    assert main([*db, "branches", "units", "--month", MONTH, "--branch", "depok", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"unit": "toko", "sales_rp": TOKO_PRICE, "cost_rp": TOKO_COST, "margin_rp": TOKO_PRICE - TOKO_COST}
    ]
    assert main([*db, "handins", "list", "--branch", "depok", "--json"]) == 0
    assert [r["device"] for r in json.loads(capsys.readouterr().out)] == ["toko-b1"]
    assert (
        main(
            [
                *db,
                "stock",
                "shrinkage",
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-31",
                "--branch",
                "depok",
                "--json",
            ]
        )
        == 0
    )
    assert [u["loss_rp"] for u in json.loads(capsys.readouterr().out)["units"]] == [10_000]
    assert main([*db, "handins", "list", "--branch", "nowhere"]) == 2
    assert "bogor, depok" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main([*db, "branches", "compare", "--month", "2026-13"])
    assert stop.value.code == 2
