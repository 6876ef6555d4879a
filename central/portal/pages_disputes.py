"""The portal's dispute pages (routes in ``central.portal.access.MATRIX``): the cases with their filters
(open or decided, unit, clerk, device), a case with the disputed sale and the supervisor's or manager's
accept and reject forms, and the report by clerk and device (also as CSV). Decisions go through
``central.disputes.store`` as ``central disputes accept|reject`` do, and land in the audit log; a refusal
comes back as the domain's bilingual reason."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final
from urllib.parse import quote, urlencode

from starlette.responses import Response

from central.books import receipts
from central.books.reports import Section
from central.branches import scope
from central.disputes import rules, store
from central.disputes.errors import DisputeError, UnknownCase
from central.office import identity
from central.office.errors import OfficeError
from central.office.identity import Office
from central.portal import accounts, downloads
from central.portal.pages import _int, _period, _redirect, _today
from central.portal.pages_branches import branch_choice, branch_label
from central.portal.tables import ensure_tables
from central.portal.web import Req, not_found

CASES_PAGE: Final = 50
MAX_PAGE: Final = 100_000
MAX_FILTER: Final = 48
STATES: Final = store.FILTERS
log = logging.getLogger("central.portal")


def _filters(req: Req, known: scope.Branches) -> dict[str, str]:
    state = req.query("state")
    unit = req.query("unit").strip()
    return {
        "state": state if state in STATES else "open",
        "unit": unit if req.ledger.config.unit(unit) is not None else "",
        "clerk": req.query("clerk").strip()[:MAX_FILTER],
        "device": req.query("device").strip()[:MAX_FILTER],
        "branch": branch_choice(req, known) or "",
    }


def _store_filters(f: dict[str, str], known: scope.Branches | None = None) -> dict[str, Any]:
    return {
        "state": None if f["state"] == "all" else f["state"],
        "unit": f["unit"] or None,
        "clerk": f["clerk"] or None,
        "device": f["device"] or None,
        "devices": known.devices(f["branch"]) if known is not None and f.get("branch") else None,
    }


def listing(req: Req) -> Response:
    """The cases that match the filters (default: the open ones), newest first, 50 a page."""
    known = scope.load(req.ledger)
    f = _filters(req, known)
    chosen = _store_filters(f, known)
    total = store.count(req.ledger, **chosen)
    pages = max(1, -(-total // CASES_PAGE))
    page = min(_int(req.query("page"), 1, 1, MAX_PAGE), pages)
    found = store.cases(req.ledger, **chosen, limit=CASES_PAGE, offset=(page - 1) * CASES_PAGE)
    clerks, devices = store.facets(req.ledger)
    kept = {k: v for k, v in f.items() if v}
    return req.render(
        "disputes.html",
        rows=found,
        total=total,
        page=page,
        pages=pages,
        filters=f,
        filter_query=urlencode(kept),
        units=req.ledger.config.units,
        clerks=clerks,
        devices=devices,
        office=identity.office_device(req.ledger),
        states=STATES,
        branches=[(b, branch_label(req, b)) for b in known.names()],
    )


def _office(req: Req) -> tuple[Office | None, str]:
    """The office as signer, or None and why (for the deciders: accepting voids on its chain)."""
    try:
        key = identity.key_path(req.ledger.target, req.portal.settings.office_key)
        return identity.load(req.ledger, key), ""
    except OfficeError as err:
        log.warning("portal: a dispute cannot be accepted here: %s", err.text("en"))
        return None, req.t("ds_office_missing") + " " + err.text(req.lang)


def _when(req: Req, ts: int | None) -> str:
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, req.ledger.config.tz).strftime("%Y-%m-%d %H:%M")


def _case_page(req: Req, case: rules.Case, status: int = 200, **extra: Any) -> Response:
    assert req.user is not None
    deciders = req.user.role in rules.DECIDERS
    office_problem = ""
    if deciders and not case.decided and case.sale_void is None:
        office_problem = _office(req)[1]
    others = [c.id for c in store.cases(req.ledger, sales=(case.sale,)) if c.id != case.id]
    return req.render(
        "dispute_case.html",
        status,
        case=case,
        sale=receipts.sale(req.ledger, case.sale),
        trail=store.trail(req.ledger, case),
        others=others,
        office=identity.office_device(req.ledger),
        deciders=deciders,
        office_problem=office_problem,
        decided_at=_when(req, case.decided_ts),
        min=rules.REASON_MIN,
        max=rules.REASON_MAX,
        reason=extra.pop("reason", ""),
        **extra,
    )


def case_page(req: Req) -> Response:
    """One case: the member's words, the disputed sale with its lines, device, clerk and time, the
    decision or the forms to make it, and the trail."""
    try:
        case = store.get(req.ledger, str(req.request.path_params.get("case", "")))
    except UnknownCase:
        return not_found(req)
    return _case_page(req, case)


def decide(req: Req) -> Response:
    """The supervisor or manager accepts (the sale is voided on the office chain) or rejects (a reason)."""
    assert req.user is not None
    try:
        case = store.get(req.ledger, str(req.request.path_params.get("case", "")))
    except UnknownCase:
        return not_found(req)
    decision = req.form.get("decision", "")
    reason = req.form.get("reason", "")
    if decision not in rules.DECISIONS:
        return _case_page(req, case, 400, error=req.t("ds_bad_decision"), reason=reason)
    login, role = req.user.login, req.user.role
    try:
        if decision == "accept":
            office = None if case.sale_void is not None else _office(req)[0]
            done = store.accept(req.ledger, office, case.id, by=login, role=role, reason=reason)
            flash = "ds_accepted_flash" if done.posted else "ds_accepted_already_flash"
        else:
            done = store.reject(req.ledger, case.id, by=login, role=role, reason=reason)
            flash = "ds_rejected_flash"
    except DisputeError as err:
        return _case_page(req, store.get(req.ledger, case.id), 400, error=err.text(req.lang), reason=reason)
    ensure_tables(req.ledger)
    detail = f"{case.sale} {done.case.void_tx or ''} {done.case.decision_reason or ''}".strip()
    with req.ledger.write() as conn:
        accounts.audit(
            conn, login, f"dispute_{decision}", case.id, req.address, detail=detail, now=accounts.now_s()
        )
    if case.member:
        req.portal.home.forget(case.member)
    req.request.session["flash"] = flash
    return _redirect(f"/disputes/{quote(case.id, safe='')}")


# -- the report by clerk and device ----------------------------------------------------------------------


def _sections(req: Req, found: store.Report) -> list[Section]:
    columns = rules.TALLY_COLUMNS
    return [
        Section(
            "disputes_by_clerk",
            req.t("ds_by_clerk"),
            ("clerk", *columns[1:]),
            tuple(tuple(x.row()[c] for c in columns) for x in found.clerks),
        ),
        Section(
            "disputes_by_device",
            req.t("ds_by_device"),
            ("device", *columns[1:]),
            tuple(tuple(x.row()[c] for c in columns) for x in found.devices),
        ),
    ]


def report(req: Req) -> Response:
    """Disputes of a period (default: this year) by the clerk and the device of the disputed sale: how
    many, how much, open, accepted and rejected; ``?format=csv`` for the file."""
    today = _today(req)
    start, end, bad = _period(req, date(today.year, 1, 1))
    unit = req.query("unit").strip()
    unit = unit if req.ledger.config.unit(unit) is not None else ""
    found = store.report(req.ledger, start.isoformat(), end.isoformat(), unit or None)
    if downloads.wanted(req) == "csv":
        doc = downloads.Doc(
            "disputes",
            req.t("ds_report_title"),
            "",
            (start.isoformat(), end.isoformat()),
            _sections(req, found),
            "",
        )
        return downloads.respond(req, doc, "csv")
    query = {"from": start.isoformat(), "to": end.isoformat(), **({"unit": unit} if unit else {})}
    return req.render(
        "disputes_report.html",
        found=found,
        start=start,
        end=end,
        bad=bad,
        unit=unit,
        units=req.ledger.config.units,
        csv_link="?" + urlencode({**query, "format": "csv"}),
    )


PAGES: Final[dict[str, Callable[[Req], Response]]] = {
    "disputes": listing,
    "dispute_report": report,
    "dispute_case": case_page,
    "dispute_decide": decide,
}
