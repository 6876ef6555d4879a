"""Members and products CSV: all-or-nothing imports with line numbers, updates in place, card codes."""

from __future__ import annotations

import csv
import io
import re

import pytest

from central.errors import ImportRowsError
from central.ledger import Ledger
from central.members import rows as members

HEADER = "number,name,joined,birth_date,phone,blood_type,role\n"


def test_import_reports_every_bad_row_and_writes_nothing(ledger: Ledger) -> None:
    """Bad rows are listed with their line numbers; no member of the file is imported."""
    text = (
        HEADER
        + "A001,Budi Santoso,2020-01-05,1980-02-03,081234567890,O,anggota\n"
        + "A002,,2020-01-05,,,,anggota\n"
        + "A003,Siti,2020-13-01,,,,anggota\n"
        + "A001,Agus,2020-01-05,,,Q,raja\n"
    )
    with pytest.raises(ImportRowsError) as err:
        members.parse_members(text)
    lines = [line for line, _ in err.value.problems]
    assert lines == [3, 4, 5]
    assert "already appears on line 2" in err.value.problems[2][1]
    assert ledger.members() == []


def test_reimport_updates_in_place_and_keeps_the_card_code(ledger: Ledger) -> None:
    """Importing a member again changes their data but not their random card code."""
    ledger.import_members(members.parse_members(HEADER + "A001,Budi,2020-01-05,,,,anggota\n"))
    code = ledger.members()[0]["card_code"]
    assert re.fullmatch(r"KP[0-9A-HJKMNP-TV-Z]{12}", code)
    added, updated = ledger.import_members(
        members.parse_members(
            HEADER + "A001,Budi Santoso,2020-01-05,,,AB,bendahara\nA002,Ani,2021-01-01,,,,\n"
        )
    )
    assert (added, updated) == (1, 1)
    rows = {m["number"]: m for m in ledger.members()}
    assert rows["A001"]["card_code"] == code and rows["A001"]["role"] == "bendahara"
    assert rows["A001"]["name"] == "Budi Santoso" and rows["A002"]["role"] == "anggota"
    assert rows["A001"]["card_code"] != rows["A002"]["card_code"]


def test_credit_limit_defaults_from_config_or_comes_from_the_csv(ledger: Ledger) -> None:
    """credit_limit_rp is the config default unless the optional CSV column sets it."""
    text = "number,name,joined,birth_date,phone,blood_type,role,credit_limit_rp\n"
    text += "A001,Budi,2020-01-05,,,,anggota,\nA002,Ani,2020-01-05,,,,anggota,1250000\n"
    ledger.import_members(members.parse_members(text))
    limits = {m["number"]: m["credit_limit_rp"] for m in ledger.members()}
    assert limits == {"A001": ledger.config.default_credit_limit_rp, "A002": 1_250_000}


def test_products_import_checks_units_and_money(ledger: Ledger) -> None:
    """Products need a known unit and whole rupiah; re-import updates the price in place."""
    units = [u.code for u in ledger.config.units]
    bad = "sku,name,unit,price_rp,cost_rp\n8991,Gula,toko,15.000,12000\nFC-A4,Fotokopi,bengkel,250,100\n"
    with pytest.raises(ImportRowsError) as err:
        members.parse_products(bad, units)
    assert [line for line, _ in err.value.problems] == [2, 3]
    good = "sku,name,unit,price_rp,cost_rp\n8991,Gula,toko,15000,12000\n"
    ledger.import_products(members.parse_products(good, units))
    ledger.import_products(members.parse_products(good.replace("15000", "16000"), units))
    assert [(p["sku"], p["price_rp"]) for p in ledger.products()] == [("8991", 16000)]


def test_export_members_has_card_codes_and_reimports(ledger: Ledger) -> None:
    """The members export carries card_code and can be imported again unchanged."""
    ledger.import_members(
        members.parse_members(HEADER + "A001,Budi,2020-01-05,,0812345678,B+,anggota\n")
    )
    text = members.to_csv(members.MEMBER_EXPORT, ledger.member_rows())
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["card_code"] == ledger.members()[0]["card_code"] and row["blood_type"] == "B+"
    assert ledger.import_members(members.parse_members(text)) == (0, 1)
    assert ledger.members()[0]["card_code"] == row["card_code"]


def test_export_in_english_says_yes_and_no_and_reimports(ledger: Ledger) -> None:
    """An English export writes yes/no for the active flag (not ya/tidak), and imports back unchanged."""
    ledger.import_members(members.parse_members(HEADER + "A001,Budi,2020-01-05,,0812345678,B+,anggota\n"))
    text = members.to_csv(members.MEMBER_EXPORT, ledger.member_rows(), lang="en")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["active"] == "yes"
    assert "ya" not in text.split("\n", 1)[1].split(",")
    assert ledger.import_members(members.parse_members(text)) == (0, 1)
    indonesian = members.to_csv(members.MEMBER_EXPORT, ledger.member_rows())
    assert next(csv.DictReader(io.StringIO(indonesian)))["active"] == "ya"
