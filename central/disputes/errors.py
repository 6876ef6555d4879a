"""Failures of dispute cases, one small class each, with the reason in Indonesian and English."""

from __future__ import annotations

from central.errors import CentralError


class DisputeError(CentralError):
    """A dispute request cannot be done; ``text(lang)`` gives the reason in the user's language."""

    def __init__(self, en: str, id_: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.id_ = id_ if id_ is not None else en

    def text(self, lang: str) -> str:
        """The reason in ``lang`` (``id`` or ``en``)."""
        return self.en if lang == "en" else self.id_


class UnknownCase(DisputeError):
    """No dispute case with that id (nor a disputed sale with it)."""


class DecisionRefused(DisputeError):
    """The decision asked for is not allowed (not a decider, decided already, no reason); nothing changed."""
