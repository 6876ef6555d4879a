"""A member leaving: the settlement statement adds up from its parts (savings, term deposit, SHU payable,
loan, store credit), only a board member approves it, paying it moves cash by exactly the net and leaves
every balance of the member at zero with the books balanced, and the member is set inactive."""

from __future__ import annotations

import subprocess
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from central import config
from central.ledger import Ledger, schema
from central.loans import applications as apps
from central.members.rows import MemberRow
from central.office import deposits, entries, identity, leaving, lending
from central.office.record import record
from central.savings.errors import SavingsRefused
from tests.central.conftest import PRODUCT

B3 = {"code": "B3", "name": "Berjangka 3 bulan", "term_months": 3, "rate_year_pct": 6, "early_penalty_pct": 1}
JAN = datetime(2026, 1, 10, 9, 0)
LEAVE = date(2026, 2, 10)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0)


@pytest.fixture
def coop(ledger: Ledger, tmp_path: Path) -> tuple[Ledger, identity.Office]:
    """Siti (A001) with every kind of balance; Budi is the ketua, Wati the bendahara, Rina a plain member."""
    raw = config.merge_over_defaults(
        config._default_raw(), {"loans": {"products": [PRODUCT]}, "savings": {"berjangka": [B3]}}
    )
    ledger.init(config.parse(raw))
    ledger.import_members(
        [
            MemberRow("A001", "Siti Aminah", "2020-01-01", None, None, None, "anggota"),
            MemberRow("A002", "Budi Santoso", "2020-01-01", None, None, None, "ketua"),
            MemberRow("A003", "Wati", "2020-01-01", None, None, None, "bendahara"),
            MemberRow("A004", "Rina", "2020-01-01", None, None, None, "anggota"),
        ]
    )
    office = identity.init(ledger, tmp_path / "office.key")[0]
    for product, amount in (
        ("pokok", 100_000),
        ("wajib", 600_000),
        ("sukarela", 1_250_000),
        ("shr", 300_000),
    ):
        record(ledger, office, entries.savings_deposit("A001", product, amount), at=JAN, by="A003")
    deposits.place(ledger, office, "A001", "B3", 5_000_000, by="A003", at=_at(date(2026, 1, 15)))
    deposits.accrue(ledger, office, "2026-01", by="A003", today=date(2026, 2, 1))
    # store credit used at the shop, and an SHU allocation still payable (booked as the close books it)
    credit = entries.journal(
        "adjustment", [entries.dr("1201", 180_000), entries.cr("4101", 180_000)], unit="toko", member="A001"
    )
    record(ledger, office, credit, at=JAN, by="A003")
    shu = entries.journal(
        "adjustment",
        [entries.dr("3201", 95_000), entries.cr("2201", 95_000)],
        unit="simpan-pinjam",
        member="A001",
    )
    record(ledger, office, shu, at=JAN, by="A003")
    made = apps.apply(ledger, "A001", "umum", 1_200_000, 12, "modal", by="A001")
    apps.decide(ledger, made.id, approve=True, role="ketua", by="A002", reason="layak")
    lending.disburse(ledger, office, made.id, by="A003", at=JAN)
    return ledger, office


# The accounts holding what a member is owed or owes: savings, store credit, loans, SHU and interest payable.
MEMBER_ACCOUNTS = ("3101", "3102", "2101", "2102", "2103", "2104", "1201", "1202", "2201", "2111")


def _member_balances(ledger: Ledger, member: str) -> dict[str, int]:
    j = schema.journal
    with ledger.read() as conn:
        rows = conn.execute(
            select(j.c.account, func.sum(j.c.debit_rp) - func.sum(j.c.credit_rp))
            .where(j.c.member == member, j.c.account.in_(MEMBER_ACCOUNTS))
            .group_by(j.c.account)
        ).all()
    return {str(a): int(b) for a, b in rows if int(b) != 0}


def _cash(ledger: Ledger) -> int:
    j = schema.journal
    with ledger.read() as conn:
        return int(
            conn.execute(
                select(func.coalesce(func.sum(j.c.debit_rp) - func.sum(j.c.credit_rp), 0)).where(
                    j.c.account == "1101"
                )
            ).scalar_one()
        )


def test_the_statement_adds_up_from_its_parts(coop: tuple[Ledger, identity.Office]) -> None:
    """Each component is what the books hold; the net is their sum."""
    ledger, _ = coop
    s = leaving.statement(ledger, "A001", LEAVE)
    parts = {(line.key, line.ref): line.amount_rp for line in s.lines}
    assert parts[("pokok", "")] == 100_000
    assert parts[("wajib", "")] == 600_000
    assert parts[("sukarela", "")] == 1_250_000
    assert parts[("shr", "")] == 300_000
    assert parts[("berjangka", "BJ-000001")] == 5_000_000
    assert parts[("berjangka_penalty", "BJ-000001")] == -50_000  # 1 % early
    # 26 days of 90: floor(75.000 x 26 / 90) = 21.666 (5.000.000 x 6 % x 3/12 = 75.000)
    assert parts[("berjangka_interest", "BJ-000001")] == 21_666
    assert parts[("shu", "")] == 95_000
    assert parts[("credit", "")] == -180_000
    loan = next(v for (k, _), v in parts.items() if k == "loan")
    assert loan < -1_200_000  # principal and the schedule's interest
    assert s.net_rp == sum(parts.values())
    assert s.owed_to_member_rp - s.owed_by_member_rp == s.net_rp
    assert s.state == "draft"


def test_only_a_board_member_approves(coop: tuple[Ledger, identity.Office]) -> None:
    """A plain member, an unknown number and the leaving member themself are refused."""
    ledger, _ = coop
    for who in ("A004", "Z999"):
        with pytest.raises(SavingsRefused):
            leaving.approve(ledger, "A001", by=who, on=LEAVE)
    assert leaving.statement(ledger, "A001", LEAVE).state == "draft"
    done = leaving.approve(ledger, "A001", by="A002", on=LEAVE, reason="pindah kota")
    assert done.state == "approved" and done.approved_net_rp == done.net_rp


def test_an_unapproved_or_changed_settlement_is_not_paid(coop: tuple[Ledger, identity.Office]) -> None:
    """Paying needs the board's approval of the figure as it still stands."""
    ledger, office = coop
    with pytest.raises(SavingsRefused, match="not approved"):
        leaving.pay(ledger, office, "A001", by="A003", at=_at(LEAVE))
    leaving.approve(ledger, "A001", by="A002", on=LEAVE)
    record(ledger, office, entries.savings_deposit("A001", "sukarela", 10_000), at=_at(LEAVE), by="A003")
    with pytest.raises(SavingsRefused, match="changed since"):
        leaving.pay(ledger, office, "A001", by="A003", at=_at(LEAVE))


def test_paying_moves_the_net_and_leaves_nothing(coop: tuple[Ledger, identity.Office]) -> None:
    """After paying: cash went down by the net, every account of the member is at zero, the books balance,
    the member is inactive and a second payment is refused."""
    ledger, office = coop
    approved = leaving.approve(ledger, "A001", by="A002", on=LEAVE)
    cash = _cash(ledger)
    leaving.pay(ledger, office, "A001", by="A003", at=_at(LEAVE))
    assert cash - _cash(ledger) == approved.net_rp
    assert _member_balances(ledger, "A001") == {}
    j = schema.journal
    with ledger.read() as conn:
        debit, credit = conn.execute(select(func.sum(j.c.debit_rp), func.sum(j.c.credit_rp))).one()
    assert debit == credit
    assert ledger.member("A001")["active"] in (False, 0)
    assert next(m for m in ledger.members() if m["number"] == "A001")["active"] is False
    after = leaving.statement(ledger, "A001", LEAVE)
    assert after.state == "paid" and after.lines == ()
    assert deposits.listing(ledger, member="A001")[0].state == "withdrawn"
    with pytest.raises(SavingsRefused, match="already"):
        leaving.pay(ledger, office, "A001", by="A003", at=_at(LEAVE))


def test_the_statement_pdf_and_the_command(
    coop: tuple[Ledger, identity.Office], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``savings leave statement --pdf`` prints the statement and writes it; the PDF reads back."""
    from central.cli import app

    ledger, _ = coop
    if ledger.engine.dialect.name != "sqlite":
        pytest.skip("the command line test runs once, on the SQLite ledger")
    out = tmp_path / "keluar.pdf"
    argv = ["--db", ledger.target, "--lang", "en", "savings", "leave", "statement", "A001"]
    assert app.main([*argv, "--as-of", "2026-02-10", "--pdf", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "net payable to the member" in printed or "net owed by the member" in printed
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True)
    for words in ("Siti Aminah", "Term deposit", "Store credit owed", "Chair (Ketua)", "Budi Santoso"):
        assert words in text.stdout, words
    assert app.main(["--db", ledger.target, "savings", "leave", "approve", "A001", "--by", "A004"]) == 2
    assert "hanya pengurus" in capsys.readouterr().err


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    savings=st.lists(st.integers(min_value=0, max_value=3_000_000), min_size=5, max_size=5),
    credit=st.integers(min_value=0, max_value=4_000_000),
    deposit=st.integers(min_value=0, max_value=5_000_000),
    leave_day=st.integers(min_value=16, max_value=120),
)
def test_any_settlement_paid_moves_the_net_and_zeroes_the_member(
    savings: list[int], credit: int, deposit: int, leave_day: int
) -> None:
    """For any balances (more owed than saved too), paying moves cash by exactly the approved net, leaves
    every member account at 0 and keeps the books balanced."""
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger.open(str(Path(tmp) / "l.sqlite"))
        try:
            raw = config.merge_over_defaults(config._default_raw(), {"savings": {"berjangka": [B3]}})
            ledger.init(config.parse(raw))
            ledger.import_members(
                [
                    MemberRow("A001", "Siti Aminah", "2020-01-01", None, None, None, "anggota"),
                    MemberRow("A002", "Budi Santoso", "2020-01-01", None, None, None, "ketua"),
                ]
            )
            office = identity.init(ledger, Path(tmp) / "office.key")[0]
            for product, amount in zip(("pokok", "wajib", "sukarela", "smsk", "shr"), savings, strict=True):
                if amount:
                    record(ledger, office, entries.savings_deposit("A001", product, amount), at=JAN, by="t")
            if credit:
                lines = [entries.dr("1201", credit), entries.cr("4101", credit)]
                record(
                    ledger, office, entries.journal("adjustment", lines, unit="toko", member="A001"), at=JAN
                )
            if deposit:
                deposits.place(ledger, office, "A001", "B3", deposit, by="t", at=_at(date(2026, 1, 15)))
            day = date(2026, 1, 1) + timedelta(days=leave_day)
            approved = leaving.approve(ledger, "A001", by="A002", on=day)
            cash = _cash(ledger)
            leaving.pay(ledger, office, "A001", by="t", at=_at(day))
            assert cash - _cash(ledger) == approved.net_rp
            assert _member_balances(ledger, "A001") == {}
            j = schema.journal
            with ledger.read() as conn:
                debit, credit_sum = conn.execute(
                    select(func.sum(j.c.debit_rp), func.sum(j.c.credit_rp))
                ).one()
            assert debit == credit_sum
        finally:
            ledger.close()
