"""The dispute pages: the case list with its filters, a case with the disputed sale, the supervisor's
rejection (a reason required) and the manager's acceptance (the sale voided on the office chain), each in
the audit log and read by the member on their dispute page, purchases and home; the report by clerk and
device and its CSV; and, in a real browser, the case page at a phone and a desktop size."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from central.books import receipts
from central.disputes import store
from central.ledger import schema
from central.office import entries, identity, record
from central.portal.tables import portal_audit
from central.portal.text import rp
from tests.portal.conftest import PASSWORD, World, csrf, login, set_password

CHROMIUM = Path("/usr/bin/chromium")


def _text(response: object) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.text))  # type: ignore[attr-defined]


@pytest.fixture(scope="module", autouse=True)
def disputed(world: World) -> None:
    """Two more disputes, recorded at the office for members' undisputed sales (the sample has only a few)."""
    ledger = world.ledger
    office = identity.load(ledger, identity.key_path(ledger.target, world.settings.office_key))
    t = schema.transactions
    with ledger.read() as conn:
        sales = conn.execute(
            select(t.c.id, t.c.member, t.c.unit)
            .where(t.c.kind == "sale", t.c.member.is_not(None), t.c.payment == "credit")
            .order_by(t.c.ts.desc())
            .limit(40)
        ).all()
    taken = {c.sale for c in store.cases(ledger)}
    fresh = [s for s in sales if s.id not in taken and receipts.sale(ledger, s.id).void is None][:2]  # type: ignore[union-attr]
    for sale, words in zip(
        fresh, ("Saya sedang dinas luar kota", "Kartu saya hilang minggu itu"), strict=True
    ):
        record.record(ledger, office, entries.dispute(sale.member, sale.id, words, sale.unit), by=sale.member)


@pytest.fixture(scope="module")
def staff(world: World) -> Iterator[dict[str, TestClient]]:
    """Logged-in clients of the supervisor, the manager and the chair (who reads but does not decide)."""
    made = {role: login(world.client(), world.by_role[role]) for role in ("pengawas", "manajer", "ketua")}
    yield made
    for client in made.values():
        client.close()


def _member_client(world: World, number: str) -> TestClient:
    if number not in world.by_role.values():
        set_password(world.ledger, number)
    return login(world.client(), number)


def _decide(client: TestClient, case: str, **form: str) -> object:
    token = csrf(client, f"/disputes/{case}")
    return client.post(f"/disputes/{case}/decide", data={"csrftoken": token, **form}, follow_redirects=False)


def _audit(world: World, action: str, target: str) -> list[str]:
    with world.ledger.read() as conn:
        rows = conn.execute(
            select(portal_audit.c.login).where(
                portal_audit.c.action == action, portal_audit.c.target == target
            )
        ).scalars()
        return list(rows)


def test_the_list_shows_each_open_case_with_its_sale(world: World, staff: dict[str, TestClient]) -> None:
    """Every open case is listed with its sale's day, unit, device and clerk, amount and the member's
    words; a filter on a device keeps that device's cases only."""
    cases = store.cases(world.ledger, state="open")
    assert len(cases) >= 2
    text = _text(staff["ketua"].get("/disputes"))
    for c in cases:
        assert c.id in text and c.words in text and rp(c.amount_rp, "id") in text
        assert f"{c.sale_day} · {c.sale_unit} · {c.sale_device}" in text
    device = cases[0].sale_device
    assert device
    only = _text(staff["ketua"].get("/disputes", params={"device": device}))
    assert all((c.id in only) == (c.sale_device == device) for c in cases)


def test_a_case_shows_the_sale_and_the_forms_to_the_deciders_only(
    world: World, staff: dict[str, TestClient]
) -> None:
    """The supervisor sees the accept and reject forms; the chair reads the case and is told who decides."""
    case = store.cases(world.ledger, state="open")[0]
    page = staff["pengawas"].get(f"/disputes/{case.id}")
    assert page.status_code == 200
    text = _text(page)
    assert case.sale in text and case.words in text and str(case.sale_device) in text
    assert 'name="decision" value="accept"' in page.text and 'name="decision" value="reject"' in page.text
    chair = staff["ketua"].get(f"/disputes/{case.id}")
    assert 'name="decision"' not in chair.text and "Hanya pengawas atau manajer" in _text(chair)
    assert staff["ketua"].get("/disputes/tidak-ada").status_code == 404


def test_a_rejection_needs_a_reason_and_the_member_reads_it(
    world: World, staff: dict[str, TestClient]
) -> None:
    """No reason: 400 with the reason why, nothing decided. With one: rejected, audited, and the member reads
    the reason on their dispute page and their home; the books are unchanged (no void)."""
    case = store.cases(world.ledger, state="open")[-1]
    refused = _decide(staff["pengawas"], case.id, decision="reject", reason=" ")
    assert refused.status_code == 400 and "penolakan perlu alasan" in _text(refused)
    assert store.get(world.ledger, case.id).state == "open"
    done = _decide(staff["pengawas"], case.id, decision="reject", reason="Struk ditandatangani anggota")
    assert done.status_code == 303 and done.headers["location"] == f"/disputes/{case.id.replace(':', '%3A')}"
    decided = store.get(world.ledger, case.id)
    assert decided.state == "rejected" and decided.sale_void is None
    assert _audit(world, "dispute_reject", case.id) == [world.by_role["pengawas"]]
    again = _decide(staff["manajer"], case.id, decision="accept")
    assert again.status_code == 400 and "sudah ditolak" in _text(again)

    assert case.member
    member = _member_client(world, case.member)
    mine = _text(member.get(f"/purchases/{case.sale}/dispute"))
    assert "Sanggahan Anda ditolak" in mine and "Struk ditandatangani anggota" in mine
    home = _text(member.get("/home"))
    assert "Sanggahan saya" in home and "Struk ditandatangani anggota" in home


def test_an_acceptance_voids_the_sale_and_the_member_sees_it(
    world: World, staff: dict[str, TestClient]
) -> None:
    """The manager accepts: a void of the sale on the office chain, audited; the member's purchase is
    voided with the dispute accepted; the case is listed as decided, not open."""
    case = store.cases(world.ledger, state="open")[0]
    done = _decide(staff["manajer"], case.id, decision="accept", reason="CCTV: bukan dia")
    assert done.status_code == 303
    decided = store.get(world.ledger, case.id)
    assert decided.state == "accepted" and decided.void_tx and decided.void_posted
    t = schema.transactions
    with world.ledger.read() as conn:
        void = conn.execute(select(t.c.kind, t.c.ref, t.c.device).where(t.c.id == decided.void_tx)).one()
    assert void.kind == "void" and void.ref == case.sale and void.device != case.sale_device
    assert _audit(world, "dispute_accept", case.id) == [world.by_role["manajer"]]
    page = _text(staff["manajer"].get(f"/disputes/{case.id}"))
    assert "Diterima" in page and decided.void_tx in page
    assert case.id not in _text(staff["ketua"].get("/disputes"))
    assert case.id in _text(staff["ketua"].get("/disputes?state=decided"))

    assert case.member
    member = _member_client(world, case.member)
    mine = _text(member.get(f"/purchases/{case.sale}/dispute"))
    assert "Sanggahan Anda diterima" in mine and "CCTV: bukan dia" in mine
    day = str(case.sale_day)
    purchases = _text(member.get(f"/purchases?from={day}&to={day}"))
    assert "SANGGAHAN DITERIMA" in purchases


def test_the_report_by_clerk_and_device_and_its_csv(world: World, staff: dict[str, TestClient]) -> None:
    """The report's totals are the store's; the CSV holds a row per clerk and per device."""
    found = store.report(world.ledger, "2026-01-01", "2026-12-31")
    page = staff["ketua"].get("/disputes/report?from=2026-01-01&to=2026-12-31")
    assert page.status_code == 200
    text = _text(page)
    assert "Per petugas" in text and "Per perangkat" in text
    for d in found.devices:
        assert d.key in text
    assert rp(found.total.amount_rp, "id") in text
    csv = staff["ketua"].get("/disputes/report?from=2026-01-01&to=2026-12-31&format=csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert "clerk;count;amount_rp" in body and "device;count;amount_rp" in body
    assert all(d.key in body for d in found.devices)


def test_the_pages_in_english(world: World) -> None:
    client = login(world.client(), world.by_role["pengawas"])
    client.cookies.set("lang", "en")
    assert "<h1>Members&#39; disputes" in client.get("/disputes").text
    assert "Disputes by clerk and device" in client.get("/disputes/report").text


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)")
def test_a_case_at_phone_and_desktop_size(world: World, base_url: str, tmp_path: Path) -> None:
    """The supervisor's case page and the member's outcome, at a phone and a desktop size: screenshots."""
    from playwright.sync_api import sync_playwright

    open_case = store.cases(world.ledger, state="open")[0]
    decided = store.cases(world.ledger, state="rejected")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for size, (width, height) in {"phone": (360, 740), "desktop": (1280, 800)}.items():
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                page.goto(f"{base_url}/login")
                page.fill("#login", world.by_role["pengawas"])
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/home")
                page.goto(f"{base_url}/disputes")
                page.screenshot(path=str(tmp_path / f"{size}-disputes.png"), full_page=True)
                page.goto(f"{base_url}/disputes/{open_case.id}")
                assert "Terima dan batalkan penjualan" in page.inner_text("main")
                page.screenshot(path=str(tmp_path / f"{size}-case.png"), full_page=True)
                page.goto(f"{base_url}/disputes/report?from=2026-01-01&to=2026-12-31")
                page.screenshot(path=str(tmp_path / f"{size}-report.png"), full_page=True)
                page.context.close()
                if decided and decided[0].member:
                    member = browser.new_context(viewport={"width": width, "height": height}).new_page()
                    member.goto(f"{base_url}/login")
                    member.fill("#login", decided[0].member)
                    member.fill("#password", PASSWORD)
                    member.click("button[type=submit]")
                    member.wait_for_url("**/home")
                    member.screenshot(path=str(tmp_path / f"{size}-member-home.png"), full_page=True)
                    member.goto(f"{base_url}/purchases/{decided[0].sale}/dispute")
                    assert "ditolak" in member.inner_text("main")
                    member.screenshot(path=str(tmp_path / f"{size}-member-outcome.png"), full_page=True)
                    member.context.close()
        finally:
            browser.close()
    assert len(list(tmp_path.glob("*-case.png"))) == 2
