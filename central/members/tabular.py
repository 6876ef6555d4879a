"""Reading and writing the office's tables: CSV (``,`` or ``;``) and Excel ``.xlsx``, one reader for every
import (members, products, opening balances, ...).

Pure apart from reading and writing the file. The API::

    table = read_table(Path("anggota.xlsx"))          # or .csv; sheet="Anggota" for a named sheet
    table.delimiter                                   # ',' or ';' for a CSV, None for an .xlsx
    for row in table.rows:                            # Row(line, cells): line as the user sees it
        amount = parse_rupiah(row.cells["saldo_rp"], decimal_comma=table.decimal_comma)

``parse_table(text)`` does the same for CSV text already in memory; ``csv_text`` and ``write_xlsx`` write.
Every cell comes out as stripped text (``""`` for an empty one); the caller checks the columns it needs.

**Two CSV conventions**, found from the header row (``sniff_delimiter``):

- ``,`` between fields and a point for decimals (``12.5``): what most programs write;
- ``;`` between fields, a comma for decimals (``12,5``) and points grouping thousands (``17.500``): what
  Excel writes in the Indonesian locale ("CSV (dipisahkan titik koma)").

**Rupiah are whole** (``parse_rupiah``). Plain digits (``17500``) are read in both conventions. In the ``;``
convention ``17.500`` and ``17.500,00`` are 17500; in the ``,`` convention a point is a decimal point, so
``17.500`` would be seventeen and a half rupiah and is refused, as is ``17,500`` (a thousands comma there
is ambiguous with the Indonesian decimal comma, so it is never guessed). Fractions other than zero are
refused in both. An ``.xlsx`` has no such problem: its numbers are numbers; a whole one comes out as
``17500``, a date as ``2026-03-31``.

The file is read as UTF-8 (a byte-order mark is skipped). Any other encoding raises ``NotUtf8`` naming the
first bad byte and its line, so the user is told to save the file as "CSV UTF-8", not that it is missing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Final, NamedTuple

from central.errors import NotUtf8, TableFileError
from sync.envelope import MAX_AMOUNT_RP

DELIMITERS: Final = (",", ";")
XLSX_SUFFIXES: Final = (".xlsx", ".xlsm")
MAX_FILE_BYTES: Final = 64 * 1024 * 1024
MAX_ROWS: Final = 200_000
MAX_COLUMNS: Final = 200
# Whole rupiah, optionally signed; with the Indonesian convention, points group thousands and a comma
# may carry zero cents; with the international one, a point may carry zero cents.
_RP_PLAIN: Final = re.compile(r"^(?P<sign>-?)(?P<int>\d{1,15})(?:\.0{1,2})?$")
_RP_ID: Final = re.compile(r"^(?P<sign>-?)(?P<int>\d{1,3}(?:\.\d{3}){1,4}|\d{1,15})(?:,0{1,2})?$")


class Row(NamedTuple):
    """One data row: its line (CSV line or sheet row, as the user sees it) and its cells by column."""

    line: int
    cells: Mapping[str, str]


@dataclass(frozen=True)
class Table:
    """A file's header and rows. ``delimiter`` is ``,`` or ``;`` for a CSV and None for an .xlsx."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    delimiter: str | None = ","
    extra_cells: tuple[int, ...] = ()  # lines with more cells than the header has columns

    @property
    def decimal_comma(self) -> bool:
        """True when numbers use the Indonesian convention (``17.500``, ``12,5``): a ``;`` CSV."""
        return self.delimiter == ";"


def sniff_delimiter(text: str) -> str:
    """``;`` when the header row (the first line of ``text``) has more ``;``-separated fields than
    ``,``-separated ones, else ``,``."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in DELIMITERS}
    return ";" if counts[";"] > counts[","] else ","


def parse_table(text: str, delimiter: str | None = None, max_rows: int = MAX_ROWS) -> Table:
    """A CSV ``text`` (header first) as a ``Table``; ``delimiter`` defaults to ``sniff_delimiter``.
    Blank rows are skipped; more than ``max_rows`` rows raises ``TableFileError``."""
    delimiter = delimiter or sniff_delimiter(text)
    if delimiter not in DELIMITERS:
        raise ValueError(f"delimiter must be one of {DELIMITERS}")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    header = next(reader, [])
    columns = tuple(h.strip() for h in header)
    rows: list[Row] = []
    extra: list[int] = []
    for record in reader:
        cells = [c.strip() for c in record]
        if not any(cells):
            continue
        if len(rows) >= max_rows:
            raise TableFileError(f"line {reader.line_num}: more than {max_rows} rows; split the file")
        if len(cells) > len(columns):
            extra.append(reader.line_num)
        values = dict(zip(columns, cells + [""] * (len(columns) - len(cells)), strict=False))
        rows.append(Row(reader.line_num, values))
    return Table(columns, tuple(rows), delimiter, tuple(extra))


def read_table(path: Path, *, sheet: str | None = None, max_rows: int = MAX_ROWS) -> Table:
    """The table in the file at ``path``: an ``.xlsx`` (first sheet, or ``sheet``) by its suffix, else a
    CSV with either delimiter. Raises ``NotUtf8`` for a CSV in another encoding and ``TableFileError`` for
    a missing, unreadable, too large or broken file."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as err:
        raise TableFileError(f"{path} does not exist") from err
    except OSError as err:
        raise TableFileError(f"{path} cannot be read: {err.strerror}") from err
    if size > MAX_FILE_BYTES:
        raise TableFileError(f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise TableFileError(f"{path} cannot be read: {err.strerror}") from err
    return table_from_bytes(data, str(path), sheet=sheet, max_rows=max_rows)


def table_from_bytes(data: bytes, name: str, *, sheet: str | None = None, max_rows: int = MAX_ROWS) -> Table:
    """The table in ``data``, the content of a file called ``name`` (an upload, or what ``read_table``
    read): an ``.xlsx`` by the name's suffix, else a UTF-8 CSV with either delimiter. Raises as
    ``read_table`` does, naming ``name``."""
    if len(data) > MAX_FILE_BYTES:
        raise TableFileError(f"{name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it")
    if name.lower().endswith(XLSX_SUFFIXES):
        return _read_xlsx(io.BytesIO(data), name, sheet, max_rows)
    if sheet is not None:
        raise TableFileError(f"{name}: a sheet can be named only for an .xlsx file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise NotUtf8(name, line, data[err.start : err.start + 1].hex()) from err
    return parse_table(text, max_rows=max_rows)


def _read_xlsx(source: io.BytesIO, path: str, sheet: str | None, max_rows: int) -> Table:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as err:
        raise TableFileError(f"{path} is not a readable .xlsx workbook ({err})") from err
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise TableFileError(f"{path} has no sheet {sheet!r}; it has {', '.join(book.sheetnames)}")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        columns: tuple[str, ...] = ()
        rows: list[Row] = []
        extra: list[int] = []
        for number, values in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            cells = [cell_text(v) for v in values]
            while cells and not cells[-1]:
                cells.pop()
            if number == 1:
                columns = tuple(cells)
                continue
            if not cells:
                continue
            if len(rows) >= max_rows:
                raise TableFileError(f"row {number}: more than {max_rows} rows; split the file")
            if len(cells) > len(columns):
                extra.append(number)
            values_by_column = dict(zip(columns, cells + [""] * (len(columns) - len(cells)), strict=False))
            rows.append(Row(number, values_by_column))
        return Table(columns, tuple(rows), None, tuple(extra))
    finally:
        book.close()


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: whole numbers as integers (``17500``, not ``17500.0``), dates as ISO
    dates (a date-time at midnight too), booleans as ``true``/``false``, empty as ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_rupiah(text: str, *, decimal_comma: bool, allow_negative: bool = False) -> int:
    """Whole rupiah from a cell: ``17500`` always; with ``decimal_comma`` (a ``;`` CSV) also ``17.500`` and
    ``17.500,00``; without it also ``17500.00``. Raises ``ValueError`` with a readable reason otherwise
    (``17,500``, ``17.500`` in a ``,`` file, ``12,5``, above the envelope limit, negative unless allowed)."""
    match = (_RP_ID if decimal_comma else _RP_PLAIN).match(text.strip())
    example = "17500 atau/or 17.500" if decimal_comma else "17500"
    if match is None:
        raise ValueError(f"{text!r} is not whole rupiah, e.g. {example}")
    if match["sign"] and not allow_negative:
        raise ValueError(f"{text!r} must not be negative")
    amount = int(match["int"].replace(".", ""))
    if amount > MAX_AMOUNT_RP:
        raise ValueError(f"{text!r} exceeds the limit of {MAX_AMOUNT_RP}")
    return -amount if match["sign"] else amount


def _out(value: Any, lang: str) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        yes, no = ("yes", "no") if lang == "en" else ("ya", "tidak")
        return yes if value else no
    return value


def csv_text(
    columns: Iterable[str], rows: Iterable[Mapping[str, Any]], delimiter: str = ",", lang: str = "id"
) -> str:
    """CSV text with a header row; booleans as ``ya``/``tidak`` (``yes``/``no`` in English, both read back
    by the imports), None as empty, rupiah as plain digits (readable in both conventions)."""
    if delimiter not in DELIMITERS:
        raise ValueError(f"delimiter must be one of {DELIMITERS}")
    out = io.StringIO()
    cols = list(columns)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow([str(_out(row.get(c), lang)) for c in cols])
    return out.getvalue()


def write_xlsx(
    path: Path, columns: Iterable[str], rows: Iterable[Mapping[str, Any]], sheet: str, lang: str = "id"
) -> None:
    """Write an .xlsx with one sheet named ``sheet``: integers as numbers, everything else as text (so
    codes like ``0812...`` or an EAN-13 keep their digits)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    cols = list(columns)
    ws.append(cols)
    for row in rows:
        cells = []
        for value in (_out(row.get(c), lang) for c in cols):
            cell = WriteOnlyCell(ws, value=value if isinstance(value, int) else str(value))
            if not isinstance(value, int):
                cell.data_type = "s"  # text stays text: a name starting with '=' is not a formula
            cells.append(cell)
        ws.append(cells)
    book.save(path)
