"""Hostile input: every form and query parameter fuzzed with hypothesis; never a 500, never a change."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from starlette.testclient import TestClient

from central.ledger import schema
from central.portal import access
from tests.portal.conftest import World, csrf, login

QUERY_KEYS = ("from", "to", "on", "year", "page", "next", "expired", "login", "out")
FORM_KEYS = ("login", "password", "code", "confirm", "old", "next", "csrftoken")
GET_PATHS = [r.path for r in access.MATRIX if "GET" in r.methods]
POST_PATHS = sorted(access.WRITES - {"/logout"})
text = st.text(max_size=60) | st.sampled_from(
    ["2026-02-30", "9999-12-31", "0001-01-01", "-1", "99999999999", "A001"]
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def member(world: World) -> Iterator[TestClient]:
    """A logged-in ordinary member, whose session the fuzzing uses."""
    client = login(world.client(), world.by_role["anggota"])
    yield client
    client.close()


def _journal_size(world: World) -> int:
    with world.ledger.read() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.journal)).scalar_one())


@FUZZ
@given(
    path=st.sampled_from(GET_PATHS),
    params=st.dictionaries(st.sampled_from(QUERY_KEYS), text, max_size=4),
    segment=text,
)
def test_query_parameters_never_break_a_page(
    world: World, member: TestClient, path: str, params: dict[str, str], segment: str
) -> None:
    """Any query string and any path segment gives a page (or a redirect, 403, 404; the log's machine URLs
    a 400 naming the bad parameter), never a 500."""
    piece = quote(segment, safe="") or "x"  # as a browser sends it: percent-encoded
    url = re.sub(r"{\w+}", lambda _m: piece, path)
    response = member.get(url, params=params, follow_redirects=False)
    allowed = (200, 303, 307, 403, 404, 400) if url.startswith("/log/") else (200, 303, 307, 403, 404)
    assert response.status_code in allowed, (url, params)


@FUZZ
@given(path=st.sampled_from(POST_PATHS), form=st.dictionaries(st.sampled_from(FORM_KEYS), text, max_size=6))
def test_forms_never_break_and_never_touch_the_books(world: World, path: str, form: dict[str, str]) -> None:
    """Any form values (with a valid token or not) are refused or answered, never a 500; the books stay."""
    before = _journal_size(world)
    client = world.client()
    client.cookies.set("lang", quote(form.get("next", "id")[:5], safe=""))  # a forged language cookie
    data = {"csrftoken": csrf(client), **form} if "csrftoken" not in form else form
    url = re.sub(r"{(\w+)}", lambda m: world.sample(m.group(1), "anggota"), path)
    response = client.post(url, data=data, follow_redirects=False)
    assert response.status_code in (200, 303, 400, 401, 403, 413, 429), (path, form)
    assert _journal_size(world) == before


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"\xff\xfe=\x80", "application/x-www-form-urlencoded", 400),
        (b"a=" + b"x" * 20_000, "application/x-www-form-urlencoded", 413),
        (b"--b\r\n", "multipart/form-data", 415),
        (b"{}", "application/json", 415),
    ],
)
def test_raw_bodies_are_refused_before_parsing(
    world: World, body: bytes, content_type: str, status: int
) -> None:
    """Bytes that are not UTF-8, oversized forms and other content types get a clear refusal."""
    client = world.client()
    csrf(client)
    response = client.post("/login", content=body, headers={"content-type": content_type})
    assert response.status_code == status
    assert "<h1>" in response.text
