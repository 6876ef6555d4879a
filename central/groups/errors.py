"""The one failure of the groups package: a request that cannot be done, with its reason in both languages."""

from __future__ import annotations

from central.errors import Refusal


class GroupError(Refusal):
    """A group, meeting or visit report request cannot be done; ``text(lang)`` gives the reason."""


class UnknownGroup(GroupError):
    """No group, meeting, report or photo with that number (a page shows 404)."""
