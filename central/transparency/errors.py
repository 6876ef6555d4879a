"""Failures of the transparency log, with the reason in Indonesian and English."""

from __future__ import annotations

from central.errors import CentralError


class TransparencyError(CentralError):
    """The log cannot do what was asked; ``text(lang)`` gives the reason in the user's language."""

    def __init__(self, en: str, id_: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.id_ = id_ if id_ is not None else en

    def text(self, lang: str) -> str:
        """The reason in ``lang`` (``id`` or ``en``)."""
        return self.en if lang == "en" else self.id_


class LogKeyError(TransparencyError):
    """The log key file is missing, unreadable, foreign or readable by others."""


class LogNotSetUp(TransparencyError):
    """``central transparency init`` has not been run for this ledger."""


class NoSuchProof(TransparencyError):
    """A proof was asked for a transaction or sizes the log cannot prove (not in it, no checkpoint)."""


class LogBroken(TransparencyError):
    """The stored log is missing hashes it must have (rows deleted): ``audit`` names what."""
