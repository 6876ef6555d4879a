"""The office's write pages (manajer, staf): each does what the command line does, through the same
functions, is audited, refuses bad input with 400 and nothing written, and is closed to everybody else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, func, inspect, select, update
from starlette.testclient import TestClient

from central import config, sample
from central.cli.app import main as cli
from central.ledger import Ledger, schema
from central.ledger.cards import card_reissues
from central.members import tabular
from central.members.rows import MEMBER_EXPORT, PRODUCT_COLUMNS
from central.portal import Settings, accounts
from central.portal.tables import portal_audit, portal_logins
from central.yearend import closed_allocation, compute_year, shu_data
from central.yearend.tables import year_closes
from tests.portal.conftest import CHEAP, PASSWORD, STAFF_LOGIN, World, csrf, login, set_password

YEAR = 2025  # the sample's year: over, so it can be closed
OFFICE_ROUTES = ("member_new", "members_import", "member_edit", "member_card", "member_login")


def _build(path: Path) -> tuple[Ledger, dict[str, str]]:
    """A ledger with December of the sample year; members given roles; the same every time."""
    data = sample.generate(seed=11, start=date(YEAR, 12, 1), end=date(YEAR, 12, 31), members=12, per_day=15)
    ledger = Ledger.open(str(path))
    ledger.init(config.default())
    sample.load_into(ledger, data)
    ledger.ingest(data.envelopes)
    numbers = sorted(m["number"] for m in ledger.members())
    roles = dict(zip(("manajer", "ketua", "anggota", "target"), numbers, strict=False))
    with ledger.write() as conn:
        conn.execute(update(schema.members).values(role="anggota"))
        for role in ("manajer", "ketua"):
            m = schema.members
            conn.execute(update(m).where(m.c.number == roles[role]).values(role=role))
    return ledger, roles


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    ledger, roles = _build(tmp_path_factory.mktemp("office") / "ledger.sqlite")
    for name in roles.values():
        set_password(ledger, name)
    set_password(ledger, STAFF_LOGIN, staff_role="staf")
    roles["staf"] = STAFF_LOGIN
    yield World(ledger, roles, Settings(hasher=CHEAP))
    ledger.close()


@pytest.fixture(scope="module")
def staf(world: World) -> Iterator[TestClient]:
    client = login(world.client(), STAFF_LOGIN)
    yield client
    client.close()


@pytest.fixture(scope="module")
def manajer(world: World) -> Iterator[TestClient]:
    client = login(world.client(), world.by_role["manajer"])
    yield client
    client.close()


@pytest.fixture
def twin(tmp_path: Path) -> Iterator[tuple[Ledger, Path]]:
    """The same ledger again, for the command line to do the same thing to."""
    path = tmp_path / "twin.sqlite"
    ledger, _ = _build(path)
    yield ledger, path
    ledger.close()


def _post(client: TestClient, url: str, data: dict[str, str], **kw: Any) -> Any:
    return client.post(url, data={"csrftoken": csrf(client, "/home"), **data}, follow_redirects=False, **kw)


def _member(ledger: Ledger, number: str) -> dict[str, Any]:
    row = ledger.member(number)
    return {k: v for k, v in row.items() if k not in ("updated_ts", "card_code")}


def _product(ledger: Ledger, sku: str) -> dict[str, Any]:
    return next(p for p in ledger.products() if p["sku"] == sku)


def _audits(world: World, action: str) -> list[dict[str, Any]]:
    with world.ledger.read() as conn:
        rows = conn.execute(select(portal_audit).where(portal_audit.c.action == action)).mappings().all()
    return [dict(r) for r in rows]


def _state(ledger: Ledger) -> tuple[object, ...]:
    """Everything an office page may change: members, products, devices, the books, closes, cards, logins."""

    def table(conn: Connection, t: Any) -> tuple[object, ...]:
        if not inspect(conn).has_table(t.name):
            return ()
        return tuple(conn.execute(select(t).order_by(*t.primary_key.columns)).all())

    with ledger.read() as conn:
        journal = conn.execute(select(func.count()).select_from(schema.journal)).scalar_one()
        logins = conn.execute(select(portal_logins.c.login, portal_logins.c.activation_hash)).all()
        return (
            journal,
            tuple(logins),
            *(table(conn, t) for t in (schema.members, schema.products, schema.devices)),
            *(table(conn, t) for t in (year_closes, card_reissues)),
        )


def _csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, object]]) -> Path:
    path.write_text(tabular.csv_text(columns, rows), encoding="utf-8")
    return path


# -- members --------------------------------------------------------------------------------------------

NEW = {
    "number": "Z900",
    "name": "Siti Aminah",
    "joined": "2026-01-05",
    "birth_date": "1980-05-17",
    "phone": "081234567890",
    "blood_type": "ab+",
    "role": "kasir",
    "credit_limit_rp": "500.000",
    "active": "ya",
}


def test_a_new_member_is_what_the_import_makes(
    world: World, staf: TestClient, twin: Any, tmp_path: Path
) -> None:
    response = _post(staf, "/members/new", NEW)
    assert response.status_code == 303
    assert response.headers["location"] == "/members/Z900/edit"
    assert "Perubahan tersimpan" in staf.get("/members/Z900/edit").text
    ledger, path = twin
    row = {**NEW, "blood_type": "AB+", "credit_limit_rp": "500000"}
    csv = _csv(tmp_path / "a.csv", (*MEMBER_EXPORT[:7], "credit_limit_rp", "active"), [row])
    assert cli(["--db", str(path), "import", "members", str(csv)]) == 0
    assert _member(world.ledger, "Z900") == _member(ledger, "Z900")
    assert world.ledger.member("Z900")["card_code"].startswith("KP")
    audit = _audits(world, "member_added")[-1]
    assert (audit["login"], audit["target"], audit["address"]) == (STAFF_LOGIN, "Z900", "testclient")


def test_a_number_that_exists_is_refused_on_the_new_form(world: World, staf: TestClient) -> None:
    before = _state(world.ledger)
    response = _post(staf, "/members/new", {**NEW, "number": world.by_role["anggota"], "name": "Lain"})
    assert response.status_code == 400
    assert "sudah ada" in response.text
    assert _state(world.ledger) == before


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("phone", "12", "Nomor HP"),
        ("number", "A 1", "Nomor anggota"),
        ("joined", "2026-02-30", "Tanggal masuk"),
        ("blood_type", "Q", "Golongan darah"),
        ("credit_limit_rp", "12,5", "Batas kredit"),
        ("role", "raja", "Peran"),
        ("name", "", "Nama"),
        ("active", "mungkin", "Aktif"),
    ],
)
def test_bad_member_fields_are_named_and_nothing_is_written(
    world: World, staf: TestClient, field: str, value: str, label: str
) -> None:
    before = _state(world.ledger)
    response = _post(staf, "/members/new", {**NEW, "number": "Z901", field: value})
    assert response.status_code == 400
    assert f"Periksa isian «{label}" in response.text
    assert 'aria-invalid="true"' in response.text
    assert _state(world.ledger) == before


def test_editing_a_member_matches_the_import_and_takes_effect_at_once(
    world: World, manajer: TestClient, twin: Any, tmp_path: Path
) -> None:
    number = world.by_role["target"]
    member = login(world.client(), number)
    assert member.get("/home", follow_redirects=False).status_code == 200
    old = world.ledger.member(number)
    page = manajer.get(f"/members/{number}/edit")
    assert page.status_code == 200 and old["name"] in page.text
    form = {
        "name": old["name"],
        "joined": old["joined"],
        "birth_date": old["birth_date"] or "",
        "phone": old["phone"] or "",
        "blood_type": old["blood_type"] or "",
        "role": "pengawas",
        "credit_limit_rp": "",
        "active": "tidak",
    }
    response = _post(manajer, f"/members/{number}/edit", form)
    assert response.status_code == 303
    # deactivated: the member's open session ends at their next request
    assert member.get("/home", follow_redirects=False).headers["location"].startswith("/login?expired")
    ledger, path = twin
    csv = _csv(tmp_path / "e.csv", (*MEMBER_EXPORT[:7], "active"), [{**form, "number": number}])
    assert cli(["--db", str(path), "import", "members", str(csv)]) == 0
    assert _member(world.ledger, number) == _member(ledger, number)
    audit = _audits(world, "member_updated")[-1]
    assert audit["login"] == world.by_role["manajer"] and "role: anggota -> pengawas" in audit["detail"]
    # and back, so the member logs in again
    assert (
        _post(manajer, f"/members/{number}/edit", {**form, "role": "anggota", "active": "ya"}).status_code
        == 303
    )
    login(world.client(), number)


def test_an_unknown_member_is_not_found(staf: TestClient) -> None:
    assert staf.get("/members/NOPE1/edit").status_code == 404
    assert _post(staf, "/members/NOPE1/card", {"confirm": "ya"}).status_code == 404
    assert _post(staf, "/members/NOPE1/login", {"confirm": "ya"}).status_code == 404


# -- card and login -------------------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["card", "login"])
@pytest.mark.parametrize("confirm", [None, "", "yes", "YA"])
def test_card_and_login_need_the_confirmation(
    world: World, staf: TestClient, what: str, confirm: str | None
) -> None:
    number = world.by_role["anggota"]
    before = _state(world.ledger)
    data = {} if confirm is None else {"confirm": confirm}
    response = _post(staf, f"/members/{number}/{what}", data)
    assert response.status_code == 400
    assert "kotak konfirmasi" in response.text
    assert _state(world.ledger) == before


def test_a_new_card_is_made_as_reissue_card_makes_it(world: World, staf: TestClient) -> None:
    number = world.by_role["anggota"]
    old = world.ledger.member(number)["card_code"]
    response = _post(staf, f"/members/{number}/card", {"confirm": "ya"})
    assert response.status_code == 200
    new = world.ledger.member(number)["card_code"]
    assert new != old and new in response.text
    with world.ledger.read() as conn:
        trail = conn.execute(select(card_reissues).where(card_reissues.c.member == number)).mappings().all()
    assert [(r["old_last4"], r["new_last4"], r["reissued_by"]) for r in trail][-1] == (
        old[-4:],
        new[-4:],
        STAFF_LOGIN,
    )
    audit = _audits(world, "card_reissued")[-1]
    assert (audit["login"], audit["target"], audit["address"]) == (STAFF_LOGIN, number, "testclient")
    assert new not in audit["detail"]  # the audit log never holds a working card code


def test_a_login_is_issued_once_and_the_code_works(world: World, manajer: TestClient) -> None:
    number = world.by_role["target"]
    member = login(world.client(), number)
    response = _post(manajer, f"/members/{number}/login", {"confirm": "ya"})
    assert response.status_code == 200
    code = re.search(r'class="big">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<', response.text)
    assert code, response.text
    assert "/activate" in response.text
    # a reset: the member's session has ended, and the code sets a new password
    assert member.get("/home", follow_redirects=False).status_code == 303
    accounts.activate(
        world.ledger, CHEAP, number, code.group(1), password=PASSWORD, confirm=PASSWORD, address="x"
    )
    assert [a["target"] for a in _audits(world, "login_reset")][-1] == number
    audit = _audits(world, "login_issued_web")[-1]
    assert (audit["login"], audit["address"]) == (world.by_role["manajer"], "testclient")
    assert code.group(1) not in audit["detail"]


# -- import ---------------------------------------------------------------------------------------------

IMPORT_COLUMNS = MEMBER_EXPORT[:7]


def _import_rows(world: World) -> list[dict[str, object]]:
    existing = world.ledger.member(world.by_role["ketua"])
    return [
        {"number": "Z950", "name": "Baru Sekali", "joined": "2026-02-01", "birth_date": "", "phone": "",
         "blood_type": "O", "role": "anggota"},
        {**{k: existing[k] for k in IMPORT_COLUMNS}, "phone": "+6281111111"},
    ]  # fmt: skip


def test_the_import_adds_and_updates_as_the_cli_does(
    world: World, staf: TestClient, twin: Any, tmp_path: Path
) -> None:
    csv = _csv(tmp_path / "anggota.csv", IMPORT_COLUMNS, _import_rows(world))
    files = {"file": ("anggota.csv", csv.read_bytes(), "text/csv")}
    response = _post(staf, "/members/import", {"what": "members"}, files=files)
    assert response.status_code == 200, response.text
    assert "1 ditambah, 1 diperbarui" in response.text
    ledger, path = twin
    assert cli(["--db", str(path), "import", "members", str(csv)]) == 0
    for number in ("Z950", world.by_role["ketua"]):
        assert _member(world.ledger, number) == _member(ledger, number)
    audit = _audits(world, "members_imported")[-1]
    assert (audit["target"], audit["detail"]) == ("anggota.csv", "added 1, updated 1")


def test_an_xlsx_of_products_imports(world: World, staf: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "barang.xlsx"
    unit = world.ledger.config.units[0].code
    rows = [{"sku": "XL-1", "name": "Gula 1 kg", "unit": unit, "price_rp": 17500, "cost_rp": 15000}]
    tabular.write_xlsx(path, PRODUCT_COLUMNS, rows, sheet="barang")
    files = {"file": ("barang.xlsx", path.read_bytes(), "application/octet-stream")}
    response = _post(staf, "/members/import", {"what": "products"}, files=files)
    assert response.status_code == 200, response.text
    assert _product(world.ledger, "XL-1")["price_rp"] == 17500


def test_one_bad_row_imports_nothing_and_is_listed(world: World, staf: TestClient, tmp_path: Path) -> None:
    rows = _import_rows(world)
    rows[0] = {**rows[0], "number": "Z951"}
    rows.append({**rows[0], "number": "Z952", "phone": "12"})
    csv = _csv(tmp_path / "bad.csv", IMPORT_COLUMNS, rows)
    before = _state(world.ledger)
    files = {"file": ("bad.csv", csv.read_bytes(), "text/csv")}
    response = _post(staf, "/members/import", {"what": "members"}, files=files)
    assert response.status_code == 400
    assert "1 baris salah; tidak ada yang diimpor" in response.text
    assert '<td class="num">4</td>' in response.text and "phone" in response.text
    assert _state(world.ledger) == before


@pytest.mark.parametrize(
    ("data", "files", "says"),
    [
        ({"what": "members"}, None, "Pilih berkas"),
        (
            {"what": "members"},
            {"file": ("a.csv", "nomor;nama\n\xff".encode("latin-1"), "text/csv")},
            "bukan UTF-8",
        ),
        ({"what": "semua"}, {"file": ("a.csv", b"x", "text/csv")}, "Pilih anggota atau barang"),
        ({"what": "members"}, {"file": ("a.xlsx", b"not a zip", "text/csv")}, "tidak bisa dibaca"),
    ],
)
def test_an_unusable_upload_is_refused(
    world: World, staf: TestClient, data: dict[str, str], files: Any, says: str
) -> None:
    before = _state(world.ledger)
    response = _post(staf, "/members/import", data, files=files or {"file": ("", b"", "text/csv")})
    assert response.status_code == 400
    assert says in response.text
    assert _state(world.ledger) == before


def test_uploads_are_bounded_and_only_on_the_import(world: World, staf: TestClient) -> None:
    big = {"file": ("a.csv", b"x" * (2 * 1024 * 1024 + 1), "text/csv")}
    assert _post(staf, "/members/import", {"what": "members"}, files=big).status_code == 413
    small = {"file": ("a.csv", b"number\n", "text/csv")}
    assert _post(staf, "/members/new", NEW, files=small).status_code == 415
    assert _post(staf, "/login", {}, files=small).status_code == 415
    # the CSRF token is checked as for any form
    token = staf.post("/members/import", data={"what": "members"}, files=small)
    assert token.status_code == 403 and "Formulir kedaluwarsa" in token.text
    broken = staf.post(
        "/members/import",
        content=b"--zz\r\nbroken",
        headers={"content-type": "multipart/form-data; boundary=zz"},
    )
    assert broken.status_code == 400


# -- products -------------------------------------------------------------------------------------------


def test_products_are_added_and_edited_as_the_import_does(
    world: World, staf: TestClient, twin: Any, tmp_path: Path
) -> None:
    unit = world.ledger.config.units[0].code
    form = {
        "sku": "8991234567890",
        "name": "Minyak 1 L",
        "unit": unit,
        "price_rp": "18.500",
        "cost_rp": "16000",
    }
    assert _post(staf, "/products/new", form).status_code == 303
    assert _post(staf, "/products/new", form).status_code == 400  # the code exists now
    edit = {**form, "price_rp": "19000"}
    response = _post(staf, "/products/8991234567890/edit", edit)
    assert response.status_code == 303
    ledger, path = twin
    csv = _csv(tmp_path / "p.csv", PRODUCT_COLUMNS, [{**edit, "price_rp": "19000"}])
    assert cli(["--db", str(path), "import", "products", str(csv)]) == 0
    ours, theirs = _product(world.ledger, "8991234567890"), _product(ledger, "8991234567890")
    assert {k: ours[k] for k in PRODUCT_COLUMNS} == {k: theirs[k] for k in PRODUCT_COLUMNS}
    assert "price_rp: 18500 -> 19000" in _audits(world, "product_updated")[-1]["detail"]


@pytest.mark.parametrize(
    ("field", "value"), [("price_rp", "17,500"), ("unit", "nope"), ("sku", "a b"), ("cost_rp", "-1")]
)
def test_bad_product_fields_are_refused(world: World, staf: TestClient, field: str, value: str) -> None:
    unit = world.ledger.config.units[0].code
    form = {"sku": "NEW-2", "name": "Teh", "unit": unit, "price_rp": "5000", "cost_rp": "4000", field: value}
    before = _state(world.ledger)
    response = _post(staf, "/products/new", form)
    assert response.status_code == 400
    assert "Periksa isian" in response.text
    assert _state(world.ledger) == before


# -- devices --------------------------------------------------------------------------------------------


def test_revoking_a_device_as_the_cli_does(world: World, manajer: TestClient, twin: Any) -> None:
    device = world.ledger.devices_list()[-1]["device"]
    page = manajer.get(f"/devices/{device}/revoke")
    assert page.status_code == 200 and "python -m provisioning revoke" in page.text
    before = _state(world.ledger)
    assert _post(manajer, f"/devices/{device}/revoke", {"reason": "   "}).status_code == 400
    assert _post(manajer, f"/devices/{device}/revoke", {"reason": "x" * 201}).status_code == 400
    assert _state(world.ledger) == before
    response = _post(manajer, f"/devices/{device}/revoke", {"reason": "kios hilang"})
    assert response.status_code == 200 and "sudah dicabut" in response.text
    ledger, path = twin
    assert cli(["--db", str(path), "devices", "revoke", device, "--reason", "kios hilang"]) == 0
    ours = next(d for d in world.ledger.devices_list() if d["device"] == device)
    theirs = next(d for d in ledger.devices_list() if d["device"] == device)
    assert ours["revoked_reason"] == theirs["revoked_reason"] == "kios hilang" and ours["revoked_ts"]
    assert _audits(world, "device_revoked")[-1]["target"] == device
    before = _state(world.ledger)
    assert _post(manajer, f"/devices/{device}/revoke", {"reason": "lagi"}).status_code == 400
    assert _state(world.ledger) == before
    assert manajer.get("/devices/nope/revoke").status_code == 404


# -- year-end -------------------------------------------------------------------------------------------


def test_closing_the_year_as_close_year_does(world: World, staf: TestClient, twin: Any) -> None:
    page = staf.get(f"/yearend?year={YEAR}")
    assert page.status_code == 200
    preview = shu_data(compute_year(world.ledger, YEAR, estimate=False, strict=False))
    assert preview["method"] is not None, "the sample year must have an SHU to allocate"
    assert f'name="year" value="{YEAR}"' in page.text
    before = _state(world.ledger)
    for form in (
        {"year": str(YEAR)},
        {"year": str(YEAR), "confirm": str(YEAR - 1)},
        {"year": "x", "confirm": "x"},
    ):
        assert _post(staf, "/yearend", form).status_code == 400
    this_year = date.today().year
    response = _post(staf, "/yearend", {"year": str(this_year), "confirm": str(this_year)})
    assert response.status_code == 400 and "belum berakhir" in response.text
    assert _state(world.ledger) == before
    response = _post(staf, "/yearend", {"year": str(YEAR), "confirm": str(YEAR)})
    assert response.status_code == 200 and "ditutup" in response.text
    ledger, path = twin
    assert cli(["--db", str(path), "close-year", str(YEAR)]) == 0
    ours, theirs = closed_allocation(world.ledger, YEAR), closed_allocation(ledger, YEAR)
    assert ours is not None and theirs is not None
    assert ours["closed"]["by"] == STAFF_LOGIN
    ours.pop("closed"), theirs.pop("closed")
    assert ours == theirs
    assert _audits(world, "year_closed")[-1]["target"] == str(YEAR)
    before = _state(world.ledger)
    again = _post(staf, "/yearend", {"year": str(YEAR), "confirm": str(YEAR)})
    assert again.status_code == 400 and "sudah ditutup" in again.text
    assert _state(world.ledger) == before
    assert "sudah ditutup" in staf.get(f"/yearend?year={YEAR}").text
    assert staf.get("/yearend").status_code == 200


# -- who may --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["ketua", "anggota"])
def test_board_and_members_are_forbidden(world: World, role: str) -> None:
    client = login(world.client(), world.by_role[role])
    number = world.by_role["anggota"]
    device = world.ledger.devices_list()[0]["device"]
    sku = world.ledger.products()[0]["sku"]
    urls = [
        "/members/new", "/members/import", f"/members/{number}/edit", "/products/new",
        f"/products/{sku}/edit", f"/devices/{device}/revoke", "/yearend",
    ]  # fmt: skip
    before = _state(world.ledger)
    for url in urls:
        assert client.get(url).status_code == 403, url
    for url in [*urls, f"/members/{number}/card", f"/members/{number}/login"]:
        response = _post(client, url, {"confirm": "ya", "reason": "x", "year": str(YEAR), **NEW})
        assert response.status_code == 403, url
    assert _state(world.ledger) == before


# -- fuzzed ---------------------------------------------------------------------------------------------

FIELDS = (
    "number", "name", "joined", "birth_date", "phone", "blood_type", "role", "credit_limit_rp", "active",
    "sku", "unit", "price_rp", "cost_rp", "reason", "confirm", "year", "what",
)  # fmt: skip
VALUES = st.text(max_size=40) | st.sampled_from(
    ["2026-02-30", "-1", "99999999999999999", "A001", "17.500", "ya", "tidak", "manajer", "2025", "toko", ""]
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(
        ["/members/new", "/members/{n}/edit", "/members/{n}/card", "/members/{n}/login", "/products/new",
         "/products/{s}/edit", "/devices/{d}/revoke", "/yearend", "/members/import"]
    ),
    form=st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=8),
)  # fmt: skip
def test_fuzzed_forms_never_break_nor_write_unless_valid(
    world: World, staf: TestClient, route: str, form: dict[str, str]
) -> None:
    url = (
        route.replace("{n}", world.by_role["anggota"])
        .replace("{s}", world.ledger.products()[0]["sku"])
        .replace("{d}", world.ledger.devices_list()[0]["device"])
    )
    form.pop("confirm", None) if form.get("confirm") == "ya" else None  # a ticked box is a real request
    before = _state(world.ledger)
    response = _post(staf, url, form)
    assert response.status_code in (200, 303, 400, 404), (url, form, response.text[:500])
    if response.status_code >= 400:
        assert _state(world.ledger) == before, (url, form)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.binary(max_size=300),
    boundary=st.sampled_from(["zz", "", "a" * 80, "zz; charset=x", '"zz"']),
    token=st.booleans(),
)
def test_fuzzed_multipart_bodies_never_break(
    world: World, staf: TestClient, body: bytes, boundary: str, token: bool
) -> None:
    """Any bytes sent as an upload are refused or read, never a 500, and never written unless valid."""
    head = b""
    if token:
        value = csrf(staf, "/home").encode()
        head = b'--zz\r\nContent-Disposition: form-data; name="csrftoken"\r\n\r\n' + value + b"\r\n"
    before = _state(world.ledger)
    response = staf.post(
        "/members/import",
        content=head + body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code in (200, 400, 403), response.text[:300]
    assert _state(world.ledger) == before
