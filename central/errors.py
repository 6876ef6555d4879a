"""Failures of the central ledger, one small class each. Messages name what is wrong and how to fix it."""

from __future__ import annotations


class CentralError(Exception):
    """Base of every error the central package raises on purpose (the CLI prints it, no traceback)."""


class Refusal(CentralError):
    """An operation a user asked for was refused and nothing changed; the reason names what is wrong and
    how to fix it, in English (``str()``) and Indonesian. ``text(lang)`` gives it in the reader's language.
    Each area's refusals derive from it (loans, savings, stock, journal, disputes, ...)."""

    def __init__(self, en: str, id_: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.id_ = id_ if id_ is not None else en

    def text(self, lang: str) -> str:
        """The reason in ``lang`` (``id`` or ``en``)."""
        return self.en if lang == "en" else self.id_


class ConfigError(CentralError):
    """The cooperative's TOML configuration is missing, unreadable or inconsistent."""


class StoreError(CentralError):
    """The database cannot be opened, or is not a ledger made by ``init``."""


class NotInitialised(StoreError):
    """The database has no ledger yet; run ``init`` first."""


class NoLedger(NotInitialised):
    """A SQLite ``--db`` file does not exist; only ``init`` creates one (a report never does)."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"no ledger at {path}; run `python -m central --db {path} init` to create one")


class DatabaseUnreachable(StoreError):
    """The PostgreSQL server of ``--db`` cannot be reached (not running, wrong host or port, refused)."""

    def __init__(self, host: str, port: int, database: str, reason: str) -> None:
        self.host, self.port, self.database, self.reason = host, port, database, reason
        super().__init__(
            f"cannot connect to PostgreSQL at {host}:{port} (database {database}): {reason}; "
            "is the server running, and are host, port, user and database right?"
        )


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


class TableFileError(CentralError):
    """An import file (CSV or .xlsx) is missing, unreadable, too large or not a workbook."""


class NotUtf8(TableFileError):
    """A CSV file is not UTF-8 (Excel's plain "CSV" in Windows encodings): names the byte and its line."""

    def __init__(self, path: str, line: int, byte_hex: str) -> None:
        self.path = path
        self.line = line
        self.byte_hex = byte_hex
        super().__init__(
            f"{path} is not UTF-8 (byte 0x{byte_hex} on line {line}); in Excel save it as "
            '"CSV UTF-8 (Comma delimited)"'
        )


class BackupError(CentralError):
    """A backup cannot be made, checked or restored (missing ledger, unwritable target, no pg_dump, a
    damaged file, a target that is not empty). Carries its message in Indonesian and English."""

    def __init__(self, id_text: str, en_text: str) -> None:
        super().__init__(en_text)
        self.id_text = id_text
        self.en_text = en_text

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``id`` or ``en``)."""
        return self.en_text if lang == "en" else self.id_text


class RestoreTargetNotEmpty(BackupError):
    """``restore`` would overwrite a ledger that holds data; ``--force`` says that is meant."""
