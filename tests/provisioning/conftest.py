"""Fixtures for provisioning: a real CA, enrolled devices, and Mosquitto started from the generated config."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from provisioning.broker import BrokerOptions, write_broker_config
from provisioning.bundle import Enrollment, enroll
from provisioning.ca import CertificateAuthority, init_ca
from tests.provisioning.mqtt_probe import Identity
from tests.support.mosquitto import Mosquitto
from tests.support.net import free_port

PASSPHRASE = b"kata-sandi-rahasia-uji-123"
COOP = "kopmaju"
RELOAD_LINE = "Reloading config"
RELOAD_WAIT_S = 10.0


@dataclass(frozen=True)
class Pki:
    """A cooperative's CA with enrolled devices, plus a second, foreign CA with one device of its own."""

    ca: CertificateAuthority
    devices: dict[str, Enrollment]
    foreign: Enrollment

    def identity(self, device: str) -> Identity:
        bundle = self.devices[device].bundle_dir
        return Identity(bundle / "ca.crt", bundle / "client.crt", bundle / "client.key")

    def central_identity(self) -> Identity:
        return Identity(self.ca.path("ca.crt"), self.ca.path("central.crt"), self.ca.path("central.key"))


class GeneratedMosquitto(Mosquitto):
    """Mosquitto run with exactly the config `broker-config` generated (its start/stop logic reused)."""

    def __init__(self, run_dir: Path, generated_conf: Path, port: int) -> None:
        super().__init__(run_dir, port=port)
        self.generated_conf = generated_conf

    def config_text(self) -> str:
        # Informational logging only, so tests can see when a reload has been handled.
        return self.generated_conf.read_text() + "log_type information\n"

    def reload(self) -> None:
        """SIGHUP, as `systemctl reload mosquitto` sends; returns once Mosquitto has handled it.

        Mosquitto re-reads ACL and CRL in its single event loop right after logging the reload, so any
        packet sent after the log line is seen is judged by the new rules.
        """
        assert self.proc is not None
        before = self.log().count(RELOAD_LINE)
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + RELOAD_WAIT_S
        while self.log().count(RELOAD_LINE) <= before:
            if time.monotonic() > deadline:
                raise TimeoutError("mosquitto did not log a reload")
            time.sleep(0.02)


def make_pki(root: Path, devices: tuple[tuple[str, str, str], ...]) -> Pki:
    ca = init_ca(root / "ca", COOP, PASSPHRASE)
    key = ca.unlock(PASSPHRASE)
    enrolled = {d: enroll(ca, key, d, unit, branch) for d, unit, branch in devices}
    other = init_ca(root / "other-ca", COOP, PASSPHRASE)
    foreign = enroll(other, other.unlock(PASSPHRASE), "toko-01", "toko", "pusat")
    return Pki(ca=ca, devices=enrolled, foreign=foreign)


DEVICES = (("toko-01", "toko", "pusat"), ("toko-02", "toko", "pusat"), ("cafe-01", "cafe", "timur"))


def start_broker(pki: Pki, root: Path) -> GeneratedMosquitto:
    port = free_port()
    run = root / "run"
    run.mkdir(parents=True, exist_ok=True)
    options = BrokerOptions(
        port=port,
        bind="127.0.0.1",
        run_as="root",
        persistence_dir=str(run),
        log_dest=str(run / "mosquitto.log"),
    )
    files = write_broker_config(pki.ca, root / "broker", options)
    return GeneratedMosquitto(run, files.conf, port).start()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A CA for `kopmaju` with toko-01, toko-02 (branch pusat) and cafe-01 (branch timur) enrolled."""
    return make_pki(tmp_path_factory.mktemp("pki"), DEVICES)


@pytest.fixture(scope="module")
def secure_broker(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GeneratedMosquitto]:
    """Mosquitto started from the generated config, ACL and CRL (shared by a module's read-only tests)."""
    broker = start_broker(pki, tmp_path_factory.mktemp("broker"))
    try:
        yield broker
    finally:
        broker.stop()
