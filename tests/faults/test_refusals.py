"""Refusable envelopes interleaved at random in several devices' streams never stop the valid ones.

Each device records valid transactions and, at random places, signed envelopes central must refuse, one
of every kind of refusal ingest has for a device's content: unknown member, unknown product, a product
of another unit, unknown unit, a dispute of a non-sale, a dispute of another member's sale, a void of
an unknown transaction, a void that does not repeat its sale, an installment on an unknown loan, above
what is owed, or on someone else's loan, a second loan while one is unpaid, and a withdrawal above the
balance. Half is recorded before the devices go online, half while they sync through a real Mosquitto
and ``central serve``. At the end every valid envelope is committed exactly once, every refused one is
quarantined exactly once and marked refused on its device, every outbox has nothing pending and every
device's ack is its last seq.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from central.ledger import Ledger, schema
from edge.device import Device
from provisioning.world import DeviceSpec, World, build, running
from sync.settings import BrokerSettings
from tests.support.mosquitto import Mosquitto

SEED = int(os.environ.get("KOP_FAULT_SEED", "20261122"))
DEVICES = ("toko-01", "toko-02", "toko-03")
MEMBERS = {"toko-01": "A001", "toko-02": "A002", "toko-03": "A003"}
OTHER_MEMBER = "A004"
SKU = "8991001000011"
CAFE_SKU = "KOPI-SUSU"
STREAM = 40  # envelopes per device; about a third refusable
DRAIN_S = 120.0
KINDS = 13  # the refusal makers of ``Stream.refusable``

Body = dict[str, Any]
_LINE = {"sku": SKU, "qty": 1, "price_rp": 65_000, "cost_rp": 58_000}


def _sale(member: str | None, line: Body | None = None, unit: str = "toko") -> Body:
    line = line or _LINE
    return {"unit": unit, "kind": "sale", "member": member, "payment": "cash", "lines": [line],
            "total": line["price_rp"] * line["qty"]}


def _money(kind: str, member: str, total: int, **extra: Any) -> Body:
    return {"unit": "toko", "kind": kind, "member": member, "payment": "cash", "lines": [], "total": total,
            **extra}


class Stream:
    """One device's recording: valid envelopes and refusable ones, with what each should become."""

    def __init__(self, name: str, rng: random.Random) -> None:
        self.name = name
        self.member = MEMBERS[name]
        self.rng = rng
        self.loan = f"L-{name}"
        self.valid: list[str] = []
        self.refused: list[str] = []
        self.sales: list[str] = []  # this device's valid sales of its member
        self.others_sale: str | None = None
        self.deposit: str | None = None
        self.lent = False

    def _append(self, dev: Device, body: Body) -> str:
        with dev._tx():
            return str(dev._append(body).id)

    def valid_one(self, dev: Device) -> None:
        choice = self.rng.randrange(3)
        if choice == 0 or self.deposit is None:
            deposit = _money("savings_deposit", self.member, 50_000, product="sukarela")
            self.deposit = self._append(dev, deposit)
            self.valid.append(self.deposit)
        elif choice == 1 and self.others_sale is None:
            self.others_sale = self._append(dev, _sale(OTHER_MEMBER))
            self.valid.append(self.others_sale)
        else:
            ident = self._append(dev, _sale(self.member))
            self.sales.append(ident)
            self.valid.append(ident)

    def refusable(self, dev: Device, kind: int | None = None) -> None:
        m = self.member
        makers: list[Callable[[], Body]] = [
            lambda: _sale("Z999"),  # unknown member
            lambda: _sale(m, {**_LINE, "sku": "NOPE-1"}),  # unknown product
            lambda: _sale(m, {**_LINE, "sku": CAFE_SKU, "price_rp": 8_000, "cost_rp": 3_000}),  # other unit
            lambda: _sale(m, unit="nowhere"),  # unknown unit
            lambda: _money("savings_withdrawal", m, 900_000_000, product="sukarela"),  # above balance
            lambda: _money("installment", m, 11_000, loan="L-NONE", principal_rp=10_000, interest_rp=1_000),
            lambda: _money("void", m, 65_000, ref="no-such-transaction", reason="salah"),
        ]
        if self.deposit is not None:  # a dispute of a non-sale: the member's own deposit
            makers.append(lambda: _money("dispute", m, 0, ref=self.deposit, reason="bukan saya"))
        if self.others_sale is not None:  # a dispute of another member's sale
            makers.append(lambda: _money("dispute", m, 0, ref=self.others_sale, reason="bukan saya"))
        if self.sales:  # a void that does not repeat its sale's total
            makers.append(lambda: _money("void", m, 1, ref=self.sales[0], reason="salah"))
        if self.lent:
            makers += [
                lambda: _money(
                    "installment", m, 10**9 + 1, loan=self.loan, principal_rp=10**9, interest_rp=1
                ),
                lambda: _money("installment", OTHER_MEMBER, 11_000, loan=self.loan, principal_rp=10_000,
                               interest_rp=1_000),
                lambda: _money("loan_disbursement", m, 100_000, loan=f"{self.loan}-2"),  # one still unpaid
            ]
        maker = self.rng.choice(makers) if kind is None else makers[kind % len(makers)]
        self.refused.append(self._append(dev, maker()))

    def every_kind(self, directory: Path) -> None:
        """One refusal of each kind, after the valid envelopes they refer to."""
        with Device.open(directory) as dev:
            deposit = _money("savings_deposit", self.member, 50_000, product="sukarela")
            self.deposit = self._append(dev, deposit)
            self.others_sale = self._append(dev, _sale(OTHER_MEMBER))
            self.sales.append(self._append(dev, _sale(self.member)))
            self.valid += [self.deposit, self.others_sale, self.sales[-1]]
            for kind in range(KINDS):
                self.refusable(dev, kind)

    def record(self, directory: Path, count: int) -> None:
        with Device.open(directory) as dev:
            if not self.lent:
                self.lent = True
                self.valid.append(self._append(dev, _money("loan_disbursement", self.member, 1_000_000,
                                                           loan=self.loan)))
            for _ in range(count):
                if self.rng.random() < 0.35:
                    self.refusable(dev)
                else:
                    self.valid_one(dev)


def _ledger_ids(world: World) -> tuple[Counter[str], Counter[str], set[str]]:
    with Ledger.open(world.ledger_path) as ledger, ledger.read() as conn:
        committed = Counter(conn.execute(select(schema.transactions.c.id)).scalars())
        quarantined = Counter(i for i in conn.execute(select(schema.quarantine.c.id)).scalars() if i)
        refusals = set(conn.execute(select(schema.refusals.c.id)).scalars())
    return committed, quarantined, refusals


def _marked(directory: Path) -> set[str]:
    with Device.open(directory) as dev:
        return {ident for _, ident, _, _ in dev.refused()}


@pytest.mark.mqtt
@pytest.mark.slow
def test_refusals_never_stop_the_valid_envelopes(tmp_path: Path, mosquitto: Mosquitto) -> None:
    """Valid envelopes commit exactly once, refused ones are quarantined once and marked; outboxes drain."""
    rng = random.Random(SEED)
    world = build(tmp_path / "w", broker=BrokerSettings(port=mosquitto.port),
                  devices=[DeviceSpec(name) for name in DEVICES])
    streams = {name: Stream(name, random.Random(rng.random())) for name in DEVICES}
    for name, stream in streams.items():
        stream.record(world.devices[name], STREAM // 2)
    with running(world) as run:
        streams[DEVICES[0]].every_kind(world.devices[DEVICES[0]])
        for name, stream in streams.items():  # the second half while the devices sync
            stream.record(world.devices[name], STREAM // 2)
        deadline = time.monotonic() + DRAIN_S
        while time.monotonic() < deadline:
            drained = run.wait_drained(1.0)
            refused = {i for s in streams.values() for i in s.refused}
            if drained and {i for n in DEVICES for i in _marked(world.devices[n])} == refused:
                break
        else:
            pytest.fail(f"not drained and marked within {DRAIN_S} s: {run.committed()}")
        committed = run.committed()
    valid = {i for s in streams.values() for i in s.valid}
    refused = {i for s in streams.values() for i in s.refused}
    assert refused and valid
    with Ledger.open(world.ledger_path) as ledger, ledger.read() as conn:
        stored = conn.execute(select(schema.refusals.c.reason)).scalars()
        reasons = {r.split(";")[0].split("(")[0][:30] for r in stored}
    assert len(reasons) >= KINDS - 1, reasons  # every kind (two share "void must repeat"-like wording)
    got, quarantined, placed = _ledger_ids(world)
    assert set(got) == valid and max(got.values()) == 1
    assert placed == refused
    assert {i: n for i, n in quarantined.items() if i in refused} == dict.fromkeys(refused, 1)
    for name in DEVICES:
        with Device.open(world.devices[name]) as dev:
            status = dev.status()
        assert status.outbox_depth == 0 and status.last_ack_seq == status.last_seq == committed[name]
        assert _marked(world.devices[name]) == set(streams[name].refused)
        assert status.refused == len(streams[name].refused)
