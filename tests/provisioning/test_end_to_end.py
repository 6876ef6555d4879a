"""From enrollment to a sale in central's ledger over TLS, and what revocation and forgery change.

Real parts throughout: the CA and bundle from provisioning, `python -m edge init --bundle`, Mosquitto
with the generated config, `python -m central serve` with central's certificate, `python -m sync` on the
device, and central's ledger (SQLite).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioning.doctor import diagnose
from sync import envelope
from tests.provisioning.cli_helpers import ROOT, call
from tests.provisioning.conftest import GeneratedMosquitto
from tests.support.net import free_port

central_ledger = pytest.importorskip("central.ledger")
central_config = pytest.importorskip("central.config")

pytestmark = [pytest.mark.mqtt, pytest.mark.slow]

SECRET = "kata-sandi-koperasi-uji"
WAIT_S = 60.0
POLL_S = 0.1
PRODUCTS = (
    "sku,name,unit,price_rp,cost_rp\n8991001,Gula 1 kg,toko,16000,14000\n8991002,Teh celup,toko,3500,3000\n"
)
DEVICE_CATALOG = (
    "sku,name,unit,price_rp,cost_rp,stock\n"
    "8991001,Gula 1 kg,toko,16000,14000,\n"
    "8991002,Teh celup,toko,3500,3000,\n"
)
MEMBERS = (
    "number,name,joined,birth_date,phone,blood_type,role\n"
    "A001,Siti Rahayu,2020-01-15,,,,anggota\nA002,Budi Santoso,2021-03-01,,,,anggota\n"
)


def _module(name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", name, *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )


def _spawn(name: str, *args: str, log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", name, *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def _wait_until(predicate, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(POLL_S)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Site:
    """One cooperative: CA, central ledger, broker and enrolled device directories."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.db = str(root / "central.sqlite")
        self.env = {"KOP_CA_PASSPHRASE": SECRET, "KOP_CA_DIR": str(root / "ca")}
        self.procs: list[subprocess.Popen[bytes]] = []
        self.broker: GeneratedMosquitto | None = None

    def cli(self, *args: str) -> str:
        code, out, err = call(*args, env=self.env)
        assert code == 0, err
        return out


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """CA and central ledger ready; broker started from the generated config; processes stopped after."""
    site = Site(tmp_path)
    central_cli = pytest.importorskip("central.cli")
    assert central_cli.main(["--db", site.db, "init"]) == 0
    (tmp_path / "products.csv").write_text(PRODUCTS)
    (tmp_path / "members.csv").write_text(MEMBERS)
    for kind in ("products", "members"):
        assert central_cli.main(["--db", site.db, "import", kind, str(tmp_path / f"{kind}.csv")]) == 0
    site.cli("ca", "init", "--coop", "kopmaju", "--broker-port", str(site.port))
    yield site
    for proc in site.procs:
        _stop(proc)
    if site.broker is not None:
        site.broker.stop()


def _start_broker(site: Site) -> GeneratedMosquitto:
    run = site.root / "run"
    run.mkdir()
    site.cli(
        "broker-config",
        "--out",
        str(site.root / "broker"),
        "--run-as",
        "root",
        "--bind",
        "127.0.0.1",
        "--persistence-dir",
        str(run),
        "--log-dest",
        str(run / "mosquitto.log"),
    )
    site.broker = GeneratedMosquitto(run, site.root / "broker" / "mosquitto.conf", site.port).start()
    return site.broker


def _enroll_and_install(site: Site, device: str) -> Path:
    out = site.cli(
        "enroll", "--device", device, "--unit", "toko", "--branch", "pusat", "--central-db", site.db
    )
    token = next(line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("token: "))
    device_dir = site.root / "devices" / device
    done = _module(
        "edge",
        "--dir",
        str(device_dir),
        "init",
        "--bundle",
        str(site.root / "ca" / "bundles" / device),
        "--token",
        token,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (site.root / "catalog.csv").write_text(DEVICE_CATALOG)
    done = _module("edge", "--dir", str(device_dir), "catalog", "import", str(site.root / "catalog.csv"))
    assert done.returncode == 0, done.stdout + done.stderr
    return device_dir


def _member_known(device_dir: Path, number: str) -> bool:
    from edge.device import Device
    from edge.errors import EdgeError

    with Device.open(device_dir) as dev:
        try:
            return dev.member(number) is not None
        except EdgeError:
            return False


def _status(device_dir: Path) -> dict[str, object]:
    from edge.device import Device

    with Device.open(device_dir) as dev:
        st = dev.status()
        return {"revoked": st.revoked, "reason": st.revoked_reason}


def _contiguous(site: Site, device: str) -> int:
    ledger = central_ledger.Ledger.open(site.db)
    try:
        return int(ledger.contiguous_seq(device))
    finally:
        ledger.close()


def test_enrolled_device_syncs_a_sale_to_central_over_tls_then_revocation_stops_it(site: Site) -> None:
    """Enroll, install, sell: the sale reaches central over mTLS; after revoke the device is cut off and
    central quarantines its later envelopes with the revocation reason, keeping the earlier sale."""
    broker = _start_broker(site)
    device_dir = _enroll_and_install(site, "toko-01")
    broker.reload()  # enroll refreshed the ACL; the operator reloads Mosquitto as enroll tells them to
    ca = site.root / "ca"
    site.procs.append(
        _spawn(
            "central",
            "--db",
            site.db,
            "serve",
            "--broker",
            f"127.0.0.1:{site.port}",
            "--ca",
            str(ca / "ca.crt"),
            "--cert",
            str(ca / "central.crt"),
            "--key",
            str(ca / "central.key"),
            "--branch",
            "pusat",
            "--client-id",
            "central",
            log=site.root / "central.log",
        )
    )
    sync = _spawn("sync", "--device", str(device_dir), log=site.root / "sync.log")
    site.procs.append(sync)
    # The members list reaches the device over its branch's downlink (TLS, ACL read of branch/pusat).
    _wait_until(lambda: _member_known(device_dir, "A001"), "the members downlink to reach the device")
    done = _module("edge", "--dir", str(device_dir), "sale", "--line", "8991001:2", "--member", "A001")
    assert done.returncode == 0, done.stdout + done.stderr
    _wait_until(lambda: _contiguous(site, "toko-01") >= 1, "central to commit the device's first sale")

    # doctor on the installed device: bundle, certificate, clock and broker are fine (no scanner here).
    findings = {f.check: f for f in diagnose(device_dir, scanner=site.root / "none", printer=None)}
    assert all(findings[c].ok for c in ("bundle", "certificate", "permissions", "clock", "broker")), findings

    site.cli("revoke", "toko-01", "--reason", "kiosk dicuri", "--central-db", site.db)
    broker.reload()
    findings = {f.check: f for f in diagnose(device_dir, scanner=site.root / "none", printer=None)}
    assert not findings["broker"].ok and "revoked" in findings["broker"].en_text
    # The stolen kiosk restarts: its sync service meets the broker's "certificate revoked" alert and the
    # device says so in `edge status` instead of "waiting for central" (the open connection had survived
    # the reload, so only a new handshake meets the CRL).
    assert not _status(device_dir)["revoked"]
    _stop(sync)
    sync = _spawn("sync", "--device", str(device_dir), log=site.root / "sync-after-revoke.log")
    site.procs.append(sync)
    _wait_until(lambda: _status(device_dir)["revoked"], "the sync service to find the device revoked")
    shown = _module("edge", "--dir", str(device_dir), "status", "--lang", "en")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "device REVOKED (broker: sertifikat dicabut" in shown.stdout, shown.stdout
    # The stolen kiosk keeps recording; whatever path its envelopes take, central refuses them.
    later = _module("edge", "--dir", str(device_dir), "sale", "--line", "8991002:3", "--json")
    assert later.returncode == 0, later.stdout + later.stderr
    stolen = envelope.parse(later.stdout.strip().splitlines()[-1])
    assert stolen["seq"] == 2
    ledger = central_ledger.Ledger.open(site.db)
    try:
        report = ledger.ingest([stolen], require_signature=True, expected_device="toko-01")
        assert report.accepted == []
        assert len(report.rejected) == 1
        assert "revoked" in report.rejected[0].reason
        row = next(d for d in ledger.devices_list() if d["device"] == "toko-01")
        assert row["revoked_reason"] == "kiosk dicuri"
        assert ledger.contiguous_seq("toko-01") == 1  # the sale ingested before revocation stays
    finally:
        ledger.close()
