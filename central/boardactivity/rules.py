"""The pure rules of board activity: the kinds of report, the points per kind, a year's score.

A board member's score for a year is the sum, over the kinds, of the number of reports of that kind times
the kind's points (``[board_activity.points]`` in the config; the members' meeting decides them). Scores
are whole numbers, so the year-end's largest-remainder split of the board fund stays exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from central.errors import Refusal

# kind code -> (Indonesian, English); the codes are the config's keys and what is stored
KINDS: Final[dict[str, tuple[str, str]]] = {
    "rapat": ("Menghadiri rapat", "Meeting attended"),
    "kunjungan": ("Kunjungan", "Visit"),
    "pelatihan": ("Memberi pelatihan", "Training given"),
    "lainnya": ("Lainnya", "Other"),
}
DEFAULT_POINTS: Final[Mapping[str, int]] = {"rapat": 2, "kunjungan": 3, "pelatihan": 5, "lainnya": 1}
# Who files reports: the board (seed 000: "masing-masing Pengurus"); supervisors watch the board and take
# no part of the board fund. The same roles as the year-end's board (``central.yearend.policy``).
BOARD_ROLES: Final = ("ketua", "sekretaris", "bendahara", "pengurus")
MAX_POINTS: Final = 100  # per report of a kind
MAX_DESCRIPTION: Final = 500
MAX_REPORTS_PER_YEAR: Final = 1_000  # per board member: about three a day
OLDEST_DAYS: Final = 366  # a report may be filed for a day up to a year back


class ActivityError(Refusal):
    """A report or the config's rule cannot be accepted; ``text(lang)`` gives the reason."""


@dataclass(frozen=True)
class MeritRule:
    """Points per kind of report."""

    points: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_POINTS))


@dataclass(frozen=True)
class Tally:
    """One board member's year: reports per kind and the score they make."""

    member: str
    counts: Mapping[str, int]
    score: int

    @property
    def reports(self) -> int:
        return sum(self.counts.values())


def kind_name(kind: str, lang: str) -> str:
    pair = KINDS.get(kind)
    return kind if pair is None else pair[1 if lang == "en" else 0]


def rule_from_config(raw: Mapping[str, Any]) -> MeritRule:
    """The rule of a config's ``[board_activity]`` table (missing keys take the defaults)."""
    table = raw.get("board_activity", {})
    if not isinstance(table, Mapping):
        table = {}
    given = table.get("points", {})
    if not isinstance(given, Mapping):
        raise ActivityError(
            "[board_activity] points must be a table of kind = points",
            "[board_activity] points harus tabel jenis = poin",
        )
    unknown = sorted(set(given) - set(KINDS))
    if unknown:
        raise ActivityError(
            f"[board_activity.points]: unknown kind {unknown[0]!r}; the kinds are {', '.join(KINDS)}",
            f"[board_activity.points]: jenis {unknown[0]!r} tidak dikenal; jenisnya {', '.join(KINDS)}",
        )
    points = dict(DEFAULT_POINTS)
    for kind, value in given.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POINTS:
            raise ActivityError(
                f"[board_activity.points] {kind} must be a whole number 0..{MAX_POINTS}, not {value!r}",
                f"[board_activity.points] {kind} harus bilangan bulat 0..{MAX_POINTS}, bukan {value!r}",
            )
        points[kind] = value
    unknown_keys = sorted(set(table) - {"points"})
    if unknown_keys:
        raise ActivityError(
            f"[board_activity]: unknown key {unknown_keys[0]!r}; see docs/config.md",
            f"[board_activity]: kunci {unknown_keys[0]!r} tidak dikenal; lihat docs/config.md",
        )
    return MeritRule(points)


def score(counts: Mapping[str, int], rule: MeritRule) -> int:
    """The score of reports counted per kind."""
    return sum(n * rule.points.get(kind, 0) for kind, n in counts.items())


def tally(counted: Iterable[tuple[str, str, int]], rule: MeritRule) -> dict[str, Tally]:
    """Per board member, from (member, kind, number of reports): counts per kind and the score."""
    counts: dict[str, dict[str, int]] = {}
    for member, kind, n in counted:
        per = counts.setdefault(member, dict.fromkeys(KINDS, 0))
        per[kind] = per.get(kind, 0) + n
    return {m: Tally(m, c, score(c, rule)) for m, c in counts.items()}


def check_report(kind: str, description: str, day: date, today: date) -> tuple[str, str, date]:
    """A report as filed, checked: a known kind, a description, a day in the past year and not ahead."""
    if kind not in KINDS:
        raise ActivityError(
            f"choose what kind of activity it was ({', '.join(KINDS)})",
            f"pilih jenis kegiatannya ({', '.join(KINDS)})",
        )
    text = " ".join(description.split())[:MAX_DESCRIPTION]
    if not text:
        raise ActivityError(
            "describe what was done (where, with whom, about what)",
            "isi keterangan kegiatan (di mana, dengan siapa, tentang apa)",
        )
    if day > today:
        raise ActivityError(f"the day {day} is in the future", f"tanggal {day} di masa depan")
    if (today - day).days > OLDEST_DAYS:
        raise ActivityError(
            f"the day {day} is more than a year ago", f"tanggal {day} lebih dari setahun yang lalu"
        )
    return kind, text, day
