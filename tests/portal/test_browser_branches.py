"""The branches compared in a real browser (Debian's Chromium) at a phone and a desktop size: the manager
opens a month's comparison and sees each branch and the consolidated line, then one branch's hand-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync import envelope as wire
from tests.central.helpers import Device
from tests.portal.browser import CHROMIUM, logged_in_pages
from tests.portal.conftest import World

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium); `make test` installs it",
)


def _branch_shops(world: World) -> None:
    """Two branch shops (bogor, depok) beside the sample's, each with a sale and a hand-in in March."""
    envs = []
    for name, branch, qty, short in (("toko-bgr", "bogor", 3, 2_000), ("toko-dpk", "depok", 1, 0)):
        dev = Device(name)
        world.ledger.devices_add(name, wire.public_key_text(dev.key.public_key()), "toko", branch)
        sale = dev.sale(member=None, qty=qty, clerk="k1", at="2026-03-10T09:00:00+07:00")
        envs += [
            sale,
            dev.make(
                "handin",
                at="2026-03-10T15:00:00+07:00",
                clerk="k1",
                total=sale["total"] - short,
                expected_rp=sale["total"],
                counted_rp=sale["total"] - short,
                **{"from": "2026-03-10T07:00:00+07:00", "to": "2026-03-10T15:00:00+07:00"},
            ),
        ]
    assert not world.ledger.ingest(envs).rejected


def test_manager_compares_the_branches_at_phone_and_desktop_size(
    world: World, base_url: str, tmp_path: Path
) -> None:
    """The month is kept in the URL; the hand-ins page keeps the chosen branch; screenshots at each size."""
    _branch_shops(world)
    with logged_in_pages(base_url, world.by_role["manajer"]) as pages:
        for size, page in pages:
            page.goto(f"{base_url}/branches?month=2026-03")
            assert "Perbandingan cabang" in page.inner_text("h1")
            body = page.inner_text("main")
            assert "bogor" in body and "depok" in body and "Jumlah (konsolidasi)" in body
            page.screenshot(path=str(tmp_path / f"{size}-branches.png"), full_page=True)
            page.goto(f"{base_url}/handins?day=2026-03-10&branch=bogor")
            assert "toko-bgr" in page.inner_text("main") and "toko-dpk" not in page.inner_text("main")
            page.screenshot(path=str(tmp_path / f"{size}-handins-bogor.png"), full_page=True)
