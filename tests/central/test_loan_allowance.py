"""The loan allowance (PPAP) at month end, the write-off of a macet loan against it with the chair's
approval, recoveries booked as income, and the problem-loan ratio: each posted once on the office's
chain, refused with the reason when it must not happen, and the books still balancing."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from central import config
from central.books import reports
from central.ledger import Ledger, schema
from central.loans import allowance, health, portfolio
from central.loans import applications as apps
from central.loans.allowance import AllowanceRefused
from central.loans.applications import LoanRefused
from central.office import adjusting, entries, identity, lending, record
from central.yearend.inputs import income_figures
from tests.central.helpers import Device, unbalanced_entries

PAID_OUT = datetime(2026, 1, 15, 9, 0)
TODAY = date(2027, 6, 1)  # every month the tests run has ended


def _loan(ledger: Ledger, office: identity.Office, member: str, amount: int, term: int = 12) -> str:
    made = apps.apply(ledger, member, "umum", amount, term, "modal usaha", by=member)
    apps.decide(ledger, made.id, approve=True, role="ketua", by="A003", reason="layak")
    loan = lending.disburse(ledger, office, made.id, by="bendahara", at=PAID_OUT).application.loan
    assert loan is not None
    return loan


def _balance(ledger: Ledger, account: str) -> int:
    """Debits minus credits of ``account`` over the whole journal."""
    j = schema.journal
    with ledger.read() as conn:
        debit, credit = conn.execute(
            select(func.coalesce(func.sum(j.c.debit_rp), 0), func.coalesce(func.sum(j.c.credit_rp), 0)).where(
                j.c.account == account
            )
        ).one()
    return int(debit) - int(credit)


def _journals(ledger: Ledger) -> int:
    t = schema.transactions
    with ledger.read() as conn:
        return int(conn.execute(select(func.count()).where(t.c.kind == "journal")).scalar_one())


def test_month_end_posts_the_difference_once_and_releases_it_when_loans_recover(
    lent: tuple[Ledger, identity.Office],
) -> None:
    """A late loan raises the allowance; a rerun posts nothing; repaying releases it the next month."""
    ledger, office = lent
    loan = _loan(ledger, office, "A001", 2_000_000)
    march = adjusting.run_allowance(ledger, office, "2026-03", by="bendahara", today=TODAY)
    # due 15 Feb, unpaid on 31 March: 44 days late, lancar at 0.5 % of 2,000,000
    assert [c.required_rp for c in march.plan.classes] == [10_000, 0, 0, 0]
    assert march.posted is not None and march.plan.difference_rp == 10_000
    assert [(x.account, x.debit_rp, x.credit_rp) for x in march.posted.lines] == [
        ("5501", 10_000, 0),
        ("1209", 0, 10_000),
    ]
    assert march.posted.at.startswith("2026-03-31T23:59:59")
    again = adjusting.run_allowance(ledger, office, "2026-03", by="bendahara", today=TODAY)
    assert again.posted is None and again.already is not None and again.already.id == march.posted.id
    assert "nothing posted again" in adjusting.describe(again, "en")
    june = adjusting.run_allowance(
        ledger, office, "2026-06", by="bendahara", today=TODAY
    )  # 136 days: kurang lancar
    assert june.plan.required_rp == 1_000_000 and june.plan.balance_rp == 10_000  # 50 %
    assert _balance(ledger, "1209") == -1_000_000
    with pytest.raises(
        AllowanceRefused, match="allowance of 2026-06 is already posted; 2026-04 comes before"
    ):
        adjusting.run_allowance(ledger, office, "2026-04", by="bendahara", today=TODAY)
    card = portfolio.cards(ledger, date(2026, 7, 10), loan=loan)[0]
    lending.pay(ledger, office, loan, card.state.arrears_rp, by="bendahara", at=datetime(2026, 7, 10, 10, 0))
    july = adjusting.run_allowance(ledger, office, "2026-07", by="bendahara", today=TODAY)
    assert july.plan.difference_rp < 0 and july.posted is not None
    lines = [(x.account, x.debit_rp > 0) for x in july.posted.lines]
    assert lines == [("1209", True), ("5501", False)]
    assert -_balance(ledger, "1209") == july.plan.required_rp
    assert unbalanced_entries(ledger) == []


def test_a_month_not_ended_is_refused_but_may_be_dry_run(lent: tuple[Ledger, identity.Office]) -> None:
    """Posting waits for the month's end; a dry run shows the table and posts nothing."""
    ledger, office = lent
    _loan(ledger, office, "A002", 1_000_000)
    with pytest.raises(AllowanceRefused, match="has not ended"):
        adjusting.run_allowance(ledger, office, "2026-03", today=date(2026, 3, 31))
    dry = adjusting.run_allowance(ledger, None, "2026-03", dry_run=True, today=date(2026, 3, 20))
    assert dry.dry_run and dry.posted is None and dry.plan.required_rp == 5_000
    assert _journals(ledger) == 0
    with pytest.raises(AllowanceRefused, match="YYYY-MM"):
        allowance.parse_month("2026-3")


def test_without_the_posting_keys_the_allowance_is_refused_naming_them(tmp_path: Path) -> None:
    """A config without [posting] allowance keys loads; the allowance then names what to add."""
    raw = config._default_raw()
    for key in ("allowance", "allowance_expense", "recovery_income"):
        del raw["posting"][key]
    with Ledger.open(str(tmp_path / "old.sqlite")) as ledger:
        ledger.init(config.parse(raw))
        with pytest.raises(AllowanceRefused, match="allowance, allowance_expense under \\[posting\\]"):
            adjusting.run_allowance(ledger, None, "2026-03", dry_run=True)


MONTHS = [f"{year}-{month:02d}" for year in (2025, 2026) for month in range(1, 13)]


def _aging(as_of: date, outstanding: list[int]) -> portfolio.Aging:
    """An aging with the given principal per default class (one loan each), allowance per loan."""
    classes = config.default().loans.classes
    totals = tuple(
        portfolio.ClassTotal(
            k.code,
            k.name,
            1 if amount else 0,
            amount,
            portfolio._allowance(amount, k),
            k.problem,
        )
        for k, amount in zip(classes, outstanding, strict=True)
    )
    return portfolio.Aging(as_of, (), totals)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(0, 50_000_000), min_size=4, max_size=4),
            st.integers(-300_000, 300_000),
        ),
        min_size=1,
        max_size=6,
    ),
    st.data(),
)
def test_any_sequence_of_month_ends_leaves_the_required_total(
    runs: list[tuple[list[int], int]], data: st.DataObject
) -> None:
    """Over random agings, month-end runs in order (with other entries on the account between them) leave
    the allowance account at the last month's required total, and every entry balances."""
    months = sorted(data.draw(st.sets(st.sampled_from(MONTHS), min_size=len(runs), max_size=len(runs))))
    with tempfile.TemporaryDirectory() as folder, Ledger.open(str(Path(folder) / "c.sqlite")) as ledger:
        ledger.init(config.default())
        office = identity.init(ledger, Path(folder) / "office.key")[0]
        last = 0
        for month, (outstanding, nudge) in zip(months, runs, strict=True):
            end = allowance.month_end(month)
            if nudge:  # someone else booked on the allowance during the month (a write-off, a correction)
                lines = allowance.entry_lines(nudge, allowance="1209", expense="5501", month=month)
                body = entries.journal("adjustment", lines, unit="simpan-pinjam")
                record.record(ledger, office, body, at=datetime(end.year, end.month, 1, 9, 0))
            done = adjusting.run_allowance(
                ledger, office, month, today=TODAY, aging=lambda _l, day, o=outstanding: _aging(day, o)
            )
            last = done.plan.required_rp
            assert -_balance(ledger, "1209") == last
        assert -_balance(ledger, "1209") == last
        assert unbalanced_entries(ledger) == []
        if done.posted is not None:  # a month that posted is never posted again, whatever the aging says now
            again = adjusting.run_allowance(
                ledger, office, months[-1], today=TODAY, aging=lambda _l, day: _aging(day, [1, 2, 3, 4])
            )
            assert again.posted is None and -_balance(ledger, "1209") == last


def test_the_balance_sheet_shows_the_allowance_as_a_negative_asset_and_balances(
    lent: tuple[Ledger, identity.Office],
) -> None:
    """The contra-asset lowers the assets, the expense lowers the surplus, and the sheet still balances."""
    ledger, office = lent
    _loan(ledger, office, "A004", 4_000_000)
    adjusting.run_allowance(ledger, office, "2026-03", today=TODAY)
    sheet = reports.balance_sheet(ledger, "2026-03-31")[0]
    rows = {row[1]: row[3] for row in sheet.rows}
    totals = dict(sheet.summary)
    assert rows["1209"] == -20_000 and rows["1202"] == 4_000_000
    assert totals["balanced"] is True
    income = dict(reports.income(ledger, reports.Period("2026-01-01", "2026-03-31"))[0].summary)
    assert income["expense_rp"] >= 20_000
    shu = income_figures(ledger, "2026-01-01", "2026-03-31")
    assert shu.surplus_rp == income["surplus_rp"]


def test_the_command_prints_the_table_and_what_it_posted(
    lent: tuple[Ledger, identity.Office], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`loans allowance --month` prints per class and the entry; JSON says the same; a bad month is exit 2."""
    import json

    from central.cli import app

    ledger, office = lent
    if ledger.engine.dialect.name != "sqlite":
        pytest.skip("the command line test runs once, on the SQLite ledger")
    _loan(ledger, office, "A005", 1_000_000)
    db = ["--db", ledger.target, "--lang", "en"]
    key = ["--office-key", str(tmp_path / "office.key")]
    assert app.main([*db, "loans", "allowance", "--month", "2026-03", "--dry-run"]) == 0
    assert "Dry run: would raise the allowance by Rp 5,000" in capsys.readouterr().out
    assert app.main([*db, "loans", "allowance", "--month", "2026-03", "--json", *key]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["required_rp"] == 5_000 and shown["posted"]["lines"][1]["account"] == "1209"
    assert shown["classes"][0]["allowance_pct"] == "0.5"
    assert app.main([*db, "loans", "allowance", "--month", "2026-03", *key]) == 0
    assert "posted before" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        app.main([*db, "loans", "allowance", "--month", "March"])
    assert exit_.value.code == 2


# -- write-off and recovery --------------------------------------------------------------------------

MACET_DAY = datetime(2026, 12, 1, 10, 0)  # the loan paid out on 15 January has been unpaid 289 days


def _state(ledger: Ledger) -> tuple[int, int, int, int]:
    """What a refused write-off must leave alone: journal entries, loans, allowance, chain length."""
    return (_journals(ledger), _balance(ledger, "1202"), _balance(ledger, "1209"), _quarantine(ledger))


def _quarantine(ledger: Ledger) -> int:
    with ledger.read() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.quarantine)).scalar_one())


def test_a_write_off_is_refused_for_a_non_decider_a_loan_not_macet_and_twice(
    lent: tuple[Ledger, identity.Office],
) -> None:
    """Every refusal names its reason and changes nothing; the approved one posts against the allowance."""
    ledger, office = lent
    loan = _loan(ledger, office, "A006", 2_000_000)
    adjusting.run_allowance(
        ledger, office, "2026-11", today=TODAY
    )  # macet on 30 November: 100 % of 2,000,000
    before = _state(ledger)

    def attempt(
        approver: str, reason: str = "tidak membayar sejak Februari", at: datetime = MACET_DAY
    ) -> None:
        adjusting.write_off(ledger, office, loan, approved_by=approver, reason=reason, by="A003", at=at)

    with pytest.raises(LoanRefused, match="only ketua, sekretaris may approve a write-off; A006 is anggota"):
        attempt("A006")
    with pytest.raises(LoanRefused, match="A003 is bendahara"):
        attempt("A003")
    with pytest.raises(LoanRefused, match="no member with number 'NOPE'"):
        attempt("NOPE")
    with pytest.raises(LoanRefused, match="reason must be 3 to 200"):
        attempt("A001", reason=" x ")
    with pytest.raises(LoanRefused, match=r"Kurang lancar \(106 days late\); only loans from class Macet"):
        attempt("A001", at=datetime(2026, 6, 1, 10, 0))
    assert _state(ledger) == before
    done = adjusting.write_off(
        ledger, office, loan, approved_by="A001", reason="macet sejak Februari", by="A003", at=MACET_DAY
    )
    assert [(x.account, x.debit_rp, x.credit_rp) for x in done.lines] == [
        ("1209", 2_000_000, 0),
        ("1202", 0, 2_000_000),
    ]
    after = _state(ledger)
    with pytest.raises(LoanRefused, match=f"loan {loan} was written off on 2026-12-01"):
        attempt("A001")
    assert _state(ledger) == after
    card = portfolio.cards(ledger, MACET_DAY.date(), loan=loan)[0]
    assert card.written_off == date(2026, 12, 1)
    assert portfolio.cards(ledger, date(2026, 11, 30), loan=loan)[0].written_off is None
    book = portfolio.aging(ledger, date(2026, 12, 1))
    assert loan not in {r.loan for r in book.rows} and book.at_risk_rp(1) == 0
    assert loan in {r.loan for r in portfolio.aging(ledger, date(2026, 11, 30)).rows}
    assert health.health(book).problem_rp == 0
    assert [e["action"] for e in apps.events(ledger, card.application or 0)][-1] == "write_off"
    with pytest.raises(LoanRefused, match="written-off loan with Rp 2,000,000 not yet recovered"):
        apps.apply(ledger, "A006", "umum", 1_000_000, 6, "modal lagi", by="A006")
    assert unbalanced_entries(ledger) == []
    assert dict(reports.balance_sheet(ledger, "2026-12-01")[0].summary)["balanced"] is True


def test_without_enough_allowance_the_rest_is_an_expense(lent: tuple[Ledger, identity.Office]) -> None:
    """A write-off never turns the allowance into a debit: what it does not hold is expensed at once."""
    ledger, office = lent
    loan = _loan(ledger, office, "A007", 1_000_000)
    done = adjusting.write_off(ledger, office, loan, approved_by="A002", reason="macet", at=MACET_DAY)
    assert [(x.account, x.debit_rp, x.credit_rp) for x in done.lines] == [
        ("5501", 1_000_000, 0),
        ("1202", 0, 1_000_000),
    ]
    assert _balance(ledger, "1209") == 0


def test_a_recovery_after_write_off_books_income_and_a_device_installment_is_quarantined(
    lent: tuple[Ledger, identity.Office],
) -> None:
    """`loans pay` on a written-off loan is recovery income, at most what was written off; a device's
    installment on it is quarantined with the reason saying to record it as a recovery."""
    ledger, office = lent
    loan = _loan(ledger, office, "A008", 1_500_000)
    adjusting.write_off(ledger, office, loan, approved_by="A001", reason="macet", at=MACET_DAY)
    paid = lending.pay(ledger, office, loan, 400_000, by="A003", at=datetime(2026, 12, 20, 10, 0))
    assert (paid.recovered_rp, paid.principal_rp, paid.interest_rp) == (400_000, 0, 0)
    assert record.recorded(ledger, list(paid.ids))[0].lines[1].account == "4502"
    assert _balance(ledger, "4502") == -400_000 and _balance(ledger, "1202") == 0
    income = reports.income(ledger, reports.Period("2026-12-01", "2026-12-31"))[0]
    assert ("revenue", "simpan-pinjam", "4502") in {row[:3] for row in income.rows}
    with pytest.raises(LoanRefused, match="at most Rp 1,100,000 more"):
        lending.pay(ledger, office, loan, 1_200_000, by="A003", at=datetime(2026, 12, 21, 10, 0))
    device = Device("sp-77", unit="simpan-pinjam").register(ledger)
    report = ledger.ingest([device.repay("A008", loan, 50_000, 10_000)], require_signature=True)
    assert report.accepted == []
    assert f"loan {loan} was written off on 2026-12-01" in report.rejected[0].reason
    assert f"central loans pay {loan} --amount 60000" in report.rejected[0].reason
    lending.pay(ledger, office, loan, 1_100_000, by="A003", at=datetime(2026, 12, 22, 10, 0))
    assert apps.apply(ledger, "A008", "umum", 1_000_000, 6, "modal baru", by="A008").state == "submitted"
    assert unbalanced_entries(ledger) == []


def test_write_off_and_health_from_the_command_line(
    lent: tuple[Ledger, identity.Office], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`loans write-off` refuses a non-decider with exit 2 and the reason; `loans health` shows the band."""
    import json

    from central.cli import app

    ledger, office = lent
    if ledger.engine.dialect.name != "sqlite":
        pytest.skip("the command line test runs once, on the SQLite ledger")
    loan = _loan(ledger, office, "A009", 1_000_000)
    _loan(ledger, office, "A010", 3_000_000, term=24)
    db = ["--db", ledger.target, "--lang", "en"]
    key = ["--office-key", str(tmp_path / "office.key")]
    assert app.main([*db, "loans", "health", "--as-of", "2026-11-30", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["outstanding_rp"] == 4_000_000 and shown["problem_rp"] == 4_000_000
    assert (shown["problem_pct"], shown["band"]) == ("100.00", "tidak sehat")
    argv = [*db, "loans", "write-off", "--loan", loan, "--reason", "macet", *key]
    assert app.main([*argv, "--approved-by", "A006"]) == 2
    assert "only ketua, sekretaris may approve a write-off" in capsys.readouterr().err
    # the command writes off as of today, when the loan is long macet
    assert app.main([*argv, "--approved-by", "A001", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["lines"][-1] == {
        "account": "1202",
        "debit_rp": 0,
        "credit_rp": 0 + 1_000_000,
        "memo": f"penghapusan {loan}",
    }
    assert app.main([*db, "loans", "card", "A009"]) == 0
    assert "written off" in capsys.readouterr().out


def test_a_written_off_loan_is_not_due_not_deducted_and_not_on_the_board(
    lent: tuple[Ledger, identity.Office],
) -> None:
    """Off the books: the loan leaves `loans due`, the payroll deductions and the board's loan figures, as
    it leaves the aging; what the member still pays is a recovery at the office."""
    from central.books import board
    from central.office import payroll

    ledger, office = lent
    gone = _loan(ledger, office, "A009", 1_200_000)
    kept = _loan(ledger, office, "A010", 1_200_000)
    day = MACET_DAY.date()
    assert {card.loan for card, _ in portfolio.due_between(ledger, date(2026, 1, 1), day)} == {gone, kept}
    adjusting.write_off(ledger, office, gone, approved_by="A001", reason="macet", at=MACET_DAY)
    assert {card.loan for card, _ in portfolio.due_between(ledger, date(2026, 1, 1), day)} == {kept}
    deducted = {d.ref for d in payroll.deductions(ledger, 2026, 12) if d.line == "angsuran"}
    assert gone not in deducted and kept in deducted
    glance = board.glance(ledger, day, now_ts=0)
    assert glance.loans_out_rp == portfolio.aging(ledger, day).outstanding_rp
