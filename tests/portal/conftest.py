"""Fixtures for the portal: a ledger with a sample month, one member per role, logins, and a client."""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import uvicorn
from argon2 import PasswordHasher
from sqlalchemy import select, update
from starlette.testclient import TestClient

from central import config, images, sample
from central.ledger import Ledger, quarantine, schema
from central.loans import applications as apps
from central.members.rows import ROLES
from central.office import identity
from central.portal import Settings, accounts, create_app
from tests.central.conftest import PRODUCT

PASSWORD = "rahasia-123"
STAFF_LOGIN = "KANTOR1"
# Cheap argon2id parameters: the tests log in hundreds of times on a shared 2-core machine.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass(frozen=True)
class World:
    """A ledger with a month of sample data, and the login of one member per role."""

    ledger: Ledger
    by_role: dict[str, str]  # role -> login (member number, or the staff account for "staf")
    settings: Settings

    def client(self) -> TestClient:
        return TestClient(create_app(self.ledger, self.settings), base_url="http://testserver")

    def sample(self, param: str, role: str) -> str:
        """A value that exists for the path parameter ``param`` of a route, as ``role`` would open it:
        their own member number and their own sale (staff, who are no member: the other member's)."""
        own = self.by_role.get(role, self.by_role["other"])
        number = own if role != "staf" else self.by_role["other"]
        if param == "code":
            return "en"
        if param == "number":
            return number
        if param == "sale":
            t = schema.transactions
            with self.ledger.read() as conn:
                found = conn.execute(
                    select(t.c.id).where(t.c.kind == "sale", t.c.member == number).order_by(t.c.ts).limit(1)
                ).scalar()
            assert found, f"member {number} has no sale in the sample"
            return str(found)
        if param == "item":
            return str(quarantine.list_entries(self.ledger)[0].qid)
        if param == "device":
            return str(self.ledger.devices_list()[0]["device"])
        if param == "sku":
            return str(self.ledger.products()[0]["sku"])
        if param == "app":
            return str(_application(self.ledger))
        if param == "count":
            return str(_stock_count(self.ledger))
        if param == "change":
            return str(_price_change(self.ledger))
        if param == "message":
            return str(_sms_message(self.ledger))
        if param == "case":
            return str(_dispute(self.ledger))
        if param in ("entry", "receipt"):
            from tests.portal.journal_sample import sample_entry

            return str(getattr(sample_entry(self.ledger), param))
        if param in ("asset", "asset_photo"):
            from tests.portal.assets_sample import sample_asset

            return str(sample_asset(self.ledger, number)[0 if param == "asset" else 1])
        if param == "report":
            from tests.portal.assets_sample import sample_report

            return str(sample_report(self.ledger, self.by_role["ketua"]))
        if param in ("group", "meeting", "visit", "photo"):
            return str(getattr(_fgs(self), param))
        raise AssertionError(f"no sample value for the path parameter {{{param}}}")


def portal_config() -> config.Config:
    """The default config with a loan product, so the loan pages have something to show."""
    return config.parse(config.merge_over_defaults(config._default_raw(), {"loans": {"products": [PRODUCT]}}))


def _stock_count(ledger: Ledger) -> int:
    """A stock count's number (an open count of the toko, started on first use)."""
    from central.stock import counts

    made = counts.listing(ledger)
    return made[0].id if made else counts.start(ledger, "toko", by="test").id


def _price_change(ledger: Ledger) -> int:
    """A price change's number (one waiting a year ahead for the first product, made on first use)."""
    from central.stock import prices

    made = prices.listing(ledger, limit=1)
    if made:
        return made[0].id
    today = date.today()
    sku = str(ledger.products()[0]["sku"])
    return prices.change(ledger, sku, 12_345, from_day=today + timedelta(days=365), today=today, by="test").id


def _sms_message(ledger: Ledger) -> int:
    """An SMS outbox message's number (an announcement to the first member, queued on first use)."""
    from central.notify import daily, outbox

    made = outbox.listing(ledger, limit=1)
    if made:
        return made[0].id
    first = ledger.members()[0]["number"]
    daily.announce(ledger, f"members:{first}", "Kantor tutup hari Senin.", "test", 1_770_000_000)
    return outbox.listing(ledger, limit=1)[0].id


def photo_bytes(size: tuple[int, int] = (800, 600), fmt: str = "JPEG") -> bytes:
    """A small picture as a phone would send it."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (40, 120, 70)).save(out, fmt)
    return out.getvalue()


@dataclass(frozen=True)
class _Fgs:
    group: int
    meeting: int
    visit: int
    photo: int


def _fgs(world: World) -> _Fgs:
    """A group led by the kader with every role's member in it (so each may open it), one meeting and one
    visit report with a photo (made on first use)."""
    from central.groups import store

    if "kader" not in world.by_role:  # a small world: requests there are refused before a page looks
        return _Fgs(1, 1, 1, 1)
    ledger = world.ledger
    found = [g for g in store.groups(ledger) if g.name == "FGS Contoh"]
    if found:
        group = found[0]
    else:
        group = store.create(ledger, "FGS Contoh", "Sukamaju", world.by_role["kader"], by="test")
        members = [n for r, n in world.by_role.items() if r not in ("kader", "staf", "other")]
        group = store.add_members(ledger, group.id, members, by="test")
    held = store.meetings(ledger, group.id)
    meeting = held[-1] if held else store.file_meeting(
        ledger, group.id, day="2026-03-10", place="Balai desa", agenda="Arisan", notes="", present=[],
        by="test", today=date(2026, 3, 31),
    )  # fmt: skip
    reports = store.visits(ledger, cadre=world.by_role["kader"])
    if not reports:
        reports = [
            store.file_visit(
                ledger,
                world.by_role["kader"],
                f"g:{group.id}",
                day="2026-03-11",
                text="Kunjungan contoh",
                photo=images.normalise(photo_bytes()),
                today=date(2026, 3, 31),
            )
        ]
    visit = reports[-1]
    return _Fgs(group.id, meeting.id, visit.id, visit.photos[0])


def _dispute(ledger: Ledger) -> str:
    """A dispute case's id: the newest dispute of the sample month (the sample records a few)."""
    t = schema.transactions
    with ledger.read() as conn:
        found = conn.execute(
            select(t.c.id).where(t.c.kind == "dispute").order_by(t.c.ts.desc(), t.c.id.desc()).limit(1)
        ).scalar()
    assert found, "the sample month has no dispute"
    return str(found)


def _application(ledger: Ledger) -> int:
    """A loan application's id (made on first use, for a member who owes nothing on a loan)."""
    made = apps.listing(ledger)
    if made:
        return made[-1].id
    with ledger.read() as conn:
        free = next(
            m["number"]
            for m in ledger.members()
            if m["active"] and apps.loans_owed_rp(conn, m["number"], ledger.config.posting.loans) == 0
        )
    return apps.apply(ledger, free, "umum", 1_000_000, 6, "modal usaha", by="test").id


def csrf(client: TestClient, path: str = "/login") -> str:
    """The form's CSRF token, as a browser would read it from the page."""
    page = client.get(path)
    found = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    token = csrf(client)
    response = client.post(
        "/login", data={"csrftoken": token, "login": name, "password": password}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return client


def set_password(ledger: Ledger, name: str, *, staff_role: str | None = None) -> None:
    """Issue a login and activate it with ``PASSWORD`` (the office's code and the member's first visit)."""
    issued = accounts.issue_login(ledger, CHEAP, name, staff_role=staff_role, by="test")
    accounts.activate(
        ledger, CHEAP, name, issued.code, password=PASSWORD, confirm=PASSWORD, address="127.0.0.1"
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One ledger per test module: March 2026 of sample data, members A001.. given every role in turn, and
    the office set up (its key beside the ledger, passed to the portal)."""
    path = tmp_path_factory.mktemp("portal") / "ledger.sqlite"
    data = sample.generate(seed=7, start=date(2026, 3, 1), end=date(2026, 3, 31), members=20, per_day=25)
    with Ledger.open(str(path)) as ledger:
        ledger.init(portal_config())
        sample.load_into(ledger, data)
        ledger.ingest(data.envelopes)
        ledger.ingest([{"v": 99, "note": "not an envelope"}])  # one quarantined item for the board's pages
        numbers = sorted(m["number"] for m in ledger.members())
        by_role: dict[str, str] = {}
        member_roles = [r for r in ROLES if r != "staf"]
        with ledger.write() as conn:
            for number, role in zip(numbers, [*member_roles, *["anggota"] * len(numbers)], strict=False):
                conn.execute(
                    update(schema.members).where(schema.members.c.number == number).values(role=role)
                )
                by_role.setdefault(role, number)
        by_role["staf"] = STAFF_LOGIN
        for role, name in by_role.items():
            set_password(ledger, name, staff_role="staf" if role == "staf" else None)
        # a second plain member, to be the "other member" of the privacy tests
        other = next(n for n in numbers if n not in by_role.values())
        set_password(ledger, other)
        by_role["other"] = other
        # the office, as `central office init` sets it up: disputes are signed on its chain
        key = identity.key_path(str(path))
        identity.init(ledger, key)
        yield World(ledger, by_role, Settings(hasher=CHEAP, office_key=key))


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[World]:
    """A small ledger of its own (for tests that lock accounts or change passwords)."""
    data = sample.generate(seed=3, start=date(2026, 3, 1), end=date(2026, 3, 7), members=5, per_day=5)
    with Ledger.open(str(tmp_path / "ledger.sqlite")) as ledger:
        ledger.init(portal_config())
        sample.load_into(ledger, data)
        ledger.ingest(data.envelopes)
        numbers = sorted(m["number"] for m in ledger.members())
        with ledger.write() as conn:
            conn.execute(update(schema.members).values(role="anggota"))
        for number in numbers[:2]:
            set_password(ledger, number)
        yield World(ledger, {"anggota": numbers[0], "other": numbers[1]}, Settings(hasher=CHEAP))


@pytest.fixture(scope="module")
def base_url(world: World) -> Iterator[str]:
    """The module's portal served by uvicorn on a free loopback port, in a thread (started within a
    deadline), for the browser tests."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(world.ledger, world.settings), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
