"""One exception class per failure of the transport; each message says what is wrong and how to fix it."""

from __future__ import annotations


class SyncError(Exception):
    """Base of every error the sync package raises on purpose; ``message(lang)`` speaks id or en.

    ``str(err)`` is the English text (for logs); the command line prints ``message(lang)``.
    """

    def __init__(self, text_en: str, text_id: str | None = None) -> None:
        super().__init__(text_en)
        self.text_en = text_en
        self.text_id = text_id

    def message(self, lang: str | None = None) -> str:
        """The message in Indonesian (default, when there is one) or English (``en``)."""
        from edge.i18n import current_lang

        if current_lang(lang) == "en" or self.text_id is None:
            return self.text_en
        return self.text_id


class SettingsError(SyncError):
    """device.toml (or a command-line option) is missing a value or holds a wrong one."""


class BatchError(SyncError):
    """An uplink payload that is not a valid batch of envelopes (malformed, oversized, too many)."""


class AckError(SyncError):
    """An ack or resend message from central that does not follow the format."""


class RefusalNoticeError(AckError):
    """Central's notice of refused envelopes (``sync.refusals``) is malformed or too big."""


class BrokerConfigError(SyncError):
    """A broker configuration (users, ACL, embedded broker) that cannot be generated or started."""


class SummaryTimeout(SyncError):
    """Central did not answer a member-summary request in time (the device is offline or central is down)."""


class SummaryError(SyncError):
    """Central answered a member-summary request with an error (unknown member, ...)."""
