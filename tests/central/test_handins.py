"""The daily deposit at central: a real device's hand-in ingested posts nothing; the treasurer's
confirmation books the differences once on the office chain and the books stay balanced; the
reconciliation recomputes the shift's cash from the ledger (equal for an honest device, shown different
for a tampered one); shifts without a hand-in are listed; the command line over the same."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from central import config
from central.cli.app import main
from central.handins import rules, store
from central.ledger import Ledger, schema
from central.members.rows import MemberRow, ProductRow
from central.office import identity
from central.office.identity import Office
from edge.device import Device
from edge.install import init_device
from edge.keys import load as load_key
from edge.keys import public_text
from edge.settings import DeviceSettings
from tests.central.helpers import unbalanced_entries

DAY = date(2026, 3, 5)
CASH, DIFFERENCE = "1101", "5802"


class Ticker:
    """A device clock from 07:00 on DAY that moves one minute per reading."""

    def __init__(self, tz: object) -> None:
        self.now = datetime(2026, 3, 5, 7, 0, tzinfo=tz)  # type: ignore[arg-type]

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@dataclass
class Shop:
    ledger: Ledger
    office: Office
    device_dir: Path
    clock: Ticker

    def device(self) -> Device:
        return Device.open(self.device_dir, clock=self.clock)

    def sync(self) -> None:
        with self.device() as dev:
            envs = [data for _, data in dev.iter_outbox(self.ledger.contiguous_seq("toko-01"))]
        report = self.ledger.ingest(envs, require_signature=True, expected_device="toko-01")
        assert report.rejected == [], report.rejected


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    """A ledger with one member, one product, the office, and a real toko device with clerk k1."""
    ledger = Ledger.open(tmp_path / "coop.sqlite")
    ledger.init(config.default())
    ledger.import_members([MemberRow("A001", "Siti", "2020-01-01", None, None, None, "anggota", 500000)])
    ledger.import_products([ProductRow("8991001", "Beras 5 kg", "toko", 68000, 61000)])
    device_dir = tmp_path / "device"
    init_device(device_dir, DeviceSettings(coop="kopmaju", device="toko-01", unit="toko", branch="pusat"))
    ledger.devices_add("toko-01", public_text(load_key(device_dir)), "toko", "pusat")
    office = identity.init(ledger, tmp_path / "office.key")[0]
    clock = Ticker(ledger.config.tz)
    with Device.open(device_dir, clock=clock) as dev:
        assert dev.apply_downlink("members", {"kind": "snapshot", "version": 1, "items": ledger.members()})
        catalog = [{**p, "stock": 100} for p in ledger.products()]
        assert dev.apply_downlink("catalog", {"kind": "snapshot", "version": 1, "items": catalog})
        dev.add_clerk("k1", "Ani", "1357")
        dev.add_clerk("k2", "Edi", "2468")
    yield Shop(ledger, office, device_dir, clock)
    ledger.close()


def _shift(dev: Device, clerk: str = "k1") -> None:
    """Cash sales 3 x 68,000, one voided; a credit sale; a deposit of 50,000: cash expected 186,000."""
    first = dev.record_sale([("8991001", 1)], clerk=clerk)
    dev.record_sale([("8991001", 2)], clerk=clerk)
    dev.record_sale([("8991001", 1)], member="A001", payment="credit", clerk=clerk)
    dev.record_savings_deposit("A001", "wajib", 50_000, clerk=clerk)
    dev.record_void(first.id, "salah", clerk=clerk)


def _journal_count(ledger: Ledger) -> int:
    with ledger.read() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.journal)).scalar_one())


def _balance(ledger: Ledger, account: str) -> int:
    j = schema.journal
    with ledger.read() as conn:
        debit, credit = conn.execute(
            select(func.coalesce(func.sum(j.c.debit_rp), 0), func.coalesce(func.sum(j.c.credit_rp), 0)).where(
                j.c.account == account
            )
        ).one()
    return int(debit) - int(credit)


def _handed_in(shop: Shop, counted: int) -> store.Handin:
    with shop.device() as dev:
        _shift(dev)
        rec = dev.record_handin("k1", counted, "2026-03-05T07:00:00+07:00")
    shop.sync()
    return store.get(shop.ledger, rec.id)


def test_a_handin_is_accepted_and_posts_nothing(shop: Shop) -> None:
    """The hand-in is a transaction without journal lines; the list shows it unconfirmed."""
    with shop.device() as dev:
        _shift(dev)
    shop.sync()
    before = _journal_count(shop.ledger)
    with shop.device() as dev:
        dev.record_handin("k1", 186_000, "2026-03-05T07:00:00+07:00")
    shop.sync()
    assert _journal_count(shop.ledger) == before
    (h,) = store.handins(shop.ledger, day=DAY)
    assert (h.clerk, h.unit, h.expected_rp, h.counted_rp, h.received_rp) == (
        "k1",
        "toko",
        186_000,
        186_000,
        None,
    )
    assert h.difference_rp == 0
    assert store.handins(shop.ledger, day=DAY, unit="cafe") == []


def test_confirm_books_the_differences_once(shop: Shop) -> None:
    """Counted 180,000 of 186,000 expected, received 179,000: two pairs of lines (6,000 the clerk's,
    1,000 the hand-over's) on the cash-difference account, once; the books balance."""
    h = _handed_in(shop, 180_000)
    cash_before = _balance(shop.ledger, CASH)
    done = store.confirm(shop.ledger, shop.office, h.id, 179_000, by="bendahara")
    assert not done.already and done.handin.received_rp == 179_000 and done.handin.posted_tx is not None
    assert _balance(shop.ledger, DIFFERENCE) == 7_000
    assert _balance(shop.ledger, CASH) == cash_before - 7_000
    j = schema.journal
    with shop.ledger.read() as conn:
        memos = conn.execute(select(j.c.memo, j.c.debit_rp).where(j.c.tx == done.handin.posted_tx)).all()
    assert {(m, d) for m, d in memos if d} == {(rules.MEMO_COUNTED, 6_000), (rules.MEMO_RECEIVED, 1_000)}
    journals = _journal_count(shop.ledger)
    again = store.confirm(shop.ledger, shop.office, h.id, 179_000, by="bendahara")
    assert again.already and _journal_count(shop.ledger) == journals
    with pytest.raises(store.HandinError) as refused:
        store.confirm(shop.ledger, shop.office, h.id, 180_000, by="bendahara")
    assert "sudah dikonfirmasi" in refused.value.text("id") and "confirmed already" in refused.value.text(
        "en"
    )
    assert unbalanced_entries(shop.ledger) == []


def test_confirm_without_difference_posts_nothing(shop: Shop) -> None:
    """Received = counted = expected: the receipt is recorded, no entry."""
    h = _handed_in(shop, 186_000)
    journals = _journal_count(shop.ledger)
    done = store.confirm(shop.ledger, shop.office, h.id, 186_000, by="bendahara")
    assert done.handin.posted_tx is None and done.handin.received_rp == 186_000
    assert _journal_count(shop.ledger) == journals


def test_confirm_refuses_bad_requests(shop: Shop) -> None:
    """An unknown id, a negative amount, an empty --by: refused in both languages, nothing recorded."""
    h = _handed_in(shop, 186_000)
    for tx, amount, by in (("nope", 1, "b"), (h.id, -1, "b"), (h.id, 1, " ")):
        with pytest.raises(store.HandinError) as caught:
            store.confirm(shop.ledger, shop.office, tx, amount, by=by)
        assert caught.value.text("id") != caught.value.text("en")
    assert store.get(shop.ledger, h.id).received_rp is None


def test_reconcile_agrees_with_an_honest_device(shop: Shop) -> None:
    """The ledger's expected equals the device's; the row lists the shift's transactions; another
    clerk's sales are not in it."""
    with shop.device() as dev:
        dev.record_sale([("8991001", 1)], clerk="k2")
    h = _handed_in(shop, 185_000)
    (row,) = store.reconcile(shop.ledger, DAY)
    assert row["expected_device_rp"] == row["expected_ledger_rp"] == 186_000 and row["device_agrees"]
    assert row["difference_rp"] == -1_000 and row["id"] == h.id
    t = schema.transactions
    with shop.ledger.read() as conn:
        ids = set(
            conn.execute(select(t.c.id).where(t.c.clerk == "k1", t.c.kind.in_(rules.CASH_KINDS))).scalars()
        )
    assert set(row["transactions"]) == ids and len(ids) == 5


def test_reconcile_shows_a_tampered_device(shop: Shop) -> None:
    """A device whose store hides a cash sale from the shift summary hands in a lower expected; the
    ledger's recomputation shows the sale, and the row says the device does not agree."""
    with shop.device() as dev:
        _shift(dev)
        hidden = dev.record_sale([("8991001", 1)], clerk="k1")
        dev._conn.execute("UPDATE outbox SET clerk = NULL WHERE id = ?", (hidden.id,))  # the tampering
        rec = dev.record_handin("k1", 186_000, "2026-03-05T07:00:00+07:00")
    shop.sync()
    (row,) = store.reconcile(shop.ledger, DAY)
    assert (row["expected_device_rp"], row["expected_ledger_rp"]) == (186_000, 254_000)
    assert not row["device_agrees"] and row["difference_rp"] == -68_000 and hidden.id in row["transactions"]
    assert rec.id == row["id"]


def test_missing_handins_are_listed(shop: Shop) -> None:
    """k1 handed in, k2 sold and did not: only k2's shift is missing, with its cash."""
    with shop.device() as dev:
        dev.record_sale([("8991001", 1)], clerk="k2")
        _shift(dev)
        dev.record_handin("k1", 186_000, "2026-03-05T07:00:00+07:00")
    shop.sync()
    (gap,) = store.missing(shop.ledger, DAY)
    assert (gap.clerk, gap.device, gap.transactions, gap.cash_expected_rp) == ("k2", "toko-01", 1, 68_000)
    assert store.missing(shop.ledger, DAY + timedelta(days=1)) == []


def test_the_command_line(shop: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """list, reconcile --json/--csv, missing, confirm (twice: once booked), and a usage error."""
    h = _handed_in(shop, 180_000)
    db = ["--db", str(tmp_path / "coop.sqlite"), "--lang", "en"]
    assert main([*db, "handins", "list", "--day", "2026-03-05"]) == 0
    assert h.id in capsys.readouterr().out
    assert main([*db, "handins", "reconcile", "--day", "2026-03-05", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["expected_ledger_rp"] == 186_000
    assert main([*db, "handins", "reconcile", "--day", "2026-03-05", "--csv"]) == 0
    assert capsys.readouterr().out.startswith("unit,clerk,device")
    assert main([*db, "handins", "missing", "--day", "2026-03-05", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    key = ["--office-key", str(tmp_path / "office.key")]
    confirm = [*db, "handins", "confirm", "--id", h.id, "--received-rp", "180000", "--by", "bendahara", *key]
    assert main(confirm) == 0
    assert "Difference booked" in capsys.readouterr().out
    assert main(confirm) == 0
    assert "confirmed before" in capsys.readouterr().out
    assert main([*db, "handins", "confirm", "--id", "nope", "--received-rp", "1", *key]) == 2
    assert "no hand-in" in capsys.readouterr().err
    assert main([*db, "handins", "list", "--unit", "nope"]) == 2
    assert unbalanced_entries(shop.ledger) == []


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["sale", "savings_deposit", "installment", "savings_withdrawal", "void"]),
            st.sampled_from(["cash", "credit"]),
            st.integers(0, 10**7),
            st.sampled_from([None, "sale", "savings_withdrawal", "savings_deposit"]),
        ),
        max_size=30,
    )
)
def test_central_and_device_count_a_shift_alike(items: list[tuple[str, str, int, str | None]]) -> None:
    """The ledger's recomputation is the device's shift-summary rule, for any mix of transactions."""
    from edge.rules import OutboxFact, shift_summary

    facts = [
        (
            k,
            "cash" if k in ("savings_deposit", "installment", "savings_withdrawal") else p,
            v,
            r if k == "void" else None,
        )
        for k, p, v, r in items
    ]
    device = shift_summary("k", "2026-03-05T07:00:00+07:00", [OutboxFact(*f) for f in facts])
    central = rules.cash_expected_rp(rules.Fact(str(i), *f) for i, f in enumerate(facts))
    assert central == device.cash_expected_rp


@given(st.integers(-(10**6), 10**6), st.integers(0, 10**6), st.integers(0, 10**6))
def test_difference_lines_balance_and_close_the_gap(expected: int, counted: int, received: int) -> None:
    """The difference entry balances and moves cash by exactly received - expected."""
    lines = rules.difference_lines(expected, counted, received, cash=CASH, difference=DIFFERENCE)
    assert sum(x.debit_rp for x in lines) == sum(x.credit_rp for x in lines)
    assert sum(x.debit_rp - x.credit_rp for x in lines if x.account == CASH) == received - expected
    assert all((x.debit_rp > 0) != (x.credit_rp > 0) for x in lines)
