"""Generated Mosquitto users and ACL, enforced by a real Mosquitto under MQTT 5."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync import brokerconf
from sync.errors import BrokerConfigError
from sync.link import EventKind
from tests.support.mosquitto import Mosquitto
from tests.sync.helpers import kinds, pump, user_link

USERS = [
    brokerconf.BrokerUser("central", "c-secret", role="central"),
    brokerconf.BrokerUser("toko-01", "t1-secret", branch="pusat"),
    brokerconf.BrokerUser("toko-02", "t2-secret", branch="cabang"),
]


@pytest.fixture
def authed(tmp_path: Path) -> Iterator[Mosquitto]:
    extra = brokerconf.write_auth(tmp_path / "auth", "kopmaju", USERS)
    with Mosquitto(tmp_path / "broker", extra=extra, anonymous=False) as broker:
        yield broker


@pytest.mark.mqtt
def test_device_may_publish_only_under_its_own_topic(authed: Mosquitto) -> None:
    """The broker PUBACKs a device's own uplink and answers "Not authorized" for another device's topic."""
    link = user_link(authed.port, "toko-01", "t1-secret")
    pump(link, lambda ev: link.connected)
    own = link.publish("kop/kopmaju/dev/toko-01/up/tx", b"{}")
    other = link.publish("kop/kopmaju/dev/toko-02/up/tx", b"{}")
    events = pump(link, lambda ev: kinds(ev).count("puback") == 2)
    acks = {e.mid: e for e in events if e.kind is EventKind.PUBACK}
    assert acks[own].ok
    assert not acks[other].ok
    assert "authori" in acks[other].reason.lower()
    link.close()


@pytest.mark.mqtt
def test_device_reads_its_branch_and_not_another(authed: Mosquitto) -> None:
    """A device receives its own branch's retained downlink but not another branch's."""
    central = user_link(authed.port, "central", "c-secret")
    pump(central, lambda ev: central.connected)
    central.publish("kop/kopmaju/branch/pusat/down/catalog", b"pusat", retain=True)
    central.publish("kop/kopmaju/branch/cabang/down/catalog", b"cabang", retain=True)
    pump(central, lambda ev: kinds(ev).count("puback") == 2)
    device = user_link(authed.port, "toko-01", "t1-secret", "kop/kopmaju/branch/+/down/#")
    events = pump(device, lambda ev: "message" in kinds(ev))
    pump(device, lambda ev: True)
    got = [e.payload for e in events if e.kind is EventKind.MESSAGE]
    assert got == [b"pusat"]
    central.close()
    device.close()


@pytest.mark.mqtt
def test_wrong_password_does_not_connect(authed: Mosquitto) -> None:
    """A device with a wrong password never becomes connected."""
    link = user_link(authed.port, "toko-01", "wrong")
    for _ in range(30):
        link.step(0.02)
    assert not link.connected
    link.close()


def test_acl_refuses_bad_names() -> None:
    """A username that is not a device id is refused before any file is written."""
    with pytest.raises(BrokerConfigError, match="username"):
        brokerconf.acl_text("kopmaju", [brokerconf.BrokerUser("Toko 1", "x", branch="pusat")])


def test_password_line_is_mosquitto_format() -> None:
    """Password lines use Mosquitto 2's PBKDF2-SHA512 form with the given salt."""
    line = brokerconf.password_line("toko-01", "pw", salt=b"0" * 12)
    assert line.startswith("toko-01:$7$101$MDAwMDAwMDAwMDAw$")
