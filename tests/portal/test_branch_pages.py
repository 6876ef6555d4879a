"""The branch pages: the board, supervisors and office compare a month per branch and consolidated (also
as CSV, the month kept in the URL); a member may not open it; the hand-ins page shows one branch's
devices only when a branch is chosen."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from central.ledger import schema
from central.portal.settings import Settings
from sync import envelope as wire
from tests.central.helpers import TOKO_COST, TOKO_PRICE, Device
from tests.portal.conftest import CHEAP, World, login, set_password


def _shop(world: World, name: str, branch: str) -> Device:
    dev = Device(name)
    world.ledger.devices_add(name, wire.public_key_text(dev.key.public_key()), "toko", branch)
    return dev


@pytest.fixture
def two(fresh: World) -> Iterator[World]:
    """bogor's toko-a1 sold 2 and handed in 1,000 short; depok's toko-b1 sold 1 and handed in exactly."""
    a1, b1 = _shop(fresh, "toko-a1", "bogor"), _shop(fresh, "toko-b1", "depok")
    envs = []
    for dev, qty, short in ((a1, 2, 1_000), (b1, 1, 0)):
        envs.append(dev.sale(member=None, qty=qty, at="2026-03-05T09:00:00+07:00"))
        expected = qty * TOKO_PRICE
        envs.append(
            dev.make(
                "handin",
                at="2026-03-05T15:00:00+07:00",
                clerk="k1",
                total=expected - short,
                expected_rp=expected,
                counted_rp=expected - short,
                **{"from": "2026-03-05T07:00:00+07:00", "to": "2026-03-05T15:00:00+07:00"},
            )
        )
    assert not fresh.ledger.ingest(envs).rejected
    board = fresh.by_role["other"]
    with fresh.ledger.write() as conn:
        conn.execute(update(schema.members).where(schema.members.c.number == board).values(role="pengurus"))
    set_password(fresh.ledger, board)
    yield World(fresh.ledger, {**fresh.by_role, "pengurus": board}, Settings(hasher=CHEAP))


def test_the_board_compares_the_branches_of_a_month(two: World) -> None:
    """Each branch's sales and margin, and the consolidated line summing them, on the page and in the CSV."""
    board: TestClient = login(two.client(), two.by_role["pengurus"])
    page = board.get("/branches?month=2026-03")
    assert page.status_code == 200 and "Perbandingan cabang" in page.text
    assert "bogor" in page.text and "depok" in page.text and "Jumlah (konsolidasi)" in page.text
    assert 'value="2026-03"' in page.text
    depok = board.get("/branches?month=2026-03&branch=depok")
    assert (
        '<option value="depok" selected>' in depok.text
        and "Penjualan dan laba kotor per unit: depok" in depok.text
    )
    got = board.get("/branches?month=2026-03&format=csv&sep=comma")
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    rows = {r["branch"]: r for r in csv.DictReader(io.StringIO(got.text.lstrip("\ufeff")))}
    assert int(rows["bogor"]["sales_rp"]) == 2 * TOKO_PRICE
    assert int(rows["bogor"]["margin_rp"]) == 2 * (TOKO_PRICE - TOKO_COST)
    assert int(rows["bogor"]["handin_difference_rp"]) == -1_000
    assert int(rows["depok"]["sales_rp"]) == TOKO_PRICE
    for column in ("sales_rp", "margin_rp", "handin_difference_rp", "devices"):  # the world's own shops too
        assert int(rows["*"][column]) == sum(int(r[column]) for b, r in rows.items() if b != "*")


def test_a_member_may_not_compare_the_branches(two: World) -> None:
    """The comparison is for the office, board and supervisors only."""
    member = login(two.client(), two.by_role["anggota"])
    assert member.get("/branches").status_code in (403, 404)


def test_the_handins_page_filters_by_branch(two: World) -> None:
    """With ?branch=depok only depok's device shows; without it both branches' hand-ins show."""
    board = login(two.client(), two.by_role["pengurus"])
    both = board.get("/handins?day=2026-03-05")
    assert "toko-a1" in both.text and "toko-b1" in both.text
    depok = board.get("/handins?day=2026-03-05&branch=depok")
    assert depok.status_code == 200 and "toko-b1" in depok.text and "toko-a1" not in depok.text
    assert '<option value="depok" selected>' in depok.text
    unknown = board.get("/handins?day=2026-03-05&branch=nowhere")
    assert "toko-a1" in unknown.text and "toko-b1" in unknown.text  # an unknown branch: all branches


def test_the_disputes_page_offers_the_branch_selector(two: World) -> None:
    """With two branches the disputes list has a branch selector; the chosen branch stays selected."""
    board = login(two.client(), two.by_role["pengurus"])
    page = board.get("/disputes?state=all&branch=bogor")
    assert page.status_code == 200 and '<option value="bogor" selected>' in page.text


def test_the_shrinkage_page_keeps_the_chosen_branch(two: World) -> None:
    """The stock shrinkage page offers the branch selector and keeps the branch in its download links."""
    board = login(two.client(), two.by_role["pengurus"])
    page = board.get("/stock/shrinkage?branch=depok")
    assert page.status_code == 200 and '<option value="depok" selected>' in page.text
    assert "branch=depok" in page.text
