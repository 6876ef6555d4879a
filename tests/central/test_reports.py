"""The books on a small scripted month whose figures are worked out by hand."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from central import config, sample
from central.books import reports, statement
from central.books.statement import member_summary
from central.books.viewer import Viewer
from central.ledger import Ledger
from tests.central.helpers import TOKO_COST, TOKO_PRICE, Device


@pytest.fixture(scope="module", params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def booked(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    month: sample.SampleData,
) -> Iterator[Ledger]:
    """Savings, three sales (member cash, walk-in, member credit), a loan and an installment (read-only)."""
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("reports") / "ledger.sqlite")
    else:
        url = request.getfixturevalue("pg_cluster").database()
    loaded = Ledger.open(url)
    loaded.init(config.default())
    sample.load_into(loaded, month)
    sp = Device("sp-09", "simpan-pinjam")
    toko = Device("toko-09", "toko")
    def on(day: str) -> str:
        return f"2026-03-{day}:00+07:00"

    envs = [
        sp.make("savings_deposit", at=on("01T08:00"), member="A001", product="pokok", total=100_000),
        sp.make("savings_deposit", at=on("01T08:05"), member="A001", product="wajib", total=50_000),
        sp.make("savings_deposit", at=on("02T08:00"), member="A001", product="sukarela", total=2_000_000),
        sp.make("savings_withdrawal", at=on("03T08:00"), member="A001", product="sukarela", total=50_000),
        toko.sale(qty=2, member="A001", at=on("04T10:00")),
        toko.sale(qty=1, member=None, at=on("04T11:00")),
        toko.sale(qty=1, member="A002", payment="credit", at=on("05T23:30")),
        sp.make("loan_disbursement", at=on("06T09:00"), member="A003", loan="L1", total=1_000_000),
        sp.repay("A003", "L1", 100_000, 10_000) | {"at": on("20T09:00")},
    ]
    envs[-1] = {k: v for k, v in envs[-1].items() if k != "sig"}
    report = loaded.ingest(envs)
    assert report.ok, report.rejected
    yield loaded
    loaded.close()


CASH_IN = 100_000 + 50_000 + 2_000_000 + 3 * TOKO_PRICE + 110_000
CASH_OUT = 50_000 + 1_000_000


def test_cashbook_runs_the_balance_and_splits_by_period(booked: Ledger) -> None:
    """The cash book lists cash movements in order with a running balance; earlier days form the opening."""
    whole = reports.cashbook(booked, reports.Period("2026-03-01", "2026-03-31"))[0]
    summary = dict(whole.summary)
    assert summary == {
        "opening_rp": 0,
        "in_rp": CASH_IN,
        "out_rp": CASH_OUT,
        "closing_rp": CASH_IN - CASH_OUT,
    }
    assert whole.rows[-1][-1] == CASH_IN - CASH_OUT
    balances = [row[-1] for row in whole.rows]
    moves = [row[5] - row[6] for row in whole.rows]
    assert all(b == sum(moves[: i + 1]) for i, b in enumerate(balances))
    later = reports.cashbook(booked, reports.Period("2026-03-04", "2026-03-31"))[0]
    assert dict(later.summary)["opening_rp"] == 100_000 + 50_000 + 2_000_000 - 50_000
    assert dict(later.summary)["closing_rp"] == summary["closing_rp"]


def test_local_day_follows_the_cooperatives_time_zone(booked: Ledger) -> None:
    """A sale at 23:30 WIB on 5 March is on 5 March, though it is 16:30 UTC."""
    rows = statement.member_statement(booked, "A002", reports.Period("2026-03-05", "2026-03-05"))[
        0
    ].rows
    assert [row[0] for row in rows] == ["2026-03-05"]


def test_income_statement_splits_member_and_non_member_revenue(booked: Ledger) -> None:
    """Revenue per unit, member vs non-member, interest income, and cost of goods give the surplus."""
    section = reports.income(booked, reports.Period("2026-03-01", "2026-03-31"))[0]
    amounts = {row[2]: row[4] for row in section.rows}
    assert amounts == {
        "4101": 3 * TOKO_PRICE,
        "4102": TOKO_PRICE,
        "4501": 10_000,
        "5101": 4 * TOKO_COST,
    }
    assert dict(section.summary)["surplus_rp"] == 4 * (TOKO_PRICE - TOKO_COST) + 10_000


def test_trial_balance_and_balance_sheet_balance(booked: Ledger) -> None:
    """Debits equal credits, and assets equal liabilities plus equity including the surplus."""
    trial = dict(reports.trial_balance(booked, reports.Period())[0].summary)
    assert trial["balanced"] is True and trial["debit_rp"] == trial["credit_rp"]
    sheet = dict(reports.balance_sheet(booked, "2026-03-31")[0].summary)
    assert sheet["liabilities_rp"] == 1_950_000
    assert sheet["equity_rp"] == 150_000 + 4 * (TOKO_PRICE - TOKO_COST) + 10_000
    assert sheet["balanced"] is True


def test_member_statement_and_summary(booked: Ledger) -> None:
    """A member sees their purchases, savings per product, loans and store credit."""
    purchases, savings, loans = statement.member_statement(
        booked, "A001", reports.Period("2026-03-01", "2026-03-31")
    )
    assert [row[4] for row in purchases.rows] == [2 * TOKO_PRICE]
    assert dict(savings.summary)["sukarela_rp"] == 1_950_000
    assert loans.rows == ()
    summary = member_summary(booked, "A003")
    assert summary["loan"]["outstanding_rp"] == 900_000
    assert summary["loan"]["next_due"] == "2026-05-06"
    assert summary["member"] == "A003" and summary["as_of"].endswith("+07:00")
    assert member_summary(booked, "A002")["credit"] == {"used_rp": TOKO_PRICE, "limit_rp": 500_000}
    assert set(member_summary(booked, "A001")) >= {
        "member", "name", "as_of", "year", "points", "savings", "loan", "credit", "recent", "shu_estimate_rp",
    }  # fmt: skip


def test_renderings_carry_the_same_figures(booked: Ledger) -> None:
    """Table, JSON and CSV of one report agree; JSON money is integer rupiah."""
    sections = reports.income(booked, reports.Period("2026-03-01", "2026-03-31"))
    data = json.loads(reports.render_json(sections))
    assert data["income"]["summary"]["revenue_rp"] == 4 * TOKO_PRICE + 10_000
    rows = list(csv.DictReader(io.StringIO(reports.render_csv(sections))))
    assert {r["account"]: int(r["amount_rp"]) for r in rows}["4102"] == TOKO_PRICE
    table = reports.render_table(sections, "id")
    assert f"{TOKO_PRICE:,}".replace(",", ".") in table
    assert f"{TOKO_PRICE:,}" in reports.render_table(sections, "en")


@pytest.fixture(scope="module")
def sampled(tmp_path_factory: pytest.TempPathFactory, month: sample.SampleData) -> Iterator[Ledger]:
    """The sample month ingested: hundreds of cash lines over 31 days (read-only)."""
    loaded = Ledger.open(str(tmp_path_factory.mktemp("sampled") / "ledger.sqlite"))
    loaded.init(config.default())
    sample.load_into(loaded, month)
    loaded.ingest(month.envelopes)
    yield loaded
    loaded.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    offset=st.integers(0, 900),
    limit=st.integers(0, 150),
    days=st.tuples(st.integers(1, 31), st.integers(0, 31)),
)
def test_a_page_of_the_cash_book_is_the_same_slice_of_the_whole(
    sampled: Ledger, offset: int, limit: int, days: tuple[int, int]
) -> None:
    """The portal's page of the cash book reads only the days it needs, and gives exactly the rows,
    running balances and totals of the whole period's cash book."""
    first = date(2026, 3, days[0])
    period = reports.Period(first.isoformat(), (first + timedelta(days=days[1])).isoformat())
    viewer = Viewer(member="A001", role="anggota")
    whole = reports.cashbook(sampled, period, "id", viewer)[0]
    page, total = reports.cashbook_page(sampled, period, offset, limit, viewer=viewer)
    assert total == len(whole.rows)
    assert page.rows == whole.rows[offset : offset + limit]
    assert page.summary == whole.summary
