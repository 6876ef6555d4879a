"""Refusals of the savings operations, with the reason in Indonesian and English (``text(lang)``)."""

from __future__ import annotations

from central.errors import CentralError


class SavingsRefused(CentralError):
    """A savings operation was refused (unknown product, not matured, not approved, ...); nothing changed.
    ``text(lang)`` gives the reason in the user's language (``id`` or ``en``)."""

    def __init__(self, en: str, id_: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.id_ = id_ if id_ is not None else en

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.id_
