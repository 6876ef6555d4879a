"""The loan pages: a member applies with the schedule shown first, the chair decides with the credit
history on one screen, the treasurer pays out once, the member sees the decision; every forbidden step is
refused with its reason and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from central import config, sample
from central.ledger import Ledger, schema
from central.loans import applications as apps
from central.office import identity
from central.portal import Settings, create_app
from tests.central.conftest import PRODUCT
from tests.portal.conftest import CHEAP, csrf, login, set_password

ROLES = {"anggota": None, "ketua": None, "bendahara": None, "pengawas": None}


@pytest.fixture
def coop(tmp_path: Path) -> Iterator[tuple[Ledger, dict[str, str]]]:
    """A ledger with a loan product, members in the roles the loan steps need, and the office set up."""
    path = tmp_path / "coop.sqlite"
    data = sample.generate(seed=5, start=date(2026, 3, 1), end=date(2026, 3, 5), members=8, per_day=5)
    raw = config.merge_over_defaults(config._default_raw(), {"loans": {"products": [PRODUCT]}})
    with Ledger.open(str(path)) as ledger:
        ledger.init(config.parse(raw))
        sample.load_into(ledger, data)
        ledger.ingest(data.envelopes)
        identity.init(ledger, identity.key_path(str(path)))
        who: dict[str, str] = {}
        with ledger.read() as conn:
            free = [
                m["number"]
                for m in ledger.members()
                if apps.loans_owed_rp(conn, m["number"], ledger.config.posting.loans) == 0
            ]
        for role, number in zip(ROLES, free, strict=False):
            with ledger.write() as conn:
                conn.execute(
                    update(schema.members).where(schema.members.c.number == number).values(role=role)
                )
            set_password(ledger, number)
            who[role] = number
        yield ledger, who


def _client(ledger: Ledger, number: str) -> TestClient:
    return login(TestClient(create_app(ledger, Settings(hasher=CHEAP))), number)


def _payouts(ledger: Ledger) -> int:
    t = schema.transactions
    with ledger.read() as conn:
        return int(conn.execute(select(func.count()).where(t.c.kind == "loan_disbursement")).scalar_one())


def test_apply_decide_pay_out_in_the_portal(coop: tuple[Ledger, dict[str, str]]) -> None:
    ledger, who = coop
    member = _client(ledger, who["anggota"])
    preview = member.get("/loans/apply", params={"product": "umum", "amount": "2400000", "term": "12"})
    assert preview.status_code == 200
    assert preview.text.count('class="num"') > 12 * 4 and "Rp 2.400.000" in preview.text
    sent = member.post(
        "/loans/apply",
        data={
            "csrftoken": csrf(member, "/loans/apply"),
            "product": "umum",
            "amount": "2400000",
            "term": "12",
            "purpose": "modal warung",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/loans"
    app = apps.listing(ledger, member=who["anggota"])[0]
    mine = member.get("/loans").text
    assert "menunggu keputusan ketua" in mine
    # the member cannot decide, nor see the queue, nor pay out
    assert member.get("/loans/queue").status_code == 403
    forged = member.post(
        f"/loans/applications/{app.id}/decide",
        data={"csrftoken": csrf(member, "/loans"), "decision": "approve", "reason": "saya"},
    )
    assert forged.status_code == 403 and apps.get(ledger, app.id).state == "submitted"
    # the treasurer (not a decider) gets the domain's reason, nothing changes
    treasurer = _client(ledger, who["bendahara"])
    refused = treasurer.post(
        f"/loans/applications/{app.id}/decide",
        data={"csrftoken": csrf(treasurer, "/loans/queue"), "decision": "approve", "reason": "ok"},
    )
    assert refused.status_code == 400 and "hanya ketua" in refused.text
    # the chair sees the queue and the credit history, grants less
    chair = _client(ledger, who["ketua"])
    queue = chair.get("/loans/queue").text
    assert f"/loans/applications/{app.id}" in queue
    page = chair.get(f"/loans/applications/{app.id}").text
    assert "Riwayat kredit anggota" in page and 'name="decision"' in page
    done = chair.post(
        f"/loans/applications/{app.id}/decide",
        data={
            "csrftoken": csrf(chair, "/loans/queue"),
            "decision": "approve",
            "reason": "usaha jalan",
            "amount": "2000000",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert apps.get(ledger, app.id).granted_rp == 2_000_000
    # paying out needs the number typed; then once only
    page = treasurer.get(f"/loans/applications/{app.id}").text
    assert "/disburse" in page
    token = csrf(treasurer, f"/loans/applications/{app.id}")
    before = _payouts(ledger)
    wrong = treasurer.post(
        f"/loans/applications/{app.id}/disburse", data={"csrftoken": token, "confirm": "x"}
    )
    assert wrong.status_code == 400 and _payouts(ledger) == before
    for _ in range(2):
        paid = treasurer.post(
            f"/loans/applications/{app.id}/disburse",
            data={"csrftoken": token, "confirm": str(app.id)},
            follow_redirects=False,
        )
        assert paid.status_code in (303, 400)
    assert _payouts(ledger) == before + 1 and apps.get(ledger, app.id).state == "disbursed"
    mine = member.get("/loans").text
    assert "usaha jalan" in mine and apps.loan_id(app.id) in mine
    aging = _client(ledger, who["pengawas"]).get("/loans/aging")
    assert aging.status_code == 200 and apps.loan_id(app.id) in aging.text


def test_a_refused_application_shows_the_reason_and_stores_nothing(
    coop: tuple[Ledger, dict[str, str]],
) -> None:
    ledger, who = coop
    member = _client(ledger, who["anggota"])
    too_big = member.get("/loans/apply", params={"product": "umum", "amount": "99000000", "term": "12"})
    assert too_big.status_code == 400 and "jumlah harus Rp 500.000 sampai Rp 20.000.000" in too_big.text
    bad = member.post(
        "/loans/apply",
        data={
            "csrftoken": csrf(member, "/loans/apply"),
            "product": "umum",
            "amount": "12,5",
            "term": "x",
            "purpose": "?",
        },
    )
    assert bad.status_code == 400 and "angka bulat" in bad.text
    assert apps.listing(ledger) == []
    assert member.get("/loans/applications/1").status_code == 403
    board = _client(ledger, who["pengawas"])
    assert board.get("/loans/applications/999").status_code == 404
    assert board.get("/loans/applications/abc").status_code == 404


def test_another_member_cannot_apply_for_someone_else(coop: tuple[Ledger, dict[str, str]]) -> None:
    """The member field is for the office; a member's form always applies for themself."""
    ledger, who = coop
    member = _client(ledger, who["anggota"])
    member.post(
        "/loans/apply",
        data={
            "csrftoken": csrf(member, "/loans/apply"),
            "member": who["ketua"],
            "product": "umum",
            "amount": "1000000",
            "term": "6",
            "purpose": "modal",
        },
    )
    made = apps.listing(ledger)
    assert [a.member for a in made] == [who["anggota"]]
    assert re.search(r"/loans/applications/\d+", member.get("/loans").text) is None


def test_a_written_off_loan_is_marked_for_the_member_and_the_chair(
    coop: tuple[Ledger, dict[str, str]],
) -> None:
    from datetime import datetime

    from central.office import adjusting, lending

    ledger, who = coop
    office = identity.load(ledger, identity.key_path(ledger.target))
    made = apps.apply(ledger, who["anggota"], "umum", 1_000_000, 6, "modal usaha", by=who["anggota"])
    apps.decide(ledger, made.id, approve=True, role="ketua", by=who["ketua"], reason="layak")
    loan = lending.disburse(
        ledger, office, made.id, by="bendahara", at=datetime(2025, 1, 10, 9, 0)
    ).application.loan
    assert loan is not None
    adjusting.write_off(
        ledger, office, loan, approved_by=who["ketua"], reason="macet sejak lama", by="bendahara"
    )
    page = _client(ledger, who["anggota"]).get("/loans").text
    assert "Dihapusbukukan" in page and loan in page
