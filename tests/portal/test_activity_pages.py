"""The board activity pages: a board member files a report from the phone (with an optional photo made
safe); every member reads each board member's reports per kind, score and share of the board fund; one
report and its photo are for the board, supervisors and office only; a closed year takes no more reports."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from central import config
from central.boardactivity import store
from central.yearend.tables import year_closes
from tests.portal.assets_sample import jpeg
from tests.portal.conftest import World, csrf, login


def file(client: TestClient, photo: bytes | None = None, **fields: str) -> Any:
    data = {"csrftoken": csrf(client, "/activity/new"), "kind": "kunjungan",
            "description": "Kunjungan ke FGS Melati, 12 anggota hadir", **fields}  # fmt: skip
    files = {"photo": ("IMG_0003.jpg", photo or b"", "image/jpeg")}
    return client.post("/activity/new", data=data, files=files, follow_redirects=False)


def split_by_activity(world: World) -> None:
    """The module's ledger with ``[shu] board_by_activity = true`` (seed 000's merit system)."""
    raw = json.loads(json.dumps(world.ledger.config.raw))
    raw["shu"] = {**raw["shu"], "board_by_activity": True}
    world.ledger.init(config.parse(raw))


@pytest.fixture(scope="module")
def people(world: World) -> dict[str, TestClient]:
    split_by_activity(world)
    return {r: login(world.client(), world.by_role[r]) for r in ("ketua", "bendahara", "anggota", "pengawas")}


def test_a_board_member_files_a_report_and_every_member_sees_the_score(
    world: World, people: dict[str, TestClient]
) -> None:
    """The chair files a visit (3 points) with a photo and a training (5); the treasurer a meeting (2).
    An ordinary member then reads 8 : 2 as 80% : 20%, per kind, without the reports' text."""
    chair, treasurer = people["ketua"], people["bendahara"]
    form = chair.get("/activity/new")
    assert form.status_code == 200 and 'type="radio"' in form.text and "Kunjungan" in form.text
    done = file(chair, jpeg(900, 700))
    assert done.status_code == 303, done.text
    assert file(chair, None, kind="pelatihan", description="Pelatihan pembukuan warung").status_code == 303
    assert file(treasurer, None, kind="rapat", description="Rapat pengurus").status_code == 303
    year = datetime.now(world.ledger.config.tz).year
    page = people["anggota"].get(f"/reports/board-activity?year={year}")
    assert page.status_code == 200
    cards = {
        re.search(r'<span class="muted small">(\w+)</span>', card).group(1): " ".join(
            re.sub(r"<[^>]+>", " ", card).split()
        )  # type: ignore[union-attr]
        for card in re.findall(r'<li class="ba-card">(.*?)</li>', page.text, re.S)
    }
    chair_card = cards[world.by_role["ketua"]]
    assert "Skor 8" in chair_card and "Bagian 80.0%" in chair_card
    assert (
        "Menghadiri rapat 0" in chair_card
        and "Kunjungan 1" in chair_card
        and "Memberi pelatihan 1" in chair_card
    )
    assert "Skor 2" in cards[world.by_role["bendahara"]] and "20.0%" in cards[world.by_role["bendahara"]]
    assert "Pelatihan pembukuan warung" not in page.text  # the reports themselves are for the board
    assert "Laporkan kegiatan" not in page.text
    assert "sisa pecahan terbesar" in page.text  # the remainder rule, in the reader's words


def test_a_report_and_its_photo_are_for_the_board_and_supervisors(
    world: World, people: dict[str, TestClient]
) -> None:
    """The supervisor opens a report and its photo; an ordinary member may not."""
    year = datetime.now(world.ledger.config.tz).year
    number = next(r.id for r in store.listing(world.ledger, year) if r.photo)
    supervisor, member = people["pengawas"], people["anggota"]
    page = supervisor.get(f"/activity/{number}")
    assert page.status_code == 200 and "FGS Melati" in page.text
    photo = supervisor.get(f"/activity/{number}/photo")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    thumb = supervisor.get(f"/activity/{number}/photo?size=thumb")
    assert len(thumb.content) < len(photo.content)
    assert member.get(f"/activity/{number}").status_code == 403
    assert member.get(f"/activity/{number}/photo").status_code == 403
    assert supervisor.get("/activity/99999").status_code == 404


def test_only_the_board_files_reports(people: dict[str, TestClient]) -> None:
    """A member and a supervisor may not file (403); a report without a kind or text says what is missing."""
    assert people["anggota"].get("/activity/new").status_code == 403
    assert people["pengawas"].get("/activity/new").status_code == 403
    missing = file(people["ketua"], None, kind="", description="x")
    assert missing.status_code == 400 and "pilih jenis kegiatannya" in missing.text
    ahead = file(people["ketua"], None, day="2999-01-01")
    assert ahead.status_code == 400 and "masa depan" in ahead.text


def test_a_report_photo_that_is_not_a_photo_is_refused(people: dict[str, TestClient]) -> None:
    """A file that is not a picture is refused with the reason, and the form comes back filled in."""
    response = file(people["ketua"], b"GIF89a? no", description="Rapat dengan foto rusak")
    assert response.status_code == 400 and "bukan foto yang bisa dibaca" in response.text
    assert "Rapat dengan foto rusak" in response.text


def test_a_closed_year_shows_the_rupiah_and_takes_no_more_reports(
    world: World, people: dict[str, TestClient]
) -> None:
    """Once the year's close holds the board's split, the page shows each share in rupiah (summing to the
    fund) and a report dated in that year is refused."""
    year = datetime.now(world.ledger.config.tz).year
    chair, treasurer = world.by_role["ketua"], world.by_role["bendahara"]
    allocation = {
        "funds": [{"fund": "pengurus", "name": "Dana pengurus", "percent": "5", "amount_rp": 100_001}],
        "board": [
            {"member": chair, "score": 8, "amount_rp": 80_001},
            {"member": treasurer, "score": 2, "amount_rp": 20_000},
        ],
    }
    with world.ledger.write() as conn:
        conn.execute(
            year_closes.insert().values(
                year=year, round=1, shu_rp=2_000_020, closed_ts=int(time.time()), closed_by="test",
                close_tx=f"shu:{year}:close:1", allocation=json.dumps(allocation),
            )
        )  # fmt: skip
    try:
        page = people["anggota"].get(f"/reports/board-activity?year={year}").text
        assert "Rp 80.001" in page and "Rp 20.000" in page and "Rp 100.001" in page
        refused = file(people["ketua"], None)
        assert refused.status_code == 400 and f"Tahun {year} sudah ditutup" in refused.text
    finally:
        with world.ledger.write() as conn:
            conn.execute(year_closes.delete().where(year_closes.c.year == year))


def test_a_malformed_points_rule_is_named_not_a_crash(world: World, people: dict[str, TestClient]) -> None:
    """A config whose [board_activity.points] names an unknown kind shows the reason on the page."""
    raw = json.loads(json.dumps(world.ledger.config.raw))
    good = json.loads(json.dumps(raw))
    raw["board_activity"] = {"points": {"arisan": 1}}
    world.ledger.init(config.parse(raw))
    try:
        page = people["anggota"].get("/reports/board-activity")
        assert page.status_code == 500 and "arisan" in page.text and "tidak dikenal" in page.text
    finally:
        world.ledger.init(config.parse(good))
