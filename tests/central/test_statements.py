"""The annual statements: arus kas and the changes in equity of a small hand-computed pair of years, and
the laws that hold for any journal (arus kas reconciles; the equity statement closes on the balance sheet)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from central import config, yearend
from central.books import annual, cashflow, equity, notes, reports
from central.cli import app as cli
from central.ledger import Ledger, schema
from central.ledger.tables import insert_many
from central.members.rows import MemberRow, ProductRow
from central.office import entries, identity
from central.office.record import record
from tests.central.helpers import Device

PRICE_RP, COST_RP = 15_000, 13_000


def _line(qty: int, price_rp: int = PRICE_RP) -> list[dict[str, Any]]:
    return [{"sku": "GULA", "qty": qty, "price_rp": price_rp, "cost_rp": COST_RP}]


def _at(day: str) -> str:
    return f"{day}T10:00:00+07:00"


@pytest.fixture
def books(ledger: Ledger, tmp_path: Path) -> Ledger:
    """2025: pokok 1,000,000 and wajib 200,000 paid in, 20 gula bought for cash (260,000), 10 sold to A001
    for cash (150,000; SHU 20,000), the year closed. 2026: gula sold for cash to A001 (4) and a walk-in
    customer (2); sukarela 300,000 in and 120,000 out; wajib 50,000 in; a loan of 500,000 paid out and an
    installment of 100,000 principal and 5,000 interest; equipment bought for 400,000 and electricity paid
    75,000 at the office."""
    ledger.import_members([MemberRow("A001", "Budi", "2020-01-05", None, None, None, "anggota")])
    ledger.import_products([ProductRow("GULA", "Gula 1 kg", "toko", PRICE_RP, COST_RP)])
    sp, toko = Device("sp-09", "simpan-pinjam"), Device("toko-09", "toko")
    report = ledger.ingest(
        [
            sp.make("savings_deposit", member="A001", product="pokok", total=1_000_000, at=_at("2025-01-10")),
            sp.make("savings_deposit", member="A001", product="wajib", total=200_000, at=_at("2025-01-11")),
            toko.make("purchase", lines=_line(20, COST_RP), total=20 * COST_RP, at=_at("2025-02-01")),
            toko.make("sale", member="A001", lines=_line(10), total=10 * PRICE_RP, at=_at("2025-03-01")),
        ]
    )
    assert report.ok, report.rejected
    yearend.close_year(ledger, 2025, by="bendahara")
    report = ledger.ingest(
        [
            toko.make("sale", member="A001", lines=_line(4), total=4 * PRICE_RP, at=_at("2026-02-01")),
            toko.make("sale", member=None, lines=_line(2), total=2 * PRICE_RP, at=_at("2026-02-02")),
            sp.make(
                "savings_deposit", member="A001", product="sukarela", total=300_000, at=_at("2026-02-10")
            ),
            sp.make("savings_deposit", member="A001", product="wajib", total=50_000, at=_at("2026-02-10")),
            sp.make("loan_disbursement", member="A001", loan="L1", total=500_000, at=_at("2026-03-01")),
            sp.make(
                "installment",
                member="A001",
                loan="L1",
                principal_rp=100_000,
                interest_rp=5_000,
                total=105_000,
                at=_at("2026-04-01"),
            ),
            sp.make(
                "savings_withdrawal", member="A001", product="sukarela", total=120_000, at=_at("2026-05-01")
            ),
        ]
    )
    assert report.ok, report.rejected
    office = identity.init(ledger, tmp_path / "office.key")[0]
    tz = ledger.config.tz
    equipment = entries.journal(
        "adjustment", [entries.dr("1401", 400_000, "lemari es"), entries.cr("1101", 400_000)], unit="toko"
    )
    record(ledger, office, equipment, at=datetime(2026, 6, 1, 9, tzinfo=tz), by="bendahara")
    power = entries.journal(
        "expense", [entries.dr("5702", 75_000, "listrik Juni"), entries.cr("1101", 75_000)], unit="toko"
    )
    record(ledger, office, power, at=datetime(2026, 6, 2, 9, tzinfo=tz), by="bendahara")
    return ledger


def _flows(flow: cashflow.CashFlow) -> dict[str, tuple[int, int]]:
    return {f.line: (f.in_rp, f.out_rp) for f in flow.flows}


def test_arus_kas_of_the_scenario_years_to_the_rupiah(books: Ledger) -> None:
    """Each statement line, each activity's net and the reconciliation are the hand-computed figures."""
    last = cashflow.compute(books, "2025-01-01", "2025-12-31")
    assert _flows(last) == {
        "sales": (150_000, 0),
        "suppliers": (0, 260_000),  # the sale's cost of goods and inventory lines net out inside it
        "savings:pokok": (1_000_000, 0),
        "savings:wajib": (200_000, 0),
    }
    assert cashflow.totals(last.flows) == {"operating": -110_000, "investing": 0, "financing": 1_200_000}
    assert (last.opening_rp, last.closing_rp) == (0, 1_090_000)

    this = cashflow.compute(books, "2026-01-01", "2026-12-31")
    assert _flows(this) == {
        "sales": (90_000, 0),
        "lending_income": (5_000, 0),
        "loans": (100_000, 500_000),
        "expenses": (0, 75_000),
        "account:1401": (0, 400_000),
        "savings:sukarela": (300_000, 120_000),
        "savings:wajib": (50_000, 0),
    }
    assert cashflow.totals(this.flows) == {"operating": -380_000, "investing": -400_000, "financing": 230_000}
    assert (this.opening_rp, this.net_rp, this.closing_rp) == (1_090_000, -550_000, 540_000)
    assert cashflow.reconciles(this) and cashflow.reconciles(last)


def test_equity_statement_of_the_scenario_years(books: Ledger) -> None:
    """Pokok, wajib, reserve and SHU move as hand-computed; 2025's close moves 8,000 to the reserve and
    12,000 out to the members' share and the funds; each closing is the balance sheet's equity."""
    last = equity.compute(books, 2025)
    moves = dict(last.movements)
    #                      pokok      wajib    reserve  shu      other
    assert last.opening == (0, 0, 0, 0, 0)
    assert moves["deposits"] == (1_000_000, 200_000, 0, 0, 0)
    assert moves["surplus"] == (0, 0, 0, 20_000, 0)
    assert moves["to_reserve"] == (0, 0, 8_000, -8_000, 0)
    assert moves["distributed"] == (0, 0, 0, -12_000, 0)
    assert last.closing == (1_000_000, 200_000, 8_000, 0, 0)

    this = equity.compute(books, 2026)
    moves = dict(this.movements)
    assert this.opening == last.closing
    assert moves["deposits"] == (0, 50_000, 0, 0, 0)
    # SHU 2026: sales 90,000 - cost 78,000 + interest 5,000 - electricity 75,000
    assert moves["surplus"] == (0, 0, 0, -58_000, 0)
    assert moves["to_reserve"] == moves["distributed"] == moves["withdrawals"] == (0, 0, 0, 0, 0)
    assert this.closing == (1_000_000, 250_000, 8_000, -58_000, 0)
    for year in (last, this):
        sheet = dict(reports.balance_sheet(books, f"{year.year}-12-31")[0].summary)
        assert year.closing_rp == sheet["equity_rp"]


def test_the_statement_sections_carry_both_years(books: Ledger) -> None:
    """The portal's and CLI's sections: amounts of 2026 beside 2025, the checks true, totals as computed."""
    flow = {s.key: s for s in annual.cash_flow(books, 2026, "id")}
    assert flow["operating"].columns == ("memo", "2026_rp", "2025_rp")
    assert flow["operating"].rows[-1][1:] == (-380_000, -110_000)
    assert flow["investing"].rows == (
        ("Pembelian aset tetap (peralatan dan inventaris)", -400_000, 0),
        ("Arus kas bersih dari aktivitas investasi", -400_000, 0),
    )
    assert flow["cash_change"].rows[2][1:] == (540_000, 1_090_000)
    assert dict(flow["cash_change"].summary) == {"balanced": True}
    (eq,) = annual.equity_changes(books, 2026, "id")
    assert eq.columns == (
        "memo",
        "savings_pokok_rp",
        "savings_wajib_rp",
        "reserve_rp",
        "undistributed_rp",
        "total_rp",
    )
    assert eq.rows[0] == ("Saldo 1 Januari 2025", 0, 0, 0, 0, 0)
    assert eq.rows[-1] == ("Saldo 31 Desember 2026", 1_000_000, 250_000, 8_000, -58_000, 1_200_000)
    assert dict(eq.summary) == {"equity_rp": 1_200_000, "balanced": True}
    (sheet,) = annual.balance_sheet(books, 2026, "id")
    lines = {row[1]: row[3:] for row in sheet.rows if row[1]}
    assert lines["1101"] == (540_000, 1_090_000)
    assert lines["1202"] == (400_000, 0)
    assert lines["1401"] == (400_000, 0)
    (income,) = annual.income(books, 2026, "id")
    assert income.rows[-1][-2:] == (-58_000, 20_000)


def test_notes_for_the_main_accounts(books: Ledger) -> None:
    """Cash and bank, loans and their collectibility, inventory, fixed assets, savings by product with their
    savers, equity."""
    found = {n.key: dict(n.lines) for n in notes.compute(books, 2026, "id")}
    assert found["cash"]["1101 Kas"] == (540_000, 1_090_000)
    assert found["receivables"]["1202 Piutang pinjaman anggota"] == (400_000, 0)
    assert found["inventory"]["1301 Persediaan barang"] == (260_000 - 130_000 - 78_000, 130_000)
    assert found["fixed_assets"]["1401 Aset tetap (peralatan dan inventaris)"] == (400_000, 0)
    assert found["savings"]["2101 Simpanan sukarela"] == (180_000, 0)
    assert found["savers"] == {
        "Simpanan pokok: penyimpan": (1, 1),
        "Simpanan wajib: penyimpan": (1, 1),
        "Simpanan sukarela: penyimpan": (1, 0),
    }
    assert found["equity"]["SHU belum dibagi (termasuk tahun berjalan)"] == (-58_000, 0)
    # The loan book's aging: L1 has no application, so it follows the plain 12-month schedule without
    # interest (41,667 a month from 1 April); the 105,000 paid covers two installments and part of the third,
    # leaving 395,000 owed with the one due on 1 June unpaid: 213 days late at 31 December, diragukan.
    assert found["loan_classes"] == {
        "Lancar": (0, 0),
        "Kurang lancar": (0, 0),
        "Diragukan": (395_000, 0),
        "Macet": (0, 0),
    }
    assert found["loan_allowance"]["Diragukan"] == (296_250, 0)  # 75 % of 395,000


# -- laws over any journal --------------------------------------------------------------------------------

CONFIG = config.default()
ACCOUNTS = [a.code for a in CONFIG.chart] + ["9999"]  # one account the chart does not know
DAYS = ["2025-06-30", "2025-12-31", "2026-01-01", "2026-03-15", "2026-12-31", "2027-01-02"]


@st.composite
def _entry(draw: st.DrawFn) -> list[tuple[str, int, int]]:
    """A balanced entry of 2-5 lines on any accounts (cash among them or not)."""
    amounts = draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=3))
    debits = [(draw(st.sampled_from(ACCOUNTS)), a, 0) for a in amounts]
    total = sum(amounts)
    cut = draw(st.integers(1, total)) if total > 1 else 1
    parts = [cut, total - cut] if total - cut else [cut]
    credits = [(draw(st.sampled_from(ACCOUNTS)), 0, p) for p in parts]
    return draw(st.permutations(debits + credits))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(DAYS), _entry()), min_size=1, max_size=25))
def test_any_journal_reconciles_and_closes_on_the_balance_sheet(
    tmp_path_factory: pytest.TempPathFactory, journal: list[tuple[str, list[tuple[str, int, int]]]]
) -> None:
    """For any balanced journal: opening cash + each class's flow = closing cash, with no unexplained
    line; the equity statement's closing is the balance sheet's equity, every year."""
    path = tmp_path_factory.mktemp("law") / "ledger.sqlite"
    with Ledger.open(str(path)) as ledger:
        ledger.init(CONFIG)
        rows = [
            (f"t{n}", number, day, 0, account, debit, credit, "toko", None, "law")
            for n, (day, lines) in enumerate(journal)
            for number, (account, debit, credit) in enumerate(lines, start=1)
        ]
        with ledger.write() as conn:
            insert_many(conn, schema.journal, rows)
        for year in (2025, 2026):
            flow = cashflow.compute(ledger, f"{year}-01-01", f"{year}-12-31")
            assert flow.opening_rp + sum(cashflow.totals(flow.flows).values()) == flow.closing_rp
            cash_moved = sum(
                d - c
                for n, (day, lines) in enumerate(journal)
                for a, d, c in lines
                if a in ("1101", "1102") and day.startswith(str(year))
            )
            assert flow.closing_rp - flow.opening_rp == cash_moved
            unknown = [f for f in flow.flows if f.line == cashflow.OTHER]
            expected_other = any(
                a in ("9999", "2111", "2302")
                for day, lines in journal
                if day.startswith(str(year))
                for a, _, _ in lines
            )
            assert not unknown or expected_other
            result = equity.compute(ledger, year)
            sheet = dict(reports.balance_sheet(ledger, f"{year}-12-31")[0].summary)
            assert result.closing_rp == sheet["equity_rp"]
            assert result.opening == equity.compute(ledger, year - 1).closing


# -- the command line ---------------------------------------------------------------------------------


def test_cli_prints_each_statement_as_table_csv_and_json(
    books: Ledger, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report cash-flow|equity|notes|statements --year` print the statements; CSV and JSON carry rupiah."""
    db = db_url
    if not db.endswith(".sqlite"):
        pytest.skip("the command line test runs on the SQLite ledger")
    assert cli.main(["--db", db, "report", "cash-flow", "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "Pembelian aset tetap (peralatan dan inventaris)" in out and "-400.000" in out
    assert cli.main(["--db", db, "--lang", "en", "report", "equity", "--year", "2026", "--csv"]) == 0
    out = capsys.readouterr().out
    assert (
        out.splitlines()[0] == "memo,savings_pokok_rp,savings_wajib_rp,reserve_rp,undistributed_rp,total_rp"
    )
    assert "Balance at 31 December 2026,1000000,250000,8000,-58000,1200000" in out
    assert cli.main(["--db", db, "report", "notes", "--year", "2026", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cash"]["rows"][0] == {"memo": "1101 Kas", "2026_rp": 540_000, "2025_rp": 1_090_000}
    assert data["savers"]["rows"][0] == {"memo": "Simpanan pokok: penyimpan", "2026": 1, "2025": 1}
    assert cli.main(["--db", db, "report", "statements", "--year", "2026", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"balance_sheet", "income", "operating", "cash_change", "equity", "savings"} <= set(data)


def test_cli_refuses_a_period_in_the_readers_language(
    books: Ledger, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A statement takes a book year: --from is refused with exit 2 and a message, no traceback."""
    db = db_url
    if not db.endswith(".sqlite"):
        pytest.skip("the command line test runs on the SQLite ledger")
    assert cli.main(["--db", db, "report", "equity", "--from", "2026-01-01"]) == 2
    assert "tahun buku" in capsys.readouterr().err
    assert cli.main(["--db", db, "--lang", "en", "report", "cash-flow", "--year", "20"]) == 2
    assert "plausible book year" in capsys.readouterr().err
