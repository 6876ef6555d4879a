"""The portal's member pages (routes in ``central.portal.access.MATRIX``): a member's own purchases, "not
me" on one of them (a dispute on the office's chain), their points of a year per rule, and the receipt check.

Everything is read through the books' and year-end's own functions (``central.books.receipts``,
``central.yearend``) and written through the office's (``central.office.record``), as the CLI does; no SQL
here. A sale that is not the logged-in member's own gets the same 404 as one that does not exist, for every
role: disputes are the member's own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final
from urllib.parse import quote

from starlette.responses import Response

from central.books import receipts
from central.disputes import store as disputes
from central.errors import CentralError
from central.office import entries, identity
from central.office.errors import OfficeError
from central.office.record import record
from central.portal import access, accounts, pages_log
from central.portal.pages import _int, _period, _redirect, _today
from central.portal.tables import ensure_tables
from central.portal.web import Req, not_found
from central.yearend import member_points, point_policy
from central.yearend.points import PointRule, by_rule, format_points
from sync.envelope import CONTROL_RE, SURROGATE_RE

PURCHASES_PAGE: Final = 50  # sales per page: each lists at most 3 items, so a page stays near 30 KB
MAX_PAGE: Final = 100_000
REASON_MIN: Final = 3
REASON_MAX: Final = 200
FIRST_YEAR: Final = 2000
log = logging.getLogger("central.portal")


class _AlreadyDisputed(Exception):
    """Raised under the office chain lock when a dispute of the sale landed meanwhile: nothing is signed."""


def _member(req: Req) -> str | None:
    assert req.user is not None
    return req.user.member


def _staff(req: Req, title_key: str) -> Response:
    """What a staff account (no member of its own) reads on a member's own page."""
    return req.render("message.html", title=req.t(title_key), message=req.t("mp_staff"))


# -- purchases ----------------------------------------------------------------------------------------


def purchases(req: Req) -> Response:
    """The member's own sales of a period (default this year), newest first, 50 a page."""
    number = _member(req)
    if number is None:
        return _staff(req, "nav_purchases")
    today = _today(req)
    start, end, bad = _period(req, date(today.year, 1, 1))
    page = _int(req.query("page"), 1, 1, MAX_PAGE)
    found = receipts.member_sales(
        req.ledger, number, start.isoformat(), end.isoformat(), limit=PURCHASES_PAGE, offset=0
    )
    pages = max(1, -(-found.count // PURCHASES_PAGE))
    if page > 1:
        page = min(page, pages)
        found = receipts.member_sales(
            req.ledger,
            number,
            start.isoformat(),
            end.isoformat(),
            limit=PURCHASES_PAGE,
            offset=(page - 1) * PURCHASES_PAGE,
        )
    disputed = [sale.id for sale in found.sales if sale.dispute is not None]
    return req.render(
        "member_purchases.html",
        cases=disputes.member_cases(req.ledger, number, disputed),
        start=start,
        end=end,
        bad=bad,
        found=found,
        page=page,
        pages=pages,
    )


# -- "not me": a dispute ------------------------------------------------------------------------------


def _office(req: Req) -> tuple[identity.Office | None, str]:
    """The office as signer, or None and what the page tells the member (the technical reason to the
    roles that see every member, and to the log)."""
    try:
        key = identity.key_path(req.ledger.target, req.portal.settings.office_key)
        return identity.load(req.ledger, key), ""
    except OfficeError as err:
        log.warning("portal: a dispute cannot be recorded: %s", err.text("en"))
        why = req.t("mp_office_missing")
        assert req.user is not None
        if access.sees_all_members(req.user):
            why += " " + err.text(req.lang)
        return None, why


def _reason(text: str) -> tuple[str, str | None]:
    """The reason on one line, and the key of what is wrong with it (None: fine)."""
    reason = " ".join(text.split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        return reason, "mp_reason_length"
    if CONTROL_RE.search(reason) or SURROGATE_RE.search(reason):
        return reason, "mp_reason_chars"
    return reason, None


def dispute(req: Req) -> Response:
    """GET: the sale and the "not me" form; POST: the dispute, once, on the office's chain."""
    number = _member(req)
    if number is None:
        return _staff(req, "mp_dispute_title")
    assert req.user is not None
    login = req.user.login
    sale = receipts.sale(req.ledger, str(req.request.path_params.get("sale", "")))
    if sale is None or sale.member != number:
        return not_found(req)
    context: dict[str, Any] = {"sale": sale, "reason": "", "min": REASON_MIN, "max": REASON_MAX}
    if sale.dispute is not None:  # the case and its outcome (the decision and the reason the member reads)
        case = disputes.member_cases(req.ledger, number, [sale.id]).get(sale.id)
        context["case"] = case
        if case is not None and case.decided_ts is not None:
            when = datetime.fromtimestamp(case.decided_ts, req.ledger.config.tz)
            context["decided_day"] = when.date().isoformat()
    if sale.dispute is not None or sale.void is not None:
        return req.render("member_dispute.html", **context)
    office, office_problem = _office(req)
    context["office_problem"] = office_problem
    if req.request.method == "GET":
        return req.render("member_dispute.html", **context)
    reason, problem = _reason(req.form.get("reason", ""))
    context["reason"] = reason
    if problem is not None:
        return req.render(
            "member_dispute.html", 400, error=req.t(problem, min=REASON_MIN, max=REASON_MAX), **context
        )
    if office is None:
        return req.render("member_dispute.html", 503, **context)

    def not_twice(_signed: list[dict[str, Any]]) -> None:
        # under the office chain lock: a dispute that landed since the page was read stops this one
        if receipts.dispute_of(req.ledger, sale.id) is not None:
            raise _AlreadyDisputed

    body = entries.dispute(number, sale.id, reason, sale.unit)
    try:
        done = record(req.ledger, office, body, by=login, before_ingest=not_twice)
    except _AlreadyDisputed:
        return req.render("member_dispute.html", sale=receipts.sale(req.ledger, sale.id), reason="")
    except CentralError as err:  # the office's reasons (EntryInvalid, EntryRefused, a key problem) and others
        text = err.text(req.lang) if isinstance(err, OfficeError) else str(err)
        log.warning("portal: dispute of %s refused: %s", sale.id, text)
        return req.render("member_dispute.html", 400, error=req.t("mp_dispute_refused", why=text), **context)
    ensure_tables(req.ledger)
    with req.ledger.write() as conn:
        accounts.audit(
            conn, login, "dispute", sale.id, req.address, detail=f"{done.id} {reason}", now=accounts.now_s()
        )
    req.request.session["flash"] = "mp_disputed"
    return _redirect(f"/purchases/{quote(sale.id, safe='')}/dispute")


# -- points -------------------------------------------------------------------------------------------


def points(req: Req) -> Response:
    """The member's points of a year (default this year) per rule, with passive and bonus points."""
    number = _member(req)
    if number is None:
        return _staff(req, "nav_points")
    today = _today(req)
    asked = req.query("year")
    year = _int(asked, today.year, FIRST_YEAR, today.year)
    bad = bool(asked) and str(year) != asked.strip()
    on = today if year == today.year else None
    try:
        mine = member_points(req.ledger, number, year, on)
        policy = point_policy(req.ledger.config)
    except CentralError as err:
        log.warning("portal: points of %s in %s: %s", number, year, err)
        return req.render(
            "member_points.html", year=year, bad=bad, mine=None, rows=(), years=_years(today, year)
        )
    units = {u.code: u.name for u in req.ledger.config.units}
    rows = [
        {
            "name": _rule_name(req, r.rule, units),
            "basis": req.t("mp_basis_margin" if r.rule.basis == "margin" else "mp_basis_amount"),
            "basis_rp": r.basis_rp,
            "rate": r.rule.rp_per_point,
            "points": format_points(r.points),
        }
        for r in by_rule(policy, mine)
    ]
    return req.render(
        "member_points.html",
        year=year,
        bad=bad,
        mine=mine,
        rows=rows,
        passive=format_points(mine.passive),
        bonus=format_points(mine.bonus),
        total=format_points(mine.total),
        years=_years(today, year),
        on=on,
    )


def _years(today: date, shown: int) -> list[int]:
    """The years offered in the form: the last six, and the one shown."""
    return sorted(set(range(max(FIRST_YEAR, today.year - 5), today.year + 1)) | {shown}, reverse=True)


def _rule_name(req: Req, rule: PointRule, units: dict[str, str]) -> str:
    if rule.source == "sale":
        name = units.get(rule.unit, rule.unit)
        return f"{name}, {req.t('mp_pay_' + rule.payment)}" if rule.payment in ("cash", "credit") else name
    if rule.source == "savings":
        return req.t("mp_rule_savings", product=rule.unit)
    if rule.source == "interest":
        return req.t("mp_rule_interest")
    return req.t("mp_rule_term", product=rule.unit)


# -- the receipt check --------------------------------------------------------------------------------


def receipt(req: Req) -> Response:
    """A receipt's QR text checked as ``central verify-receipt`` checks it."""
    assert req.user is not None
    qr = req.query("qr").strip()
    if not qr:
        return req.render("member_receipt.html", qr="", check=None)
    check = receipts.verify_receipt(req.ledger, qr)
    member = None
    log = None
    if check.status in ("valid", "voided") and check.txid is not None:
        log = pages_log.receipt_inclusion(req, check.txid)
        owner = receipts.receipt_member(req.ledger, check.txid)
        if owner is not None and access.sees_member(req.user, owner):
            member = owner
    return req.render(
        "member_receipt.html", qr=qr, check=check, message=check.message(req.lang), member=member, log=log
    )


PAGES: Final[dict[str, Callable[[Req], Response]]] = {
    "purchases": purchases,
    "dispute": dispute,
    "points": points,
    "receipt": receipt,
}
