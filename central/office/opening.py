"""Opening balances (saldo awal) of a cooperative moving from spreadsheets: the rows of the import file
checked, and turned into ``opening`` envelope bodies. Pure: rows in, bodies out.

One row per balance, columns ``what,member,product,loan,unit,amount_rp``:

    what       amount is ...                                         needs
    savings    a member's savings in a product (simpanan)            member, product
    loan       principal a member still owes on a loan (pinjaman)    member, loan (its id, for installments)
    credit     store credit a member still owes (kredit toko)        member
    cash       the cooperative's cash (kas)                          -
    inventory  the stock of a unit at cost (persediaan)              unit

``what`` may also be written in Indonesian: simpanan, pinjaman, kredit, kas, persediaan. Every problem is
reported with its line, and nothing is imported while any is left.

The import is one *batch*: one envelope per member (their savings, loans and store credit; the envelope's
``member`` puts the member on each journal line, which member balances are read from) and one for the
cooperative's cash and inventory, each balanced against the opening balance equity account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from central.office import entries
from central.office.errors import OpeningRowsError
from sync import envelope as wire

COLUMNS: Final = ("what", "member", "product", "loan", "unit", "amount_rp")
REQUIRED_COLUMNS: Final = ("what", "amount_rp")
ALIASES: Final = {
    "simpanan": "savings",
    "pinjaman": "loan",
    "kredit": "credit",
    "piutang": "credit",
    "kas": "cash",
    "persediaan": "inventory",
}
MEMBER_ITEMS: Final = ("savings", "loan", "credit")


@dataclass(frozen=True)
class OpeningRow:
    """One checked balance of the file, with the line it came from."""

    line: int
    what: str
    member: str | None
    key: str | None  # product (savings), loan id (loan), unit (inventory)
    amount_rp: int

    def item(self) -> dict[str, Any]:
        """The envelope item of this balance."""
        extra = {"savings": "product", "loan": "loan", "inventory": "unit"}.get(self.what)
        item: dict[str, Any] = {"what": self.what, "amount_rp": self.amount_rp}
        if extra is not None:
            item[extra] = self.key
        return item


def plain_rupiah(text: str) -> int:
    """Whole rupiah written as digits."""
    if not text.isdigit():
        raise ValueError(f"amount {text!r} must be whole rupiah (digits only)")
    return int(text)


def parse_rows(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    *,
    units: Iterable[str],
    rupiah: Callable[[str], int] = plain_rupiah,
) -> tuple[OpeningRow, ...]:
    """Check every row (line, cells by column); ``OpeningRowsError`` lists each problem with its line."""
    unit_codes = set(units)
    problems: list[tuple[int, str]] = []
    result: list[OpeningRow] = []
    seen: dict[tuple[str, str | None, str | None], int] = {}
    for line, cells in rows:
        missing = [c for c in REQUIRED_COLUMNS if c not in cells]
        if missing:
            raise OpeningRowsError(
                [(1, f"missing column(s) {', '.join(missing)}; columns: {','.join(COLUMNS)}")]
            )
        try:
            row = _row(line, cells, unit_codes, rupiah)
        except ValueError as err:
            problems.append((line, str(err)))
            continue
        key = ("loan", None, row.key) if row.what == "loan" else (row.what, row.member, row.key)
        if key in seen:
            problems.append((line, f"the same balance as line {seen[key]}; give each balance once"))
            continue
        seen[key] = line
        result.append(row)
    if not result and not problems:
        problems.append((1, "no balances in the file"))
    if problems:
        raise OpeningRowsError(problems)
    return tuple(result)


def _row(line: int, cells: Mapping[str, str], units: set[str], rupiah: Callable[[str], int]) -> OpeningRow:
    raw_what = cells.get("what", "").strip().lower()
    what = ALIASES.get(raw_what, raw_what)
    if what not in wire.OPENING_ITEMS:
        raise ValueError(
            f"what {raw_what!r} must be one of {', '.join(wire.OPENING_ITEMS)} (or {', '.join(ALIASES)})"
        )
    member = cells.get("member", "").strip() or None
    if what in MEMBER_ITEMS and member is None:
        raise ValueError(f"a {what} balance needs the member number")
    if what not in MEMBER_ITEMS and member is not None:
        raise ValueError(f"{what} is the cooperative's, not a member's: leave member empty")
    if member is not None and not wire.CODE_RE.match(member):
        raise ValueError(f"member {member!r} is not a member number")
    key: str | None = None
    if what == "savings":
        key = cells.get("product", "").strip().lower()
        if key not in wire.SAVINGS_PRODUCTS:
            raise ValueError(f"product {key!r} must be one of {', '.join(wire.SAVINGS_PRODUCTS)}")
    elif what == "loan":
        key = cells.get("loan", "").strip()
        if not wire.CODE_RE.match(key):
            raise ValueError("a loan balance needs the loan's id (letters, digits, '.', '_', '-')")
    elif what == "inventory":
        key = cells.get("unit", "").strip()
        if key not in units:
            raise ValueError(f"unit {key!r} is not a unit of this cooperative ({', '.join(sorted(units))})")
    text = cells.get("amount_rp", "").strip()
    try:
        amount = rupiah(text)
    except ValueError as err:
        raise ValueError(str(err)) from None
    if not 0 < amount <= wire.MAX_AMOUNT_RP:
        raise ValueError(f"amount_rp {text!r} must be above 0 and at most {wire.MAX_AMOUNT_RP:,}")
    return OpeningRow(line, what, member, key, amount)


def members_of(rows: Iterable[OpeningRow]) -> dict[str, int]:
    """Each member the rows name, with the first line naming them."""
    found: dict[str, int] = {}
    for row in rows:
        if row.member is not None:
            found.setdefault(row.member, row.line)
    return found


def bodies(rows: Iterable[OpeningRow], batch: str) -> list[dict[str, Any]]:
    """The opening's envelope bodies: the cooperative's cash and stock first, then one per member."""
    groups: dict[str | None, list[OpeningRow]] = {}
    for row in rows:
        groups.setdefault(row.member, []).append(row)
    order = sorted(groups, key=lambda member: (member is not None, member or ""))
    result = []
    for member in order:
        items = [row.item() for row in groups[member]]
        for start in range(0, len(items), wire.MAX_LINES):
            result.append(entries.opening(batch, member, items[start : start + wire.MAX_LINES]))
    return result
