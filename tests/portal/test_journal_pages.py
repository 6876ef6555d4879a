"""The general-journal pages: office staff drafts an expense on the phone form with the receipt's photo
(one more line on request, an unbalanced entry refused with the difference), the entry page shows the
receipt as a thumbnail linking to the JPEG, the treasurer approves it and it is in the cash book; the
maker may not decide their own entry; a member may not open the journal. Screenshots at phone and desktop
size of the form and the entry page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from central.journal import store
from central.ledger import schema
from central.office import identity
from central.portal.settings import Settings
from tests.central.helpers import unbalanced_entries
from tests.portal.conftest import CHEAP, PASSWORD, STAFF_LOGIN, World, csrf, login, set_password
from tests.portal.journal_sample import receipt_bytes

CHROMIUM = Path("/usr/bin/chromium")
SIZES = {"phone": (360, 740), "desktop": (1280, 800)}
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def office(fresh: World) -> Iterator[World]:
    """The small ledger with office staff, a treasurer (the other member) and the office's key."""
    ledger = fresh.ledger
    treasurer = fresh.by_role["other"]
    with ledger.write() as conn:
        conn.execute(
            update(schema.members).where(schema.members.c.number == treasurer).values(role="bendahara")
        )
    set_password(ledger, STAFF_LOGIN, staff_role="staf")
    key = identity.key_path(ledger.target)
    identity.init(ledger, key)
    yield World(
        ledger,
        {**fresh.by_role, "bendahara": treasurer, "staf": STAFF_LOGIN},
        Settings(hasher=CHEAP, office_key=key),
    )


def _form(token: str, **extra: str) -> dict[str, str]:
    return {
        "csrftoken": token,
        "rows": "2",
        "day": "2026-03-06",
        "description": "Listrik kantor Maret",
        "kind": "expense",
        "unit": "simpan-pinjam",
        "account_1": "5702",
        "side_1": "D",
        "amount_1": "412500",
        "memo_1": "PLN",
        "account_2": "1101",
        "side_2": "K",
        "amount_2": "412500",
        "memo_2": "",
        "action": "save",
        **extra,
    }


def test_staff_drafts_with_a_photo_and_the_treasurer_approves(office: World) -> None:
    """The whole round in the portal, ending in the members' cash book."""
    staff: TestClient = login(office.client(), STAFF_LOGIN)
    page = staff.get("/journal/new")
    assert page.status_code == 200 and 'name="account_2"' in page.text and 'name="account_3"' not in page.text
    token = csrf(staff, "/journal/new")
    more = staff.post("/journal/new", data=_form(token, action="add"))
    assert more.status_code == 200 and 'name="account_3"' in more.text and "412500" in more.text
    short = staff.post("/journal/new", data=_form(token, amount_2="400000"))
    assert short.status_code == 400 and "debit lebih Rp 12.500" in short.text
    unknown = staff.post("/journal/new", data=_form(token, account_1="5999"))
    assert unknown.status_code == 400 and "5999" in unknown.text
    made = staff.post(
        "/journal/new",
        data=_form(token),
        files={"photo": ("nota.jpg", receipt_bytes(), "image/jpeg")},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    entry_page = staff.get(url)
    assert "menunggu persetujuan" in entry_page.text and "Setujui" not in entry_page.text
    thumb = re.search(
        r'<a href="(/journal/receipts/\d+)"><img src="(/journal/receipts/\d+/thumb)"', entry_page.text
    )
    assert thumb, entry_page.text
    for path in thumb.groups():
        served = staff.get(path)
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
        assert served.content.startswith(b"\xff\xd8")
    entry_id = int(url.rsplit("/", 1)[1])
    assert staff.post(f"{url}/approve", data={"csrftoken": token}).status_code == 403  # staf is no checker
    treasurer = login(office.client(), office.by_role["bendahara"])
    token = csrf(treasurer, url)
    done = treasurer.post(f"{url}/approve", data={"csrftoken": token}, follow_redirects=False)
    assert done.status_code == 303
    entry = store.get(office.ledger, entry_id)
    assert entry.state == "approved" and entry.decided_by == office.by_role["bendahara"]
    cash = treasurer.get("/cashbook?from=2026-03-06&to=2026-03-06")
    assert "Listrik kantor Maret" in cash.text
    assert unbalanced_entries(office.ledger) == []


def test_the_maker_may_not_decide_and_a_rejection_needs_a_reason(office: World) -> None:
    """The treasurer's own draft shows no decision buttons and a post to approve it is refused."""
    treasurer = login(office.client(), office.by_role["bendahara"])
    token = csrf(treasurer, "/journal/new")
    made = treasurer.post("/journal/new", data=_form(token), follow_redirects=False)
    url = made.headers["location"]
    page = treasurer.get(url)
    assert "orang lain yang memutuskannya" in page.text and "Setujui" not in page.text
    refused = treasurer.post(f"{url}/approve", data={"csrftoken": token})
    assert refused.status_code == 400 and "pengguna lain" in refused.text
    refused = treasurer.post(f"{url}/reject", data={"csrftoken": token, "reason": ""})
    assert refused.status_code == 400


def test_a_member_may_not_open_the_journal(office: World) -> None:
    member = login(office.client(), office.by_role["anggota"])
    assert member.get("/journal").status_code == 403


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)")
def test_screenshots_of_the_draft_form_and_the_entry(world: World, base_url: str, tmp_path: Path) -> None:
    """Office staff fills the form on a phone and a desktop (one more line, a photo from the camera);
    the entry page with its receipt thumbnail, and the treasurer's view of it with approve and reject;
    screenshots of each at both sizes."""
    from playwright.sync_api import sync_playwright

    photo = tmp_path / "nota.jpg"
    photo.write_bytes(receipt_bytes())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for size, (width, height) in SIZES.items():
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                page.goto(f"{base_url}/login")
                page.fill("#login", STAFF_LOGIN)
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/home")
                page.goto(f"{base_url}/journal/new")
                page.fill("input[name=description]", "Gaji dan transport Maret")
                page.fill("input[name=day]", "2026-03-28")
                with page.expect_navigation():  # the form comes back with one more line; fill that page
                    page.click("button[value=add]")
                page.wait_for_selector("select[name=account_3]")
                page.select_option("select[name=account_1]", "5701")
                page.fill("input[name=amount_1]", "2500000")
                page.fill("input[name=memo_1]", "gaji 1 staf")
                page.select_option("select[name=account_2]", "5705")
                page.select_option("select[name=side_2]", "D")
                page.fill("input[name=amount_2]", "150000")
                page.select_option("select[name=account_3]", "1101")
                page.select_option("select[name=side_3]", "K")
                page.fill("input[name=amount_3]", "2650000")
                page.set_input_files("input[name=photo]", str(photo))
                page.screenshot(path=str(tmp_path / f"{size}-journal-form.png"), full_page=True)
                page.click("button[value=save]")
                page.wait_for_url(re.compile(r".*/journal/\d+$"))
                assert "menunggu persetujuan" in page.inner_text("main")
                assert page.locator(".jl-photos img").count() == 1
                assert page.evaluate("document.querySelector('.jl-photos img').naturalWidth") > 0
                page.screenshot(path=str(tmp_path / f"{size}-journal-entry.png"), full_page=True)
                entry_url = page.url
                checker = browser.new_context(viewport={"width": width, "height": height}).new_page()
                checker.goto(f"{base_url}/login")
                checker.fill("#login", world.by_role["bendahara"])
                checker.fill("#password", PASSWORD)
                checker.click("button[type=submit]")
                checker.wait_for_url("**/home")
                checker.goto(entry_url)
                assert checker.locator("form[action$='/approve'] button").count() == 1
                checker.screenshot(path=str(tmp_path / f"{size}-journal-checker.png"), full_page=True)
        finally:
            browser.close()
    for name in ("journal-form", "journal-entry", "journal-checker"):
        for size in SIZES:
            assert (tmp_path / f"{size}-{name}.png").stat().st_size > 0
