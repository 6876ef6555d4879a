"""A hostile or broken downlink never takes a device down (invariant 5 on the device side).

Snapshots and deltas of every name start valid, then get one to three hostile values (any JSON, numbers
past every bound, NaN, text with lone surrogates): ``apply_downlink`` either applies the payload or
refuses it (False, or ``InvalidDownlink`` naming what is wrong), the device's data stays readable, and
the sync service's handler logs and goes on, even for JSON nested thousands deep.
"""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edge.device import Device
from edge.errors import InvalidDownlink
from edge.pins import hash_pin
from tests.edge.conftest import CATALOG, MEMBERS, make_device
from tests.support.hostile import hostile_json

CLERKS = [{"id": "kasir1", "name": "Bu Sari", "pin_hash": hash_pin("1234"), "active": True}]
CONFIG = [{"key": "name", "value": "Koperasi Maju"}, {"key": "default_credit_limit_rp", "value": 500000}]
VALID: dict[str, list[dict[str, Any]]] = {
    "catalog": CATALOG,
    "members": MEMBERS,
    "config": CONFIG,
    "clerks": CLERKS,
}

hostile = hostile_json(["", "toko", "A001", "1.5", "-3", "snapshot", "delta"])
TOP = ["name", "kind", "version", "base", "items", "delete", "reflects"]


@st.composite
def payloads(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(VALID)))
    items = copy.deepcopy(VALID[name])
    kind = draw(st.sampled_from(["snapshot", "delta"]))
    body: dict[str, Any] = {"name": name, "kind": kind, "version": draw(st.integers(2, 5)), "items": items}
    if kind == "delta":
        body.update(base=1, delete=[])
    for _ in range(draw(st.integers(1, 3))):
        if items and draw(st.booleans()):
            item = draw(st.sampled_from(items))
            item[draw(st.sampled_from([*sorted(item), "extra"]))] = draw(hostile)
        else:
            body[draw(st.sampled_from(TOP))] = draw(hostile)
    return name, body


@pytest.fixture(scope="module")
def device(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_device(tmp_path_factory.mktemp("fuzz") / "device")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sent=payloads())
def test_hostile_downlinks_are_applied_or_refused_never_a_crash(device: Path, sent: tuple[str, Any]) -> None:
    """Applied, or refused with a reason; never another exception, and the device stays readable."""
    name, body = sent
    with Device.open(device) as dev:
        try:
            dev.apply_downlink(name, body)
        except InvalidDownlink as err:
            assert err.message("en") and err.message("id")
        dev.products()
        dev.status()
        dev.clerks()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sent=payloads())
def test_the_sync_service_logs_a_bad_downlink_and_goes_on(
    device: Path, sent: tuple[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """The same payloads as they come off the wire, plus text that is not JSON or nested too deep."""
    from sync.settings import BrokerSettings, LinkSettings
    from sync.uplink import DeviceSync

    name, body = sent
    texts = [
        json.dumps(body, ensure_ascii=True, allow_nan=True).encode("ascii"),
        b"[" * 50_000 + b"]" * 50_000,
        b'{"name": "catalog", "items": [\xff]}',
    ]
    with Device.open(device) as dev:
        settings = LinkSettings(device, "kopmaju", "toko-01", "toko", "pusat", BrokerSettings(port=1))
        service = DeviceSync(dev, settings)  # never connected: the handler is fed directly
        try:
            with caplog.at_level(logging.WARNING, logger="sync.uplink"):
                for text in texts:
                    service._on_downlink(name, False, text)
        finally:
            service.link.close()
