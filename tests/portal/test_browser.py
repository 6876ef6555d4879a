"""A real browser (Debian's Chromium through Playwright) at a phone size and a desktop size."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from central.portal.tables import portal_sessions
from tests.portal.conftest import PASSWORD, World

CHROMIUM = Path("/usr/bin/chromium")
SIZES = {"phone": (360, 740), "desktop": (1280, 800)}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium); `make test` installs it",
)


def test_member_journey_at_phone_and_desktop_size(world: World, base_url: str, tmp_path: Path) -> None:
    """A member gets a clear page for a wrong password, logs in, reads the cash book, meets a forbidden page
    and an expired session; screenshots of each are saved."""
    from playwright.sync_api import sync_playwright

    member = world.by_role["anggota"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for size, (width, height) in SIZES.items():
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                shot = lambda name, page=page, size=size: page.screenshot(  # noqa: E731
                    path=str(tmp_path / f"{size}-{name}.png"), full_page=True
                )
                page.goto(f"{base_url}/login")
                page.fill("#login", member)
                page.fill("#password", "salah-sekali")
                page.click("button[type=submit]")
                assert "kata sandi salah" in page.inner_text(".alert")
                shot("wrong-password")
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/home")
                assert world.ledger.member(member)["name"] in page.inner_text("h1")
                shot("home")
                page.click("nav.menu >> text=Buku kas")
                page.fill("input[name=from]", "2026-03-01")
                page.fill("input[name=to]", "2026-03-31")
                page.click("form.period button")
                page.wait_for_url("**/cashbook?from=2026-03-01*")
                assert page.locator("table.cash tbody tr").count() > 10
                shot("cashbook")
                page.goto(f"{base_url}/audit")
                assert "Tidak boleh dibuka" in page.inner_text("h1")
                shot("forbidden")
                with world.ledger.write() as conn:
                    conn.execute(update(portal_sessions).values(seen_ts=0))
                page.goto(f"{base_url}/cashbook")
                assert "Sesi Anda sudah berakhir" in page.inner_text("main")
                shot("expired")
                page.context.close()
        finally:
            browser.close()
    assert len(list(tmp_path.glob("*.png"))) == 2 * 5


def test_member_disputes_a_purchase_at_phone_and_desktop_size(
    world: World, base_url: str, tmp_path: Path
) -> None:
    """A member opens their purchases, presses "Bukan saya" on one, gives a reason and sees it recorded and
    marked in the list, then reads their points per rule; screenshots of each page at each size are saved."""
    from playwright.sync_api import sync_playwright

    from central.books import receipts

    member = world.by_role["ketua"]  # a member of the board disputes only their own purchases too
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for size, (width, height) in SIZES.items():
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                shot = lambda name, page=page, size=size: page.screenshot(  # noqa: E731
                    path=str(tmp_path / f"{size}-{name}.png"), full_page=True
                )
                page.goto(f"{base_url}/login")
                page.fill("#login", member)
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/home")
                page.click("nav.menu >> text=Belanja saya")
                page.wait_for_url("**/purchases")
                page.fill("input[name=from]", "2026-03-01")
                page.fill("input[name=to]", "2026-03-31")
                page.click("form.period button")
                page.wait_for_url("**/purchases?from=2026-03-01*")
                shot("purchases")
                page.locator("a", has_text="Bukan saya").first.click()
                page.wait_for_url("**/dispute")
                sale = page.url.rsplit("/", 2)[-2]
                assert "Bukan saya" in page.inner_text("h1")
                page.fill("#reason", "Saya tidak belanja hari itu")
                shot("dispute-form")
                page.click("form.form button[type=submit]")
                page.wait_for_load_state()
                assert "Sanggahan Anda tercatat" in page.inner_text("main")
                shot("disputed")
                found = receipts.sale(world.ledger, sale.replace("%3A", ":"))
                assert found is not None and found.dispute is not None and found.member == member
                page.click("text=Kembali ke belanja saya")
                assert "DISANGGAH" in page.inner_text("main")
                page.click("nav.menu >> text=Poin saya")
                page.wait_for_url("**/points")
                assert "Jumlah poin" in page.inner_text("main")
                shot("points")
                page.context.close()
        finally:
            browser.close()
    assert len(list(tmp_path.glob("*.png"))) == 2 * 4


def test_chair_reads_the_board_view_and_decides_a_loan_at_phone_and_desktop_size(
    world: World, base_url: str, tmp_path: Path
) -> None:
    """The ketua opens the board's phone view, taps through to a list, then opens the loan queue and the
    waiting application with the member's credit history; screenshots of each page at each size."""
    from playwright.sync_api import sync_playwright

    from tests.portal.conftest import _application

    app = _application(world.ledger)
    chair = world.by_role["ketua"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for size, (width, height) in SIZES.items():
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                shot = lambda name, page=page, size=size: page.screenshot(  # noqa: E731
                    path=str(tmp_path / f"{size}-{name}.png"), full_page=True
                )
                page.goto(f"{base_url}/login")
                page.fill("#login", chair)
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/home")
                # the board's menu is folded on the member's pages: one tap opens it
                assert not page.is_visible("details.office >> text=Ringkasan pengurus")
                page.click("details.office > summary")
                page.click("details.office >> text=Ringkasan pengurus")
                page.wait_for_url("**/board*")
                assert "Ringkasan pengurus" in page.inner_text("h1")
                shot("board")
                page.click("details.office >> text=Antrean pinjaman")  # open on the board's pages
                page.wait_for_url("**/loans/queue")
                shot("loan-queue")
                page.click(f"a[href='/loans/applications/{app}']")
                page.wait_for_url(f"**/loans/applications/{app}")
                assert "Riwayat kredit anggota" in page.inner_text("main")
                assert page.locator("input[name=decision]").count() == 2  # the ketua decides
                shot("loan-application")
                page.context.close()
        finally:
            browser.close()
    assert len(list(tmp_path.glob("*.png"))) == 2 * 3
