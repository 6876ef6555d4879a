"""The report pages' downloads: ``?format=csv`` and ``?format=pdf`` beside each page.

The CSV is the books' own (``central.books.reports.render_csv``, what ``central report ... --csv`` prints):
column keys in the header, rupiah as plain digits, one block per section. It is written with a byte-order
mark so Excel reads it as UTF-8, with ``;`` between fields for Indonesian (what Excel in the Indonesian
locale opens by a double click) and ``,`` for English; ``sep=comma`` or ``sep=semicolon`` chooses. A text
cell that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``) gets a leading ``'``.

The PDF is an A4 document rendered by WeasyPrint (Debian's Pango underneath) from the print templates
(``print_*.html``), which share their tables with the pages (``print_parts.html``): the cooperative's
name, the title and the period, "Halaman X dari Y" from CSS page counters, the printed date and who
printed it, and signature lines for the ketua and the bendahara with their names from the member list.
WeasyPrint fetches nothing: the stylesheet is passed in and every URL is refused.

The data is what the page shows to the same person (same access, same ``Viewer`` masking); only the
cash book's 100-line paging is dropped: the file holds the whole period.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final
from urllib.parse import urlencode

from starlette.responses import Response

from central.books.reports import Section, render_csv
from central.portal.web import HERE, Portal, Req

FORMATS: Final = ("csv", "pdf")
SEPARATORS: Final = {"comma": ",", "semicolon": ";"}
MAX_PDF_ROWS: Final = 3000  # table lines in one PDF: about 80 A4 pages, some 15 s of one core
PDF_AT_ONCE: Final = 2  # PDFs laid out at the same time (each takes a core); the pages keep the rest
PDF_WAIT_S: Final = 30.0  # how long a PDF waits for its turn before the reader is asked to try again
CSV_TYPE: Final = "text/csv; charset=utf-8"
PDF_TYPE: Final = "application/pdf"
BOM: Final = "\ufeff"
SIGNERS: Final = ("ketua", "bendahara")
PRINT_CSS: Final = HERE / "static" / "print.css"
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_WHOLE_NUMBER: Final = re.compile(r"^-?\d+$")
_FILE_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._-]+")
_pdf_turns = threading.BoundedSemaphore(PDF_AT_ONCE)


def wanted(req: Req) -> str | None:
    """The download asked for (``csv`` or ``pdf``), or None for the page (any other value too)."""
    value = req.query("format")
    return value if value in FORMATS else None


def links(**params: object) -> dict[str, str]:
    """The page's two download links: its own query (period, date or year) plus the format."""
    query = {k: str(v) for k, v in params.items()}
    return {fmt: "?" + urlencode({**query, "format": fmt}) for fmt in FORMATS}


@dataclass(frozen=True)
class Doc:
    """One report as a file: the sections the CSV holds, and the print template with its context."""

    kind: str  # cashbook, balance_sheet, income, shu, member: names the file (file_<kind>)
    title: str
    period: str  # the printed period line, e.g. "Periode 1 Maret 2026 s.d. 31 Maret 2026"
    dates: tuple[str, ...]  # the period's days (or the year), in the file name
    sections: Sequence[Section]
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    rows: int = 0  # table lines in the PDF (bounded by MAX_PDF_ROWS)
    number: str = ""  # the member, for a statement


def respond(req: Req, doc: Doc, fmt: str) -> Response:
    """The file ``fmt`` of ``doc``, or a page saying why it cannot be made."""
    name = file_name(req, doc)
    if fmt == "csv":
        text = BOM + csv_text(doc.sections, _separator(req))
        return _file(text.encode("utf-8"), CSV_TYPE, f"{name}.csv")
    if doc.rows > MAX_PDF_ROWS:
        return refuse(req, req.t("download_too_many", rows=doc.rows, max=MAX_PDF_ROWS))
    if not _pdf_turns.acquire(timeout=PDF_WAIT_S):
        return refuse(req, req.t("download_busy"), 503)
    try:
        body = pdf_bytes(req, doc)
    finally:
        _pdf_turns.release()
    return _file(body, PDF_TYPE, f"{name}.pdf")


def refuse(req: Req, message: str, status: int = 400) -> Response:
    """A page (never a half-made file) saying why the download was refused."""
    return req.render("message.html", status, title=req.t("download_refused"), message=message)


def refuse_period(req: Req, max_days: int | None = None) -> Response:
    """Refuse a download whose ``from``/``to`` could not be used as they are (the page would have
    shown a corrected period; a file must hold exactly what was asked)."""
    try:
        start = date.fromisoformat(req.query("from"))
        end = date.fromisoformat(req.query("to"))
    except ValueError:
        return refuse(req, req.t("download_bad_period"))
    if max_days is not None and start <= end and (end - start).days >= max_days:
        return refuse(req, req.t("download_too_long", max=max_days))
    return refuse(req, req.t("download_bad_period"))


def file_name(req: Req, doc: Doc) -> str:
    """``buku-kas-2026-03-01_2026-03-31``: the report's name in the reader's language, then its dates."""
    parts = (req.t(f"file_{doc.kind}"), doc.number, "_".join(doc.dates))
    return _FILE_UNSAFE.sub("-", "-".join(p for p in parts if p))[:120]


def _file(body: bytes, media_type: str, name: str) -> Response:
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
    }
    return Response(body, media_type=media_type, headers=headers)


def _separator(req: Req) -> str:
    asked = SEPARATORS.get(req.query("sep"))
    return asked or (";" if req.lang == "id" else ",")


# -- CSV ----------------------------------------------------------------------------------------------


def _safe_cell(cell: str) -> str:
    """A cell as a spreadsheet may open it: text that would run as a formula is quoted with ``'``."""
    if cell.startswith(_FORMULA_START) and not _WHOLE_NUMBER.match(cell):
        return "'" + cell
    return cell


def csv_text(sections: Sequence[Section], separator: str = ",") -> str:
    """The books' CSV of ``sections`` with ``separator`` between fields and formula-safe text cells."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    for record in csv.reader(io.StringIO(render_csv(sections))):
        writer.writerow([_safe_cell(cell) for cell in record])
    return out.getvalue()


def shu_sections(data: Mapping[str, Any], members: Sequence[Mapping[str, Any]]) -> list[Section]:
    """A closed year's allocation as the books' sections: the funds, then the members' shares the reader
    may see (``report shu --csv``'s columns: member, points, shu_rp)."""
    funds = tuple((f.get("fund", ""), f["name"], f["percent"], f["amount_rp"]) for f in data.get("funds", []))
    shares = tuple((m["member"], m["points"], m["shu_rp"]) for m in members)
    return [
        Section("funds", "funds", ("fund", "name", "percent", "amount_rp"), funds),
        Section("members", "members", ("member", "points", "shu_rp"), shares),
    ]


# -- PDF ----------------------------------------------------------------------------------------------


def long_day(req: Req, day: date) -> str:
    """``5 Desember 2026`` (``5 December 2026``)."""
    months = req.t("months").split()
    return f"{day.day} {months[day.month - 1]} {day.year}"


def signers(req: Req) -> dict[str, str]:
    """The active ketua and bendahara by name (the first by member number when there are several)."""
    found: dict[str, str] = {}
    for row in req.ledger.member_rows():
        role = str(row.get("role") or "")
        if role in SIGNERS and role not in found and row.get("active", True):
            found[role] = str(row.get("name") or row.get("number") or "")
    return found


def pdf_bytes(req: Req, doc: Doc) -> bytes:
    """Render ``doc`` to an A4 PDF with WeasyPrint."""
    import weasyprint  # imported on the first PDF: it loads Pango, which the pages never need

    now = datetime.now(req.ledger.config.tz)
    who = req.user.name if req.user is not None else ""
    html = render_print(
        req.portal,
        doc,
        req.lang,
        printed=req.t("print_printed", when=f"{long_day(req, now.date())} {now:%H:%M}", who=who),
        signed_on=long_day(req, now.date()),
        signers=signers(req),
    )
    nothing = weasyprint.urls.URLFetcher(allowed_protocols=())
    css = weasyprint.CSS(string=PRINT_CSS.read_text(encoding="utf-8"), url_fetcher=nothing)
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=nothing).write_pdf(stylesheets=[css])
    return pdf


def render_print(portal: Portal, doc: Doc, lang: str, **extra: Any) -> str:
    """The print template's HTML (what WeasyPrint lays out)."""
    return portal.html(doc.template, lang, doc_title=doc.title, period=doc.period, **doc.context, **extra)
