"""What every page shares: the portal's context (ledger, settings, templates), one request as a page
sees it (``Req``), the reader's language, and safe local redirects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import Scope

from central.ledger import Ledger
from central.portal import access, homecache, pagecache, text
from central.portal.accounts import User
from central.portal.settings import MAX_FIELD, Settings

HERE: Final = Path(__file__).resolve().parent
LANG_COOKIE: Final = "lang"
CSRF_FIELD: Final = "csrftoken"  # asgi-csrf's form field
SESSION_COOKIE: Final = "kop_session"
LANG_MAX_AGE_S: Final = 365 * 24 * 3600
SAFE_NEXT: Final = re.compile(r"^/(?!/)[A-Za-z0-9/_.\-?=&%]{0,200}$")


@dataclass
class Portal:
    """What every page needs: the ledger, the settings and the template environment."""

    ledger: Ledger
    settings: Settings
    env: Environment = field(init=False)
    home: homecache.MemberCache[Any] = field(init=False)
    pages: pagecache.VersionedCache[Any] = field(init=False)

    def __post_init__(self) -> None:
        self.home = homecache.MemberCache(ttl_s=self.settings.home_cache_s)
        self.pages = pagecache.VersionedCache()
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(("html",)),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(rp=text.rp, role_name=text.role_name, coop=self.ledger.config.name)

    def html(self, name: str, lang: str, **context: Any) -> str:
        def tr(key: str, **values: object) -> str:
            return text.t(key, lang, **values)

        return self.env.get_template(name).render(t=tr, lang=lang, **context)


@dataclass
class Req:
    """One request as a page sees it: who asks, in which language, with which form or query values."""

    request: Request
    portal: Portal
    user: User | None
    lang: str
    form: dict[str, str]
    rule: access.Rule

    @property
    def ledger(self) -> Ledger:
        return self.portal.ledger

    @property
    def address(self) -> str:
        return self.request.client.host if self.request.client else "-"

    def query(self, key: str) -> str:
        return self.request.query_params.get(key, "")[:MAX_FIELD]

    def t(self, key: str, **values: object) -> str:
        return text.t(key, self.lang, **values)

    def render(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        flash = self.request.session.pop("flash", None)
        body = self.portal.html(
            name,
            self.lang,
            user=self.user,
            csrftoken=self.request.scope["csrftoken"](),
            path=self.request.url.path,
            query=self.request.url.query,
            flash=text.t(flash, self.lang) if flash in text.MESSAGES else None,
            rules=access.RULES,
            allowed=access.allowed,
            **context,
        )
        return HTMLResponse(body, status_code=status)


def safe_next(value: str | None, default: str = "/home") -> str:
    """A local path to go to after a login or a language switch; anything else (another site) is dropped."""
    return value if value and SAFE_NEXT.match(value) else default


def request_lang(scope: Scope) -> str:
    cookie = dict(scope.get("headers") or []).get(b"cookie", b"")
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie.decode("latin-1"))
    except Exception:
        return text.DEFAULT_LANG
    morsel = jar.get(LANG_COOKIE)
    return text.lang_or_default(morsel.value if morsel else None)


def not_found(req: Req) -> HTMLResponse:
    return req.render("message.html", 404, title=req.t("not_found_title"), message=req.t("not_found"))
