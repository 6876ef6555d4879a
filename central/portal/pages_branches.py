"""The portal's branch comparison (route ``branches`` in ``central.portal.access.MATRIX``): per branch and
consolidated, a month's sales, gross margin, shrinkage, hand-in differences and devices offline, from
``central.consolidation.compare``; also as CSV (``?format=csv``). The month is kept in the URL (``?month=``).

``branch_choice`` is the branch selector the report pages share: ``?branch=`` a known branch, or "" for all
branches (consolidated)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final
from urllib.parse import urlencode

from starlette.responses import Response

from central.books.reports import Section
from central.branches import scope
from central.consolidation import compare
from central.portal import downloads
from central.portal.pages import _today
from central.portal.web import Req


def branch_choice(req: Req, known: scope.Branches) -> str | None:
    """The branch asked for with ``?branch=`` when it is one the ledger knows; None: all branches."""
    asked = req.query("branch")
    return asked if asked and known.known(asked) else None


def branch_label(req: Req, branch: str) -> str:
    """A branch as people say it: the central office by name, the total as the consolidated line."""
    if branch == scope.OFFICE_BRANCH:
        return req.t("br_office")
    if branch == compare.TOTAL:
        return req.t("br_total")
    return branch


def _month(req: Req) -> str:
    this = _today(req).isoformat()[:7]
    asked = req.query("month")
    try:
        compare.month_bounds(asked)
    except ValueError:
        return this
    return min(asked, this) if len(asked) == len("2026-03") else this


def page(req: Req) -> Response:
    """The comparison of ``?month=`` (default this month); ``?format=csv`` downloads it. Below it, sales and
    margin per unit of ``?branch=`` (all branches when none is chosen)."""
    month = _month(req)
    found = compare.compare(req.ledger, month, int(time.time()))
    if downloads.wanted(req) == "csv":
        rows = tuple(r.values() for r in (*found.rows, found.total))
        section = Section("branches", req.t("br_title"), compare.COLUMNS, rows)
        doc = downloads.Doc("branches", req.t("br_title"), month, (month,), [section], template="")
        return downloads.respond(req, doc, "csv")
    known = scope.load(req.ledger)
    branch = branch_choice(req, known)
    return req.render(
        "branches.html",
        month=month,
        branches=[(b, branch_label(req, b)) for b in known.names()],
        branch=branch or "",
        units=compare.units(req.ledger, month, branch, known),
        rows=list(found.rows),
        total=found.total,
        label=lambda b: branch_label(req, b),
        csv_link="?" + urlencode({"month": month, "format": "csv"}),
    )


PAGES: Final[dict[str, Callable[[Req], Response]]] = {"branches": page}
