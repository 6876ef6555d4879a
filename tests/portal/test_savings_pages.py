"""The savings pages: a member sees their own term deposits with maturity and downloads their own
certificate (another member's is 404, the board's roles may open any), and the office reads a leaving
member's settlement on screen and as a PDF."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from central import config
from central.office import deposits, identity
from tests.portal.conftest import PRODUCT, World, login

B3 = {"code": "B3", "name": "Berjangka 3 bulan", "term_months": 3, "rate_year_pct": 6}


@pytest.fixture(scope="module")
def placed(world: World) -> World:
    """The world's config with a term-deposit product, and one placement for the plain member."""
    raw = config.merge_over_defaults(
        config._default_raw(), {"loans": {"products": [PRODUCT]}, "savings": {"berjangka": [B3]}}
    )
    world.ledger.init(config.parse(raw))
    key = world.settings.office_key
    assert key is not None
    office = identity.load(world.ledger, key)
    member = world.by_role["anggota"]
    if not deposits.listing(world.ledger, member=member):
        deposits.place(
            world.ledger, office, member, "B3", 10_000_000, by="test", at=datetime(2026, 3, 5, 9, 0)
        )
    return world


def _code(world: World) -> str:
    return deposits.listing(world.ledger, member=world.by_role["anggota"])[0].code


def test_the_member_sees_their_deposits_and_maturity(placed: World) -> None:
    """The savings page lists the placement with its maturity and a certificate link."""
    client = login(placed.client(), placed.by_role["anggota"])
    page = client.get("/savings")
    assert page.status_code == 200
    assert _code(placed) in page.text and "2026-06-05" in page.text and "Rp 10.000.000" in page.text
    assert f"/savings/certificate?placement={_code(placed)}" in page.text
    assert "Simpanan saya" in client.get("/home").text  # in the menu


def test_the_certificate_downloads_for_its_owner_only(placed: World, tmp_path: Path) -> None:
    """The owner gets the PDF; another member gets 404 like a number that does not exist; the ketua may."""
    code = _code(placed)
    owner = login(placed.client(), placed.by_role["anggota"])
    response = owner.get(f"/savings/certificate?placement={code}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert f'filename="bilyet-berjangka-{code}.pdf"' in response.headers["content-disposition"]
    out = tmp_path / "bilyet.pdf"
    out.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert code in text and "5 Juni 2026" in text
    other = login(placed.client(), placed.by_role["other"])
    assert other.get(f"/savings/certificate?placement={code}").status_code == 404
    assert other.get("/savings/certificate?placement=BJ-999999").status_code == 404
    chair: TestClient = login(placed.client(), placed.by_role["ketua"])
    assert chair.get(f"/savings/certificate?placement={code}").status_code == 200
    assert owner.get("/savings/certificate", follow_redirects=False).status_code == 303


def test_the_office_reads_a_leaving_members_settlement(placed: World, tmp_path: Path) -> None:
    """Staff see the statement with the term deposit in it, and its PDF; a plain member may not."""
    member = placed.by_role["anggota"]
    staff = login(placed.client(), placed.by_role["staf"])
    page = staff.get(f"/members/{member}/leaving")
    assert page.status_code == 200
    assert "Simpanan berjangka" in page.text and _code(placed) in page.text
    pdf = staff.get(f"/members/{member}/leaving?format=pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    out = tmp_path / "keluar.pdf"
    out.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Penyelesaian Anggota Keluar" in text and member in text
    assert staff.get("/members/NOPE999/leaving").status_code == 404
    plain = login(placed.client(), placed.by_role["anggota"])
    assert plain.get(f"/members/{member}/leaving").status_code == 403
