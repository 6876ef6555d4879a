"""Who is reading a book, and so whose member numbers they may see (ARCHITECTURE invariant 6: every member
reads the cash book, but a member sees only their own personal data).

Pure: a ``Viewer`` is plain data; ``sees(number)`` is the only rule. The portal builds one from the
logged-in member's number and role; the office's command line uses ``OFFICE`` only when asked
(``report cashbook --show-members``) and ``PUBLIC`` otherwise, so a printed cash book can be pinned up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# Roles (central.members.rows.ROLES) that may see every member's number in the books: office staff, the
# board (pengurus and its ketua, sekretaris, bendahara), the supervisors and the manager.
SEES_MEMBERS: Final = frozenset(
    {"staf", "pengurus", "ketua", "sekretaris", "bendahara", "pengawas", "manajer"}
)
MASKED: Final = {"id": "anggota", "en": "member"}


@dataclass(frozen=True)
class Viewer:
    """A reader of the books: their own member number (None for nobody in particular) and their role."""

    member: str | None = None
    role: str | None = None

    def sees(self, number: str) -> bool:
        """True when this viewer may see member ``number`` named (their own number, or a role above)."""
        return self.role in SEES_MEMBERS or (self.member is not None and number == self.member)

    def show(self, number: str | None, lang: str) -> str:
        """The member column as this viewer reads it: the number, "anggota"/"member", or "" (walk-in)."""
        if not number:
            return ""
        return number if self.sees(number) else MASKED.get(lang, MASKED["id"])


PUBLIC: Final = Viewer()  # a notice board: no member is named
OFFICE: Final = Viewer(role="staf")  # the office's own tool, when asked to show members
