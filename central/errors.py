"""Failures of the central ledger, one small class each. Messages name what is wrong and how to fix it."""

from __future__ import annotations


class CentralError(Exception):
    """Base of every error the central package raises on purpose (the CLI prints it, no traceback)."""


class ConfigError(CentralError):
    """The cooperative's TOML configuration is missing, unreadable or inconsistent."""


class StoreError(CentralError):
    """The database cannot be opened, or is not a ledger made by ``init``."""


class NotInitialised(StoreError):
    """The database has no ledger yet; run ``init`` first."""


class OutdatedLedger(StoreError):
    """The ledger was written by an older schema version; ``upgrade`` brings it up to date in place."""


class ImportRowsError(CentralError):
    """A CSV import found bad rows; nothing was written. ``problems`` lists (line, message)."""

    def __init__(self, what: str, problems: list[tuple[int, str]]) -> None:
        self.what = what
        self.problems = problems
        lines = "; ".join(f"line {line}: {msg}" for line, msg in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"{what}: {len(problems)} bad row(s), nothing imported: {lines}{more}")


class UnknownMember(CentralError):
    """No member has this number."""


class UnknownDevice(CentralError):
    """No device is registered under this id."""


class DeviceError(CentralError):
    """A device registration is invalid (bad key, unknown unit, already registered)."""


class PeriodError(CentralError):
    """A --from/--to date or a month is not a valid date, or the period is reversed."""
