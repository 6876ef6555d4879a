"""The report pages' CSV and PDF downloads: the same figures as the books, the same access and masking as
the pages, and a PDF that reads (pdftotext) and looks (pdftoppm) like the cooperative's signed document."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from starlette.testclient import TestClient

from central import yearend
from central.books import reports, statement
from central.books.viewer import MASKED, Viewer
from central.portal import downloads
from central.portal.text import rp
from central.yearend import closed_allocation
from tests.portal.conftest import World, login

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) is not installed; `make deps` installs it",
)

LANGS = ("id", "en")
START, END = "2026-03-01", "2026-03-31"
PERIOD = f"from={START}&to={END}"
YEAR = 2026
SEPARATOR = {"id": ";", "en": ","}
PAGE_OF = {"id": re.compile(r"Halaman 1 dari (\d+)"), "en": re.compile(r"Page 1 of (\d+)")}
PERIOD_LINE = {
    "id": "Periode 1 Maret 2026 s.d. 31 Maret 2026",
    "en": "Period 1 March 2026 to 31 March 2026",
}
RUPIAH = {"id": re.compile(r"Rp \d{1,3}(?:\.\d{3})+"), "en": re.compile(r"Rp \d{1,3}(?:,\d{3})+")}


@dataclass(frozen=True)
class Report:
    """One report page and the URL of its downloads."""

    name: str
    url: str
    title: dict[str, str]


REPORTS = (
    Report("cashbook", f"/cashbook?{PERIOD}", {"id": "Buku kas", "en": "Cash book"}),
    Report("balance_sheet", f"/reports/balance-sheet?on={END}", {"id": "Neraca", "en": "Balance sheet"}),
    Report("income", f"/reports/income?{PERIOD}", {"id": "Hasil usaha", "en": "Income"}),
    Report(
        "shu", f"/reports/shu?year={YEAR}", {"id": "Pembagian SHU tahun 2026", "en": "SHU allocation of 2026"}
    ),
    Report("member", "/members/{number}?" + PERIOD, {"id": "Rekening anggota", "en": "Member statement"}),
)


@pytest.fixture(scope="module")
def closed(world: World) -> World:
    """The module's ledger with 2026 closed early, so the SHU page has an allocation to download."""
    if closed_allocation(world.ledger, YEAR) is None:
        yearend.close_year(world.ledger, YEAR, by="test", early=True)
    return world


@pytest.fixture(scope="module")
def clients(closed: World) -> Iterator[dict[tuple[str, str], TestClient]]:
    """Logged-in clients by (role, language): the ketua (sees every member), a plain member, the other."""
    made: dict[tuple[str, str], TestClient] = {}
    for role in ("ketua", "anggota", "other"):
        for lang in LANGS:
            client = login(closed.client(), closed.by_role[role])
            client.cookies.set("lang", lang)
            made[(role, lang)] = client
    yield made
    for client in made.values():
        client.close()


def _url(report: Report, world: World, role: str = "ketua") -> str:
    return report.url.replace("{number}", world.by_role[role])


def _rows(body: bytes, lang: str) -> list[list[str]]:
    assert body.startswith("\ufeff".encode()), "no byte-order mark: Excel would not read it as UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=SEPARATOR[lang]))


def _cli_rows(sections: list[reports.Section]) -> list[list[str]]:
    """What `central report ... --csv` writes for the same sections."""
    return list(csv.reader(io.StringIO(reports.render_csv(sections))))


def _unquote(rows: list[list[str]]) -> list[list[str]]:
    return [[c[1:] if c[:2] in ("'=", "'+", "'-", "'@") else c for c in row] for row in rows]


def _domain(report: Report, world: World, lang: str) -> list[reports.Section]:
    """The report's sections from the books' own functions, as the ketua reads them."""
    period = reports.Period(START, END)
    if report.name == "cashbook":
        return reports.cashbook(world.ledger, period, lang, Viewer(world.by_role["ketua"], "ketua"))
    if report.name == "balance_sheet":
        return reports.balance_sheet(world.ledger, END, lang)
    if report.name == "income":
        return reports.income(world.ledger, period, lang)
    if report.name == "member":
        return statement.member_statement(world.ledger, world.by_role["ketua"], period, lang)
    data = closed_allocation(world.ledger, YEAR)
    assert data is not None
    return downloads.shu_sections(data, data["members"])


_PDFS: dict[tuple[str, str], tuple[bytes, str]] = {}


def _pdf(
    report: Report, lang: str, world: World, clients: dict[tuple[str, str], TestClient]
) -> tuple[bytes, str]:
    """The report's PDF as the ketua downloads it, and its text (rendered once per module)."""
    key = (report.name, lang)
    if key not in _PDFS:
        response = clients[("ketua", lang)].get(_url(report, world) + "&format=pdf")
        assert response.status_code == 200, response.text[:500]
        assert response.headers["content-type"] == "application/pdf"
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode("utf-8")
        _PDFS[key] = (response.content, text)
    return _PDFS[key]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_csv_holds_the_books_figures(
    report: Report, lang: str, closed: World, clients: dict[tuple[str, str], TestClient]
) -> None:
    """The CSV parses back to exactly the rows the books' own CSV export has (the whole period), with
    the right separator for the language, a file name with the period, and no caching."""
    response = clients[("ketua", lang)].get(_url(report, closed) + "&format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.endswith('.csv"')
    if report.name in ("cashbook", "income", "member"):
        assert f"{START}_{END}.csv" in disposition
    expected = _cli_rows(_domain(report, closed, lang))
    assert _unquote(_rows(response.content, lang)) == expected
    if report.name == "cashbook":
        assert len(expected) > 100 + 1, "the sample month should be longer than one page of the cash book"
        assert disposition == 'attachment; filename="buku-kas-2026-03-01_2026-03-31.csv"' or lang == "en"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_pdf_reads_as_the_cooperatives_document(
    report: Report, lang: str, closed: World, clients: dict[tuple[str, str], TestClient]
) -> None:
    """pdftotext finds the cooperative's name, the title, the period, rupiah written Rp 1.234.567
    (Rp 1,234,567 in English, as the pages write them), the report's figures, "Halaman 1 dari N"
    with N the real page count, and signature lines with the ketua's and bendahara's names."""
    body, text = _pdf(report, lang, closed, clients)
    flat = " ".join(text.split())
    assert closed.ledger.config.name in flat
    assert report.title[lang] in flat
    if report.name in ("cashbook", "income", "member"):
        assert PERIOD_LINE[lang] in flat
    elif report.name == "balance_sheet":
        assert ("Per 31 Maret 2026" if lang == "id" else "As of 31 March 2026") in flat
    else:
        assert ("Tahun buku 2026" if lang == "id" else "Book year 2026") in flat
        assert re.search(r"(ditutup|closed) 20\d\d-\d\d-\d\d \d\d:\d\d (oleh|by) test", flat)
    assert RUPIAH[lang].search(flat)
    for section in _domain(report, closed, lang):
        for key, value in section.summary:
            if key.endswith("_rp") and isinstance(value, int):
                assert rp(value, lang) in flat, f"{key} {value} missing from the PDF"
    pages = int(
        subprocess.run(["pdfinfo", "-"], input=body, capture_output=True, check=True)
        .stdout.decode()
        .split("Pages:")[1]
        .split()[0]
    )
    found = PAGE_OF[lang].search(flat)
    assert found and int(found.group(1)) == pages
    last = "Halaman {0} dari {0}" if lang == "id" else "Page {0} of {0}"
    assert last.format(pages) in flat
    names = {
        row["role"]: row["name"]
        for row in closed.ledger.member_rows()
        if row["role"] in ("ketua", "bendahara")
    }
    assert ("Ketua" if lang == "id" else "Chair (Ketua)") in flat
    assert ("Bendahara" if lang == "id" else "Treasurer (Bendahara)") in flat
    assert names["ketua"] in flat and names["bendahara"] in flat
    assert ("Dicetak" if lang == "id" else "Printed") in flat


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_pdf_first_page_renders_on_a4_without_overflow(
    report: Report, closed: World, clients: dict[tuple[str, str], TestClient], tmp_path: Path
) -> None:
    """pdftoppm turns page 1 into an A4-shaped PNG with ink on it and nothing in the right margin (no table
    runs off the paper); the PNG is kept in the test's directory to look at."""
    body, _ = _pdf(report, "id", closed, clients)
    pdf = tmp_path / f"{report.name}.pdf"
    pdf.write_bytes(body)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(tmp_path / report.name),
        ],
        check=True,
    )
    png = tmp_path / f"{report.name}.png"
    with Image.open(png) as image:
        gray = image.convert("L")
        width, height = gray.size
        assert abs(width / height - 210 / 297) < 0.01
        margin = round(width * 8 / 210)  # the last 8 mm of the 14 mm right margin
        right = gray.crop((width - margin, 0, width, height))
        assert right.getextrema()[0] > 240, "something is printed in the right margin"
        ink = sum(gray.histogram()[:128])
        assert ink > width * height * 0.005, "page 1 is (nearly) blank"


def _page_members(html: str) -> list[str]:
    """The member shown on each line of the cash book page ("" for a walk-in customer)."""
    found = re.findall(r'<span class="muted small">([^<]*)</span>', html)
    return [(parts[2] if len(parts) > 2 else "") for parts in (line.split(" · ") for line in found)]


def test_member_download_masks_other_members_like_the_page(
    closed: World, clients: dict[tuple[str, str], TestClient]
) -> None:
    """An ordinary member's cash book CSV and PDF name only the member themself; every other member reads
    "anggota", line for line as on the page."""
    own = closed.by_role["anggota"]
    client = clients[("anggota", "id")]
    page = client.get(f"/cashbook?{PERIOD}")
    rows = _rows(client.get(f"/cashbook?{PERIOD}&format=csv").content, "id")
    members = [row[3] for row in rows[1:]]
    assert members[:100] == _page_members(page.text)
    assert set(members) <= {own, MASKED["id"], ""}
    assert own in members and MASKED["id"] in members
    _, text = _pdf_for(client, f"/cashbook?{PERIOD}&format=pdf")
    numbers = set(re.findall(r"\bA\d{3}\b", text))
    assert numbers == {own}


def _pdf_for(client: TestClient, url: str) -> tuple[bytes, str]:
    response = client.get(url)
    assert response.status_code == 200
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True)
    return response.content, text.stdout.decode()


def test_member_sees_own_shu_share_only(closed: World, clients: dict[tuple[str, str], TestClient]) -> None:
    """A plain member's SHU download has the funds and their own share, not the other members' shares."""
    own = closed.by_role["anggota"]
    rows = _rows(clients[("anggota", "id")].get(f"/reports/shu?year={YEAR}&format=csv").content, "id")
    start = rows.index(["# members"])
    assert [row[0] for row in rows[start + 2 :]] in ([own], [])
    board = _rows(clients[("ketua", "id")].get(f"/reports/shu?year={YEAR}&format=csv").content, "id")
    assert len(board) - board.index(["# members"]) - 2 > 1


@pytest.mark.parametrize("fmt", downloads.FORMATS)
def test_another_members_statement_download_is_404(
    fmt: str, closed: World, clients: dict[tuple[str, str], TestClient]
) -> None:
    """Another member's statement is 404 as a download too, the same page as for a number that does not
    exist; the member's own downloads work."""
    client = clients[("anggota", "id")]
    other = closed.by_role["other"]
    refused = client.get(f"/members/{other}?{PERIOD}&format={fmt}")
    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("text/html")
    assert client.get(f"/members/NOPE?{PERIOD}&format={fmt}").status_code == 404
    own = client.get(f"/members/{closed.by_role['anggota']}?{PERIOD}&format={fmt}")
    assert own.status_code == 200


@pytest.mark.parametrize("value", ["xls", "PDF", "", "csv%00", "../../etc/passwd", "pdf,csv"])
def test_a_bad_format_gives_the_page(value: str, clients: dict[tuple[str, str], TestClient]) -> None:
    """Any other format value shows the normal page (never a 500, never a file)."""
    response = clients[("ketua", "id")].get(f"/cashbook?{PERIOD}&format={value}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Buku kas</h1>" in response.text


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/cashbook?from=2025-01-01&to=2026-03-31", "paling lama 366 hari"),
        ("/cashbook?from=2026-13-01&to=2026-03-31", "tidak valid"),
        ("/cashbook?from=2026-03-31&to=2026-03-01", "tidak valid"),
        ("/reports/income?from=kemarin&to=2026-03-31", "tidak valid"),
        ("/reports/balance-sheet?on=2026-02-30", "tidak valid"),
        ("/reports/shu?year=2025", "belum ditutup"),
    ],
)
@pytest.mark.parametrize("fmt", downloads.FORMATS)
def test_a_download_that_cannot_be_made_says_why(
    url: str, says: str, fmt: str, clients: dict[tuple[str, str], TestClient]
) -> None:
    """A period over 366 days, dates that do not parse, or a year not closed: a 400 page saying so, not a
    file of some other period."""
    response = clients[("ketua", "id")].get(f"{url}&format={fmt}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert says in response.text


def test_too_many_lines_for_one_pdf(
    closed: World, clients: dict[tuple[str, str], TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PDF over the line cap is refused with a message pointing to the CSV, which still works."""
    monkeypatch.setattr(downloads, "MAX_PDF_ROWS", 50)
    client = clients[("ketua", "id")]
    response = client.get(f"/cashbook?{PERIOD}&format=pdf")
    assert response.status_code == 400 and "unduh CSV" in response.text
    assert client.get(f"/cashbook?{PERIOD}&format=csv").status_code == 200


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_each_page_links_its_two_downloads(
    report: Report, lang: str, closed: World, clients: dict[tuple[str, str], TestClient]
) -> None:
    """Each report page shows a CSV and a PDF link carrying the page's own period, date or year; the page
    keeps its no-script CSP."""
    page = clients[("ketua", lang)].get(_url(report, closed))
    assert page.status_code == 200
    query = _url(report, closed).split("?", 1)[1].replace("&", "&amp;")
    for fmt in downloads.FORMATS:
        assert f'href="?{query}&amp;format={fmt}"' in page.text
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_csv_cells_never_run_as_formulas() -> None:
    """Text a spreadsheet would run (=, +, -, @) is quoted; numbers, negative ones too, stay numbers."""
    section = reports.Section(
        "x", "x", ("memo", "amount_rp"), (("=HYPERLINK(1)", -5), ("@SUM", 7), ("ok", 0))
    )
    rows = list(csv.reader(io.StringIO(downloads.csv_text([section], ";")), delimiter=";"))
    assert rows == [["memo", "amount_rp"], ["'=HYPERLINK(1)", "-5"], ["'@SUM", "7"], ["ok", "0"]]


def test_pdfs_wait_their_turn(
    clients: dict[tuple[str, str], TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When every PDF slot stays busy, a PDF request gets a 503 page asking to try again (the portal's
    other pages keep their cores); the CSV does not wait."""
    import threading

    monkeypatch.setattr(downloads, "_pdf_turns", threading.BoundedSemaphore(1))
    monkeypatch.setattr(downloads, "PDF_WAIT_S", 0.05)
    downloads._pdf_turns.acquire()
    client = clients[("ketua", "id")]
    response = client.get(f"/reports/income?{PERIOD}&format=pdf")
    assert response.status_code == 503 and "Coba lagi" in response.text
    assert client.get(f"/reports/income?{PERIOD}&format=csv").status_code == 200
    downloads._pdf_turns.release()
    assert client.get(f"/reports/income?{PERIOD}&format=pdf").status_code == 200
