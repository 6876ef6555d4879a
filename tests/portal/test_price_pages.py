"""The price changes page (/stock/prices): the office (manajer, staf) sets a new price from today or a later
day and cancels a waiting one, audited; the board and supervisors read the list; a clerk or member may not;
a bad price or a past day is refused with the reason; a real browser at phone and desktop size."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from central.portal.tables import portal_audit
from central.stock import prices
from tests.portal.conftest import PASSWORD, World, csrf, login

CHROMIUM = Path("/usr/bin/chromium")
SIZES = {"phone": (360, 740), "desktop": (1280, 800)}


@pytest.fixture(scope="module")
def clients(world: World) -> dict[str, TestClient]:
    return {
        role: login(world.client(), world.by_role[role])
        for role in ("manajer", "staf", "pengawas", "kasir", "anggota")
    }


def _item(world: World, index: int = 0) -> dict[str, Any]:
    return sorted(world.ledger.products(), key=lambda p: p["sku"])[index]


def _post(client: TestClient, url: str, **data: str) -> Any:
    token = csrf(client, "/stock/prices")
    return client.post(url, data={"csrftoken": token, **data}, follow_redirects=False)


def test_the_office_sets_and_cancels_prices(world: World, clients: dict[str, TestClient]) -> None:
    """A price from today holds at once; one from next week waits and is cancelled; both are in the list
    and the audit log."""
    item = _item(world)
    today = date.today()
    done = _post(clients["manajer"], "/stock/prices", sku=item["sku"], price=str(item["price_rp"] + 500))
    assert done.status_code == 303 and done.headers["location"] == "/stock/prices"
    assert (
        next(p for p in world.ledger.products() if p["sku"] == item["sku"])["price_rp"]
        == item["price_rp"] + 500
    )
    later = (today + timedelta(days=7)).isoformat()
    assert (
        _post(
            clients["staf"], "/stock/prices", sku=item["sku"], price="99.000", **{"from": later}
        ).status_code
        == 303
    )
    page = clients["pengawas"].get("/stock/prices")
    assert page.status_code == 200 and "Rp 99.000" in page.text and "menunggu tanggalnya" in page.text
    assert 'action="/stock/prices"' not in page.text  # a supervisor reads, the form is the office's
    waiting = next(pc for pc in prices.listing(world.ledger) if pc.state == "pending")
    assert _post(clients["staf"], f"/stock/prices/{waiting.id}/cancel").status_code == 303
    assert prices.get(world.ledger, waiting.id).state == "cancelled"
    with world.ledger.read() as conn:
        actions = [r[0] for r in conn.execute(select(portal_audit.c.action)).all()]
    assert actions.count("stock_price_set") == 2 and "stock_price_cancel" in actions


def test_refusals_and_access(world: World, clients: dict[str, TestClient]) -> None:
    """A price in words, a past day and an unknown item are refused with the reason (nothing recorded); a
    clerk and a member may not open the page, a supervisor may not post."""
    before = len(prices.listing(world.ledger))
    item = _item(world, 1)
    past = (date.today() - timedelta(days=1)).isoformat()
    for data, reason in (
        ({"sku": item["sku"], "price": "tujuh ribu"}, "rupiah bulat"),
        ({"sku": item["sku"], "price": "7000", "from": past}, "tetap pada harga saat itu"),
        ({"sku": "NOPE", "price": "7000"}, "tidak ada barang dengan kode"),
        ({"sku": item["sku"], "price": "7000", "from": "besok"}, "2026-03-31"),
    ):
        refused = _post(clients["manajer"], "/stock/prices", **data)
        assert refused.status_code == 400 and reason in refused.text, data
    assert len(prices.listing(world.ledger)) == before
    assert clients["kasir"].get("/stock/prices").status_code == 403
    assert clients["anggota"].get("/stock/prices").status_code == 403
    token = csrf(clients["pengawas"], "/stock/prices")
    posted = clients["pengawas"].post(
        "/stock/prices", data={"csrftoken": token, "sku": item["sku"], "price": "1"}, follow_redirects=False
    )
    assert posted.status_code == 403


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)")
def test_price_page_in_a_browser_at_phone_and_desktop_size(
    world: World, base_url: str, tmp_path: Path
) -> None:
    """Office staff set a price from next week on a phone and on a desktop; the row shows, waiting."""
    from playwright.sync_api import sync_playwright

    item = _item(world, 2)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for number, (size, (width, height)) in enumerate(SIZES.items()):
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                page.goto(f"{base_url}/login")
                page.fill("#login", world.by_role["staf"])
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/home")
                page.goto(f"{base_url}/stock/prices")
                page.fill("input[name=sku]", item["sku"])
                page.fill("input[name=price]", str(item["price_rp"] + 1000 * (number + 1)))
                page.fill("input[name=from]", (date.today() + timedelta(days=7)).isoformat())
                page.fill("input[name=note]", "harga pemasok naik")
                page.click("form[action='/stock/prices'] button[type=submit]")
                page.wait_for_url("**/stock/prices")
                assert "Perubahan harga disimpan." in page.inner_text("main")
                assert item["name"] in page.inner_text("table.list")
                page.screenshot(path=str(tmp_path / f"{size}-prices.png"), full_page=True)
                page.context.close()
        finally:
            browser.close()
    assert len(list(tmp_path.glob("*-prices.png"))) == 2


def test_a_count_sheet_lists_the_kiosks_lines_late_ones_with_why(
    world: World, clients: dict[str, TestClient]
) -> None:
    """A line counted on a kiosk shows on the sheet as taken; one that arrived after the close shows as late
    with its reason (kept, not counted)."""
    from central.stock import counts
    from tests.central.helpers import Device

    toko = next(p for p in world.ledger.products() if p["unit"] == "toko")
    dev = Device("toko-77").register(world.ledger)
    open_ids = [c.id for c in counts.listing(world.ledger, unit="toko") if c.state in ("open", "closed")]
    for number in open_ids:
        counts.cancel(world.ledger, number, by="test", reason="bersih-bersih uji") if counts.get(
            world.ledger, number
        ).state == "open" else counts.reject(
            world.ledger, number, by="test", role="manajer", reason="uji lain"
        )
    count = counts.start(world.ledger, "toko", by="test")
    at = datetime.fromtimestamp(count.started_ts + 60, world.ledger.config.tz).isoformat(timespec="seconds")
    line = [{"sku": toko["sku"], "qty": 3}]
    assert not world.ledger.ingest(
        [dev.make("count_line", count=count.id, clerk="sari", at=at, lines=line)]
    ).rejected
    counts.close(world.ledger, count.id, by="test", now_ts=count.started_ts + 120)
    late_at = datetime.fromtimestamp(count.started_ts + 90, world.ledger.config.tz).isoformat(
        timespec="seconds"
    )
    assert not world.ledger.ingest(
        [dev.make("count_line", count=count.id, clerk="sari", at=late_at, lines=line)]
    ).rejected
    page = clients["manajer"].get(f"/stock/counts/{count.id}")
    assert page.status_code == 200
    assert "sari@toko-77" in page.text and "masuk hitungan" in page.text
    assert "terlambat, tidak dihitung" in page.text and "already closed" in page.text


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)")
def test_shrinkage_per_clerk_shift_in_a_browser(world: World, base_url: str, tmp_path: Path) -> None:
    """A count with a loss approved after a clerk's handed-in shift: the shrinkage page shows the table per
    clerk shift (the clerk, the shift, its sales, its share of the loss) at phone and desktop size."""
    from playwright.sync_api import sync_playwright

    from central.office import identity
    from central.stock import counts
    from tests.central.helpers import Device

    toko = sorted((p for p in world.ledger.products() if p["unit"] == "toko"), key=lambda p: p["sku"])[3]
    for c in counts.listing(world.ledger, unit="toko"):
        if c.state == "open":
            counts.cancel(world.ledger, c.id, by="test", reason="bersih-bersih uji")
        elif c.state == "closed":
            counts.reject(world.ledger, c.id, by="test", role="manajer", reason="uji lain")
    dev = Device("toko-78").register(world.ledger)
    now = datetime.now(world.ledger.config.tz).replace(microsecond=0)
    start = now - timedelta(hours=6)
    handin = dev.make(
        "handin",
        at=(now - timedelta(hours=1)).isoformat(),
        clerk="sari",
        expected_rp=0,
        counted_rp=0,
        total=0,
        **{"from": start.isoformat(), "to": (now - timedelta(hours=1)).isoformat()},
    )
    assert not world.ledger.ingest([handin]).rejected
    count = counts.start(world.ledger, "toko", by="test", section="rak uji")
    counts.enter(world.ledger, count.id, toko["sku"], "0", by="test")
    closed = counts.close(world.ledger, count.id, by="test")
    office = identity.load(world.ledger, world.settings.office_key)
    counts.approve(world.ledger, office, closed.id, by="test", role="manajer")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for size, (width, height) in SIZES.items():
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                page.goto(f"{base_url}/login")
                page.fill("#login", world.by_role["manajer"])
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/home")
                page.goto(f"{base_url}/stock/shrinkage?unit=toko")
                shown = page.inner_text("main")
                assert "Per shift petugas" in shown and "sari" in shown and dev.name in shown
                page.screenshot(path=str(tmp_path / f"{size}-shrinkage.png"), full_page=True)
                page.context.close()
        finally:
            browser.close()
