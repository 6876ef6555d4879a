"""Laws of the ledger, tried with generated streams: entries balance, the balance sheet balances at any date,
replaying any prefix in any order changes nothing, a tampered duplicate is a conflict."""

from __future__ import annotations

import itertools
import json
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from central import config, sample
from central.books import reports
from central.books.statement import member_summary
from central.ledger import Ledger
from sync import envelope as wire
from tests.central.helpers import Device, account_days_match_journal, snapshot, unbalanced_entries
from tests.support.hostile import hostile_json

MEMBERS = [f"A{n:03d}" for n in range(1, 6)]
PRODUCTS = sample.sample_products()
SAVINGS = list(wire.SAVINGS_PRODUCTS)
START = date(2026, 1, 1)

member_or_none = st.one_of(st.none(), st.sampled_from(MEMBERS))
amount = st.integers(min_value=1, max_value=5_000_000)
ops = st.one_of(
    st.tuples(
        st.just("sale"),
        member_or_none,
        st.sampled_from(["cash", "credit"]),
        st.lists(st.tuples(st.sampled_from(PRODUCTS), st.integers(1, 50)), min_size=1, max_size=4),
    ),
    st.tuples(st.just("deposit"), st.sampled_from(MEMBERS), st.sampled_from(SAVINGS), amount),
    st.tuples(st.just("withdraw"), st.sampled_from(MEMBERS), st.sampled_from(SAVINGS), amount),
    st.tuples(st.just("lend"), st.sampled_from(MEMBERS), amount),
    st.tuples(
        st.just("repay"),
        st.sampled_from(MEMBERS),
        st.integers(0, 2_000_000),
        st.integers(0, 100_000),
    ),
    st.tuples(st.just("void"), st.integers(0, 30)),
)


def build(stream: list[tuple[Any, ...]], days: list[int]) -> list[dict[str, Any]]:
    """Envelopes of one device per unit for a generated list of operations (some may be refused by ingest)."""
    devices: dict[str, Device] = {}
    envs: list[dict[str, Any]] = []
    money: list[dict[str, Any]] = []
    last_loan: dict[str, str] = {}
    day = 0
    for number, (op, gap) in enumerate(zip(stream, days, strict=False)):
        day += gap
        at = f"{START + timedelta(days=day)}T{8 + number % 9:02d}:00:00+07:00"
        kind = op[0]
        if kind == "sale":
            _, member, payment, items = op
            unit = items[0][0].unit
            lines = [
                {"sku": p.sku, "qty": q, "price_rp": p.price_rp, "cost_rp": p.cost_rp}
                for p, q in items
                if p.unit == unit
            ]
            if member is None:
                payment = "cash"
            dev = devices.setdefault(unit, Device(f"d-{unit}", unit))
            total = sum(wire.line_amount_rp(line) for line in lines)
            env = dev.make(
                "sale", sign=False, at=at, member=member, payment=payment, lines=lines, total=total
            )
            money.append(env)
        elif kind in ("deposit", "withdraw"):
            _, member, product, value = op
            dev = devices.setdefault("simpan-pinjam", Device("d-sp", "simpan-pinjam"))
            name = "savings_deposit" if kind == "deposit" else "savings_withdrawal"
            env = dev.make(name, sign=False, at=at, member=member, product=product, total=value)
            money.append(env)
        elif kind == "lend":
            _, member, value = op
            dev = devices.setdefault("simpan-pinjam", Device("d-sp", "simpan-pinjam"))
            last_loan[member] = f"L{number}"
            env = dev.make(
                "loan_disbursement",
                sign=False,
                at=at,
                member=member,
                loan=f"L{number}",
                total=value,
            )
            money.append(env)
        elif kind == "repay":
            _, member, principal, interest = op
            if principal + interest == 0:
                continue
            dev = devices.setdefault("simpan-pinjam", Device("d-sp", "simpan-pinjam"))
            env = dev.make(
                "installment", sign=False, at=at, member=member, loan=last_loan.get(member, "L-none"),
                principal_rp=principal, interest_rp=interest, total=principal + interest,
            )  # fmt: skip
            money.append(env)
        else:
            if not money:
                continue
            original = money[-1 - op[1] % len(money)]
            dev = devices[original["unit"]]
            env = dev.make(
                "void", sign=False, at=at, member=original["member"], payment=original["payment"],
                total=original["total"], ref=original["id"], reason="batal",
            )  # fmt: skip
        envs.append(env)
    return envs


def fresh_ledger(directory: str) -> Ledger:
    ledger = Ledger.open(str(Path(directory) / "p.sqlite"))
    ledger.init(config.default())
    data = sample.SampleData(sample.sample_members(len(MEMBERS), 1), PRODUCTS, (), ())
    sample.load_into(ledger, data)
    return ledger


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stream=st.lists(ops, min_size=1, max_size=40),
    days=st.lists(st.integers(0, 20), min_size=40, max_size=40),
    probe=st.lists(st.integers(0, 900), min_size=1, max_size=4),
)
def test_any_stream_posts_balanced_entries_and_a_balanced_sheet(
    stream: list[tuple[Any, ...]], days: list[int], probe: list[int]
) -> None:
    """Whatever valid envelopes arrive, each entry balances and assets = liabilities + equity at any date."""
    with tempfile.TemporaryDirectory() as directory:
        ledger = fresh_ledger(directory)
        try:
            ledger.ingest(build(stream, days))
            assert unbalanced_entries(ledger) == []
            assert account_days_match_journal(ledger)
            trial = dict(reports.trial_balance(ledger, reports.Period())[0].summary)
            assert trial["balanced"] is True
            for offset in probe:
                on = (START + timedelta(days=offset)).isoformat()
                summary = dict(reports.balance_sheet(ledger, on)[0].summary)
                assert summary["assets_rp"] == summary["liabilities_rp"] + summary["equity_rp"]
            for member in ledger.members():  # savings never go below zero
                assert all(v >= 0 for v in member_summary(ledger, member["number"])["savings"].values())
        finally:
            ledger.close()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_replaying_any_prefix_in_any_order_changes_nothing(
    loaded: Ledger, month: sample.SampleData, data
) -> None:
    """After a stream is ingested, replaying any prefix of it, shuffled, only finds duplicates."""
    envelopes = list(month.envelopes[:300])
    if not snapshot(loaded)["ids"]:
        assert loaded.ingest(envelopes).ok
    before = snapshot(loaded)
    length = data.draw(st.integers(1, len(envelopes)))
    replay = data.draw(st.permutations(envelopes[:length]))
    report = loaded.ingest(replay)
    assert report.accepted == [] and report.rejected == []
    assert len(report.duplicates) == length
    assert snapshot(loaded) == before


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_tampered_duplicate_is_a_conflict(loaded: Ledger, month: sample.SampleData, data) -> None:
    """Any change to a committed envelope's content under the same id is refused as a conflict."""
    envelopes = list(month.envelopes[:100])
    if not snapshot(loaded)["ids"]:
        assert loaded.ingest(envelopes).ok
    before = snapshot(loaded)
    original = data.draw(st.sampled_from(envelopes))
    field = data.draw(st.sampled_from(["at", "note", "clerk"]))
    tampered = {k: v for k, v in original.items() if k != "sig"}
    tampered[field] = "2026-03-02T09:00:00+07:00" if field == "at" else "diubah"
    if tampered == {k: v for k, v in original.items() if k != "sig"}:
        return
    report = loaded.ingest([tampered])
    assert report.rejected and report.rejected[0].reason.startswith("conflict")
    assert snapshot(loaded) == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    junk=st.lists(
        st.one_of(
            st.binary(max_size=200),
            json_values.map(lambda v: wire.canonical({"v": 1, "kind": "sale", "x": v})),
            st.dictionaries(
                st.sampled_from(["v", "id", "device", "seq", "kind", "lines", "total"]), json_values
            ),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_garbage_never_crashes_ingest(loaded: Ledger, junk: list[Any]) -> None:
    """Random bytes and random JSON are each quarantined with a reason; ingest itself never fails."""
    before = snapshot(loaded)
    report = loaded.ingest(junk)
    assert len(report.rejected) == len(junk)
    assert all(r.reason for r in report.rejected)
    assert snapshot(loaded) == before


# What a hostile or broken device could put in a field, with texts that pass the first checks.
hostile_values = hostile_json(["", "toko", "A001", "wajib", "L-1", "cash", "credit", "0" * 64, "2026-03-01"])
FIELDS = sorted(
    {
        *wire._BASE_KEYS,
        "product",
        "loan",
        "principal_rp",
        "interest_rp",
        "ref",
        "reason",
        "supplier",
        "clerk",
        "note",
    }
)


def _valid_of_each_kind(dev: Device, loaded_member: str) -> list[dict[str, Any]]:
    """One valid, unsigned envelope of each kind (a loan and the sale a void and a dispute refer to
    come first, so that their references exist)."""
    sale = dev.sale(member=loaded_member, sign=False)
    lend = dev.make(
        "loan_disbursement", sign=False, member=loaded_member, loan=f"L-{dev.name}", total=500_000
    )
    return [
        sale,
        lend,
        dev.make("installment", sign=False, member=loaded_member, loan=f"L-{dev.name}", principal_rp=100_000,
                 interest_rp=5_000, total=105_000),
        dev.make("savings_deposit", sign=False, member=loaded_member, product="sukarela", total=50_000),
        dev.make("savings_withdrawal", sign=False, member=loaded_member, product="sukarela", total=20_000),
        dev.make("void", sign=False, member=sale["member"], payment=sale["payment"], total=sale["total"],
                 ref=sale["id"], reason="salah input"),
        dev.make("dispute", sign=False, member=loaded_member, ref=sale["id"], reason="harga salah", total=0),
        dev.make("purchase", sign=False, lines=[{**sale["lines"][0], "price_rp": 1000, "cost_rp": 1000}],
                 total=1000 * sale["lines"][0]["qty"], supplier="CV Tani"),
        dev.make("supplier_payment", sign=False, supplier="CV Tani", total=1000),
        dev.make("credit_payment", sign=False, member=loaded_member, total=1000),
    ]  # fmt: skip


FUZZ_DEVICE = "t-fuzz"
_fuzz_runs = itertools.count(1)


@st.composite
def mutants(draw: st.DrawFn) -> list[bytes]:
    """Valid envelopes of every kind from one device, one to three of them with one to three fields
    (or a line's) set to hostile values, as JSON text."""
    dev = Device(name=FUZZ_DEVICE)  # renamed per example by the test: a fresh chain each time
    envs = _valid_of_each_kind(dev, draw(st.sampled_from(MEMBERS)))
    valid_lines = [env["lines"] for env in envs]  # the lists of line objects, even once replaced
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(envs) - 1))
        env, lines = envs[at], valid_lines[at]
        for _ in range(draw(st.integers(1, 3))):
            if lines and draw(st.booleans()):
                line = draw(st.sampled_from(lines))
                field = draw(st.sampled_from(["sku", "qty", "price_rp", "cost_rp", "extra"]))
                line[field] = draw(hostile_values)
            else:
                env[draw(st.sampled_from(FIELDS))] = draw(hostile_values)
    return [json.dumps(env, ensure_ascii=True, allow_nan=True).encode("ascii") for env in envs]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=mutants())
def test_hostile_fields_never_crash_ingest(loaded: Ledger, batch: list[bytes]) -> None:
    """Envelopes that pass for valid until one field is hostile reach every check past the shape check
    (members, products, loans, posting); each is accepted or refused with a reason, ingest itself never
    raises, and the books stay balanced (invariants 2 and 5)."""
    name = f"{FUZZ_DEVICE}-{next(_fuzz_runs)}".encode()  # the ledger is shared by the examples
    batch = [text.replace(FUZZ_DEVICE.encode(), name) for text in batch]
    report = loaded.ingest(batch)
    assert len(report.accepted) + len(report.duplicates) + len(report.rejected) == len(batch)
    assert all(r.reason for r in report.rejected)
    assert unbalanced_entries(loaded) == []
    assert account_days_match_journal(loaded)
