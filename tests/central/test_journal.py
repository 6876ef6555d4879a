"""The office's general journal: a staff member drafts an expense with the receipt's photo, the treasurer
approves it and the payment shows in every member's cash book; the refused variants (unknown account,
unbalanced, the maker approving their own entry, a role that may not decide, a rejection without a
reason, a decided entry changed) leave nothing posted."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import select

from central import images
from central.books.reports import Period, cashbook
from central.journal import rules, store
from central.journal.rules import JournalError, Line
from central.ledger import Ledger, schema
from central.office import identity
from tests.central.helpers import unbalanced_entries

DAY = date(2026, 3, 10)
NOW_TS = int(datetime(2026, 3, 12, 9, 0, tzinfo=datetime.now().astimezone().tzinfo).timestamp())
ELECTRICITY = [Line("5702", 350_000, 0, "listrik Maret"), Line("1101", 0, 350_000, "")]


def receipt_photo() -> bytes:
    """A phone's photo of a receipt: a JPEG larger than what is kept."""
    out = io.BytesIO()
    Image.new("RGB", (2000, 1500), (240, 240, 230)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def office(ledger: Ledger, tmp_path: Path) -> identity.Office:
    return identity.init(ledger, tmp_path / "office.key")[0]


def _draft(ledger: Ledger, lines: list[Line] = ELECTRICITY, **kw: object) -> store.Entry:
    values: dict[str, object] = {
        "day": DAY,
        "description": "Bayar listrik kantor Maret",
        "kind": "expense",
        "lines": lines,
        "by": "KANTOR1",
        "role": "staf",
        "now_ts": NOW_TS,
    }
    values.update(kw)
    return store.draft(ledger, **values)  # type: ignore[arg-type]


def test_an_expense_with_its_receipt_is_drafted_approved_and_in_the_cash_book(
    ledger: Ledger, office: identity.Office
) -> None:
    """Staff drafts with a photo; the treasurer approves; the cash book shows the payment on its day."""
    shot = images.normalise(receipt_photo())
    entry = _draft(ledger, photos=[shot])
    assert entry.state == "draft" and entry.total_rp == 350_000 and len(entry.photos) == 1
    assert store.photo(ledger, entry.photos[0].id).startswith(b"\xff\xd8")
    done = store.approve(ledger, office, entry.id, by="B001", role="bendahara", now_ts=NOW_TS)
    assert done.state == "approved" and done.decided_by == "B001" and done.posted_tx
    [section] = cashbook(ledger, Period(DAY.isoformat(), DAY.isoformat()))
    assert [(r[0], r[4], r[6]) for r in section.rows] == [
        (DAY.isoformat(), "Bayar listrik kantor Maret", 350_000)
    ]
    t = schema.transactions
    with ledger.read() as conn:
        row = conn.execute(select(t.c.device, t.c.kind, t.c.day).where(t.c.id == done.posted_tx)).one()
    assert tuple(row) == (office.device, "journal", DAY.isoformat())
    assert [e.action for e in done.events] == ["draft", "photo", "approve"]
    assert unbalanced_entries(ledger) == []


def test_approving_again_posts_nothing_more(ledger: Ledger, office: identity.Office) -> None:
    """A decided entry is not decided again, and its money is posted once."""
    entry = _draft(ledger)
    store.approve(ledger, office, entry.id, by="M001", role="manajer", now_ts=NOW_TS)
    with pytest.raises(JournalError, match="already"):
        store.approve(ledger, office, entry.id, by="K001", role="ketua", now_ts=NOW_TS)
    with pytest.raises(JournalError, match="already"):
        store.edit(
            ledger, entry.id, day=DAY, description="x", kind="expense", lines=ELECTRICITY, by="S", role="staf"
        )
    t = schema.transactions
    with ledger.read() as conn:
        assert len(conn.execute(select(t.c.id).where(t.c.kind == "journal")).all()) == 1


def test_the_refused_variants_leave_nothing_behind(ledger: Ledger, office: identity.Office) -> None:
    """An unknown account and an unbalanced entry are refused by name; the maker may not approve, a clerk
    may not draft, a secretary may not decide, a rejection needs a reason; nothing is posted."""
    with pytest.raises(JournalError) as unknown:
        _draft(ledger, [Line("5999", 1_000, 0), Line("1101", 0, 1_000)])
    assert "5999" in unknown.value.text("id") and "bagan akun" in unknown.value.text("id")
    with pytest.raises(JournalError) as unbalanced:
        _draft(ledger, [Line("5702", 350_000, 0), Line("1101", 0, 340_000)])
    assert "debit lebih Rp 10.000" in unbalanced.value.text("id")
    assert "Rp 10,000 more" in unbalanced.value.text("en")
    with pytest.raises(JournalError, match="kasir"):
        _draft(ledger, role="kasir")
    with pytest.raises(JournalError, match="after today"):
        _draft(ledger, day=date(2026, 3, 13))
    entry = _draft(ledger, by="B001", role="bendahara")
    with pytest.raises(JournalError, match="another user"):
        store.approve(ledger, office, entry.id, by="B001", role="bendahara", now_ts=NOW_TS)
    store.edit(
        ledger,
        entry.id,
        day=DAY,
        description="Listrik",
        kind="expense",
        lines=ELECTRICITY,
        by="M001",
        role="manajer",
    )
    with pytest.raises(JournalError, match="another user"):  # the editor is a maker too
        store.approve(ledger, office, entry.id, by="m001", role="manajer", now_ts=NOW_TS)
    with pytest.raises(JournalError, match="sekretaris"):
        store.approve(ledger, office, entry.id, by="S001", role="sekretaris", now_ts=NOW_TS)
    with pytest.raises(JournalError, match="reason"):
        store.reject(ledger, entry.id, by="K001", role="ketua", reason=" ")
    rejected = store.reject(ledger, entry.id, by="K001", role="ketua", reason="nota tidak terbaca")
    assert rejected.state == "rejected" and rejected.reason == "nota tidak terbaca"
    with pytest.raises(JournalError, match="already"):
        store.approve(ledger, office, entry.id, by="K001", role="ketua", now_ts=NOW_TS)
    t = schema.transactions
    with ledger.read() as conn:
        assert conn.execute(select(t.c.id).where(t.c.kind == "journal")).first() is None


def test_a_bank_deposit_leaves_the_cash_book(ledger: Ledger, office: identity.Office) -> None:
    """Cash taken to the bank (Dr bank, Cr kas) is a payment out of the cash book."""
    entry = _draft(
        ledger,
        [Line("1102", 2_000_000, 0), Line("1101", 0, 2_000_000)],
        kind="transfer",
        description="Setor kas ke bank",
    )
    store.approve(ledger, office, entry.id, by="K001", role="ketua", now_ts=NOW_TS)
    [section] = cashbook(ledger, Period(DAY.isoformat(), DAY.isoformat()))
    assert [(r[4], r[6]) for r in section.rows] == [("Setor kas ke bank", 2_000_000)]


def test_lines_parse_as_typed_on_the_command_line() -> None:
    """``ACCOUNT:D|K:AMOUNT[:MEMO]``; a bad side or amount is named."""
    assert rules.parse_line("5702:D:350000:listrik: Maret") == Line("5702", 350_000, 0, "listrik: Maret")
    assert rules.parse_line("1101:K:350000") == Line("1101", 0, 350_000, "")
    with pytest.raises(JournalError, match="D \\(debit\\) or K"):
        rules.parse_line("1101:X:1")
    with pytest.raises(JournalError, match="whole rupiah"):
        rules.parse_line("1101:K:350.000")


AMOUNTS = st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=6)


@given(debits=AMOUNTS, credits=AMOUNTS)
@settings(max_examples=200, deadline=None)
def test_an_accepted_entry_always_balances(debits: list[int], credits: list[int]) -> None:
    """Whatever lines are typed, ``checked_lines`` accepts them only when debits equal credits, and a
    refusal names the difference."""
    lines = [Line("5702", d, 0) for d in debits] + [Line("1101", 0, c) for c in credits]
    try:
        kept = rules.checked_lines(lines, lambda code: code)
    except JournalError as err:
        assert sum(debits) != sum(credits)
        assert f"{abs(sum(debits) - sum(credits)):,}" in err.text("en")
    else:
        assert sum(x.debit_rp for x in kept) == sum(x.credit_rp for x in kept)


@given(
    makers=st.lists(st.sampled_from(["KANTOR1", "B001", "M001", "k001"]), min_size=1, max_size=3),
    checker=st.sampled_from(["KANTOR1", "B001", "b001", "M001", "K001", "k001"]),
    role=st.sampled_from(["anggota", "staf", "manajer", "bendahara", "ketua", "pengawas"]),
)
@settings(max_examples=200, deadline=None)
def test_nobody_decides_an_entry_they_made(makers: list[str], checker: str, role: str) -> None:
    """A checker is allowed exactly when their role checks and they drafted or edited nothing of it."""
    allowed = role in rules.CHECKERS and checker.casefold() not in {m.casefold() for m in makers}
    try:
        rules.may_check(role, checker, makers)
    except JournalError:
        assert not allowed
    else:
        assert allowed
