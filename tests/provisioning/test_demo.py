"""The demo's one call: a CA, enrolled devices and a broker config that Mosquitto runs with TLS and ACLs."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from provisioning.bundle import verify_bundle
from provisioning.demo import mosquitto_available, setup_pki
from sync import topics
from tests.provisioning.conftest import GeneratedMosquitto
from tests.provisioning.mqtt_probe import Identity, Probe
from tests.support.net import free_port


@pytest.mark.mqtt
def test_setup_pki_gives_a_working_secure_broker(tmp_path: Path) -> None:
    """setup_pki enrolls every device and its broker config runs: devices connect, the ACL holds."""
    assert mosquitto_available()
    port = free_port()
    pki = setup_pki(
        tmp_path / "pki",
        "kopmaju",
        [("toko-01", "toko", "pusat"), ("cafe-01", "cafe", "timur")],
        broker_port=port,
    )
    assert stat.S_IMODE(pki.passphrase_file.stat().st_mode) == 0o600
    for device, bundle in pki.bundles.items():
        assert verify_bundle(bundle, token=pki.tokens[device]).device == device
    broker = GeneratedMosquitto(tmp_path / "run", pki.broker_conf, port).start()
    try:
        bundle = pki.bundles["cafe-01"]
        probe = Probe(
            port, Identity(bundle / "ca.crt", bundle / "client.crt", bundle / "client.key"), "cafe-01"
        )
        assert probe.connect().connected
        assert not probe.publish(topics.uplink("kopmaju", "cafe-01"), b"{}").is_failure  # type: ignore[union-attr]
        denied = probe.publish(topics.uplink("kopmaju", "toko-01"), b"{}")
        assert denied is not None and denied.value == 135
        probe.close()
    finally:
        broker.stop()


def test_demo_pki_command_prints_paths_as_json(tmp_path: Path) -> None:
    """demo-pki creates everything in one step and prints where it is, for the demo script to read."""
    import json

    from tests.provisioning.cli_helpers import call

    code, out, err = call(
        "demo-pki",
        "--dir",
        str(tmp_path / "d"),
        "--device",
        "toko-01:toko:pusat",
        "--device",
        "cafe-01:cafe:pusat",
        "--broker-port",
        "18999",
    )
    assert code == 0, err
    summary = json.loads(out[: out.rindex("}") + 1])
    assert sorted(summary["bundles"]) == ["cafe-01", "toko-01"]
    assert "listener 18999 127.0.0.1" in Path(summary["broker_conf"]).read_text()
    code, _, err = call("--lang", "en", "demo-pki", "--dir", str(tmp_path / "e"), "--device", "toko-01")
    assert code == 1 and "must be ID:UNIT:BRANCH" in err
