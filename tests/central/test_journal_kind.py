"""The office's adjusting entry (``journal``): its shape check, its posting, and that central takes it only
from the office's own chain, with references and member balances that hold."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from central import config
from central.ledger import Ledger, schema
from central.ledger.posting import PostingError, is_balanced, post
from central.office import entries, identity, record
from central.office.errors import EntryInvalid, EntryRefused
from sync import envelope as wire
from tests.central.helpers import Device, unbalanced_entries

AT = datetime(2026, 3, 31, 17, 0)
CONFIG = config.default()


def _env(lines: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    env: dict[str, Any] = {
        "v": 1,
        "id": "j-1",
        "device": "kantor",
        "seq": 1,
        "prev": wire.GENESIS,
        "at": "2026-03-31T17:00:00+07:00",
        "unit": "simpan-pinjam",
        "kind": "journal",
        "member": None,
        "payment": "cash",
        "lines": lines,
        "total": sum(line["debit_rp"] for line in lines),
        "purpose": "allowance",
    }
    env.update(fields)
    return env


def _line(account: str, debit: int, credit: int, memo: str = "") -> dict[str, Any]:
    return {"account": account, "debit_rp": debit, "credit_rp": credit, "memo": memo}


GOOD = [_line("5501", 12_500, 0, "PPAP Maret"), _line("1209", 0, 12_500)]


def test_a_balanced_journal_passes_the_check_and_posts_its_lines_as_given() -> None:
    """A journal's lines post as given, in the envelope's unit; an empty memo takes the purpose's own."""
    env = _env(GOOD)
    wire.check(env)
    lines = post(env, CONFIG)
    assert [(x.account, x.debit_rp, x.credit_rp, x.unit) for x in lines] == [
        ("5501", 12_500, 0, "simpan-pinjam"),
        ("1209", 0, 12_500, "simpan-pinjam"),
    ]
    assert lines[0].memo == "PPAP Maret"
    assert lines[1].memo == "penyisihan piutang pinjaman (PPAP)"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"lines": [_line("5501", 12_500, 0), _line("1209", 0, 12_000)], "total": 12_500}, "must balance"),
        (
            {"lines": [_line("5501", 12_500, 0), _line("1209", 0, 12_500)], "total": 12_000},
            "sum of its debits",
        ),
        ({"lines": [_line("5501", 100, 100), _line("1209", 0, 0)], "total": 100}, "exactly one of"),
        ({"lines": [_line("5501", 0, 0), _line("1209", 0, 0)], "total": 0}, "exactly one of"),
        ({"lines": [_line("5501", -5, 0), _line("1209", 0, -5)], "total": 0}, "negative"),
        ({"lines": [_line("55 01", 5, 0), _line("1209", 0, 5)], "total": 5}, "not a valid account code"),
        ({"lines": [_line("5501", 5, 0)], "total": 5}, "at least two lines"),
        ({"lines": [_line("5501", 5, 0, "x" * 81), _line("1209", 0, 5)], "total": 5}, "at most 80"),
        (
            {"lines": [{**_line("5501", 5, 0), "unit": "toko"}, _line("1209", 0, 5)], "total": 5},
            "exactly the keys",
        ),
        ({"purpose": "gift"}, "purpose 'gift' must be one of"),
        ({"payment": "credit"}, "must be 'cash'"),
        ({"loan": "bad loan id"}, "not a valid code"),
        (
            {"lines": [_line("5501", 1, 0)] * 51 + [_line("1209", 0, 51)] * 50, "total": 51},
            "at most 100 lines",
        ),
    ],
)
def test_a_malformed_journal_is_refused_with_the_reason(change: dict[str, Any], reason: str) -> None:
    """Unbalanced, one-sided, negative, badly coded or oversized journals fail the shape check."""
    env = {**_env(GOOD), **change}
    with pytest.raises(wire.EnvelopeError, match=reason):
        wire.check(env)


def test_an_account_outside_the_chart_is_a_posting_error_naming_it() -> None:
    """Posting refuses a journal line on an account the cooperative's chart does not have."""
    env = _env([_line("5999", 10, 0), _line("1209", 0, 10)])
    wire.check(env)
    with pytest.raises(PostingError, match="account '5999' is not in the chart"):
        post(env, CONFIG)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=20), st.data())
def test_any_balanced_set_of_lines_posts_a_balanced_entry(debits: list[int], data: st.DataObject) -> None:
    """Any journal built by ``entries.journal`` from balanced lines passes the check and posts balanced."""
    accounts = [a.code for a in CONFIG.chart]
    total = sum(debits)
    cut = sorted(data.draw(st.lists(st.integers(0, total), max_size=5)))
    parts = [b - a for a, b in zip([0, *cut], [*cut, total], strict=True) if b > a]
    lines = [entries.dr(data.draw(st.sampled_from(accounts)), d) for d in debits]
    lines += [entries.cr(data.draw(st.sampled_from(accounts)), c) for c in parts]
    body = entries.journal("adjustment", lines, unit="toko")
    env = {**_env([]), **body}
    wire.check(env)
    posted = post(env, CONFIG)
    assert is_balanced(posted) and sum(x.debit_rp for x in posted) == total


def test_the_builder_refuses_an_unbalanced_or_unknown_purpose_entry() -> None:
    """``entries.journal`` refuses before anything is signed; zero lines are left out."""
    with pytest.raises(EntryInvalid, match="must balance"):
        entries.journal("expense", [entries.dr("5501", 10), entries.cr("1101", 9)], unit="toko")
    with pytest.raises(EntryInvalid, match="purpose"):
        entries.journal("gift", [entries.dr("5501", 10), entries.cr("1101", 10)], unit="toko")
    body = entries.journal(
        "expense", [entries.dr("5501", 10), entries.cr("1101", 0), entries.cr("1101", 10)], unit="toko"
    )
    assert len(body["lines"]) == 2 and body["total"] == 10 and "loan" not in body


# -- at ingest ---------------------------------------------------------------------------------------


@pytest.fixture
def office(loaded: Ledger, tmp_path: Path) -> identity.Office:
    """The office set up on a ledger with the sample members, products and devices."""
    return identity.init(loaded, tmp_path / "office.key")[0]


def _balance(ledger: Ledger, account: str) -> int:
    j = schema.journal
    with ledger.read() as conn:
        debit, credit = conn.execute(
            select(func.coalesce(func.sum(j.c.debit_rp), 0), func.coalesce(func.sum(j.c.credit_rp), 0)).where(
                j.c.account == account
            )
        ).one()
    return int(debit) - int(credit)


def test_the_office_records_a_journal_and_the_books_balance(loaded: Ledger, office: identity.Office) -> None:
    """The office's journal is accepted from its chain, posted as given, and the trial balance holds."""
    body = entries.journal(
        "allowance",
        [entries.dr("5501", 40_000), entries.cr("1209", 40_000, "PPAP Maret")],
        unit="simpan-pinjam",
    )
    done = record.record(loaded, office, body, at=AT, by="bendahara")
    assert [(x.account, x.debit_rp, x.credit_rp) for x in done.lines] == [
        ("5501", 40_000, 0),
        ("1209", 0, 40_000),
    ]
    assert done.kind == "journal" and done.total_rp == 40_000
    assert _balance(loaded, "1209") == -40_000
    assert unbalanced_entries(loaded) == []


def test_a_journal_from_any_other_device_is_quarantined(loaded: Ledger, office: identity.Office) -> None:
    """A registered, correctly signing device that is not the office cannot post an adjusting entry."""
    device = Device("toko-09").register(loaded)
    env = device.make("journal", purpose="adjustment", lines=GOOD, total=12_500)
    report = loaded.ingest([env], require_signature=True, expected_device="toko-09")
    assert report.accepted == []
    assert "accepted only from the office's own chain (device kantor)" in report.rejected[0].reason
    assert "device toko-09 may not post one" in report.rejected[0].reason
    assert _balance(loaded, "1209") == 0
    with loaded.read() as conn:
        reasons = list(conn.execute(select(schema.quarantine.c.reason)).scalars())
    assert any("office's own chain" in r for r in reasons)


def test_before_office_init_no_device_may_post_a_journal(loaded: Ledger) -> None:
    """Without an office set up, a journal is refused with what to do."""
    device = Device("toko-09").register(loaded)
    env = device.make("journal", purpose="adjustment", lines=GOOD, total=12_500)
    report = loaded.ingest([env], require_signature=True)
    assert "office init" in report.rejected[0].reason


def test_an_unbalanced_journal_is_refused_before_signing(loaded: Ledger, office: identity.Office) -> None:
    """An unbalanced body never reaches the chain; an unknown account is refused before signing too."""
    body = entries.journal(
        "adjustment", [entries.dr("5501", 10), entries.cr("1209", 10)], unit="simpan-pinjam"
    )
    body["lines"][1]["credit_rp"] = 9
    with pytest.raises(EntryInvalid, match="must balance"):
        record.record(loaded, office, body, at=AT)
    unknown = entries.journal(
        "adjustment", [entries.dr("5999", 10), entries.cr("1209", 10)], unit="simpan-pinjam"
    )
    with pytest.raises(EntryInvalid, match="'5999' is not in the chart"):
        record.record(loaded, office, unknown, at=AT)
    assert record.chain_head(loaded, office.device)[0] == 0


def test_member_accounts_need_the_member_and_the_loans_account_the_loan(
    loaded: Ledger, office: identity.Office
) -> None:
    """A journal touching savings or loans names whom (and which loan); a loan stays at or above 0."""
    p = loaded.config.posting
    record.record(loaded, office, entries.loan_disbursement("A002", "PJ-J1", 500_000), at=AT)
    no_member = entries.journal(
        "adjustment", [entries.dr("1209", 5), entries.cr("2101", 5)], unit="simpan-pinjam"
    )
    with pytest.raises(EntryRefused, match="holds members' balances; name the member"):
        record.record(loaded, office, no_member, at=AT)
    no_loan = entries.journal(
        "write_off", [entries.dr("1209", 5), entries.cr(p.loans, 5)], unit="simpan-pinjam", member="A002"
    )
    with pytest.raises(EntryRefused, match="holds loans; name the loan"):
        record.record(loaded, office, no_loan, at=AT)
    other = entries.journal(
        "write_off",
        [entries.dr("1209", 5), entries.cr(p.loans, 5)],
        unit="simpan-pinjam",
        member="A001",
        loan="PJ-J1",
    )
    with pytest.raises(EntryRefused, match="belongs to member A002"):
        record.record(loaded, office, other, at=AT)
    too_much = entries.journal(
        "write_off",
        [entries.dr("1209", 600_000), entries.cr(p.loans, 600_000)],
        unit="simpan-pinjam",
        member="A002",
        loan="PJ-J1",
    )
    with pytest.raises(EntryRefused, match="Rp 500,000 principal outstanding"):
        record.record(loaded, office, too_much, at=AT)
    assert _balance(loaded, "1209") == 0 and unbalanced_entries(loaded) == []


def test_a_write_off_journal_is_never_voided(loaded: Ledger, office: identity.Office) -> None:
    """A journal on the loans account keeps the loan's history: its void is refused with the reason."""
    p = loaded.config.posting
    record.record(loaded, office, entries.loan_disbursement("A002", "PJ-J2", 500_000), at=AT)
    off = record.record(
        loaded,
        office,
        entries.journal(
            "write_off",
            [entries.dr("1209", 500_000), entries.cr(p.loans, 500_000)],
            unit="simpan-pinjam",
            member="A002",
            loan="PJ-J2",
        ),
        at=AT,
    )
    with pytest.raises(EntryRefused, match="not voided"):
        record.record(loaded, office, record.void_body(loaded, off.id, "salah"), at=AT)
