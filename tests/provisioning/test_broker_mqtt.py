"""The must-hold broker rules, against a real Mosquitto started with the generated config, ACL and CRL."""

from __future__ import annotations

from pathlib import Path

import pytest

from provisioning.lifecycle import revoke
from sync import topics
from tests.provisioning.conftest import (
    COOP,
    DEVICES,
    PASSPHRASE,
    GeneratedMosquitto,
    Pki,
    make_pki,
    start_broker,
)
from tests.provisioning.mqtt_probe import Identity, Probe

pytestmark = pytest.mark.mqtt

NOT_AUTHORIZED = 135


def _connect(broker: GeneratedMosquitto, identity: Identity, client_id: str) -> Probe:
    probe = Probe(broker.port, identity, client_id)
    outcome = probe.connect()
    assert outcome.connected, outcome
    return probe


def test_device_connects_with_its_certificate_and_publishes_its_uplink(
    pki: Pki, secure_broker: GeneratedMosquitto
) -> None:
    """An enrolled device connects with its certificate (CONNACK Success) and central receives its uplink."""
    central = _connect(secure_broker, pki.central_identity(), "central")
    assert central.subscribe(topics.uplink_filter(COOP)) is not None
    device = _connect(secure_broker, pki.identity("toko-01"), "toko-01")
    code = device.publish(topics.uplink(COOP, "toko-01"), b'{"hello": 1}')
    assert code is not None and not code.is_failure
    assert central.message() == (topics.uplink(COOP, "toko-01"), b'{"hello": 1}')
    device.close()
    central.close()


def test_publishing_on_another_devices_topic_is_not_authorized(
    pki: Pki, secure_broker: GeneratedMosquitto
) -> None:
    """A device publishing under another device's uplink gets PUBACK reason 135 (Not authorized)."""
    device = _connect(secure_broker, pki.identity("toko-01"), "toko-01-x")
    for topic in (
        topics.uplink(COOP, "toko-02"),
        topics.ack(COOP, "toko-01"),  # its own downlink is read-only for it
        topics.branch_down(COOP, "pusat", "catalog"),
        "kop/other-coop/dev/toko-01/up/tx",
    ):
        code = device.publish(topic, b"forged")
        assert code is not None and code.value == NOT_AUTHORIZED, (topic, code)
    device.close()


def test_device_reads_only_its_own_and_its_branchs_downlink(
    pki: Pki, secure_broker: GeneratedMosquitto
) -> None:
    """Messages on another device's or another branch's downlink never reach a device; its own do."""
    device = _connect(secure_broker, pki.identity("toko-01"), "toko-01-r")
    for topic in ("kop/kopmaju/dev/+/down/#", "kop/kopmaju/branch/+/down/#"):
        device.subscribe(topic)
    central = _connect(secure_broker, pki.central_identity(), "central-w")
    forbidden = [topics.ack(COOP, "toko-02"), topics.branch_down(COOP, "timur", "catalog")]
    allowed = [topics.ack(COOP, "toko-01"), topics.branch_down(COOP, "pusat", "catalog")]
    for topic in forbidden + allowed:
        code = central.publish(topic, topic.encode())
        assert code is not None and not code.is_failure
    received = [device.message() for _ in allowed]
    assert sorted(topic for topic, _ in received if topic) == sorted(allowed)
    central.close()
    device.close()


def test_client_without_certificate_is_refused(pki: Pki, secure_broker: GeneratedMosquitto) -> None:
    """A client that presents no certificate never gets a CONNACK: the TLS handshake is refused."""
    probe = Probe(secure_broker.port, Identity(pki.ca.path("ca.crt")), "anonymous")
    outcome = probe.connect()
    probe.close()
    assert not outcome.connected
    assert outcome.reason_value is None  # no CONNACK at all


def test_certificate_from_another_ca_is_refused(pki: Pki, secure_broker: GeneratedMosquitto) -> None:
    """A certificate for the same device id issued by a different CA is refused at the TLS handshake."""
    bundle = pki.foreign.bundle_dir
    # It trusts our broker (our CA file) but presents the foreign CA's client certificate.
    probe = Probe(
        secure_broker.port,
        Identity(pki.ca.path("ca.crt"), bundle / "client.crt", bundle / "client.key"),
        "toko-01",
    )
    outcome = probe.connect()
    probe.close()
    assert not outcome.connected
    assert outcome.reason_value is None
    assert "certificate verify failed" in secure_broker.log()


@pytest.mark.slow
def test_revoked_device_is_refused_and_loses_rights_on_reload(tmp_path: Path) -> None:
    """After revoke and a broker reload, an open connection of the device is denied and a new one refused."""
    pki = make_pki(tmp_path, DEVICES[:2])
    broker = start_broker(pki, tmp_path)
    try:
        device = _connect(broker, pki.identity("toko-02"), "toko-02")
        code = device.publish(topics.uplink(COOP, "toko-02"), b"before")
        assert code is not None and not code.is_failure
        revoke(pki.ca, pki.ca.unlock(PASSPHRASE), "toko-02", "kiosk dicuri")
        from provisioning.broker import refresh_acl_and_crl

        refresh_acl_and_crl(pki.ca, tmp_path / "broker")
        broker.reload()
        # The ACL no longer lists toko-02: the open connection's next publish is not authorized.
        code = device.publish(topics.uplink(COOP, "toko-02"), b"after")
        assert code is not None and code.value == NOT_AUTHORIZED
        device.close()
        again = Probe(broker.port, pki.identity("toko-02"), "toko-02")
        outcome = again.connect()
        again.close()
        assert not outcome.connected and outcome.reason_value is None
        # toko-01 is unaffected.
        other = _connect(broker, pki.identity("toko-01"), "toko-01")
        code = other.publish(topics.uplink(COOP, "toko-01"), b"still fine")
        assert code is not None and not code.is_failure
        other.close()
    finally:
        broker.stop()
