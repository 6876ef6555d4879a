"""The annual statements' pages (arus kas, perubahan ekuitas, catatan, the whole set): every member reads
them, with the year chosen and last year beside it; their CSV is the books' own, their PDF reads and looks
like the cooperative's document; in a real browser at phone and desktop size."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from starlette.testclient import TestClient

from central.books import annual, cashflow, reports
from tests.portal.conftest import PASSWORD, World, login

YEAR = 2026
PAGES = {
    "/reports/cash-flow": (annual.cash_flow, "Laporan arus kas 2026", "Cash-flow statement 2026"),
    "/reports/equity": (annual.equity_changes, "Laporan perubahan ekuitas 2026", "Statement of changes"),
    "/reports/notes": (annual.notes_sections, "Catatan atas laporan keuangan 2026", "Notes to the"),
    "/reports/statements": (annual.full_set, "Laporan keuangan tahun buku 2026", "Financial statements"),
}
POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdftoppm") is not None
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def member(world: World) -> Iterator[TestClient]:
    """A plain member, logged in (every member reads the books: invariant 6)."""
    client = login(world.client(), world.by_role["anggota"])
    yield client
    client.close()


@pytest.mark.parametrize("path", sorted(PAGES))
def test_every_member_reads_the_statement_of_a_year_beside_the_year_before(
    path: str, member: TestClient, world: World
) -> None:
    """The page shows the chosen year's title, both years' columns and the books' figures; it is linked
    from the menu."""
    response = member.get(f"{path}?year={YEAR}")
    assert response.status_code == 200
    body = response.text
    build, title_id, _ = PAGES[path]
    assert title_id in body
    if path == "/reports/equity":  # last year's movements, then this year's, in rows
        assert "Saldo 31 Desember 2025" in body and "Saldo 31 Desember 2026" in body
    else:
        assert '<th class="num">2026</th>' in body and '<th class="num">2025</th>' in body
    assert f'href="{path}"' in body
    assert f"?year={YEAR}&amp;format=csv" in body and f"?year={YEAR}&amp;format=pdf" in body
    for section in build(world.ledger, YEAR, "id"):
        assert section.title in body


def test_arus_kas_page_reconciles_the_sample_month(member: TestClient, world: World) -> None:
    """The sample March: the cash-flow's closing cash is the balance sheet's cash and bank, and the check
    says so."""
    response = member.get(f"/reports/cash-flow?year={YEAR}")
    sections = {s.key: s for s in annual.cash_flow(world.ledger, YEAR, "id")}
    closing = sections["cash_change"].rows[2][1]
    sheet = reports.balance_sheet(world.ledger, f"{YEAR}-12-31")[0]
    cash_accounts = cashflow.cash_accounts(world.ledger.config)
    assert closing == sum(row[3] for row in sheet.rows if row[1] in cash_accounts) != 0
    assert "seimbang" in response.text and "TIDAK" not in response.text


def test_a_bad_year_shows_the_running_year_with_a_notice_and_refuses_a_download(member: TestClient) -> None:
    """?year=abc reads the running year and says so; the download of a bad year is refused with a page."""
    response = member.get("/reports/equity?year=abc")
    assert response.status_code == 200 and "Tahun buku harus antara 1901 dan 9999" in response.text
    response = member.get("/reports/equity?year=12&format=csv")
    assert response.status_code == 400 and "tidak valid" in response.text
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", sorted(PAGES))
def test_csv_is_the_books_own(path: str, member: TestClient, world: World) -> None:
    """?format=csv holds exactly the rows of `central report ... --csv` (';' for Indonesian)."""
    response = member.get(f"{path}?year={YEAR}&format=csv")
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    name = path.rsplit("/", 1)[1]
    expected_name = {"cash-flow": "arus-kas", "equity": "perubahan-ekuitas", "notes": "catatan"}.get(
        name, "laporan-keuangan"
    )
    assert response.headers["content-disposition"] == f'attachment; filename="{expected_name}-{YEAR}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    rows = [[c[1:] if c[:2] in ("'=", "'+", "'-", "'@") else c for c in row] for row in rows]
    build = PAGES[path][0]
    expected = list(csv.reader(io.StringIO(reports.render_csv(build(world.ledger, YEAR, "id")))))
    assert rows == expected


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdftoppm) is not installed")
@pytest.mark.parametrize("lang", ["id", "en"])
def test_pdf_reads_and_looks_like_the_cooperatives_document(
    lang: str, member: TestClient, world: World, tmp_path: Path
) -> None:
    """The whole set's PDF: the cooperative, the title, the book year, both years, the statements'
    headings and figures, signature lines; its first page as PNG is an A4 page with ink on it."""
    member.cookies.set("lang", lang)
    try:
        response = member.get(f"/reports/statements?year={YEAR}&format=pdf")
    finally:
        member.cookies.set("lang", "id")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode("utf-8")
    flat = " ".join(text.split())
    assert world.ledger.config.name in flat
    assert ("Tahun buku 2026" if lang == "id" else "Book year 2026") in flat
    for section in annual.full_set(world.ledger, YEAR, lang):
        assert " ".join(section.title.split()) in flat, section.title
    heading = "Arus kas dari aktivitas operasi" if lang == "id" else "Cash flows from operating activities"
    assert heading in flat
    assert ("Ketua" if lang == "id" else "Chair") in flat
    pdf = tmp_path / "statements.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "p")], check=True
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 2
    with Image.open(pages[0]) as image:
        width, height = image.size
        assert 1.35 < height / width < 1.48  # A4 portrait
        grey = image.convert("L")
        dark = sum(grey.histogram()[:128])
        assert dark > width * height * 0.005, "the page is (nearly) blank"
    keep = os.environ.get("KOP_SCREENSHOTS")
    if keep:
        shutil.copy(pages[0], Path(keep) / f"statements-pdf-{lang}.png")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)")
def test_a_member_reads_arus_kas_and_equity_at_phone_and_desktop_size(
    world: World, base_url: str, tmp_path: Path
) -> None:
    """In Chromium a member opens arus kas from the menu, picks the year, then the equity statement; the
    tables fit (they scroll sideways inside their card, never the page); screenshots are saved."""
    from playwright.sync_api import sync_playwright

    out = Path(os.environ.get("KOP_SCREENSHOTS") or tmp_path)
    sizes = {"phone": (360, 740), "desktop": (1280, 800)}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for size, (width, height) in sizes.items():
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                page.goto(f"{base_url}/login")
                page.fill("#login", world.by_role["anggota"])
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/home")
                page.click("nav.menu >> text=Arus kas")
                page.fill("input[name=year]", str(YEAR))
                page.click("form.period button")
                page.wait_for_url(f"**/reports/cash-flow?year={YEAR}")
                assert "Arus kas dari aktivitas operasi" in page.inner_text("main")
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {size} size"
                page.screenshot(path=str(out / f"cash-flow-{size}.png"), full_page=True)
                page.click("nav.menu >> text=Perubahan ekuitas")
                page.wait_for_url("**/reports/equity")
                assert "Saldo 31 Desember" in page.inner_text("main")
                page.screenshot(path=str(out / f"equity-{size}.png"), full_page=True)
                page.context.close()
        finally:
            browser.close()
    assert all((out / f"{n}-{s}.png").exists() for n in ("cash-flow", "equity") for s in sizes)
