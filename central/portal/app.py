"""The portal as an ASGI application: routes built from the access matrix, sessions, CSRF and headers.

From the outside in: ``guard`` bounds and checks request bodies (so nothing below parses more than a form,
or bytes that are not UTF-8); ``security_headers`` adds CSP, frame, referrer, sniffing and caching headers
to every response; asgi-csrf (double-submit cookie, signed with itsdangerous) refuses any state-changing
request without the form's token; Starlette's ``SessionMiddleware`` keeps only a random session id in its
signed cookie; the routes, each wrapped by ``guarded`` with its row of ``access.MATRIX``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final
from urllib.parse import parse_qsl, quote, urlencode

from asgi_csrf import asgi_csrf
from python_multipart import FormParser
from python_multipart.multipart import parse_options_header
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

from central import images
from central.ledger import Ledger
from central.portal import (
    access,
    accounts,
    pages,
    pages_activity,
    pages_assets,
    pages_board,
    pages_branches,
    pages_disputes,
    pages_groups,
    pages_handins,
    pages_journal,
    pages_late,
    pages_loans,
    pages_log,
    pages_member,
    pages_notify,
    pages_office,
    pages_savings,
    pages_statements,
    pages_stock,
    text,
)
from central.portal.accounts import User
from central.portal.pages_office import MAX_UPLOAD, UPLOAD_SCOPE
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
# The only routes that take a file (multipart/form-data, one file), each with the most bytes its body may
# have; every other route takes a plain form of at most ``Settings.max_body``. A photo route allows a
# phone camera's photo (``central.images.MAX_BYTES``) and its form around it.
PHOTO_UPLOAD: Final = images.MAX_BYTES + 64 * 1024
UPLOAD_ROUTES: Final[Mapping[str, int]] = {
    "members_import": MAX_UPLOAD,
    "journal_new": PHOTO_UPLOAD,
    "journal_photo_add": PHOTO_UPLOAD,
    "visit_new": PHOTO_UPLOAD,
    "visit_photo_add": PHOTO_UPLOAD,
    "asset_new": PHOTO_UPLOAD,
    "asset_photo_add": PHOTO_UPLOAD,
    "activity_new": PHOTO_UPLOAD,
}


Page = Callable[[Req], Response]


def _pages() -> dict[str, Page]:
    """Every page by its rule's name, from the page modules (a name defined twice is a programming error)."""
    found: dict[str, Page] = {}
    for module in (
        pages,
        pages_member,
        pages_board,
        pages_office,
        pages_loans,
        pages_log,
        pages_savings,
        pages_stock,
        pages_notify,
        pages_handins,
        pages_branches,
        pages_disputes,
        pages_journal,
        pages_late,
        pages_groups,
        pages_assets,
        pages_activity,
        pages_statements,
    ):
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


def unpack_upload(content_type: bytes, body: bytes) -> tuple[bytes, tuple[str, bytes] | None]:
    """A multipart body as the plain form the rest of the portal reads, and its one file (name, bytes).

    asgi-csrf's own multipart reading does not work with the python-multipart installed, and the pages
    read plain forms only: the fields are re-encoded as a urlencoded body (CSRF token included, checked
    as for any form), and the file travels beside it in the scope. Raises ``ValueError`` for a body that
    is not well-formed multipart, that holds more than one file, or whose fields are not UTF-8.
    """
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary", b"")
    if not boundary or len(boundary) > 70:
        raise ValueError("no multipart boundary")
    fields: list[tuple[str, str]] = []
    files: list[tuple[str, bytes]] = []
    ended: list[bool] = []

    def on_field(field: Any) -> None:
        name, value = field.field_name or b"", field.value or b""
        fields.append((name.decode("utf-8"), value.decode("utf-8")))

    def on_file(file: Any) -> None:
        name = (file.file_name or b"").decode("utf-8", "replace")
        file.file_object.seek(0)
        data = file.file_object.read()
        if name or data:  # a file input left empty sends an empty part without a name
            files.append((name, data))

    parser = FormParser(
        "multipart/form-data",
        on_field,
        on_file,
        on_end=lambda: ended.append(True),
        boundary=boundary,
        config={"MAX_MEMORY_FILE_SIZE": max(UPLOAD_ROUTES.values()) + 1},
    )
    try:
        parser.write(body)
        parser.finalize()
    except ValueError as err:  # FormParserError and UnicodeDecodeError are ValueErrors
        raise ValueError(str(err)) from err
    if not ended or len(files) > 1:
        raise ValueError("a truncated multipart body, or more than one file")
    return urlencode(fields).encode("ascii"), (files[0] if files else None)


def _path_pattern(path: str) -> re.Pattern[str]:
    """A rule's path as a pattern of the request paths it matches (``{name}``: one path segment)."""
    parts = re.split(r"(\{[^}]+\})", path)
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts))


def guard(portal: Portal, app: ASGIApp) -> ASGIApp:
    """Refuse, before anything parses it, a body that is too large, not a plain form, or not UTF-8.

    The routes of ``UPLOAD_ROUTES`` also take multipart/form-data up to their own size (one file): it
    reaches the CSRF check and the page as a plain form, with the file in the scope (``UPLOAD_SCOPE``).
    """
    limit = portal.settings.max_body
    upload_paths = [(_path_pattern(access.RULES[name].path), most) for name, most in UPLOAD_ROUTES.items()]

    async def guarded_app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await app(scope, receive, send)
            return
        # The portal's forms send their token in the body. asgi-csrf would let a Bearer Authorization
        # header skip the check, and fails on a non-ASCII token header: neither reaches it.
        headers = [(k, v) for k, v in scope.get("headers", []) if k not in (b"authorization", b"x-csrftoken")]
        scope = {**scope, "headers": headers}
        scope.pop(UPLOAD_SCOPE, None)  # only this guard puts a file there
        lang = request_lang(scope)
        found = dict(headers)
        content_type = found.get(b"content-type", b"")
        kind = content_type.split(b";", 1)[0].strip().lower()
        upload_limit = next((most for pattern, most in upload_paths if pattern.fullmatch(scope["path"])), 0)
        multipart = kind == b"multipart/form-data" and upload_limit > 0

        async def refuse(status: int) -> None:
            body = error_body(portal, lang, text.t("bad_request_title", lang), text.t("bad_request", lang))
            await _send_page(send, status, body)

        if kind not in (b"application/x-www-form-urlencoded", b"") and not multipart:
            await refuse(415)  # b"": an empty POST, no form at all
            return
        most = upload_limit if multipart else limit
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > most:
                if multipart:  # a photo or a file too large: say so, and how large it may be
                    mb = max(1, most // (1024 * 1024))
                    key = "upload_too_large" if most == PHOTO_UPLOAD else "upload_file_too_large"
                    title, why = text.t("bad_request_title", lang), text.t(key, lang, mb=mb)
                    await _send_page(send, 413, error_body(portal, lang, title, why))
                else:
                    await refuse(413)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if not kind and body:
            await refuse(415)
            return
        if multipart:
            try:
                body, upload = unpack_upload(content_type, body)
            except ValueError:
                await refuse(400)
                return
            scope[UPLOAD_SCOPE] = upload
            plain = (b"content-type", b"application/x-www-form-urlencoded")
            rest = [(k, v) for k, v in headers if k not in (b"content-type", b"content-length")]
            scope["headers"] = [*rest, plain, (b"content-length", str(len(body)).encode())]
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
    app.router.redirect_slashes = False  # "/members/" is not "/members": a URL not in the matrix is 404
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
