"""Savings withdrawals at a device: sukarela only, never above the balance the device knows (central's last
member summary, its own deposits since, less its withdrawals the summary may not hold), the clerk's cash,
the command line, and central's re-check of the ledger balance at ingest."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from central import config
from central.books import reports
from central.books.statement import member_summary
from central.ledger import Ledger, schema
from central.members.rows import MemberRow
from edge.cli import main
from edge.device import Device
from edge.errors import (
    DepositVoidAboveBalance,
    InactiveMember,
    InvalidAmount,
    InvalidInput,
    NotWithdrawableHere,
    SavingsBalanceUnknown,
    UnknownMember,
    WithdrawalAboveBalance,
)
from edge.install import init_device
from edge.keys import load as load_key
from edge.keys import public_text
from edge.rules import OutboxFact, SavingsMove, savings_known_rp, shift_summary
from edge.settings import DeviceSettings
from sync.refusals import Item, Notice
from tests.edge.conftest import make_device

AS_OF = "2026-11-22T10:00:00+07:00"
WIB = timezone(timedelta(hours=7))


class Ticker:
    """A device clock that moves one second per reading: no two recordings share a time."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 10, 0, tzinfo=WIB)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def tdev(device_dir: Path) -> Iterator[Device]:
    """The test device on a clock that ticks once per reading."""
    with Device.open(device_dir, clock=Ticker()) as opened:
        yield opened


def summary(sukarela_rp: int, **other: int) -> dict[str, Any]:
    """A member summary as central sends it, with the savings balances given."""
    savings = {"pokok": 100_000, "wajib": 300_000, "sukarela": sukarela_rp, **other}
    return {"member": "A001", "as_of": AS_OF, "savings": savings, "loan": {"outstanding_rp": 0}}


def test_a_withdrawal_within_the_known_balance_is_recorded(tdev: Device) -> None:
    """Sukarela within the summary's balance is recorded as a cash savings_withdrawal envelope."""
    tdev.save_member_summary("A001", summary(100_000))
    rec = tdev.record_savings_withdrawal("A001", "sukarela", 60_000, clerk=None)
    assert (rec.kind, rec.member, rec.payment, rec.total_rp) == ("savings_withdrawal", "A001", "cash", 60_000)
    assert rec.envelope["product"] == "sukarela" and rec.envelope["unit"] == "toko"
    assert tdev.record_savings_withdrawal("A001", "sukarela", 40_000).seq == rec.seq + 1  # exactly the rest


def test_beyond_the_known_balance_is_refused_and_nothing_appended(tdev: Device) -> None:
    """The known balance is the summary's, less withdrawals since, plus deposits of that product since;
    one rupiah more is refused naming that balance and its as-of, and the outbox is unchanged."""
    tdev.save_member_summary("A001", summary(100_000))
    tdev.record_savings_withdrawal("A001", "sukarela", 30_000)
    tdev.record_savings_deposit("A001", "sukarela", 20_000)
    tdev.record_savings_deposit("A001", "wajib", 500_000)  # another product: no help
    before = tdev.status().last_seq
    with pytest.raises(WithdrawalAboveBalance) as caught:
        tdev.record_savings_withdrawal("A001", "sukarela", 90_001)
    assert caught.value.known_rp == 90_000
    text_id, text_en = caught.value.message("id"), caught.value.message("en")
    assert "Rp 90.000" in text_id and AS_OF in text_id and "kantor" in text_id
    assert "Rp 90,000" in text_en and AS_OF in text_en and "office" in text_en
    assert tdev.status().last_seq == before
    assert tdev.record_savings_withdrawal("A001", "sukarela", 90_000).total_rp == 90_000


def test_without_a_summary_the_device_refuses(tdev: Device) -> None:
    """No summary of the member: the balance is unknown, so no cash leaves; the clerk is told to wait for
    the sync or send the member to the office."""
    tdev.record_savings_deposit("A002", "sukarela", 50_000)  # a deposit alone tells nothing of the rest
    before = tdev.status().last_seq
    with pytest.raises(SavingsBalanceUnknown) as caught:
        tdev.record_savings_withdrawal("A002", "sukarela", 10_000)
    assert "tersinkron" in caught.value.message("id") and "kantor" in caught.value.message("id")
    assert "sync" in caught.value.message("en") and "office" in caught.value.message("en")
    tdev.save_member_summary("A002", {"as_of": AS_OF, "recent": []})  # a summary without savings
    with pytest.raises(SavingsBalanceUnknown):
        tdev.record_savings_withdrawal("A002", "sukarela", 10_000)
    assert tdev.status().last_seq == before


@pytest.mark.parametrize("product", ["pokok", "wajib", "berjangka", "shr", "smsk"])
def test_only_sukarela_is_paid_out_at_a_counter(tdev: Device, product: str) -> None:
    """Other products are refused, naming the product and sending the member to the office."""
    tdev.save_member_summary("A001", summary(100_000, berjangka=5_000_000, shr=90_000, smsk=10_000))
    with pytest.raises(NotWithdrawableHere) as caught:
        tdev.record_savings_withdrawal("A001", product, 1_000)
    assert product in caught.value.message("id") and "kantor" in caught.value.message("id")
    assert product in caught.value.message("en") and "office" in caught.value.message("en")
    assert tdev.status().last_seq == 0


def test_bad_input_is_refused_before_anything_else(tdev: Device) -> None:
    """Unknown product, amounts that are not whole positive rupiah, unknown or inactive members."""
    tdev.save_member_summary("A003", summary(100_000))
    for product, amount, member, error in (
        ("emas", 1_000, "A001", InvalidInput),
        ("sukarela", 0, "A001", InvalidAmount),
        ("sukarela", -5, "A001", InvalidAmount),
        ("sukarela", True, "A001", InvalidAmount),
        ("sukarela", 1_000, "Z9", UnknownMember),
        ("sukarela", 1_000, "A003", InactiveMember),
    ):
        with pytest.raises(error):
            tdev.record_savings_withdrawal(member, product, amount)
    assert tdev.status().last_seq == 0


def test_a_withdrawal_refused_by_central_no_longer_counts(tdev: Device) -> None:
    """Once central's notice marks a withdrawal refused (refused_at), its amount is back in the balance."""
    tdev.save_member_summary("A001", summary(100_000))
    rec = tdev.record_savings_withdrawal("A001", "sukarela", 80_000)
    with pytest.raises(WithdrawalAboveBalance):
        tdev.record_savings_withdrawal("A001", "sukarela", 30_000)
    reason = "member A001 has Rp 0 in Simpanan sukarela; this would take it below zero"
    assert tdev.apply_refusals(Notice("toko-01", 1, (Item(rec.seq, rec.id, reason),))) == 1
    assert tdev.record_savings_withdrawal("A001", "sukarela", 100_000).total_rp == 100_000


def test_a_newer_summary_still_counts_withdrawals_central_had_not_confirmed(tdev: Device) -> None:
    """A summary saved before central confirmed a withdrawal may not hold it: it still counts; once
    confirmed before the next summary, that summary's figure is the balance."""
    tdev.save_member_summary("A001", summary(100_000))
    rec = tdev.record_savings_withdrawal("A001", "sukarela", 80_000)
    tdev.save_member_summary("A001", summary(100_000))  # central answered before the upload arrived
    with pytest.raises(WithdrawalAboveBalance) as caught:
        tdev.record_savings_withdrawal("A001", "sukarela", 30_000)
    assert caught.value.known_rp == 20_000
    tdev.mark_acked(rec.seq)
    tdev.save_member_summary("A001", summary(20_000))  # after the ack: central holds it
    with pytest.raises(WithdrawalAboveBalance) as again:
        tdev.record_savings_withdrawal("A001", "sukarela", 20_001)
    assert again.value.known_rp == 20_000
    tdev.record_savings_withdrawal("A001", "sukarela", 20_000)


def test_voids_put_a_withdrawal_back_and_take_a_deposit_out(tdev: Device) -> None:
    """A void of a withdrawal gives its amount back to the balance; a void of a deposit takes it away."""
    tdev.save_member_summary("A001", summary(0))
    deposit = tdev.record_savings_deposit("A001", "sukarela", 50_000)
    out = tdev.record_savings_withdrawal("A001", "sukarela", 50_000)
    tdev.record_void(out.id, "salah jumlah")
    tdev.record_void(deposit.id, "salah anggota")
    with pytest.raises(WithdrawalAboveBalance) as caught:
        tdev.record_savings_withdrawal("A001", "sukarela", 1)
    assert caught.value.known_rp == 0


def test_a_deposit_paid_out_again_cannot_be_voided(tdev: Device) -> None:
    """Voiding a deposit gives its cash back; when the balance no longer covers it (it was withdrawn),
    the void is refused until the withdrawal is voided. Without a summary the device never paid the member
    out, and a counter never pays out wajib: such deposits can always be voided here (central checks the
    ledger)."""
    tdev.save_member_summary("A001", summary(10_000))
    deposit = tdev.record_savings_deposit("A001", "sukarela", 50_000)
    out = tdev.record_savings_withdrawal("A001", "sukarela", 45_000)
    before = tdev.status().last_seq
    with pytest.raises(DepositVoidAboveBalance) as caught:
        tdev.record_void(deposit.id, "salah anggota")
    assert caught.value.known_rp == 15_000 and "Rp 15.000" in caught.value.message("id")
    assert tdev.status().last_seq == before
    tdev.record_void(out.id, "salah anggota")
    tdev.record_void(deposit.id, "salah anggota")
    typo = tdev.record_savings_deposit("A002", "sukarela", 500_000)
    assert tdev.record_void(typo.id, "salah ketik").kind == "void"
    wajib = tdev.record_savings_deposit("A001", "wajib", 500_000)  # never paid out at a counter
    tdev.save_member_summary("A001", summary(0, wajib=0))  # central answered before the upload arrived
    assert tdev.record_void(wajib.id, "salah ketik").kind == "void"


def test_a_summary_older_than_what_was_pruned_is_too_old(tdev: Device) -> None:
    """After the outbox pruned rows recorded after the summary was saved, that summary cannot be trusted:
    the device refuses until a newer one comes."""
    tdev.save_member_summary("A001", summary(100_000))
    rec = tdev.record_savings_withdrawal("A001", "sukarela", 10_000)
    tdev.mark_acked(rec.seq)
    assert tdev.prune_delivered(older_than_s=-3600) == 1
    with pytest.raises(SavingsBalanceUnknown) as caught:
        tdev.record_savings_withdrawal("A001", "sukarela", 1_000)
    assert AS_OF in caught.value.message("en") and "too old" in caught.value.message("en")
    tdev.save_member_summary("A001", summary(90_000))
    with pytest.raises(SavingsBalanceUnknown):  # the prune's cutoff lies an hour ahead of the clock
        tdev.record_savings_withdrawal("A001", "sukarela", 1_000)


# ---- the clerk's cash -----------------------------------------------------------------------------


def test_shift_cash_pays_out_withdrawals_and_a_void_puts_the_cash_back(tdev: Device) -> None:
    """Cash to hand in = cash sales + deposits + installments - withdrawals - cash voids; a voided
    withdrawal's cash came back, so it is not paid out and is not among the voids given back."""
    tdev.add_clerk("k1", "Rina", "1234")
    tdev.save_member_summary("A001", summary(200_000))
    since = "2000-01-01T00:00:00+07:00"
    tdev.record_sale([("PULSA", 2)], clerk="k1")  # 20,000 cash
    tdev.record_savings_deposit("A001", "sukarela", 50_000, clerk="k1")
    tdev.record_installment("A001", "L-1", 0, 5_000, clerk="k1")
    tdev.record_savings_withdrawal("A001", "sukarela", 30_000, clerk="k1")
    wrong = tdev.record_savings_withdrawal("A001", "sukarela", 10_000, clerk="k1")
    tdev.record_void(wrong.id, "salah ketik", clerk="k1")
    shift = tdev.shift_summary("k1", since)
    assert (shift.deposits_rp, shift.installments_rp, shift.withdrawals_rp) == (50_000, 5_000, 30_000)
    assert (shift.voids_count, shift.voids_rp["cash"]) == (0, 0)
    assert shift.cash_expected_rp == 20_000 + 50_000 + 5_000 - 30_000


CASH_FACTS = st.lists(
    st.tuples(
        st.sampled_from(["sale", "savings_deposit", "installment", "savings_withdrawal", "void"]),
        st.sampled_from(["cash", "credit"]),
        st.integers(0, 1_000_000),
        st.sampled_from([None, "sale", "savings_deposit", "savings_withdrawal"]),
    ),
    max_size=40,
)


@given(CASH_FACTS)
def test_shift_cash_is_money_in_less_money_out(facts: list[tuple[str, str, int, str | None]]) -> None:
    """For any facts: cash in (cash sales, deposits, installments, voided withdrawals) less cash out
    (withdrawals, cash voids of money taken in) is the cash to hand in."""
    items = [
        OutboxFact(kind, pay if kind in ("sale", "void") else "cash", rp, ref if kind == "void" else None)
        for kind, pay, rp, ref in facts
    ]
    shift = shift_summary("k1", AS_OF, items)
    cash_in = sum(
        f.total_rp
        for f in items
        if (f.kind == "sale" and f.payment == "cash") or f.kind in ("savings_deposit", "installment")
    )
    cash_in += sum(f.total_rp for f in items if f.kind == "void" and f.ref_kind == "savings_withdrawal")
    cash_out = sum(f.total_rp for f in items if f.kind == "savings_withdrawal")
    cash_out += sum(
        f.total_rp
        for f in items
        if f.kind == "void" and f.ref_kind != "savings_withdrawal" and f.payment == "cash"
    )
    assert shift.cash_expected_rp == cash_in - cash_out


# ---- the offline balance: laws ---------------------------------------------------------------------

MOVES = st.lists(
    st.tuples(st.integers(-500_000, 500_000), st.booleans(), st.booleans()),  # change, surely new, in summary
    max_size=30,
)


@given(st.integers(0, 2_000_000), MOVES)
def test_the_known_balance_never_exceeds_the_true_one(
    base_rp: int, moves: list[tuple[int, bool, bool]]
) -> None:
    """Whichever of the doubtful moves central's summary already holds, the balance the device pays out
    against is at most the true one (money in counted only when surely new, money out whenever doubtful)."""
    held = sum(change for change, new, in_summary in moves if not new and in_summary)
    true_rp = base_rp + sum(change for change, _, _ in moves)
    known = savings_known_rp(base_rp + held, [SavingsMove(change, new) for change, new, _ in moves])
    assert known <= true_rp


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("deposit"), st.integers(1, 300_000)),
        st.tuples(st.just("withdraw"), st.integers(1, 300_000)),
        st.tuples(st.just("void"), st.integers(0, 30)),
    ),
    max_size=20,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 300_000), OPS)
def test_accepted_moves_never_take_the_known_balance_below_zero(
    start_rp: int, ops: list[tuple[str, int]]
) -> None:
    """For any sequence of deposits, withdrawals and voids after a summary, the device refuses exactly the
    withdrawals (and voids of deposits) above its known balance, so what it accepts never takes that
    balance below 0."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = make_device(Path(tmp) / "device")
        with Device.open(directory, clock=Ticker()) as dev:
            dev.save_member_summary("A001", summary(start_rp))
            standing: dict[str, int] = {}  # id -> its change to the balance, while not voided
            for op, value in ops:
                balance = start_rp + sum(standing.values())
                if op == "deposit":
                    standing[dev.record_savings_deposit("A001", "sukarela", value).id] = value
                elif op == "withdraw" and value > balance:
                    with pytest.raises(WithdrawalAboveBalance):
                        dev.record_savings_withdrawal("A001", "sukarela", value)
                elif op == "withdraw":
                    standing[dev.record_savings_withdrawal("A001", "sukarela", value).id] = -value
                elif standing:
                    ident = sorted(standing)[value % len(standing)]
                    if balance - standing[ident] < 0:
                        with pytest.raises(DepositVoidAboveBalance):
                            dev.record_void(ident, "uji")
                    else:
                        dev.record_void(ident, "uji")
                        del standing[ident]
                assert start_rp + sum(standing.values()) >= 0


# ---- the command line ------------------------------------------------------------------------------


def run(device_dir: Path, *args: str) -> int:
    """``python -m edge`` in English with the test device."""
    return main(["--dir", str(device_dir), "--lang", "en", *args])


def test_withdraw_command_records_and_refuses_without_a_traceback(
    device_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`withdraw` records within the balance; beyond it, without a summary, for another product or with a
    bad amount it exits 2 with the message and writes nothing; `shift` lists the cash paid out."""
    with Device.open(device_dir) as dev:
        dev.save_member_summary("A001", summary(100_000))
        dev.add_clerk("k1", "Rina", "1234")
    since = "2000-01-01T00:00:00+07:00"
    ok = ("withdraw", "--member", "A001", "--product", "sukarela", "--amount-rp", "40000", "--clerk", "k1")
    assert run(device_dir, *ok) == 0
    assert "Savings withdrawal recorded" in capsys.readouterr().out
    for args, text in (
        (("--member", "A001", "--product", "sukarela", "--amount-rp", "60001"), "Rp 60,000"),
        (
            ("--member", "A002", "--product", "sukarela", "--amount-rp", "1000"),
            "send the member to the office",
        ),
        (("--member", "A001", "--product", "wajib", "--amount-rp", "1000"), "when the member leaves"),
        (("--member", "A001", "--product", "sukarela", "--amount-rp", "1.000,5"), "whole rupiah"),
        (("--member", "A001", "--product", "sukarela"), "--amount-rp"),
    ):
        assert run(device_dir, "withdraw", *args) == 2, args
        err = capsys.readouterr().err
        assert text in err and "Traceback" not in err, err
    assert main(["--dir", str(device_dir), "withdraw", "--member", "A001", "--product", "sukarela",
                 "--amount-rp", "60001"]) == 2  # fmt: skip
    assert "melebihi saldo simpanan sukarela" in capsys.readouterr().err
    with Device.open(device_dir) as dev:
        assert dev.status().last_seq == 1
    assert run(device_dir, "shift", "--clerk", "k1", "--since", since) == 0
    out = capsys.readouterr().out
    assert "savings withdrawals (cash paid out)" in out and "Rp 40,000" in out
    assert run(device_dir, "shift", "--clerk", "k1", "--since", since, "--json") == 0
    shift = json.loads(capsys.readouterr().out)[0]
    assert shift["withdrawals_rp"] == 40_000 and shift["cash_expected_rp"] == -40_000


# ---- with central ----------------------------------------------------------------------------------


def _device_of(ledger: Ledger, directory: Path, device: str) -> Path:
    """A toko device registered with ``ledger`` and fed its members snapshot."""
    init_device(directory, DeviceSettings(coop="kopmaju", device=device, unit="toko", branch="pusat"))
    ledger.devices_add(device, public_text(load_key(directory)), "toko", "pusat")
    with Device.open(directory) as dev:
        assert dev.apply_downlink("members", {"kind": "snapshot", "version": 1, "items": ledger.members()})
    return directory


def _ingest(ledger: Ledger, directory: Path, device: str) -> Any:
    """Export the device's outbox as JSON Lines and ingest it at central, signatures required."""
    with Device.open(directory) as dev:
        lines = [data for _, data in dev.iter_outbox(ledger.contiguous_seq(device))]
    return ledger.ingest(lines, require_signature=True, expected_device=device)


def test_central_posts_a_device_withdrawal_and_quarantines_one_beyond_the_ledger(tmp_path: Path) -> None:
    """A device's withdrawal within the ledger balance posts Dr sukarela savings / Cr cash; another
    device, going by an older summary, pays out more than the ledger holds: central quarantines it with
    the balance in the reason and posts nothing."""
    ledger = Ledger.open(tmp_path / "coop.sqlite")
    ledger.init(config.default())
    ledger.import_members([MemberRow("A001", "Siti", "2020-01-01", None, None, None, "anggota", 0)])
    one = _device_of(ledger, tmp_path / "toko-01", "toko-01")
    two = _device_of(ledger, tmp_path / "toko-02", "toko-02")
    with Device.open(one) as dev:
        dev.record_savings_deposit("A001", "sukarela", 100_000)
    assert _ingest(ledger, one, "toko-01").ok
    old = member_summary(ledger, "A001")
    assert old["savings"]["sukarela"] == 100_000
    with Device.open(one) as dev:
        dev.save_member_summary("A001", old)
        rec = dev.record_savings_withdrawal("A001", "sukarela", 60_000)
    report = _ingest(ledger, one, "toko-01")
    assert report.accepted == [rec.id]
    savings = ledger.config.posting.savings_account("sukarela")
    j = schema.journal
    with ledger.read() as conn:
        lines = conn.execute(
            select(j.c.account, j.c.debit_rp, j.c.credit_rp).where(j.c.tx == rec.id).order_by(j.c.line)
        ).all()
    assert [tuple(line) for line in lines] == [
        (savings, 60_000, 0),
        (ledger.config.posting.cash, 0, 60_000),
    ]
    assert member_summary(ledger, "A001")["savings"]["sukarela"] == 40_000
    with Device.open(two) as dev:
        dev.save_member_summary("A001", old)  # what it knew before toko-01's withdrawal
        late = dev.record_savings_withdrawal("A001", "sukarela", 50_000)
    refused = _ingest(ledger, two, "toko-02")
    assert refused.accepted == [] and [r.id for r in refused.rejected] == [late.id]
    reason = refused.rejected[0].reason
    assert "A001" in reason and "Rp 40,000" in reason and "below zero" in reason
    assert [row[5] for row in reports.quarantine(ledger)[0].rows] == [reason]
    with ledger.read() as conn:
        assert conn.execute(select(j.c.tx).where(j.c.tx == late.id)).all() == []
    assert member_summary(ledger, "A001")["savings"]["sukarela"] == 40_000
