"""The one failure of the groups package: a request that cannot be done, with its reason in both languages."""

from __future__ import annotations

from central.errors import CentralError


class GroupError(CentralError):
    """A group, meeting or visit report request cannot be done; ``text(lang)`` gives the reason."""

    def __init__(self, en: str, id_: str) -> None:
        super().__init__(en)
        self.en = en
        self.id_ = id_

    def text(self, lang: str) -> str:
        """The reason in ``lang`` (``id`` or ``en``)."""
        return self.en if lang == "en" else self.id_


class UnknownGroup(GroupError):
    """No group, meeting, report or photo with that number (a page shows 404)."""
