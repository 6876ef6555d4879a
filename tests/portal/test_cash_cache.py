"""The cash book page's part below the period form is kept per page and viewer (central.portal.pagecache)
while the cash account up to the period's end is unchanged: a cash line in the period or before it shows
on the next view, and a member never gets the page made for the board."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from central import sample
from central.books import reports
from central.ledger import Ledger, schema
from central.portal import Settings, create_app
from central.portal.pagecache import VersionedCache
from central.portal.text import rp
from tests.portal.conftest import CHEAP, login, portal_config, set_password


@pytest.fixture
def held_back(tmp_path: Path) -> Iterator[tuple[Ledger, list[dict], str]]:
    """A week of sample data with one device's last cash sales held back: (ledger, held back, their day)."""
    data = sample.generate(seed=5, start=date(2026, 3, 1), end=date(2026, 3, 7), members=6, per_day=6)
    with Ledger.open(str(tmp_path / "ledger.sqlite")) as ledger:
        ledger.init(portal_config())
        sample.load_into(ledger, data)
        last = max(i for i, e in enumerate(data.envelopes) if e["kind"] == "sale" and e["payment"] == "cash")
        device = data.envelopes[last]["device"]
        held = [e for e in data.envelopes[last:] if e["device"] == device]
        ledger.ingest([e for e in data.envelopes if e not in held])
        with ledger.write() as conn:
            conn.execute(update(schema.members).values(role="anggota"))
            conn.execute(
                update(schema.members).where(schema.members.c.number == "A002").values(role="pengawas")
            )
        for number in ("A001", "A002"):
            set_password(ledger, number)
        yield ledger, held, data.envelopes[last]["at"][:10]


def _client(ledger: Ledger, member: str) -> TestClient:
    return login(TestClient(create_app(ledger, Settings(hasher=CHEAP)), base_url="http://testserver"), member)


def _totals(ledger: Ledger, lo: str, hi: str) -> dict[str, int]:
    return dict(reports.cashbook(ledger, reports.Period(lo, hi))[0].summary)


def test_the_kept_page_is_given_back_until_a_cash_line_arrives(
    held_back: tuple[Ledger, list[dict], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger, held, day = held_back
    client = _client(ledger, "A001")
    url = f"/cashbook?from=2026-03-01&to={day}"
    made: list[int] = []
    real = reports.cashbook_page
    monkeypatch.setattr(reports, "cashbook_page", lambda *a, **k: made.append(1) or real(*a, **k))
    before = _totals(ledger, "2026-03-01", day)
    first = client.get(url).text
    assert rp(before["closing_rp"], "id") in first and len(made) == 1
    assert client.get(url).text.count(rp(before["closing_rp"], "id")) == first.count(
        rp(before["closing_rp"], "id")
    )
    assert len(made) == 1  # kept
    assert client.get(url + "&page=2").status_code == 200 and len(made) > 1  # another page: its own part
    made.clear()
    ledger.ingest(held)
    after = _totals(ledger, "2026-03-01", day)
    assert after["closing_rp"] != before["closing_rp"]
    assert rp(after["closing_rp"], "id") in client.get(url).text
    assert len(made) == 1


def test_a_cash_line_before_the_period_moves_its_opening_at_once(
    held_back: tuple[Ledger, list[dict], str],
) -> None:
    ledger, held, _ = held_back
    client = _client(ledger, "A001")
    url = "/cashbook?from=2026-03-20&to=2026-03-31"  # after every line: the page is its opening alone
    before = _totals(ledger, "2026-03-20", "2026-03-31")["opening_rp"]
    assert rp(before, "id") in client.get(url).text
    ledger.ingest(held)
    after = _totals(ledger, "2026-03-20", "2026-03-31")["opening_rp"]
    assert after != before and rp(after, "id") in client.get(url).text


def test_a_member_never_gets_the_page_made_for_the_board(held_back: tuple[Ledger, list[dict], str]) -> None:
    ledger, _, day = held_back
    url = f"/cashbook?from=2026-03-01&to={day}"
    board = _client(ledger, "A002").get(url).text
    member = _client(ledger, "A001").get(url).text
    others = [n for n in ("A003", "A004", "A005", "A006") if n in board]
    assert others, "the supervisor's page names members"
    assert not any(f"· {n}<" in member or f"· {n} " in member for n in others)
    assert "anggota" in member


def test_the_cache_gives_back_only_what_was_made_from_the_same_version() -> None:
    cache: VersionedCache[str] = VersionedCache(size=2)
    cache.put("a", (1, 10, 0), "page a")
    assert cache.get("a", (1, 10, 0)) == "page a"
    assert cache.get("a", (2, 10, 0)) is None and cache.get("b", (1, 10, 0)) is None
    cache.put("b", 1, "b")
    cache.get("a", (1, 10, 0))  # a used last: b goes first
    cache.put("c", 1, "c")
    assert len(cache) == 2 and cache.get("b", 1) is None and cache.get("a", (1, 10, 0)) == "page a"
    off: VersionedCache[str] = VersionedCache(size=0)
    off.put("a", 1, "x")
    assert off.get("a", 1) is None
