"""The pure rules of a dispute case (docs/disputes.md): who decides, the one step from open to accepted or
rejected, the reason a rejection needs, the void's wording, and the tallies of the report by clerk and by
device. Plain data in, plain data out: no database, no clock, no key.

A case is the member's ``dispute`` envelope (its id is the case's id: it opens the case, signed, on a
device's or the office's chain) and, once decided, the decision kept beside the ledger. Accepting voids the
disputed sale on the office chain; rejecting changes nothing in the books.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Final

from central.disputes.errors import DecisionRefused

STATES: Final = ("open", "accepted", "rejected")
DECISIONS: Final = ("accept", "reject")
DECIDERS: Final = ("pengawas", "manajer")  # DOMAIN.md: the supervisor or the manager decides
REASON_MIN: Final = 3
REASON_MAX: Final = 200
BY_MAX: Final = 40
NOTE_PREFIX: Final = "sanggahan "  # the void's note: "sanggahan <case id>" (found again after a crash)
VOID_REASON: Final = "sanggahan anggota diterima"
# Text a member or a decider types: no control characters, no lone surrogates (as the envelope refuses).
_BAD_CHARS: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class Case:
    """A dispute case: the member's words against a sale, and the decision once there is one.

    ``sale_*`` describe the disputed sale (None when it is not in the ledger); ``sale_void`` is the id of
    the void of that sale, whoever recorded it. ``void_tx`` is the void an accepted case stands on, and
    ``void_posted`` whether the acceptance posted it (False: the sale was voided already)."""

    id: str
    at: str
    day: str
    member: str | None
    words: str
    recorded_by: str  # the device that recorded the dispute: a kiosk, or the office (the portal)
    sale: str
    sale_at: str | None = None
    sale_day: str | None = None
    sale_unit: str | None = None
    sale_device: str | None = None
    sale_clerk: str | None = None
    sale_payment: str | None = None
    sale_total_rp: int | None = None
    sale_void: str | None = None
    state: str = "open"
    decided_ts: int | None = None
    decided_by: str | None = None
    decided_role: str | None = None
    decision_reason: str | None = None
    void_tx: str | None = None
    void_posted: bool = False

    @property
    def decided(self) -> bool:
        return self.state != "open"

    @property
    def amount_rp(self) -> int:
        """What the member was charged for the disputed sale (0 when the sale is unknown)."""
        return self.sale_total_rp or 0

    @property
    def unit(self) -> str | None:
        return self.sale_unit


def note(case_id: str) -> str:
    """The note of the void that accepting case ``case_id`` posts."""
    return f"{NOTE_PREFIX}{case_id}"


def void_reason(reason: str) -> str:
    """The void's reason: that a dispute was accepted, with the decider's words when there are any."""
    return (f"{VOID_REASON}: {reason}" if reason else VOID_REASON)[:REASON_MAX]


def clean_reason(text: str, *, required: bool) -> str:
    """``text`` on one line; ``DecisionRefused`` when required and shorter than ``REASON_MIN``, longer than
    ``REASON_MAX``, or holding control characters."""
    reason = " ".join((text or "").split())
    if _BAD_CHARS.search(reason):
        raise DecisionRefused(
            "the reason holds control characters; write plain text",
            "alasan berisi karakter kendali; tulis teks biasa",
        )
    if len(reason) > REASON_MAX:
        raise DecisionRefused(
            f"the reason is {len(reason)} characters; at most {REASON_MAX}",
            f"alasan {len(reason)} karakter; paling banyak {REASON_MAX}",
        )
    if required and len(reason) < REASON_MIN:
        raise DecisionRefused(
            "a rejection needs a reason the member reads (a few words)",
            "penolakan perlu alasan yang dibaca anggota (beberapa kata)",
        )
    return reason


def check_decider(role: str) -> None:
    """``DecisionRefused`` unless ``role`` is one of ``DECIDERS``."""
    if role not in DECIDERS:
        raise DecisionRefused(
            f"only {' or '.join(DECIDERS)} decide a dispute, not {role or '-'}",
            f"hanya {' atau '.join(DECIDERS)} yang memutus sanggahan, bukan {role or '-'}",
        )


def check_open(case: Case) -> None:
    """``DecisionRefused`` when ``case`` was decided already (a case is decided once)."""
    if case.decided:
        state_id = {"accepted": "diterima", "rejected": "ditolak"}.get(case.state, case.state)
        raise DecisionRefused(
            f"case {case.id} was {case.state} already by {case.decided_by}; a decision is not changed",
            f"sanggahan {case.id} sudah {state_id} oleh {case.decided_by}; keputusan tidak diubah",
        )


def decide(
    case: Case,
    decision: str,
    *,
    by: str,
    role: str,
    reason: str,
    ts: int,
    void_tx: str | None = None,
    void_posted: bool = False,
) -> Case:
    """``case`` decided: ``accept`` (standing on ``void_tx``, the sale's void) or ``reject`` (with a reason).

    Refused, leaving the case as it was, when the decision is unknown, ``role`` may not decide, ``by`` is
    empty or too long, the case was decided already, a rejection has no reason, or an acceptance names no
    void."""
    if decision not in DECISIONS:
        raise DecisionRefused(
            f"the decision is accept or reject, not {decision!r}",
            f"keputusannya terima (accept) atau tolak (reject), bukan {decision!r}",
        )
    check_decider(role)
    if not by.strip() or len(by) > BY_MAX:
        raise DecisionRefused(
            f"who decides must be named (1 to {BY_MAX} characters)",
            f"yang memutus harus disebut (1 sampai {BY_MAX} karakter)",
        )
    check_open(case)
    text = clean_reason(reason, required=decision == "reject")
    if decision == "accept":
        if void_tx is None:
            raise DecisionRefused(
                "an accepted dispute stands on the sale's void; none was given",
                "sanggahan yang diterima berdasar pembatalan penjualan; tidak ada",
            )
        return replace(
            case,
            state="accepted",
            decided_ts=ts,
            decided_by=by,
            decided_role=role,
            decision_reason=text or None,
            void_tx=void_tx,
            void_posted=void_posted,
            sale_void=void_tx,
        )
    return replace(
        case,
        state="rejected",
        decided_ts=ts,
        decided_by=by,
        decided_role=role,
        decision_reason=text,
        void_tx=None,
        void_posted=False,
    )


# -- the report by clerk and by device ------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """The disputes of one clerk or device: how many and how much, open, accepted and rejected."""

    key: str
    count: int = 0
    amount_rp: int = 0
    open: int = 0
    open_rp: int = 0
    accepted: int = 0
    accepted_rp: int = 0
    rejected: int = 0
    rejected_rp: int = 0

    def add(self, case: Case) -> Tally:
        """This tally with ``case`` counted."""
        amount = case.amount_rp
        bumped = replace(self, count=self.count + 1, amount_rp=self.amount_rp + amount)
        if case.state == "accepted":
            return replace(bumped, accepted=self.accepted + 1, accepted_rp=self.accepted_rp + amount)
        if case.state == "rejected":
            return replace(bumped, rejected=self.rejected + 1, rejected_rp=self.rejected_rp + amount)
        return replace(bumped, open=self.open + 1, open_rp=self.open_rp + amount)

    def row(self) -> dict[str, object]:
        """As a plain row (CSV, JSON, tables)."""
        return {
            "key": self.key,
            "count": self.count,
            "amount_rp": self.amount_rp,
            "open": self.open,
            "open_rp": self.open_rp,
            "accepted": self.accepted,
            "accepted_rp": self.accepted_rp,
            "rejected": self.rejected,
            "rejected_rp": self.rejected_rp,
        }


TALLY_COLUMNS: Final = (
    "key",
    "count",
    "amount_rp",
    "open",
    "open_rp",
    "accepted",
    "accepted_rp",
    "rejected",
    "rejected_rp",
)
UNKNOWN: Final = "-"  # the key of a sale without a clerk (or of a sale not in the ledger)


def by_clerk(case: Case) -> str:
    return case.sale_clerk or UNKNOWN


def by_device(case: Case) -> str:
    return case.sale_device or UNKNOWN


def tally(cases: Iterable[Case], key: Callable[[Case], str]) -> tuple[Tally, ...]:
    """The cases grouped by ``key`` (``by_clerk``, ``by_device``): most cases first, then by key."""
    found: dict[str, Tally] = {}
    for case in cases:
        k = key(case)
        found[k] = found.get(k, Tally(k)).add(case)
    return tuple(sorted(found.values(), key=lambda x: (-x.count, x.key)))


def total(tallies: Iterable[Tally]) -> Tally:
    """The sum of ``tallies`` (key ``*``)."""
    out = Tally("*")
    for x in tallies:
        out = Tally(
            "*",
            out.count + x.count,
            out.amount_rp + x.amount_rp,
            out.open + x.open,
            out.open_rp + x.open_rp,
            out.accepted + x.accepted,
            out.accepted_rp + x.accepted_rp,
            out.rejected + x.rejected,
            out.rejected_rp + x.rejected_rp,
        )
    return out
