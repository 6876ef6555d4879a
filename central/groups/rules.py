"""The groups' pure rules: what a group, a meeting and a visit report must hold, and attendance rates.

Plain data in, plain data out: no database, no clock (``today`` is passed in). ``central.groups.store``
calls these before it writes, and the portal and the command line show their refusals.

Attendance is kept per meeting for each member of the group *at that meeting* (present or not), so a
member who joins in June is not counted absent from the group's meetings in March, and a member who leaves
keeps the record of the meetings they had. A member's rate over a period is the meetings they attended
over the meetings held for them; a group's rate is the attendances over the places at its meetings (each
meeting weighs by how many members it had), so it lies between its members' lowest and highest rates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Final

from central.groups.errors import GroupError

MAX_NAME: Final = 80
MAX_VILLAGE: Final = 80
MAX_PLACE: Final = 120
MAX_AGENDA: Final = 600
MAX_NOTES: Final = 2000
MAX_REPORT: Final = 2000
MAX_PHOTOS: Final = 4  # photos per visit report, each sent on its own (a slow link loses one at a time)
MAX_GROUP_MEMBERS: Final = 200
CADRE_ROLE: Final = "kader"


def clean(text: str | None) -> str:
    """``text`` with its runs of spaces made one and its ends trimmed (what is stored and compared)."""
    return " ".join((text or "").split())


def clean_block(text: str | None) -> str:
    """Multi-line ``text`` (notes, a report) with each line trimmed and runs of empty lines made one."""
    lines = [" ".join(line.split()) for line in (text or "").replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def village_key(village: str) -> str:
    """The village as compared: ``Sukamaju`` and `` sukamaju `` are the same place."""
    return clean(village).casefold()


def _bounded(value: str, most: int, en: str, id_: str, *, required: bool = True) -> str:
    if required and not value:
        raise GroupError(f"{en} is missing", f"{id_} belum diisi")
    if len(value) > most:
        raise GroupError(
            f"{en} is {len(value)} characters; at most {most}",
            f"{id_} {len(value)} karakter; paling banyak {most}",
        )
    return value


def check_group(name: str, village: str, cadre: str, cadre_role: str | None) -> tuple[str, str]:
    """The group's name and village as stored, or ``GroupError``: both given and bounded, and the cadre a
    member whose role is ``kader`` (``cadre_role`` None: no such member)."""
    name = _bounded(clean(name), MAX_NAME, "the group's name", "nama kelompok")
    village = _bounded(clean(village), MAX_VILLAGE, "the village", "desa")
    if cadre_role is None:
        raise GroupError(f"no member numbered {cadre!r}", f"tidak ada anggota bernomor {cadre!r}")
    if cadre_role != CADRE_ROLE:
        raise GroupError(
            f"member {cadre} is not a cadre (role {cadre_role}); give them the role kader first",
            f"anggota {cadre} bukan kader (peran {cadre_role}); beri peran kader dulu",
        )
    return name, village


def check_day(text: str, today: date, what_en: str = "the date", what_id: str = "tanggal") -> date:
    """A date like 2026-03-31, not after ``today``; or ``GroupError``."""
    try:
        day = date.fromisoformat(clean(text))
    except ValueError:
        raise GroupError(
            f"{what_en} {text!r} is not a date like 2026-03-31",
            f"{what_id} {text!r} bukan tanggal seperti 2026-03-31",
        ) from None
    if day > today:
        raise GroupError(
            f"{what_en} {day.isoformat()} is in the future; record it on the day or after",
            f"{what_id} {day.isoformat()} belum tiba; catat pada harinya atau sesudahnya",
        )
    return day


@dataclass(frozen=True)
class MeetingForm:
    """A meeting as filed: its day, place, agenda, notes and who of the group's members were there."""

    day: date
    place: str
    agenda: str
    notes: str
    present: frozenset[str]


def check_meeting(
    day: str,
    *,
    place: str,
    agenda: str,
    notes: str,
    present: Iterable[str],
    members: Iterable[str],
    today: date,
) -> MeetingForm:
    """The meeting as stored, or ``GroupError``: a past or today's date, a place and an agenda, and
    everybody ticked a member of the group."""
    when = check_day(day, today, "the meeting's date", "tanggal pertemuan")
    where = _bounded(clean(place), MAX_PLACE, "the place", "tempat")
    what = _bounded(clean_block(agenda), MAX_AGENDA, "the agenda", "acara")
    said = _bounded(clean_block(notes), MAX_NOTES, "the notes", "catatan", required=False)
    ticked = frozenset(present)
    strangers = sorted(ticked - set(members))
    if strangers:
        raise GroupError(
            f"not members of this group: {', '.join(strangers)}",
            f"bukan anggota kelompok ini: {', '.join(strangers)}",
        )
    return MeetingForm(when, where, what, said, ticked)


def check_report(text: str, day: str, today: date) -> tuple[str, date]:
    """A visit report's text and date as stored, or ``GroupError``."""
    body = _bounded(clean_block(text), MAX_REPORT, "the report", "laporan")
    return body, check_day(day, today, "the visit's date", "tanggal kunjungan")


def month_of(text: str) -> str | None:
    """``2026-03`` for a month like that, else None."""
    try:
        return date.fromisoformat(clean(text) + "-01").isoformat()[:7]
    except ValueError:
        return None


# ---- attendance -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One member's place at one meeting: there or not."""

    meeting: int
    day: str  # YYYY-MM-DD
    member: str
    present: bool


@dataclass(frozen=True)
class Rate:
    """Attended out of held: the meetings a member came to (or a group's attendances) over those held for
    them (or its places)."""

    attended: int = 0
    held: int = 0

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.attended + other.attended, self.held + other.held)

    @property
    def fraction(self) -> Fraction | None:
        """The rate as an exact fraction; None when nothing was held."""
        return None if self.held == 0 else Fraction(self.attended, self.held)

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded half up (2 of 3: 67); None when nothing was held."""
        if self.held == 0:
            return None
        return (200 * self.attended + self.held) // (2 * self.held)


def in_period(marks: Iterable[Mark], start: date | None, end: date | None) -> list[Mark]:
    """The marks of meetings from ``start`` to ``end`` (both included; None: open)."""
    lo = start.isoformat() if start else ""
    hi = end.isoformat() if end else "9999-12-31"
    return [m for m in marks if lo <= m.day <= hi]


def member_rates(marks: Iterable[Mark]) -> dict[str, Rate]:
    """Each member's rate over ``marks``, by member number (a meeting counted once per member)."""
    seen: dict[tuple[int, str], bool] = {}
    for mark in marks:
        seen[(mark.meeting, mark.member)] = mark.present
    rates: dict[str, Rate] = {}
    for (_, member), present in seen.items():
        rates[member] = rates.get(member, Rate()) + Rate(int(present), 1)
    return dict(sorted(rates.items()))


def group_rate(marks: Iterable[Mark]) -> Rate:
    """The group's rate over ``marks``: every member's attendances over every place at its meetings."""
    total = Rate()
    for rate in member_rates(marks).values():
        total = total + rate
    return total


def meetings_held(marks: Iterable[Mark]) -> int:
    """How many meetings ``marks`` come from."""
    return len({m.meeting for m in marks})
