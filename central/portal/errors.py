"""The portal's failures, one small class each (STYLE.md); the pages turn them into readable messages."""

from __future__ import annotations

from central.errors import CentralError


class PortalError(CentralError):
    """Something the portal refuses; ``key`` names the message in ``central.portal.text``."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class BadLogin(PortalError):
    """Wrong login or password (never says which)."""


class Locked(PortalError):
    """Too many wrong passwords for this account or address: locked until ``until``."""

    def __init__(self, until: int) -> None:
        super().__init__("locked")
        self.until = until


class BadActivation(PortalError):
    """Wrong, used or expired activation code."""


class BadPassword(PortalError):
    """A new password that breaks a rule (length, confirmation)."""


class UnknownLogin(PortalError):
    """No member or staff account of that name (the office's commands)."""
