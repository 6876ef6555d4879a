"""The transparency log's public pages: the latest checkpoint, its machine forms, proofs that verify with
the standalone verifier, privacy of other members' envelopes, and the receipt check's inclusion line."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from central import cli
from central.ledger import schema
from central.transparency import verify
from sync import checkpoint as note
from tests.portal.conftest import World, login


@pytest.fixture(scope="module")
def logged(world: World) -> Iterator[World]:
    """The module's world with the log set up, as `central transparency init` does it."""
    assert cli.main(["--db", world.ledger.target, "transparency", "init"]) == 0
    yield world


def _sale(world: World, member: str | None) -> tuple[str, dict[str, object]]:
    t = schema.transactions
    where = t.c.member.is_(None) if member is None else t.c.member == member
    with world.ledger.read() as conn:
        ident, body = conn.execute(
            select(t.c.id, t.c.body).where(t.c.kind == "sale", where).order_by(t.c.ts).limit(1)
        ).one()
    return str(ident), json.loads(body)


def _qr(env: dict[str, object]) -> str:
    raw = base64.b64decode(str(env["sig"]))
    return f"KOP1|{env['id']}|{base64.b32encode(raw[:16]).decode().rstrip('=')}"


def test_before_init_the_page_says_so(fresh: World) -> None:
    """With no checkpoint yet the page says how the office sets it up; the machine URL sends there."""
    client = fresh.client()
    page = client.get("/log")
    assert page.status_code == 200 and "transparency init" in page.text
    assert client.get("/log/checkpoint", follow_redirects=False).headers["location"] == "/log"


def test_anybody_reads_the_latest_checkpoint_and_key(logged: World) -> None:
    """Not logged in: the page shows size and key; /log/checkpoint is the signed note that /log/key
    verifies; a size that was never signed is 404, a size that is no number 400."""
    client = logged.client()
    key = client.get("/log/key").text.strip()
    verifier = note.parse_verifier(key)
    signed = client.get("/log/checkpoint")
    assert signed.headers["content-type"].startswith("text/plain")
    cp = verify.checkpoint(signed.text, verifier)
    with logged.ledger.read() as conn:
        count = len(conn.execute(select(schema.transactions.c.id)).all())
    assert cp.size == count
    page = client.get("/log")
    assert key in page.text and cp.root.hex() in page.text
    assert client.get(f"/log/checkpoint?size={cp.size}").text == signed.text
    assert client.get("/log/checkpoint?size=999999999").status_code == 404
    assert client.get("/log/checkpoint?size=abc").status_code == 400


def test_an_inclusion_proof_hides_another_members_envelope(logged: World) -> None:
    """Anybody gets a member's proof as leaf hash only (it verifies); the member themself gets the
    envelope, and with it the receipt check; a walk-in's sale shows its envelope to anybody."""
    key = note.parse_verifier(logged.client().get("/log/key").text)
    member = logged.by_role["anggota"]
    tx, env = _sale(logged, member)
    anonymous = logged.client().get(f"/log/inclusion?tx={tx}").json()
    assert anonymous["envelope"] is None
    assert not verify.inclusion(anonymous, key).envelope
    own = login(logged.client(), member).get(f"/log/inclusion?tx={tx}").json()
    assert json.loads(own["envelope"])["member"] == member
    assert verify.inclusion(own, key, receipt=_qr(env)).index == anonymous["index"]
    walk_in, _ = _sale(logged, None)
    assert logged.client().get(f"/log/inclusion?tx={walk_in}").json()["envelope"] is not None
    missing = logged.client().get("/log/inclusion?tx=nope:1")
    assert missing.status_code == 404 and "error" in missing.json()
    assert logged.client().get("/log/inclusion", follow_redirects=False).status_code == 303


def test_a_consistency_proof_links_an_old_checkpoint_to_the_new(logged: World) -> None:
    """After more transactions and a new checkpoint, /log/consistency proves the old tree a prefix."""
    client = logged.client()
    key = note.parse_verifier(client.get("/log/key").text)
    old = client.get("/log/checkpoint").text
    old_size = verify.checkpoint(old, key).size
    assert cli.main(["--db", logged.ledger.target, "transparency", "checkpoint"]) == 0
    bundle = client.get(f"/log/consistency?from={old_size}").json()
    got_old, got_new = verify.consistency(bundle, key, old_signed=old)
    assert got_old.size == old_size <= got_new.size
    assert client.get("/log/consistency?from=x").status_code == 400


def test_the_receipt_check_shows_the_inclusion(logged: World) -> None:
    """A member checking their receipt sees its position and checkpoint, the proof verified."""
    member = logged.by_role["anggota"]
    _, env = _sale(logged, member)
    client = login(logged.client(), member)
    page = client.get("/receipt", params={"qr": _qr(env)})
    assert page.status_code == 200
    assert "Tercatat di buku pada posisi" in page.text and "/log/inclusion?tx=" in page.text
