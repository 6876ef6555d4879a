"""A closed year stays closed. The office's entries dated in it are refused until it is reopened; a
device's sale dated in it that arrives late (an outpost offline over New Year) is accepted and posted on
the first day of the open year, its own date kept on the transaction and in its memos, listed as late, and
counted in the open year's points; the closed year's income statement and balance sheet stay byte for
byte what they were at the close, and the books balance every day."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from central import sample, yearend
from central.books import reports
from central.journal import store as journal
from central.journal.rules import JournalError, Line
from central.ledger import Ledger, closed, late, schema
from central.office import entries, identity, record
from central.office.errors import EntryInvalid
from tests.central.helpers import Device, account_days_match_journal, unbalanced_entries

YEAR = 2026
LATE_AT = "2026-12-31T23:40:00+07:00"


def _statements(ledger: Ledger, year: int) -> bytes:
    """The year's income statement and its closing balance sheet, as the CSV the office hands out."""
    sections = [
        *reports.income(ledger, reports.Period(f"{year}-01-01", f"{year}-12-31")),
        *reports.balance_sheet(ledger, f"{year}-12-31"),
    ]
    return reports.render_csv(sections).encode("utf-8")


def _unbalanced_days(ledger: Ledger) -> list[str]:
    j = schema.journal
    with ledger.read() as conn:
        rows = conn.execute(
            select(j.c.day, func.sum(j.c.debit_rp), func.sum(j.c.credit_rp)).group_by(j.c.day)
        ).all()
    return [day for day, debit, credit in rows if int(debit) != int(credit)]


@pytest.fixture
def closed_year(ledger: Ledger, month: sample.SampleData, tmp_path: Path) -> tuple[Ledger, identity.Office]:
    """March 2026 of sample trade, the office set up, and 2026 closed (early, as a test may)."""
    sample.load_into(ledger, month)
    assert not ledger.ingest(month.envelopes).rejected
    office = identity.init(ledger, tmp_path / "office.key")[0]
    yearend.close_year(ledger, YEAR, by="manajer", early=True)
    return ledger, office


def test_a_late_sale_leaves_the_closed_year_as_it_was(closed_year: tuple[Ledger, identity.Office]) -> None:
    """Accepted, posted on 2027-01-01 with its own date shown, listed as late; 2026 unchanged to the byte."""
    ledger, _ = closed_year
    member = ledger.members()[0]["number"]
    before = _statements(ledger, YEAR)
    points_before = yearend.member_points(ledger, member, YEAR + 1, date(YEAR + 1, 1, 31)).total
    dev = Device("outpost-1").register(ledger)
    late_sale = dev.sale(qty=3, member=member, at=LATE_AT)
    report = ledger.ingest([late_sale])
    assert not report.rejected and report.accepted == [late_sale["id"]]
    assert _statements(ledger, YEAR) == before
    t, j = schema.transactions, schema.journal
    with ledger.read() as conn:
        row = conn.execute(select(t.c.day, t.c.at).where(t.c.id == late_sale["id"])).one()
        memos = [m for (m,) in conn.execute(select(j.c.memo).where(j.c.tx == late_sale["id"]))]
        days = {d for (d,) in conn.execute(select(j.c.day).where(j.c.tx == late_sale["id"]))}
    assert tuple(row) == ("2027-01-01", LATE_AT) and days == {"2027-01-01"}
    assert memos and all(m.endswith("(tgl 2026-12-31)") for m in memos)
    [listed] = late.late(ledger)
    assert (listed.id, listed.own_day, listed.posted_day) == (late_sale["id"], "2026-12-31", "2027-01-01")
    assert late.late(ledger, YEAR) == []
    assert yearend.member_points(ledger, member, YEAR + 1, date(YEAR + 1, 1, 31)).total > points_before
    assert ledger.ingest([late_sale]).duplicates == [late_sale["id"]]  # exactly once
    assert unbalanced_entries(ledger) == [] and _unbalanced_days(ledger) == []
    assert account_days_match_journal(ledger)


def test_office_entries_in_a_closed_year_are_refused_until_it_is_reopened(
    closed_year: tuple[Ledger, identity.Office],
) -> None:
    """A deposit dated in 2026 and a journal draft of 2026 are refused naming the year; after the audited
    reopen the deposit is made."""
    ledger, office = closed_year
    member = ledger.members()[0]["number"]
    body = entries.savings_deposit(member, "sukarela", 50_000)
    when = datetime(YEAR, 11, 3, 10, 0, tzinfo=ledger.config.tz)
    with pytest.raises(EntryInvalid) as refused:
        record.record(ledger, office, body, at=when)
    assert "tahun 2026 sudah ditutup" in refused.value.text("id")
    assert "reopen-year 2026" in refused.value.text("en")
    with pytest.raises(JournalError, match="closed"):
        journal.draft(
            ledger,
            day=date(YEAR, 11, 3),
            description="Listrik November",
            kind="expense",
            lines=[Line("5702", 1_000, 0), Line("1101", 0, 1_000)],
            by="KANTOR1",
            role="staf",
        )
    record.record(ledger, office, body, at=datetime(YEAR + 1, 1, 5, 9, 0, tzinfo=ledger.config.tz))
    yearend.reopen_year(ledger, YEAR, reason="koreksi sebelum RAT", by="ketua")
    made = record.record(ledger, office, body, at=when)
    assert made.at.startswith("2026-11-03")
    assert unbalanced_entries(ledger) == []


def test_a_reopened_year_takes_its_late_sales_on_their_own_day(
    closed_year: tuple[Ledger, identity.Office],
) -> None:
    """After a reopen a sale of that year is posted on its own day again (nothing is late)."""
    ledger, _ = closed_year
    yearend.reopen_year(ledger, YEAR, reason="koreksi", by="ketua")
    dev = Device("outpost-2").register(ledger)
    sale = dev.sale(qty=1, member=None, at=LATE_AT)
    assert not ledger.ingest([sale]).rejected
    with ledger.read() as conn:
        day = conn.execute(
            select(schema.transactions.c.day).where(schema.transactions.c.id == sale["id"])
        ).scalar()
    assert day == "2026-12-31" and late.late(ledger) == []


@given(
    years=st.frozensets(st.integers(min_value=2000, max_value=2040), max_size=6),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
)
def test_a_posting_day_is_never_in_a_closed_year_and_never_earlier(years: frozenset[int], day: date) -> None:
    """``posting_day`` keeps an open year's day, moves a closed year's to the next open 1 January."""
    posted = closed.posting_day(day.isoformat(), years)
    assert int(posted[:4]) not in years and posted >= day.isoformat()
    assert (posted == day.isoformat()) == (day.year not in years)
