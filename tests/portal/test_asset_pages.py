"""The members' assets pages: a member records an asset with a photo from the phone and sees only their
own (another member's asset or photo is 404, as one that does not exist); the cadre of the member's group
sees and adds; the board reads but does not write; uploads that are not a photo or too large are refused
with a clear message; the photo's GPS position is dropped unless the box is ticked."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from PIL import Image
from starlette.testclient import TestClient

from central import images
from central.assets import store
from central.groups import store as groups
from central.portal.app import PHOTO_UPLOAD
from tests.portal.assets_sample import jpeg
from tests.portal.conftest import World, csrf, login


def gps_photo() -> bytes:
    exif = Image.Exif()
    exif[images.GPS_TAG] = {1: "S", 2: (7.0, 47.0, 30.0), 3: "E", 4: (110.0, 22.0, 10.0)}
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (150, 110, 60)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def gps_of(data: bytes) -> dict[int, object]:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(images.GPS_TAG))


def add(client: TestClient, photo: bytes | None = None, **fields: str) -> Any:
    """POST the new-asset form as a phone's browser sends it (multipart, the photo beside the fields)."""
    data = {"csrftoken": csrf(client, "/assets/new"), "kind": "warung", "description": "Warung sembako",
            "value_rp": "2.500.000", **fields}  # fmt: skip
    files = {"photo": ("IMG_0001.jpg", photo or b"", "image/jpeg")}
    return client.post("/assets/new", data=data, files=files, follow_redirects=False)


@pytest.fixture(scope="module")
def people(world: World) -> dict[str, TestClient]:
    """Logged-in clients; the kader leads a group holding the 'other' member (not the 'anggota' one)."""
    group = groups.create(world.ledger, "FGS Melati", "Krajan", world.by_role["kader"], by="test")
    groups.add_members(world.ledger, group.id, [world.by_role["other"]], by="test")
    return {
        role: login(world.client(), world.by_role[role])
        for role in ("anggota", "other", "kader", "ketua", "staf")
    }


def test_a_member_records_an_asset_with_a_photo(world: World, people: dict[str, TestClient]) -> None:
    """The form takes kind, description, value and a photo; the asset shows its thumbnail and value."""
    member = people["anggota"]
    form = member.get("/assets/new")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    assert (
        'name="keep_location"' in form.text
        and "checked" not in form.text.split('name="keep_location"')[1][:40]
    )
    done = add(member, jpeg(1200, 900))
    assert done.status_code == 303, done.text
    page = member.get(done.headers["location"])
    assert page.status_code == 200 and "Rp 2.500.000" in page.text and "Aset tersimpan." in page.text
    thumb = re.search(r'src="(/asset-photos/\d+/thumb)"', page.text)
    assert thumb is not None
    image = member.get(thumb.group(1))
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    full = member.get(thumb.group(1).removesuffix("/thumb"))
    assert full.headers["content-type"] == "image/jpeg" and len(full.content) > len(image.content)
    listed = member.get("/assets").text
    assert "Warung sembako" in listed and thumb.group(1) in listed


def test_another_members_asset_and_photo_are_not_found(world: World, people: dict[str, TestClient]) -> None:
    """Member A opening member B's asset, its photo or thumbnail gets the same 404 as a number that does not
    exist, and nothing of B's; B's asset is not in A's list either."""
    done = add(people["other"], jpeg(), description="Kambing milik B", kind="ternak")
    number = int(done.headers["location"].rsplit("/", 1)[1])
    photo = store.get(world.ledger, number).photos[0]
    member = people["anggota"]
    for url, missing in (
        (f"/assets/{number}", "/assets/99999"),
        (f"/asset-photos/{photo}", "/asset-photos/99999"),
        (f"/asset-photos/{photo}/thumb", "/asset-photos/99999/thumb"),
    ):
        response = member.get(url)
        assert response.status_code == 404 and "Kambing milik B" not in response.text
        assert response.text.replace(url, "U") == member.get(missing).text.replace(missing, "U")
    assert "Kambing milik B" not in member.get("/assets").text
    token = csrf(member, "/assets")
    post = member.post(f"/assets/{number}/value", data={"csrftoken": token, "value_rp": "1"})
    assert post.status_code == 404


def test_the_cadre_sees_and_adds_for_their_groups_members_only(
    world: World, people: dict[str, TestClient]
) -> None:
    """The kader records an asset for a member of their group and sees it; a member outside is refused."""
    cadre = people["kader"]
    other, outsider = world.by_role["other"], world.by_role["anggota"]
    done = add(cadre, None, member=other, kind="lahan", description="Sawah 1/4 ha")
    assert done.status_code == 303
    assert "Sawah 1/4 ha" in cadre.get("/assets").text
    refused = add(cadre, None, member=outsider, description="Tidak boleh")
    assert refused.status_code == 403 and "aset Anda sendiri" in refused.text
    own = store.listing(world.ledger, member=outsider)
    assert own and cadre.get(f"/assets/{own[0].id}").status_code == 404


def test_the_board_reads_every_asset_but_does_not_change_them(
    world: World, people: dict[str, TestClient]
) -> None:
    """The chair lists every member's assets (with CSV) and opens one, without the forms; a POST is 403."""
    chair = people["ketua"]
    listed = chair.get("/assets")
    assert listed.status_code == 200 and "Kambing milik B" in listed.text and "Warung sembako" in listed.text
    csv = chair.get("/assets?format=csv&kind=ternak")
    assert csv.headers["content-type"].startswith("text/csv") and "Kambing milik B" in csv.text
    assert "Warung sembako" not in csv.text
    number = store.listing(world.ledger, member=world.by_role["other"], kind="ternak")[0].id
    page = chair.get(f"/assets/{number}")
    assert page.status_code == 200 and "/value" not in page.text
    token = csrf(chair, f"/assets/{number}")
    assert (
        chair.post(f"/assets/{number}/value", data={"csrftoken": token, "value_rp": "5"}).status_code == 403
    )


def test_value_updates_are_kept_as_history(world: World, people: dict[str, TestClient]) -> None:
    """A new estimate becomes the current value; the first stays in the history; a bad value says why."""
    member = people["anggota"]
    number = store.listing(world.ledger, member=world.by_role["anggota"])[0].id
    token = csrf(member, f"/assets/{number}")
    bad = member.post(f"/assets/{number}/value", data={"csrftoken": token, "value_rp": "dua juta"})
    assert bad.status_code == 400 and "bukan rupiah bulat" in bad.text
    good = member.post(
        f"/assets/{number}/value",
        data={"csrftoken": token, "value_rp": "3000000", "note": "stok bertambah"},
        follow_redirects=False,
    )
    assert good.status_code == 303
    page = member.get(f"/assets/{number}").text
    assert "Rp 3.000.000" in page and "Rp 2.500.000" in page and "stok bertambah" in page


def test_what_is_not_a_photo_is_refused_with_a_clear_message(people: dict[str, TestClient]) -> None:
    """A text file sent as a photo is refused, saying what to send; nothing is recorded."""
    response = add(people["anggota"], b"%PDF-1.4 not a photo at all", description="Berkas salah")
    assert response.status_code == 400
    assert "bukan foto yang bisa dibaca" in response.text
    assert "Berkas salah" in response.text  # the form comes back filled in


def test_a_photo_too_large_is_refused_with_a_clear_message(people: dict[str, TestClient]) -> None:
    """A body past the photo routes' limit is refused before it is read, naming the limit in MB."""
    response = add(people["anggota"], b"\xff" * (PHOTO_UPLOAD + 1))
    assert response.status_code == 413
    assert f"lebih dari {PHOTO_UPLOAD // (1024 * 1024)} MB" in response.text


def test_the_photos_location_is_dropped_unless_kept_on_purpose(
    world: World, people: dict[str, TestClient]
) -> None:
    """Unticked, the stored photo carries no GPS; ticked, it keeps it and the page says so."""
    member = people["anggota"]
    number = int(add(member, gps_photo(), description="Lokasi dibuang").headers["location"].rsplit("/", 1)[1])
    dropped = store.get(world.ledger, number).photos[0]
    assert gps_of(member.get(f"/asset-photos/{dropped}").content) == {}
    token = csrf(member, f"/assets/{number}")
    kept = member.post(
        f"/assets/{number}/photos",
        data={"csrftoken": token, "keep_location": "ya"},
        files={"photo": ("IMG_0002.jpg", gps_photo(), "image/jpeg")},
        follow_redirects=False,
    )
    assert kept.status_code == 303
    asset = store.get(world.ledger, number)
    assert asset.located == (asset.photos[1],)
    assert gps_of(member.get(f"/asset-photos/{asset.photos[1]}").content) != {}
    assert "lokasi disimpan" in member.get(f"/assets/{number}").text


def test_an_import_file_too_large_is_refused_naming_its_own_limit(world: World) -> None:
    """The office's members import (2 MB) says the file is too large, without talking about photos."""
    office = login(world.client(), world.by_role["staf"])
    data = {"csrftoken": csrf(office, "/members/import"), "what": "members"}
    files = {"file": ("anggota.csv", b"x" * (3 * 1024 * 1024), "text/csv")}
    response = office.post("/members/import", data=data, files=files)
    assert response.status_code == 413 and "lebih dari 2 MB" in response.text and "foto" not in response.text
