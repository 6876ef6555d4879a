"""Sample members' assets and board activity reports for the portal tests (made on first use)."""

from __future__ import annotations

import io
from datetime import date, datetime

from PIL import Image

from central import images
from central.assets import rules, store
from central.boardactivity import store as activity
from central.ledger import Ledger


def jpeg(width: int = 64, height: int = 48, colour: str = "green") -> bytes:
    """A small JPEG, as a phone would send (without EXIF)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG")
    return out.getvalue()


def sample_asset(ledger: Ledger, member: str) -> tuple[int, int]:
    """(asset number, photo number) of an asset of ``member`` with one photo."""
    found = store.listing(ledger, member=member)
    with_photo = [a for a in found if a.photos]
    if with_photo:
        return with_photo[-1].id, with_photo[-1].photos[0]
    entry = rules.check_entry("ternak", "2 ekor kambing", 3_000_000, date(2026, 3, 1))
    number = store.add(ledger, member, entry, by=member, by_member=member, photo=images.normalise(jpeg()))
    return number, store.get(ledger, number).photos[0]


def sample_report(ledger: Ledger, member: str) -> int:
    """A board activity report of ``member`` (a board member) with a photo."""
    today = datetime.now(ledger.config.tz).date()
    found = activity.listing(ledger, today.year, member=member)
    if found:
        return found[0].id
    return activity.file(
        ledger,
        member,
        "rapat",
        "Rapat pengurus bulanan",
        today,
        today=today,
        by=member,
        photo=images.normalise(jpeg()),
    )
