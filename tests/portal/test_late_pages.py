"""A sale dated in a closed year that arrives late, in the portal: the office's list of late transactions
shows it with its own date and the day it was posted; the receipt check shows both; the cash book marks
its line with its own date; a member may not open the list."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from central import yearend
from central.ledger import schema
from central.portal.settings import Settings
from tests.central.helpers import Device
from tests.portal.conftest import CHEAP, STAFF_LOGIN, World, login, set_password


@pytest.fixture
def late(fresh: World) -> Iterator[tuple[World, dict]]:
    """The small March 2026 ledger with 2026 closed early and a member's sale of 31 December arriving now."""
    ledger = fresh.ledger
    set_password(ledger, STAFF_LOGIN, staff_role="staf")
    with ledger.write() as conn:
        conn.execute(
            update(schema.members)
            .where(schema.members.c.number == fresh.by_role["other"])
            .values(role="manajer")
        )
    yearend.close_year(ledger, 2026, by="manajer", early=True)
    sale = (
        Device("outpost-7")
        .register(ledger)
        .sale(qty=1, member=fresh.by_role["anggota"], at="2026-12-31T22:15:00+07:00")
    )
    assert not ledger.ingest([sale]).rejected
    yield World(ledger, {**fresh.by_role, "staf": STAFF_LOGIN}, Settings(hasher=CHEAP)), sale


def test_the_office_sees_the_late_sale_and_the_receipt_says_when_it_was_posted(
    late: tuple[World, dict],
) -> None:
    world, sale = late
    staff = login(world.client(), STAFF_LOGIN)
    page = staff.get("/late")
    assert page.status_code == 200 and "Transaksi terlambat" in page.text
    assert "2026-12-31 22:15" in page.text and "2027-01-01" in page.text and sale["id"] in page.text
    qr = f"KOP1|{sale['id']}|{base64.b32encode(base64.b64decode(sale['sig'])[:16]).decode().rstrip('=')}"
    member = login(world.client(), world.by_role["anggota"])
    receipt = member.get("/receipt", params={"qr": qr})
    assert receipt.status_code == 200 and "2026-12-31 22:15" in receipt.text
    assert "Dibukukan" in receipt.text and "2027-01-01" in receipt.text
    cash = member.get("/cashbook?from=2027-01-01&to=2027-01-01")
    assert "(tgl 2026-12-31)" in cash.text
    assert member.get("/late").status_code == 403
