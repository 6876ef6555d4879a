"""A loan from application to payout: the rules refuse what seed 003 forbids, only the deciders decide,
nothing is paid out that was not approved, and nothing twice. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from central.ledger import Ledger, schema
from central.loans import applications as apps
from central.loans.applications import LoanRefused, UnknownApplication
from central.office import entries, identity, lending, record

AT = datetime(2026, 3, 2, 9, 0)


def _disbursements(ledger: Ledger) -> int:
    t = schema.transactions
    with ledger.read() as conn:
        return int(conn.execute(select(func.count()).where(t.c.kind == "loan_disbursement")).scalar_one())


def test_apply_approve_disburse_repay_and_apply_again(lent: tuple[Ledger, identity.Office]) -> None:
    ledger, office = lent
    asked = apps.apply(ledger, "A001", "umum", 6_000_000, 12, "modal warung", by="A001", now=1)
    assert (asked.state, asked.submitted_by, asked.loan) == ("submitted", "A001", None)
    with pytest.raises(LoanRefused, match="already has application"):
        apps.apply(ledger, "A001", "umum", 1_000_000, 6, "kedua", by="A001")
    approved = apps.decide(
        ledger,
        asked.id,
        approve=True,
        role="ketua",
        by="A003",
        reason="usaha jalan",
        amount_rp=5_000_000,
        now=2,
    )
    assert (approved.state, approved.granted_rp, approved.approved_term_months) == ("approved", 5_000_000, 12)
    schedule = approved.schedule(date(2026, 3, 2))
    assert sum(i.principal_rp for i in schedule) == 5_000_000 and len(schedule) == 12
    paid = lending.disburse(ledger, office, asked.id, by="bendahara", at=AT)
    assert not paid.already and paid.application.state == "disbursed"
    assert paid.application.loan == apps.loan_id(asked.id)
    again = lending.disburse(ledger, office, asked.id, by="bendahara", at=AT)
    assert again.already and _disbursements(ledger) == 1
    with pytest.raises(LoanRefused, match="still owes Rp 5,000,000"):
        apps.apply(ledger, "A001", "umum", 1_000_000, 6, "lagi", by="A001")
    loan = paid.application.loan
    assert loan is not None
    for installment in schedule:
        body = entries.installment("A001", loan, installment.principal_rp, installment.interest_rp)
        record.record(ledger, office, body, at=AT, by="bendahara")
    after = apps.apply(ledger, "A001", "umum", 1_000_000, 6, "setelah lunas", by="A001")
    assert after.state == "submitted"
    assert [e["action"] for e in apps.events(ledger, asked.id)] == ["submit", "approve", "disburse"]


def test_forbidden_steps_are_refused_and_change_nothing(lent: tuple[Ledger, identity.Office]) -> None:
    ledger, office = lent
    asked = apps.apply(ledger, "A002", "umum", 2_000_000, 6, "sekolah anak", by="kantor1")
    with pytest.raises(LoanRefused, match="only ketua, sekretaris may decide"):
        apps.decide(ledger, asked.id, approve=True, role="anggota", by="A002", reason="saya setuju")
    with pytest.raises(LoanRefused, match="only an approved application is paid out"):
        lending.disburse(ledger, office, asked.id, by="bendahara", at=AT)
    with pytest.raises(LoanRefused, match="grant less than asked"):
        apps.decide(
            ledger, asked.id, approve=True, role="ketua", by="A003", reason="oke", amount_rp=3_000_000
        )
    assert apps.get(ledger, asked.id).state == "submitted" and _disbursements(ledger) == 0
    rejected = apps.decide(
        ledger, asked.id, approve=False, role="sekretaris", by="A004", reason="tunggakan wajib"
    )
    assert (rejected.state, rejected.decision_reason) == ("rejected", "tunggakan wajib")
    with pytest.raises(LoanRefused, match="decided before"):
        apps.decide(ledger, asked.id, approve=True, role="ketua", by="A003", reason="berubah pikiran")
    with pytest.raises(LoanRefused, match="only an approved application is paid out"):
        lending.disburse(ledger, office, asked.id, by="bendahara", at=AT)
    with pytest.raises(UnknownApplication):
        apps.get(ledger, 999)
    assert _disbursements(ledger) == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("NOPE", "umum", 1_000_000, 6), "no member with number 'NOPE'"),
        (("A001", "emas", 1_000_000, 6), "no loan product 'emas'; the products are: umum, kecil"),
        (("A001", "umum", 100_000, 6), "the amount must be Rp 500,000 to Rp 20,000,000"),
        (("A001", "umum", 1_000_000, 48), "the term must be 3 to 24 months"),
        (("A001", "kecil", 1_000_000, 6), "lends at most 2 x the member's savings"),
    ],
)
def test_a_request_outside_the_rules_is_refused_with_the_reason(
    lent: tuple[Ledger, identity.Office], args: tuple[str, str, int, int], words: str
) -> None:
    ledger, _ = lent
    with pytest.raises(LoanRefused) as err:
        apps.apply(ledger, *args, "keperluan", by="kantor1")
    assert words in err.value.text("en")
    assert err.value.text("id") != err.value.text("en")
    assert apps.listing(ledger) == []


def test_an_inactive_member_and_a_blank_purpose_are_refused(lent: tuple[Ledger, identity.Office]) -> None:
    ledger, _ = lent
    with pytest.raises(LoanRefused, match="purpose must be 3 to 200"):
        apps.apply(ledger, "A001", "umum", 1_000_000, 6, "  ", by="A001")
    row = ledger.member("A005")
    with ledger.write() as conn:
        conn.execute(schema.members.update().where(schema.members.c.number == "A005").values(active=False))
    assert row["active"]
    with pytest.raises(LoanRefused, match="not active"):
        apps.apply(ledger, "A005", "umum", 1_000_000, 6, "modal", by="A005")


def test_a_crash_between_payout_and_marking_pays_nothing_twice(lent: tuple[Ledger, identity.Office]) -> None:
    """The loan id is the application's: finding the loan in the ledger, disburse only marks it."""
    ledger, office = lent
    asked = apps.apply(ledger, "A006", "umum", 1_000_000, 6, "modal", by="A006")
    apps.decide(ledger, asked.id, approve=True, role="ketua", by="A003", reason="layak")
    body = entries.loan_disbursement("A006", apps.loan_id(asked.id), 1_000_000)
    record.record(ledger, office, body, at=AT, by="bendahara")  # paid out; the process died before marking
    done = lending.disburse(ledger, office, asked.id, by="bendahara", at=AT)
    assert done.application.state == "disbursed" and _disbursements(ledger) == 1


def test_the_office_runs_the_whole_workflow_from_the_command_line(
    lent: tuple[Ledger, identity.Office], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """apply, a refused second apply (exit 2, the reason), decide, disburse twice (paid once), show."""
    from central.cli import app

    ledger, _ = lent
    if ledger.engine.dialect.name != "sqlite":
        pytest.skip("the command line test runs once, on the SQLite ledger")
    db = ["--db", ledger.target]
    key = ["--office-key", str(tmp_path / "office.key")]
    assert (
        app.main(
            [
                *db,
                "loans",
                "apply",
                "A007",
                "--product",
                "umum",
                "--amount",
                "3000000",
                "--term",
                "6",
                "--purpose",
                "modal tani",
                "--by",
                "kantor1",
            ]
        )
        == 0
    )
    assert "diajukan" in capsys.readouterr().out
    assert (
        app.main(
            [
                *db,
                "--lang",
                "en",
                "loans",
                "apply",
                "A007",
                "--product",
                "umum",
                "--amount",
                "1000000",
                "--term",
                "6",
                "--purpose",
                "lagi",
            ]
        )
        == 2
    )
    assert "already has application 1 waiting" in capsys.readouterr().err
    assert app.main([*db, "loans", "decide", "1", "approve", "--role", "ketua", "--reason", "layak"]) == 0
    assert app.main([*db, "loans", "disburse", "1", *key, "--by", "bendahara"]) == 0
    assert app.main([*db, "loans", "disburse", "1", *key, "--by", "bendahara"]) == 0
    assert "Sudah dicairkan sebelumnya" in capsys.readouterr().out
    assert _disbursements(ledger) == 1
    assert app.main([*db, "--lang", "en", "loans", "show", "1"]) == 0
    shown = capsys.readouterr().out
    assert "disbursed" in shown and "total: Rp 3,000,000 + " in shown
