"""Failures of stock requests, with the reason in Indonesian and English."""

from __future__ import annotations

from central.errors import CentralError


class StockError(CentralError):
    """A stock request cannot be done; ``text(lang)`` gives the reason in the user's language."""

    def __init__(self, en: str, id_: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.id_ = id_ if id_ is not None else en

    def text(self, lang: str) -> str:
        """The reason in ``lang`` (``id`` or ``en``)."""
        return self.en if lang == "en" else self.id_


class UnknownCount(StockError):
    """No stock count with that number."""


class CountRefused(StockError):
    """The step asked of a count is not allowed in its state or for this person; nothing changed."""
