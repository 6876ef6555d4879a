"""Fees at payout: the product's administration fee and insurance premium, rounded half up, booked as one
``loan_fee`` journal beside the disbursement of the whole amount; what the treasurer hands over depends on
``fees_from_amount``, the books do not. Once only, even after a crash; refused before anything is recorded
when the config lacks the accounts. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from central import config, sample
from central.books import reports
from central.ledger import Ledger, schema
from central.loans import applications as apps
from central.loans.applications import LoanRefused
from central.office import entries, identity, lending, record
from sync import envelope as wire
from tests.central.conftest import PRODUCT

AT = datetime(2026, 3, 2, 9, 0)
FEES: dict[str, Any] = {**PRODUCT, "admin_fee_pct": "1", "insurance_pct": "0.5", "fees_from_amount": True}
CASH: dict[str, Any] = {**FEES, "code": "tunai", "name": "Pinjaman biaya tunai", "fees_from_amount": False}
ADMIN_ONLY: dict[str, Any] = {**PRODUCT, "code": "admin", "name": "Pinjaman admin", "admin_fee_pct": "2"}
FREE: dict[str, Any] = {**PRODUCT, "code": "bebas", "name": "Pinjaman tanpa biaya"}
# 1 % of 1,234,650 is 12,346.5: half up gives 12,347 (half to even would give 12,346); 0.5 % is 6,173.25.
GRANTED = 1_234_650
ADMIN, INSURANCE = 12_347, 6_173


def _init(ledger: Ledger, posting: dict[str, Any] | None = None, drop: tuple[str, ...] = ()) -> None:
    raw = config.merge_over_defaults(
        config._default_raw(),
        {"loans": {"products": [FEES, CASH, ADMIN_ONLY, FREE]}, "posting": posting or {}},
    )
    for key in drop:
        del raw["posting"][key]
    ledger.init(config.parse(raw))


@pytest.fixture
def feed(ledger: Ledger, month: sample.SampleData, tmp_path: Path) -> tuple[Ledger, identity.Office]:
    """Loan products with and without fees, the sample members, the office set up."""
    _init(ledger)
    sample.load_into(ledger, month)
    return ledger, identity.init(ledger, tmp_path / "office.key")[0]


def _approved(ledger: Ledger, member: str, product: str, amount: int = GRANTED) -> int:
    made = apps.apply(ledger, member, product, amount, 6, "modal warung", by=member)
    apps.decide(ledger, made.id, approve=True, role="ketua", by="A003", reason="layak")
    return made.id


def _count(ledger: Ledger, kind: str) -> int:
    t = schema.transactions
    with ledger.read() as conn:
        return int(conn.execute(select(func.count()).where(t.c.kind == kind)).scalar_one())


def _fee_journals(ledger: Ledger, loan: str) -> list[dict[str, Any]]:
    t = schema.transactions
    with ledger.read() as conn:
        bodies = conn.execute(select(t.c.body).where(t.c.kind == "journal", t.c.loan == loan)).scalars()
        return [b for b in (wire.parse(x) for x in bodies) if b["purpose"] == "loan_fee"]


def _balance(ledger: Ledger, account: str) -> int:
    j = schema.journal
    with ledger.read() as conn:
        debit, credit = conn.execute(
            select(func.coalesce(func.sum(j.c.debit_rp), 0), func.coalesce(func.sum(j.c.credit_rp), 0)).where(
                j.c.account == account
            )
        ).one()
    return int(debit) - int(credit)


@pytest.mark.parametrize(("product", "handed"), [("umum", GRANTED - ADMIN - INSURANCE), ("tunai", GRANTED)])
def test_fees_are_booked_at_payout_and_the_hand_over_follows_the_product(
    feed: tuple[Ledger, identity.Office], product: str, handed: int
) -> None:
    ledger, office = feed
    ident = _approved(ledger, "A001", product)
    done = lending.disburse(ledger, office, ident, by="bendahara", at=AT)
    paid = done.payout
    assert not done.already and done.application.state == "disbursed"
    assert (paid.granted_rp, paid.admin_fee_rp, paid.insurance_rp) == (GRANTED, ADMIN, INSURANCE)
    assert (paid.fees_rp, paid.handed_rp, paid.fees_from_amount) == (18_520, handed, product == "umum")
    loan = done.application.loan
    assert loan is not None
    # the member owes the whole amount; the fee journal balances and names the loan and the member
    assert _balance(ledger, "1202") == GRANTED
    [journal] = _fee_journals(ledger, loan)
    assert journal["member"] == "A001" and journal["loan"] == loan and journal["total"] == 18_520
    lines = {(x["account"], x["debit_rp"], x["credit_rp"]) for x in journal["lines"]}
    assert lines == {("1101", 18_520, 0), ("4503", 0, ADMIN), ("2302", 0, INSURANCE)}
    assert _balance(ledger, "1101") == -GRANTED + 18_520  # the same books either way
    assert _balance(ledger, "4503") == -ADMIN and _balance(ledger, "2302") == -INSURANCE
    trial = dict(reports.trial_balance(ledger, reports.Period())[0].summary)
    assert trial["balanced"] is True
    income = reports.income(ledger, reports.Period("2026-03-01", "2026-03-31"))[0]
    assert ("revenue", "simpan-pinjam", "4503", "Pendapatan administrasi pinjaman", ADMIN) in income.rows
    assert dict(income.summary)["revenue_rp"] >= ADMIN
    # the schedule is of the whole amount
    assert sum(i.principal_rp for i in done.application.schedule(AT.date())) == GRANTED


def test_describe_says_what_is_handed_over() -> None:
    kept = lending.Payout(GRANTED, ADMIN, INSURANCE, True)
    assert lending.describe(kept, "id") == (
        "Dibayarkan Rp 1.216.130 (pokok Rp 1.234.650 - biaya administrasi Rp 12.347 - asuransi Rp 6.173)"
    )
    assert lending.describe(kept, "en").startswith("Handed over Rp 1,216,130 (principal Rp 1,234,650 - ")
    cash = lending.Payout(GRANTED, ADMIN, INSURANCE, False)
    assert lending.describe(cash, "id") == (
        "Dibayarkan Rp 1.234.650; anggota membayar biaya tunai di loket: biaya administrasi Rp 12.347 + "
        "asuransi Rp 6.173 = Rp 18.520"
    )
    assert lending.describe(lending.Payout(GRANTED), "en") == "Handed over Rp 1,234,650 (no fees)"


def test_paying_out_twice_records_the_fees_once(feed: tuple[Ledger, identity.Office]) -> None:
    ledger, office = feed
    ident = _approved(ledger, "A002", "umum")
    first = lending.disburse(ledger, office, ident, by="bendahara", at=AT)
    again = lending.disburse(ledger, office, ident, by="bendahara", at=AT)
    assert again.already and again.payout.fee_tx == first.payout.fee_tx is not None
    assert again.payout.handed_rp == first.payout.handed_rp == GRANTED - ADMIN - INSURANCE
    assert (_count(ledger, "loan_disbursement"), _count(ledger, "journal")) == (1, 1)


def test_a_crash_after_the_payout_records_the_missing_fees_once(feed: tuple[Ledger, identity.Office]) -> None:
    """The disbursement envelope alone in the ledger (the process died after it): disburse adds the fee
    journal and marks the application; a further call records nothing."""
    ledger, office = feed
    ident = _approved(ledger, "A004", "tunai")
    loan = apps.loan_id(ident)
    record.record(ledger, office, entries.loan_disbursement("A004", loan, GRANTED), at=AT, by="bendahara")
    assert _fee_journals(ledger, loan) == []
    done = lending.disburse(ledger, office, ident, by="bendahara", at=AT)
    assert not done.already and done.application.state == "disbursed"
    assert (done.payout.fees_rp, done.payout.handed_rp, done.payout.fees_from_amount) == (
        18_520,
        GRANTED,
        False,
    )
    assert len(_fee_journals(ledger, loan)) == 1 and _count(ledger, "loan_disbursement") == 1
    lending.disburse(ledger, office, ident, by="bendahara", at=AT)
    assert len(_fee_journals(ledger, loan)) == 1 and _count(ledger, "journal") == 1


def test_a_crash_after_the_fees_marks_the_application_only(feed: tuple[Ledger, identity.Office]) -> None:
    """Disbursement and fee journal in the ledger, the application not marked: disburse only marks it."""
    ledger, office = feed
    ident = _approved(ledger, "A005", "umum")
    loan = apps.loan_id(ident)
    record.record(ledger, office, entries.loan_disbursement("A005", loan, GRANTED), at=AT, by="bendahara")
    paid = lending.fees(ledger.config.loans.product("umum"), GRANTED)
    lines = lending.fee_lines(paid, loan, cash="1101", income="4503", payable="2302")
    body = entries.journal("loan_fee", lines, unit="simpan-pinjam", member="A005", loan=loan)
    record.record(ledger, office, body, at=AT, by="bendahara")
    done = lending.disburse(ledger, office, ident, by="bendahara", at=AT)
    assert done.application.state == "disbursed" and done.payout.fees_rp == 18_520
    assert _count(ledger, "journal") == 1 and _count(ledger, "loan_disbursement") == 1


@pytest.mark.parametrize(
    ("product", "drop", "named"),
    [
        ("umum", ("loan_fee_income", "insurance_payable"), "loan_fee_income, insurance_payable"),
        ("umum", ("insurance_payable",), "insurance_payable"),
        ("admin", ("loan_fee_income",), "loan_fee_income"),
    ],
)
def test_missing_posting_keys_refuse_the_payout_and_record_nothing(
    feed: tuple[Ledger, identity.Office], product: str, drop: tuple[str, ...], named: str
) -> None:
    ledger, office = feed
    ident = _approved(ledger, "A006", product)
    _init(ledger, drop=drop)
    with pytest.raises(LoanRefused) as err:
        lending.disburse(ledger, office, ident, by="bendahara", at=AT)
    assert f"add {named} under [posting]" in err.value.text("en")
    assert f"tambahkan {named} di [posting]" in err.value.text("id")
    assert apps.get(ledger, ident).state == "approved"
    assert (_count(ledger, "loan_disbursement"), _count(ledger, "journal")) == (0, 0)


def test_an_admin_fee_alone_needs_no_insurance_account(feed: tuple[Ledger, identity.Office]) -> None:
    ledger, office = feed
    ident = _approved(ledger, "A007", "admin")
    _init(ledger, drop=("insurance_payable",))
    done = lending.disburse(ledger, office, ident, by="bendahara", at=AT)
    assert (done.payout.admin_fee_rp, done.payout.insurance_rp) == (24_693, 0)  # 2 % of 1,234,650
    assert done.application.loan is not None
    [journal] = _fee_journals(ledger, done.application.loan)
    assert [(x["account"], x["debit_rp"], x["credit_rp"]) for x in journal["lines"]] == [
        ("1101", 24_693, 0),
        ("4503", 0, 24_693),
    ]


def test_a_product_without_fees_records_no_journal(feed: tuple[Ledger, identity.Office]) -> None:
    ledger, office = feed
    _init(ledger, drop=("loan_fee_income", "insurance_payable"))  # not needed without fees
    ident = _approved(ledger, "A008", "bebas")
    done = lending.disburse(ledger, office, ident, by="bendahara", at=AT)
    assert (done.payout.fees_rp, done.payout.handed_rp, done.payout.fee_tx) == (0, GRANTED, None)
    assert _count(ledger, "journal") == 0 and _count(ledger, "loan_disbursement") == 1


def test_a_product_gone_from_the_config_pays_out_without_fees(feed: tuple[Ledger, identity.Office]) -> None:
    ledger, office = feed
    ident = _approved(ledger, "A009", "umum")
    raw = config.merge_over_defaults(config._default_raw(), {"loans": {"products": [FREE]}})
    ledger.init(config.parse(raw))
    done = lending.disburse(ledger, office, ident, by="bendahara", at=AT)
    assert done.payout.no_product and done.payout.fees_rp == 0 and done.payout.handed_rp == GRANTED
    assert "produk umum sudah tidak ada di konfigurasi: tanpa biaya" in lending.describe(done.payout, "id")
    assert _count(ledger, "journal") == 0


def test_the_command_line_shows_the_hand_over_and_the_fees(
    feed: tuple[Ledger, identity.Office], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from central.cli import app

    ledger, _ = feed
    if ledger.engine.dialect.name != "sqlite":
        pytest.skip("the command line test runs once, on the SQLite ledger")
    first = _approved(ledger, "A010", "umum")
    second = _approved(ledger, "A011", "tunai")
    db, key = ["--db", ledger.target], ["--office-key", str(tmp_path / "office.key")]
    assert app.main([*db, "loans", "disburse", str(first), *key, "--by", "bendahara"]) == 0
    out = capsys.readouterr().out
    assert (
        "Dibayarkan Rp 1.216.130 (pokok Rp 1.234.650 - biaya administrasi Rp 12.347 - asuransi Rp 6.173)"
        in out
    )
    assert app.main([*db, "loans", "disburse", str(second), *key, "--by", "bendahara", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["payout"]["handed_rp"] == GRANTED and shown["payout"]["fees_rp"] == 18_520
    assert shown["payout"]["fees_from_amount"] is False and shown["payout"]["fee_tx"]
    assert app.main([*db, "--lang", "en", "loans", "disburse", str(first), *key]) == 0
    again = capsys.readouterr().out
    assert "Handed over Rp 1,216,130 (principal Rp 1,234,650 - administration fee Rp 12,347" in again


def test_the_portal_shows_the_hand_over_before_and_after_the_payout(
    tmp_path: Path, month: sample.SampleData
) -> None:
    from sqlalchemy import update
    from starlette.testclient import TestClient

    from central.portal import Settings, create_app
    from tests.portal.conftest import CHEAP, csrf, login, set_password

    path = tmp_path / "coop.sqlite"
    with Ledger.open(str(path)) as ledger:
        _init(ledger)
        sample.load_into(ledger, month)
        identity.init(ledger, identity.key_path(str(path)))
        with ledger.write() as conn:
            members = schema.members
            conn.execute(update(members).where(members.c.number == "A012").values(role="bendahara"))
        set_password(ledger, "A012")
        ident = _approved(ledger, "A013", "umum")
        treasurer = login(TestClient(create_app(ledger, Settings(hasher=CHEAP))), "A012")
        sentence = (
            "Dibayarkan Rp 1.216.130 (pokok Rp 1.234.650 - biaya administrasi Rp 12.347 - asuransi Rp 6.173)"
        )
        before = treasurer.get(f"/loans/applications/{ident}").text
        assert sentence in before and "/disburse" in before
        token = csrf(treasurer, f"/loans/applications/{ident}")
        paid = treasurer.post(
            f"/loans/applications/{ident}/disburse",
            data={"csrftoken": token, "confirm": str(ident)},
            follow_redirects=False,
        )
        assert paid.status_code == 303 and apps.get(ledger, ident).state == "disbursed"
        after = treasurer.get(f"/loans/applications/{ident}").text
        assert sentence in after and "/disburse" not in after
        assert _count(ledger, "journal") == 1
