"""``stock onhand|reorder|slow|below-cost``, ``stock count start|enter|close|approve|reject|cancel|show|
list``, ``stock price set|cancel|list`` and ``stock shrinkage``: a thin shell over ``central.stock``
(docs/stock.md). Reports print a table, or ``--json``, ``--csv`` (``--semicolon`` for Excel in the
Indonesian locale) or an A4 ``--pdf FILE``."""

from __future__ import annotations

import argparse
import getpass
import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from central.cli.branches import checked
from central.errors import CentralError
from central.ledger import Ledger
from central.members.tabular import csv_text
from central.messages import lang_of
from central.office import identity
from central.office.errors import OfficeError
from central.stock import counts, prices, reports, shiftloss, shrinkage
from central.stock.errors import StockError

TEXT: Final[dict[str, tuple[str, str]]] = {
    "written": ("Ditulis ke {path}.", "Written to {path}."),
    "none": ("Tidak ada baris.", "No rows."),
    "count": (
        "Stok opname {id} unit {unit} ({section}): {state}; {lines} baris; hilang {loss}, lebih {surplus}",
        "Stock count {id} of {unit} ({section}): {state}; {lines} line(s); missing {loss}, surplus {surplus}",
    ),
    "posted": ("Dibukukan: jurnal {tx} tanggal {day}.", "Posted: journal {tx} on {day}."),
    "line": ("Baris {sku} = {qty} disimpan.", "Line {sku} = {qty} saved."),
    "bad_unit": (
        "unit {unit!r} tidak dikenal; unitnya: {units}",
        "unknown unit {unit!r}; the units are {units}",
    ),
    "price": (
        "Perubahan harga {id}: {sku} {name} Rp {old} -> Rp {price} mulai {day} ({state}).",
        "Price change {id}: {sku} {name} Rp {old} -> Rp {price} from {day} ({state}).",
    ),
    "bad_price": ("{text!r} bukan harga rupiah bulat", "{text!r} is not a whole rupiah price"),
    "bad_date": ("{text!r} bukan tanggal seperti 2026-03-31", "{text!r} is not a date like 2026-03-31"),
}


def _t(key: str, lang: str, **values: object) -> str:
    return TEXT[key][1 if lang == "en" else 0].format(**values)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(_t("bad_date", "en", text=text)) from err


def _today(ledger: Ledger) -> date:
    return datetime.now(ledger.config.tz).date()


def _print_rows(columns: tuple[str, ...], rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    lang = lang_of(args.lang)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    if args.csv:
        print(csv_text(columns, rows, ";" if args.semicolon else ",", lang), end="")
        return
    if not rows:
        print(_t("none", lang))
        return
    table = [list(columns)] + [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    for line in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


def _pdf(ledger: Ledger, doc: Any, args: argparse.Namespace) -> None:
    from central.portal import savings_print

    lang = lang_of(args.lang)
    args.pdf.write_bytes(savings_print.pdf(ledger, doc, lang, printed_by=args.by))
    print(_t("written", lang, path=args.pdf))


def _unit(ledger: Ledger, unit: str | None, lang: str = "id") -> str | None:
    if unit is not None and ledger.config.unit(unit) is None:
        units = ", ".join(u.code for u in ledger.config.units)
        raise CentralError(_t("bad_unit", lang, unit=unit, units=units))
    return unit


def cmd_report(ledger: Ledger, args: argparse.Namespace) -> int:
    """One of the stock reports as of a day."""
    as_of = args.as_of or _today(ledger)
    table = reports.REPORTS[args.stock_command](ledger, as_of, _unit(ledger, args.unit, lang_of(args.lang)))
    if args.pdf:
        from central.portal import stock_print

        _pdf(ledger, stock_print.table_doc(table, lang_of(args.lang)), args)
        return 0
    _print_rows(table.columns, table.dicts(), args)
    return 0


def cmd_shrinkage(ledger: Ledger, args: argparse.Namespace) -> int:
    """The shrinkage of the counts posted in a period, per unit and per item."""
    end = args.to or _today(ledger)
    start = args.from_ or end.replace(day=1)
    unit = _unit(ledger, args.unit, lang_of(args.lang))
    checked(ledger, args.branch, lang_of(args.lang))
    found = shrinkage.report(ledger, start.isoformat(), end.isoformat(), unit, args.branch)
    if args.pdf:
        from central.portal import stock_print

        _pdf(ledger, stock_print.shrinkage_doc(found, lang_of(args.lang)), args)
        return 0
    if args.json:
        print(
            json.dumps(
                {
                    "from": found.start,
                    "to": found.end,
                    "units": [dict(zip(shrinkage.UNIT_COLUMNS, r, strict=True)) for r in found.units],
                    "items": [dict(zip(shrinkage.ITEM_COLUMNS, r, strict=True)) for r in found.items],
                    "shifts": [dict(zip(shiftloss.SHIFT_COLUMNS, r, strict=True)) for r in found.shifts],
                },
                ensure_ascii=False,
            )
        )
        return 0
    _print_rows(
        shrinkage.UNIT_COLUMNS, [dict(zip(shrinkage.UNIT_COLUMNS, r, strict=True)) for r in found.units], args
    )
    if not args.csv:
        print()
    _print_rows(
        shrinkage.ITEM_COLUMNS, [dict(zip(shrinkage.ITEM_COLUMNS, r, strict=True)) for r in found.items], args
    )
    if found.shifts:
        if not args.csv:
            print()
        rows = [dict(zip(shiftloss.SHIFT_COLUMNS, r, strict=True)) for r in found.shifts]
        _print_rows(shiftloss.SHIFT_COLUMNS, rows, args)
    return 0


def _count_json(count: counts.Count) -> dict[str, Any]:
    body = asdict(count)
    body["lines"] = [{**asdict(line), "diff_milli": line.diff_milli} for line in count.lines]
    return body


def _show(count: counts.Count, args: argparse.Namespace) -> None:
    lang = lang_of(args.lang)
    if args.json:
        print(json.dumps(_count_json(count), ensure_ascii=False))
        return
    print(
        _t(
            "count",
            lang,
            id=count.id,
            unit=count.unit,
            section=count.section or "*",
            state=count.state,
            lines=len(count.lines),
            loss=count.loss_rp if count.loss_rp is not None else "-",
            surplus=count.surplus_rp if count.surplus_rp is not None else "-",
        )
    )
    if count.posted_tx:
        print(_t("posted", lang, tx=count.posted_tx, day=count.posted_day))
    if count.lines:
        from central.portal import stock_print

        rows = [dict(zip(stock_print.COUNT_COLUMNS, r, strict=True)) for r in stock_print.count_rows(count)]
        args.csv = False
        _print_rows(stock_print.COUNT_COLUMNS, rows, args)


def _guard(lang: str, step: Any) -> Any:
    try:
        return step()
    except (StockError, OfficeError) as err:
        raise CentralError(err.text(lang)) from err


def cmd_count(ledger: Ledger, args: argparse.Namespace) -> int:
    """The count steps."""
    lang = lang_of(args.lang)
    action = args.count_command
    if action == "list":
        found = counts.listing(ledger, unit=args.unit, state=args.state)
        rows = [{k: v for k, v in asdict(c).items() if k != "lines"} for c in found]
        columns = (
            "id",
            "unit",
            "section",
            "state",
            "started_by",
            "closed_by",
            "decided_by",
            "loss_rp",
            "surplus_rp",
        )
        args.csv = getattr(args, "csv", False)
        args.semicolon = False
        _print_rows(columns, rows, args)
        return 0
    if action == "start":
        done = _guard(
            lang,
            lambda: counts.start(
                ledger, _unit(ledger, args.unit, lang_of(args.lang)) or "", by=args.by, section=args.section
            ),
        )
    elif action == "enter":
        line = _guard(lang, lambda: counts.enter(ledger, args.id, args.sku, args.qty, by=args.by))
        print(_t("line", lang, sku=line.sku, qty=args.qty))
        return 0
    elif action == "close":
        done = _guard(lang, lambda: counts.close(ledger, args.id, by=args.by))
    elif action == "approve":

        def step() -> counts.Count:
            counts.check_approver(ledger, args.role)  # the role first: no key needed to be refused
            office = identity.load(ledger, identity.key_path(ledger.target, args.office_key))
            return counts.approve(ledger, office, args.id, by=args.by, role=args.role)

        done = _guard(lang, step)
    elif action == "reject":
        done = _guard(
            lang, lambda: counts.reject(ledger, args.id, by=args.by, role=args.role, reason=args.reason)
        )
    elif action == "cancel":
        done = _guard(lang, lambda: counts.cancel(ledger, args.id, by=args.by, reason=args.reason))
    else:
        done = _guard(lang, lambda: counts.get(ledger, args.id))
        if args.pdf:
            from central.portal import stock_print

            _pdf(ledger, stock_print.count_doc(done, lang, ledger.config.tz), args)
            return 0
    _show(done, args)
    return 0


PRICE_COLUMNS: Final = ("id", "sku", "name", "unit", "old_rp", "price_rp", "from_day", "state", "by")


def _price_row(pc: prices.PriceChange) -> dict[str, Any]:
    return {**{k: getattr(pc, k) for k in PRICE_COLUMNS}, "note": pc.note}


def _rupiah(text: str) -> int:
    cleaned = text.replace(".", "").replace(",", "").replace("_", "")
    if not cleaned.isdigit():
        raise argparse.ArgumentTypeError(_t("bad_price", "en", text=text))
    return int(cleaned)


def cmd_price(ledger: Ledger, args: argparse.Namespace) -> int:
    """``stock price set|list|cancel``: price changes that hold from a day and reach the devices as a
    catalog delta (docs/stock.md)."""
    lang = lang_of(args.lang)
    if args.price_command == "list":
        found = prices.listing(ledger, unit=_unit(ledger, args.unit, lang), state=args.state)
        args.csv, args.semicolon = getattr(args, "csv", False), False
        _print_rows(PRICE_COLUMNS, [_price_row(pc) for pc in found], args)
        return 0
    if args.price_command == "set":
        today = _today(ledger)
        done = _guard(
            lang,
            lambda: prices.change(
                ledger,
                args.sku,
                args.price,
                from_day=args.from_ or today,
                today=today,
                by=args.by,
                note=args.note,
            ),
        )
    else:
        done = _guard(lang, lambda: prices.cancel(ledger, args.id, by=args.by))
    if args.json:
        print(json.dumps(_price_row(done), ensure_ascii=False))
        return 0
    print(
        _t(
            "price",
            lang,
            id=done.id,
            sku=done.sku,
            name=done.name,
            old=f"{done.old_rp:,}",
            price=f"{done.price_rp:,}",
            day=done.from_day,
            state=done.state,
        )
    )
    return 0


def _outputs(p: argparse.ArgumentParser, csv: bool = True) -> None:
    p.add_argument("--json", action="store_true", help="print JSON")
    if csv:
        p.add_argument("--csv", action="store_true", help="print CSV")
        p.add_argument("--semicolon", action="store_true", help="';' between CSV fields (Excel, Indonesian)")
    p.add_argument("--pdf", type=Path, help="write an A4 PDF to this file instead")
    p.add_argument("--by", default=getpass.getuser(), help="who prints it (default: the logged-in user)")


def add_commands(subparsers: Any) -> None:
    """Add ``stock`` and its subcommands to central's command line."""
    me = getpass.getuser()
    parser = subparsers.add_parser(
        "stock", help="stock on hand, reorder list, slow movers, counts, shrinkage"
    )
    sub = parser.add_subparsers(dest="stock_command", metavar="ACTION")
    sub.required = True
    helps = {
        "onhand": "stock on hand per unit and item, last purchase and sale, velocity, days left",
        "reorder": "what to buy and how much, from velocity, lead time and minimum ([stock])",
        "slow": "items with stock and no sale in [stock] slow_days",
        "below-cost": "items sold below cost over the velocity window",
    }
    for name, text in helps.items():
        p = sub.add_parser(name, help=text)
        p.add_argument("--unit", help="one unit (default: every unit)")
        p.add_argument("--as-of", type=_date, help="the day (default: today)")
        _outputs(p)
        p.set_defaults(func=cmd_report)
    p = sub.add_parser("shrinkage", help="shrinkage of the counts posted in a period, per unit and item")
    p.add_argument("--unit", help="one unit (default: every unit)")
    p.add_argument("--from", dest="from_", type=_date, help="first day (default: the month's first)")
    p.add_argument("--to", type=_date, help="last day (default: today)")
    _outputs(p)
    p.add_argument("--branch", help="one branch's counts, sales and shifts (default: every branch)")
    p.set_defaults(func=cmd_shrinkage)

    count = sub.add_parser("count", help="stock counts (stok opname): start, enter, close, approve")
    steps = count.add_subparsers(dest="count_command", metavar="STEP")
    steps.required = True
    p = steps.add_parser("start", help="start a count of a unit (every item, or a --section)")
    p.add_argument("--unit", required=True)
    p.add_argument("--section", help="a section's name (default: every item of the unit)")
    p.add_argument("--by", default=me, help="who starts it (default: the logged-in user)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = steps.add_parser("enter", help="record a counted quantity of an item (again: replaces it)")
    p.add_argument("id", type=int)
    p.add_argument("sku")
    p.add_argument("qty", help="the quantity counted, e.g. 12 or 1.25")
    p.add_argument("--by", default=me, help="who counted (default: the logged-in user)")
    p = steps.add_parser("close", help="close: compare counted with expected, value the difference")
    p.add_argument("id", type=int)
    p.add_argument("--by", default=me)
    p.add_argument("--json", action="store_true", help="print JSON")
    p = steps.add_parser("approve", help="approve a closed count: post its shrinkage on the office chain")
    p.add_argument("id", type=int)
    p.add_argument("--role", required=True, help="the approver's role ([stock] approvers, e.g. manajer)")
    p.add_argument("--by", default=me, help="who approves (default: the logged-in user)")
    p.add_argument("--office-key", type=Path, help="the office's key file (default: beside the ledger)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = steps.add_parser("reject", help="reject a closed count with a reason: nothing is posted")
    p.add_argument("id", type=int)
    p.add_argument("--role", required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--by", default=me)
    p.add_argument("--json", action="store_true", help="print JSON")
    p = steps.add_parser("cancel", help="cancel an open count with a reason")
    p.add_argument("id", type=int)
    p.add_argument("--reason", required=True)
    p.add_argument("--by", default=me)
    p.add_argument("--json", action="store_true", help="print JSON")
    p = steps.add_parser("show", help="a count with its lines")
    p.add_argument("id", type=int)
    _outputs(p, csv=False)
    p = steps.add_parser("list", help="counts, newest first")
    p.add_argument("--unit")
    p.add_argument("--state", choices=counts.STATES)
    p.add_argument("--json", action="store_true", help="print JSON")
    count.set_defaults(func=cmd_count)

    price = sub.add_parser(
        "price", help="price changes that hold from a day and reach the devices as a catalog delta"
    )
    steps = price.add_subparsers(dest="price_command", metavar="STEP")
    steps.required = True
    p = steps.add_parser("set", help="a new price of an item from a day (default: today)")
    p.add_argument("sku")
    p.add_argument("price", type=_rupiah, help="the new price in whole rupiah, e.g. 70000")
    p.add_argument("--from", dest="from_", type=_date, help="the day it holds from (default: today)")
    p.add_argument("--note", help="why (free text)")
    p.add_argument("--by", default=me, help="who changes it (default: the logged-in user)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = steps.add_parser("cancel", help="cancel a change still waiting for its day")
    p.add_argument("id", type=int)
    p.add_argument("--by", default=me)
    p.add_argument("--json", action="store_true", help="print JSON")
    p = steps.add_parser("list", help="price changes, latest day first")
    p.add_argument("--unit")
    p.add_argument("--state", choices=prices.STATES)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--csv", action="store_true", help="print CSV")
    price.set_defaults(func=cmd_price)
