"""The month-end loan allowance (penyisihan penghapusan aktiva produktif, PPAP; CKPN in SAK terms): keep
the allowance account at what the loan book's collectibility requires, with one adjusting entry a month.

For a month ``YYYY-MM`` the loan book is aged as of the month's last day (``central.loans.portfolio``;
written-off loans have left it). The allowance a class requires is the sum over its loans of outstanding
principal x the class's ``allowance_pct`` / 100, each loan's figure rounded half up to the rupiah (the
figure ``loans aging`` shows per loan and per class). The allowance account's balance as of that day (a
credit balance: ``[posting] allowance`` is a contra-asset) is compared with the required total, and the
difference is posted as ONE ``journal`` envelope (purpose ``allowance``) on the office's chain, dated the
month's last day at 23:59:59:

* the allowance must grow: Dr allowance expense / Cr allowance;
* loans recovered (or were repaid), so less is required: Dr allowance / Cr allowance expense (a release).

A month is posted once: its entry carries the note ``PPAP YYYY-MM``; a second run for the same month
posts nothing and says so (late installments of that month are caught by the next month's run). A month
earlier than the latest month posted is refused: the later entry already set the balance from a later
aging, and an entry dated before it would undo part of it. A month that has not ended is refused unless
it is a dry run. Nothing is posted when the balance already equals the required total; such a month
leaves no entry, so running it again works it out again (and posts if the book has changed since).

``plan`` and ``entry_lines`` are pure, ``balance_rp``, ``postings`` and ``already`` read the ledger;
``central.office.adjusting.run_allowance`` records the entry on the office's chain.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final, NamedTuple

from sqlalchemy import func, select

from central.ledger import Ledger, schema
from central.loans import portfolio
from central.loans.applications import LoanError
from sync import envelope as wire

MONTH_RE: Final = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
NOTE_PREFIX: Final = "PPAP "
PURPOSE: Final = "allowance"


class AllowanceRefused(LoanError):
    """The month's allowance cannot be run (not configured, a later month posted, not ended); nothing
    was posted."""


@dataclass(frozen=True)
class ClassLine:
    """One collectibility class at the month's end: its loans, principal and the allowance it requires."""

    code: str
    name: str
    loans: int
    outstanding_rp: int
    allowance_pct: Decimal
    required_rp: int


@dataclass(frozen=True)
class Plan:
    """What a month's run found: the classes, the required total, the account's balance and the
    difference (required - balance: above 0 the allowance grows, below 0 it is released)."""

    month: str
    as_of: date
    classes: tuple[ClassLine, ...]
    required_rp: int
    balance_rp: int

    @property
    def difference_rp(self) -> int:
        return self.required_rp - self.balance_rp


@dataclass(frozen=True)
class Posted:
    """An allowance entry in the ledger: its transaction id, month and total."""

    id: str
    month: str
    day: str
    total_rp: int


def parse_month(text: str) -> tuple[int, int]:
    """``YYYY-MM`` as (year, month), or ``AllowanceRefused`` saying how to write it."""
    found = MONTH_RE.match(text.strip())
    if found is None:
        raise AllowanceRefused(
            f"month {text!r} must be written YYYY-MM, e.g. 2026-11",
            f"bulan {text!r} harus ditulis TTTT-BB, mis. 2026-11",
        )
    return int(found.group(1)), int(found.group(2))


def month_end(month: str) -> date:
    """The last day of ``YYYY-MM``."""
    year, number = parse_month(month)
    return date(year, number, monthrange(year, number)[1])


def plan(
    month: str, classes: Iterable[portfolio.ClassTotal], pcts: dict[str, Decimal], balance_rp: int
) -> Plan:
    """The month's plan from the aging's class totals (their allowance is each loan's, rounded half up)."""
    lines = tuple(
        ClassLine(c.code, c.name, c.loans, c.outstanding_rp, pcts.get(c.code, Decimal(0)), c.allowance_rp)
        for c in classes
    )
    return Plan(month, month_end(month), lines, sum(c.required_rp for c in lines), balance_rp)


class AdjustingLine(NamedTuple):
    """One line of the month's adjusting entry (``central.office.entries.EntryLine`` takes it as it is)."""

    account: str
    debit_rp: int
    credit_rp: int
    memo: str


def entry_lines(difference_rp: int, *, allowance: str, expense: str, month: str) -> tuple[AdjustingLine, ...]:
    """The adjusting entry for a difference: raise (Dr expense / Cr allowance) or release (the reverse);
    nothing for 0."""
    memo = f"PPAP {month}"
    if difference_rp > 0:
        return (
            AdjustingLine(expense, difference_rp, 0, memo),
            AdjustingLine(allowance, 0, difference_rp, memo),
        )
    if difference_rp < 0:
        memo = f"pelepasan PPAP {month}"
        return (
            AdjustingLine(allowance, -difference_rp, 0, memo),
            AdjustingLine(expense, 0, -difference_rp, memo),
        )
    return ()


def accounts(ledger: Ledger) -> tuple[str, str]:
    """(allowance, allowance expense) from ``[posting]``, or ``AllowanceRefused`` naming what to add."""
    config = ledger.config
    missing = [
        key
        for key, value in (("allowance", config.allowance), ("allowance_expense", config.allowance_expense))
        if value is None
    ]
    if missing or config.allowance is None or config.allowance_expense is None:
        keys = ", ".join(missing)
        raise AllowanceRefused(
            f"the allowance needs {keys} under [posting] in the config (docs/config.md)",
            f"penyisihan (PPAP) memerlukan {keys} di [posting] konfigurasi (docs/config.md)",
        )
    return config.allowance, config.allowance_expense


def balance_rp(ledger: Ledger, account: str, on: date) -> int:
    """The allowance account's credit balance (credits - debits) up to and including ``on``."""
    j = schema.journal
    with ledger.read() as conn:
        debit, credit = conn.execute(
            select(func.coalesce(func.sum(j.c.debit_rp), 0), func.coalesce(func.sum(j.c.credit_rp), 0)).where(
                j.c.account == account, j.c.day <= on.isoformat()
            )
        ).one()
    return int(credit) - int(debit)


def postings(ledger: Ledger) -> list[Posted]:
    """The allowance entries in the ledger (not voided), oldest month first.

    Found from the allowance account's journal lines (an index range of a few lines a month), not by
    reading every transaction for its kind and note: a book of two million installments would be read
    whole at every month-end run."""
    t, j = schema.transactions, schema.journal
    account, _ = accounts(ledger)
    with ledger.read() as conn:
        touched = select(j.c.tx).where(j.c.account == account).distinct()
        rows = list(
            conn.execute(
                select(t.c.id, t.c.note, t.c.day, t.c.total_rp, t.c.body).where(
                    t.c.id.in_(touched), t.c.kind == "journal", t.c.note.like(f"{NOTE_PREFIX}%")
                )
            )
        )
        voided = set(
            conn.execute(
                select(t.c.ref).where(t.c.kind == "void", t.c.ref.in_([r.id for r in rows]))
            ).scalars()
        )
    found = [
        Posted(str(r.id), str(r.note)[len(NOTE_PREFIX) :], str(r.day), int(r.total_rp))
        for r in rows
        if r.id not in voided and wire.parse(r.body).get("purpose") == PURPOSE
    ]
    return sorted(found, key=lambda p: (p.month, p.day))


def already(ledger: Ledger, month: str) -> Posted | None:
    """The entry of ``month`` if posted; ``AllowanceRefused`` when a later month is posted (a month
    before the latest one posted is not run any more)."""
    done = postings(ledger)
    same = next((p for p in done if p.month == month), None)
    if same is not None:
        return same
    later = [p for p in done if p.month > month]
    if later:
        raise AllowanceRefused(
            f"the allowance of {later[-1].month} is already posted; {month} comes before it and is not run "
            "any more (the later month's entry set the balance from a later aging)",
            f"PPAP {later[-1].month} sudah dibukukan; {month} sebelumnya dan tidak dijalankan lagi "
            "(jurnal bulan berikutnya sudah menyesuaikan saldo dari umur pinjaman yang lebih baru)",
        )
    return None
