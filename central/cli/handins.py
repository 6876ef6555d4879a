"""``handins list|confirm|missing|reconcile``: the daily deposit at central, a thin shell over
``central.handins`` (docs/handins.md). Lists print a table, or ``--json`` / ``--csv``."""

from __future__ import annotations

import argparse
import getpass
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from central.cli.branches import checked
from central.errors import CentralError
from central.handins import store
from central.ledger import Ledger
from central.members.tabular import csv_text
from central.messages import lang_of, rupiah
from central.office import identity
from central.office.errors import OfficeError

TEXT: Final[dict[str, tuple[str, str]]] = {
    "none": ("Tidak ada baris.", "No rows."),
    "confirmed": (
        "Setoran {id} diterima {received} oleh {by} (seharusnya {expected}, dihitung {counted}).",
        "Hand-in {id}: {received} received by {by} (expected {expected}, counted {counted}).",
    ),
    "already": (
        "Setoran {id} sudah dikonfirmasi sebelumnya; tidak ada yang dibukukan lagi.",
        "Hand-in {id} was confirmed before; nothing booked again.",
    ),
    "posted": ("Selisih dibukukan: jurnal {tx}.", "Difference booked: journal {tx}."),
    "nothing": ("Tidak ada selisih; tidak ada yang dibukukan.", "No difference; nothing booked."),
    "bad_date": ("{text!r} bukan tanggal seperti 2026-03-31", "{text!r} is not a date like 2026-03-31"),
    "bad_rp": ("{text!r}: rupiah bulat tanpa titik, misalnya 150000", "{text!r}: whole rupiah, e.g. 150000"),
}
LIST_COLUMNS: Final = (
    "id",
    "device",
    "clerk",
    "unit",
    "from",
    "to",
    "expected_rp",
    "counted_rp",
    "difference_rp",
    "received",
    "received_rp",
)
MISSING_COLUMNS: Final = (
    "day",
    "device",
    "unit",
    "clerk",
    "transactions",
    "first_at",
    "last_at",
    "cash_expected_rp",
)


def _t(key: str, lang: str, **values: object) -> str:
    return TEXT[key][1 if lang == "en" else 0].format(**values)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(_t("bad_date", lang_of(), text=text)) from err


def _rp(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(_t("bad_rp", lang_of(), text=text))
    return int(text.strip())


def _print(columns: tuple[str, ...], rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    lang = lang_of(args.lang)
    if getattr(args, "json", False):
        print(json.dumps(rows, ensure_ascii=False))
        return
    if getattr(args, "csv", False):
        flat = [{k: " ".join(v) if isinstance(v, list) else v for k, v in r.items()} for r in rows]
        print(csv_text(columns, flat, ",", lang), end="")
        return
    if not rows:
        print(_t("none", lang))
        return
    shown = [c for c in columns if c != "transactions"]
    table = [shown] + [["" if r.get(c) is None else str(r.get(c)) for c in shown] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(shown))]
    for line in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


def _guard(lang: str, step: Any) -> Any:
    try:
        return step()
    except (store.HandinError, OfficeError) as err:
        raise CentralError(err.text(lang)) from err


def _unit(ledger: Ledger, unit: str | None, lang: str) -> None:
    if unit is not None and ledger.config.unit(unit) is None:
        units = ", ".join(u.code for u in ledger.config.units)
        raise CentralError(
            f"unknown unit {unit!r}; the units are {units}"
            if lang == "en"
            else f"unit {unit!r} tidak dikenal; unitnya: {units}"
        )


def cmd_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """``handins list``."""
    _unit(ledger, args.unit, lang_of(args.lang))
    known = checked(ledger, args.branch, lang_of(args.lang))
    rows = [
        h.row()
        for h in store.handins(ledger, day=args.day, unit=args.unit, branch=args.branch, branches=known)
    ]
    _print(LIST_COLUMNS, rows, args)
    return 0


def cmd_confirm(ledger: Ledger, args: argparse.Namespace) -> int:
    """``handins confirm``."""
    lang = lang_of(args.lang)

    def step() -> store.Confirmed:
        office = identity.load(ledger, identity.key_path(ledger.target, args.office_key))
        return store.confirm(ledger, office, args.id, args.received_rp, by=args.by)

    done = _guard(lang, step)
    h = done.handin
    if args.json:
        print(json.dumps({**h.row(), "already": done.already}, ensure_ascii=False))
        return 0
    if done.already:
        print(_t("already", lang, id=h.id))
        return 0
    print(
        _t(
            "confirmed",
            lang,
            id=h.id,
            received=rupiah(h.received_rp or 0, lang),
            by=h.received_by,
            expected=rupiah(h.expected_rp, lang),
            counted=rupiah(h.counted_rp, lang),
        )
    )
    print(_t("posted", lang, tx=h.posted_tx) if h.posted_tx else _t("nothing", lang))
    return 0


def cmd_missing(ledger: Ledger, args: argparse.Namespace) -> int:
    """``handins missing``."""
    day = args.day or datetime.now(ledger.config.tz).date()
    _print(MISSING_COLUMNS, [m.row() for m in store.missing(ledger, day)], args)
    return 0


def cmd_reconcile(ledger: Ledger, args: argparse.Namespace) -> int:
    """``handins reconcile``."""
    _unit(ledger, args.unit, lang_of(args.lang))
    checked(ledger, args.branch, lang_of(args.lang))
    day = args.day or datetime.now(ledger.config.tz).date()
    _print(store.RECONCILE_COLUMNS, store.reconcile(ledger, day, args.unit, args.branch), args)
    return 0


def add_commands(subparsers: Any) -> None:
    """Add ``handins`` and its subcommands to central's command line."""
    parser = subparsers.add_parser(
        "handins", help="the daily deposit: clerks' cash hand-ins, confirm, reconcile"
    )
    sub = parser.add_subparsers(dest="handins_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser(
        "list", help="hand-ins: device, clerk, period, expected, counted, difference, received"
    )
    p.add_argument("--day", type=_date, help="the day recorded (default: every day)")
    p.add_argument("--unit", help="one unit (default: every unit)")
    p.add_argument("--branch", help="the devices of one branch (default: every branch, consolidated)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--csv", action="store_true", help="print CSV")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("confirm", help="the treasurer received the cash: record it and book any difference")
    p.add_argument("--id", required=True, help="the hand-in's transaction id")
    p.add_argument("--received-rp", type=_rp, required=True, help="the cash received, whole rupiah")
    p.add_argument("--by", default=getpass.getuser(), help="who received it (default: the logged-in user)")
    p.add_argument("--office-key", type=Path, help="the office's key file (default: beside the ledger)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_confirm)
    p = sub.add_parser("missing", help="clerks' shifts of a day with sales but no hand-in by the next day")
    p.add_argument("--day", type=_date, help="the day (default: today)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--csv", action="store_true", help="print CSV")
    p.set_defaults(func=cmd_missing)
    p = sub.add_parser(
        "reconcile",
        help="per unit, clerk and day: expected (device and ledger), counted, received, difference",
    )
    p.add_argument("--day", type=_date, help="the day (default: today)")
    p.add_argument("--unit", help="one unit (default: every unit)")
    p.add_argument("--branch", help="the devices of one branch (default: every branch, consolidated)")
    p.add_argument("--json", action="store_true", help="print JSON (with each shift's transaction ids)")
    p.add_argument("--csv", action="store_true", help="print CSV (transaction ids space-separated)")
    p.set_defaults(func=cmd_reconcile)
