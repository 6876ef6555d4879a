"""A general-journal entry with a receipt photo in a portal test ledger, for the pages' path parameters
``{entry}`` and ``{receipt}`` (made on first use)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from PIL import Image

from central import images
from central.journal import store
from central.journal.rules import Line
from central.ledger import Ledger

DAY = date(2026, 3, 15)


def receipt_bytes(size: tuple[int, int] = (1200, 1600)) -> bytes:
    """A phone's photo of a paper receipt: a light page with a few dark rows of print."""
    image = Image.new("RGB", size, (246, 244, 236))
    for row in range(8):
        top = 160 + row * 150
        image.paste((40, 40, 40), (120, top, size[0] - 120 - (row % 3) * 180, top + 40))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


@dataclass(frozen=True)
class Sample:
    entry: int
    receipt: int


def sample_entry(ledger: Ledger) -> Sample:
    """The sample draft (an electricity bill drafted by office staff, with its receipt's photo)."""
    made = [e for e in store.listing(ledger) if e.description == "Listrik kantor Maret" and e.photos]
    if not made:
        made = [
            store.draft(
                ledger,
                day=DAY,
                description="Listrik kantor Maret",
                kind="expense",
                lines=[Line("5702", 412_500, 0, "PLN pascabayar"), Line("1101", 0, 412_500, "")],
                by="test",
                role="staf",
                photos=[images.normalise(receipt_bytes())],
            )
        ]
    return Sample(made[0].id, made[0].photos[0].id)
