"""Reading a catalog CSV (sku,name,unit,price_rp,cost_rp,stock) for a standalone counter before its
first sync. Pure: text in, products or one readable error out; nothing is imported unless all rows pass.

Two dialects are accepted, found from the header row (``sniff_delimiter``):

- ``,`` between fields, a point for decimals (``12.5``): what most programs write;
- ``;`` between fields, a comma for decimals (``12,5``) and points grouping thousands (``17.500``): what
  Excel writes in the Indonesian locale. Rupiah must still be whole (``17.500,00`` is fine, ``17.500,50``
  is refused).
"""

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
DELIMITERS: Final = (",", ";")
MAX_ROWS: Final = 100_000
RP_RE: Final = re.compile(r"^\d{1,11}$")
# Indonesian-locale rupiah: thousands grouped by points, optional zero cents after a comma.
RP_ID_RE: Final = re.compile(r"^(?P<int>\d{1,3}(?:\.\d{3}){1,3}|\d{1,11})(?:,0{1,2})?$")
STOCK_RE: Final = re.compile(r"^\d{1,9}(\.\d{1,3})?$")
STOCK_ID_RE: Final = re.compile(r"^\d{1,9}(,\d{1,3})?$")


def sniff_delimiter(text: str) -> str:
    """``;`` when the header row splits into the catalog's columns on semicolons only, else ``,``."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    found = {}
    for delimiter in DELIMITERS:
        header = next(csv.reader([first], delimiter=delimiter), [])
        found[delimiter] = {h.strip() for h in header} >= set(COLUMNS)
    return ";" if found[";"] and not found[","] else ","


def parse_catalog_csv(text: str, path: str = "catalog.csv", delimiter: str | None = None) -> list[Product]:
    """Products from CSV ``text`` (header row first; ``stock`` empty means not tracked), with fields
    separated by ``delimiter`` (default: ``sniff_delimiter``)."""
    delimiter = delimiter or sniff_delimiter(text)
    if delimiter not in DELIMITERS:
        raise ValueError(f"delimiter must be one of {DELIMITERS}")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
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
        products.append(_product(path, number, row, seen, indonesian=delimiter == ";"))
    return products


def _product(path: str, number: int, row: dict[str, str], seen: set[str], *, indonesian: bool) -> Product:
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
        whole = RP_ID_RE.match(value) if indonesian else RP_RE.match(value)
        digits = (whole["int"].replace(".", "") if indonesian else value) if whole else ""
        if not digits or int(digits) > MAX_AMOUNT_RP:
            example = "17500 atau 17.500" if indonesian else "17500"
            example_en = "17500 or 17.500" if indonesian else "17500"
            raise bad(
                f"{column} {value!r} harus bilangan bulat rupiah, misalnya {example}",
                f"{column} {value!r} must be whole rupiah, e.g. {example_en}",
            )
        amounts[column] = int(digits)
    stock_text = row.get("stock", "")
    stock: Decimal | None = None
    if stock_text:
        if not (STOCK_ID_RE if indonesian else STOCK_RE).match(stock_text):
            mark = "koma" if indonesian else "titik"
            raise bad(
                f"stock {stock_text!r} harus angka >= 0 (paling banyak 3 desimal di belakang {mark}) "
                "atau kosong",
                f"stock {stock_text!r} must be a number >= 0 (at most 3 decimals after a "
                f"{'comma' if indonesian else 'point'}) or empty",
            )
        stock_text = stock_text.replace(",", ".")
        try:
            stock = Decimal(stock_text)
        except InvalidOperation as err:  # pragma: no cover - the pattern rules this out
            raise bad("stock rusak", "stock is malformed") from err
    return Product(sku, name, unit, amounts["price_rp"], amounts["cost_rp"], stock)
