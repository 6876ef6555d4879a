"""Failures of dispute cases, one small class each, with the reason in Indonesian and English."""

from __future__ import annotations

from central.errors import Refusal


class DisputeError(Refusal):
    """A dispute request cannot be done; ``text(lang)`` gives the reason in the user's language."""


class UnknownCase(DisputeError):
    """No dispute case with that id (nor a disputed sale with it)."""


class DecisionRefused(DisputeError):
    """The decision asked for is not allowed (not a decider, decided already, no reason); nothing changed."""
