"""The chart of accounts (bagan akun): account codes, their types, and the default chart.

Pure data. The chart itself lives in the cooperative's config (the default in ``central/default.toml``);
``central.config`` validates that every account the posting rules name exists and has the right type
(simpanan pokok and wajib are equity; sukarela, berjangka, SMSK and SHR are liabilities).
"""

from __future__ import annotations

from typing import Final, NamedTuple

ASSET: Final = "asset"
LIABILITY: Final = "liability"
EQUITY: Final = "equity"
REVENUE: Final = "revenue"
EXPENSE: Final = "expense"
TYPES: Final = (ASSET, LIABILITY, EQUITY, REVENUE, EXPENSE)
# Accounts whose normal balance is on the debit side; the others are credit-normal.
DEBIT_NORMAL: Final = frozenset({ASSET, EXPENSE})


class Account(NamedTuple):
    """One account of the chart: code (kode akun), name, type, and the business unit it belongs to, if any."""

    code: str
    name: str
    type: str
    unit: str | None = None


class UnitAccounts(NamedTuple):
    """The accounts a business unit's sales post to: revenue from members, from non-members, cost of goods."""

    revenue_member: str
    revenue_non_member: str
    cogs: str


class PostingAccounts(NamedTuple):
    """The accounts the posting rules use that do not depend on the selling unit."""

    cash: str
    receivable: str
    loans: str
    inventory: str
    interest_income: str
    savings: tuple[tuple[str, str], ...]  # (savings product, account code)

    def savings_account(self, product: str) -> str:
        """The account code of a savings product (pokok, wajib, ...)."""
        for name, code in self.savings:
            if name == product:
                return code
        raise KeyError(product)


def balance_sign(account_type: str) -> int:
    """+1 when the account's balance is debits minus credits, -1 when credits minus debits."""
    return 1 if account_type in DEBIT_NORMAL else -1
