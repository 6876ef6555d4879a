"""Central's refusals on the device: marked, their stock and pending credit given back, shown by status."""

from __future__ import annotations

import json
from pathlib import Path

from edge import cli
from edge.device import Device
from sync.refusals import Item, Notice


def _notice(*items: Item, total: int | None = None) -> Notice:
    return Notice("toko-01", len(items) if total is None else total, tuple(items))


def test_a_refused_credit_sale_gives_back_credit_and_stock(dev: Device) -> None:
    """A refused sale no longer counts as pending credit, and its stock comes back."""
    before_credit = dev.credit_available_rp("A001")
    before_stock = dev.stock_milli()["8991002"]
    rec = dev.record_sale([("8991002", 2)], member="A001", payment="credit")
    assert dev.credit_available_rp("A001") == before_credit - 35000
    dev.mark_acked(1)
    assert dev.apply_refusals(_notice(Item(1, rec.id, "unknown member 'A001'"))) == 1
    assert dev.credit_available_rp("A001") == before_credit
    assert dev.stock_milli()["8991002"] == before_stock
    assert dev.apply_refusals(_notice(Item(1, rec.id, "unknown member 'A001'"))) == 0  # once only
    assert dev.stock_milli()["8991002"] == before_stock


def test_a_voided_sale_refused_gives_its_stock_back_once(dev: Device) -> None:
    """A voided sale already gave its stock back; refusing the sale and its void changes nothing."""
    before = dev.stock_milli()["8991001"]
    sale = dev.record_sale([("8991001", 3)])
    void = dev.record_void(sale.id, "batal")
    dev.apply_refusals(_notice(Item(1, sale.id, "x"), Item(2, void.id, "void refers to unknown")))
    assert dev.stock_milli()["8991001"] == before


def test_accepted_after_a_retry_takes_the_stock_again(dev: Device) -> None:
    """An envelope the office retried successfully is unmarked and counts again."""
    before = dev.stock_milli()["8991001"]
    sale = dev.record_sale([("8991001", 3)])
    dev.apply_refusals(_notice(Item(1, sale.id, "x")))
    dev.apply_refusals(_notice(Item(1, sale.id, "x", "accepted")))
    assert dev.stock_milli()["8991001"] == before - 3000
    assert dev.status().refused == 1  # central's total counts every refusal it made
    assert dev.refused() == []


def test_an_item_naming_another_envelope_is_ignored(dev: Device) -> None:
    """A notice item whose id is not this device's envelope at that seq marks nothing."""
    dev.record_sale([("8991001", 1)])
    assert dev.apply_refusals(_notice(Item(1, "someone-else", "x"))) == 0
    assert dev.refused() == []


def test_status_shows_count_and_latest_reasons(
    dev: Device, device_dir: Path, capsys: object
) -> None:
    """`edge status` names how many central refused and the latest reasons, in text and JSON."""
    first = dev.record_sale([("8991001", 1)])
    second = dev.record_sale([("8991001", 1)])
    dev.mark_acked(2)
    items = (Item(1, first.id, "unknown sku"), Item(2, second.id, "unknown member"))
    dev.apply_refusals(_notice(*items, total=5))
    status = dev.status()
    assert status.refused == 5 and status.outbox_depth == 0
    assert status.refused_latest == ((2, "unknown member"), (1, "unknown sku"))
    assert cli.main(["status", "--dir", str(device_dir)]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "ditolak pusat" in out and "unknown member" in out
    assert cli.main(["status", "--dir", str(device_dir), "--json", "--lang", "en"]) == 0
    body = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert body["refused"] == 5 and body["refused_latest"][0] == [2, "unknown member"]


def test_refused_rows_are_kept_when_delivered_ones_are_pruned(dev: Device) -> None:
    """Pruning delivered rows keeps the refused ones, which the clerk and the office still look at."""
    rec = dev.record_savings_deposit("A001", "wajib", 50000)
    dev.record_savings_deposit("A001", "wajib", 50000)
    dev.mark_acked(2)
    dev.apply_refusals(_notice(Item(1, rec.id, "x")))
    dev.prune_delivered(-1.0)
    assert [seq for seq, _ in dev.outbox_after(0, 10)] == [1]
