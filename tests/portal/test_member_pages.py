"""A member's own pages: purchases, "not me" (a dispute on the office's chain), points per rule, and the
receipt check; only the member's own data, the same 404 for another member's sale as for none, a dispute
recorded once and moving no money, CSRF, and fuzzed input that never breaks a page nor the books."""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from starlette.testclient import TestClient

from central import config
from central.books import receipts
from central.cli.app import main
from central.ledger import Ledger, schema
from central.office import entries, identity
from central.office.record import record
from central.portal import Settings, accounts
from central.yearend import member_points, point_policy
from central.yearend.points import by_rule, format_points
from sync import envelope as wire
from tests.portal.conftest import World, csrf, login

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MARCH = "from=2026-03-01&to=2026-03-31"


@pytest.fixture(scope="module")
def member(world: World) -> Iterator[TestClient]:
    client = login(world.client(), world.by_role["anggota"])
    yield client
    client.close()


def _sales(world: World, number: str) -> list[receipts.Sale]:
    return list(receipts.member_sales(world.ledger, number, "2026-01-01", "2026-12-31", limit=10_000).sales)


def _open_sale(world: World, number: str, skip: int = 0) -> receipts.Sale:
    """One of the member's sales that is neither voided nor disputed."""
    return [s for s in _sales(world, number) if s.void is None and s.dispute is None][skip]


def _count(world: World, table: str, **where: str) -> int:
    t = {"journal": schema.journal, "transactions": schema.transactions}[table]
    query = select(func.count()).select_from(t)
    for column, value in where.items():
        query = query.where(t.c[column] == value)
    with world.ledger.read() as conn:
        return int(conn.execute(query).scalar_one())


def _disputes_of(world: World, sale: str) -> int:
    return _count(world, "transactions", kind="dispute", ref=sale)


# -- purchases ----------------------------------------------------------------------------------------


def test_purchases_list_the_members_own_sales_only(world: World, member: TestClient) -> None:
    """Every own sale of the period is listed (with its marks); no other member's sale appears."""
    own = world.by_role["anggota"]
    mine = _sales(world, own)
    assert mine
    ids: set[str] = set()
    page, pages = 1, 1
    while page <= pages:
        response = member.get(f"/purchases?{MARCH}&page={page}")
        assert response.status_code == 200
        assert len(response.content) < 100_000
        found = re.search(r"(\d+) dari (\d+)", response.text)
        pages = int(found.group(2)) if found else 1
        ids |= set(re.findall(r'<span class="muted small">([A-Za-z0-9_.:-]+)</span></td>', response.text))
        page += 1
    assert ids == {s.id for s in mine}
    others = {s.id for s in _sales(world, world.by_role["other"])}
    assert not ids & others
    text = member.get(f"/purchases?{MARCH}").text
    open_sale = _open_sale(world, own)
    if pages == 1:
        assert f"/purchases/{quote(open_sale.id)}/dispute" in text
    for sale in mine:  # a voided or disputed sale has no "not me" link
        if sale.void or sale.dispute:
            assert f"/purchases/{quote(sale.id)}/dispute" not in text


def test_a_staff_account_reads_a_clear_message(world: World) -> None:
    """Staff have no purchases, points nor disputes of their own: each page says so, for any sale id."""
    client = login(world.client(), world.by_role["staf"])
    other_sale = _sales(world, world.by_role["other"])[0].id
    for url in (
        "/purchases",
        "/points",
        f"/purchases/{quote(other_sale)}/dispute",
        "/purchases/NOPE-1/dispute",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Akun staf bukan anggota" in response.text
    assert other_sale not in client.get(f"/purchases/{quote(other_sale)}/dispute").text


# -- "not me" -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anggota", "pengawas", "ketua", "manajer"])
def test_another_members_sale_is_the_same_404_as_none(world: World, role: str) -> None:
    """For every role a sale that is not their own is 404, the same page as an id that does not exist;
    a POST to it records nothing."""
    client = login(world.client(), world.by_role[role])
    other = world.by_role["other"]
    sale = _open_sale(world, other)
    theirs = client.get(f"/purchases/{quote(sale.id)}/dispute")
    missing = client.get("/purchases/NOPE-1/dispute")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.text.replace(quote(sale.id, safe=""), "N").replace(sale.id, "N") == missing.text.replace(
        "NOPE-1", "N"
    )
    assert world.ledger.member(other)["name"] not in theirs.text
    token = csrf(client, "/purchases")
    posted = client.post(
        f"/purchases/{quote(sale.id)}/dispute", data={"csrftoken": token, "reason": "bukan saya sama sekali"}
    )
    assert posted.status_code == 404
    assert _disputes_of(world, sale.id) == 0


def test_a_dispute_is_recorded_once_on_the_office_chain(world: World, member: TestClient) -> None:
    """The form shows the sale; sending it records one dispute envelope on the office's chain (the journal
    does not move), writes the audit log, and a second attempt says it is already disputed."""
    own = world.by_role["anggota"]
    sale = _open_sale(world, own)
    url = f"/purchases/{quote(sale.id)}/dispute"
    page = member.get(url)
    assert page.status_code == 200
    assert sale.device in page.text and sale.unit in page.text and sale.lines[0].name in page.text
    journal = _count(world, "journal")
    office = identity.office_device(world.ledger)
    on_chain = _count(world, "transactions", device=str(office))
    token = csrf(member, url)
    sent = member.post(url, data={"csrftoken": token, "reason": "  Saya tidak\nke toko hari itu  "})
    assert sent.status_code == 200  # followed the redirect back to the sale
    assert "Sanggahan Anda tercatat" in sent.text
    assert "sudah Anda sanggah" in sent.text
    assert _disputes_of(world, sale.id) == 1
    assert _count(world, "journal") == journal  # a dispute moves no money
    assert _count(world, "transactions", device=str(office)) == on_chain + 1
    stored = receipts.sale(world.ledger, sale.id)
    assert stored is not None and stored.dispute is not None
    with world.ledger.read() as conn:
        row = conn.execute(
            select(schema.transactions).where(schema.transactions.c.id == stored.dispute)
        ).first()
    assert row is not None
    assert (row.kind, row.member, row.ref, row.total_rp, row.device, row.unit, row.signed) == (
        "dispute",
        own,
        sale.id,
        0,
        office,
        sale.unit,
        True,
    )
    assert row.reason == "Saya tidak ke toko hari itu"
    audit = [r for r in accounts.audit_rows(world.ledger, 50) if r["action"] == "dispute"]
    assert audit and audit[0]["target"] == sale.id and audit[0]["login"] == own
    again = member.post(url, data={"csrftoken": csrf(member, url), "reason": "sekali lagi bukan saya"})
    assert again.status_code == 200
    assert "sudah Anda sanggah" in again.text
    assert _disputes_of(world, sale.id) == 1
    listing = member.get(f"/purchases?{MARCH}").text
    assert "DISANGGAH" in listing and f"/purchases/{quote(sale.id)}/dispute" not in listing


def test_two_disputes_sent_at_once_are_recorded_once(world: World) -> None:
    """Two sessions of the member send "not me" for the same sale at the same moment: one dispute is
    recorded (the second is stopped under the office chain lock), both get a page, neither a 500."""
    own = world.by_role["anggota"]
    sale = _open_sale(world, own, skip=3)
    url = f"/purchases/{quote(sale.id)}/dispute"
    clients = [login(world.client(), own) for _ in range(2)]
    tokens = [csrf(c, url) for c in clients]
    start = threading.Barrier(2)
    statuses: list[int] = []

    def send(client: TestClient, token: str) -> None:
        start.wait()
        statuses.append(client.post(url, data={"csrftoken": token, "reason": "bukan saya"}).status_code)

    threads = [threading.Thread(target=send, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200, 200]
    assert _disputes_of(world, sale.id) == 1


def test_a_dispute_landing_after_the_page_was_read_stops_the_second(
    world: World, member: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race made certain: a dispute of the sale lands (the kiosk's, say) right after the page read the
    sale; the check under the office chain lock stops the portal's, and nothing is signed twice."""
    own = world.by_role["anggota"]
    sale = _open_sale(world, own, skip=5)
    url = f"/purchases/{quote(sale.id)}/dispute"
    token = csrf(member, url)
    office = identity.load(world.ledger, world.settings.office_key)  # type: ignore[arg-type]
    read = receipts.sale

    def read_then_someone_disputes(ledger: object, txid: str) -> receipts.Sale | None:
        found = read(world.ledger, txid)
        if found is not None and receipts.dispute_of(world.ledger, txid) is None:
            record(world.ledger, office, entries.dispute(own, txid, "dari kios", found.unit))
        return found

    monkeypatch.setattr(receipts, "sale", read_then_someone_disputes)
    on_chain = _count(world, "transactions", device=office.device)
    response = member.post(url, data={"csrftoken": token, "reason": "bukan saya"})
    assert response.status_code == 200 and "sudah Anda sanggah" in response.text
    assert _disputes_of(world, sale.id) == 1
    assert _count(world, "transactions", device=office.device) == on_chain + 1


def test_every_page_reads_in_english(world: World) -> None:
    client = login(world.client(), world.by_role["anggota"])
    client.cookies.set("lang", "en")
    sale = _open_sale(world, world.by_role["anggota"], skip=4)
    pages = {
        f"/purchases?{MARCH}": "My purchases",
        f"/purchases/{quote(sale.id)}/dispute": "Not me",
        "/points?year=2026": "My points in 2026",
        "/receipt?qr=hello": "NOT A RECEIPT CODE",
        "/home": "All my purchases",
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.text, url


def test_a_dispute_without_or_with_a_bad_token_is_refused(world: World, member: TestClient) -> None:
    own = world.by_role["anggota"]
    sale = _open_sale(world, own, skip=1)
    url = f"/purchases/{quote(sale.id)}/dispute"
    assert member.post(url, data={"reason": "bukan saya"}).status_code == 403
    assert member.post(url, data={"csrftoken": "bogus", "reason": "bukan saya"}).status_code == 403
    stranger = world.client()  # a forged cross-site form, without the member's token
    assert stranger.post(url, data={"reason": "bukan saya"}, follow_redirects=False).status_code == 403
    assert _disputes_of(world, sale.id) == 0


@pytest.mark.parametrize("reason", ["", "ab", "x" * 201, "bukan\x01saya", "   "])
def test_a_bad_reason_is_refused_with_what_to_write(world: World, member: TestClient, reason: str) -> None:
    sale = _open_sale(world, world.by_role["anggota"], skip=1)
    url = f"/purchases/{quote(sale.id)}/dispute"
    response = member.post(url, data={"csrftoken": csrf(member, url), "reason": reason})
    assert response.status_code == 400
    assert "alasan" in response.text.lower()
    assert _disputes_of(world, sale.id) == 0


def test_without_the_office_key_the_page_says_what_the_office_must_do(fresh: World) -> None:
    """A ledger whose office is not set up: the form is not offered, a POST records nothing, no 500."""
    client = login(fresh.client(), fresh.by_role["anggota"])
    sale = _open_sale(fresh, fresh.by_role["anggota"])
    url = f"/purchases/{quote(sale.id)}/dispute"
    page = client.get(url)
    assert page.status_code == 200
    assert "office init" in page.text and 'name="reason"' not in page.text
    posted = client.post(url, data={"csrftoken": csrf(client, url), "reason": "bukan saya"})
    assert posted.status_code == 503
    assert "office init" in posted.text
    assert _disputes_of(fresh, sale.id) == 0


def test_the_dispute_body_is_a_valid_envelope_body() -> None:
    body = entries.dispute("A001", "toko-01:7", "bukan saya", "toko")
    env = entries.envelope(
        body,
        ident="x-1",
        device="kantor",
        seq=1,
        prev=wire.GENESIS,
        at="2026-03-01T08:00:00+07:00",
        by="A001",
    )
    assert entries.checked(env)["total"] == 0


# -- fuzzing ------------------------------------------------------------------------------------------

text = st.text(max_size=60) | st.sampled_from(["2026-02-30", "9999", "0", "-1", "99999999999", "KOP1|x|y"])


@FUZZ
@given(
    path=st.sampled_from(["/purchases", "/points", "/receipt", "/purchases/{sale}/dispute"]),
    params=st.dictionaries(st.sampled_from(("from", "to", "page", "year", "qr")), text, max_size=4),
    segment=text,
)
def test_fuzzed_queries_never_break_a_page(
    world: World, member: TestClient, path: str, params: dict[str, str], segment: str
) -> None:
    journal = _count(world, "journal")
    url = path.replace("{sale}", quote(segment, safe="") or "x")
    response = member.get(url, params=params, follow_redirects=False)
    assert response.status_code in (200, 404), (url, params)
    assert _count(world, "journal") == journal


@FUZZ
@given(reason=text, segment=st.none() | text, token=st.booleans())
def test_fuzzed_dispute_forms_never_break_nor_move_money(
    world: World, member: TestClient, reason: str, segment: str | None, token: bool
) -> None:
    journal = _count(world, "journal")
    sale = _open_sale(world, world.by_role["anggota"], skip=2).id if segment is None else segment
    url = f"/purchases/{quote(sale, safe='') or 'x'}/dispute"
    data = {"reason": reason}
    if token:
        data["csrftoken"] = csrf(member, "/purchases")
    response = member.post(url, data=data, follow_redirects=False)
    assert response.status_code in (200, 303, 400, 403, 404), (url, reason)
    assert _count(world, "journal") == journal


# -- points -------------------------------------------------------------------------------------------


def test_points_per_rule_add_up_to_the_years_total(world: World, member: TestClient) -> None:
    """The page's rules, passive and bonus points are the year-end's own, and add up to its total."""
    own = world.by_role["anggota"]
    today = date.today()
    mine = member_points(world.ledger, own, today.year, today)
    rules = by_rule(point_policy(world.ledger.config), mine)
    assert rules
    assert sum((r.points for r in rules), mine.passive + mine.bonus) == mine.total
    assert [r.basis_rp for r in rules] == [basis for _, basis, _ in mine.earned]
    page = member.get("/points")
    assert page.status_code == 200
    assert format_points(mine.total) in page.text
    for r in rules:
        assert format_points(r.points) in page.text
    closed_year = member.get("/points?year=2025")
    assert closed_year.status_code == 200 and "2025" in closed_year.text
    assert "Tahun tidak valid" in member.get("/points?year=abc").text


def test_points_of_every_member_add_up(world: World) -> None:
    policy = point_policy(world.ledger.config)
    for number in {world.by_role["other"], world.by_role["ketua"], world.by_role["anggota"]}:
        mine = member_points(world.ledger, number, 2026)
        assert sum((r.points for r in by_rule(policy, mine)), mine.passive + mine.bonus) == mine.total


# -- the receipt check --------------------------------------------------------------------------------


def _qr(world: World, txid: str) -> str:
    with world.ledger.read() as conn:
        body = conn.execute(
            select(schema.transactions.c.body).where(schema.transactions.c.id == txid)
        ).scalar_one()
    raw = receipts.stored_signature(body)
    return f"KOP1|{txid}|{base64.b32encode(raw[:16]).decode().rstrip('=')}"


def test_a_real_receipt_is_valid_and_a_tampered_one_is_not(world: World, member: TestClient) -> None:
    own = world.by_role["anggota"]
    sale = _open_sale(world, own)
    qr = _qr(world, sale.id)
    page = member.get("/receipt", params={"qr": qr})
    assert page.status_code == 200
    assert "SAH" in page.text and "TIDAK SAH" not in page.text
    assert sale.id in page.text and own in page.text  # their own sale: their number is shown
    prefix, txid, sig = qr.split("|")
    tampered = f"{prefix}|{txid}|{('B' if sig[0] != 'B' else 'C') + sig[1:]}"
    bad = member.get("/receipt", params={"qr": tampered})
    assert bad.status_code == 200 and "TIDAK SAH" in bad.text
    assert "BUKAN KODE STRUK" in member.get("/receipt", params={"qr": "hello"}).text
    assert "BELUM ADA" in member.get("/receipt", params={"qr": "KOP1|toko-99:1|" + "A" * 26}).text


def test_another_members_receipt_hides_their_number_from_a_member(world: World, member: TestClient) -> None:
    other = world.by_role["other"]
    sale = _open_sale(world, other)
    page = member.get("/receipt", params={"qr": _qr(world, sale.id)})
    assert "SAH" in page.text and sale.id in page.text
    assert other not in page.text.replace(sale.id, "")
    supervisor = login(world.client(), world.by_role["pengawas"])
    assert other in supervisor.get("/receipt", params={"qr": _qr(world, sale.id)}).text


# -- home ---------------------------------------------------------------------------------------------


def test_home_links_to_points_and_purchases(member: TestClient) -> None:
    page = member.get("/home").text
    assert 'href="/points"' in page and 'href="/purchases"' in page
    for heading in ("Simpanan", "Pinjaman", "Kredit toko", "Poin tahun", "Perkiraan SHU", "Belanja Anda"):
        assert heading in page


# -- the command line ---------------------------------------------------------------------------------


def test_portal_serve_takes_the_office_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`central portal --office-key PATH` hands the key's path to the portal, which signs disputes with
    it; without the option the portal finds it as the office commands do."""
    import uvicorn

    import central.portal

    db = str(tmp_path / "coop.sqlite")
    with Ledger.open(db) as ledger:
        ledger.init(config.default())
    seen: list[Settings] = []
    real = central.portal.create_app

    def capture(ledger: Ledger, settings: Settings) -> object:
        seen.append(settings)
        return real(ledger, settings)

    monkeypatch.setattr(central.portal, "create_app", capture)
    monkeypatch.setattr(uvicorn, "run", lambda *_a, **_k: None)
    key = tmp_path / "elsewhere.key"
    assert main(["--db", db, "portal", "--office-key", str(key)]) == 0
    assert main(["--db", db, "portal"]) == 0
    assert [s.office_key for s in seen] == [key, None]
