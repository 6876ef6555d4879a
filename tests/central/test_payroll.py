"""Payroll deduction: the month's list (wajib owed, installments due, store credit), and importing what
payroll deducted: all rows checked first, posted per line on the office's chain, differences listed."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from central import config, sample
from central.ledger import Ledger, schema
from central.loans import applications as apps
from central.loans import portfolio
from central.members.tabular import csv_text, parse_table
from central.office import identity, lending, payroll
from central.office.errors import OpeningRowsError
from central.savings import dues
from tests.central.conftest import PRODUCT

AT = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def coop(ledger: Ledger, month: sample.SampleData, tmp_path: Path) -> tuple[Ledger, identity.Office]:
    raw = config.merge_over_defaults(
        config._default_raw(),
        {"loans": {"products": [PRODUCT]}, "savings": {"wajib_rp": 50_000, "wajib_from": "2026-03"}},
    )
    ledger.init(config.parse(raw))
    sample.load_into(ledger, month)
    ledger.ingest(month.envelopes)
    office = identity.init(ledger, tmp_path / "office.key")[0]
    with ledger.read() as conn:  # a member the sample lent nothing to
        borrower = next(
            m["number"]
            for m in ledger.members()
            if apps.loans_owed_rp(conn, m["number"], ledger.config.posting.loans) == 0
        )
    made = apps.apply(ledger, borrower, "umum", 1_200_000, 12, "modal", by=borrower)
    apps.decide(ledger, made.id, approve=True, role="ketua", by="A003", reason="layak")
    lending.disburse(ledger, office, made.id, by="bendahara", at=AT)
    return ledger, office


def _count(ledger: Ledger) -> int:
    with ledger.read() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.transactions)).scalar_one())


def test_the_list_has_wajib_installments_and_credit(coop: tuple[Ledger, identity.Office]) -> None:
    ledger, _ = coop
    rows = payroll.deductions(ledger, 2026, 4)
    lines = {(r.member, r.line) for r in rows}
    owed = {r.member: r.owed_rp for r in dues.wajib(ledger, date(2026, 4, 30)) if r.owed_rp > 0}
    assert owed and {(m, "wajib") for m in owed} <= lines
    assert all(r.amount_rp == owed[r.member] for r in rows if r.line == "wajib")
    loan = next(r for r in rows if r.line == "angsuran" and r.ref.startswith("PJ-0"))
    card = portfolio.cards(ledger, date(2026, 4, 30), loan=loan.ref)[0]
    assert (loan.member, loan.ref, loan.amount_rp) == (
        card.member,
        card.loan,
        card.state.lines[0].principal_rp + card.state.lines[0].interest_rp,
    )
    credit = [r for r in rows if r.line == "kredit"]
    assert credit and all(r.amount_rp > 0 for r in credit)  # the sample's credit sales


def test_importing_what_payroll_deducted_posts_each_line_and_lists_differences(
    coop: tuple[Ledger, identity.Office],
) -> None:
    ledger, office = coop
    rows = [dict(vars(r)) for r in payroll.deductions(ledger, 2026, 4)]
    left = rows[0]["member"]
    deducted = [r for r in rows if r["member"] != left]  # one member left the employer: nothing deducted
    short = next(r for r in deducted if r["line"] == "wajib" and r["amount_rp"] > 30_000)
    listed = short["amount_rp"]
    short["amount_rp"] = 30_000  # a partial deduction
    table = parse_table(csv_text(payroll.COLUMNS, deducted, ";"))
    before = _count(ledger)
    posted = payroll.import_deducted(
        ledger, office, table, 2026, 4, by="bendahara", at=datetime(2026, 4, 28, 9)
    )
    assert _count(ledger) == before + len(deducted)
    different = {(p.member, p.line): p.difference_rp for p in payroll.differences(posted)}
    assert different[(short["member"], "wajib")] == 30_000 - listed
    assert all(diff < 0 for (member, _), diff in different.items() if member == left)
    for card in portfolio.cards(ledger, date(2026, 4, 30)):
        assert card.member == left or card.state.arrears_rp == 0


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"member": "NOPE"}, "unknown member 'NOPE'"),
        ({"line": "bonus"}, "line 'bonus' must be one of wajib, angsuran, kredit"),
        ({"amount_rp": "12,5"}, "amount_rp"),
    ],
)
def test_one_bad_row_posts_nothing(
    coop: tuple[Ledger, identity.Office], change: dict[str, Any], words: str
) -> None:
    ledger, office = coop
    rows = [dict(vars(r)) for r in payroll.deductions(ledger, 2026, 4)]
    rows[-1].update(change)
    before = _count(ledger)
    with pytest.raises(OpeningRowsError) as err:
        payroll.import_deducted(ledger, office, parse_table(csv_text(payroll.COLUMNS, rows)), 2026, 4, by="b")
    assert words in err.value.text("en") and _count(ledger) == before


def test_more_than_the_loan_is_refused_before_anything_posts(coop: tuple[Ledger, identity.Office]) -> None:
    ledger, office = coop
    rows = [dict(vars(r)) for r in payroll.deductions(ledger, 2026, 4)]
    loan = next(r for r in rows if r["line"] == "angsuran")
    loan["amount_rp"] = 99_000_000
    before = _count(ledger)
    with pytest.raises(OpeningRowsError, match="is paid off with"):
        payroll.import_deducted(ledger, office, parse_table(csv_text(payroll.COLUMNS, rows)), 2026, 4, by="b")
    assert _count(ledger) == before
