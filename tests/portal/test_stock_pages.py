"""The stock pages: stock on hand, the reorder list and slow movers as pages, CSV and PDF; a stock count run
through the portal (the office starts it, a clerk types a line, the office closes it, only the manager's
approval posts); the shrinkage report for the board only."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from central.ledger import schema
from central.stock import counts, onhand
from tests.portal.conftest import World, csrf, login


@pytest.fixture(scope="module")
def clients(world: World) -> dict[str, TestClient]:
    return {
        role: login(world.client(), world.by_role[role])
        for role in ("ketua", "staf", "kasir", "manajer", "pengawas", "anggota")
    }


def _post(client: TestClient, url: str, **data: str) -> Any:
    token = csrf(client, "/stock/counts")
    return client.post(url, data={"csrftoken": token, **data}, follow_redirects=False)


def test_stock_on_hand_page_and_downloads(world: World, clients: dict[str, TestClient]) -> None:
    """The board sees each item's stock as of a day and downloads it as CSV and PDF; a member may not."""
    held = next(p for p in onhand.positions(world.ledger, date(2026, 3, 31), "toko"))
    page = clients["ketua"].get("/stock?unit=toko&on=2026-03-31")
    assert page.status_code == 200
    assert held.name in page.text and "Stok barang" in page.text
    csv = clients["ketua"].get("/stock?unit=toko&on=2026-03-31&format=csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert f"toko;{held.sku};" in csv.content.decode("utf-8-sig")
    assert 'filename="stok-toko-2026-03-31.csv"' in csv.headers["content-disposition"]
    pdf = clients["ketua"].get("/stock/reorder?unit=toko&on=2026-03-31&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert clients["kasir"].get("/stock/slow").status_code == 200
    assert clients["anggota"].get("/stock").status_code == 403
    assert clients["kasir"].get("/stock/shrinkage").status_code == 403


def _count_id(response: Any) -> int:
    location = response.headers["location"]
    found = re.fullmatch(r"/stock/counts/(\d+)", location)
    assert found, location
    return int(found.group(1))


def test_a_count_through_the_portal(world: World, clients: dict[str, TestClient]) -> None:
    """Start (office), a line (clerk), close with the number typed back (office), approval refused for a
    supervisor and posted for the manager; then the shrinkage report shows it."""
    cafe = next(p for p in onhand.positions(world.ledger, date(2026, 3, 31), "cafe"))
    assert _post(clients["kasir"], "/stock/counts/start", unit="cafe").status_code == 403
    started = _post(clients["staf"], "/stock/counts/start", unit="cafe", section="etalase")
    number = _count_id(started)
    counted = str(max(0, cafe.onhand_milli // 1000 - 2))
    line = _post(clients["kasir"], f"/stock/counts/{number}/line", sku=cafe.sku, qty=counted)
    assert line.status_code == 303
    bad = _post(clients["kasir"], f"/stock/counts/{number}/line", sku="NOPE", qty="1")
    assert bad.status_code == 400 and "bukan barang unit cafe" in bad.text
    unconfirmed = _post(clients["staf"], f"/stock/counts/{number}/close")
    assert unconfirmed.status_code == 400
    assert counts.get(world.ledger, number).state == "open"
    assert _post(clients["staf"], f"/stock/counts/{number}/close", confirm=str(number)).status_code == 303
    closed = counts.get(world.ledger, number)
    assert closed.state == "closed" and closed.loss_rp and closed.loss_rp > 0
    assert _post(clients["kasir"], f"/stock/counts/{number}/decide", confirm=str(number)).status_code == 403
    refused = _post(
        clients["pengawas"], f"/stock/counts/{number}/decide", confirm=str(number), decision="approve"
    )
    assert refused.status_code == 400 and "hanya manajer" in refused.text
    t = schema.transactions
    with world.ledger.read() as conn:
        notes = conn.execute(select(t.c.note).where(t.c.kind == "journal")).scalars().all()
    assert f"stok opname {number}" not in notes
    page = clients["manajer"].get(f"/stock/counts/{number}")
    assert "Setujui dan bukukan" in page.text
    done = _post(
        clients["manajer"], f"/stock/counts/{number}/decide", confirm=str(number), decision="approve"
    )
    assert done.status_code == 303
    approved = counts.get(world.ledger, number)
    assert approved.state == "approved" and approved.posted_tx
    sheet = clients["ketua"].get(f"/stock/counts/{number}?format=csv")
    assert cafe.sku in sheet.content.decode("utf-8-sig")
    report = clients["pengawas"].get(
        f"/stock/shrinkage?from={approved.posted_day}&to={approved.posted_day}&unit=cafe"
    )
    assert report.status_code == 200 and cafe.name in report.text
    assert (
        clients["ketua"]
        .get(f"/stock/shrinkage?from={approved.posted_day}&to={approved.posted_day}&format=pdf")
        .content.startswith(b"%PDF")
    )
    listing = clients["kasir"].get("/stock/counts")
    assert f"/stock/counts/{number}" in listing.text
