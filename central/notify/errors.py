"""Refusals of the SMS outbox and its campaigns, the reason in Indonesian and English (``text(lang)``)."""

from __future__ import annotations

from central.errors import Refusal


class NotifyError(Refusal):
    """A messaging operation was refused; nothing changed. ``text(lang)`` gives the reason in ``id`` or
    ``en``; ``str()`` is the English text."""


class BadPhone(NotifyError):
    """A member's phone number cannot receive an SMS from here (empty, foreign, not a mobile number)."""


class UnknownMessage(NotifyError):
    """No message in the outbox has this number."""


class WrongState(NotifyError):
    """The message is not in a state the asked change applies to (retrying a sent message, ...)."""


class BadAudience(NotifyError):
    """An announcement's audience or text cannot be used (unknown role, member or blood type, empty text)."""
