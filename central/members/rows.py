"""Members and products as tables: parsing (pure, every bad row reported with its line number), card codes,
and export. The rows come from ``central.members.tabular`` (CSV with ``,`` or ``;``, or .xlsx); CSV text is
accepted too. The store side is ``Ledger.import_members`` / ``Ledger.import_products``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final, NamedTuple

from central.errors import ImportRowsError, TableFileError
from central.members.tabular import Table, csv_text, parse_rupiah, parse_table
from sync.envelope import CODE_RE

MEMBER_COLUMNS: Final = ("number", "name", "joined", "birth_date", "phone", "blood_type", "role")
MEMBER_OPTIONAL: Final = (
    "credit_limit_rp",
    "active",
    "card_code",
)  # card_code is assigned by central, ignored
MEMBER_EXPORT: Final = (*MEMBER_COLUMNS, "card_code", "credit_limit_rp", "active")
PRODUCT_COLUMNS: Final = ("sku", "name", "unit", "price_rp", "cost_rp")
ROLES: Final = (
    "anggota",
    "ketua",
    "sekretaris",
    "bendahara",
    "pengurus",
    "pengawas",
    "manajer",
    "staf",
    "kasir",
    "kader",
)
BLOOD_RE: Final = re.compile(r"^(A|B|AB|O)[+-]?$")
PHONE_RE: Final = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")
CARD_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
CARD_CODE_RE: Final = re.compile(r"^KP[0-9A-HJKMNP-TV-Z]{12}$")
MAX_ROWS: Final = 200_000
MAX_NAME: Final = 200
TRUE_WORDS: Final = frozenset({"1", "true", "ya", "yes", "y", "aktif"})
FALSE_WORDS: Final = frozenset({"0", "false", "tidak", "no", "n", "nonaktif"})


class MemberRow(NamedTuple):
    """One member as imported."""

    number: str
    name: str
    joined: str
    birth_date: str | None
    phone: str | None
    blood_type: str | None
    role: str
    credit_limit_rp: int | None = None
    active: bool = True


class ProductRow(NamedTuple):
    """One product as imported: the unit that sells it and its price and cost in rupiah."""

    sku: str
    name: str
    unit: str
    price_rp: int
    cost_rp: int


def new_card_code() -> str:
    """A random member card code: ``KP`` + 12 Crockford base32 characters (never derived from the number)."""
    return "KP" + "".join(secrets.choice(CARD_ALPHABET) for _ in range(12))


def _date(value: str, column: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a date like 2024-01-31") from None


def _rupiah(value: str, column: str, decimal_comma: bool) -> int:
    try:
        return parse_rupiah(value, decimal_comma=decimal_comma)
    except ValueError as err:
        raise ValueError(f"{column} {err}") from None


def _table(source: str | Table, what: str) -> Table:
    if isinstance(source, Table):
        return source
    try:
        return parse_table(source, max_rows=MAX_ROWS)
    except TableFileError as err:
        raise ImportRowsError(what, [(0, str(err))]) from err


def _rows(
    source: str | Table, required: Iterable[str], optional: Iterable[str], what: str
) -> tuple[Table, list[tuple[int, Mapping[str, str]]]]:
    table = _table(source, what)
    header = table.columns
    missing = [c for c in required if c not in header]
    if missing:
        found = f" (read with {table.delimiter!r} between fields)" if table.delimiter else ""
        raise ImportRowsError(
            what,
            [(1, f"header lacks column(s) {', '.join(missing)}; expected {','.join(required)}{found}")],
        )
    unknown = [c for c in header if c not in (*required, *optional)]
    if unknown:
        raise ImportRowsError(what, [(1, f"unknown column(s) {', '.join(unknown)}")])
    extra = set(table.extra_cells)
    rows: list[tuple[int, Mapping[str, str]]] = [
        (line, {"__extra__": "1"} if line in extra else cells) for line, cells in table.rows
    ]
    return table, rows


def parse_members(source: str | Table) -> list[MemberRow]:
    """Parse members from a ``Table`` (or CSV text); raise ``ImportRowsError`` listing every bad row
    (nothing is imported then)."""
    problems: list[tuple[int, str]] = []
    result: list[MemberRow] = []
    seen: dict[str, int] = {}
    table, rows = _rows(source, MEMBER_COLUMNS, MEMBER_OPTIONAL, "members")
    for line, row in rows:
        try:
            result.append(_member(row, seen, line, table.decimal_comma))
        except ValueError as err:
            problems.append((line, str(err)))
    if problems:
        raise ImportRowsError("members", problems)
    return result


def _member(row: Mapping[str, str], seen: dict[str, int], line: int, decimal_comma: bool) -> MemberRow:
    if "__extra__" in row:
        raise ValueError("more fields than the header has columns")
    number = row["number"]
    if not CODE_RE.match(number):
        raise ValueError(f"number {number!r} must be letters and digits like A001")
    if number in seen:
        raise ValueError(f"number {number} already appears on line {seen[number]}")
    seen[number] = line
    name = row["name"]
    if not name or len(name) > MAX_NAME:
        raise ValueError(f"name must be 1 to {MAX_NAME} characters")
    joined = _date(row["joined"], "joined")
    birth = _date(row["birth_date"], "birth_date") if row["birth_date"] else None
    phone = row["phone"] or None
    if phone is not None and not PHONE_RE.match(phone):
        raise ValueError(f"phone {phone!r} must be digits, e.g. 081234567890 or +6281234567890")
    blood = row["blood_type"].upper() or None
    if blood is not None and not BLOOD_RE.match(blood):
        raise ValueError(f"blood_type {row['blood_type']!r} must be A, B, AB or O (optionally + or -)")
    role = row["role"].lower() or "anggota"
    if role not in ROLES:
        raise ValueError(f"role {row['role']!r} must be one of {', '.join(ROLES)}")
    limit = row.get("credit_limit_rp") or ""
    credit = _rupiah(limit, "credit_limit_rp", decimal_comma) if limit else None
    active_text = (row.get("active") or "").lower()
    if active_text and active_text not in TRUE_WORDS | FALSE_WORDS:
        raise ValueError(f"active {row['active']!r} must be ya/tidak (or true/false)")
    active = active_text not in FALSE_WORDS
    return MemberRow(number, name, joined, birth, phone, blood, role, credit, active)


def parse_products(source: str | Table, units: Iterable[str]) -> list[ProductRow]:
    """Parse products from a ``Table`` (or CSV text); raise ``ImportRowsError`` listing every bad row
    (nothing is imported then)."""
    unit_codes = set(units)
    problems: list[tuple[int, str]] = []
    result: list[ProductRow] = []
    seen: dict[str, int] = {}
    table, rows = _rows(source, PRODUCT_COLUMNS, (), "products")
    for line, row in rows:
        try:
            if "__extra__" in row:
                raise ValueError("more fields than the header has columns")
            sku = row["sku"]
            if not CODE_RE.match(sku):
                raise ValueError(f"sku {sku!r} must be letters, digits, '.', '_' or '-' (e.g. an EAN-13)")
            if sku in seen:
                raise ValueError(f"sku {sku} already appears on line {seen[sku]}")
            seen[sku] = line
            if not row["name"] or len(row["name"]) > MAX_NAME:
                raise ValueError(f"name must be 1 to {MAX_NAME} characters")
            if row["unit"] not in unit_codes:
                raise ValueError(f"unit {row['unit']!r} must be one of {', '.join(sorted(unit_codes))}")
            price = _rupiah(row["price_rp"], "price_rp", table.decimal_comma)
            cost = _rupiah(row["cost_rp"], "cost_rp", table.decimal_comma)
            result.append(ProductRow(sku, row["name"], row["unit"], price, cost))
        except ValueError as err:
            problems.append((line, str(err)))
    if problems:
        raise ImportRowsError("products", problems)
    return result


def to_csv(
    columns: Iterable[str], rows: Iterable[Mapping[str, Any]], delimiter: str = ",", lang: str = "id"
) -> str:
    """CSV text with a header (used by the exports); ``delimiter`` ``,`` or ``;``."""
    return csv_text(columns, rows, delimiter, lang)
