"""What became of a sent SMS, from the network's status reports on its parts. Pure: plain data in, a
``Delivery`` out (the outbox reads the rows, ``central.notify.outbox.deliveries``).

A message the modem took is ``sent``: the network has it, the phone may not. Each part asked for a status
report (``drivers.smsreport``); from the reports on its parts the message is

- ``delivered`` when every part was received by the phone (the time is the last part's discharge time);
- ``not delivered`` when the network gave up on any part (TP-ST 64 and up), with the network's reason;
- ``sent`` while it waits (no report yet, or "still trying", TP-ST 32..63, whose reason is shown);
- ``no report`` once ``[notify] report_wait_h`` has passed without a final report: a report may never come
  (some networks send none, a modem may lose one), so the office is not left waiting for ever.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from drivers.smsreport import describe, outcome

DELIVERY_STATES: Final = ("sent", "delivered", "not delivered", "no report")
LABELS: Final[dict[str, tuple[str, str]]] = {  # (Indonesian, English)
    "sent": ("menunggu laporan", "awaiting report"),
    "delivered": ("diterima ponsel", "delivered"),
    "not delivered": ("tidak sampai", "not delivered"),
    "no report": ("tanpa laporan", "no report"),
}


@dataclass(frozen=True)
class PartReport:
    """One sent part and the latest report on it (``status`` None until one came)."""

    part: int
    reference: int
    status: int | None = None
    discharge_ts: int | None = None


@dataclass(frozen=True)
class Delivery:
    """A sent message's delivery state, when it was reached (delivered or given up), and the network's
    reason in Indonesian and English (empty when there is none)."""

    state: str
    at_ts: int | None = None
    reason_id: str = ""
    reason_en: str = ""

    def label(self, lang: str) -> str:
        indonesian, english = LABELS[self.state]
        return english if lang == "en" else indonesian

    def reason(self, lang: str) -> str:
        return self.reason_en if lang == "en" else self.reason_id


def delivery(
    sent_ts: int, parts_sent: int, parts: Sequence[PartReport], now_ts: int, wait_s: int
) -> Delivery:
    """The delivery state of a message sent at ``sent_ts`` in ``parts_sent`` parts (module docstring)."""
    assert wait_s > 0
    failed = [p for p in parts if p.status is not None and outcome(p.status) == "failed"]
    if failed:
        first = min(failed, key=lambda p: p.part)
        assert first.status is not None
        meaning = describe(first.status)
        return Delivery("not delivered", first.discharge_ts, meaning.id, meaning.en)
    done = {p.part: p for p in parts if p.status is not None and outcome(p.status) == "delivered"}
    if parts_sent > 0 and len(done) >= parts_sent:
        times = [p.discharge_ts for p in done.values() if p.discharge_ts is not None]
        return Delivery("delivered", max(times) if times else None)
    trying = [p for p in parts if p.status is not None and outcome(p.status) == "pending"]
    reason_id = reason_en = ""
    if trying:
        assert trying[-1].status is not None
        meaning = describe(trying[-1].status)
        reason_id, reason_en = f"masih dicoba: {meaning.id}", f"still trying: {meaning.en}"
    state = "no report" if now_ts - sent_ts >= wait_s else "sent"
    return Delivery(state, None, reason_id, reason_en)
