"""The SMS pages show what the network reported on each sent message: the log and a member's history say
delivered (with the time the phone got it), not delivered (with the network's reason) or awaiting report;
the queue lists the reports that matched no message; and the pages read well on a phone and a desktop."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from central.notify import daily, outbox
from tests.portal.browser import CHROMIUM, logged_in_pages
from tests.portal.conftest import World, login


def _sent(world: World) -> dict[str, int]:
    """Three members' messages sent now (references 11, 12, 13); the first delivered, the second given up
    by the network, the third still waiting; one report for a reference nobody sent. Once per module."""
    ledger = world.ledger
    made = {m.member: m.id for m in outbox.listing(ledger) if m.kind == "announce" and m.state == "sent"}
    if len(made) == 3:
        return made
    members = sorted(m["number"] for m in ledger.members())[:3]
    now = int(time.time())
    daily.announce(ledger, "members:" + ",".join(members), "Rapat anggota tahunan Sabtu jam 9.", "test", now)
    queued = {m.member: m for m in outbox.listing(ledger) if m.member in members and m.state == "queued"}
    for reference, member in enumerate(members, start=11):
        message = queued[member]
        assert outbox.claim(ledger, message.id, now)
        outbox.part_sent(ledger, message.id, 1, now, reference=reference, phone=message.phone)
        outbox.finish(ledger, message.id, now, "sent", "")
    for reference, status in ((11, 0), (12, 67)):
        phone = queued[members[reference - 11]].phone or ""
        outbox.record_report(
            ledger,
            reference=reference,
            recipient=phone,
            centre_ts=now,
            discharge_ts=now + 60,
            status=status,
            now_ts=now + 60,
        )
    outbox.record_report(
        ledger,
        reference=200,
        recipient="+6281999999999",
        centre_ts=now,
        discharge_ts=now,
        status=0,
        now_ts=now,
    )
    return {member: queued[member].id for member in members}


def test_the_log_and_a_message_show_the_delivery_state(world: World) -> None:
    """The office's log says delivered / not delivered with the reason / awaiting report per message, the
    message page explains what 'sent' means, and the unmatched report is listed."""
    made = _sent(world)
    first, second, third = sorted(made)
    client = login(world.client(), world.by_role["staf"])
    page = client.get("/notify").text
    assert "diterima ponsel" in page and "tidak sampai" in page
    assert "nomor tidak dapat dihubungi" in page and "menunggu laporan" in page
    assert "Laporan kirim tanpa pesan" in page and "+6281999999999" in page
    message = client.get(f"/notify/messages/{made[second]}").text
    assert "tidak sampai" in message and "72 jam" in message
    english = client.get(f"/notify/messages/{made[first]}", headers={"Accept-Language": "en"})
    assert english.status_code == 200
    assert "report" in client.get(f"/notify/messages/{made[third]}").text


def test_a_member_sees_the_delivery_of_their_own_messages(world: World) -> None:
    """A member's own history carries the delivery state of each message."""
    made = _sent(world)
    member = sorted(made)[0]
    client = login(world.client(), member)
    history = client.get(f"/notify/members/{member}")
    assert history.status_code == 200 and "diterima ponsel" in history.text


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)")
def test_the_log_at_phone_and_desktop_size(world: World, base_url: str, tmp_path: Path) -> None:
    """The queue with its delivery column and one message's page, screenshots at both sizes."""
    made = _sent(world)
    second = sorted(made)[1]
    with logged_in_pages(base_url, world.by_role["staf"]) as pages:
        for size, page in pages:
            page.goto(f"{base_url}/notify")
            assert "tidak sampai" in page.inner_text("main")
            page.screenshot(path=str(tmp_path / f"{size}-notify.png"), full_page=True)
            page.goto(f"{base_url}/notify/messages/{made[second]}")
            assert "nomor tidak dapat dihubungi" in page.inner_text("main")
            page.screenshot(path=str(tmp_path / f"{size}-notify-message.png"), full_page=True)
            page.context.close()
    assert len(list(tmp_path.glob("*.png"))) == 4
