"""``payroll list|import``: the month's salary deductions (potong gaji) for the employer, as CSV or as an
A4 PDF with the board's signature lines, and posting what payroll actually deducted (a thin shell over
``central.office.payroll``)."""

from __future__ import annotations

import argparse
import getpass
import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any, Final

from central.errors import CentralError
from central.ledger import Ledger
from central.loans.applications import LoanError
from central.members.tabular import csv_text, read_table
from central.messages import lang_of
from central.office import identity, payroll
from central.office.errors import OfficeError

TEXT: Final[dict[str, tuple[str, str]]] = {
    "posted": ("Diposting {count} baris; selisih:", "Posted {count} row(s); differences:"),
    "no_difference": ("Tidak ada selisih.", "No differences."),
    "written": ("Daftar potong gaji ditulis ke {path}.", "Deduction list written to {path}."),
    "row": (
        "{member} {line} {ref}: daftar {expected}, dipotong {deducted}, selisih {difference}",
        "{member} {line} {ref}: listed {expected}, deducted {deducted}, difference {difference}",
    ),
}


def _t(key: str, lang: str, **values: object) -> str:
    return TEXT[key][1 if lang == "en" else 0].format(**values)


def _month(text: str) -> tuple[int, int]:
    found = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", text)
    if found is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month like 2026-03")
    return int(found.group(1)), int(found.group(2))


def cmd_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """The month's deductions per member and line, as CSV for the employer's payroll (or JSON)."""
    year, month = args.month
    rows = payroll.deductions(ledger, year, month)
    if args.pdf:
        from central.portal import savings_print

        lang = lang_of(args.lang)
        body = savings_print.payroll_pdf(ledger, rows, f"{year:04d}-{month:02d}", lang, printed_by=args.by)
        args.pdf.write_bytes(body)
        print(_t("written", lang, path=args.pdf))
        return 0
    if args.json:
        print(json.dumps([asdict(r) for r in rows], ensure_ascii=False))
        return 0
    delimiter = ";" if args.semicolon else ","
    print(csv_text(payroll.COLUMNS, [asdict(r) for r in rows], delimiter, lang_of(args.lang)), end="")
    return 0


def cmd_import(ledger: Ledger, args: argparse.Namespace) -> int:
    """Post what payroll deducted (checked first, all or nothing); list the differences from the list."""
    lang = lang_of(args.lang)
    year, month = args.month
    try:
        table = read_table(args.file)
        office = identity.load(ledger, identity.key_path(ledger.target, args.office_key))
        posted = payroll.import_deducted(ledger, office, table, year, month, by=args.by)
    except (OfficeError, LoanError) as err:
        raise CentralError(err.text(lang)) from err
    if args.json:
        print(
            json.dumps([{**asdict(p), "difference_rp": p.difference_rp} for p in posted], ensure_ascii=False)
        )
        return 0
    print(_t("posted", lang, count=sum(1 for p in posted if p.ids)))
    different = payroll.differences(posted)
    if not different:
        print(_t("no_difference", lang))
    for p in different:
        print(
            "  "
            + _t(
                "row",
                lang,
                member=p.member,
                line=p.line,
                ref=p.ref or "-",
                expected=p.expected_rp,
                deducted=p.deducted_rp,
                difference=p.difference_rp,
            )
        )
    return 0


def add_commands(subparsers: Any) -> None:
    """Add ``payroll`` and its subcommands to central's command line."""
    parser = subparsers.add_parser(
        "payroll", help="salary deductions (potong gaji): the list, and what was deducted"
    )
    sub = parser.add_subparsers(dest="payroll_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("list", help="the month's deductions per member and line, as CSV")
    p.add_argument("--month", type=_month, required=True, help="e.g. 2026-03")
    p.add_argument(
        "--semicolon", action="store_true", help="';' between fields (Excel in the Indonesian locale)"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--pdf", type=Path, help="write the list as an A4 PDF (a member a row) to this file instead"
    )
    p.add_argument("--by", default=getpass.getuser(), help="who prints it (default: the logged-in user)")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("import", help="post what payroll deducted, listing the differences")
    p.add_argument(
        "file", type=Path, help="the list's columns with what was deducted in amount_rp (.csv or .xlsx)"
    )
    p.add_argument("--month", type=_month, required=True, help="the month the list was for, e.g. 2026-03")
    p.add_argument("--office-key", type=Path, help="the office's key file (default: beside the ledger)")
    p.add_argument("--by", default=getpass.getuser(), help="who posts it (default: the logged-in user)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_import)
