"""One call for the demo script: a CA in a directory, N enrolled devices, and Mosquitto's config.

    from provisioning.demo import setup_pki, mosquitto_available
    pki = setup_pki(Path("demo-out/pki"), "kopmaju", [("toko-01", "toko", "pusat")], broker_port=8883)
    # start: mosquitto -c pki.broker_conf   (Debian's mosquitto; see below)
    # central: python -m central serve --broker 127.0.0.1:8883 --ca pki.ca_cert --cert pki.central_cert ...
    # devices: python -m edge --dir D init --bundle pki.bundles["toko-01"] --token pki.tokens["toko-01"]

The embedded amqtt broker cannot enforce this security model: it asks for client certificates only
optionally (CERT_OPTIONAL), takes the MQTT username from CONNECT rather than from the certificate (so a
device could claim another's ACL), and reads no CRL. The demo therefore runs Debian's Mosquitto with this
config when it is installed (``mosquitto_available()``), and otherwise must say plainly that it runs
without TLS and ACLs.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from provisioning import central_link
from provisioning.broker import BrokerOptions, write_broker_config
from provisioning.bundle import enroll
from provisioning.ca import init_ca
from provisioning.files import PRIVATE_MODE, make_private_dir, write_file

PASSPHRASE_FILE: Final = "ca-passphrase"  # noqa: S105 - a file name, not a secret
MOSQUITTO_PATHS: Final = ("/usr/sbin/mosquitto", "/usr/bin/mosquitto")


@dataclass(frozen=True)
class DemoPki:
    """Paths of everything ``setup_pki`` made."""

    directory: Path
    ca_dir: Path
    passphrase_file: Path
    broker_dir: Path
    broker_conf: Path
    broker_port: int
    ca_cert: Path
    central_cert: Path
    central_key: Path
    bundles: dict[str, Path]
    tokens: dict[str, str]


def mosquitto_available() -> str | None:
    """Path of Debian's mosquitto binary, or None."""
    found = shutil.which("mosquitto")
    if found:
        return found
    return next((p for p in MOSQUITTO_PATHS if Path(p).is_file()), None)


def setup_pki(
    directory: Path,
    coop: str,
    devices: Sequence[tuple[str, str, str]],
    *,
    broker_port: int = 8883,
    broker_host: str = "127.0.0.1",
    central_db: str | None = None,
    run_as: str = "root",
) -> DemoPki:
    """Create a CA under ``directory``, enroll ``devices`` (id, unit, branch), write Mosquitto's config.

    A random CA passphrase is written to ``<directory>/ca-passphrase`` (mode 0600) so later steps of
    the demo can revoke or enroll. With ``central_db`` each device is also registered in central's
    ledger. Mosquitto listens on ``broker_host:broker_port`` with its state and log under the directory.
    """
    directory = Path(directory).absolute()
    make_private_dir(directory)
    passphrase = secrets.token_urlsafe(24).encode()
    passphrase_file = directory / PASSPHRASE_FILE
    write_file(passphrase_file, passphrase + b"\n", mode=PRIVATE_MODE)
    ca = init_ca(directory / "ca", coop, passphrase, broker_host=broker_host, broker_port=broker_port)
    key = ca.unlock(passphrase)
    bundles: dict[str, Path] = {}
    tokens: dict[str, str] = {}
    for device, unit, branch in devices:
        result = enroll(ca, key, device, unit, branch)
        bundles[device] = result.bundle_dir
        tokens[device] = result.token.text()
        if central_db:
            central_link.register(central_db, result.record)
    run = directory / "broker-run"
    run.mkdir(exist_ok=True)
    options = BrokerOptions(
        port=broker_port,
        bind=broker_host,
        run_as=run_as,
        persistence_dir=str(run),
        log_dest=str(run / "mosquitto.log"),
    )
    files = write_broker_config(ca, directory / "broker", options)
    return DemoPki(
        directory=directory,
        ca_dir=ca.directory,
        passphrase_file=passphrase_file,
        broker_dir=files.directory,
        broker_conf=files.conf,
        broker_port=broker_port,
        ca_cert=ca.path("ca.crt"),
        central_cert=ca.path("central.crt"),
        central_key=ca.path("central.key"),
        bundles=bundles,
        tokens=tokens,
    )
