"""``office``: the central office records its own money movements as signed envelopes on its own chain.

A thin shell over ``central.office``: each command builds one entry, signs it with the office key and
ingests it like a device's envelope, then prints what was recorded (id, seq, journal lines) or why not.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from central.config import SAVINGS_LOAN_UNIT
from central.ledger import Ledger
from central.messages import lang_of
from central.office import entries, identity, opening, opening_store, record
from central.office.errors import EntryInvalid, EntryRefused, OfficeError, OpeningRowsError
from sync import envelope as wire

EXIT_OK: Final = 0
EXIT_REFUSED: Final = 1  # the ledger refused the signed entry (it is in quarantine)
EXIT_USAGE: Final = 2  # the entry asked for is wrong; nothing was signed

_TEXT: Final[dict[str, tuple[str, str]]] = {
    "recorded": ("Tercatat", "Recorded"),
    "office_ready": (
        "Kantor siap: perangkat {device}, kunci {path}.",
        "Office ready: device {device}, key {path}.",
    ),
    "office_exists": (
        "Kantor sudah siap: perangkat {device}, kunci {path}; tidak ada yang diubah.",
        "Office already set up: device {device}, key {path}; nothing changed.",
    ),
    "opening_done": (
        "Saldo awal batch {batch}: {count} entri, debit = kredit = Rp {total}.",
        "Opening balances batch {batch}: {count} entries, debits = credits = Rp {total}.",
    ),
    "opening_reversed": (
        "Saldo awal batch {batch} dibatalkan: {count} entri pembatalan.",
        "Opening balances batch {batch} reversed: {count} voids.",
    ),
    "error": ("Galat", "Error"),
    "line": ("baris", "line"),
}


def _t(key: str, lang: str, **values: object) -> str:
    text = _TEXT[key][1 if lang == "en" else 0]
    return text.format(**values) if values else text


def _rp(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _amount(text: str) -> int:
    digits = text.replace("_", "")
    if not digits.isdigit() or int(digits) <= 0 or int(digits) > wire.MAX_AMOUNT_RP:
        raise argparse.ArgumentTypeError(f"{text!r} is not whole rupiah above 0, e.g. 150000")
    return int(digits)


def _interest(text: str) -> int:
    return 0 if text.strip() in ("0", "") else _amount(text)


def _at(text: str) -> datetime:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day)
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date-time like 2026-03-01T09:00+07:00") from None


def _office(ledger: Ledger, args: argparse.Namespace) -> identity.Office:
    return identity.load(ledger, identity.key_path(ledger.target, args.office_key))


def _print_recorded(entries_done: list[record.Recorded], lang: str) -> None:
    for entry in entries_done:
        who = f" {entry.member}" if entry.member else ""
        print(
            f"{_t('recorded', lang)}: {entry.kind}{who} Rp {_rp(entry.total_rp)} — id {entry.id}, "
            f"seq {entry.seq}, {entry.unit}, {entry.at}" + (f", {entry.by}" if entry.by else "")
        )
        for line in entry.lines:
            side = "D" if line.debit_rp else "K" if lang != "en" else "C"
            amount = line.debit_rp or line.credit_rp
            print(f"    {side} {line.account:<6} {line.name[:36]:<36} {_rp(amount):>16}  {line.memo}")


def _as_json(entry: record.Recorded) -> dict[str, Any]:
    data = asdict(entry)
    data["lines"] = [asdict(line) for line in entry.lines]
    return data


def _run(ledger: Ledger, args: argparse.Namespace, build: Callable[[], Mapping[str, Any]]) -> int:
    lang = lang_of(args.lang)
    try:
        office = _office(ledger, args)
        body = build()
        done = record.record(ledger, office, body, at=args.at, by=args.by)
    except OfficeError as err:
        return _refusal(err, args, lang)
    if args.json:
        print(json.dumps({"ok": True, "entry": _as_json(done)}, ensure_ascii=False))
    else:
        _print_recorded([done], lang)
    return EXIT_OK


def _refusal(err: OfficeError, args: argparse.Namespace, lang: str) -> int:
    code = EXIT_REFUSED if isinstance(err, EntryRefused) else EXIT_USAGE
    if getattr(args, "json", False):
        problems = getattr(err, "problems", None)
        payload: dict[str, Any] = {"ok": False, "reason": err.text(lang)}
        if problems is not None:
            payload["problems"] = [{"line": line, "reason": reason} for line, reason in problems]
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(f"{_t('error', lang)}: {err.text(lang)}", file=sys.stderr)
    return code


# -- commands ----------------------------------------------------------------------------------------------


def cmd_init(ledger: Ledger, args: argparse.Namespace) -> int:
    """Create the office key and register the office as a device (idempotent)."""
    lang = lang_of(args.lang)
    path = identity.key_path(ledger.target, args.office_key)
    try:
        office, changed = identity.init(ledger, path, args.device, args.branch)
    except OfficeError as err:
        return _refusal(err, args, lang)
    print(_t("office_ready" if changed else "office_exists", lang, device=office.device, path=path))
    return EXIT_OK


def cmd_savings_deposit(ledger: Ledger, args: argparse.Namespace) -> int:
    """A member pays into savings."""
    unit = args.unit or SAVINGS_LOAN_UNIT
    return _run(ledger, args, lambda: entries.savings_deposit(args.member, args.product, args.amount, unit))


def cmd_savings_withdrawal(ledger: Ledger, args: argparse.Namespace) -> int:
    """A member takes money out of savings."""
    unit = args.unit or SAVINGS_LOAN_UNIT
    return _run(
        ledger, args, lambda: entries.savings_withdrawal(args.member, args.product, args.amount, unit)
    )


def cmd_installment(ledger: Ledger, args: argparse.Namespace) -> int:
    """A member pays a loan installment."""
    unit = args.unit or SAVINGS_LOAN_UNIT
    return _run(
        ledger, args, lambda: entries.installment(args.member, args.loan, args.principal, args.interest, unit)
    )


def cmd_loan_disbursement(ledger: Ledger, args: argparse.Namespace) -> int:
    """The treasurer pays out a loan."""
    unit = args.unit or SAVINGS_LOAN_UNIT
    loan = args.loan or f"PJ-{args.member}-{wire.new_id()[:8]}"
    return _run(ledger, args, lambda: entries.loan_disbursement(args.member, loan, args.amount, unit))


def cmd_credit_payment(ledger: Ledger, args: argparse.Namespace) -> int:
    """A member repays store credit."""
    unit = args.unit or entries.STORE_UNIT
    return _run(ledger, args, lambda: entries.credit_payment(args.member, args.amount, unit))


def cmd_supplier_payment(ledger: Ledger, args: argparse.Namespace) -> int:
    """The office pays a supplier."""
    unit = args.unit or entries.STORE_UNIT
    return _run(ledger, args, lambda: entries.supplier_payment(args.supplier, args.amount, unit))


def _purchase_lines(args: argparse.Namespace) -> list[entries.PurchaseLine]:
    lines = [entries.parse_line(text) for text in args.line or []]
    if args.lines is not None:
        for number, cells in _read_rows(args.lines)[0]:
            try:
                price = int(cells.get("price_rp", "").strip())
                lines.append(
                    entries.PurchaseLine(
                        cells.get("sku", "").strip(), entries.parse_qty(cells.get("qty", "")), price
                    )
                )
            except (ValueError, EntryInvalid) as err:
                raise EntryInvalid(
                    f"{args.lines} line {number}: {err}", f"{args.lines} baris {number}: {err}"
                ) from err
    if not lines:
        raise EntryInvalid(
            "a purchase needs lines: --line SKU:QTY:PRICE (repeat it) or --lines FILE.csv (sku,qty,price_rp)",
            "pembelian perlu baris: --line SKU:JUMLAH:HARGA (boleh berulang) atau --lines FILE.csv"
            " (sku,qty,price_rp)",
        )
    return lines


def cmd_purchase(ledger: Ledger, args: argparse.Namespace) -> int:
    """Stock bought into a unit."""
    return _run(
        ledger,
        args,
        lambda: entries.purchase(
            args.unit, _purchase_lines(args), payment=args.payment, supplier=args.supplier
        ),
    )


def cmd_void(ledger: Ledger, args: argparse.Namespace) -> int:
    """Void (reverse) a committed transaction."""
    return _run(ledger, args, lambda: record.void_body(ledger, args.tx, args.reason))


def _read_rows(path: Path) -> tuple[list[tuple[int, Mapping[str, str]]], Callable[[str], int]]:
    """The rows of a CSV (``,`` or ``;``) or .xlsx, each with its line, and how its rupiah are written."""
    try:
        from central.members import tabular
    except ImportError:  # the shared reader not installed: plain ',' CSV
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                rows: list[tuple[int, Mapping[str, str]]] = [
                    (reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k})
                    for row in reader
                ]
        except (OSError, UnicodeDecodeError) as err:
            raise EntryInvalid(f"cannot read {path}: {err}", f"tidak bisa membaca {path}: {err}") from err
        return rows, opening.plain_rupiah
    table = tabular.read_table(path)
    comma = table.decimal_comma
    return [(row.line, row.cells) for row in table.rows], lambda text: tabular.parse_rupiah(
        text, decimal_comma=comma
    )


def cmd_opening(ledger: Ledger, args: argparse.Namespace) -> int:
    """Import opening balances from a CSV or .xlsx, all or nothing, once."""
    lang = lang_of(args.lang)
    try:
        office = _office(ledger, args)
        rows, rupiah = _read_rows(args.file)
        parsed = opening.parse_rows(rows, units=[u.code for u in ledger.config.units], rupiah=rupiah)
        result = opening_store.import_opening(ledger, office, parsed, at=args.at, by=args.by)
    except OpeningRowsError as err:
        if args.json:
            return _refusal(err, args, lang)
        print(f"{_t('error', lang)}: {err.text(lang).split(':')[0]}", file=sys.stderr)
        for line, message in err.problems:
            print(f"  {_t('line', lang)} {line}: {message}", file=sys.stderr)
        return EXIT_USAGE
    except OfficeError as err:
        return _refusal(err, args, lang)
    if args.json:
        print(
            json.dumps(
                {"ok": True, "batch": result.batch, "entries": [_as_json(e) for e in result.entries]},
                ensure_ascii=False,
            )
        )
    else:
        _print_recorded(list(result.entries), lang)
        print(
            _t(
                "opening_done",
                lang,
                batch=result.batch,
                count=len(result.entries),
                total=_rp(result.debit_rp),
            )
        )
    return EXIT_OK


def cmd_opening_reverse(ledger: Ledger, args: argparse.Namespace) -> int:
    """Reverse an opening batch (void each of its entries)."""
    lang = lang_of(args.lang)
    try:
        office = _office(ledger, args)
        result = opening_store.reverse_opening(ledger, office, args.batch, at=args.at, by=args.by)
    except OfficeError as err:
        return _refusal(err, args, lang)
    if args.json:
        print(
            json.dumps(
                {"ok": True, "batch": result.batch, "entries": [_as_json(e) for e in result.entries]},
                ensure_ascii=False,
            )
        )
    else:
        _print_recorded(list(result.entries), lang)
        print(_t("opening_reversed", lang, batch=result.batch, count=len(result.entries)))
    return EXIT_OK


# -- parser ------------------------------------------------------------------------------------------------


def add_commands(subparsers: Any) -> None:
    """Add ``office`` and its actions to central's command line."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--office-key",
        type=Path,
        help=f"the office key file (default: ${identity.KEY_ENV}, or beside the SQLite file)",
    )
    entry = argparse.ArgumentParser(add_help=False, parents=[common])
    entry.add_argument("--at", type=_at, help="when (ISO 8601; default now, in the cooperative's time zone)")
    entry.add_argument(
        "--by",
        default=getpass.getuser(),
        help="who records it (kept in the signed entry; default: the login)",
    )
    entry.add_argument("--json", action="store_true", help="print the result as JSON")
    member = argparse.ArgumentParser(add_help=False)
    member.add_argument("--member", required=True, help="member number")
    member.add_argument("--unit", help="business unit the entry belongs to")

    parser = subparsers.add_parser("office", help="the office's own entries, signed on the office chain")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True

    p = sub.add_parser(
        "init", parents=[common], help="create the office key and register the office (idempotent)"
    )
    p.add_argument(
        "--device",
        default=identity.DEFAULT_DEVICE,
        help=f"the office's device id (default {identity.DEFAULT_DEVICE})",
    )
    p.add_argument(
        "--branch", default=identity.DEFAULT_BRANCH, help=f"its branch (default {identity.DEFAULT_BRANCH})"
    )
    p.set_defaults(func=cmd_init)

    for name, handler, what in (
        ("savings-deposit", cmd_savings_deposit, "a member pays into savings (setoran)"),
        ("savings-withdrawal", cmd_savings_withdrawal, "a member withdraws savings (penarikan)"),
    ):
        p = sub.add_parser(name, parents=[entry, member], help=what)
        p.add_argument("--product", required=True, choices=wire.SAVINGS_PRODUCTS)
        p.add_argument("--amount", required=True, type=_amount, help="rupiah")
        p.set_defaults(func=handler)

    p = sub.add_parser("installment", parents=[entry, member], help="a loan installment (angsuran)")
    p.add_argument("--loan", required=True, help="loan id")
    p.add_argument("--principal", required=True, type=_amount, help="principal repaid, rupiah")
    p.add_argument("--interest", default=0, type=_interest, help="interest (jasa), rupiah (default 0)")
    p.set_defaults(func=cmd_installment)

    p = sub.add_parser("loan-disbursement", parents=[entry, member], help="pay out a loan (pencairan)")
    p.add_argument("--amount", required=True, type=_amount, help="principal lent, rupiah")
    p.add_argument("--loan", help="loan id (default: PJ-<member>-<random>)")
    p.set_defaults(func=cmd_loan_disbursement)

    p = sub.add_parser("credit-payment", parents=[entry, member], help="a member repays store credit")
    p.add_argument("--amount", required=True, type=_amount, help="rupiah")
    p.set_defaults(func=cmd_credit_payment)

    p = sub.add_parser("purchase", parents=[entry], help="stock bought into a unit (pembelian persediaan)")
    p.add_argument("--unit", required=True, help="the unit that sells the items")
    p.add_argument("--line", action="append", help="SKU:QTY:PRICE (purchase price per unit); repeat it")
    p.add_argument("--lines", type=Path, help="CSV or .xlsx with columns sku,qty,price_rp")
    p.add_argument("--payment", choices=wire.PAYMENTS, default="cash", help="cash (default) or credit (owed)")
    p.add_argument("--supplier", help="who sold it")
    p.set_defaults(func=cmd_purchase)

    p = sub.add_parser(
        "supplier-payment", parents=[entry], help="pay a supplier what credit purchases left owing"
    )
    p.add_argument("--supplier", required=True)
    p.add_argument("--amount", required=True, type=_amount, help="rupiah")
    p.add_argument("--unit", help=f"business unit (default {entries.STORE_UNIT})")
    p.set_defaults(func=cmd_supplier_payment)

    p = sub.add_parser("void", parents=[entry], help="void (reverse) a transaction")
    p.add_argument("tx", help="id of the transaction")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_void)

    p = sub.add_parser("opening", parents=[entry], help="import opening balances (CSV or .xlsx), once")
    p.add_argument("file", type=Path, help="columns what,member,product,loan,unit,amount_rp")
    p.set_defaults(func=cmd_opening)

    p = sub.add_parser("opening-reverse", parents=[entry], help="reverse an opening batch")
    p.add_argument("batch", help="the batch id the import printed")
    p.set_defaults(func=cmd_opening_reverse)
