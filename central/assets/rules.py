"""The pure rules of members' assets: the kinds, what a valid entry is, and who may see or enter one.

Who sees an asset: the member who owns it, the board and supervisors and the office (``READERS``), and the
member's cadre (kader): the cadre of the group the member is in (``central.groups``). Who enters one or adds
a value or a photo: the member for themself, the office for any member, a cadre for the members of the
groups they lead (they visit them in the villages). The board and supervisors read; they do not write a
member's entries. ``cadre_of`` is the set of member numbers in the groups the viewer leads (empty for
anybody who is not a cadre).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from central.errors import Refusal

# kind code -> (Indonesian, English) name; the codes are stored and used in the CLI and CSV
KINDS: Final[dict[str, tuple[str, str]]] = {
    "warung": ("Warung / toko", "Shop (warung)"),
    "ternak": ("Ternak", "Livestock"),
    "lahan": ("Lahan", "Land"),
    "kendaraan": ("Kendaraan", "Vehicle"),
    "lainnya": ("Lainnya", "Other"),
}
READERS: Final = frozenset({"staf", "manajer", "pengurus", "ketua", "sekretaris", "bendahara", "pengawas"})
OFFICE: Final = frozenset({"staf", "manajer"})  # enter assets for any member
CADRE: Final = "kader"  # enters assets for any member, sees what they recorded
MAX_DESCRIPTION: Final = 300
MAX_NOTE: Final = 200
MAX_VALUE_RP: Final = 100_000_000_000_000  # Rp 100 trillion: a typo guard, not a wealth limit
MAX_ASSETS_PER_MEMBER: Final = 100
MAX_PHOTOS_PER_ASSET: Final = 12
MAX_VALUES_PER_ASSET: Final = 500
FIRST_DAY: Final = date(1900, 1, 1)


class AssetError(Refusal):
    """An asset entry cannot be made as asked; ``text(lang)`` gives the reason (Indonesian or English)."""


@dataclass(frozen=True)
class Viewer:
    """Who asks: their role and their own member number (None for office staff who are no member)."""

    role: str
    member: str | None


@dataclass(frozen=True)
class Entry:
    """A checked new asset or value: kind, description, value and the day it was estimated."""

    kind: str
    description: str
    value_rp: int
    day: date


def kind_name(kind: str, lang: str) -> str:
    pair = KINDS.get(kind)
    return kind if pair is None else pair[1 if lang == "en" else 0]


def sees_every_asset(viewer: Viewer) -> bool:
    return viewer.role in READERS


def _own_or_cadre(viewer: Viewer, owner: str, cadre_of: frozenset[str]) -> bool:
    if viewer.member is not None and viewer.member == owner:
        return True
    return viewer.role == CADRE and owner in cadre_of


def may_see(viewer: Viewer, owner: str, cadre_of: frozenset[str] = frozenset()) -> bool:
    """True when ``viewer`` may see an asset of member ``owner``."""
    return sees_every_asset(viewer) or _own_or_cadre(viewer, owner, cadre_of)


def may_enter_for(viewer: Viewer, owner: str, cadre_of: frozenset[str] = frozenset()) -> bool:
    """True when ``viewer`` may record a new asset for member ``owner``, or add a value or a photo to one
    of theirs: the owner, the office, or the owner's cadre."""
    return viewer.role in OFFICE or _own_or_cadre(viewer, owner, cadre_of)


may_change = may_enter_for


def parse_value(text: str) -> int:
    """A rupiah value as typed: digits, with ``.`` or ``,`` or spaces as thousands separators."""
    cleaned = text.strip().removeprefix("Rp").removeprefix("rp").strip()
    digits = cleaned.replace(".", "").replace(",", "").replace(" ", "")
    if not digits.isdigit() or len(digits) > len(str(MAX_VALUE_RP)):
        raise AssetError(
            f"the value {text.strip()[:20]!r} is not whole rupiah: type digits, e.g. 2500000",
            f"nilai {text.strip()[:20]!r} bukan rupiah bulat: ketik angka, misalnya 2500000",
        )
    return check_value(int(digits))


def check_value(value_rp: int) -> int:
    if isinstance(value_rp, bool) or not 0 <= value_rp <= MAX_VALUE_RP:
        raise AssetError(
            f"the value must be Rp 0 up to Rp {MAX_VALUE_RP:,}",
            f"nilai harus Rp 0 sampai Rp {MAX_VALUE_RP:,}".replace(",", "."),
        )
    return value_rp


def parse_day(text: str, today: date) -> date:
    """The day of an estimate: an ISO date, not in the future; empty means today."""
    if not text.strip():
        return today
    try:
        day = date.fromisoformat(text.strip())
    except ValueError as err:
        raise AssetError(
            f"{text.strip()[:20]!r} is not a date like 2026-03-31",
            f"{text.strip()[:20]!r} bukan tanggal seperti 2026-03-31",
        ) from err
    if day > today or day < FIRST_DAY:
        raise AssetError(
            f"the date {day} is in the future or too far back",
            f"tanggal {day} di masa depan atau terlalu lampau",
        )
    return day


def clean_text(text: str, most: int) -> str:
    """One line of text, whitespace folded, at most ``most`` characters."""
    return " ".join(text.split())[:most]


def check_entry(kind: str, description: str, value_rp: int, day: date) -> Entry:
    """A new asset as entered, checked: a known kind and a description."""
    if kind not in KINDS:
        raise AssetError(
            f"unknown kind {kind[:20]!r}: one of {', '.join(KINDS)}",
            f"jenis {kind[:20]!r} tidak dikenal: salah satu dari {', '.join(KINDS)}",
        )
    text = clean_text(description, MAX_DESCRIPTION)
    if not text:
        raise AssetError(
            "describe the asset (e.g. 'warung sembako, 3 x 4 m')",
            "isi keterangan aset (misalnya 'warung sembako, 3 x 4 m')",
        )
    return Entry(kind, text, check_value(value_rp), day)
