"""Failures of office entries, one small class each, with the reason in Indonesian and English."""

from __future__ import annotations

from central.errors import Refusal


class OfficeError(Refusal):
    """An office entry cannot be made; ``text(lang)`` gives the reason in the user's language."""


class OfficeKeyError(OfficeError):
    """The office key file is missing, unreadable, or readable by others."""


class OfficeNotSetUp(OfficeError):
    """``office init`` has not been run for this ledger."""


class EntryInvalid(OfficeError):
    """The entry asked for is wrong (unknown member, amount above the balance, ...); nothing was signed."""


class EntryRefused(OfficeError):
    """The ledger refused the signed entry (kept in quarantine with the reason); nothing was posted."""


class OpeningRowsError(OfficeError):
    """Bad rows in an opening balance file; nothing was imported. ``problems`` lists (line, message)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        shown = "; ".join(f"line {line}: {message}" for line, message in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        shown_id = "; ".join(f"baris {line}: {message}" for line, message in problems[:20])
        super().__init__(
            f"{len(problems)} bad row(s), nothing imported: {shown}{more}",
            f"{len(problems)} baris salah, tidak ada yang diimpor: {shown_id}{more}",
        )


class OpeningExists(OfficeError):
    """Opening balances were already brought in; reverse them first."""
