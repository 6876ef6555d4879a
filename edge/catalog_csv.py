"""Reading a catalog CSV (sku,name,unit,price_rp,cost_rp,stock) for a standalone counter before its
first sync. Pure: text in, products or one readable error out; nothing is imported unless all rows pass."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from typing import Final

from edge.errors import InvalidCatalogFile
from edge.rules import Product
from sync.envelope import CODE_RE, MAX_AMOUNT_RP

COLUMNS: Final = ("sku", "name", "unit", "price_rp", "cost_rp", "stock")
MAX_ROWS: Final = 100_000
RP_RE: Final = re.compile(r"^\d{1,11}$")
STOCK_RE: Final = re.compile(r"^\d{1,9}(\.\d{1,3})?$")


def parse_catalog_csv(text: str, path: str = "catalog.csv") -> list[Product]:
    """Products from CSV ``text`` (header row first; ``stock`` empty means not tracked)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = tuple(h.strip() for h in (reader.fieldnames or ()))
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidCatalogFile(
            path, 0, f"kolom {', '.join(missing)} tidak ada", f"column(s) {', '.join(missing)} missing"
        )
    products: list[Product] = []
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise InvalidCatalogFile(
                path, number, f"lebih dari {MAX_ROWS} baris", f"more than {MAX_ROWS} rows"
            )
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
        if not any(row.values()):
            continue
        products.append(_product(path, number, row, seen))
    return products


def _product(path: str, number: int, row: dict[str, str], seen: set[str]) -> Product:
    def bad(id_text: str, en_text: str) -> InvalidCatalogFile:
        return InvalidCatalogFile(path, number, id_text, en_text)

    sku, name, unit = row.get("sku", ""), row.get("name", ""), row.get("unit", "")
    if not CODE_RE.match(sku):
        raise bad(f"sku {sku!r} bukan kode yang sah", f"sku {sku!r} is not a valid code")
    if sku in seen:
        raise bad(f"sku {sku!r} muncul dua kali", f"sku {sku!r} appears twice")
    seen.add(sku)
    if not name:
        raise bad(f"nama barang {sku!r} kosong", f"name of {sku!r} is empty")
    if not CODE_RE.match(unit):
        raise bad(
            f"unit {unit!r} bukan kode unit usaha (toko, cafe, ...)",
            f"unit {unit!r} is not a business unit code (toko, cafe, ...)",
        )
    amounts: dict[str, int] = {}
    for column in ("price_rp", "cost_rp"):
        value = row.get(column, "")
        if not RP_RE.match(value) or int(value) > MAX_AMOUNT_RP:
            raise bad(
                f"{column} {value!r} harus bilangan bulat rupiah tanpa titik/koma, misalnya 17500",
                f"{column} {value!r} must be whole rupiah without separators, e.g. 17500",
            )
        amounts[column] = int(value)
    stock_text = row.get("stock", "")
    stock: Decimal | None = None
    if stock_text:
        if not STOCK_RE.match(stock_text):
            raise bad(
                f"stock {stock_text!r} harus angka >= 0 (paling banyak 3 desimal) atau kosong",
                f"stock {stock_text!r} must be a number >= 0 (at most 3 decimals) or empty",
            )
        try:
            stock = Decimal(stock_text)
        except InvalidOperation as err:  # pragma: no cover - the pattern rules this out
            raise bad("stock rusak", "stock is malformed") from err
    return Product(sku, name, unit, amounts["price_rp"], amounts["cost_rp"], stock)
