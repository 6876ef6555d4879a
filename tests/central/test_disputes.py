"""Dispute cases: the rules (a case is decided at most once, only by the supervisor or manager, a rejection
needs a reason, the report's tallies add up), and on a real ledger a credit sale with points disputed at the
kiosk, accepted (the sale voided on the office chain: points, store credit and stock come back), another
rejected (the books unchanged), a dispute of a sale voided already, a retry after a crash, and the command
line over the same."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from central import sample
from central.cli.app import main
from central.disputes import rules, store
from central.disputes.errors import DecisionRefused, DisputeError, UnknownCase
from central.disputes.rules import Case
from central.ledger import Ledger, schema
from central.members.rows import ROLES, MemberRow
from central.office import entries, identity, record
from central.office.identity import Office
from central.stock import onhand
from central.yearend import member_points
from tests.central.helpers import TOKO_COST, TOKO_SKU, Device, snapshot, unbalanced_entries

# -- the rules ----------------------------------------------------------------------------------------

OPEN = Case(
    id="d1",
    at="2026-03-05T10:00:00+07:00",
    day="2026-03-05",
    member="A001",
    words="bukan saya",
    recorded_by="toko-01",
    sale="s1",
    sale_device="toko-01",
    sale_clerk="k1",
    sale_total_rp=50_000,
)

attempts = st.lists(
    st.tuples(
        st.sampled_from(rules.DECISIONS),
        st.sampled_from((*ROLES, "")),
        st.sampled_from(("", "x", "bukan belanja anggota", "  dua  kata ", "a" * 201)),
    ),
    max_size=8,
)


@given(attempts)
def test_a_case_is_decided_at_most_once(tries: list[tuple[str, str, str]]) -> None:
    """Whatever decisions are tried in whatever order, the first one allowed decides the case and every
    later one is refused, leaving it as the first left it."""
    case = OPEN
    first: Case | None = None
    for n, (decision, role, reason) in enumerate(tries):
        try:
            case = rules.decide(
                case, decision, by="budi", role=role, reason=reason, ts=1000 + n, void_tx="v1"
            )
        except DecisionRefused:
            assert case == (first or OPEN)
            continue
        assert first is None, "decided twice"
        first = case
        assert role in rules.DECIDERS
        assert case.state == ("accepted" if decision == "accept" else "rejected")
        assert case.decided_ts == 1000 + n and case.decided_by == "budi" and case.decided_role == role
    assert case == (first or OPEN)


@given(st.sampled_from(ROLES), st.sampled_from(rules.DECISIONS))
def test_only_the_supervisor_or_the_manager_decides(role: str, decision: str) -> None:
    """Every role but pengawas and manajer is refused, for either decision."""
    decide = lambda: rules.decide(  # noqa: E731
        OPEN, decision, by="x", role=role, reason="penjelasan", ts=1, void_tx="v1"
    )
    if role in ("pengawas", "manajer"):
        assert decide().decided
    else:
        with pytest.raises(DecisionRefused) as caught:
            decide()
        assert "pengawas" in caught.value.text("id") and "manajer" in caught.value.text("en")


def test_a_rejection_needs_a_reason_and_an_acceptance_a_void() -> None:
    """No reason, no rejection (in both languages); an acceptance names the void it stands on."""
    with pytest.raises(DecisionRefused) as caught:
        rules.decide(OPEN, "reject", by="x", role="pengawas", reason="  ", ts=1)
    assert "alasan" in caught.value.text("id") and "reason" in caught.value.text("en")
    with pytest.raises(DecisionRefused):
        rules.decide(OPEN, "accept", by="x", role="pengawas", reason="", ts=1)
    with pytest.raises(DecisionRefused):
        rules.decide(OPEN, "reject", by="x", role="pengawas", reason="ada\x07bel", ts=1)
    done = rules.decide(OPEN, "reject", by="x", role="manajer", reason=" sudah  dicek  CCTV ", ts=1)
    assert done.decision_reason == "sudah dicek CCTV" and done.void_tx is None


cases_st = st.lists(
    st.builds(
        lambda n, clerk, device, total, state: replace(
            OPEN, id=f"d{n}", sale_clerk=clerk, sale_device=device, sale_total_rp=total, state=state
        ),
        st.integers(0, 10_000),
        st.sampled_from((None, "k1", "k2", "k3")),
        st.sampled_from((None, "toko-01", "cafe-01")),
        st.one_of(st.none(), st.integers(0, 10**9)),
        st.sampled_from(rules.STATES),
    ),
    max_size=30,
)


@given(cases_st)
def test_the_report_adds_up(found: list[Case]) -> None:
    """By clerk and by device, every case is counted once: the groups sum to the same total, and within
    each group open + accepted + rejected is the count and their amounts the amount."""
    clerks = rules.tally(found, rules.by_clerk)
    devices = rules.tally(found, rules.by_device)
    total = rules.total(clerks)
    assert total == rules.total(devices)
    assert total.count == len(found) and total.amount_rp == sum(c.amount_rp for c in found)
    assert total.accepted == sum(c.state == "accepted" for c in found)
    for t in (*clerks, *devices):
        assert t.open + t.accepted + t.rejected == t.count
        assert t.open_rp + t.accepted_rp + t.rejected_rp == t.amount_rp
    assert [t.count for t in clerks] == sorted((t.count for t in clerks), reverse=True)


# -- a real ledger -------------------------------------------------------------------------------------


@dataclass
class Shop:
    ledger: Ledger
    office: Office
    key: Path
    kiosk: Device

    def sync(self, *envs: dict[str, Any]) -> None:
        report = self.ledger.ingest(list(envs), require_signature=True)
        assert report.rejected == [], report.rejected

    def credit_sale(self, qty: int = 3, member: str = "A001") -> dict[str, Any]:
        sale = self.kiosk.sale(qty=qty, member=member, payment="credit", clerk="k1")
        self.sync(sale)
        return sale

    def dispute(self, sale: dict[str, Any], words: str = "kartu saya dipinjam orang") -> str:
        env = self.kiosk.make("dispute", member=sale["member"], ref=sale["id"], reason=words)
        self.sync(env)
        return str(env["id"])


@pytest.fixture
def shop(ledger: Ledger, tmp_path: Path) -> Iterator[Shop]:
    """A ledger with two members, the sample toko product bought in (50 on hand), the office, and a kiosk."""
    ledger.import_members(
        [
            MemberRow("A001", "Siti", "2020-01-01", None, None, None, "anggota", 2_000_000),
            MemberRow("A002", "Budi", "2020-01-01", None, None, None, "pengawas", 2_000_000),
        ]
    )
    ledger.import_products([p for p in sample.sample_products() if p.sku == TOKO_SKU])
    key = tmp_path / "office.key"
    office = identity.init(ledger, key)[0]
    at = datetime(2026, 3, 1, 8, 0, tzinfo=ledger.config.tz)
    record.record(
        ledger, office, entries.purchase("toko", [entries.PurchaseLine(TOKO_SKU, 50, TOKO_COST)]), at=at
    )
    yield Shop(ledger, office, key, Device("toko-01").register(ledger))


def _receivable(ledger: Ledger, member: str) -> int:
    j = schema.journal
    with ledger.read() as conn:
        debit, credit = conn.execute(
            select(func.coalesce(func.sum(j.c.debit_rp), 0), func.coalesce(func.sum(j.c.credit_rp), 0)).where(
                j.c.member == member, j.c.account == ledger.config.posting.receivable
            )
        ).one()
    return int(debit) - int(credit)


def _figures(ledger: Ledger) -> tuple[object, int, int]:
    """(A001's points of 2026, A001's store credit owed, toko stock on hand of the product)."""
    points = member_points(ledger, "A001", 2026).total
    return points, _receivable(ledger, "A001"), onhand.current(ledger)[("toko", TOKO_SKU)]


def _voids(ledger: Ledger) -> list[tuple[str, str, str | None, str]]:
    t = schema.transactions
    with ledger.read() as conn:
        return [
            tuple(r)
            for r in conn.execute(select(t.c.id, t.c.ref, t.c.note, t.c.device).where(t.c.kind == "void"))
        ]  # type: ignore[misc]


def test_an_accepted_dispute_voids_the_sale_and_points_credit_and_stock_return(shop: Shop) -> None:
    """A credit sale with points, disputed at the kiosk and accepted by the supervisor: a void on the office
    chain noted with the case, and the member's points, store credit and the shop's stock as before the
    sale; the books balance; the case is accepted with its trail and is not decided again."""
    ledger = shop.ledger
    before = _figures(ledger)
    sale = shop.credit_sale(qty=3)
    after_sale = _figures(ledger)
    assert after_sale[0] > before[0] and after_sale[1] == before[1] + sale["total"] > 0
    assert after_sale[2] == before[2] - 3_000  # thousandths of the unit
    case_id = shop.dispute(sale)

    opened = store.get(ledger, case_id)
    assert (
        opened.state == "open" and opened.sale == sale["id"] and opened.words == "kartu saya dipinjam orang"
    )
    assert (opened.sale_device, opened.sale_clerk, opened.amount_rp) == ("toko-01", "k1", sale["total"])
    assert store.get(ledger, sale["id"]) == opened  # named by the disputed sale too

    done = store.accept(ledger, shop.office, case_id, by="budi", role="pengawas", reason="CCTV: bukan dia")
    assert done.posted and done.case.state == "accepted" and done.case.decided_by == "budi"
    voids = _voids(ledger)
    assert voids == [(done.case.void_tx, sale["id"], rules.note(case_id), shop.office.device)]
    assert _figures(ledger) == before
    assert unbalanced_entries(ledger) == []
    assert [e.action for e in store.trail(ledger, done.case)] == ["open", "accept"]

    for again in (
        lambda: store.accept(ledger, shop.office, case_id, by="ani", role="manajer"),
        lambda: store.reject(ledger, case_id, by="ani", role="manajer", reason="berubah pikiran"),
    ):
        with pytest.raises(DecisionRefused) as caught:
            again()
        assert "diterima" in caught.value.text("id") and "accepted" in caught.value.text("en")
    assert len(_voids(ledger)) == 1


def test_a_rejected_dispute_leaves_the_books_as_they_were(shop: Shop) -> None:
    """Rejecting needs a reason, changes nothing in the books and keeps the reason for the member."""
    ledger = shop.ledger
    case_id = shop.dispute(shop.credit_sale(qty=2))
    books = snapshot(ledger)
    figures = _figures(ledger)
    with pytest.raises(DecisionRefused):
        store.reject(ledger, case_id, by="budi", role="pengawas", reason="")
    with pytest.raises(DecisionRefused):
        store.reject(ledger, case_id, by="sari", role="kasir", reason="saya yang jual")
    done = store.reject(ledger, case_id, by="budi", role="manajer", reason="struk ditandatangani anggota")
    assert done.case.state == "rejected" and done.case.decision_reason == "struk ditandatangani anggota"
    assert snapshot(ledger) == books and _figures(ledger) == figures and _voids(ledger) == []
    assert store.cases(ledger, state="open") == [] and [
        c.id for c in store.cases(ledger, state="decided")
    ] == [case_id]


def test_a_dispute_of_a_sale_voided_already_is_accepted_on_that_void(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    """The clerk voided the sale before the supervisor looked: the case says so, and accepting it says so
    again and voids nothing more."""
    ledger = shop.ledger
    sale = shop.credit_sale()
    case_id = shop.dispute(sale)
    void = shop.kiosk.void(sale)
    shop.sync(void)
    assert store.get(ledger, case_id).sale_void == void["id"]
    db = ["--db", ledger.target, "--lang", "en", "disputes"]
    assert main([*db, "show", case_id]) == 0
    assert f"This sale is voided already ({void['id']})" in capsys.readouterr().out
    assert main([*db, "accept", case_id, "--role", "manajer", "--office-key", str(shop.key)]) == 0
    assert f"was voided already ({void['id']}); nothing was voided again" in capsys.readouterr().out
    done = store.get(ledger, case_id)
    assert done.state == "accepted" and done.void_tx == void["id"] and not done.void_posted
    assert len(_voids(ledger)) == 1


def test_a_retry_after_a_crash_finds_its_void(shop: Shop) -> None:
    """The void was posted but the decision not recorded (a crash): accepting again posts nothing more."""
    ledger = shop.ledger
    sale = shop.credit_sale()
    case_id = shop.dispute(sale)
    body = record.void_body(ledger, sale["id"], rules.void_reason(""))
    body["note"] = rules.note(case_id)
    record.record(ledger, shop.office, body, by="budi")
    done = store.accept(ledger, shop.office, case_id, by="budi", role="pengawas")
    assert done.posted and len(_voids(ledger)) == 1


def test_refusals_leave_the_case_open(shop: Shop) -> None:
    """An unknown case, a clerk, a missing office key: each refused in both languages, nothing done."""
    ledger = shop.ledger
    case_id = shop.dispute(shop.credit_sale())
    with pytest.raises(UnknownCase) as caught:
        store.get(ledger, "tidak-ada")
    assert "tidak ada sanggahan" in caught.value.text("id") and "no dispute case" in caught.value.text("en")
    with pytest.raises(DecisionRefused):
        store.accept(ledger, shop.office, case_id, by="sari", role="kasir")
    with pytest.raises(DisputeError) as no_key:
        store.accept(ledger, None, case_id, by="budi", role="pengawas")
    assert "kunci kantor" in no_key.value.text("id")
    assert store.get(ledger, case_id).state == "open" and _voids(ledger) == []


def test_the_report_by_clerk_and_device(shop: Shop) -> None:
    """Two disputes of clerk k1's sales, one accepted and one rejected: counted and summed per clerk and
    device."""
    ledger = shop.ledger
    first, second = shop.credit_sale(qty=1), shop.credit_sale(qty=2)
    a, b = shop.dispute(first), shop.dispute(second)
    store.accept(ledger, shop.office, a, by="budi", role="pengawas")
    store.reject(ledger, b, by="budi", role="pengawas", reason="sudah dicek")
    found = store.report(ledger)
    (clerk,) = found.clerks
    assert (clerk.key, clerk.count, clerk.accepted, clerk.rejected) == ("k1", 2, 1, 1)
    assert clerk.accepted_rp == first["total"] and clerk.rejected_rp == second["total"]
    assert found.devices[0].key == "toko-01" and found.total.amount_rp == first["total"] + second["total"]
    assert (
        store.cases(ledger, clerk="k2") == [] and len(store.cases(ledger, device="toko-01", unit="toko")) == 2
    )


# -- the command line ----------------------------------------------------------------------------------


def test_the_command_line(shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    """list, show, accept, reject and report; a bad case or a clerk's role exits 2 with the reason in the
    reader's language; `report disputes` still lists the disputes."""
    ledger = shop.ledger
    db = ["--db", ledger.target]
    sale = shop.credit_sale()
    case_id = shop.dispute(sale)
    other = shop.dispute(shop.credit_sale(qty=1), "saya tidak ke toko")

    assert main([*db, "disputes", "list", "--state", "open", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in listed} == {case_id, other} and {r["state"] for r in listed} == {"open"}
    assert main([*db, "disputes", "show", sale["id"]]) == 0
    shown = capsys.readouterr().out
    assert case_id in shown and "kartu saya dipinjam orang" in shown and "k1" in shown

    assert main([*db, "disputes", "show", "nope"]) == 2
    assert "tidak ada sanggahan" in capsys.readouterr().err
    assert main([*db, "--lang", "en", "disputes", "accept", case_id, "--role", "kasir"]) == 2
    assert "only pengawas or manajer" in capsys.readouterr().err

    key = ["--office-key", str(shop.key)]
    assert main([*db, "disputes", "accept", case_id, "--role", "pengawas", "--by", "budi", *key]) == 0
    assert "diterima" in capsys.readouterr().out
    assert main([*db, "disputes", "accept", case_id, "--role", "pengawas", *key]) == 2
    assert "sudah diterima" in capsys.readouterr().err
    assert main([*db, "disputes", "reject", other, "--role", "manajer", "--reason", "ada saksi"]) == 0
    assert "ada saksi" in capsys.readouterr().out

    assert main([*db, "disputes", "report", "--csv"]) == 0
    report = capsys.readouterr().out.splitlines()
    assert report[0].startswith("by,key,count") and any(line.startswith("clerk,k1,2,") for line in report)
    assert main([*db, "report", "disputes", "--json"]) == 0
    assert case_id in capsys.readouterr().out


def test_two_deciders_at_once_decide_once(shop: Shop) -> None:
    """An acceptance and a rejection sent at the same moment: one decides, the other is refused, and the
    books agree with the one that won (a void only if the acceptance won)."""
    from concurrent.futures import ThreadPoolExecutor

    ledger = shop.ledger
    case_id = shop.dispute(shop.credit_sale())
    steps = (
        lambda: store.accept(ledger, shop.office, case_id, by="budi", role="pengawas"),
        lambda: store.reject(ledger, case_id, by="ani", role="manajer", reason="saksi melihat dia"),
    )

    def attempt(step: Any) -> str:
        try:
            return str(step().case.state)
        except DecisionRefused:
            return "refused"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(attempt, steps))
    final = store.get(ledger, case_id)
    assert outcomes in (["accepted", "refused"], ["refused", "rejected"])
    assert final.state in outcomes
    assert len(_voids(ledger)) == (1 if final.state == "accepted" else 0)
    assert len(store.trail(ledger, final)) == 2
