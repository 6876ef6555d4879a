"""The board's figures (``central.books.board``), cross-checked against the envelopes themselves and the
reports and loan book they lead to."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from central import sample
from central.books import board, reports
from central.ledger import Ledger, quarantine
from central.loans import portfolio
from tests.central.helpers import Device

END = date(2026, 3, 31)
DAY = 24 * 3600


@pytest.fixture
def books(loaded: Ledger, month: sample.SampleData) -> Ledger:
    loaded.ingest(month.envelopes)
    loaded.ingest([{"v": 99, "note": "not an envelope"}])
    return loaded


def _local_day(ledger: Ledger, at: str) -> date:
    return datetime.fromisoformat(at).astimezone(ledger.config.tz).date()


def _expected_sales(
    ledger: Ledger, envelopes: list[dict[str, Any]], lo: date, hi: date
) -> dict[str, tuple[int, int]]:
    voided = {e["ref"] for e in envelopes if e["kind"] == "void"}
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for e in envelopes:
        if e["kind"] == "sale" and e["id"] not in voided and lo <= _local_day(ledger, e["at"]) <= hi:
            found[e["unit"]][0] += 1
            found[e["unit"]][1] += e["total"]
    return {unit: (n, total) for unit, (n, total) in found.items()}


def test_sales_per_unit_are_the_envelopes_sales_without_the_voided(
    books: Ledger, month: sample.SampleData
) -> None:
    envelopes = list(month.envelopes)
    assert any(e["kind"] == "void" for e in envelopes)  # the sample voids some sales
    for on in (date(2026, 3, 10), END):
        sales = {s.unit: s for s in board.sales_by_unit(books, on)}
        assert list(sales)[: len(books.config.units)] == [u.code for u in books.config.units]
        month_sales = _expected_sales(books, envelopes, on.replace(day=1), on)
        day_sales = _expected_sales(books, envelopes, on, on)
        for unit, s in sales.items():
            assert (s.month_count, s.month_rp) == month_sales.get(unit, (0, 0)), unit
            assert (s.day_count, s.day_rp) == day_sales.get(unit, (0, 0)), unit
        assert sum(s.month_rp for s in sales.values()) > 0


def test_glance_figures_are_the_reports_and_the_loan_books(books: Ledger, month: sample.SampleData) -> None:
    for on in (date(2026, 3, 15), END, date(2026, 6, 30)):
        g = board.glance(books, on, int(time.time()))
        closing = dict(reports.cashbook(books, reports.Period(None, on.isoformat()))[0].summary)["closing_rp"]
        assert g.cash_rp == closing
        aging = portfolio.aging(books, on)
        assert g.loans_out_rp == aging.outstanding_rp
        assert g.loans_open == sum(1 for r in aging.rows if r.outstanding_rp > 0)
        late = portfolio.members_in_arrears(portfolio.cards(books, on))
        assert {x.member for x in g.late} == late
        assert {x.member for x in g.late} == {r.member for r in aging.rows if r.days_late > 0}
        for x in g.late:
            assert x.days_late == max(r.days_late for r in aging.rows if r.member == x.member)
            assert x.arrears_rp == sum(r.arrears_rp for r in aging.rows if r.member == x.member)
            assert x.oldest_due == on - timedelta(days=x.days_late)
        assert g.quarantine_open == quarantine.counts(books)["open"] == 1
        disputes = reports.disputes(books, reports.Period(on.replace(day=1).isoformat(), on.isoformat()))
        assert g.disputes_month == len(disputes[0].rows)
        deposits = [
            e
            for e in month.envelopes
            if e["kind"] == "savings_deposit" and on.replace(day=1) <= _local_day(books, e["at"]) <= on
        ]
        assert g.deposits_month_rp == sum(e["total"] for e in deposits)
        savings = reports.balance_sheet(books, on.isoformat())[0]
        codes = {code for _p, code in books.config.posting.savings}
        assert g.savings_rp == sum(row[3] for row in savings.rows if row[1] in codes)
    # three months on, loans paid out in March have installments past due that nobody paid
    assert board.glance(books, date(2026, 6, 30), int(time.time())).late


def test_a_member_is_late_only_after_the_due_day(books: Ledger) -> None:
    cards = portfolio.cards(books, date(2026, 6, 30))
    card = next(c for c in cards if c.state.lines and c.state.lines[0].owed_rp > 0)
    due = card.state.lines[0].due
    on_due = [c for c in portfolio.cards(books, due) if c.loan == card.loan]
    after = [c for c in portfolio.cards(books, due + timedelta(days=1)) if c.loan == card.loan]
    assert card.member not in {x.member for x in board.in_arrears(on_due) if card.loan in x.loans}
    assert [x.days_late for x in board.in_arrears(after) if x.member == card.member] == [1]


def test_fleet_knows_each_devices_seqs_and_when_it_was_heard(books: Ledger, month: sample.SampleData) -> None:
    counts = Counter(e["device"] for e in month.envelopes)
    highest: dict[str, int] = defaultdict(int)
    for e in month.envelopes:
        highest[e["device"]] = max(highest[e["device"]], e["seq"])
    fleet = {d.device: d for d in board.fleet(books)}
    assert set(fleet) == {d["device"] for d in books.devices_list()}
    for name, d in fleet.items():
        assert d.transactions == counts[name]
        assert d.last_seq == highest[name]
        assert d.contiguous_seq == books.contiguous_seq(name) == highest[name]
        assert d.last_heard_ts is not None and d.last_tx_ts is not None
    now = int(time.time())
    assert board.silent_devices(books, now) == ()
    assert {d.device for d in board.silent_devices(books, now + 2 * DAY)} == set(fleet)
    assert board.silent_devices(books, now + 2 * DAY, skip=frozenset({"toko-01"}))
    assert "toko-01" not in {
        d.device for d in board.silent_devices(books, now + 2 * DAY, skip=frozenset({"toko-01"}))
    }


def test_a_new_device_is_silent_a_day_after_it_was_added_and_a_revoked_one_never(books: Ledger) -> None:
    Device("toko-77").register(books)
    Device("toko-78").register(books)
    books.devices_revoke("toko-78", "hilang")
    now = int(time.time())
    d = {x.device: x for x in board.fleet(books)}
    assert d["toko-77"].last_heard_ts is None and d["toko-77"].transactions == 0
    assert not d["toko-77"].silent(now)
    assert d["toko-77"].silent(now + DAY + 1)
    assert not d["toko-78"].silent(now + 10 * DAY)
    assert d["toko-78"].revoked_reason == "hilang"


def test_disputes_carry_the_disputed_sale(books: Ledger) -> None:
    rows = board.disputes(books)
    listed = reports.disputes(books, reports.Period())[0].rows
    assert len(rows) == len(listed) > 0
    by_tx = {r.tx: r for r in rows}
    for day, tx, member, sale, total, unit, reason in listed:
        d = by_tx[tx]
        assert (d.day, d.member, d.sale, d.sale_total_rp, d.sale_unit, d.reason) == (
            day,
            member,
            sale,
            total,
            unit,
            reason,
        )
        assert d.device == tx.split(":")[0] and d.sale_device == sale.split(":")[0]
    assert [r.tx for r in rows] == [r.tx for r in sorted(rows, key=lambda r: r.at, reverse=True)]
    assert board.disputes(books, limit=1, offset=1) == rows[1:2]
    assert board.disputes_count(books, "2026-03-01", "2026-03-31") == len(rows)


def test_a_disputed_sale_that_was_voided_is_marked(loaded: Ledger) -> None:
    dev = Device("toko-09").register(loaded)
    sale = dev.sale(member="A001")
    other = dev.sale(member="A001")
    report = loaded.ingest(
        [
            sale,
            other,
            dev.void(sale),
            dev.make("dispute", member="A001", ref=sale["id"], reason="bukan saya"),
            dev.make("dispute", member="A001", ref=other["id"], reason="bukan saya juga"),
        ]
    )
    assert len(report.accepted) == 5
    found = {d.sale: d for d in board.disputes(loaded)}
    assert found[sale["id"]].sale_voided and not found[other["id"]].sale_voided
    sales = {s.unit: s for s in board.sales_by_unit(loaded, date(2026, 3, 2))}
    assert sales["toko"].month_count == 1 and sales["toko"].month_rp == other["total"]
