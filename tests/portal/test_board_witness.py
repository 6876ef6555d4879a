"""The board sees each device's witness of the transparency log: the checkpoint it kept, and any device
that flagged a fork, an inconsistent checkpoint or a missing sale, in both languages."""

from __future__ import annotations

import html
import re

from sqlalchemy import update

from central.books import board as bd
from central.ledger import schema
from central.transparency import log as tlog
from central.transparency import witnesses
from sync import witness
from tests.portal.conftest import World, login, set_password


def _text(body: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_board_and_devices_show_the_log_as_devices_witnessed_it(fresh: World) -> None:
    """A device that reported a fork is counted on /board and named with the problem; /devices shows
    each device's witnessed checkpoint (size, signed, how far behind) or that it has not reported."""
    ledger = fresh.ledger
    devices = [str(row["device"]) for row in ledger.devices_list()]
    assert len(devices) >= 2
    good, forked = devices[0], devices[1]
    tlog.prepare(ledger)
    with ledger.write() as conn:
        witnesses.record(conn, good, witness.Report(good, 3, "2026-03-07T10:00:00Z"), now_ts=1_000)
        witnesses.record(
            conn,
            forked,
            witness.Report(forked, 2, "2026-03-07T09:00:00Z", "fork", problems=("fork",)),
            now_ts=1_000,
        )
        witnesses.record(conn, forked, witness.Report(forked, 3, "2026-03-07T10:00:00Z"), now_ts=2_000)
        conn.execute(
            update(schema.members)
            .where(schema.members.c.number == fresh.by_role["anggota"])
            .values(role="ketua")
        )
    set_password(ledger, fresh.by_role["anggota"])
    flagged = [d for d in bd.fleet(ledger) if d.log_flagged]
    assert [d.device for d in flagged] == [forked]  # a later good report does not unflag it
    client = login(fresh.client(), fresh.by_role["anggota"])
    board = client.get("/board")
    assert board.status_code == 200
    assert 'id="bd-log-flagged">1<' in board.text
    assert f"{forked}" in _text(board.text) and "Perangkat yang menandai log" in board.text
    page = _text(client.get("/devices").text)
    assert "ukuran 3, ditandatangani 2026-03-07 17:00" in page  # the cooperative's time (UTC+7)
    assert "belum ada laporan" in page or len(devices) == 2
    client.get("/lang/en?next=/devices")
    english = _text(client.get("/devices").text)
    assert "Log checkpoint witnessed" in english and "Log problems reported" in english
    client.close()
