"""The board's view of the devices witnessing the transparency log, in a real browser at a phone's and a
desktop's size: a device that flagged a fork stands out on /board and on /devices."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from central.transparency import log as tlog
from central.transparency import witnesses
from sync import witness
from tests.portal.browser import CHROMIUM, logged_in_pages
from tests.portal.conftest import World, set_password

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium); `make test` installs it",
)


def test_a_flagged_device_stands_out_on_the_board(world: World, base_url: str, tmp_path: Path) -> None:
    """Pages are waited for by their URL and an element, never by sleeping; screenshots of both sizes."""
    ledger = world.ledger
    devices = [str(row["device"]) for row in ledger.devices_list()]
    tlog.prepare(ledger)
    with ledger.write() as conn:
        for device in devices[:-1]:
            witnesses.record(conn, device, witness.Report(device, 120, "2026-03-31T16:00:00Z"))
        forked = devices[-1]
        report = witness.Report(forked, 118, "2026-03-31T15:00:00Z", "fork", problems=("fork",))
        witnesses.record(conn, forked, report)
    ketua = world.by_role["ketua"]
    set_password(world.ledger, ketua)
    keep = os.environ.get("KOP_SCREENSHOTS")
    with logged_in_pages(base_url, ketua) as pages:
        for size, page in pages:
            for name, url, mark in (
                ("board", "/board", "#bd-log-flags"),
                ("devices", "/devices", f"#d-{forked}"),
            ):
                page.goto(f"{base_url}{url}")
                page.wait_for_selector(mark)
                assert forked in page.inner_text(mark)
                path = tmp_path / f"witness-{name}-{size}.png"
                if name == "board":
                    page.screenshot(path=str(path), full_page=True)
                else:
                    page.locator(mark).screenshot(path=str(path))
                if keep:
                    Path(keep).mkdir(parents=True, exist_ok=True)
                    shutil.copy(path, Path(keep) / path.name)
