"""Downlink snapshots and deltas: pure rules, and a device catching up after being away."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.ledger import Ledger
from central.members.rows import ProductRow
from central.serve import Server, ServeSettings
from edge.device import Device
from provisioning.world import DeviceSpec, build, running
from sync import downlink
from sync.settings import BrokerSettings
from tests.support.mosquitto import Mosquitto

_ITEM = st.builds(
    lambda sku, price: {
        "sku": sku,
        "name": "x",
        "unit": "toko",
        "price_rp": price,
        "cost_rp": 1,
        "stock": None,
    },
    st.sampled_from([f"S{i}" for i in range(12)]),
    st.integers(min_value=0, max_value=10**6),
)
_ITEMS = st.lists(_ITEM, max_size=12, unique_by=lambda i: i["sku"])


def _apply(items: list[dict[str, object]], delta: dict[str, object]) -> list[dict[str, object]]:
    by_key = {i["sku"]: i for i in items}
    for key in delta["delete"]:  # type: ignore[attr-defined]
        by_key.pop(key, None)
    for item in delta["items"]:  # type: ignore[attr-defined]
        by_key[item["sku"]] = item
    return sorted(by_key.values(), key=lambda i: str(i["sku"]))


@given(_ITEMS, _ITEMS)
def test_delta_turns_old_into_new(old: list[dict[str, object]], new: list[dict[str, object]]) -> None:
    """Applying the delta from old to new to the old items gives exactly the new items."""
    change = downlink.delta("catalog", 2, old, new)
    assert change["base"] == 1
    assert _apply(old, change) == sorted(new, key=lambda i: str(i["sku"]))


@given(_ITEMS)
def test_unchanged_items_publish_nothing(items: list[dict[str, object]]) -> None:
    """Publishing the same items twice yields nothing the second time, whatever their order."""
    first = downlink.next_publication("catalog", None, items)
    assert first is not None
    assert downlink.next_publication("catalog", first[0], list(reversed(items))) is None


def test_versions_follow_each_other() -> None:
    """Each change bumps the version by one and its delta's base is the previous version."""
    a = downlink.next_publication("catalog", None, [{"sku": "A", "price_rp": 1}])
    assert a is not None and a[0].version == 1 and a[2] is None
    b = downlink.next_publication("catalog", a[0], [{"sku": "A", "price_rp": 2}])
    assert b is not None and b[0].version == 2
    assert b[2] == {
        "name": "catalog",
        "kind": "delta",
        "version": 2,
        "base": 1,
        "items": [{"sku": "A", "price_rp": 2}],
        "delete": [],
    }


@pytest.mark.parametrize(
    ("topic", "parsed"),
    [
        ("kop/k/branch/pusat/down/catalog", ("catalog", False)),
        ("kop/k/branch/pusat/down/members/delta", ("members", True)),
        ("kop/k/dev/toko-01/down/ack", None),
        ("kop/k/branch/pusat/down/catalog/other", None),
    ],
)
def test_parse_topic(topic: str, parsed: tuple[str, bool] | None) -> None:
    """Only branch downlink topics are recognised, snapshots and deltas apart."""
    assert downlink.parse_topic(topic) == parsed


def _price(directory: Path, sku: str) -> int | None:
    with Device.open(directory) as dev:
        product = dev.product(sku)
        return None if product is None else product.price_rp


def _until(condition, timeout_s: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")


@pytest.mark.mqtt
def test_price_change_reaches_online_and_returning_devices(mosquitto: Mosquitto, tmp_path: Path) -> None:
    """A price change reaches an online device by delta and a returning device by the retained snapshot."""
    world = build(
        tmp_path / "w",
        broker=BrokerSettings(port=mosquitto.port),
        devices=[DeviceSpec("toko-01"), DeviceSpec("toko-02")],
    )
    sku = "8991001000011"
    with running(world, offline=["toko-02"]) as run:
        _until(lambda: _price(world.devices["toko-01"], sku) == 65_000)
        for price in (66_000, 67_000):
            run.ledger.import_products([ProductRow(sku, "Beras 5 kg", "toko", price, 58_000)])
            _until(lambda p=price: _price(world.devices["toko-01"], sku) == p)
        assert run.syncs["toko-01"].stats.downlinks_applied >= 4  # catalog, members, config, then deltas
        run.resume("toko-02")
        _until(lambda: _price(world.devices["toko-02"], sku) == 67_000)
        with Device.open(world.devices["toko-02"]) as dev:
            assert dev.status().catalog_version == 3
        # A device that holds the current versions fetches no catalog or members snapshot on reconnect
        # (config and the open stock counts, small and not in the status, once per start).
        run.pause("toko-01")
        run.resume("toko-01")
        _until(lambda: "toko-01" in run.syncs and "config" in run.syncs["toko-01"].stats.snapshots_received)
        time.sleep(0.5)
        assert sorted(run.syncs["toko-01"].stats.snapshots_received) == ["config", "counts"]


@pytest.mark.mqtt
def test_restarted_central_continues_versions(mosquitto: Mosquitto, tmp_path: Path) -> None:
    """A central that restarts learns the retained versions and publishes the next one, not version 1."""
    world = build(tmp_path / "w", broker=BrokerSettings(port=mosquitto.port), devices=[DeviceSpec("toko-01")])
    settings = ServeSettings(
        coop=world.coop, broker=BrokerSettings(port=mosquitto.port), downlink_interval_s=0.2
    )
    versions = []
    for price in (70_000, 71_000):
        with Ledger.open(world.ledger_path) as ledger:
            ledger.import_products([ProductRow("8991001000011", "Beras 5 kg", "toko", price, 58_000)])
            server = Server(ledger, settings)
            stop = threading.Event()
            thread = threading.Thread(target=server.run, args=(stop,), daemon=True)
            thread.start()
            _until(lambda s=server: ("pusat", "catalog") in s.published and s.stats.downlinks > 0)
            versions.append(server.published[("pusat", "catalog")].version)
            stop.set()
            thread.join(10)
    assert versions == [1, 2]
