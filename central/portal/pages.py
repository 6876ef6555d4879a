"""The portal's pages: each takes a ``Req`` (already past the access matrix) and returns a response.

Pages only read through the books' and year-end's own functions (the CLI's), and write only through
``central.portal.accounts``; none holds SQL of its own.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Final

from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from central.books import receipts, reports, statement
from central.books.viewer import SEES_MEMBERS, Viewer
from central.disputes import store as disputes
from central.errors import UnknownMember
from central.messages import label
from central.portal import access, accounts, downloads
from central.portal.errors import BadActivation, BadLogin, BadPassword, Locked, PortalError
from central.portal.text import LANGS
from central.portal.web import LANG_COOKIE, LANG_MAX_AGE_S, Req, not_found, safe_next
from central.yearend import closed_allocation

HOME_PURCHASES: Final = 20  # the latest purchases on the home page
HOME_DISPUTES: Final = 3  # the member's latest disputes on the home page, with their outcome
CASHBOOK_PAGE: Final = 100  # lines per page: a month of a small shop, well under 100 KB of HTML
MAX_PERIOD_DAYS: Final = 366  # the longest cash book period on one request
AUDIT_PAGE: Final = 100
MAX_PAGE: Final = 100_000
MAX_SHU_LISTED: Final = 500  # members listed in the SHU table for the board (keeps the page under 100 KB)
FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 9999


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _today(req: Req) -> date:
    return datetime.now(req.ledger.config.tz).date()


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _int(text: str, default: int, lo: int, hi: int) -> int:
    return int(text) if text.isascii() and text.isdigit() and lo <= int(text) <= hi else default


def _period(req: Req, default_start: date, *, max_days: int | None = None) -> tuple[date, date, bool]:
    """The ``from``/``to`` of the query, or the defaults; True when what was asked could not be used."""
    today = _today(req)
    start_text, end_text = req.query("from"), req.query("to")
    start = _day(start_text) if start_text else default_start
    end = _day(end_text) if end_text else today
    bad = start is None or end is None
    start = start or default_start
    end = end or today
    if start > end:
        start, end, bad = default_start, today, True
    if max_days is not None and (end - start).days >= max_days:
        start, bad = end - timedelta(days=max_days - 1), True
    return start, end, bad


def _user_error(req: Req, err: PortalError) -> str:
    values = dict(err.values)
    values.setdefault("min", accounts.MIN_PASSWORD)
    values.setdefault("max", accounts.MAX_PASSWORD)
    return req.t(err.key, **values)


def _locked_text(req: Req, err: Locked) -> str:
    until = datetime.fromtimestamp(err.until, req.ledger.config.tz).strftime("%H:%M")
    minutes = max(1, -(-(err.until - accounts.now_s()) // 60))
    return req.t("locked", until=until, minutes=minutes)


# -- public pages -------------------------------------------------------------------------------------


def root(req: Req) -> Response:
    return _redirect("/home" if req.user else "/login")


def login(req: Req) -> Response:
    next_url = safe_next(req.form.get("next") or req.query("next"))
    notice = None
    if req.query("expired"):
        notice = req.t("expired")
    elif req.query("out"):
        notice = req.t("logged_out")
    elif req.query("login"):
        notice = req.t("please_login")
    if req.request.method == "GET":
        return req.render("login.html", notice=notice, next=next_url, login_value="")
    name = req.form.get("login", "")
    try:
        user = accounts.authenticate(
            req.ledger, req.portal.settings.hasher, name, req.form.get("password", ""), req.address
        )
    except Locked as err:
        return req.render("login.html", 429, error=_locked_text(req, err), next=next_url, login_value=name)
    except BadLogin as err:
        return req.render("login.html", 401, error=_user_error(req, err), next=next_url, login_value=name)
    _begin(req, user)
    return _redirect(next_url)


def _begin(req: Req, user: accounts.User) -> None:
    sid = accounts.start_session(req.ledger, user, req.address)
    req.request.session.clear()  # a fresh session id at every login (no fixation)
    req.request.session["sid"] = sid


def activate(req: Req) -> Response:
    context: dict[str, Any] = {
        "login_value": req.form.get("login", req.query("login")),
        "min": accounts.MIN_PASSWORD,
    }
    if req.request.method == "GET":
        return req.render("activate.html", **context)
    f = req.form
    try:
        user = accounts.activate(
            req.ledger,
            req.portal.settings.hasher,
            f.get("login", ""),
            f.get("code", ""),
            password=f.get("password", ""),
            confirm=f.get("confirm", ""),
            address=req.address,
        )
    except Locked as err:
        return req.render("activate.html", 429, error=_locked_text(req, err), **context)
    except (BadActivation, BadPassword) as err:
        return req.render("activate.html", 400, error=_user_error(req, err), **context)
    _begin(req, user)
    req.request.session["flash"] = "activated"
    return _redirect("/home")


def lang(req: Req) -> Response:
    code = str(req.request.path_params.get("code", ""))
    if code not in LANGS:
        return not_found(req)
    response = _redirect(safe_next(req.query("next")))
    response.set_cookie(
        LANG_COOKIE,
        code,
        max_age=LANG_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=req.portal.settings.secure_cookies,
    )
    return response


# -- every logged-in user -----------------------------------------------------------------------------


def logout(req: Req) -> Response:
    assert req.user is not None
    sid = req.request.session.get("sid")
    if isinstance(sid, str):
        accounts.end_session(req.ledger, sid, req.user.login, req.address)
    req.request.session.clear()
    return _redirect("/login?out=1")


def password(req: Req) -> Response:
    assert req.user is not None
    context = {"min": accounts.MIN_PASSWORD}
    if req.request.method == "GET":
        return req.render("password.html", **context)
    f = req.form
    try:
        accounts.change_password(
            req.ledger,
            req.portal.settings.hasher,
            req.user,
            old=f.get("old", ""),
            new=f.get("password", ""),
            confirm=f.get("confirm", ""),
            address=req.address,
            keep_sid=str(req.request.session.get("sid", "")),
        )
    except Locked as err:
        return req.render("password.html", 429, error=_locked_text(req, err), **context)
    except (BadLogin, BadPassword) as err:
        return req.render("password.html", 400, error=_user_error(req, err), **context)
    req.request.session["flash"] = "password_changed"
    return _redirect("/home")


def home(req: Req) -> Response:
    assert req.user is not None
    if req.user.member is None:
        return req.render("home.html", summary=None, purchases=())
    today = _today(req)
    number = req.user.member

    def figures() -> dict[str, Any]:
        # the latest purchases of the year only: the whole list is one tap away (/purchases)
        latest = receipts.member_sales(
            req.ledger,
            number,
            f"{today.year:04d}-01-01",
            today.isoformat(),
            limit=HOME_PURCHASES,
            totals=False,
        )
        return {
            "summary": statement.member_summary(req.ledger, number),
            "purchases": [
                (sale.day, sale.id, sale.unit, sale.payment, sale.total_rp, "void" if sale.void else "")
                for sale in latest.sales
            ],
            "loans": statement.member_loans(req.ledger, number, today.isoformat()),
        }

    # the member's latest disputes and their outcome, outside the kept figures: a decision that posts
    # nothing (a rejection) shows at once
    latest_disputes = disputes.cases(req.ledger, member=number, limit=HOME_DISPUTES)
    return req.render(
        "home.html",
        **req.portal.home.get(req.ledger, number, today.isoformat(), figures),
        disputes=latest_disputes,
    )


def member(req: Req) -> Response:
    number = str(req.request.path_params["number"])
    today = _today(req)
    start, end, bad = _period(req, date(today.year, 1, 1))
    fmt = downloads.wanted(req)
    if fmt and bad:
        return downloads.refuse_period(req)
    try:
        sections = statement.member_statement(
            req.ledger, number, reports.Period(start.isoformat(), end.isoformat()), req.lang
        )
    except UnknownMember:
        return not_found(req)
    title = req.t("statement_of", number=number)
    if fmt:
        doc = downloads.Doc(
            "member",
            title,
            _period_line(req, start, end),
            (start.isoformat(), end.isoformat()),
            sections,
            "print_sections.html",
            {"sections": sections, "label": label},
            rows=sum(len(s.rows) for s in sections),
            number=number,
        )
        return downloads.respond(req, doc, fmt)
    return req.render(
        "sections.html",
        title=title,
        sections=sections,
        label=label,
        period_form=True,
        start=start,
        end=end,
        bad=bad,
        downloads=downloads.links(**{"from": start, "to": end}),
    )


def _period_line(req: Req, start: date, end: date) -> str:
    return req.t("print_period", start=downloads.long_day(req, start), end=downloads.long_day(req, end))


def cashbook(req: Req) -> Response:
    assert req.user is not None
    today = _today(req)
    start, end, bad = _period(req, today.replace(day=1), max_days=MAX_PERIOD_DAYS)
    fmt = downloads.wanted(req)
    if fmt and bad:
        return downloads.refuse_period(req, MAX_PERIOD_DAYS)
    viewer = Viewer(member=req.user.member, role=req.user.role)
    period = reports.Period(start.isoformat(), end.isoformat())
    if fmt:  # the whole period, not one page of it
        section = reports.cashbook(req.ledger, period, req.lang, viewer)[0]
        doc = downloads.Doc(
            "cashbook",
            req.t("nav_cashbook"),
            _period_line(req, start, end),
            (start.isoformat(), end.isoformat()),
            [section],
            "print_cashbook.html",
            {
                "rows": section.rows,
                "summary": dict(section.summary),
                "start": start,
                "end": end,
                "masked": not access.sees_all_members(req.user),
            },
            rows=len(section.rows),
        )
        return downloads.respond(req, doc, fmt)
    # one page: only the days it falls on are read (a busy month has tens of thousands of cash lines), and
    # the part below the period form is kept while the cash account up to the period's end is unchanged
    page = _int(req.query("page"), 1, 1, MAX_PAGE)
    sees = "*" if viewer.role in SEES_MEMBERS else (viewer.member or "")
    key = ("cashbook", period.lo, period.hi, page, req.lang, sees)
    version = reports.cash_version(req.ledger, period.hi)
    kept = req.portal.pages.get(key, version)
    if kept is None:
        kept = _cash_part(req, period, page, viewer=viewer, start=start, end=end)
        req.portal.pages.put(key, version, kept)
    part, pages = kept
    return req.render(
        "cashbook.html",
        start=start,
        end=end,
        bad=bad,
        cash_part=part,
        downloads=downloads.links(**{"from": start, "to": end}),
        note=pages > 1,
    )


def _cash_part(
    req: Req, period: reports.Period, page: int, *, viewer: Viewer, start: date, end: date
) -> tuple[Markup, int]:
    """The cash book's totals, one page of its lines and the pager as HTML (``_cash_page.html``), and
    how many pages the period has."""
    section, total = reports.cashbook_page(
        req.ledger, period, (page - 1) * CASHBOOK_PAGE, CASHBOOK_PAGE, lang=req.lang, viewer=viewer
    )
    pages = max(1, -(-total // CASHBOOK_PAGE))
    if page > pages:
        page = pages
        section, total = reports.cashbook_page(
            req.ledger, period, (page - 1) * CASHBOOK_PAGE, CASHBOOK_PAGE, lang=req.lang, viewer=viewer
        )
    html = req.portal.html(
        "_cash_page.html",
        req.lang,
        rows=section.rows,
        summary=dict(section.summary),
        start=start,
        end=end,
        page=page,
        pages=pages,
    )
    return Markup(html), pages  # noqa: S704 (rendered by the autoescaping environment)


def balance_sheet(req: Req) -> Response:
    on_text = req.query("on")
    on = _day(on_text) if on_text else _today(req)
    bad = on is None
    on = on or _today(req)
    fmt = downloads.wanted(req)
    if fmt and bad:
        return downloads.refuse(req, req.t("download_bad_period"))
    sections = reports.balance_sheet(req.ledger, on.isoformat(), req.lang)
    title = req.t("nav_balance_sheet")
    if fmt:
        doc = downloads.Doc(
            "balance_sheet",
            title,
            req.t("print_on", day=downloads.long_day(req, on)),
            (on.isoformat(),),
            sections,
            "print_sections.html",
            {"sections": sections, "label": label},
            rows=sum(len(s.rows) for s in sections),
        )
        return downloads.respond(req, doc, fmt)
    return req.render(
        "sections.html",
        title=title,
        sections=sections,
        label=label,
        on_form=True,
        on=on,
        bad=bad,
        downloads=downloads.links(on=on),
    )


def income(req: Req) -> Response:
    today = _today(req)
    start, end, bad = _period(req, date(today.year, 1, 1))
    fmt = downloads.wanted(req)
    if fmt and bad:
        return downloads.refuse_period(req)
    sections = reports.income(req.ledger, reports.Period(start.isoformat(), end.isoformat()), req.lang)
    title = req.t("nav_income")
    if fmt:
        doc = downloads.Doc(
            "income",
            title,
            _period_line(req, start, end),
            (start.isoformat(), end.isoformat()),
            sections,
            "print_sections.html",
            {"sections": sections, "label": label},
            rows=sum(len(s.rows) for s in sections),
        )
        return downloads.respond(req, doc, fmt)
    return req.render(
        "sections.html",
        title=title,
        sections=sections,
        label=label,
        period_form=True,
        start=start,
        end=end,
        bad=bad,
        downloads=downloads.links(**{"from": start, "to": end}),
    )


def shu(req: Req) -> Response:
    assert req.user is not None
    today = _today(req)
    year = _int(req.query("year"), today.year - 1, FIRST_YEAR, LAST_YEAR)
    data = closed_allocation(req.ledger, year)
    mine = None
    everyone: list[dict[str, Any]] = []
    fmt = downloads.wanted(req)
    closed_when = None
    if data is not None:
        at = data.get("closed", {}).get("at")
        if isinstance(at, int):
            closed_when = datetime.fromtimestamp(at, req.ledger.config.tz).strftime("%Y-%m-%d %H:%M")
        members = data.get("members", [])
        mine = next((m for m in members if m["member"] == req.user.member), None)
        if access.sees_all_members(req.user):
            everyone = members if fmt else members[:MAX_SHU_LISTED]
    if fmt:
        if data is None:
            return downloads.refuse(req, req.t("shu_not_closed", year=year))
        doc = downloads.Doc(
            "shu",
            req.t("shu_title", year=year),
            req.t("print_book_year", year=year),
            (str(year),),
            downloads.shu_sections(data, everyone or ([mine] if mine else [])),
            "print_shu.html",
            {"data": data, "mine": mine, "everyone": everyone, "closed_when": closed_when},
            rows=len(everyone) + len(data.get("funds", [])),
        )
        return downloads.respond(req, doc, fmt)
    return req.render(
        "shu.html",
        year=year,
        data=data,
        mine=mine,
        everyone=everyone,
        closed_when=closed_when,
        downloads=downloads.links(year=year),
    )


def units(req: Req) -> Response:
    return req.render("units.html", units=req.ledger.config.units)


def audit(req: Req) -> Response:
    page = _int(req.query("page"), 1, 1, MAX_PAGE)
    rows = accounts.audit_rows(req.ledger, AUDIT_PAGE + 1, (page - 1) * AUDIT_PAGE)
    tz = req.ledger.config.tz
    shown = [
        {**row, "when": datetime.fromtimestamp(int(str(row["ts"])), tz).strftime("%Y-%m-%d %H:%M:%S")}
        for row in rows[:AUDIT_PAGE]
    ]
    return req.render("audit.html", rows=shown, page=page, more=len(rows) > AUDIT_PAGE)


PAGES: Final = {
    "root": root,
    "login": login,
    "activate": activate,
    "lang": lang,
    "logout": logout,
    "password": password,
    "home": home,
    "member": member,
    "cashbook": cashbook,
    "balance_sheet": balance_sheet,
    "income": income,
    "shu": shu,
    "units": units,
    "audit": audit,
}
