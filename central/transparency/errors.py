"""Failures of the transparency log, with the reason in Indonesian and English."""

from __future__ import annotations

from central.errors import Refusal


class TransparencyError(Refusal):
    """The log cannot do what was asked; ``text(lang)`` gives the reason in the user's language."""


class LogKeyError(TransparencyError):
    """The log key file is missing, unreadable, foreign or readable by others."""


class LogNotSetUp(TransparencyError):
    """``central transparency init`` has not been run for this ledger."""


class NoSuchProof(TransparencyError):
    """A proof was asked for a transaction or sizes the log cannot prove (not in it, no checkpoint)."""


class LogBroken(TransparencyError):
    """The stored log is missing hashes it must have (rows deleted): ``audit`` names what."""
