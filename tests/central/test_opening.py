"""Opening balances (saldo awal): the envelope kind, the import's checks, its counter-account, once only
unless reversed, and later withdrawals and installments against what it brought in."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from central import config
from central.cli import app
from central.ledger import Ledger, posting, schema
from central.office import entries, identity, opening, opening_store, record
from central.office.errors import EntryInvalid, OpeningExists, OpeningRowsError
from sync import envelope as wire

AT = datetime(2026, 1, 1, 8, 0)
UNITS = [u.code for u in config.default().units]
CSV = """what,member,product,loan,unit,amount_rp
cash,,,,,5000000
inventory,,,,toko,2000000
savings,A001,wajib,,,300000
simpanan,A001,sukarela,,,150000
loan,A002,,PJ-OLD-1,,1200000
credit,A003,,,,75000
"""


def _rows(text: str) -> list[tuple[int, dict[str, str]]]:
    lines = text.strip().splitlines()
    header = lines[0].split(",")
    return [(n, dict(zip(header, line.split(","), strict=True))) for n, line in enumerate(lines[1:], start=2)]


@pytest.fixture
def office(loaded: Ledger, tmp_path: Path) -> identity.Office:
    """The office set up on a ledger holding the sample members."""
    return identity.init(loaded, tmp_path / "office.key")[0]


def _balance(ledger: Ledger, account: str, member: str | None = None) -> int:
    j = schema.journal
    where = [j.c.account == account] + ([j.c.member == member] if member else [])
    with ledger.read() as conn:
        debit, credit = conn.execute(
            select(func.coalesce(func.sum(j.c.debit_rp), 0), func.coalesce(func.sum(j.c.credit_rp), 0)).where(
                *where
            )
        ).one()
    return int(debit) - int(credit)


def _import(ledger: Ledger, office: identity.Office, text: str = CSV) -> opening_store.OpeningResult:
    rows = opening.parse_rows(_rows(text), units=UNITS)
    return opening_store.import_opening(ledger, office, rows, at=AT, by="manajer")


def test_opening_books_each_balance_against_opening_equity_not_cash(
    loaded: Ledger, office: identity.Office
) -> None:
    """Every balance lands on its account per member, the difference on 3401, and cash only by its own row."""
    result = _import(loaded, office)
    p = loaded.config.posting
    assert _balance(loaded, p.cash) == 5_000_000
    assert _balance(loaded, p.inventory) == 2_000_000
    assert _balance(loaded, "3102", "A001") == -300_000
    assert _balance(loaded, "2101", "A001") == -150_000
    assert _balance(loaded, p.loans, "A002") == 1_200_000
    assert _balance(loaded, p.receivable, "A003") == 75_000
    assert _balance(loaded, "3401") == -(5_000_000 + 2_000_000 + 1_200_000 + 75_000 - 450_000)
    debit, credit = (
        sum(getattr(x, side) for e in result.entries for x in e.lines) for side in ("debit_rp", "credit_rp")
    )
    assert debit == credit
    assert [e.seq for e in result.entries] == [1, 2, 3, 4]  # cooperative first, then A001, A002, A003


def test_withdrawals_and_installments_work_against_opening_balances(
    loaded: Ledger, office: identity.Office
) -> None:
    """A member withdraws opening savings and repays an opening loan, never past what was brought in."""
    _import(loaded, office)
    record.record(loaded, office, entries.savings_withdrawal("A001", "sukarela", 150_000), at=AT)
    record.record(loaded, office, entries.installment("A002", "PJ-OLD-1", 200_000, 12_000), at=AT)
    with pytest.raises(EntryInvalid, match="1,000,000"):
        record.record(loaded, office, entries.installment("A002", "PJ-OLD-1", 1_000_001, 0), at=AT)
    with pytest.raises(EntryInvalid, match="still owes"):
        record.record(loaded, office, entries.loan_disbursement("A002", "PJ-NEW", 100_000), at=AT)
    signed = [wire.sign(_installment(office, 1_000_001), office.key)]
    report = loaded.ingest(signed, require_signature=True)  # the ledger's own check, without the office's
    assert "principal outstanding" in report.rejected[0].reason


def _installment(office: identity.Office, principal: int) -> dict[str, Any]:
    body = entries.installment("A002", "PJ-OLD-1", principal, 0)
    return entries.envelope(
        body,
        ident="x-1",
        device=office.device,
        seq=99,
        prev="0" * 64,
        at="2026-01-02T08:00:00+07:00",
        by=None,
    )


def test_a_second_opening_is_refused_until_the_first_is_reversed(
    loaded: Ledger, office: identity.Office
) -> None:
    """A second import names the batch and how to reverse it; after the reversal a new import is taken."""
    first = _import(loaded, office)
    with pytest.raises(OpeningExists, match=f"opening-reverse {first.batch}"):
        _import(loaded, office)
    reversed_ = opening_store.reverse_opening(loaded, office, first.batch, at=AT)
    assert len(reversed_.entries) == 4 and _balance(loaded, "3401") == 0
    assert _balance(loaded, loaded.config.posting.cash) == 0
    with pytest.raises(OpeningRowsError, match="PJ-OLD-1"):  # loan ids stay taken, as a voided loan's do
        _import(loaded, office)
    second = _import(loaded, office, CSV.replace("PJ-OLD-1", "PJ-OLD-1B"))
    assert second.batch != first.batch and _balance(loaded, loaded.config.posting.cash) == 5_000_000
    assert _balance(loaded, loaded.config.posting.loans, "A002") == 1_200_000


def test_the_ledger_itself_refuses_a_second_opening(loaded: Ledger, office: identity.Office) -> None:
    """An opening envelope of another batch is quarantined by ingest while one is in force."""
    _import(loaded, office, "what,amount_rp\ncash,1000\n")
    with record.chain_lock(loaded):
        signed = record.sign_next(
            loaded,
            office,
            [entries.opening("other", None, [{"what": "cash", "amount_rp": 5}])],
            at="2026-01-02T08:00:00+07:00",
            by=None,
        )
        refused = record.ingest_signed(loaded, office, signed)
    assert "already brought in" in refused[0]


def test_a_reversal_is_refused_when_balances_moved_since(loaded: Ledger, office: identity.Office) -> None:
    """Reversing an opening whose savings were since withdrawn would go below zero, so nothing is voided."""
    result = _import(loaded, office)
    record.record(loaded, office, entries.savings_withdrawal("A001", "wajib", 100_000), at=AT)
    with pytest.raises(EntryInvalid, match="A001"):
        opening_store.reverse_opening(loaded, office, result.batch, at=AT)
    assert _balance(loaded, "3102", "A001") == -200_000


def test_bad_rows_are_all_listed_with_lines_and_nothing_is_written(
    loaded: Ledger, office: identity.Office
) -> None:
    """Every bad row is named with its line and the ledger is left untouched."""
    text = (
        "what,member,product,loan,unit,amount_rp\ncash,,,,,-5\nsavings,A001,emas,,,100\nloan,A002,,,,10\n"
        "kas,,,,,1\nkas,,,,,2\n"
    )
    with pytest.raises(OpeningRowsError) as caught:
        opening.parse_rows(_rows(text), units=UNITS)
    assert [line for line, _ in caught.value.problems] == [2, 3, 4, 6]


def test_unknown_members_are_refused_with_their_line(loaded: Ledger, office: identity.Office) -> None:
    """A member not in the ledger is refused with the file's line, before anything is signed."""
    rows = opening.parse_rows(
        _rows("what,member,product,amount_rp\ncash,,,10\nsavings,Z999,wajib,10\n"), units=UNITS
    )
    with pytest.raises(OpeningRowsError) as caught:
        opening_store.import_opening(loaded, office, rows, at=AT)
    assert caught.value.problems == [(3, "unknown member 'Z999'; import members first")]
    with loaded.read() as conn:
        assert conn.execute(select(func.count()).select_from(schema.transactions)).scalar_one() == 0


def test_a_config_without_the_opening_account_refuses_openings() -> None:
    """Posting an opening with no [posting] opening names the key to add."""
    raw = dict(config.default().raw)
    raw["posting"] = {k: v for k, v in raw["posting"].items() if k != "opening"}
    cfg = config.parse(raw)
    body = entries.opening("b", None, [{"what": "cash", "amount_rp": 1}])
    with pytest.raises(posting.PostingError, match="opening ="):
        posting.post(body, cfg)


def test_the_envelope_check_refuses_mixed_or_unbalanced_openings() -> None:
    """A member's item in the cooperative's envelope, or items not adding up to total, are refused."""
    base = entries.envelope(
        entries.opening("b", None, [{"what": "savings", "product": "wajib", "amount_rp": 5}]),
        ident="o-1",
        device="kantor",
        seq=1,
        prev=wire.GENESIS,
        at="2026-01-01T08:00:00+07:00",
        by=None,
    )
    with pytest.raises(wire.EnvelopeError, match="member"):
        wire.check(base)
    good = entries.envelope(
        entries.opening("b", None, [{"what": "cash", "amount_rp": 5}]),
        ident="o-1",
        device="kantor",
        seq=1,
        prev=wire.GENESIS,
        at="2026-01-01T08:00:00+07:00",
        by=None,
    )
    wire.check(good)
    with pytest.raises(wire.EnvelopeError, match="add up"):
        wire.check({**good, "total": 6})


def test_cli_imports_a_semicolon_csv_and_refuses_a_second(
    loaded: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`office opening` reads an Indonesian ';' CSV with '17.500' amounts, then refuses a second import."""
    key = str(tmp_path / "office.key")
    file = tmp_path / "saldo.csv"
    file.write_text(
        "what;member;product;loan;unit;amount_rp\nkas;;;;;1.500.000\nsimpanan;A001;pokok;;;100.000\n",
        encoding="utf-8",
    )
    base = ["--db", loaded.target, "office"]
    assert app.main([*base, "init", "--office-key", key]) == 0
    assert app.main([*base, "opening", str(file), "--office-key", key]) == 0
    out = capsys.readouterr().out
    assert "3401" in out and "1.600.000" in out
    assert app.main([*base, "opening", str(file), "--office-key", key]) == 2
    assert "opening-reverse" in capsys.readouterr().err
    assert _balance(loaded, loaded.config.posting.cash) == 1_500_000
