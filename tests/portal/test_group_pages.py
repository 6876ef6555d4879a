"""The group pages as a cadre, a member and the office use them: groups, meetings with attendance, visit
reports with photos, and who may see what (another cadre's group and report are 404, a member sees only
their own attendance)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from central.groups import store
from central.ledger import schema
from tests.portal.conftest import World, csrf, login, photo_bytes, set_password


def _post(client: TestClient, url: str, data: dict[str, str], **kw: Any) -> Any:
    return client.post(url, data={"csrftoken": csrf(client, "/home"), **data}, follow_redirects=False, **kw)


def _today(world: World) -> str:
    return datetime.now(world.ledger.config.tz).date().isoformat()


@pytest.fixture(scope="module")
def setup(world: World) -> Iterator[dict[str, Any]]:
    """Two groups: A led by the world's kader with the anggota and the kasir in it, B led by a second kader
    with one plain member; everybody logged in."""
    ledger = world.ledger
    taken = set(world.by_role.values())
    spare = sorted(m["number"] for m in ledger.members() if m["number"] not in taken)
    second_kader, b_member = spare[0], spare[1]
    with ledger.write() as conn:
        conn.execute(
            update(schema.members).where(schema.members.c.number == second_kader).values(role="kader")
        )
    set_password(ledger, second_kader)
    set_password(ledger, b_member)
    a = store.create(ledger, "FGS Mawar", "Sukamaju", world.by_role["kader"], by="test")
    a = store.add_members(ledger, a.id, [world.by_role["anggota"], world.by_role["kasir"]], by="test")
    b = store.create(ledger, "FGS Melati", "Karanganyar", second_kader, by="test")
    b = store.add_members(ledger, b.id, [b_member], by="test")
    clients = {
        "kader": login(world.client(), world.by_role["kader"]),
        "kader_b": login(world.client(), second_kader),
        "anggota": login(world.client(), world.by_role["anggota"]),
        "b_member": login(world.client(), b_member),
        "staf": login(world.client(), world.by_role["staf"]),
        "ketua": login(world.client(), world.by_role["ketua"]),
    }
    yield {
        "ledger": ledger,
        "a": a,
        "b": b,
        "clients": clients,
        "b_member": b_member,
        "kader_b": second_kader,
    }
    for client in clients.values():
        client.close()


def test_a_cadre_records_a_meeting_and_ticks_who_came(world: World, setup: dict[str, Any]) -> None:
    """The cadre's form lists the group's members to tick; saving records each member present or not, and
    the group page shows the rates."""
    a, kader = setup["a"], setup["clients"]["kader"]
    form = kader.get(f"/groups/{a.id}/meetings/new")
    assert form.status_code == 200
    for member in a.members:
        assert f'name="present_{member.number}"' in form.text
    anggota = world.by_role["anggota"]
    response = _post(
        kader,
        f"/groups/{a.id}/meetings/new",
        {"day": _today(world), "place": "Rumah Bu RT", "agenda": "Arisan dan tabungan", "notes": "Ramai",
         f"present_{anggota}": "1"},
    )  # fmt: skip
    assert response.status_code == 303, response.text
    meeting_id = int(response.headers["location"].rsplit("/", 1)[1])
    held = store.meeting(world.ledger, a.id, meeting_id)
    assert dict(held.attendance) == {anggota: True, world.by_role["kasir"]: False}
    page = kader.get(response.headers["location"])
    assert "1 dari 2 hadir" in page.text and "Rumah Bu RT" in page.text
    group_page = kader.get(f"/groups/{a.id}")
    assert "50%" in group_page.text and "100%" in group_page.text


def test_a_meeting_form_with_a_mistake_comes_back_filled_in(world: World, setup: dict[str, Any]) -> None:
    """A future date is refused with the reason, and what was typed and ticked stays."""
    a, kader = setup["a"], setup["clients"]["kader"]
    anggota = world.by_role["anggota"]
    response = _post(
        kader,
        f"/groups/{a.id}/meetings/new",
        {"day": "2999-01-01", "place": "Balai", "agenda": "Panen", f"present_{anggota}": "1"},
    )
    assert response.status_code == 400
    assert "belum tiba" in response.text
    assert 'value="Balai"' in response.text
    assert re.search(rf'name="present_{anggota}" value="1" checked', response.text)


def test_a_cadre_cannot_open_another_cadres_group(setup: dict[str, Any]) -> None:
    """Group B's pages, its meeting form and a meeting of it are 404 for group A's cadre, as for a group
    that does not exist."""
    a, b, kader = setup["a"], setup["b"], setup["clients"]["kader"]
    for url in (f"/groups/{b.id}", f"/groups/{b.id}/meetings/new", f"/groups/{b.id}/edit"):
        response = kader.get(url)
        assert response.status_code in (404, 403), url
        assert "FGS Melati" not in response.text
    assert kader.get(f"/groups/{b.id}").status_code == 404
    assert kader.get("/groups/999999").status_code == 404
    posted = _post(kader, f"/groups/{b.id}/meetings/new", {"day": "2026-03-01", "place": "x", "agenda": "y"})
    assert posted.status_code == 404
    assert store.meetings(setup["ledger"], b.id) == []
    listing = kader.get("/groups").text
    assert "FGS Mawar" in listing and "FGS Melati" not in listing
    assert setup["clients"]["kader_b"].get(f"/groups/{a.id}").status_code == 404


def test_a_member_sees_their_group_and_only_their_own_attendance(world: World, setup: dict[str, Any]) -> None:
    """The member's group page shows the meetings and their own mark, never another member's name; another
    group's page is 404."""
    a, b = setup["a"], setup["b"]
    member = setup["clients"]["anggota"]
    kasir_name = world.ledger.member(world.by_role["kasir"])["name"]
    page = member.get(f"/groups/{a.id}")
    assert page.status_code == 200
    assert "Kehadiran saya" in page.text
    assert kasir_name not in page.text
    for held in store.meetings(world.ledger, a.id):
        meeting = member.get(f"/groups/{a.id}/meetings/{held.id}")
        assert meeting.status_code == 200
        assert kasir_name not in meeting.text
    assert member.get(f"/groups/{b.id}").status_code == 404
    assert member.get(f"/groups/{a.id}/meetings/new").status_code == 403
    assert member.get("/visits").status_code == 403


def test_the_board_and_office_see_every_group(setup: dict[str, Any]) -> None:
    """The chair and office staff list both groups and open either."""
    for who in ("ketua", "staf"):
        client = setup["clients"][who]
        listing = client.get("/groups").text
        assert "FGS Mawar" in listing and "FGS Melati" in listing
        assert client.get(f"/groups/{setup['b'].id}").status_code == 200
    assert "FGS Melati" in setup["clients"]["ketua"].get("/groups?village=karanganyar").text
    assert "FGS Mawar" not in setup["clients"]["ketua"].get("/groups?village=karanganyar").text


def test_the_office_creates_a_group_and_a_member_is_in_one_group_only(
    world: World, setup: dict[str, Any]
) -> None:
    """The office makes a group and adds members; a member of another group is refused with the reason."""
    staf = setup["clients"]["staf"]
    made = _post(
        staf, "/groups/new", {"name": "FGS Kenanga", "village": "Sukamaju", "cadre": world.by_role["kader"]}
    )
    assert made.status_code == 303
    url = made.headers["location"]
    refused = _post(staf, url, {"action": "add", "numbers": world.by_role["anggota"]})
    assert refused.status_code == 400
    assert "sudah di kelompok lain" in refused.text and "FGS Mawar" in refused.text
    not_cadre = _post(staf, "/groups/new", {"name": "FGS X", "village": "Y", "cadre": world.by_role["kasir"]})
    assert not_cadre.status_code == 400 and "bukan kader" in not_cadre.text


def test_a_cadre_files_a_visit_report_with_a_photo(world: World, setup: dict[str, Any]) -> None:
    """The report is kept with its photo re-encoded; the board reads it by village and month, and another
    cadre gets 404 for it and its photo."""
    a, kader = setup["a"], setup["clients"]["kader"]
    anggota = world.by_role["anggota"]
    today = _today(world)
    response = _post(
        kader,
        "/visits/new",
        {"about": f"m:{anggota}", "day": today, "text": "Warung kelontong makin ramai."},
        files={"photo": ("warung.jpg", photo_bytes((2000, 1500)), "image/jpeg")},
    )
    assert response.status_code == 303, response.text
    visit_url = response.headers["location"]
    visit = store.visit(world.ledger, int(visit_url.rsplit("/", 1)[1]))
    assert visit.member == anggota and visit.village == "Sukamaju" and len(visit.photos) == 1
    page = kader.get(visit_url)
    assert "Warung kelontong" in page.text
    photo = kader.get(f"{visit_url}/photos/{visit.photos[0]}?size=thumb")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    month = today[:7]
    board = setup["clients"]["ketua"].get(f"/visits?village=sukamaju&month={month}").text
    assert "Warung kelontong" in board
    assert "Warung kelontong" not in setup["clients"]["ketua"].get("/visits?village=Karanganyar").text
    other = setup["clients"]["kader_b"]
    assert other.get(visit_url).status_code == 404
    assert other.get(f"{visit_url}/photos/{visit.photos[0]}").status_code == 404
    assert "Warung kelontong" not in other.get("/visits").text
    assert a.id == visit.group_id


def test_a_file_that_is_not_a_photo_is_refused_with_a_clear_message(
    world: World, setup: dict[str, Any]
) -> None:
    """A PDF sent as the photo is refused with the reason in Indonesian, nothing is stored, and the text
    typed stays in the form."""
    kader = setup["clients"]["kader"]
    before = len(store.visits(world.ledger))
    response = _post(
        kader,
        "/visits/new",
        {"about": f"g:{setup['a'].id}", "day": _today(world), "text": "Pertemuan panen."},
        files={"photo": ("laporan.pdf", b"%PDF-1.4 not a picture", "application/pdf")},
    )
    assert response.status_code == 400
    assert "Berkasnya bukan foto yang bisa dibaca" in response.text
    assert "Pertemuan panen." in response.text
    assert len(store.visits(world.ledger)) == before


def test_a_cadre_may_report_only_on_their_own_groups(world: World, setup: dict[str, Any]) -> None:
    """Naming another cadre's group or member is refused; a photo is added up to the limit only by the
    report's cadre."""
    kader = setup["clients"]["kader"]
    for about in (f"g:{setup['b'].id}", f"m:{setup['b_member']}"):
        response = _post(kader, "/visits/new", {"about": about, "day": _today(world), "text": "x"})
        assert response.status_code == 400
        assert "Pilih salah satu kelompok Anda" in response.text
    made = store.file_visit(
        world.ledger, world.by_role["kader"], f"g:{setup['a'].id}", day=_today(world), text="Tanpa foto",
        photo=None, today=date.fromisoformat(_today(world)),
    )  # fmt: skip
    added = _post(
        kader,
        f"/visits/{made.id}/photos",
        {},
        files={"photo": ("a.png", photo_bytes((300, 200), "PNG"), "image/png")},
    )
    assert added.status_code == 303
    assert len(store.visit(world.ledger, made.id).photos) == 1
    foreign = _post(
        setup["clients"]["kader_b"],
        f"/visits/{made.id}/photos",
        {},
        files={"photo": ("a.png", photo_bytes((300, 200), "PNG"), "image/png")},
    )
    assert foreign.status_code == 404


def test_an_announcement_to_a_group_is_previewed_with_its_recipients(
    world: World, setup: dict[str, Any]
) -> None:
    """The announcement form lists the group codes; ``group:N`` previews the count of the group's members
    and sends to exactly them."""
    from central.notify import outbox

    a, staf = setup["a"], setup["clients"]["staf"]
    form = staf.get("/notify/announce").text
    assert f"group:{a.id}" in form and "village:Sukamaju" in form
    text = "Pertemuan FGS Mawar Sabtu jam 3 di balai desa."
    preview = _post(staf, "/notify/announce", {"to": f"group:{a.id}", "text": text, "action": "preview"})
    assert preview.status_code == 200
    assert 'name="count" value="2"' in preview.text
    sent = _post(
        staf, "/notify/announce", {"to": f"group:{a.id}", "text": text, "action": "send", "count": "2"}
    )
    assert sent.status_code == 303
    reached = {m.member for m in outbox.listing(world.ledger) if text in m.text}
    assert reached == {world.by_role["anggota"], world.by_role["kasir"]}
    unknown = _post(staf, "/notify/announce", {"to": "group:99999", "text": text, "action": "preview"})
    assert unknown.status_code == 400 and "tidak ada kelompok bernomor" in unknown.text
