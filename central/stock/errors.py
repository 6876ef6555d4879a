"""Failures of stock requests, with the reason in Indonesian and English."""

from __future__ import annotations

from central.errors import Refusal


class StockError(Refusal):
    """A stock request cannot be done; ``text(lang)`` gives the reason in the user's language."""


class UnknownCount(StockError):
    """No stock count with that number."""


class CountRefused(StockError):
    """The step asked of a count is not allowed in its state or for this person; nothing changed."""
