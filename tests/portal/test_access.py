"""The role-by-URL matrix, asserted for every route and every role (and nobody logged in), and the
member-scoped pages tried with another member's session (invariant 6)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from central.books.viewer import SEES_MEMBERS
from central.members.rows import ROLES
from central.portal import access
from tests.portal.conftest import World, csrf, login

ANONYMOUS = "anonymous"
WHO = (ANONYMOUS, *ROLES)


@pytest.fixture(scope="module")
def clients(world: World) -> Iterator[dict[str, TestClient]]:
    """One logged-in client per role, and one nobody is logged in to."""
    made = {ANONYMOUS: world.client()}
    for role in ROLES:
        made[role] = login(world.client(), world.by_role[role])
    yield made
    for client in made.values():
        client.close()


def _concrete(rule: access.Rule, world: World, role: str) -> str:
    """The rule's path with every parameter filled by something that exists (``World.sample``)."""
    url = rule.path
    for name in re.findall(r"{(\w+)}", rule.path):
        url = url.replace("{" + name + "}", world.sample(name, role))
    return url


def _expected(rule: access.Rule, role: str) -> str:
    if rule.allow == access.PUBLIC:
        return "open"
    if role == ANONYMOUS:
        return "login"
    return "open" if role in rule.allow else "forbidden"


@pytest.mark.parametrize("role", WHO)
@pytest.mark.parametrize("rule", access.MATRIX, ids=lambda r: r.name)
def test_matrix(rule: access.Rule, role: str, world: World, clients: dict[str, TestClient]) -> None:
    """Each route gives each role exactly what the matrix says: open, sent to log in, or 403."""
    client = clients[role]
    url = _concrete(rule, world, role)
    if rule.name == "lang":  # it sets a cookie: keep the shared clients in Indonesian
        client = world.client()
    if "GET" in rule.methods:
        response = client.get(url, follow_redirects=False)
    else:  # a write-only route (logout): with a valid token, on a throw-away session
        client = login(world.client(), world.by_role[role]) if role != ANONYMOUS else world.client()
        response = client.post(url, data={"csrftoken": csrf(client, "/login")}, follow_redirects=False)
    expected = _expected(rule, role)
    if expected == "login":
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?")
    elif expected == "forbidden":
        assert response.status_code == 403
        assert "Tidak boleh dibuka" in response.text
    elif "GET" in rule.methods:
        assert response.status_code in (200, 303)
        assert not response.headers.get("location", "").startswith("/login?login")
    else:  # allowed; a write with nothing filled in is refused as incomplete (or done if it needs nothing)
        assert response.status_code in (200, 303, 400)
        assert not response.headers.get("location", "").startswith("/login?login")


def test_every_rule_has_a_page() -> None:
    """No row of the matrix is left without its page (the app would silently leave the URL out)."""
    from central.portal.app import PAGES

    assert sorted(r.name for r in access.MATRIX if r.name not in PAGES) == []
    assert sorted(set(PAGES) - set(access.RULES)) == []


def test_every_route_is_in_the_matrix_and_others_are_not_found(clients: dict[str, TestClient]) -> None:
    """A URL that is not in the matrix does not exist, for anybody (default deny)."""
    for role in (ANONYMOUS, "ketua"):
        for path in ("/admin", "/members/", "/static/../app.py", "/reports", "/static/portal.py"):
            response = clients[role].get(path)
            assert response.status_code == 404, (role, path)


@pytest.mark.parametrize("role", [r for r in ROLES if r not in SEES_MEMBERS])
@pytest.mark.parametrize("rule", [r for r in access.MATRIX if r.own], ids=lambda r: r.name)
def test_another_members_page_is_not_found(
    rule: access.Rule, role: str, world: World, clients: dict[str, TestClient]
) -> None:
    """A member opening another member's page gets 404, and nothing of that member's data."""
    other = world.by_role["other"]
    other_name = world.ledger.member(other)["name"]
    response = clients[role].get(rule.path.replace("{" + rule.own + "}", other))  # type: ignore[operator]
    assert response.status_code == 404
    assert other_name not in response.text
    missing = clients[role].get(rule.path.replace("{" + rule.own + "}", "NOPE999"))  # type: ignore[operator]
    assert missing.status_code == 404
    # the same page as for a number that does not exist: nothing tells the two apart
    assert response.text.replace(other, "N") == missing.text.replace("NOPE999", "N")


@pytest.mark.parametrize("role", sorted(SEES_MEMBERS & set(ROLES)))
def test_board_and_office_read_any_members_statement(
    role: str, world: World, clients: dict[str, TestClient]
) -> None:
    """Board, supervisors, the manager and office staff read every member's statement."""
    other = world.by_role["other"]
    response = clients[role].get(f"/members/{other}")
    assert response.status_code == 200
    assert other in response.text


def test_cashbook_names_members_only_to_themselves_and_the_board(
    world: World, clients: dict[str, TestClient]
) -> None:
    """In the cash book an ordinary member sees only their own number; the board sees every number."""
    period = "/cashbook?from=2026-03-01&to=2026-03-31"
    numbers = {m["number"] for m in world.ledger.members()}
    member_page = clients["anggota"].get(period).text
    own = world.by_role["anggota"]
    assert not [n for n in numbers - {own} if f"· {n}</span>" in member_page]
    assert "· anggota</span>" in member_page
    board_page = clients["pengawas"].get(period + "&page=1").text
    assert [n for n in numbers if f"· {n}</span>" in board_page]


def test_home_shows_only_the_members_own_data(world: World, clients: dict[str, TestClient]) -> None:
    """The home page names the logged-in member and no other member."""
    page = clients["anggota"].get("/home").text
    own = world.by_role["anggota"]
    assert world.ledger.member(own)["name"] in page
    others = [m for m in world.ledger.members() if m["number"] != own]
    assert not [m for m in others if m["name"] in page]
