"""Receipt QR codes checked against the books (central/books/receipts.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from central import cli, sample
from central.books.receipts import verify_receipt
from central.ledger import Ledger


def _qr(envelope: dict[str, Any], length: int = 16) -> str:
    raw = base64.b64decode(envelope["sig"])
    return f"KOP1|{envelope['id']}|{base64.b32encode(raw[:length]).decode().rstrip('=')}"


def _ingested(loaded: Ledger, month: sample.SampleData) -> list[dict[str, Any]]:
    report = loaded.ingest(month.envelopes[:300])
    assert not report.rejected
    return [e for e in month.envelopes[:300] if e["kind"] == "sale"]


def test_a_ledgered_sale_receipt_is_valid(loaded: Ledger, month: sample.SampleData) -> None:
    """The QR code of a sale in the ledger checks out, with its date, unit and total but no member."""
    sale = _ingested(loaded, month)[0]
    check = verify_receipt(loaded, _qr(sale))
    assert check.status == "valid"
    assert (check.txid, check.unit, check.total_rp) == (sale["id"], sale["unit"], sale["total"])
    assert sale["member"] is None or sale["member"] not in check.message("id")


def test_a_forged_signature_is_not_valid(loaded: Ledger, month: sample.SampleData) -> None:
    """A receipt naming a real transaction with someone else's signature is reported as not valid."""
    first, second = _ingested(loaded, month)[:2]
    forged = f"KOP1|{first['id']}|{_qr(second).split('|')[2]}"
    assert verify_receipt(loaded, forged).status == "mismatch"


def test_unknown_malformed_and_voided_receipts(loaded: Ledger, month: sample.SampleData) -> None:
    """Unknown ids, junk and too-short signatures are told apart; a voided sale says so."""
    sales = _ingested(loaded, month)
    assert verify_receipt(loaded, "KOP1|toko-99:1|" + "A" * 26).status == "unknown"
    assert verify_receipt(loaded, "hello").status == "malformed"
    assert verify_receipt(loaded, _qr(sales[0], length=4)).status == "malformed"
    voided_ids = {e["ref"] for e in month.envelopes[:300] if e["kind"] == "void"}
    voided = [s for s in sales if s["id"] in voided_ids]
    if not voided:
        pytest.skip("the sample's first 300 envelopes hold no void")
    assert verify_receipt(loaded, _qr(voided[0])).status == "voided"


def test_cli_exit_codes(tmp_path: Path, month: sample.SampleData, capsys: pytest.CaptureFixture[str]) -> None:
    """verify-receipt exits 0 for a valid receipt and 1 for anything else, with a readable line."""
    db = str(tmp_path / "coop.sqlite")
    with Ledger.open(db) as ledger:
        from central import config

        ledger.init(config.default())
        sample.load_into(ledger, month)
        sales = _ingested(ledger, month)
    assert cli.main(["--db", db, "verify-receipt", _qr(sales[0])]) == 0
    assert "SAH" in capsys.readouterr().out
    assert cli.main(["--db", db, "--lang", "en", "verify-receipt", "KOP1|nope|AAAAAAAAAAAAAAAA"]) == 1
    assert "not in the central ledger" in capsys.readouterr().out
