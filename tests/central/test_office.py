"""Office entries: the office's key and chain, each command's journal lines, a gapless chain under
concurrency and crashes, and any sequence of office commands keeping the books balanced."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from central import config, sample
from central.cli import app
from central.ledger import Ledger, schema
from central.office import entries, identity, record
from central.office.errors import EntryInvalid, EntryRefused, OfficeKeyError
from sync import envelope as wire
from tests.central.helpers import TOKO_PRICE, TOKO_SKU

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def office(loaded: Ledger, tmp_path: Path) -> identity.Office:
    """The office set up on a ledger holding the sample members, products and devices."""
    return identity.init(loaded, tmp_path / "office.key")[0]


def _lines(entry: record.Recorded) -> list[tuple[str, int, int]]:
    return [(line.account, line.debit_rp, line.credit_rp) for line in entry.lines]


def _journal_totals(ledger: Ledger) -> tuple[int, int]:
    j = schema.journal
    with ledger.read() as conn:
        debit, credit = conn.execute(select(func.sum(j.c.debit_rp), func.sum(j.c.credit_rp))).one()
    return int(debit or 0), int(credit or 0)


def _office_seqs(ledger: Ledger, device: str) -> list[int]:
    t = schema.transactions
    with ledger.read() as conn:
        return [
            int(s)
            for s in conn.execute(select(t.c.seq).where(t.c.device == device).order_by(t.c.seq)).scalars()
        ]


def _quarantined(ledger: Ledger) -> int:
    with ledger.read() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.quarantine)).scalar_one())


def test_each_command_posts_its_journal_lines(loaded: Ledger, office: identity.Office) -> None:
    """Every office kind ingests as a signed envelope and posts the journal lines of its kind."""
    p = loaded.config.posting

    def go(body: dict[str, Any]) -> record.Recorded:
        return record.record(loaded, office, body, at=AT, by="bendahara")

    deposit = go(entries.savings_deposit("A001", "sukarela", 300_000))
    assert _lines(deposit) == [(p.cash, 300_000, 0), ("2101", 0, 300_000)]
    withdrawal = go(entries.savings_withdrawal("A001", "sukarela", 100_000))
    assert _lines(withdrawal) == [("2101", 100_000, 0), (p.cash, 0, 100_000)]
    loan = go(entries.loan_disbursement("A002", "PJ-T1", 1_000_000))
    assert _lines(loan) == [(p.loans, 1_000_000, 0), (p.cash, 0, 1_000_000)]
    paid = go(entries.installment("A002", "PJ-T1", 90_000, 10_000))
    assert _lines(paid) == [(p.cash, 100_000, 0), (p.loans, 0, 90_000), (p.interest_income, 0, 10_000)]
    bought = go(
        entries.purchase(
            "toko", [entries.PurchaseLine(TOKO_SKU, 10, 2_000)], payment="credit", supplier="CV X"
        )
    )
    assert _lines(bought) == [(p.inventory, 20_000, 0), ("2301", 0, 20_000)]
    supplier = go(entries.supplier_payment("CV X", 20_000))
    assert _lines(supplier) == [("2301", 20_000, 0), (p.cash, 0, 20_000)]
    credit = go(entries.credit_payment("A003", 5_000))
    assert _lines(credit) == [(p.cash, 5_000, 0), (p.receivable, 0, 5_000)]
    void = go(record.void_body(loaded, withdrawal.id, "salah ketik"))
    assert _lines(void) == [("2101", 0, 100_000), (p.cash, 100_000, 0)]
    assert [e.seq for e in (deposit, withdrawal, loan, paid, bought, supplier, credit, void)] == list(
        range(1, 9)
    )
    assert deposit.by == "bendahara"
    debit, credit_sum = _journal_totals(loaded)
    assert debit == credit_sum
    assert loaded.contiguous_seq(office.device) == 8


def test_office_is_a_registered_device_with_the_key_on_file(loaded: Ledger, tmp_path: Path) -> None:
    """init writes a 0600 key, registers it as a device, and a second init changes nothing."""
    path = tmp_path / "office.key"
    office, created = identity.init(loaded, path)
    assert created and (path.stat().st_mode & 0o777) == 0o600
    before = path.read_bytes()
    again, created_again = identity.init(loaded, path)
    assert not created_again and path.read_bytes() == before and again.device == office.device
    listed = {d["device"]: d for d in loaded.devices_list()}
    assert listed[office.device]["public_key"] == wire.public_key_text(office.key.public_key())


def test_init_refuses_a_key_that_is_not_the_registered_one(loaded: Ledger, tmp_path: Path) -> None:
    """A second key file for an office already registered is refused, not registered over the first."""
    identity.init(loaded, tmp_path / "office.key")
    with pytest.raises(OfficeKeyError, match="another key"):
        identity.init(loaded, tmp_path / "other.key")


def test_key_readable_by_others_is_refused(loaded: Ledger, office: identity.Office, tmp_path: Path) -> None:
    """A key file others may read is refused with the chmod that fixes it."""
    path = tmp_path / "office.key"
    path.chmod(0o644)
    with pytest.raises(OfficeKeyError, match="chmod 600"):
        identity.load(loaded, path)


def test_key_path_sits_beside_a_sqlite_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --office-key or KOP_OFFICE_KEY the key is beside the SQLite file; PostgreSQL needs one."""
    monkeypatch.delenv(identity.KEY_ENV, raising=False)
    assert identity.key_path("/srv/coop.sqlite") == Path("/srv/coop.office.key")
    with pytest.raises(OfficeKeyError, match="--office-key"):
        identity.key_path("postgresql://u@h/db")
    monkeypatch.setenv(identity.KEY_ENV, "/keys/o.key")
    assert identity.key_path("postgresql://u@h/db") == Path("/keys/o.key")


def test_a_mistake_is_refused_before_signing(loaded: Ledger, office: identity.Office) -> None:
    """A withdrawal above the balance is refused with the balance, nothing signed or quarantined."""
    with pytest.raises(EntryInvalid, match="has Rp 0"):
        record.record(loaded, office, entries.savings_withdrawal("A001", "sukarela", 1), at=AT)
    with pytest.raises(EntryInvalid, match="unknown member"):
        record.record(loaded, office, entries.savings_deposit("Z999", "wajib", 1), at=AT)
    assert _office_seqs(loaded, office.device) == [] and _quarantined(loaded) == 0


def test_a_refused_entry_leaves_no_gap(loaded: Ledger, office: identity.Office) -> None:
    """An entry the ledger refuses is quarantined with its reason and the office chain stays contiguous."""
    bad = entries.purchase("toko", [entries.PurchaseLine("NO-SUCH-SKU", 1, 100)])
    with pytest.raises(EntryRefused, match="unknown sku"):
        record.record(loaded, office, bad, at=AT)
    good = record.record(loaded, office, entries.savings_deposit("A001", "wajib", 50_000), at=AT)
    assert _quarantined(loaded) == 1
    assert loaded.contiguous_seq(office.device) == good.seq == record.chain_head(loaded, office.device)[0]


def test_a_crash_between_signing_and_ingest_leaves_no_gap(loaded: Ledger, office: identity.Office) -> None:
    """An envelope signed but never ingested leaves nothing: the next entry takes its seq, and the lost
    one, if it turns up later, is refused as a conflict instead of forking the chain."""
    lost: list[dict[str, Any]] = []

    def crash(signed: list[dict[str, Any]]) -> None:
        lost.extend(signed)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        record.record(
            loaded, office, entries.savings_deposit("A001", "wajib", 10_000), at=AT, before_ingest=crash
        )
    after = record.record(loaded, office, entries.savings_deposit("A001", "wajib", 20_000), at=AT)
    assert after.seq == 1 == lost[0]["seq"]
    report = loaded.ingest(lost, require_signature=True, expected_device=office.device)
    assert "conflict" in report.rejected[0].reason
    record.record(loaded, office, entries.savings_deposit("A001", "wajib", 30_000), at=AT)
    assert _office_seqs(loaded, office.device) == [1, 2]
    with loaded.read() as conn:
        assert conn.execute(select(func.count()).select_from(schema.chain_breaks)).scalar_one() == 0


def test_a_killed_process_releases_the_chain(loaded: Ledger, office: identity.Office, tmp_path: Path) -> None:
    """A process killed after signing, holding the chain lock, leaves no gap and does not block the next."""
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from central.ledger import Ledger\n"
        "from central.office import entries, identity, record\n"
        "ledger = Ledger.open(sys.argv[1])\n"
        "office = identity.load(ledger, Path(sys.argv[2]))\n"
        "record.record(ledger, office, entries.savings_deposit('A001', 'wajib', 1000),\n"
        "              before_ingest=lambda signed: os._exit(9))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, loaded.target, str(tmp_path / "office.key")],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 9, done.stderr
    entry = record.record(loaded, office, entries.savings_deposit("A001", "wajib", 2000), at=AT)
    assert entry.seq == 1 and _office_seqs(loaded, office.device) == [1]


def test_concurrent_commands_do_not_fork_the_chain(loaded: Ledger, office: identity.Office) -> None:
    """Office entries from several threads at once land on one gapless chain, none refused."""
    errors: list[BaseException] = []

    def work(member: str) -> None:
        with Ledger.open(loaded.target) as own:
            for _ in range(6):
                try:
                    record.record(own, office, entries.savings_deposit(member, "wajib", 10_000), at=AT)
                except BaseException as err:
                    errors.append(err)

    threads = [threading.Thread(target=work, args=(m,)) for m in ("A001", "A002", "A003")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _office_seqs(loaded, office.device) == list(range(1, 19))
    assert _quarantined(loaded) == 0


def _cli(db: str, key: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "central", "--db", db, "office", *argv, "--office-key", str(key)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_concurrent_processes_do_not_fork_the_chain(tmp_path: Path) -> None:
    """Two `office` command lines run at once by two processes leave one gapless chain."""
    db = str(tmp_path / "coop.sqlite")
    with Ledger.open(db) as ledger:
        ledger.init(config.default())
        ledger.import_members(sample.sample_members(3, 1))
        identity.init(ledger, tmp_path / "office.key")
    script = (
        "import sys\n"
        "from central.cli.app import main\n"
        "for _ in range(4):\n"
        "    code = main(['--db', sys.argv[1], 'office', 'savings-deposit', '--member', sys.argv[3],\n"
        "                 '--product', 'wajib', '--amount', '1000', '--office-key', sys.argv[2]])\n"
        "    assert code == 0, code\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, db, str(tmp_path / "office.key"), member], cwd=ROOT)
        for member in ("A001", "A002")
    ]
    assert [proc.wait(timeout=120) for proc in procs] == [0, 0]
    with Ledger.open(db) as ledger:
        assert _office_seqs(ledger, identity.DEFAULT_DEVICE) == list(range(1, 9))


def test_cli_prints_the_entry_or_the_refusal(
    loaded: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command prints id, seq and journal lines; a refusal exits non-zero with the reason, in English."""
    key = str(tmp_path / "office.key")
    base = ["--db", loaded.target]
    assert app.main([*base, "office", "init", "--office-key", key]) == 0
    assert (
        app.main(
            [
                *base,
                "office",
                "savings-deposit",
                "--member",
                "A001",
                "--product",
                "wajib",
                "--amount",
                "25000",
                "--office-key",
                key,
                "--by",
                "siti",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "seq 1" in out and "3102" in out and "25.000" in out and "siti" in out
    code = app.main(
        [
            *base,
            "--lang",
            "en",
            "office",
            "savings-withdrawal",
            "--member",
            "A001",
            "--product",
            "wajib",
            "--amount",
            "99999",
            "--office-key",
            key,
            "--json",
        ]
    )
    assert code == 2 and '"ok": false' in capsys.readouterr().out
    assert app.main([*base, "office", "void", "nope", "--reason", "x", "--office-key", key]) == 2
    assert "tidak ada" in capsys.readouterr().err


def test_cli_without_office_init_says_what_to_run(
    loaded: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An office command before `office init` names the command to run, not a traceback."""
    code = app.main(
        [
            "--db",
            loaded.target,
            "office",
            "credit-payment",
            "--member",
            "A001",
            "--amount",
            "1",
            "--office-key",
            str(tmp_path / "none.key"),
        ]
    )
    assert code == 2 and "office init" in capsys.readouterr().err


def test_cli_purchase_lines_from_args(
    loaded: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`office purchase --line SKU:QTY:PRICE` records the purchase with those lines."""
    key = str(tmp_path / "office.key")
    app.main(["--db", loaded.target, "office", "init", "--office-key", key])
    code = app.main(
        [
            "--db",
            loaded.target,
            "office",
            "purchase",
            "--unit",
            "toko",
            "--line",
            f"{TOKO_SKU}:3:{TOKO_PRICE}",
            "--supplier",
            "CV Y",
            "--office-key",
            key,
            "--json",
        ]
    )
    assert code == 0 and f'"total_rp": {3 * TOKO_PRICE}' in capsys.readouterr().out


def _step(
    ledger: Ledger, kind: str, member: str, amount: int, number: int, done: list[str]
) -> dict[str, Any]:
    """The body of one generated office command."""
    loan = f"PJ-{member}"
    if kind == "deposit":
        return entries.savings_deposit(member, "sukarela", amount)
    if kind == "withdraw":
        return entries.savings_withdrawal(member, "sukarela", amount)
    if kind == "lend":
        return entries.loan_disbursement(member, f"{loan}-{number}", amount)
    if kind == "repay":
        return entries.installment(member, f"{loan}-{number - 1}", amount, 0)
    if kind == "credit":
        return entries.credit_payment(member, amount)
    if kind == "buy":
        return entries.purchase("toko", [entries.PurchaseLine(TOKO_SKU, 1, amount)], payment="credit")
    if kind == "pay":
        return entries.supplier_payment("CV Z", amount)
    try:
        return record.void_body(ledger, done[-1] if done else "none", "uji")
    except EntryInvalid:
        return entries.credit_payment(member, amount)


KINDS = st.sampled_from(["deposit", "withdraw", "lend", "repay", "credit", "buy", "pay", "void"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(KINDS, st.integers(1, 3), st.integers(1, 400_000)), min_size=1, max_size=12))
def test_any_sequence_of_office_commands_keeps_the_books_balanced(steps: list[tuple[str, int, int]]) -> None:
    """Whatever office commands run, refused or not, the journal balances and the chain has no gap."""
    with tempfile.TemporaryDirectory() as tmp, Ledger.open(os.path.join(tmp, "l.sqlite")) as ledger:
        ledger.init(config.default())
        ledger.import_members(sample.sample_members(3, 1))
        ledger.import_products(sample.sample_products()[:1])
        office = identity.init(ledger, Path(tmp) / "office.key")[0]
        done: list[str] = []
        for number, (kind, who, amount) in enumerate(steps):
            body = _step(ledger, kind, f"A{who:03d}", amount, number, done)
            with contextlib.suppress(EntryInvalid, EntryRefused):
                done.append(record.record(ledger, office, body, at=AT).id)
        debit, credit = _journal_totals(ledger)
        assert debit == credit
        assert ledger.contiguous_seq(office.device) == record.chain_head(ledger, office.device)[0]
        assert len(_office_seqs(ledger, office.device)) == len(done)


def test_every_office_command_is_documented() -> None:
    """docs/central.md shows each `office` action the command line has."""
    import argparse

    text = (ROOT / "docs" / "central.md").read_text(encoding="utf-8")
    parser = app.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    office_parser = sub.choices["office"]
    actions = next(a for a in office_parser._actions if isinstance(a, argparse._SubParsersAction))
    assert [name for name in actions.choices if f"office {name}" not in text] == []
