"""The whole loan journey in a real browser (Debian's Chromium through Playwright): a member applies with
the schedule shown first, the chair approves, the treasurer pays out, the member sees the loan and the next
installment, asks for a reschedule with the new schedule shown first, the chair approves it, and the
member sees the new schedule and the mark. Screenshots of each page are saved."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from central.loans import applications as apps
from central.loans import portfolio, rescheduling
from tests.portal.conftest import PASSWORD, World, set_password

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium); `make test` installs it",
)


def _free_member(world: World) -> str:
    """A plain member who owes nothing on a loan and has nothing waiting, given a login if they have none."""
    ledger = world.ledger
    with ledger.read() as conn:
        for row in sorted(ledger.members(), key=lambda m: m["number"]):
            number = row["number"]
            if not row["active"] or row["role"] != "anggota":
                continue
            if apps.loans_owed_rp(conn, number, ledger.config.posting.loans) != 0:
                continue
            if any(a.state in apps.OPEN_STATES for a in apps.listing(ledger, member=number)):
                continue
            break
        else:
            pytest.skip("no plain member free of loans in the sample world")
    if number not in world.by_role.values():
        set_password(ledger, number)
    return str(number)


def test_apply_approve_pay_out_reschedule_and_see_the_new_schedule(
    world: World, base_url: str, tmp_path: Path
) -> None:
    """Member, chair and treasurer each in their own browser context; every step is a click or a form, and
    every page is waited for by its URL or its text (bounded by Playwright's timeout), never by sleeping."""
    from playwright.sync_api import Page, sync_playwright

    member = _free_member(world)
    chair = world.by_role["ketua"]
    treasurer = world.by_role["bendahara"]
    today = datetime.now(world.ledger.config.tz).date()

    def shot(page: Page, name: str) -> None:
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)

    def login(page: Page, name: str) -> None:
        page.goto(f"{base_url}/login")
        page.fill("#login", name)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/home")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            mine = browser.new_context(viewport=PHONE).new_page()
            board = browser.new_context(viewport=PHONE).new_page()
            office = browser.new_context(viewport=DESKTOP).new_page()
            mine.set_default_timeout(15_000)
            board.set_default_timeout(15_000)
            office.set_default_timeout(15_000)

            # the member applies, with the schedule shown before submitting
            login(mine, member)
            mine.click("nav.menu >> text=Pinjaman saya")
            mine.wait_for_url("**/loans")
            mine.click("text=Ajukan pinjaman")
            mine.wait_for_url("**/loans/apply")
            mine.fill("#amount", "2400000")
            mine.fill("#term", "12")
            mine.click("form[action='/loans/apply'] button[type=submit]")
            mine.wait_for_url("**/loans/apply?*")
            assert "Jadwal angsuran jika disetujui" in mine.inner_text("main")
            assert mine.locator("table.lines tbody tr").count() == 12
            shot(mine, "1-member-apply-preview")
            mine.fill("#purpose", "modal warung")
            mine.click("form[method=post] button[type=submit]")
            mine.wait_for_url("**/loans")
            assert "Pengajuan terkirim" in mine.inner_text("main")
            app = next(a for a in apps.listing(world.ledger, member=member) if a.state == "submitted")

            # the chair approves, with the credit history on the same page
            login(board, chair)
            board.goto(f"{base_url}/loans/queue")
            board.click(f"a[href='/loans/applications/{app.id}']")
            board.wait_for_url(f"**/loans/applications/{app.id}")
            assert "Riwayat kredit anggota" in board.inner_text("main")
            board.check("input[name=decision][value=approve]")
            board.fill("#reason", "usaha berjalan baik")
            shot(board, "2-chair-decides")
            board.click("form[action$='/decide'] button[type=submit]")
            board.wait_for_url(f"**/loans/applications/{app.id}")
            assert "Keputusan tersimpan" in board.inner_text("main")

            # the treasurer pays it out, typing the number to confirm
            login(office, treasurer)
            office.goto(f"{base_url}/loans/queue")
            office.click(f"a[href='/loans/applications/{app.id}']")
            office.wait_for_url(f"**/loans/applications/{app.id}")
            office.fill("input[name=confirm]", str(app.id))
            office.click("form[action$='/disburse'] button[type=submit]")
            office.wait_for_url(f"**/loans/applications/{app.id}")
            assert "Pinjaman dicairkan" in office.inner_text("main")
            shot(office, "3-treasurer-paid-out")
            loan = apps.loan_id(app.id)

            # the member sees the loan, its schedule and the next installment
            mine.goto(f"{base_url}/home")
            assert "Angsuran berikutnya" in mine.inner_text("main")
            mine.click("nav.menu >> text=Pinjaman saya")
            mine.wait_for_url("**/loans")
            assert loan in mine.inner_text("main")
            assert mine.locator("table.lines tbody tr").count() == 12
            shot(mine, "4-member-loan")

            # the member asks for a reschedule, with the new schedule shown first
            mine.click(f"a[href='/loans/reschedule?loan={loan}']")
            mine.wait_for_url("**/loans/reschedule?loan=*")
            mine.fill("#term", "18")
            mine.fill("#grace", "2")
            mine.click("form[action='/loans/reschedule'] button[type=submit]")
            mine.wait_for_url("**/loans/reschedule?*term=18*")
            assert "Jadwal baru jika disetujui" in mine.inner_text("main")
            assert mine.locator("table.lines tbody tr").count() == 18
            shot(mine, "5-member-reschedule-preview")
            mine.fill("#reason", "gaji dipotong sementara")
            mine.click("form[method=post] button[type=submit]")
            mine.wait_for_url("**/loans")
            assert "Permohonan jadwal ulang terkirim" in mine.inner_text("main")
            asked = rescheduling.listing(world.ledger, loan=loan)[0]
            assert asked.state == "submitted" and asked.requested_by == member

            # the chair sees it in the queue with the preview, and approves
            board.goto(f"{base_url}/loans/queue")
            board.click("a[href='/loans/reschedules']")
            board.wait_for_url("**/loans/reschedules")
            item = board.locator(f"#request-{asked.id}")
            assert "Jadwal baru jika disetujui" in item.inner_text()
            assert item.locator("table.lines").last.locator("tbody tr").count() == 18
            item.locator("input[name=decision][value=approve]").check()
            item.locator("input[name=reason]").fill("bisa dibayar dengan gaji")
            shot(board, "6-chair-reschedules")
            item.locator("button[type=submit]").click()
            board.wait_for_url("**/loans/reschedules")
            assert "Keputusan tersimpan" in board.inner_text("main")
            assert rescheduling.get(world.ledger, asked.id).state == "approved"
            board.goto(f"{base_url}/loans/applications/{app.id}")  # the credit history marks it
            assert f"Dijadwal ulang sejak {today.isoformat()}" in board.inner_text("main")

            # the member sees the new schedule and the mark
            mine.goto(f"{base_url}/loans")
            text = mine.inner_text("main")
            assert f"Dijadwal ulang sejak {today.isoformat()}" in text
            card = mine.locator("section.card").first
            assert card.locator("table.lines").first.locator("tbody tr").count() == 18
            shot(mine, "7-member-new-schedule")
        finally:
            browser.close()
    found = portfolio.cards(world.ledger, today, loan=loan)[0]
    assert found.rescheduled_on == today and len(found.state.lines) == 18
    assert len(list(tmp_path.glob("*.png"))) == 7
