"""Accounts and sessions under attack: CSRF, brute force, expired and stolen sessions, resets, headers."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Connection, select, update
from starlette.testclient import TestClient

from central.ledger import schema
from central.portal import Settings, accounts, create_app
from central.portal.access import MATRIX, WRITES
from central.portal.errors import BadActivation, BadLogin
from central.portal.tables import portal_audit, portal_logins, portal_sessions
from tests.portal.conftest import CHEAP, PASSWORD, World, csrf, login

FORMS = {
    "/login": {"login": "X", "password": "y"},
    "/activate": {"login": "X", "code": "C", "password": "p" * 8, "confirm": "p" * 8},
    "/logout": {},
    "/password": {"old": PASSWORD, "password": "baru-sekali-1", "confirm": "baru-sekali-1"},
}


def _state(conn: Connection) -> tuple[object, ...]:
    """Logins, sessions and all the office's pages may change: members, products, devices, the books."""
    hashes = conn.execute(select(portal_logins.c.password_hash).order_by(portal_logins.c.login)).all()
    sessions = conn.execute(select(portal_sessions.c.id_hash).order_by(portal_sessions.c.id_hash)).all()
    books = [
        tuple(conn.execute(select(table).order_by(*table.primary_key.columns)).all())
        for table in (schema.members, schema.products, schema.devices, schema.transactions, schema.meta)
    ]
    return tuple(hashes), tuple(sessions), tuple(books)


def _concrete(path: str, world: World) -> str:
    for name in re.findall(r"{(\w+)}", path):
        path = path.replace("{" + name + "}", world.sample(name, "anggota"))
    return path


def test_every_write_route_is_covered_here() -> None:
    """The CSRF tests below post to every state-changing route of the matrix."""
    assert set(FORMS) <= set(WRITES)


@pytest.mark.parametrize("path", sorted(WRITES))
@pytest.mark.parametrize("token", ["missing", "wrong", "no-cookie"])
def test_a_write_without_a_valid_token_is_refused(path: str, token: str, fresh: World) -> None:
    """A state-changing request without the form's CSRF token is refused (403) and changes nothing."""
    client = login(fresh.client(), fresh.by_role["anggota"])
    data = dict(FORMS.get(path, {}))  # the office's forms: refused for the token before any field is read
    if token == "wrong":
        data["csrftoken"] = csrf(client, "/home") + "x"
    if token == "no-cookie":  # a cross-site form: the browser sends no cookie of ours at all
        data["csrftoken"] = csrf(client, "/home")
        client.cookies.clear()
    with fresh.ledger.read() as conn:
        before = _state(conn)
    response = client.post(_concrete(path, fresh), data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "Formulir kedaluwarsa" in response.text
    with fresh.ledger.read() as conn:
        assert _state(conn) == before


def test_the_tenth_wrong_password_in_a_minute_locks_and_says_so(fresh: World) -> None:
    """Nine wrong passwords are refused as wrong; the tenth locks the account, even for the right one."""
    client = fresh.client()
    number = fresh.by_role["anggota"]
    for _ in range(9):
        response = client.post(
            "/login", data={"csrftoken": csrf(client), "login": number, "password": "salah"}
        )
        assert response.status_code == 401
        assert "kata sandi salah" in response.text
    response = client.post("/login", data={"csrftoken": csrf(client), "login": number, "password": "salah"})
    assert response.status_code == 429
    assert "dikunci" in response.text
    response = client.post("/login", data={"csrftoken": csrf(client), "login": number, "password": PASSWORD})
    assert response.status_code == 429
    assert "/home" not in response.headers.get("location", "")


def test_one_address_guessing_many_accounts_is_locked(fresh: World) -> None:
    """Ten wrong passwords from one address, each for a different login, lock that address."""
    client = fresh.client()
    for i in range(10):
        response = client.post(
            "/login", data={"csrftoken": csrf(client), "login": f"B{i:03d}", "password": "x"}
        )
    assert response.status_code == 429
    response = client.post(
        "/login", data={"csrftoken": csrf(client), "login": fresh.by_role["other"], "password": PASSWORD}
    )
    assert response.status_code == 429


def test_an_idle_session_expires_with_a_clear_page(fresh: World) -> None:
    """A session unused for longer than the idle limit sends the member to log in, saying why."""
    client = login(fresh.client(), fresh.by_role["anggota"])
    with fresh.ledger.write() as conn:
        conn.execute(update(portal_sessions).values(seen_ts=portal_sessions.c.seen_ts - 31 * 60))
    response = client.get("/cashbook", follow_redirects=False)
    assert response.status_code == 303
    assert "expired=1" in response.headers["location"]
    page = client.get(response.headers["location"])
    assert "Sesi Anda sudah berakhir" in page.text


def test_logout_ends_the_session_on_the_server(fresh: World) -> None:
    """After logout a copy of the old cookie opens nothing."""
    client = login(fresh.client(), fresh.by_role["anggota"])
    stolen = dict(client.cookies)
    assert (
        client.post("/logout", data={"csrftoken": csrf(client, "/home")}, follow_redirects=False).status_code
        == 303
    )
    thief = fresh.client()
    thief.cookies.update(stolen)
    assert thief.get("/home", follow_redirects=False).status_code == 303
    with fresh.ledger.read() as conn:
        assert conn.execute(select(portal_sessions)).all() == []


def test_password_change_and_office_reset(fresh: World) -> None:
    """A changed password works and the old one not; an office reset stops both and every session."""
    number = fresh.by_role["anggota"]
    client = login(fresh.client(), number)
    form = {"old": PASSWORD, "password": "baru-sekali-1", "confirm": "baru-sekali-1"}
    response = client.post(
        "/password", data={"csrftoken": csrf(client, "/password"), **form}, follow_redirects=False
    )
    assert response.status_code == 303
    with pytest.raises(BadLogin):
        accounts.authenticate(fresh.ledger, CHEAP, number, PASSWORD, "10.0.0.1")
    assert accounts.authenticate(fresh.ledger, CHEAP, number, "baru-sekali-1", "10.0.0.1").member == number
    issued = accounts.issue_login(fresh.ledger, CHEAP, number, by="kantor")
    assert client.get("/home", follow_redirects=False).status_code == 303
    with pytest.raises(BadLogin):
        accounts.authenticate(fresh.ledger, CHEAP, number, "baru-sekali-1", "10.0.0.2")
    page = fresh.client()
    data = {"login": number.lower(), "code": issued.code.lower().replace("-", " "), "password": "lagi-baru-2"}
    response = page.post(
        "/activate",
        data={"csrftoken": csrf(page, "/activate"), **data, "confirm": "lagi-baru-2"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Kata sandi tersimpan" in page.get("/home").text
    again = page.post(
        "/activate", data={"csrftoken": csrf(page, "/activate"), **data, "confirm": "lagi-baru-2"}
    )
    assert again.status_code == 400  # a code works once


def test_an_expired_activation_code_is_refused(fresh: World) -> None:
    """A code past its expiry does not set a password."""
    number = fresh.by_role["other"]
    issued = accounts.issue_login(fresh.ledger, CHEAP, number, by="kantor", now=accounts.now_s() - 8 * 86_400)
    with pytest.raises(BadActivation):
        accounts.activate(
            fresh.ledger,
            CHEAP,
            number,
            issued.code,
            password="abcdefgh",
            confirm="abcdefgh",
            address="10.0.0.3",
        )


def test_old_hashes_are_upgraded_at_login(fresh: World) -> None:
    """When the argon2 parameters grow, the next login stores a hash with the new ones."""
    number = fresh.by_role["anggota"]
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    accounts.authenticate(fresh.ledger, stronger, number, PASSWORD, "10.0.0.4")
    with fresh.ledger.read() as conn:
        stored = conn.execute(
            select(portal_logins.c.password_hash).where(portal_logins.c.login == number)
        ).scalar()
    assert stored is not None and stored.startswith("$argon2id$") and not stronger.check_needs_rehash(stored)


def test_headers_and_cookie_flags(fresh: World) -> None:
    """Pages carry CSP, frame, referrer and sniffing headers; the session cookie is HttpOnly and Lax."""
    client = fresh.client()
    token = csrf(client)
    response = client.post(
        "/login",
        data={"csrftoken": token, "login": fresh.by_role["anggota"], "password": PASSWORD},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    page = client.get("/home")
    assert "script-src" not in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"
    assert "<script" not in page.text


def test_secure_setting_marks_every_cookie_secure(fresh: World) -> None:
    """Served over https, the session, CSRF and language cookies are Secure and HSTS is sent."""
    client = TestClient(
        create_app(fresh.ledger, Settings(hasher=CHEAP, secure_cookies=True)), base_url="https://t"
    )
    page = client.get("/login")
    assert "secure" in page.headers["set-cookie"].lower()
    assert page.headers["strict-transport-security"].startswith("max-age=")
    login(client, fresh.by_role["anggota"])
    assert all(c.secure for c in client.cookies.jar)
    assert "secure" in client.get("/lang/en?next=/home", follow_redirects=False).headers["set-cookie"].lower()


def test_writes_are_audited_with_who_and_where(fresh: World) -> None:
    """Login, logout and the office's reset each leave an audit line with who, when and from where."""
    number = fresh.by_role["anggota"]
    client = login(fresh.client(), number)
    client.post("/logout", data={"csrftoken": csrf(client, "/home")})
    accounts.issue_login(fresh.ledger, CHEAP, number, by="cli:kantor")
    with fresh.ledger.read() as conn:
        rows = conn.execute(select(portal_audit).order_by(portal_audit.c.id)).mappings().all()
    actions = [(r["login"], r["action"], r["address"]) for r in rows]
    assert (number, "login", "testclient") in actions
    assert (number, "logout", "testclient") in actions
    assert ("cli:kantor", "login_reset", "cli:kantor") in actions
    assert all(r["ts"] > 0 for r in rows)


def test_language_switch_and_no_open_redirect(fresh: World) -> None:
    """The language link sets a cookie and goes back to the page; it never sends anybody to another site."""
    client = fresh.client()
    response = client.get("/lang/en?next=/login", follow_redirects=False)
    assert response.headers["location"] == "/login"
    assert "Log in" in client.get("/login").text
    for evil in ("//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:alert(1)"):
        assert client.get(f"/lang/id?next={evil}", follow_redirects=False).headers["location"] == "/home"


def test_pages_stay_small(world: World) -> None:
    """Every page a member opens is well under 100 KB, the CSS included."""
    client = login(world.client(), world.by_role["pengawas"])
    for rule in MATRIX:
        if "GET" in rule.methods and "{" not in rule.path:
            assert len(client.get(rule.path).content) < 60_000, rule.path
    assert len(client.get("/cashbook?from=2026-03-01&to=2026-03-31").content) < 60_000
    assert len(client.get("/static/portal.css").content) < 8_000
