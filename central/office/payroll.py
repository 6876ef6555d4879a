"""Payroll deduction (potong gaji) for an employees' cooperative (seed 003): each month the list of what to
deduct from each member's salary, for the employer's payroll, and then the import of what payroll actually
deducted, posted per member and line on the office's chain, with the differences listed.

The list has one row per member and line:

* ``wajib``: the member's simpanan wajib still owed through the month (``central.savings.dues``);
* ``angsuran``: each loan's installments due through the month and not yet paid
  (``central.loans.portfolio``), one row per loan (``ref`` = the loan id);
* ``kredit``: the store credit the member owes at the month's end (the member receivable's balance).

The import reads the same columns (``member``, ``line``, ``ref``, ``amount_rp``; what the list wrote) with
what payroll deducted in ``amount_rp``. Every row is checked before anything is posted (all or nothing):
a wrong member, line or loan, or an amount that is not whole rupiah, refuses the file with every bad
line. Then each row posts: ``wajib`` as a wajib deposit, ``angsuran`` through ``lending.pay`` (split by
the schedule; beyond the loan refused), ``kredit`` as a credit payment. The outcome lists, per row, what
was expected (the list of the same month), what was deducted, and the difference.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import func, select

from central.ledger import Ledger, schema
from central.loans import portfolio
from central.members.tabular import Table, parse_rupiah
from central.office import entries, lending
from central.office.errors import OpeningRowsError
from central.office.identity import Office
from central.office.record import record
from central.savings import dues

LINES: Final = ("wajib", "angsuran", "kredit")
COLUMNS: Final = ("member", "name", "line", "ref", "amount_rp")
MAX_ROWS: Final = 50_000


@dataclass(frozen=True)
class Deduction:
    """One line of the month's deduction list."""

    member: str
    name: str
    line: str
    ref: str  # the loan id for an installment, "" otherwise
    amount_rp: int


@dataclass(frozen=True)
class Posted:
    """One imported row: what the list expected, what payroll deducted, and the envelopes it posted."""

    member: str
    line: str
    ref: str
    expected_rp: int
    deducted_rp: int
    ids: tuple[str, ...]

    @property
    def difference_rp(self) -> int:
        return self.deducted_rp - self.expected_rp


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def deductions(ledger: Ledger, year: int, month: int) -> list[Deduction]:
    """What to deduct from each active member's salary for ``month``, by member then line."""
    end = month_end(year, month)
    names = {str(m["number"]): str(m["name"]) for m in ledger.members() if m["active"]}
    out: list[Deduction] = []
    for row in dues.wajib(ledger, end):
        if row.owed_rp > 0 and row.member in names:
            out.append(Deduction(row.member, names[row.member], "wajib", "", row.owed_rp))
    for card in portfolio.cards(ledger, end):
        if card.written_off is not None:  # off the books: recovered at the office, not deducted
            continue
        owed = sum(line.owed_rp for line in card.state.lines if line.due <= end)
        if owed > 0 and card.member in names:
            out.append(Deduction(card.member, names[card.member], "angsuran", card.loan, owed))
    receivable = ledger.config.posting.receivable
    j = schema.journal
    with ledger.read() as conn:
        rows = conn.execute(
            select(j.c.member, func.sum(j.c.debit_rp) - func.sum(j.c.credit_rp))
            .where(j.c.account == receivable, j.c.member.is_not(None), j.c.day <= end.isoformat())
            .group_by(j.c.member)
        )
        for member, balance in rows:
            if int(balance or 0) > 0 and str(member) in names:
                out.append(Deduction(str(member), names[str(member)], "kredit", "", int(balance)))
    order = {line: i for i, line in enumerate(LINES)}
    out.sort(key=lambda d: (d.member, order[d.line], d.ref))
    return out


def _checked(ledger: Ledger, table: Table, on: date) -> list[tuple[str, str, str, int]]:
    """The rows as (member, line, ref, amount), or ``OpeningRowsError`` listing every bad line."""
    missing = [c for c in ("member", "line", "amount_rp") if c not in table.columns]
    if missing:
        wanted = ", ".join(COLUMNS)
        raise OpeningRowsError([(1, f"header lacks column(s) {', '.join(missing)}; expected {wanted}")])
    members = {str(m["number"]) for m in ledger.members()}
    cards = [card for card in portfolio.cards(ledger, on) if card.written_off is None]
    loans = {card.loan: card.member for card in cards}
    payable = {card.loan: sum(line.owed_rp for line in card.state.lines) for card in cards}
    credit = {d.member: d.amount_rp for d in deductions(ledger, on.year, on.month) if d.line == "kredit"}
    problems: list[tuple[int, str]] = []
    rows: list[tuple[str, str, str, int]] = []
    for row in table.rows[:MAX_ROWS]:
        # several rows of one loan or one member's credit count together against what is owed
        cells = row.cells
        member, line, ref = cells.get("member", ""), cells.get("line", "").lower(), cells.get("ref", "")
        try:
            amount = parse_rupiah(cells.get("amount_rp", ""), decimal_comma=table.decimal_comma)
        except ValueError as err:
            problems.append((row.line, f"amount_rp: {err}"))
            continue
        if member not in members:
            problems.append((row.line, f"unknown member {member!r}"))
        elif line not in LINES:
            problems.append((row.line, f"line {line!r} must be one of {', '.join(LINES)}"))
        elif line == "angsuran" and loans.get(ref) != member:
            problems.append((row.line, f"member {member} has no loan {ref!r} (the ref column)"))
        elif line == "angsuran" and amount > payable[ref]:
            problems.append((row.line, f"loan {ref} is paid off with Rp {payable[ref]}; {amount} is more"))
        elif line == "kredit" and amount > credit.get(member, 0):
            problems.append(
                (row.line, f"member {member} owes Rp {credit.get(member, 0)} of store credit, not {amount}")
            )
        elif amount > 0:
            rows.append((member, line, ref, amount))
    if problems:
        raise OpeningRowsError(problems)
    return rows


def import_deducted(
    ledger: Ledger,
    office: Office,
    table: Table,
    year: int,
    month: int,
    *,
    by: str,
    at: datetime | None = None,
) -> list[Posted]:
    """Post what payroll deducted for ``month`` (all rows checked first); the rows with their differences."""
    on = (at or datetime.now(ledger.config.tz)).date()
    rows = _checked(ledger, table, max(on, month_end(year, month)))
    expected = {(d.member, d.line, d.ref): d.amount_rp for d in deductions(ledger, year, month)}
    posted: list[Posted] = []
    seen: set[tuple[str, str, str]] = set()
    for member, line, ref, amount in rows:
        if line == "wajib":
            body = entries.savings_deposit(member, "wajib", amount)
            ids: tuple[str, ...] = (record(ledger, office, body, at=at, by=by).id,)
        elif line == "angsuran":
            ids = lending.pay(ledger, office, ref, amount, by=by, at=at).ids
        else:
            ids = (record(ledger, office, entries.credit_payment(member, amount), at=at, by=by).id,)
        key = (member, line, ref)
        seen.add(key)
        posted.append(Posted(member, line, ref, expected.get(key, 0), amount, ids))
    for (member, line, ref), amount in sorted(expected.items()):
        if (member, line, ref) not in seen:  # on the list, but payroll deducted nothing (left, on leave)
            posted.append(Posted(member, line, ref, amount, 0, ()))
    return posted


def differences(posted: Sequence[Posted]) -> list[Posted]:
    return [p for p in posted if p.difference_rp != 0]
