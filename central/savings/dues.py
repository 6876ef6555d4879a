"""Simpanan wajib dues: what each member owed month by month since joining (``[savings]``), what they
paid (the wajib account's balance, openings included), and so who is behind and by how many months.

A member's dues run from the later of ``wajib_from`` and the month they joined, through the month of
``as_of``, each month at the amount of that month (``wajib_history``). Payments fill the months oldest
first, so a member who paid Rp 100.000 of dues of Rp 50.000 a month since January is paid through
February. Pokok is owed once: the difference between ``pokok_rp`` and the member's pokok balance.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from sqlalchemy import func, select

from central.ledger import Ledger, schema
from central.savingsrules import SavingsPolicy, month_index, month_text

IN_LIST_MAX = 500


@dataclass(frozen=True)
class WajibRow:
    """One member's wajib (and pokok) position as of a day."""

    member: str
    name: str
    joined: str
    due_rp: int  # wajib owed from the first month through this month
    paid_rp: int  # the wajib balance
    owed_rp: int  # due - paid, never below 0
    months_behind: int  # months not covered, oldest first
    paid_through: str | None  # the last month fully paid (YYYY-MM), None if none
    pokok_owed_rp: int
    ahead_rp: int  # paid beyond this month's dues (prepaid)


def _months(policy: SavingsPolicy, joined: str, as_of: date) -> list[tuple[int, int]]:
    first = max(policy.wajib_from, month_index(joined[:7]))
    last = as_of.year * 12 + as_of.month - 1
    return [(m, policy.wajib_rp(m)) for m in range(first, last + 1)]


def position(policy: SavingsPolicy, joined: str, paid_rp: int, as_of: date) -> tuple[int, int, int, int, int]:
    """(due, owed, months behind, index of the last month fully paid or -1, ahead) for one member."""
    months = _months(policy, joined, as_of)
    due = sum(rp for _, rp in months)
    left = paid_rp
    through = -1
    behind = 0
    for month, rp in months:
        if left >= rp:
            left -= rp
            through = month
        else:
            left = 0
            behind += 1 if rp > 0 else 0
    return due, max(0, due - paid_rp), behind, through, max(0, paid_rp - due)


class Dues:
    """The wajib of every month from ``first`` through ``last`` (month indexes) as running sums, so that a
    member's position is a bisection and two lookups instead of a walk over their months (the list of
    100,000 members). ``position`` here gives exactly what the module's ``position`` gives."""

    def __init__(self, policy: SavingsPolicy, first: int, last: int) -> None:
        self.first = first
        self.last = last
        self.wajib_from = policy.wajib_from
        amounts = [policy.wajib_rp(m) for m in range(first, last + 1)]
        self.sums = [0, *accumulate(amounts)]  # sums[i]: dues of the first i months
        self.owing = [0, *accumulate(1 if rp > 0 else 0 for rp in amounts)]  # months with dues, likewise
        last_free = -1
        self.last_free: list[int] = []  # per month: the latest month up to it whose dues are 0 (-1: none)
        for i, rp in enumerate(amounts):
            last_free = i if rp == 0 else last_free
            self.last_free.append(last_free)

    def position(self, joined: str, paid_rp: int) -> tuple[int, int, int, int, int]:
        """(due, owed, months behind, index of the last month fully paid or -1, ahead) for one member."""
        lo = max(self.first, self.wajib_from, month_index(joined[:7])) - self.first
        hi = self.last - self.first + 1  # months lo .. hi - 1 are the member's
        if lo >= hi:
            return 0, 0, 0, -1, max(0, paid_rp)
        base = self.sums[lo]
        due = self.sums[hi] - base
        # the first month the payments do not cover: the first i with sums[i + 1] - base > paid
        gap = bisect_right(self.sums, base + paid_rp, lo + 1, hi + 1) - 1
        if gap >= hi:
            return due, 0, 0, self.first + hi - 1, paid_rp - due
        behind = self.owing[hi] - self.owing[gap]
        # after the first unpaid month nothing is left, but a month without dues is still "paid"
        free = self.last_free[hi - 1]
        through = free if free > gap else gap - 1
        return (
            due,
            due - paid_rp if due > paid_rp else 0,
            behind,
            self.first + through if through >= lo else -1,
            0,
        )


def _balances(ledger: Ledger, account: str, numbers: Sequence[str] | None, as_of: date) -> dict[str, int]:
    """Credit balance of ``account`` per member by ``as_of``: of ``numbers``, or (None) of every member in
    one grouped read of the account's lines."""
    j = schema.journal
    balance = func.sum(j.c.credit_rp) - func.sum(j.c.debit_rp)
    out: dict[str, int] = {}
    with ledger.read() as conn:
        if numbers is None:
            query = (
                select(j.c.member, balance)
                .where(j.c.account == account, j.c.day <= as_of.isoformat(), j.c.member.is_not(None))
                .group_by(j.c.member)
            )
            return {str(m): int(v or 0) for m, v in conn.execute(query)}
        for start in range(0, len(numbers), IN_LIST_MAX):
            part = list(numbers[start : start + IN_LIST_MAX])
            query = (
                select(j.c.member, balance)
                .where(j.c.account == account, j.c.member.in_(part), j.c.day <= as_of.isoformat())
                .group_by(j.c.member)
            )
            out.update({str(m): int(v or 0) for m, v in conn.execute(query)})
    return out


def wajib(ledger: Ledger, as_of: date, *, member: str | None = None) -> list[WajibRow]:
    """Every active member's wajib position (or one member's), most months behind first."""
    config = ledger.config
    policy = config.savings
    m = schema.members
    with ledger.read() as conn:
        query = select(m.c.number, m.c.name, m.c.joined).where(m.c.active.is_(True))
        if member is not None:
            query = select(m.c.number, m.c.name, m.c.joined).where(m.c.number == member)
        members = [(str(n), str(name), str(joined)) for n, name, joined in conn.execute(query)]
    members = [row for row in members if row[2] <= as_of.isoformat()]
    numbers = None if member is None else [n for n, _, _ in members]
    paid = _balances(ledger, config.posting.savings_account("wajib"), numbers, as_of)
    pokok = _balances(ledger, config.posting.savings_account("pokok"), numbers, as_of)
    first = min([policy.wajib_from, *(month_index(joined[:7]) for _, _, joined in members)])
    dues = Dues(policy, first, as_of.year * 12 + as_of.month - 1)
    rows: list[WajibRow] = []
    for number, name, joined in members:
        have = paid.get(number, 0)
        due, owed, behind, through, ahead = dues.position(joined, have)
        rows.append(
            WajibRow(
                member=number,
                name=name,
                joined=joined,
                due_rp=due,
                paid_rp=have,
                owed_rp=owed,
                months_behind=behind,
                paid_through=month_text(through) if through >= 0 else None,
                pokok_owed_rp=max(0, policy.pokok_rp - pokok.get(number, 0)),
                ahead_rp=ahead,
            )
        )
    rows.sort(key=lambda r: (-r.months_behind, -r.owed_rp, r.member))
    return rows
