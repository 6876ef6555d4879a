"""Catalog and members payloads say up to which seq of each device their figures count (``reflects``).

Without it a device assumes a payload counts everything acked when it arrives, which is wrong for a
snapshot built before central ingested the device's sales and fetched after their ack (docs/edge.md):
the member's credit used would then leave those sales out while the device no longer counts them as
pending. Central reads the seqs before the figures, so a payload never claims more than it counts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from central.ledger import Ledger
from central.members.rows import ProductRow
from central.serve import Server, ServeSettings
from edge.device import Device
from provisioning.world import DeviceSpec, build
from sync import downlink, topics
from sync.settings import BrokerSettings
from tests.sync.helpers import rice_catalog

SKU = "8991001000011"


def _world(tmp_path: Path) -> tuple[Any, Ledger, Server, list[tuple[str, dict[str, Any]]]]:
    world = build(
        tmp_path / "w",
        broker=BrokerSettings(port=1),  # never connected: the test reads what central posts
        devices=[DeviceSpec("toko-01"), DeviceSpec("toko-02"), DeviceSpec("desa-01", branch="desa")],
    )
    for directory in world.devices.values():
        with Device.open(directory) as dev:
            dev.apply_downlink("catalog", rice_catalog(SKU))
    ledger = Ledger.open(world.ledger_path)
    server = Server(ledger, ServeSettings(coop=world.coop, broker=BrokerSettings(port=1)))
    posted: list[tuple[str, dict[str, Any]]] = []

    def post(topic: str, payload: bytes, **_: Any) -> bool:
        posted.append((topic, json.loads(payload)))
        return True

    server.link.post = post  # type: ignore[method-assign]
    return world, ledger, server, posted


def _sales(world: Any, device: str, count: int) -> list[bytes]:
    with Device.open(world.devices[device]) as dev:
        return [bytes(dev.record_sale(lines=[(SKU, 1)]).data) for _ in range(count)]


def _payloads(posted: list[tuple[str, dict[str, Any]]], coop: str, branch: str, name: str) -> list[Any]:
    wanted = {topics.branch_down(coop, branch, name), downlink.delta_topic(coop, branch, name)}
    return [body for topic, body in posted if topic in wanted]


def test_catalog_and_members_carry_each_branch_devices_committed_seq(tmp_path: Path) -> None:
    """Snapshots and deltas of catalog and members name every device of their branch with its
    contiguous committed seq; config does not; each branch hears only of its own devices."""
    world, ledger, server, posted = _world(tmp_path)
    try:
        ledger.ingest(_sales(world, "toko-01", 3), require_signature=True)
        server.publish_downlinks()
        for name in downlink.REFLECTING:
            (snap,) = _payloads(posted, world.coop, "pusat", name)
            assert snap["reflects"] == {"toko-01": 3, "toko-02": 0}
            (other,) = _payloads(posted, world.coop, "desa", name)
            assert other["reflects"] == {"desa-01": 0}
        assert all("reflects" not in p for p in _payloads(posted, world.coop, "pusat", "config"))

        posted.clear()
        ledger.ingest(_sales(world, "toko-01", 2) + _sales(world, "toko-02", 1), require_signature=True)
        ledger.import_products([ProductRow(SKU, "Beras 5 kg", "toko", 66_000, 58_000)])
        server.publish_downlinks()  # the price changed: a catalog delta and snapshot
        catalog = _payloads(posted, world.coop, "pusat", "catalog")
        assert {p["kind"] for p in catalog} == {"snapshot", "delta"}
        assert all(p["reflects"] == {"toko-01": 5, "toko-02": 1} for p in catalog)
    finally:
        ledger.close()


def test_seqs_are_read_before_the_figures(tmp_path: Path) -> None:
    """Sales ingested while central reads the figures are in the figures but not in ``reflects``: the
    device then counts them as pending once more (safe), never the other way round."""
    world, ledger, server, posted = _world(tmp_path)
    try:
        ledger.ingest(_sales(world, "toko-01", 2), require_signature=True)
        late = _sales(world, "toko-01", 2)
        products = ledger.products

        def products_after_an_ingest() -> list[dict[str, Any]]:
            ledger.ingest(late, require_signature=True)  # commits between the seqs and the figures
            return products()

        ledger.products = products_after_an_ingest  # type: ignore[method-assign]
        server.publish_downlinks()
        (snap,) = _payloads(posted, world.coop, "pusat", "catalog")
        assert ledger.contiguous_seq("toko-01") == 4
        assert snap["reflects"]["toko-01"] == 2
    finally:
        ledger.close()
