"""Member summary over MQTT 5 request/response: answered for the device that asks, saved for offline use."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge.device import Device
from provisioning.world import DeviceSpec, build, running
from sync import summary
from sync.errors import SummaryError, SummaryTimeout
from sync.settings import BrokerSettings
from tests.support.mosquitto import Mosquitto
from tests.support.net import free_port


@pytest.mark.mqtt
def test_summary_answered_and_saved(mosquitto: Mosquitto, tmp_path: Path) -> None:
    """A device asks for A001's summary, gets central's answer and keeps a copy for offline display."""
    world = build(tmp_path / "w", broker=BrokerSettings(port=mosquitto.port), devices=[DeviceSpec("toko-01")])
    directory = world.devices["toko-01"]
    with running(world) as run, Device.open(directory) as dev:
        assert run.wait_catalog(30)  # central is up and subscribed
        answer = summary.request(directory, "A001", timeout_s=20, device=dev)
        assert answer["member"] == "A001"
        assert answer["name"] == "Siti Aminah"
        assert dev.member_summary("A001") == answer
        with pytest.raises(SummaryError, match="Z999"):
            summary.request(directory, "Z999", timeout_s=20)


def test_summary_times_out_when_offline(tmp_path: Path) -> None:
    """With no broker the request gives up after its timeout with SummaryTimeout."""
    world = build(tmp_path / "w", broker=BrokerSettings(port=free_port()), devices=[DeviceSpec("toko-01")])
    with pytest.raises(SummaryTimeout):
        summary.request(world.devices["toko-01"], "A001", timeout_s=0.5)


def test_reply_topic_must_be_the_requesters_own() -> None:
    """Central answers only on the requesting device's own summary topic."""
    req = "kop/k/dev/toko-01/up/req/summary"
    assert summary.allowed_reply_topic("k", req, None) == "kop/k/dev/toko-01/down/summary"
    assert summary.allowed_reply_topic("k", req, "kop/k/dev/toko-02/down/summary") is None


@pytest.mark.parametrize(
    "body", [b"nope", b"[]", b'{"member": "bad number!"}', b'{"member": "A1", "correlation": "zz"}']
)
def test_bad_request_refused(body: bytes) -> None:
    """A malformed request raises SummaryError with the reason."""
    with pytest.raises(SummaryError):
        summary.parse_request(body)
