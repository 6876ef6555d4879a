"""The annual statements' pages, for every member (invariant 6): arus kas (``/reports/cash-flow``), the
changes in equity (``/reports/equity``), the notes (``/reports/notes``) and the whole set for the members'
meeting (``/reports/statements``: balance sheet, income statement, arus kas, changes in equity, notes).

Each shows a book year (``?year=``, default the running year) beside the year before, and offers the same
data as ``?format=csv`` and ``?format=pdf`` (``central.portal.downloads``). The figures are the CLI's
(``central.books.annual``); no SQL here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Final

from starlette.responses import Response

from central.books import annual
from central.books.reports import Section
from central.messages import label
from central.portal import downloads
from central.portal.web import Req

if TYPE_CHECKING:
    from central.ledger import Ledger

FIRST_YEAR: Final = 1901  # the year before it must be a year too
LAST_YEAR: Final = 9999


def _year(req: Req) -> tuple[int, bool]:
    """The ``year`` of the query, or the running year; True when what was asked could not be used."""
    running = datetime.now(req.ledger.config.tz).year
    asked = req.query("year")
    if not asked:
        return running, False
    if asked.isascii() and asked.isdigit() and FIRST_YEAR <= int(asked) <= LAST_YEAR:
        return int(asked), False
    return running, True


def _page(
    req: Req, kind: str, build: Callable[[Ledger, int, str], list[Section]], about: str | None
) -> Response:
    year, bad = _year(req)
    fmt = downloads.wanted(req)
    if fmt and bad:
        return downloads.refuse(req, req.t("stm_bad_year_file"))
    sections = build(req.ledger, year, req.lang)
    title = req.t(f"stm_title_{kind}", year=year)
    if fmt:
        doc = downloads.Doc(
            kind,
            title,
            req.t("print_book_year", year=year),
            (str(year),),
            sections,
            "print_statements.html",
            {"sections": sections, "label": label, "year": year, "about": about},
            rows=sum(len(s.rows) for s in sections),
        )
        return downloads.respond(req, doc, fmt)
    return req.render(
        "statements.html",
        title=title,
        sections=sections,
        label=label,
        year=year,
        bad=bad,
        about=about,
        downloads=downloads.links(year=year),
    )


def cash_flow(req: Req) -> Response:
    return _page(req, "cash_flow", annual.cash_flow, "stm_cash_flow_about")


def equity(req: Req) -> Response:
    return _page(req, "equity", annual.equity_changes, "stm_equity_about")


def notes(req: Req) -> Response:
    return _page(req, "notes", annual.notes_sections, None)


def statements(req: Req) -> Response:
    return _page(req, "statements", annual.full_set, "stm_statements_about")


PAGES: Final = {
    "cash_flow": cash_flow,
    "equity": equity,
    "notes": notes,
    "statements": statements,
}
