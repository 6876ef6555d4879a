"""The member home page's figures are kept a few seconds per member (central.portal.homecache), and a
transaction of the member shows on the next view all the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from central import sample
from central.ledger import Ledger, schema
from central.portal import Settings, create_app
from central.portal.homecache import MemberCache
from tests.portal.conftest import CHEAP, login, portal_config, set_password


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def split(tmp_path: Path) -> Iterator[tuple[Ledger, str, list[dict]]]:
    """A week of sample data with the member's last transaction held back: (ledger, member, held back)."""
    data = sample.generate(seed=5, start=date(2026, 3, 1), end=date(2026, 3, 7), members=5, per_day=6)
    with Ledger.open(str(tmp_path / "ledger.sqlite")) as ledger:
        ledger.init(portal_config())
        sample.load_into(ledger, data)
        member = next(e["member"] for e in reversed(data.envelopes) if e["kind"] == "sale" and e["member"])
        last = max(i for i, e in enumerate(data.envelopes) if e["member"] == member and e["kind"] == "sale")
        device = data.envelopes[last]["device"]
        # the rest of that device's chain must follow the held-back envelope, so it is held back too
        held = [e for e in data.envelopes[last:] if e["device"] == device]
        ledger.ingest([e for e in data.envelopes if e not in held])
        with ledger.write() as conn:
            conn.execute(update(schema.members).values(role="anggota"))
        yield ledger, member, held


def test_the_figures_are_computed_once_until_the_member_moves_or_they_age(
    split: tuple[Ledger, str, list[dict]],
) -> None:
    ledger, member, held = split
    clock = Clock()
    cache: MemberCache[int] = MemberCache(ttl_s=10.0, clock=clock)
    computed: list[int] = []

    def compute() -> int:
        computed.append(1)
        return len(computed)

    assert cache.get(ledger, member, "2026-03-07", compute) == 1
    clock.now += 9.9
    assert cache.get(ledger, member, "2026-03-07", compute) == 1  # kept
    assert cache.get(ledger, member, "2026-03-08", compute) == 2  # a new day
    ledger.ingest(held)  # the member's sale arrives
    assert cache.get(ledger, member, "2026-03-08", compute) == 3
    clock.now += 10.0
    assert cache.get(ledger, member, "2026-03-08", compute) == 4  # aged
    cache.forget(member)
    assert cache.get(ledger, member, "2026-03-08", compute) == 5
    assert MemberCache(ttl_s=0).get(ledger, member, "x", compute) == 6  # 0: never kept


def test_the_cache_is_bounded(split: tuple[Ledger, str, list[dict]]) -> None:
    ledger, _, _ = split
    cache: MemberCache[str] = MemberCache(size=3)
    for n in range(10):
        cache.get(ledger, f"X{n}", "d", lambda n=n: str(n))
    assert len(cache._kept) == 3


def test_a_sale_shows_on_the_home_page_at_once(split: tuple[Ledger, str, list[dict]]) -> None:
    ledger, member, held = split
    set_password(ledger, member)
    client = login(
        TestClient(create_app(ledger, Settings(hasher=CHEAP)), base_url="http://testserver"), member
    )
    sale = next(e for e in held if e["member"] == member and e["kind"] == "sale")
    assert sale["id"] not in client.get("/home").text
    ledger.ingest(held)
    assert sale["id"] in client.get("/home").text
