"""Members repaying store credit (credit_payment): the receivable goes down, cash up, the books balance."""

from __future__ import annotations

from datetime import date

import pytest

from central import sample
from central.books import reports
from central.ledger import Ledger, posting
from sync import envelope as wire
from tests.central.helpers import TOKO_PRICE, Device


def test_a_credit_payment_posts_cash_against_the_receivable(loaded: Ledger) -> None:
    """A credit sale raises the member's used credit; repaying it brings it back to zero."""
    dev = Device().register(loaded)
    owed = 3 * TOKO_PRICE
    assert loaded.ingest([dev.sale(qty=3, payment="credit")]).ok
    used = {m["number"]: m["credit_used_rp"] for m in loaded.members()}
    assert used["A001"] == owed
    pay = dev.make("credit_payment", member="A001", total=owed)
    entry = posting.post(pay, loaded.config)
    assert [(x.account, x.debit_rp, x.credit_rp) for x in entry] == [
        (loaded.config.posting.cash, owed, 0),
        (loaded.config.posting.receivable, 0, owed),
    ]
    report = loaded.ingest([pay])
    assert report.ok, report.rejected
    used = {m["number"]: m["credit_used_rp"] for m in loaded.members()}
    assert used["A001"] == 0
    sheet = dict(reports.balance_sheet(loaded, "2026-12-31")[0].summary)
    assert sheet["balanced"] is True


def test_a_credit_payment_needs_a_member_and_an_amount() -> None:
    """Without a member or with a zero total, a credit payment is refused with a reason."""
    dev = Device()
    with pytest.raises(wire.EnvelopeError, match="needs a member"):
        wire.check(dev.make("credit_payment", member=None, total=1000))
    with pytest.raises(wire.EnvelopeError, match="above 0"):
        wire.check(dev.make("credit_payment", member="A001", total=0))


def test_an_unknown_member_cannot_repay(loaded: Ledger) -> None:
    """A credit payment for a member the ledger does not know is quarantined."""
    dev = Device().register(loaded)
    report = loaded.ingest([dev.make("credit_payment", member="Z999", total=5000)])
    [rejection] = report.rejected
    assert "unknown member" in rejection.reason


def test_generated_months_repay_store_credit_on_payday() -> None:
    """The sample repays each member's credit of a month on the 1st of the next (salary deduction)."""
    data = sample.generate(seed=5, start=date(2026, 1, 1), end=date(2026, 3, 1), members=10, per_day=15)
    payments = [e for e in data.envelopes if e["kind"] == "credit_payment"]
    assert payments and all(e["at"].startswith(("2026-02-01", "2026-03-01")) for e in payments)
    january = [
        e for e in data.envelopes if e["kind"] == "sale" and e["payment"] == "credit" and e["at"] < "2026-02"
    ]
    voided = {e["ref"] for e in data.envelopes if e["kind"] == "void"}
    gross = sum(e["total"] for e in january)
    net = gross - sum(e["total"] for e in january if e["id"] in voided)
    paid_feb = sum(e["total"] for e in payments if e["at"].startswith("2026-02-01"))
    # January's credit less what was voided before payday (a later void leaves a credit for the member)
    assert net <= paid_feb <= gross
    for env in data.envelopes:
        wire.check(env)
