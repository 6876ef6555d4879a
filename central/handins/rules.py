"""The pure rules of the daily deposit (setoran harian, docs/handins.md): the cash a clerk's shift should
hold, recomputed from the ledger's transactions with the device's own rule, and the entry that books the
differences when the treasurer confirms receipt. Plain data in, plain data out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

PURPOSE: Final = "cash_difference"
NOTE_PREFIX: Final = "setoran "
# The kinds a shift's cash comes from (the device's shift summary: edge.rules.shift_summary).
CASH_KINDS: Final = ("sale", "savings_deposit", "installment", "savings_withdrawal", "void")
MEMO_COUNTED: Final = "selisih hitung petugas"  # counted - expected: the clerk's till
MEMO_RECEIVED: Final = "selisih terima bendahara"  # received - counted: between clerk and treasurer


@dataclass(frozen=True)
class Fact:
    """One accepted transaction of the shift: kind, payment, total; for a void, the kind it voids."""

    id: str
    kind: str
    payment: str
    total_rp: int
    ref_kind: str | None = None


def cash_expected_rp(facts: Iterable[Fact]) -> int:
    """Cash a shift should hold: cash sales + deposits + installments - withdrawals - cash voids, where a
    void of a withdrawal puts its cash back. The same rule as the device's shift summary, so an honest
    device and the ledger agree to the rupiah."""
    cash = 0
    for fact in facts:
        if fact.kind == "sale":
            cash += fact.total_rp if fact.payment == "cash" else 0
        elif fact.kind == "void" and fact.ref_kind == "savings_withdrawal":
            cash += fact.total_rp
        elif fact.kind == "void":
            cash -= fact.total_rp if fact.payment == "cash" else 0
        elif fact.kind in ("savings_deposit", "installment"):
            cash += fact.total_rp
        elif fact.kind == "savings_withdrawal":
            cash -= fact.total_rp
    return cash


@dataclass(frozen=True)
class Line:
    """One line of the difference entry: account, debit, credit, memo."""

    account: str
    debit_rp: int
    credit_rp: int
    memo: str


def difference_lines(
    expected_rp: int, counted_rp: int, received_rp: int, *, cash: str, difference: str
) -> tuple[Line, ...]:
    """The lines that bring the cash account from what the shift's transactions put in it
    (``expected_rp``) to what the treasurer received: the clerk's difference (counted - expected) and
    the hand-over's difference (received - counted), each on its own pair of lines. A shortage debits
    ``difference`` and credits ``cash``; an overage the other way. Empty when nothing differs."""
    lines: list[Line] = []
    for amount, memo in ((counted_rp - expected_rp, MEMO_COUNTED), (received_rp - counted_rp, MEMO_RECEIVED)):
        if amount < 0:
            lines += [Line(difference, -amount, 0, memo), Line(cash, 0, -amount, memo)]
        elif amount > 0:
            lines += [Line(cash, amount, 0, memo), Line(difference, 0, amount, memo)]
    return tuple(lines)
