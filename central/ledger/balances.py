"""Account balances over a period, from the per-day sums (``account_days``): the figures the books'
reports and the year-end both read, so that neither needs the other."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, select

from central.accounts import EXPENSE, REVENUE, Account, balance_sign
from central.ledger import schema


def sum_balance(conn: Connection, where: Any) -> int:
    """Debits minus credits of the journal lines matching ``where``."""
    j = schema.journal
    debit, credit = conn.execute(
        select(func.coalesce(func.sum(j.c.debit_rp), 0), func.coalesce(func.sum(j.c.credit_rp), 0)).where(
            where
        )
    ).one()
    return int(debit) - int(credit)


def account_sums(conn: Connection, lo: str, hi: str) -> dict[str, tuple[int, int]]:
    """Debits and credits per account over local days lo..hi, from the per-day sums."""
    a = schema.account_days
    query = (
        select(a.c.account, func.sum(a.c.debit_rp), func.sum(a.c.credit_rp))
        .where(a.c.day >= lo, a.c.day <= hi)
        .group_by(a.c.account)
    )
    return {acc: (int(d or 0), int(c or 0)) for acc, d, c in conn.execute(query)}


def income_amounts(conn: Connection, chart: Iterable[Account], lo: str, hi: str) -> list[tuple[Account, int]]:
    """Each revenue and expense account of ``chart`` that moved in lo..hi, with its amount on its
    normal side (revenue positive when earned, expense positive when spent), in chart order."""
    sums = account_sums(conn, lo, hi)
    amounts = []
    for account in chart:
        if account.type not in (REVENUE, EXPENSE):
            continue
        debit, credit = sums.get(account.code, (0, 0))
        if debit or credit:
            amounts.append((account, balance_sign(account.type) * (debit - credit)))
    return amounts
