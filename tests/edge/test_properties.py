"""Laws of the device store, checked over generated sequences of recordings."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edge.device import Device
from edge.errors import EdgeError
from tests.edge.chain import assert_stock_matches, assert_whole_chain
from tests.edge.conftest import make_device

SKUS = ("8991001", "8991002", "8991003", "TELUR", "PULSA", "KOPI", "NOPE")
QTYS = st.one_of(
    st.integers(min_value=-1, max_value=12), st.sampled_from(["0.5", "1.125", "2.000", "x", "0"])
)
MEMBERS = st.sampled_from([None, "A001", "A002", "A003", "Z9"])

sale = st.tuples(
    st.just("sale"),
    st.lists(st.tuples(st.sampled_from(SKUS), QTYS), min_size=0, max_size=4),
    MEMBERS,
    st.sampled_from(["cash", "credit"]),
)
deposit = st.tuples(
    st.just("deposit"),
    MEMBERS,
    st.sampled_from(["wajib", "sukarela", "emas"]),
    st.integers(min_value=-5, max_value=2_000_000),
)
installment = st.tuples(st.just("installment"), MEMBERS, st.integers(0, 500_000), st.integers(0, 50_000))
void = st.tuples(st.just("void"), st.integers(min_value=0, max_value=30))
ack = st.tuples(st.just("ack"), st.integers(min_value=0, max_value=40))
dispute = st.tuples(st.just("dispute"), MEMBERS, st.text("abc123", min_size=1, max_size=8))
operations = st.lists(st.one_of(sale, deposit, installment, void, ack, dispute), max_size=25)


def apply(dev: Device, op: tuple[Any, ...], ids: list[str]) -> None:
    """Carry out one generated operation; refusals are part of the game."""
    try:
        if op[0] == "sale":
            ids.append(dev.record_sale(op[1], member=op[2], payment=op[3]).id)
        elif op[0] == "deposit":
            ids.append(dev.record_savings_deposit(op[1], op[2], op[3]).id)
        elif op[0] == "installment":
            ids.append(dev.record_installment(op[1], "L1", op[2], op[3]).id)
        elif op[0] == "void" and ids:
            dev.record_void(ids[op[1] % len(ids)], "uji")
        elif op[0] == "ack":
            dev.mark_acked(op[1])
        elif op[0] == "dispute":
            dev.record_dispute(op[1], op[2], "bukan saya")
    except EdgeError:
        pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_any_sequence_gives_a_whole_verified_chain(ops: list[tuple[Any, ...]]) -> None:
    """Any sequence of recordings (many refused) leaves a gapless chain of envelopes that pass
    sync.envelope.check and verify with the device key, stock that agrees with the outbox, and credit
    never above the limit."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = make_device(Path(tmp) / "d")
        with Device.open(directory) as dev:
            initial = dev.stock_milli()
            ids: list[str] = []
            for op in ops:
                apply(dev, op, ids)
            envelopes = assert_whole_chain(dev, directory)
            assert_stock_matches(dev, initial, envelopes)
            assert all(v is None or v >= 0 for v in dev.stock_milli().values())
            assert dev.credit_available_rp("A001") >= 0 and dev.credit_available_rp("A002") >= 0
