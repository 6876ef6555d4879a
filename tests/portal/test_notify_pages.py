"""The SMS pages: the office writes an announcement, sees the count of recipients and the text before
sending, and sends exactly what it previewed; the queue and a message's log with its states; retry and
cancel need the number typed back; a member reads their own messages and sets their own choices."""

from __future__ import annotations

import re

from central.notify import outbox
from tests.portal.conftest import World, csrf, login


def _token(client: object, path: str) -> str:
    return csrf(client, path)  # type: ignore[arg-type]


def test_an_announcement_is_previewed_with_its_count_then_sent(world: World) -> None:
    """The preview names the number of recipients and the text and queues nothing; sending with that
    count queues one message per recipient; a count that no longer matches is refused."""
    client = login(world.client(), world.by_role["staf"])
    token = _token(client, "/notify/announce")
    before = outbox.counts(world.ledger)["queued"]
    shown = client.post(
        "/notify/announce",
        data={
            "csrftoken": token,
            "to": "role:ketua",
            "text": "Rapat pengurus Senin jam 9",
            "action": "preview",
        },
    )
    assert shown.status_code == 200
    assert "1 anggota akan menerima pesan ini" in shown.text and "Rapat pengurus Senin jam 9" in shown.text
    assert outbox.counts(world.ledger)["queued"] == before
    wrong = client.post(
        "/notify/announce",
        data={
            "csrftoken": token,
            "to": "role:ketua",
            "text": "Rapat pengurus Senin jam 9",
            "action": "send",
            "count": "7",
        },
    )
    assert wrong.status_code == 400 and "berubah sejak pratinjau" in wrong.text
    sent = client.post(
        "/notify/announce",
        data={
            "csrftoken": token,
            "to": "role:ketua",
            "text": "Rapat pengurus Senin jam 9",
            "action": "send",
            "count": "1",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/notify"
    mine = outbox.listing(world.ledger, member=world.by_role["ketua"])
    assert any("Rapat pengurus Senin jam 9" in m.text for m in mine)
    bad = client.post(
        "/notify/announce", data={"csrftoken": token, "to": "role:raja", "text": "x", "action": "preview"}
    )
    assert bad.status_code == 400 and "raja" in bad.text and "tidak dikenal" in bad.text


def test_the_queue_and_a_message_with_retry_and_cancel(world: World) -> None:
    """The office sees the count per state and the message's log; cancel without the number typed back
    changes nothing; with it the message is cancelled, and retry queues it again."""
    client = login(world.client(), world.by_role["staf"])
    message = outbox.listing(world.ledger, state="queued")[0].id
    page = client.get("/notify")
    assert page.status_code == 200 and "antre:" in page.text and f"/notify/messages/{message}" in page.text
    token = _token(client, f"/notify/messages/{message}")
    refused = client.post(f"/notify/messages/{message}/cancel", data={"csrftoken": token})
    assert refused.status_code == 400 and outbox.get(world.ledger, message).state == "queued"
    done = client.post(
        f"/notify/messages/{message}/cancel",
        data={"csrftoken": token, "confirm": str(message)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and outbox.get(world.ledger, message).state == "cancelled"
    client.post(f"/notify/messages/{message}/retry", data={"csrftoken": token, "confirm": str(message)})
    assert outbox.get(world.ledger, message).state == "queued"
    log = client.get(f"/notify/messages/{message}").text
    assert re.search(r"cancelled</td><td>by ", log) and re.search(r"retried</td><td>by ", log)
    assert client.get("/notify/messages/999999").status_code == 404


def test_a_member_reads_their_messages_and_sets_their_choices(world: World) -> None:
    """A member's own history shows their texts; they opt out of birthday greetings and agree to donor
    calls; arrears notices are not offered; an incomplete form changes nothing."""
    number = world.by_role["anggota"]
    staff = login(world.client(), world.by_role["staf"])
    token = _token(staff, "/notify/announce")
    staff.post(
        "/notify/announce",
        data={
            "csrftoken": token,
            "to": f"members:{number}",
            "text": "Kartu anggota baru siap",
            "action": "send",
            "count": "1",
        },
    )
    client = login(world.client(), number)
    history = client.get(f"/notify/members/{number}")
    assert history.status_code == 200 and "Kartu anggota baru siap" in history.text
    page = client.get("/notify/settings")
    assert page.status_code == 200 and 'name="birthday"' in page.text and 'name="arrears"' not in page.text
    token = _token(client, "/notify/settings")
    assert client.post("/notify/settings", data={"csrftoken": token}).status_code == 400
    assert outbox.consent_of(world.ledger, number)["birthday"] is True
    kept = {"wajib": "1", "installment": "1", "deposit": "1", "announce": "1", "blood": "1"}
    done = client.post(
        "/notify/settings", data={"csrftoken": token, "choices": "1", **kept}, follow_redirects=False
    )
    assert done.status_code == 303
    assert outbox.consent_of(world.ledger, number) == {
        "wajib": True,
        "installment": True,
        "birthday": False,
        "deposit": True,
        "announce": True,
        "blood": True,
    }
