"""A field cadre on a phone in a real browser (Debian's Chromium through Playwright): opens their group,
records a meeting by ticking who came, files a visit report with a photo, and sends a file that is not a
photo, which is refused with a clear message. Screenshots at phone and desktop size of the attendance form
and the report form are saved (``KOP_SCREENSHOTS=DIR`` keeps them there too)."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from central.groups import store
from central.ledger import schema
from tests.portal.conftest import PASSWORD, World, photo_bytes, set_password

CHROMIUM = Path("/usr/bin/chromium")
SIZES = {"phone": (360, 740), "desktop": (1280, 800)}
MIN_TOUCH_PX = 44  # the least height of a row a thumb ticks (WCAG 2.5.5)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium); `make test` installs it",
)


def _group(world: World) -> store.Group:
    """A group of six plain members led by the world's kader (made once)."""
    ledger = world.ledger
    found = [g for g in store.groups(ledger) if g.name == "FGS Anggrek"]
    if found:
        return found[0]
    taken = set(world.by_role.values())
    spare = sorted(m["number"] for m in ledger.members() if m["number"] not in taken)[:6]
    with ledger.write() as conn:
        conn.execute(update(schema.members).where(schema.members.c.number.in_(spare)).values(role="anggota"))
    made = store.create(ledger, "FGS Anggrek", "Sidomulyo", world.by_role["kader"], by="test")
    return store.add_members(ledger, made.id, spare, by="test")


def test_a_cadre_records_a_meeting_and_a_visit_on_a_phone(
    world: World, base_url: str, tmp_path: Path
) -> None:
    """Every step is a tap or a form, each page waited for by its URL or text (bounded by Playwright's
    timeout), never by sleeping."""
    from playwright.sync_api import Page, sync_playwright

    group = _group(world)
    kader = world.by_role["kader"]
    set_password(world.ledger, kader)
    today = datetime.now(world.ledger.config.tz).date().isoformat()
    photo = tmp_path / "warung.jpg"
    photo.write_bytes(photo_bytes((1600, 1200)))
    not_photo = tmp_path / "catatan.pdf"
    not_photo.write_bytes(b"%PDF-1.4\n% not a picture\n")
    keep = os.environ.get("KOP_SCREENSHOTS")

    def shot(page: Page, name: str) -> None:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(keep) / path.name)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for size, (width, height) in SIZES.items():
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                page.goto(f"{base_url}/login")
                page.fill("#login", kader)
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/home")
                page.click("nav.menu >> text=Kelompok")
                page.wait_for_url("**/groups")
                page.click(f"text={group.name}")
                page.wait_for_url(f"**/groups/{group.id}")
                page.click("text=Catat pertemuan")
                page.wait_for_url(f"**/groups/{group.id}/meetings/new")
                page.fill("#place", "Rumah Pak Kadus")
                page.fill("#agenda", "Arisan, tabungan wajib, rencana panen")
                ticks = page.locator("label.gr-tick")
                assert ticks.count() == len(group.members)
                for i in range(ticks.count()):
                    box = ticks.nth(i).bounding_box()
                    assert box is not None and box["height"] >= MIN_TOUCH_PX
                for i in (0, 2, 3):
                    ticks.nth(i).click()  # a tap anywhere on the row ticks it
                page.fill("#notes", "Semua sepakat menabung tiap minggu.")
                shot(page, f"{size}-meeting-attendance")
                page.click("button.gr-save")
                page.wait_for_url(f"**/groups/{group.id}/meetings/*")
                assert "3 dari 6 hadir" in page.inner_text("main")
                shot(page, f"{size}-meeting")
                page.click("nav.menu >> text=Laporan kader")
                page.wait_for_url("**/visits")
                page.click("main >> text=Lapor kunjungan")
                page.wait_for_url("**/visits/new")
                page.select_option("#about", f"m:{group.members[0].number}")
                page.fill("#text", "Warung kelontong Bu Sri makin ramai; stok beras ditambah.")
                page.set_input_files("#photo", str(not_photo))
                page.click("button.gr-save")
                page.wait_for_selector(".alert")
                assert "Berkasnya bukan foto yang bisa dibaca" in page.inner_text(".alert")
                assert "Bu Sri" in page.input_value("#text")  # what was typed is not lost
                shot(page, f"{size}-report-refused")
                page.set_input_files("#photo", str(photo))
                shot(page, f"{size}-report-form")
                page.click("button.gr-save")
                page.wait_for_url("**/visits/*")
                assert "Laporan kunjungan terkirim" in page.inner_text("main")
                assert page.locator(".gr-photos img").count() == 1
                assert page.eval_on_selector(".gr-photos img", "img => img.naturalWidth") > 0
                shot(page, f"{size}-report")
                page.context.close()
        finally:
            browser.close()
    assert len(list(tmp_path.glob("*.png"))) == 2 * 5
    assert today  # the meeting's date defaults to today (the form's value)
