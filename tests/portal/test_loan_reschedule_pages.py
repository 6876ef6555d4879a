"""The rescheduling pages without a browser: a member asks only for their own open loan (another loan is
404), the preview comes first, refusals carry the domain's reason and change nothing, only the deciders
decide, and the decision is audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from central import config, sample
from central.ledger import Ledger, schema
from central.loans import applications as apps
from central.loans import portfolio, rescheduling
from central.office import identity, lending
from central.portal import Settings, create_app
from central.portal.tables import portal_audit
from tests.central.conftest import PRODUCT
from tests.portal.conftest import CHEAP, csrf, login, set_password

ROLES = ("anggota", "other", "ketua", "bendahara")


@pytest.fixture
def coop(tmp_path: Path) -> Iterator[tuple[Ledger, dict[str, str], dict[str, str]]]:
    """A ledger with a loan paid out to a plain member and to another member, the chair and treasurer."""
    path = tmp_path / "coop.sqlite"
    data = sample.generate(seed=5, start=date(2026, 3, 1), end=date(2026, 3, 5), members=8, per_day=5)
    raw = config.merge_over_defaults(config._default_raw(), {"loans": {"products": [PRODUCT]}})
    with Ledger.open(str(path)) as ledger:
        ledger.init(config.parse(raw))
        sample.load_into(ledger, data)
        ledger.ingest(data.envelopes)
        office = identity.init(ledger, identity.key_path(str(path)))[0]
        with ledger.read() as conn:
            free = [
                m["number"]
                for m in ledger.members()
                if apps.loans_owed_rp(conn, m["number"], ledger.config.posting.loans) == 0
            ]
        who: dict[str, str] = {}
        for role, number in zip(ROLES, free, strict=False):
            with ledger.write() as conn:
                conn.execute(
                    update(schema.members)
                    .where(schema.members.c.number == number)
                    .values(role="anggota" if role == "other" else role)
                )
            set_password(ledger, number)
            who[role] = number
        loans: dict[str, str] = {}
        for role in ("anggota", "other"):
            made = apps.apply(ledger, who[role], "umum", 1_200_000, 6, "modal", by=who[role])
            apps.decide(ledger, made.id, approve=True, role="ketua", by=who["ketua"], reason="layak")
            loan = lending.disburse(ledger, office, made.id, by="bendahara").application.loan
            assert loan is not None
            loans[role] = loan
        yield ledger, who, loans


def _client(ledger: Ledger, number: str) -> TestClient:
    return login(TestClient(create_app(ledger, Settings(hasher=CHEAP))), number)


def _state(ledger: Ledger) -> tuple[object, ...]:
    with ledger.read() as conn:
        count = conn.execute(select(func.count()).select_from(schema.transactions)).scalar_one()
    return count, tuple(rescheduling.listing(ledger))


def test_a_member_asks_for_their_own_loan_with_the_new_schedule_shown_first(
    coop: tuple[Ledger, dict[str, str], dict[str, str]],
) -> None:
    """The member's loan page links to the form; the preview shows the new schedule; another member's
    loan is 404 on the form and on the post; bad terms are refused with the reason; the request lands."""
    ledger, who, loans = coop
    member = _client(ledger, who["anggota"])
    page = member.get("/loans")
    assert f"/loans/reschedule?loan={loans['anggota']}" in page.text
    form = member.get(f"/loans/reschedule?loan={loans['anggota']}")
    assert form.status_code == 200 and loans["other"] not in form.text
    assert member.get(f"/loans/reschedule?loan={loans['other']}&term=12").status_code == 404
    shown = member.get(f"/loans/reschedule?loan={loans['anggota']}&term=12&grace=2&preview=1")
    assert shown.status_code == 200 and "Jadwal baru jika disetujui" in shown.text
    assert shown.text.count("<tr") >= 12
    before = _state(ledger)
    token = csrf(member, "/loans/reschedule")
    bad = member.post(
        "/loans/reschedule",
        data={"csrftoken": token, "loan": loans["anggota"], "term": "6", "grace": "6", "reason": "sakit"},
    )
    assert bad.status_code == 400 and "masa tenggang harus 0 sampai 5 bulan" in bad.text
    other = member.post(
        "/loans/reschedule",
        data={"csrftoken": token, "loan": loans["other"], "term": "12", "reason": "bukan punya"},
    )
    assert other.status_code == 404
    assert _state(ledger) == before
    done = member.post(
        "/loans/reschedule",
        data={"csrftoken": token, "loan": loans["anggota"], "term": "12", "grace": "2", "reason": "sakit"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/loans"
    asked = rescheduling.listing(ledger, loan=loans["anggota"])
    assert [(r.state, r.requested_by, r.term_months, r.grace_months) for r in asked] == [
        ("submitted", who["anggota"], 12, 2)
    ]
    assert "menunggu keputusan ketua" in member.get("/loans").text


def test_only_the_deciders_decide_once_and_the_decision_is_audited(
    coop: tuple[Ledger, dict[str, str], dict[str, str]],
) -> None:
    """A member's post is 403 by the matrix; the treasurer (board, not a decider) gets the reason; the
    chair approves once (a second decision is refused); the audit log and the card show it."""
    ledger, who, loans = coop
    asked = rescheduling.request(
        ledger, loans["anggota"], term_months=9, reason="gagal panen", by=who["anggota"]
    )
    member = _client(ledger, who["anggota"])
    token = csrf(member, "/loans")
    data = {"csrftoken": token, "request": str(asked.id), "decision": "approve", "reason": "boleh"}
    before = _state(ledger)
    assert member.post("/loans/reschedules/decide", data=data).status_code == 403
    treasurer = _client(ledger, who["bendahara"])
    data["csrftoken"] = csrf(treasurer, "/loans/reschedules")
    refused = treasurer.post("/loans/reschedules/decide", data=data)
    assert refused.status_code == 400 and "hanya ketua" in refused.text
    assert _state(ledger) == before
    chair = _client(ledger, who["ketua"])
    listing = chair.get("/loans/reschedules")
    assert f'id="request-{asked.id}"' in listing.text and "Jadwal baru jika disetujui" in listing.text
    data["csrftoken"] = csrf(chair, "/loans/reschedules")
    done = chair.post("/loans/reschedules/decide", data=data, follow_redirects=False)
    assert done.status_code == 303
    assert rescheduling.get(ledger, asked.id).state == "approved"
    again = chair.post("/loans/reschedules/decide", data={**data, "decision": "reject"})
    assert again.status_code == 400 and "sudah diputus sebelumnya" in again.text
    with ledger.read() as conn:
        actions = list(conn.execute(select(portal_audit.c.action).order_by(portal_audit.c.id)).scalars())
    assert "loan_reschedule_approve" in actions
    today = portfolio.cards(ledger, datetime.now(ledger.config.tz).date(), loan=loans["anggota"])[0]
    assert today.rescheduled_on is not None and len(today.state.lines) == 9
    assert "Dijadwal ulang sejak" in member.get("/loans").text
