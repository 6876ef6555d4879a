"""One exception class per failure of the transport; each message says what is wrong and how to fix it."""

from __future__ import annotations


class SyncError(Exception):
    """Base of every error the sync package raises on purpose."""


class SettingsError(SyncError):
    """device.toml (or a command-line option) is missing a value or holds a wrong one."""


class BatchError(SyncError):
    """An uplink payload that is not a valid batch of envelopes (malformed, oversized, too many)."""


class AckError(SyncError):
    """An ack or resend message from central that does not follow the format."""


class BrokerConfigError(SyncError):
    """A broker configuration (users, ACL, embedded broker) that cannot be generated or started."""


class SummaryTimeout(SyncError):
    """Central did not answer a member-summary request in time (the device is offline or central is down)."""


class SummaryError(SyncError):
    """Central answered a member-summary request with an error (unknown member, ...)."""
