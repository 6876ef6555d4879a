"""A member on a phone in a real browser (Debian's Chromium through Playwright) records a warung with a
photo and sees it with its thumbnail; a board member files an activity report and every member reads the
board activity page. Screenshots at phone and desktop size of the asset page, the assets list and the board
activity page are saved (``KOP_SCREENSHOTS=DIR`` keeps them there too)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from central import config
from central.assets import rules, store
from tests.portal.conftest import PASSWORD, World, set_password

CHROMIUM = Path("/usr/bin/chromium")
SIZES = {"phone": (360, 740), "desktop": (1280, 800)}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium); `make test` installs it",
)


def warung_photo() -> bytes:
    """A picture with something in it (a shop front drawn in blocks), as a phone camera would send it."""
    image = Image.new("RGB", (1600, 1200), (135, 190, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 850, 1600, 1200), fill=(120, 110, 95))
    draw.rectangle((250, 350, 1350, 900), fill=(230, 215, 180))
    draw.polygon([(200, 360), (800, 120), (1400, 360)], fill=(170, 60, 40))
    draw.rectangle((350, 500, 750, 800), fill=(60, 90, 60))
    draw.rectangle((850, 450, 1250, 700), fill=(245, 245, 240))
    for x in range(880, 1230, 70):
        draw.rectangle((x, 480, x + 50, 560), fill=(200, 40, 40))
        draw.rectangle((x, 590, x + 50, 670), fill=(240, 190, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def test_a_member_records_an_asset_and_everyone_reads_board_activity(
    world: World, base_url: str, tmp_path: Path
) -> None:
    """Each step is a tap or a form, each page waited for by its URL or text (bounded by Playwright's
    timeout), never by sleeping."""
    from playwright.sync_api import Page, sync_playwright

    raw = json.loads(json.dumps(world.ledger.config.raw))
    raw["shu"] = {**raw["shu"], "board_by_activity": True}
    world.ledger.init(config.parse(raw))
    member, chair = world.by_role["anggota"], world.by_role["ketua"]
    for number in (member, chair):
        set_password(world.ledger, number)
    # an older asset with a value history, so the list has more than one entry
    goats = rules.check_entry("ternak", "3 ekor kambing etawa", 4_500_000, date(2026, 1, 15))
    older = store.add(world.ledger, member, goats, by=member, by_member=member)
    store.add_value(world.ledger, older, 5_200_000, date(2026, 3, 1), "anak lahir", by=member)
    photo = tmp_path / "IMG_20260305.jpg"
    photo.write_bytes(warung_photo())
    keep = os.environ.get("KOP_SCREENSHOTS")

    def shot(page: Page, name: str) -> None:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(keep) / path.name)

    def log_in(page: Page, who: str) -> None:
        page.goto(f"{base_url}/login")
        page.fill("#login", who)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/home")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for size, (width, height) in SIZES.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                log_in(page, member)
                page.click("nav.menu >> text=Aset saya")
                page.wait_for_url("**/assets")
                page.click("text=Tambah aset")
                page.wait_for_url("**/assets/new")
                page.select_option("#kind", "warung")
                page.fill("#description", f"Warung sembako di depan rumah, 3 x 4 m ({size})")
                page.fill("#value_rp", "12.500.000")
                page.set_input_files("#photo", str(photo))
                assert not page.is_checked("input[name=keep_location]")
                page.click("button[type=submit]")
                page.wait_for_url(re.compile(r".*/assets/[0-9]+$"))
                page.wait_for_selector("text=Aset tersimpan.")
                assert page.locator(".as-photos img").evaluate("img => img.naturalWidth") > 0
                shot(page, f"asset-{size}")
                page.click("text=Kembali ke daftar aset")
                page.wait_for_url("**/assets")
                assert page.locator(".as-item").count() >= 2
                shot(page, f"assets-{size}")
                context.close()

                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                log_in(page, chair)
                page.goto(f"{base_url}/activity/new")
                page.check("input[value=kunjungan]")
                page.fill("#description", f"Kunjungan ke FGS Melati, 12 anggota hadir ({size})")
                page.set_input_files("#photo", str(photo))
                page.click("button[type=submit]")
                page.wait_for_selector("text=Laporan kegiatan tersimpan.")
                context.close()

                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                log_in(page, member)
                page.click("nav.menu >> text=Keaktifan pengurus")
                page.wait_for_url("**/reports/board-activity")
                page.wait_for_selector("text=Skor")
                shot(page, f"board-activity-{size}")
                context.close()
        finally:
            browser.close()
    for name in ("asset", "assets", "board-activity"):
        for size in SIZES:
            assert (tmp_path / f"{name}-{size}.png").stat().st_size > 10_000
