"""Envelopes signed with enrolled keys meet central's registry: impersonation and replay are refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from provisioning import central_link
from sync import envelope
from tests.provisioning.conftest import Pki

central_ledger = pytest.importorskip("central.ledger")
central_config = pytest.importorskip("central.config")
central_members = pytest.importorskip("central.members.rows")


def _key(pki: Pki, device: str) -> Ed25519PrivateKey:
    pem = (pki.devices[device].bundle_dir / "signing.key").read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def _sale(device: str, seq: int, prev: str, qty: int = 1, ident: str | None = None) -> dict[str, Any]:
    return {
        "v": 1,
        "id": ident or f"{device}:{seq}",
        "device": device,
        "seq": seq,
        "prev": prev,
        "at": "2026-11-22T09:00:00+07:00",
        "unit": "toko",
        "kind": "sale",
        "member": None,
        "payment": "cash",
        "lines": [{"sku": "8991001", "qty": qty, "price_rp": 16000, "cost_rp": 14000}],
        "total": 16000 * qty,
    }


@pytest.fixture
def ledger(pki: Pki, tmp_path: Path) -> Iterator[Any]:
    """Central's ledger with one product, and toko-01/toko-02 registered through provisioning's link."""
    db = str(tmp_path / "central.sqlite")
    with central_ledger.Ledger.open(db) as led:
        led.init(central_config.default())
        led.import_products([central_members.ProductRow("8991001", "Gula 1 kg", "toko", 16000, 14000)])
    for device in ("toko-01", "toko-02"):
        central_link.register(db, pki.devices[device].record)
    with central_ledger.Ledger.open(db) as led:
        yield led


def test_envelope_of_device_a_on_device_bs_topic_is_rejected(pki: Pki, ledger: Any) -> None:
    """A's correctly signed envelope on B's topic is quarantined with a reason naming the mismatch."""
    signed = envelope.sign(_sale("toko-01", 1, envelope.GENESIS), _key(pki, "toko-01"))
    report = ledger.ingest([signed], require_signature=True, expected_device="toko-02")
    assert report.accepted == []
    reason = report.rejected[0].reason
    assert "toko-02" in reason and "toko-01" in reason, reason


def test_envelope_claiming_device_b_signed_with_as_key_is_rejected(pki: Pki, ledger: Any) -> None:
    """An envelope that names toko-02 but is signed with toko-01's key fails toko-02's registered key."""
    forged = envelope.sign(_sale("toko-02", 1, envelope.GENESIS), _key(pki, "toko-01"))
    report = ledger.ingest([forged], require_signature=True, expected_device="toko-02")
    assert report.accepted == []
    assert "signature" in report.rejected[0].reason.lower(), report.rejected[0].reason


def test_replayed_envelope_changes_nothing_and_altered_replay_is_rejected(pki: Pki, ledger: Any) -> None:
    """Replaying an ingested envelope is idempotent; a re-signed variant under the same id is refused."""
    key = _key(pki, "toko-01")
    first = envelope.sign(_sale("toko-01", 1, envelope.GENESIS), key)
    assert ledger.ingest([first], require_signature=True, expected_device="toko-01").accepted == [first["id"]]
    again = ledger.ingest([first], require_signature=True, expected_device="toko-01")
    assert again.accepted == [] and again.duplicates == [first["id"]]
    altered = envelope.sign(_sale("toko-01", 1, envelope.GENESIS, qty=5), key)
    report = ledger.ingest([altered], require_signature=True, expected_device="toko-01")
    assert report.accepted == []
    assert "already committed with other content" in report.rejected[0].reason
    assert ledger.contiguous_seq("toko-01") == 1


def test_old_envelope_replayed_under_a_new_id_breaks_the_chain(pki: Pki, ledger: Any) -> None:
    """An old transaction resent as new (fresh id, old seq and prev) is refused, not counted twice."""
    key = _key(pki, "toko-01")
    first = envelope.sign(_sale("toko-01", 1, envelope.GENESIS), key)
    ledger.ingest([first], require_signature=True, expected_device="toko-01")
    replay = envelope.sign(_sale("toko-01", 1, envelope.GENESIS, ident="toko-01:1-again"), key)
    report = ledger.ingest([replay], require_signature=True, expected_device="toko-01")
    assert report.accepted == []
    assert "seq 1 of device toko-01 is already used" in report.rejected[0].reason
    assert ledger.contiguous_seq("toko-01") == 1
