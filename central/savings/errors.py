"""Refusals of the savings operations, with the reason in Indonesian and English (``text(lang)``)."""

from __future__ import annotations

from central.office.errors import OfficeError


class SavingsRefused(OfficeError):
    """A savings operation was refused (unknown product, not matured, not approved, ...); nothing changed."""
