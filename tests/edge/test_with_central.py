"""The device against the real central ledger: central's snapshots feed the device, the device's exported
outbox is accepted by central exactly once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from central import config
from central.books.statement import member_summary
from central.ledger import Ledger
from central.members.rows import MemberRow, ProductRow
from edge.cli import main
from edge.device import Device
from edge.install import init_device
from edge.keys import load as load_key
from edge.keys import public_text
from edge.settings import DeviceSettings


def test_central_snapshots_in_and_exported_outbox_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Snapshots built from central's members() and products() apply on the device; sales recorded
    there, exported as JSON Lines, are all accepted with signatures required, and a second ingest only
    finds duplicates."""
    ledger = Ledger.open(tmp_path / "coop.sqlite")
    ledger.init(config.default())
    ledger.import_members([MemberRow("A001", "Siti", "2020-01-01", None, None, None, "anggota", 500000)])
    ledger.import_products([ProductRow("8991001", "Beras 5 kg", "toko", 68000, 61000)])
    device_dir = tmp_path / "device"
    init_device(device_dir, DeviceSettings(coop="kopmaju", device="toko-01", unit="toko", branch="pusat"))
    ledger.devices_add("toko-01", public_text(load_key(device_dir)), "toko", "pusat")
    with Device.open(device_dir) as dev:
        assert dev.apply_downlink("members", {"kind": "snapshot", "version": 1, "items": ledger.members()})
        assert dev.apply_downlink("catalog", {"kind": "snapshot", "version": 1, "items": ledger.products()})
        member = dev.member("A001")
        assert member is not None and member.credit_limit_rp == 500000
        card = dev.member_by_card(member.card_code or "")
        assert card is not None and card.number == "A001"
        dev.record_sale([("8991001", 2)], member="A001", payment="credit")
        sale = dev.record_sale([("8991001", 1)])
        dev.record_void(sale.id, "batal")
        dev.record_savings_deposit("A001", "wajib", 50000)
    out = tmp_path / "usb.jsonl"
    assert main(["--dir", str(device_dir), "outbox", "export", "--out", str(out)]) == 0
    lines = out.read_bytes().splitlines()
    report = ledger.ingest(lines, require_signature=True, expected_device="toko-01")
    assert report.rejected == [] and len(report.accepted) == 4
    assert ledger.contiguous_seq("toko-01") == 4
    again = ledger.ingest(lines, require_signature=True, expected_device="toko-01")
    assert again.accepted == [] and len(again.duplicates) == 4
    with Device.open(device_dir) as dev:
        assert dev.mark_acked(ledger.contiguous_seq("toko-01")) == 4
        assert dev.apply_downlink("members", {"kind": "snapshot", "version": 2, "items": ledger.members()})
        assert dev.credit_available_rp("A001") == 500000 - 136000
    capsys.readouterr()
    assert json.loads(json.dumps(member_summary(ledger, "A001")))["member"] == "A001"
