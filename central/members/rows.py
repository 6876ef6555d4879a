"""Members and products as CSV: parsing (pure, every bad row reported with its line number), card codes,
and export. The store side is ``Ledger.import_members`` / ``Ledger.import_products``.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final, NamedTuple

from central.errors import ImportRowsError
from sync.envelope import CODE_RE, MAX_AMOUNT_RP

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


def _rupiah(value: str, column: str) -> int:
    if not re.fullmatch(r"\d{1,11}", value):
        raise ValueError(f"{column} {value!r} must be whole rupiah without dots or commas, e.g. 12500")
    amount = int(value)
    if amount > MAX_AMOUNT_RP:
        raise ValueError(f"{column} {amount} exceeds the limit of {MAX_AMOUNT_RP}")
    return amount


def _rows(
    text: str, required: Iterable[str], optional: Iterable[str], what: str
) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportRowsError(
            what, [(1, f"header lacks column(s) {', '.join(missing)}; expected {','.join(required)}")]
        )
    unknown = [c for c in header if c not in (*required, *optional)]
    if unknown:
        raise ImportRowsError(what, [(1, f"unknown column(s) {', '.join(unknown)}")])
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, str]]] = []
    for record in reader:
        if len(rows) >= MAX_ROWS:
            raise ImportRowsError(what, [(reader.line_num, f"more than {MAX_ROWS} rows; split the file")])
        if None in record:
            rows.append((reader.line_num, {"__extra__": "1"}))
            continue
        cleaned = {k: (v or "").strip() for k, v in record.items()}
        if not any(cleaned.values()):
            continue
        rows.append((reader.line_num, cleaned))
    return rows


def parse_members(text: str) -> list[MemberRow]:
    """Parse a members CSV; raise ``ImportRowsError`` listing every bad row (nothing is imported then)."""
    problems: list[tuple[int, str]] = []
    result: list[MemberRow] = []
    seen: dict[str, int] = {}
    for line, row in _rows(text, MEMBER_COLUMNS, MEMBER_OPTIONAL, "members"):
        try:
            result.append(_member(row, seen, line))
        except ValueError as err:
            problems.append((line, str(err)))
    if problems:
        raise ImportRowsError("members", problems)
    return result


def _member(row: Mapping[str, str], seen: dict[str, int], line: int) -> MemberRow:
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
    credit = _rupiah(limit, "credit_limit_rp") if limit else None
    active_text = (row.get("active") or "").lower()
    if active_text and active_text not in TRUE_WORDS | FALSE_WORDS:
        raise ValueError(f"active {row['active']!r} must be ya/tidak (or true/false)")
    active = active_text not in FALSE_WORDS
    return MemberRow(number, name, joined, birth, phone, blood, role, credit, active)


def parse_products(text: str, units: Iterable[str]) -> list[ProductRow]:
    """Parse a products CSV; raise ``ImportRowsError`` listing every bad row (nothing is imported then)."""
    unit_codes = set(units)
    problems: list[tuple[int, str]] = []
    result: list[ProductRow] = []
    seen: dict[str, int] = {}
    for line, row in _rows(text, PRODUCT_COLUMNS, (), "products"):
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
            price = _rupiah(row["price_rp"], "price_rp")
            cost = _rupiah(row["cost_rp"], "cost_rp")
            result.append(ProductRow(sku, row["name"], row["unit"], price, cost))
        except ValueError as err:
            problems.append((line, str(err)))
    if problems:
        raise ImportRowsError("products", problems)
    return result


def to_csv(columns: Iterable[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """CSV text with a header (used by the exports)."""
    out = io.StringIO()
    cols = list(columns)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in cols])
    return out.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return str(value)
