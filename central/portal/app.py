"""The portal as an ASGI application: routes built from the access matrix, sessions, CSRF and headers.

From the outside in: ``guard`` bounds and checks request bodies (so nothing below parses more than a form,
or bytes that are not UTF-8); ``security_headers`` adds CSP, frame, referrer, sniffing and caching headers
to every response; asgi-csrf (double-submit cookie, signed with itsdangerous) refuses any state-changing
request without the form's token; Starlette's ``SessionMiddleware`` keeps only a random session id in its
signed cookie; the routes, each wrapped by ``guarded`` with its row of ``access.MATRIX``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final
from urllib.parse import parse_qsl, quote

from asgi_csrf import asgi_csrf
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central.ledger import Ledger
from central.portal import (
    access,
    accounts,
    pages,
    pages_board,
    pages_loans,
    pages_member,
    pages_office,
    text,
)
from central.portal.accounts import User
from central.portal.settings import MAX_FIELD, MAX_FIELDS, Settings
from central.portal.web import (
    CSRF_FIELD,
    HERE,
    SESSION_COOKIE,
    Portal,
    Req,
    not_found,
    request_lang,
    safe_next,
)

CSP: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
log = logging.getLogger("central.portal")


Page = Callable[[Req], Response]


def _pages() -> dict[str, Page]:
    """Every page by its rule's name, from the page modules (a name defined twice is a programming error)."""
    found: dict[str, Page] = {}
    for module in (pages, pages_member, pages_board, pages_office, pages_loans):
        twice = sorted(set(module.PAGES) & set(found))
        if twice:
            raise RuntimeError(f"portal pages defined twice: {', '.join(twice)}")
        found.update(module.PAGES)
    return found


PAGES: Final = _pages()


def guarded(portal: Portal, rule: access.Rule, page: Page) -> Callable[[Request], Awaitable[Response]]:
    """The route's endpoint: finds the session's user, applies the rule, and only then runs the page."""

    async def endpoint(request: Request) -> Response:
        form: dict[str, str] = {}
        if request.method == "POST":
            parsed = await request.form(max_files=0, max_fields=MAX_FIELDS)
            form = {k: v[:MAX_FIELD] for k, v in parsed.items() if not isinstance(v, UploadFile)}
        return await run_in_threadpool(_run, portal, rule, page, request, form)

    return endpoint


def _run(portal: Portal, rule: access.Rule, page: Page, request: Request, form: dict[str, str]) -> Response:
    lang = request_lang(request.scope)
    user: User | None = None
    expired = False
    sid = request.session.get("sid")
    if isinstance(sid, str):
        s = portal.settings
        user = accounts.session_user(portal.ledger, sid, s.idle_s, s.absolute_s)
        if user is None:
            expired = True
            request.session.clear()
    req = Req(request, portal, user, lang, form, rule)
    if not access.allowed(rule, user):
        if user is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            why = "expired=1" if expired else "login=1"
            return RedirectResponse(
                f"/login?{why}&next={quote(safe_next(target), safe='/')}", status_code=303
            )
        return req.render(
            "message.html",
            403,
            title=req.t("forbidden_title"),
            message=req.t("forbidden", role=text.role_name(user.role, lang)),
        )
    if rule.own is not None and user is not None:
        number = str(request.path_params.get(rule.own, ""))
        if not access.sees_member(user, number):
            return not_found(req)
    return page(req)


def error_body(portal: Portal, lang: str, title: str, message: str) -> bytes:
    """A plain page for refusals made below the routes (no session, no CSRF token: nothing to leak)."""
    return portal.html(
        "message.html",
        lang,
        user=None,
        csrftoken="",
        path="",
        query="",
        flash=None,
        rules=access.RULES,
        allowed=access.allowed,
        title=title,
        message=message,
    ).encode("utf-8")


async def _send_page(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def guard(portal: Portal, app: ASGIApp) -> ASGIApp:
    """Refuse, before anything parses it, a body that is too large, not a plain form, or not UTF-8."""
    limit = portal.settings.max_body

    async def guarded_app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await app(scope, receive, send)
            return
        # The portal's forms send their token in the body. asgi-csrf would let a Bearer Authorization
        # header skip the check, and fails on a non-ASCII token header: neither reaches it.
        headers = [(k, v) for k, v in scope.get("headers", []) if k not in (b"authorization", b"x-csrftoken")]
        scope = {**scope, "headers": headers}
        lang = request_lang(scope)
        found = dict(headers)
        kind = found.get(b"content-type", b"").split(b";", 1)[0].strip().lower()

        async def refuse(status: int) -> None:
            body = error_body(portal, lang, text.t("bad_request_title", lang), text.t("bad_request", lang))
            await _send_page(send, status, body)

        if kind not in (b"application/x-www-form-urlencoded", b""):  # b"": an empty POST, no form at all
            await refuse(415)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await refuse(413)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if not kind and body:
            await refuse(415)
            return
        try:
            fields = parse_qsl(body.decode("utf-8"))
        except UnicodeDecodeError:
            await refuse(400)
            return
        if any(key == CSRF_FIELD and not value.isascii() for key, value in fields):
            await _send_page(
                send, 403, error_body(portal, lang, text.t("csrf_title", lang), text.t("csrf", lang))
            )
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await app(scope, replay, send)

    return guarded_app


class _EveryPath:
    """asgi-csrf checks a cookie-less request only for paths ``in`` its ``always_protect``: all of ours."""

    def __contains__(self, _path: object) -> bool:
        return True


def security_headers(portal: Portal, app: ASGIApp) -> ASGIApp:
    """Add the security headers to every response; pages are never cached (they hold personal data)."""
    extra = [
        (b"content-security-policy", CSP.encode()),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"x-content-type-options", b"nosniff"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if portal.settings.secure_cookies:
        extra.append((b"strict-transport-security", b"max-age=31536000"))

    async def with_headers(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers.extend(h for h in extra if h[0] not in names)
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with)

    return with_headers


def create_app(ledger: Ledger, settings: Settings | None = None) -> ASGIApp:
    """The portal over ``ledger``: an ASGI application for uvicorn (or Starlette's TestClient)."""
    settings = settings or Settings()
    portal = Portal(ledger, settings)
    routes: list[Route | Mount] = [
        Route(rule.path, guarded(portal, rule, PAGES[rule.name]), methods=list(rule.methods), name=rule.name)
        for rule in access.MATRIX
        if rule.name in PAGES  # a rule without a page is a URL that does not exist (a test: none is left)
    ]
    routes.append(Mount("/static", StaticFiles(directory=HERE / "static"), name="static"))

    def handler(status: int, title: str, message: str) -> Callable[[Request, Exception], Response]:
        def render(request: Request, _exc: Exception) -> Response:
            lang = request_lang(request.scope)
            if status == 500:
                log.exception("portal error on %s", request.url.path, exc_info=_exc)
            return HTMLResponse(error_body(portal, lang, text.t(title, lang), text.t(message, lang)), status)

        return render

    exception_handlers: Mapping[Any, Callable[[Request, Exception], Response]] = {
        404: handler(404, "not_found_title", "not_found"),
        405: handler(405, "not_found_title", "not_found"),
        500: handler(500, "error_title", "error"),
    }
    app = Starlette(routes=routes, exception_handlers=exception_handlers)
    app.state.portal = portal
    with_session = SessionMiddleware(
        app,
        secret_key=accounts.secret(ledger, "session"),
        session_cookie=SESSION_COOKIE,
        max_age=settings.absolute_s,
        same_site="lax",
        https_only=settings.secure_cookies,
    )

    async def csrf_failed(scope: Scope, send: Send, _why: object) -> None:
        lang = request_lang(scope)
        await _send_page(
            send, 403, error_body(portal, lang, text.t("csrf_title", lang), text.t("csrf", lang))
        )

    with_csrf = asgi_csrf(
        with_session,
        signing_secret=accounts.secret(ledger, "csrf"),
        always_protect=_EveryPath(),  # also a POST without cookies (a forged cross-site form)
        cookie_secure=settings.secure_cookies,
        cookie_samesite="Lax",
        send_csrf_failed=csrf_failed,
    )
    return security_headers(portal, guard(portal, with_csrf))


__all__ = ["HTTPException", "Portal", "Req", "create_app", "safe_next"]
