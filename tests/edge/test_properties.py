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


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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


def _states(changes: list[dict[str, int | None]]) -> list[dict[str, int]]:
    """Central's catalog after each version: version v (1-based) is ``states[v - 1]`` (sku -> price)."""
    states: list[dict[str, int]] = []
    current: dict[str, int] = {}
    for change in changes:
        current = {**current}
        for sku, price in change.items():
            if price is None:
                current.pop(sku, None)
            else:
                current[sku] = price
        states.append(current)
    return states


def _item(sku: str, price: int) -> dict[str, Any]:
    return {"sku": sku, "name": sku, "unit": "toko", "price_rp": price, "cost_rp": 0, "stock": None}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.dictionaries(st.sampled_from(["P1", "P2", "P3", "P4"]), st.none() | st.integers(1, 9999)),
        min_size=1,
        max_size=6,
    ),
    st.lists(st.tuples(st.booleans(), st.integers(0, 5)), max_size=20),
)
def test_downlinks_in_any_order_never_mix_versions(
    changes: list[dict[str, int | None]], deliveries: list[tuple[bool, int]]
) -> None:
    """Snapshots and deltas delivered in any order, repeated or missing, leave the catalog exactly equal to
    central's catalog at the version the device reports, and that version never goes down."""
    states = _states(changes)
    with tempfile.TemporaryDirectory() as tmp:
        directory = make_device(Path(tmp) / "d")
        with Device.open(directory) as dev:
            assert dev.apply_downlink("catalog", {"kind": "snapshot", "version": 2, "items": []})
            base = dev.status().catalog_version  # an empty catalog; central's versions count above it
            seen = base
            for is_snapshot, index in deliveries:
                v = index % len(states) + 1
                state = states[v - 1]
                if is_snapshot:
                    payload = {
                        "kind": "snapshot",
                        "version": base + v,
                        "items": [_item(s, p) for s, p in state.items()],
                    }
                else:
                    before = states[v - 2] if v > 1 else {}
                    payload = {
                        "kind": "delta",
                        "version": base + v,
                        "base": base + v - 1,
                        "items": [_item(s, p) for s, p in state.items() if before.get(s) != p],
                        "delete": [s for s in before if s not in state],
                    }
                dev.apply_downlink("catalog", payload)
                version = dev.status().catalog_version
                assert version >= seen
                seen = version
                if version > base:
                    expected = states[version - base - 1]
                    assert {p.sku: p.price_rp for p in dev.products()} == expected
