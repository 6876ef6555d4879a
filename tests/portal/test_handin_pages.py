"""The daily-deposit page: the board and office read a day's hand-ins reconciled with the ledger and the
shifts without a hand-in; the treasurer confirms the cash received (the difference booked once); a
member may not open it and a clerk may not confirm."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from central.handins import store
from central.ledger import schema
from central.office import identity
from central.portal.settings import Settings
from tests.central.helpers import TOKO_PRICE, Device, unbalanced_entries
from tests.portal.conftest import CHEAP, World, csrf, login, set_password


@pytest.fixture
def shop(fresh: World) -> Iterator[tuple[World, str]]:
    """The small ledger with a treasurer, the office, and a toko device whose clerk k1 sold 2 for cash and
    handed in 1,000 less; clerk k2 sold and handed nothing in."""
    ledger = fresh.ledger
    treasurer = fresh.by_role["other"]
    with ledger.write() as conn:
        conn.execute(
            update(schema.members).where(schema.members.c.number == treasurer).values(role="bendahara")
        )
    set_password(ledger, treasurer)
    key = identity.key_path(ledger.target)
    identity.init(ledger, key)
    dev = Device().register(ledger)
    sale = dev.sale(member=None, qty=2, clerk="k1", at="2026-03-05T09:00:00+07:00")
    other = dev.sale(member=None, qty=1, clerk="k2", at="2026-03-05T09:30:00+07:00")
    expected = 2 * TOKO_PRICE
    handin = dev.make(
        "handin",
        at="2026-03-05T15:00:00+07:00",
        clerk="k1",
        total=expected - 1_000,
        expected_rp=expected,
        counted_rp=expected - 1_000,
        **{"from": "2026-03-05T07:00:00+07:00", "to": "2026-03-05T15:00:00+07:00"},
    )
    assert not ledger.ingest([sale, other, handin]).rejected
    world = World(ledger, {**fresh.by_role, "bendahara": treasurer}, Settings(hasher=CHEAP, office_key=key))
    yield world, str(handin["id"])


def test_the_treasurer_confirms_a_handin_in_the_portal(shop: tuple[World, str]) -> None:
    world, tx = shop
    treasurer: TestClient = login(world.client(), world.by_role["bendahara"])
    page = treasurer.get("/handins?day=2026-03-05")
    assert page.status_code == 200 and "Setoran harian" in page.text and "k1" in page.text
    assert "Shift tanpa setoran" in page.text and "k2" in page.text  # k2's shift is missing
    token = csrf(treasurer, "/handins?day=2026-03-05")
    bad = treasurer.post("/handins/confirm", data={"csrftoken": token, "id": tx, "received_rp": "1.000"})
    assert bad.status_code == 400 and "rupiah bulat" in bad.text
    done = treasurer.post(
        "/handins/confirm",
        data={"csrftoken": token, "id": tx, "received_rp": str(2 * TOKO_PRICE - 1_000)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/handins?day=2026-03-05"
    handin = store.get(world.ledger, tx)
    assert handin.received_rp == 2 * TOKO_PRICE - 1_000 and handin.posted_tx is not None
    again = treasurer.post("/handins/confirm", data={"csrftoken": token, "id": tx, "received_rp": "5"})
    assert again.status_code == 400 and "sudah dikonfirmasi" in again.text
    assert unbalanced_entries(world.ledger) == []


def test_a_member_may_not_open_it(shop: tuple[World, str]) -> None:
    world, _ = shop
    member = login(world.client(), world.by_role["anggota"])
    assert member.get("/handins").status_code == 403


def test_the_board_shows_yesterdays_missing_handins(shop: tuple[World, str]) -> None:
    """k2 sold on 5 March and handed nothing in: the board of 6 March counts one missing shift."""
    world, _ = shop
    ketua = login(world.client(), world.by_role["bendahara"])
    page = ketua.get("/board?on=2026-03-06")
    assert page.status_code == 200
    assert 'id="bd-handins">1<' in page.text and "/handins?day=2026-03-05" in page.text
