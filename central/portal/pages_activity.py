"""The portal's board activity pages (routes in ``central.portal.access.MATRIX``): the merit split of the
board fund for every member (each board member's reports per kind, score and share, like the SHU page),
filing a report with an optional photo (the board), and one report with its photo (the board,
supervisors and office: a visit report may name the member visited).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from fractions import Fraction
from typing import Any, Final

from starlette.responses import RedirectResponse, Response

from central import images
from central.boardactivity import rules, store
from central.boardactivity.rules import ActivityError
from central.portal import access, accounts
from central.portal.pages_office import UPLOAD_SCOPE
from central.portal.tables import ensure_tables
from central.portal.web import Req, not_found
from central.yearend.closing import activity_parts, closed_allocation
from central.yearend.points import member_sort_key
from central.yearend.policy import BOARD_ROLES, FIRST_YEAR, LAST_YEAR, shu_policy

TICKED: Final = "ya"
MAX_NUMBER_DIGITS: Final = 12


def _today(req: Req) -> date:
    return datetime.now(req.ledger.config.tz).date()


def _year(req: Req) -> int:
    text = req.query("year")
    today = _today(req)
    if text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR:
        return int(text)
    return today.year


def _percent(part: int, whole: int) -> str:
    if whole <= 0:
        return "-"
    value = Fraction(part * 100, whole)
    return f"{float(value):.1f}%"  # display only; the rupiah are split exactly at the year-end


def split(req: Req) -> Response:
    """Every board member's reports per kind, score and share of the board fund for ``?year=``."""
    assert req.user is not None
    year = _year(req)
    ledger = req.ledger
    try:
        merit = store.rule(ledger)
        tallies = store.year_tallies(ledger, year)
        parts = activity_parts(ledger, year)
    except ActivityError as err:  # the config's [board_activity] is malformed: say what, not a 500
        return req.render("message.html", 500, title=req.t("ba_title", year=year), message=err.text(req.lang))
    names = {m["number"]: m["name"] for m in ledger.members()}
    board = {m["number"] for m in ledger.members() if m["role"] in BOARD_ROLES and m["active"]}
    everyone = sorted(board | set(parts) | set(tallies), key=member_sort_key)
    closed = closed_allocation(ledger, year)
    amounts: dict[str, int] = {}
    fund_rp = None
    policy = shu_policy(ledger.config)
    if closed is not None:
        amounts = {b["member"]: int(b["amount_rp"]) for b in closed.get("board", [])}
        fund_rp = next(
            (int(f["amount_rp"]) for f in closed.get("funds", []) if f["fund"] == policy.board_fund), None
        )
    rows: list[dict[str, Any]] = []
    for number in everyone:
        reports, manual = parts.get(number, (0, 0))
        tally = tallies.get(number)
        rows.append(
            {
                "member": number,
                "name": names.get(number, number),
                "counts": dict(tally.counts) if tally else dict.fromkeys(rules.KINDS, 0),
                "reports": reports,
                "manual": manual,
                "score": reports + manual,
                "amount_rp": amounts.get(number),
            }
        )
    total = sum(r["score"] for r in rows)
    for r in rows:
        r["share"] = _percent(r["score"], total)
    sees_reports = access.allowed(access.RULES["activity_report"], req.user)
    listed = store.listing(ledger, year) if sees_reports else []
    return req.render(
        "activity.html",
        year=year,
        rows=rows,
        total=total,
        kinds=rules.KINDS,
        kind_name=rules.kind_name,
        points=merit.points,
        rule=", ".join(f"{rules.kind_name(k, req.lang)} {merit.points.get(k, 0)}" for k in rules.KINDS),
        closed=closed is not None,
        fund_rp=fund_rp,
        by_activity=policy.board_by_activity,
        reports=listed,
        names=names,
        files=req.user.role in BOARD_ROLES,
    )


def _form(req: Req, status: int = 200, error: str | None = None) -> Response:
    return req.render(
        "activity_new.html",
        status,
        error=error,
        form=req.form,
        kinds=rules.KINDS,
        kind_name=rules.kind_name,
        points=store.rule(req.ledger).points,
        today=_today(req).isoformat(),
        mb=images.MAX_BYTES // (1024 * 1024),
    )


def new(req: Req) -> Response:
    """GET: the report form; POST: file the report (with its photo, made safe) for the logged-in member."""
    assert req.user is not None
    if req.request.method == "GET":
        return _form(req)
    if req.user.member is None:
        return _form(req, 403, req.t("forbidden_title"))
    today = _today(req)
    try:
        text = req.form.get("day", "").strip()
        try:
            day = date.fromisoformat(text) if text else today
        except ValueError as err:
            raise ActivityError(
                f"{text[:20]!r} is not a date like 2026-03-31",
                f"{text[:20]!r} bukan tanggal seperti 2026-03-31",
            ) from err
        if closed_allocation(req.ledger, day.year) is not None:
            return _form(req, 400, req.t("ba_year_closed", year=day.year))
        upload = req.request.scope.get(UPLOAD_SCOPE)
        photo = None
        if upload and upload[1]:
            photo = images.normalise(upload[1], keep_location=req.form.get("keep_location") == TICKED)
        number = store.file(
            req.ledger,
            req.user.member,
            req.form.get("kind", ""),
            req.form.get("description", ""),
            day,
            today=today,
            by=req.user.login,
            photo=photo,
        )
    except (ActivityError, images.ImageRefused) as err:
        return _form(req, 400, err.text(req.lang))
    ensure_tables(req.ledger)
    with req.ledger.write() as conn:
        kind = req.form.get("kind", "")
        accounts.audit(
            conn,
            req.user.login,
            "activity_report",
            str(number),
            req.address,
            detail=kind,
            now=accounts.now_s(),
        )
    req.request.session["flash"] = "ba_filed_flash"
    return RedirectResponse(f"/reports/board-activity?year={day.year}", 303)


def _report(req: Req) -> store.Report | None:
    text = str(req.request.path_params.get("report", ""))
    if not text.isdigit() or len(text) > MAX_NUMBER_DIGITS:
        return None
    try:
        return store.get(req.ledger, int(text))
    except store.UnknownReport:
        return None


def report(req: Req) -> Response:
    """One report with its photo."""
    found = _report(req)
    if found is None:
        return not_found(req)
    names = {m["number"]: m["name"] for m in req.ledger.members()}
    return req.render(
        "activity_report.html",
        report=found,
        who=names.get(found.member, found.member),
        kind_name=rules.kind_name,
    )


def report_photo(req: Req) -> Response:
    """The report's photo (``?size=thumb`` for the thumbnail), JPEG."""
    found = _report(req)
    if found is None:
        return not_found(req)
    try:
        data = store.photo(req.ledger, found.id, thumb=req.query("size") == "thumb")
    except store.UnknownReport:
        return not_found(req)
    return Response(data, media_type="image/jpeg")


PAGES: Final[dict[str, Callable[[Req], Response]]] = {
    "activity": split,
    "activity_new": new,
    "activity_report": report,
    "activity_photo": report_photo,
}
