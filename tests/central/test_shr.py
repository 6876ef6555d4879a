"""SHR and SMSK payouts on their configured dates (what each member receives, paid once on the office's
chain), the deposits command line end to end, and the payroll deduction list as a PDF."""

from __future__ import annotations

import json
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from central import config
from central.ledger import Ledger, schema
from central.members.rows import MemberRow
from central.office import entries, identity, payouts
from central.office.record import record
from central.savings.errors import SavingsRefused

SAVINGS = {
    "wajib_rp": 50_000,
    "wajib_from": "2026-01",
    "shr": {"payout_dates": ["2026-03-13", "2027-03-02"]},
    "smsk": {"payout_dates": ["2026-07-01"]},
    "berjangka": [{"code": "B3", "name": "Berjangka 3 bulan", "term_months": 3, "rate_year_pct": 6}],
}


@pytest.fixture
def coop(ledger: Ledger, tmp_path: Path) -> tuple[Ledger, identity.Office]:
    raw = config.merge_over_defaults(config._default_raw(), {"savings": SAVINGS})
    ledger.init(config.parse(raw))
    ledger.import_members(
        [
            MemberRow("A001", "Siti Aminah", "2020-01-01", None, None, None, "anggota"),
            MemberRow("A002", "Budi Santoso", "2020-01-01", None, None, None, "ketua"),
            MemberRow("A003", "Wati", "2020-01-01", None, None, None, "bendahara"),
        ]
    )
    office = identity.init(ledger, tmp_path / "office.key")[0]
    for member, product, amount, day in (
        ("A001", "shr", 100_000, date(2026, 1, 5)),
        ("A001", "shr", 100_000, date(2026, 2, 5)),
        ("A002", "shr", 250_000, date(2026, 2, 5)),
        ("A002", "shr", 40_000, date(2026, 3, 20)),  # after the payout date: kept for next year
        ("A003", "smsk", 75_000, date(2026, 2, 5)),
    ):
        when = datetime(day.year, day.month, day.day, 9, 0)
        record(ledger, office, entries.savings_deposit(member, product, amount), at=when, by="A003")
    return ledger, office


def _balance(ledger: Ledger, account: str, member: str) -> int:
    j = schema.journal
    with ledger.read() as conn:
        return int(
            conn.execute(
                select(func.coalesce(func.sum(j.c.credit_rp) - func.sum(j.c.debit_rp), 0)).where(
                    j.c.account == account, j.c.member == member
                )
            ).scalar_one()
        )


def test_the_shr_list_is_each_members_balance_on_the_payout_day(coop: tuple[Ledger, identity.Office]) -> None:
    """The configured date of the year, and what each member saved by it."""
    ledger, _ = coop
    day = payouts.payout_day(ledger, "shr", year=2026)
    assert day == date(2026, 3, 13)
    rows = payouts.listing(ledger, "shr", day)
    assert [(r.member, r.amount_rp, r.paid) for r in rows] == [
        ("A001", 200_000, False),
        ("A002", 250_000, False),
    ]
    assert [(r.member, r.amount_rp) for r in payouts.listing(ledger, "smsk", date(2026, 7, 1))] == [
        ("A003", 75_000)
    ]


def test_paying_is_once_and_leaves_what_came_after(coop: tuple[Ledger, identity.Office]) -> None:
    """Paying withdraws each balance once; a second run pays nothing; later deposits stay saved."""
    ledger, office = coop
    day = date(2026, 3, 13)
    with pytest.raises(SavingsRefused, match="not paid before"):
        payouts.pay(ledger, office, "shr", day, by="A003", at=datetime(2026, 3, 12, 9, 0))
    paid = payouts.pay(ledger, office, "shr", day, by="A003", at=datetime(2026, 3, 21, 9, 0))
    assert all(r.paid for r in paid) and sum(r.amount_rp for r in paid) == 450_000
    assert _balance(ledger, "2104", "A001") == 0
    assert _balance(ledger, "2104", "A002") == 40_000
    again = payouts.pay(ledger, office, "shr", day, by="A003", at=datetime(2026, 3, 22, 9, 0))
    assert [r.tx for r in again] == [r.tx for r in paid]
    assert _balance(ledger, "2104", "A002") == 40_000


def test_dates_outside_the_config_are_refused(coop: tuple[Ledger, identity.Office]) -> None:
    """A date not in payout_dates, a year without one and a product without dates are refused clearly."""
    ledger, _ = coop
    with pytest.raises(SavingsRefused, match="not a payout date"):
        payouts.payout_day(ledger, "shr", day=date(2026, 3, 14))
    with pytest.raises(SavingsRefused, match="payout_dates"):
        payouts.payout_day(ledger, "shr", year=2030)
    with pytest.raises(SavingsRefused):
        payouts.payout_day(ledger, "sukarela", year=2026)


def test_the_command_lines(
    coop: tuple[Ledger, identity.Office], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`savings payout`, `deposits place|list|accrue|withdraw|certificate` and `payroll list --pdf` work
    from the command line; a user's mistake exits 2 with the reason."""
    from central.cli import app

    ledger, _ = coop
    if ledger.engine.dialect.name != "sqlite":
        pytest.skip("the command line test runs once, on the SQLite ledger")
    db = ["--db", ledger.target, "--lang", "en"]
    key = ["--office-key", str(tmp_path / "office.key")]
    assert app.main([*db, "savings", "payout", "shr", "--year", "2026", "--json"]) == 0
    assert [r["amount_rp"] for r in json.loads(capsys.readouterr().out)] == [200_000, 250_000]
    assert app.main([*db, "savings", "payout", "shr", "--date", "2026-03-14"]) == 2
    assert "not a payout date" in capsys.readouterr().err
    assert app.main([*db, "deposits", "place", "A001", "B3", "10000000", "--on", "2026-01-15", *key]) == 0
    assert "BJ-000001" in capsys.readouterr().out
    assert app.main([*db, "deposits", "accrue", "--month", "2026-01", "--json", *key]) == 0
    assert [a["amount_rp"] for a in json.loads(capsys.readouterr().out)] == [28_333]
    assert app.main([*db, "deposits", "accrue", "--month", "2026-01", *key]) == 0
    assert "No new interest" in capsys.readouterr().out
    assert app.main([*db, "deposits", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["maturity"] == "2026-04-15" and listed[0]["accrued_rp"] == 28_333
    pdf = tmp_path / "bilyet.pdf"
    assert app.main([*db, "deposits", "certificate", "BJ-000001", "--out", str(pdf)]) == 0
    assert (
        "10,000,000"
        in subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    )
    assert app.main([*db, "deposits", "withdraw", "XX-1", *key]) == 2
    assert app.main([*db, "deposits", "mature", "BJ-000001", "--on", "2026-04-01", *key]) == 2
    assert "matures on 2026-04-15" in capsys.readouterr().err
    assert app.main([*db, "deposits", "mature", "BJ-000001", "--on", "2026-04-15", "--json", *key]) == 0
    closed = json.loads(capsys.readouterr().out)
    assert closed[0]["principal_paid_rp"] == 10_000_000 and closed[0]["interest_paid_rp"] == 150_000
    payroll = tmp_path / "potong-gaji.pdf"
    assert app.main([*db, "payroll", "list", "--month", "2026-03", "--pdf", str(payroll)]) == 0
    text = subprocess.run(
        ["pdftotext", "-layout", str(payroll), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert (
        "Payroll Deduction List" in text and "Siti Aminah" in text and "150,000" in text
    )  # 3 months of wajib
