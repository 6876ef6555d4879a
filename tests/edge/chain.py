"""Checks shared by the edge tests: a device's outbox is a whole, signed chain and stock agrees with it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from edge.device import Device
from edge.keys import load as load_key
from sync.envelope import GENESIS, chain_hash, check, parse, parse_qty, verify


def outbox_envelopes(dev: Device) -> list[dict[str, Any]]:
    """Every envelope in the outbox, in seq order."""
    rows: list[dict[str, Any]] = []
    after = 0
    while batch := dev.outbox_after(after, 500):
        rows.extend(parse(data) for _, data in batch)
        after = batch[-1][0]
    return rows


def assert_whole_chain(dev: Device, directory: Path) -> list[dict[str, Any]]:
    """Seq gapless from 1, prev links, ids unique, every envelope passes check and verifies with the key."""
    public = load_key(directory).public_key()
    envelopes = outbox_envelopes(dev)
    prev = GENESIS
    for number, env in enumerate(envelopes, start=1):
        check(env)
        assert verify(env, public), env["seq"]
        assert env["seq"] == number, (env["seq"], number)
        assert env["prev"] == prev, number
        prev = chain_hash(env)
    assert len({e["id"] for e in envelopes}) == len(envelopes)
    assert dev.status().last_seq == len(envelopes)
    return envelopes


def sold_milli(envelopes: list[dict[str, Any]]) -> dict[str, int]:
    """Net thousandths taken per sku by the sales and voids in ``envelopes``."""
    by_id = {e["id"]: e for e in envelopes}
    taken: dict[str, int] = {}
    for env in envelopes:
        sign, source = 1, env
        if env["kind"] == "void" and env["ref"] in by_id:
            sign, source = -1, by_id[env["ref"]]
        elif env["kind"] != "sale":
            continue
        for line in source["lines"]:
            milli = int(parse_qty(line["qty"]) * Decimal(1000))
            taken[line["sku"]] = taken.get(line["sku"], 0) + sign * milli
    return taken


def assert_stock_matches(
    dev: Device, initial_milli: dict[str, int | None], envelopes: list[dict[str, Any]]
) -> None:
    """Current stock = initial stock - what the outbox says was sold (tracked items only)."""
    taken = sold_milli(envelopes)
    now = dev.stock_milli()
    for sku, start in initial_milli.items():
        if start is not None:
            assert now[sku] == start - taken.get(sku, 0), sku
