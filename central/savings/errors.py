"""Refusals of the savings operations, with the reason in Indonesian and English (``text(lang)``)."""

from __future__ import annotations

from central.errors import Refusal


class SavingsRefused(Refusal):
    """A savings operation was refused (unknown product, not matured, not approved, ...); nothing changed.
    ``text(lang)`` gives the reason in the user's language (``id`` or ``en``)."""
