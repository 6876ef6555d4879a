"""The board's and supervisors' read pages: the board's phone view, members, quarantine, device chains,
disputes, devices and products. Every page for every role allowed, its figures cross-checked against the
books' and the command line's own functions, search and pagination, 404s, weight, both languages, and
fuzzed query strings."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from starlette.testclient import TestClient

from central import config, sample
from central.books import board as bd
from central.books import reports
from central.ledger import Ledger, quarantine, schema
from central.loans import portfolio
from central.messages import label
from central.office import entries, identity, record
from central.portal import Settings, access, pages_board, pages_disputes
from central.portal.text import rp
from tests.central.helpers import Device
from tests.portal.conftest import CHEAP, STAFF_LOGIN, World, login, set_password

PAGES = ("board", "members", "quarantine", "quarantine_item", "chains", "disputes", "devices", "products")
MAX_BYTES = 100_000
END = "2026-03-31"
DAY = 24 * 3600


def _text(response: object) -> str:
    """The page's text with tags dropped and entities decoded (what a reader sees, roughly)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", response.text))  # type: ignore[attr-defined]


def _url(rule: access.Rule, world: World) -> str:
    return re.sub(r"{(\w+)}", lambda m: world.sample(m.group(1), "ketua"), rule.path)


@pytest.fixture(scope="module")
def clients(world: World) -> Iterator[dict[str, TestClient]]:
    """One logged-in client for each role that may read the board's pages."""
    made = {role: login(world.client(), world.by_role[role]) for role in sorted(access.READERS)}
    yield made
    for client in made.values():
        client.close()


# -- every page, every allowed role ---------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_every_page_opens_for_each_allowed_role_and_is_light(
    name: str, world: World, clients: dict[str, TestClient]
) -> None:
    rule = access.RULES[name]
    for role, client in clients.items():
        response = client.get(_url(rule, world))
        if role in rule.allow:
            assert response.status_code == 200, (name, role)
            assert len(response.content) < MAX_BYTES, (name, role, len(response.content))
            assert 'lang="id"' in response.text
        else:
            assert response.status_code == 403, (name, role)


def test_ordinary_members_and_clerks_may_not_open_them(world: World) -> None:
    for role in ("anggota", "kasir", "kader"):
        client = login(world.client(), world.by_role[role])
        for name in PAGES:
            assert client.get(_url(access.RULES[name], world)).status_code == 403, (role, name)


# -- /board ---------------------------------------------------------------------------------------------


def test_board_shows_the_days_and_the_months_figures(world: World, clients: dict[str, TestClient]) -> None:
    ledger = world.ledger
    page = clients["ketua"].get(f"/board?on={END}")
    assert page.status_code == 200
    text = page.text
    on = date.fromisoformat(END)
    g = bd.glance(ledger, on, int(time.time()))
    # cash: the cash book's closing of that day, as /cashbook shows it
    closing = dict(reports.cashbook(ledger, reports.Period(END, END))[0].summary)["closing_rp"]
    assert g.cash_rp == closing and rp(closing, "id") in text
    cashbook = clients["ketua"].get(f"/cashbook?from={END}&to={END}").text
    assert rp(closing, "id") in cashbook
    # loans out: the aging list's outstanding principal
    aging = portfolio.aging(ledger, on)
    assert rp(aging.outstanding_rp, "id") in text
    assert g.loans_out_rp == aging.outstanding_rp > 0
    # sales: the month's and the day's, per unit
    assert rp(g.sales_month_rp, "id") in text and g.sales_month_rp > 0
    for s in g.sales:
        assert rp(s.month_rp, "id") in text
    assert sum(s.month_rp for s in g.sales) == g.sales_month_rp
    # savings deposits of the month
    assert rp(g.deposits_month_rp, "id") in text
    # counts: quarantine waiting, disputes this month, members in arrears, silent devices
    assert re.search(r'id="bd-quarantine">1<', text)
    disputes = reports.disputes(ledger, reports.Period("2026-03-01", END))[0].rows
    assert re.search(rf'id="bd-disputes">{len(disputes)}<', text) and disputes
    assert re.search(rf'id="bd-late">{len(g.late)}<', text)
    assert re.search(r'id="bd-silent">0<', text)
    # each figure one tap from its list
    for link in (
        f"/reports/income?from=2026-03-01&amp;to={END}",
        f"/cashbook?from={END}&amp;to={END}",
        f"/loans/aging?on={END}",
        "/quarantine?state=open",
        "/disputes",
        "/devices",
    ):
        assert f'href="{link}"' in text, link


def test_board_names_the_members_in_arrears_months_later(
    world: World, clients: dict[str, TestClient]
) -> None:
    """Three months after March the installments of March's loans are past due and unpaid."""
    on = date(2026, 6, 30)
    late = portfolio.members_in_arrears(portfolio.cards(world.ledger, on))
    assert late
    text = clients["pengawas"].get(f"/board?on={on}").text
    assert re.search(rf'id="bd-late">{len(late)}<', text)
    listed = bd.in_arrears(portfolio.cards(world.ledger, on))[: pages_board.LATE_LISTED]
    for x in listed:  # most days late first
        assert f'href="/members/{x.member}"' in text


def test_board_defaults_to_today_and_says_when_the_day_is_not_a_date(clients: dict[str, TestClient]) -> None:
    today = clients["ketua"].get("/board").text
    assert "Hari ini" in today
    bad = clients["ketua"].get("/board?on=2026-02-30")
    assert bad.status_code == 200 and "Tanggal tidak valid" in bad.text


def test_board_in_english(world: World) -> None:
    client = login(world.client(), world.by_role["bendahara"])
    client.cookies.set("lang", "en")
    page = client.get(f"/board?on={END}")
    assert 'lang="en"' in page.text and "Board view" in page.text and "Members in arrears" in page.text
    g = bd.glance(world.ledger, date.fromisoformat(END), int(time.time()))
    assert rp(g.cash_rp, "en") in page.text and "," in rp(g.loans_out_rp, "en")
    assert rp(g.loans_out_rp, "en") in page.text


# -- /members -------------------------------------------------------------------------------------------


def test_members_lists_each_member_with_role_and_credit(world: World, clients: dict[str, TestClient]) -> None:
    text = clients["sekretaris"].get("/members").text
    for m in world.ledger.members():
        assert f'href="/members/{m["number"]}"' in text
        assert m["name"] in html.unescape(text)
        assert rp(m["credit_used_rp"], "id") in text and rp(m["credit_limit_rp"], "id") in text
    assert "/members/new" not in text and "/edit" not in text  # the board reads; the office changes


def test_members_search_by_number_and_name(world: World, clients: dict[str, TestClient]) -> None:
    members = world.ledger.members()
    one = members[3]
    by_number = clients["ketua"].get("/members", params={"q": one["number"].lower()}).text
    assert f'href="/members/{one["number"]}"' in by_number
    assert not [m for m in members if m is not one and f'href="/members/{m["number"]}"' in by_number]
    word = one["name"].split()[-1]
    by_name = clients["ketua"].get("/members", params={"q": word.upper()}).text
    expected = [m for m in members if word.casefold() in m["name"].casefold()]
    assert {m["number"] for m in members if f'href="/members/{m["number"]}"' in by_name} == {
        m["number"] for m in expected
    }
    nothing = clients["ketua"].get("/members", params={"q": "zzz-nobody"}).text
    assert "Tidak ada anggota yang cocok" in nothing


def test_members_pages(world: World, clients: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages_board, "MEMBERS_PAGE", 6)
    members = world.ledger.members()
    seen: list[str] = []
    pages = -(-len(members) // 6)
    for page in range(1, pages + 1):
        text = clients["manajer"].get(f"/members?page={page}").text
        assert f"Halaman {page} dari {pages}" in text
        seen += [m["number"] for m in members if f'href="/members/{m["number"]}"' in text]
    assert seen == [m["number"] for m in members]
    past = clients["manajer"].get("/members?page=999").text
    assert f"Halaman {pages} dari {pages}" in past
    searched = clients["manajer"].get("/members?q=a0&page=1").text
    assert "q=a0&amp;page=2" in searched


def test_the_office_gets_the_edit_links(world: World, clients: dict[str, TestClient]) -> None:
    number = world.ledger.members()[0]["number"]
    for role in ("staf", "manajer"):
        text = clients[role].get("/members").text
        assert 'href="/members/new"' in text and 'href="/members/import"' in text
        assert f'href="/members/{number}/edit"' in text and ">Ubah<" in text


# -- /quarantine ------------------------------------------------------------------------------------------


def test_quarantine_lists_the_waiting_rows(world: World, clients: dict[str, TestClient]) -> None:
    entries_ = quarantine.list_entries(world.ledger, "open")
    text = clients["pengawas"].get("/quarantine").text
    for e in entries_:
        assert f'href="/quarantine/{e.qid}"' in text and e.reason in html.unescape(text)
    assert "/quarantine?state=all" in text
    assert "Tidak ada baris karantina" in clients["pengawas"].get("/quarantine?state=dismissed").text
    bad = clients["pengawas"].get("/quarantine?state=retried").text
    assert "tidak bisa dipakai" in bad and f'href="/quarantine/{entries_[0].qid}"' in bad


def test_quarantine_item_shows_reason_body_and_the_commands(
    world: World, clients: dict[str, TestClient]
) -> None:
    e = quarantine.list_entries(world.ledger)[0]
    shown = quarantine.show(world.ledger, e.qid)
    page = clients["ketua"].get(f"/quarantine/{e.qid}")
    assert page.status_code == 200
    text = page.text
    assert shown.reason in html.unescape(text)
    assert shown.body in html.unescape(text)
    assert f"python -m central quarantine retry {e.qid}" in text
    assert f"python -m central quarantine dismiss {e.qid} --reason" in text
    assert "Belum ada tindakan" in text


@pytest.mark.parametrize("item", ["999999", "0", "abc", "-1", "1.0", "1e3", "9" * 40, "%C2%B9", "%20"])
def test_a_bad_or_unknown_quarantine_item_is_not_found(item: str, clients: dict[str, TestClient]) -> None:
    response = clients["ketua"].get(f"/quarantine/{item}")
    assert response.status_code == 404
    assert "Tidak ditemukan" in response.text


# -- /chains, /disputes, /devices, /products on the sample ------------------------------------------------


def test_chains_show_the_command_lines_report(world: World, clients: dict[str, TestClient]) -> None:
    section = reports.chains(world.ledger, "id")[0]
    text = clients["manajer"].get("/chains").text
    for c in section.columns:
        assert label(c, "id") in html.unescape(text)
    for device, count, high, contiguous, *_rest in section.rows:
        assert re.search(
            rf">{device}</a></td><td class=\"num\">{count}</td><td class=\"num\">{high}</td>"
            rf"<td class=\"num\">{contiguous}</td>",
            text,
        ), device


def test_disputes_show_the_disputed_sale(world: World, clients: dict[str, TestClient]) -> None:
    listed = reports.disputes(world.ledger, reports.Period())[0].rows
    assert listed
    text = _text(clients["pengawas"].get("/disputes"))
    for day, tx, member, sale, total, _unit, reason in listed:
        assert tx in text and sale in text and member in text and reason in text and day in text
        assert rp(total, "id") in text
    rows = bd.disputes(world.ledger)
    for d in rows:
        assert f"{d.sale_day} · {d.sale_unit} · {d.sale_device}" in text


def test_devices_show_the_fleet(world: World, clients: dict[str, TestClient]) -> None:
    fleet = bd.fleet(world.ledger)
    tz = world.ledger.config.tz
    text = clients["ketua"].get("/devices").text
    assert [d for d in fleet if d.transactions]
    for d in fleet:
        assert f'id="d-{d.device}"' in text
        assert f"{d.contiguous_seq} / {d.last_seq}" in text
        if d.last_tx_ts is None:
            continue
        assert datetime.fromtimestamp(d.last_tx_ts, tz).strftime("%Y-%m-%d %H:%M") in text
    assert "python -m sync status" in text  # outbox and version: not reported to central
    assert "/revoke" not in text
    staff = clients["staf"].get("/devices").text
    assert f'href="/devices/{fleet[0].device}/revoke"' in staff and ">Cabut<" in staff


def test_products_per_unit_with_search_and_filter(world: World, clients: dict[str, TestClient]) -> None:
    catalog = world.ledger.products()
    text = clients["bendahara"].get("/products").text
    for p in catalog:
        assert p["name"] in html.unescape(text) and p["sku"] in text
        assert rp(p["price_rp"], "id") in text and rp(p["cost_rp"], "id") in text
    units = {p["unit"] for p in catalog}
    assert all(f"<h2>{u}</h2>" in text for u in units)
    assert "/products/new" not in text and "/edit" not in text
    toko = clients["bendahara"].get("/products?unit=toko").text
    assert [p for p in catalog if p["unit"] != "toko" and p["sku"] in toko] == []
    one = catalog[0]
    found = clients["bendahara"].get("/products", params={"q": one["sku"]}).text
    assert one["sku"] in found and "1 dari" in found
    staff = clients["staf"].get("/products").text
    assert f'href="/products/{one["sku"]}/edit"' in staff and 'href="/products/new"' in staff


def test_products_pages(
    world: World, clients: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages_board, "PRODUCTS_PAGE", 10)
    catalog = world.ledger.products()
    pages = -(-len(catalog) // 10)
    seen = set()
    for page in range(1, pages + 1):
        text = clients["ketua"].get(f"/products?page={page}").text
        assert f"Halaman {page} dari {pages}" in text
        seen |= {p["sku"] for p in catalog if p["sku"] in text}
    assert seen == {p["sku"] for p in catalog}
    assert "unit=toko&amp;page=2" in clients["ketua"].get("/products?unit=toko").text or pages == 1


@pytest.mark.parametrize("name", PAGES)
def test_every_page_in_english(name: str, world: World) -> None:
    client = login(world.client(), world.by_role["pengurus"])
    client.cookies.set("lang", "en")
    page = client.get(_url(access.RULES[name], world))
    assert page.status_code == 200 and 'lang="en"' in page.text
    assert "Ringkasan pengurus" not in page.text  # the menu and the page speak English
    titles = {
        "board": "Board view",
        "members": "Members",
        "quarantine": "Quarantine",
        "quarantine_item": "Quarantine row",
        "chains": "Device chains",
        "disputes": "Members' disputes",
        "devices": "Devices",
        "products": "Products",
    }
    assert re.search(rf"<h1>{re.escape(titles[name])}", html.unescape(page.text))


# -- a ledger of our own: the office's dispute, a revoked and a silent device, gaps, settled rows ----------


@pytest.fixture(scope="module")
def extra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, dict[str, object]]]:
    """A small ledger where the office recorded a dispute, a device was revoked, one never synced (added
    three days ago), one left a gap and had an envelope refused, and a quarantine row was dismissed."""
    path = tmp_path_factory.mktemp("board") / "ledger.sqlite"
    data = sample.generate(seed=3, start=date(2026, 3, 1), end=date(2026, 3, 7), members=5, per_day=5)
    facts: dict[str, object] = {}
    with Ledger.open(str(path)) as ledger:
        ledger.init(config.default())
        sample.load_into(ledger, data)
        ledger.ingest(data.envelopes)
        office = identity.init(ledger, Path(str(path) + ".office.key"))[0]
        sale = next(e for e in data.envelopes if e["kind"] == "sale" and e["member"])
        record.record(
            ledger, office, entries.dispute(sale["member"], sale["id"], "kartu dipinjam orang", sale["unit"])
        )
        facts["office_sale"] = sale["id"]
        ledger.devices_revoke("cafe-01", "hilang dicuri")
        quiet = Device("toko-77").register(ledger)
        with ledger.write() as conn:
            conn.execute(
                update(schema.devices)
                .where(schema.devices.c.device == quiet.name)
                .values(added_ts=int(time.time()) - 3 * DAY)
            )
        gap = Device("toko-88").register(ledger)
        first = gap.sale(member=sale["member"])
        gap.sale(member=sale["member"])  # seq 2 never arrives
        third = gap.sale(member=sale["member"])
        deposit = next(e for e in data.envelopes if e["kind"] == "savings_deposit")
        refused = gap.make("dispute", member=deposit["member"], ref=deposit["id"], reason="bukan saya")
        ledger.ingest([first, third, refused], require_signature=True)
        ledger.ingest([{"v": 99, "note": "uji"}])
        ledger.ingest([{"v": 98, "note": "uji lagi"}])
        rows = quarantine.list_entries(ledger)
        facts["held"] = next(e.qid for e in rows if e.holds_position)
        dismissed = next(e.qid for e in rows if "98" in e.reason)
        quarantine.dismiss(ledger, dismissed, reason="amplop uji coba", by="budi")
        facts["dismissed"] = dismissed
        numbers = sorted(m["number"] for m in ledger.members())
        by_role = {"ketua": numbers[0], "staf": STAFF_LOGIN}
        with ledger.write() as conn:
            conn.execute(
                update(schema.members).where(schema.members.c.number == numbers[0]).values(role="ketua")
            )
        set_password(ledger, numbers[0])
        set_password(ledger, STAFF_LOGIN, staff_role="staf")
        yield World(ledger, by_role, Settings(hasher=CHEAP)), facts


def test_the_office_recorded_dispute_says_so(extra: tuple[World, dict[str, object]]) -> None:
    world, facts = extra
    client = login(world.client(), world.by_role["ketua"])
    text = _text(client.get("/disputes"))
    office = identity.office_device(world.ledger)
    assert office and f"kantor ({office})" in text and "kartu dipinjam orang" in text
    assert str(facts["office_sale"]) in text


def test_revoked_and_silent_devices(extra: tuple[World, dict[str, object]]) -> None:
    world, _facts = extra
    client = login(world.client(), world.by_role["ketua"])
    devices = _text(client.get("/devices"))
    assert "hilang dicuri" in devices and "Dicabut" in devices
    assert "tanpa kabar > 1 hari" in devices and "belum pernah" in devices
    board = client.get("/board").text
    assert re.search(r'id="bd-silent">1<', board) and 'href="/devices#d-toko-77"' in board
    office = identity.office_device(world.ledger)
    assert f'href="/devices#d-{office}"' not in board  # the office is no device that phones home
    staff = login(world.client(), world.by_role["staf"]).get("/devices").text
    assert 'href="/devices/cafe-01/revoke"' not in staff and 'href="/devices/toko-77/revoke"' in staff


def test_chains_show_the_gap_and_the_refused_envelope(extra: tuple[World, dict[str, object]]) -> None:
    world, _facts = extra
    client = login(world.client(), world.by_role["ketua"])
    row = next(r for r in reports.chains(world.ledger, "id")[0].rows if r[0] == "toko-88")
    assert row[4] == "2-2" and row[6] == 1
    text = client.get("/chains").text
    assert re.search(r'<tr class="late"><td><a href="/devices#d-toko-88">toko-88</a>.*?<td>2-2</td>', text)
    assert "perangkat bermasalah" in text


def test_quarantine_states_and_a_rows_history(extra: tuple[World, dict[str, object]]) -> None:
    world, facts = extra
    client = login(world.client(), world.by_role["ketua"])
    dismissed = client.get("/quarantine?state=dismissed").text
    assert f'href="/quarantine/{facts["dismissed"]}"' in dismissed
    open_rows = client.get("/quarantine").text
    assert f'href="/quarantine/{facts["dismissed"]}"' not in open_rows
    assert f'href="/quarantine/{facts["held"]}"' in open_rows and "Memegang posisi rantai" in open_rows
    item = _text(client.get(f"/quarantine/{facts['dismissed']}"))
    assert "budi" in item and "amplop uji coba" in item and "diabaikan" in item
    assert "quarantine retry" not in item  # a settled row has nothing left to do
    held = _text(client.get(f"/quarantine/{facts['held']}"))
    assert "toko-88" in held and "perangkat sudah melewatinya" in held


# -- fuzzed query strings ---------------------------------------------------------------------------------

QUERY_KEYS = ("q", "page", "state", "unit", "on", "from", "to")
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
fuzz_text = st.text(max_size=40) | st.sampled_from(
    ["2026-02-30", "9999-12-31", "0001-01-01", "-1", "0", "99999999999", "A001", "all", "open", "toko", "%"]
)


@FUZZ
@given(
    name=st.sampled_from(PAGES),
    params=st.dictionaries(st.sampled_from(QUERY_KEYS), fuzz_text, max_size=4),
    segment=fuzz_text,
)
def test_fuzzed_query_parameters_never_break_a_page(
    clients: dict[str, TestClient], name: str, params: dict[str, str], segment: str
) -> None:
    path = access.RULES[name].path
    url = path.replace("{item}", quote(segment, safe="") or "x")
    response = clients["ketua"].get(url, params=params, follow_redirects=False)
    assert response.status_code in (200, 404), (url, params)
    assert len(response.content) < MAX_BYTES


def test_disputes_pages(
    world: World, clients: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages_disputes, "CASES_PAGE", 1)
    rows = bd.disputes(world.ledger)
    assert len(rows) >= 2
    first = clients["ketua"].get("/disputes").text
    assert rows[0].tx in first and rows[1].tx not in first and 'href="?state=open&amp;page=2"' in first
    second = clients["ketua"].get("/disputes?page=2").text
    assert rows[1].tx in second and rows[0].tx not in second and 'href="?state=open&amp;page=1"' in second
    past = clients["ketua"].get("/disputes?page=500").text  # past the end: the last page
    assert rows[-1].tx in past


def test_quarantine_pages(extra: tuple[World, dict[str, object]], monkeypatch: pytest.MonkeyPatch) -> None:
    world, _facts = extra
    monkeypatch.setattr(pages_board, "QUARANTINE_PAGE", 2)
    client = login(world.client(), world.by_role["ketua"])
    every = quarantine.list_entries(world.ledger)
    assert len(every) == 3
    first = client.get("/quarantine?state=all").text
    second = client.get("/quarantine?state=all&page=2").text
    assert "state=all&amp;page=2" in first
    for e, page in zip(every, (first, first, second), strict=True):
        assert f'href="/quarantine/{e.qid}"' in page
