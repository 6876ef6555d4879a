"""The office's tables: CSV with ',' or ';' (Indonesian Excel), .xlsx, UTF-8 checks, rupiah in both
conventions, and the import/export commands that use them."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from central.cli import app as cli
from central.errors import ImportRowsError, NotUtf8, TableFileError
from central.ledger import Ledger
from central.members import rows as members
from central.members import tabular

HEADER = "number,name,joined,birth_date,phone,blood_type,role,credit_limit_rp\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """An initialised SQLite ledger."""
    path = str(tmp_path / "coop.sqlite")
    assert run(capsys, "--db", path, "init")[0] == 0
    return path


def test_semicolon_csv_is_sniffed_and_reported() -> None:
    """A ';' header (Excel, Indonesian locale) is read with ';' and says it uses the decimal comma."""
    table = tabular.parse_table("\ufeffsku;name;price_rp\n8991;Gula, pasir;17.500\n\n")
    assert table.delimiter == ";" and table.decimal_comma
    assert table.columns == ("sku", "name", "price_rp")
    assert [(r.line, dict(r.cells)) for r in table.rows] == [
        (2, {"sku": "8991", "name": "Gula, pasir", "price_rp": "17.500"})
    ]
    assert tabular.parse_table("sku,name\n1,a\n").delimiter == ","


def test_rupiah_in_both_conventions_only_where_unambiguous() -> None:
    """17.500 is 17500 only in the ';' convention; 17,500 and fractions are refused in both."""
    assert tabular.parse_rupiah("17.500", decimal_comma=True) == 17_500
    assert tabular.parse_rupiah("1.250.000,00", decimal_comma=True) == 1_250_000
    assert tabular.parse_rupiah("17500", decimal_comma=True) == 17_500
    assert tabular.parse_rupiah("17500", decimal_comma=False) == 17_500
    assert tabular.parse_rupiah("17500.00", decimal_comma=False) == 17_500
    assert tabular.parse_rupiah("-2.000", decimal_comma=True, allow_negative=True) == -2_000
    for text, comma in [
        ("17,500", False),
        ("17.500", False),
        ("17,5", True),
        ("17.50", True),
        ("1.2345", True),
        ("-5", False),
        ("Rp 5", False),
        ("", True),
    ]:
        with pytest.raises(ValueError):
            tabular.parse_rupiah(text, decimal_comma=comma)


def test_non_utf8_csv_names_the_byte_and_line(tmp_path: Path) -> None:
    """A Windows-1252 CSV raises NotUtf8 with the bad byte and its line, not 'cannot be read'."""
    path = tmp_path / "anggota.csv"
    path.write_bytes((HEADER + "A001,José,2020-01-05,,,,anggota,\n").encode("cp1252"))
    with pytest.raises(NotUtf8) as err:
        tabular.read_table(path)
    assert (err.value.line, err.value.byte_hex) == (2, "e9")
    with pytest.raises(TableFileError, match="does not exist"):
        tabular.read_table(tmp_path / "nope.csv")


def test_xlsx_numbers_and_dates_come_out_as_text(tmp_path: Path) -> None:
    """An .xlsx row gives whole numbers as integers and dates as ISO dates, with sheet row numbers."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Lain"
    other = book.create_sheet("Anggota")
    for sheet in (ws, other):
        sheet.append(["number", "joined", "credit_limit_rp", "ratio"])
        sheet.append([None, None, None, None])
        sheet.append(["A001", datetime(2020, 1, 5), 1250000.0, 12.5])
        sheet.append(["A002", date(2021, 2, 3), 0, None])
    path = tmp_path / "anggota.xlsx"
    book.save(path)
    table = tabular.read_table(path, sheet="Anggota")
    assert table.delimiter is None and not table.decimal_comma
    assert [(r.line, dict(r.cells)) for r in table.rows] == [
        (3, {"number": "A001", "joined": "2020-01-05", "credit_limit_rp": "1250000", "ratio": "12.5"}),
        (4, {"number": "A002", "joined": "2021-02-03", "credit_limit_rp": "0", "ratio": ""}),
    ]
    assert tabular.read_table(path).rows[0].cells["number"] == "A001"
    with pytest.raises(TableFileError, match="no sheet"):
        tabular.read_table(path, sheet="Produk")


def test_broken_xlsx_is_a_clear_error(tmp_path: Path) -> None:
    """A file named .xlsx that is not a workbook is refused with a reason, not a traceback."""
    path = tmp_path / "anggota.xlsx"
    path.write_text("number,name\n", encoding="utf-8")
    with pytest.raises(TableFileError, match=r"not a readable \.xlsx"):
        tabular.read_table(path)


def test_semicolon_members_keep_line_numbers_in_errors() -> None:
    """A ';' members file reads 1.250.000 as a limit and still reports bad rows by line."""
    text = HEADER.replace(",", ";") + "A001;Budi;2020-01-05;;;;anggota;1.250.000\n"
    assert members.parse_members(text)[0].credit_limit_rp == 1_250_000
    with pytest.raises(ImportRowsError) as err:
        members.parse_members(text + "A002;Ani;2020-01-05;;;;anggota;12,5\n")
    assert [line for line, _ in err.value.problems] == [3]


def test_cli_imports_semicolon_csv_and_xlsx(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`import products` takes a ';' CSV (saying so) and an .xlsx; a non-UTF-8 CSV says how to save it."""
    semi = tmp_path / "produk.csv"
    semi.write_text("sku;name;unit;price_rp;cost_rp\n8991;Gula;toko;17.500;15.000\n", encoding="utf-8")
    code, out, _ = run(capsys, "--db", db, "import", "products", str(semi))
    assert code == 0 and "';'" in out
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["sku", "name", "unit", "price_rp", "cost_rp"])
    ws.append(["8991", "Gula", "toko", 18000, 15000])
    ws.append(["8992", "Teh", "toko", 4000.0, 3000])
    xlsx = tmp_path / "produk.xlsx"
    book.save(xlsx)
    assert run(capsys, "--db", db, "import", "products", str(xlsx))[0] == 0
    with Ledger.open(db) as ledger:
        assert [(p["sku"], p["price_rp"]) for p in ledger.products()] == [("8991", 18000), ("8992", 4000)]
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "A001,José,2020-01-05,,,,anggota,\n").encode("cp1252"))
    code, _, err = run(capsys, "--db", db, "import", "members", str(latin))
    assert code == 2 and "UTF-8" in err and "0xe9" in err and "baris 2" in err
    assert "tidak ada" not in err and "Traceback" not in err
    code, _, err = run(capsys, "--db", db, "import", "members", str(tmp_path / "missing.csv"))
    assert code == 2 and "tidak ada" in err


def test_cli_exports_semicolon_and_xlsx_that_reimport(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`export members --delimiter ';'` and `--out F.xlsx` write files the import reads back unchanged."""
    src = tmp_path / "anggota.csv"
    src.write_text(HEADER + "A001,=Budi,2020-01-05,,081234567890,O,anggota,1250000\n", encoding="utf-8")
    assert run(capsys, "--db", db, "import", "members", str(src))[0] == 0
    code, out, _ = run(capsys, "--db", db, "export", "members", "--delimiter", ";")
    row = next(csv.DictReader(io.StringIO(out), delimiter=";"))
    assert code == 0 and row["credit_limit_rp"] == "1250000" and row["active"] == "ya"
    xlsx = tmp_path / "out.xlsx"
    assert run(capsys, "--db", db, "export", "members", "--out", str(xlsx))[0] == 0
    table = tabular.read_table(xlsx)
    cells = table.rows[0].cells
    assert cells["name"] == "=Budi" and cells["phone"] == "081234567890"
    assert cells["card_code"] == row["card_code"]
    assert members.parse_members(table)[0].credit_limit_rp == 1_250_000
    code, out, _ = run(capsys, "--db", db, "import", "members", str(xlsx))
    assert code == 0 and "0 baru, 1 diperbarui" in out
    code, _, err = run(capsys, "--db", db, "export", "products", "--xlsx")
    assert code == 2 and "--out" in err
