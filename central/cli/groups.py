"""``groups list|create|edit|add|remove|members|meetings``: the office's Focus Group Symbiosis groups, a thin
shell over ``central.groups.store`` (docs/groups.md). Lists print a table, or ``--json`` / ``--csv``."""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from datetime import date
from typing import Any, Final, TypeVar

from central.errors import CentralError
from central.groups import rules, store
from central.groups.errors import GroupError
from central.ledger import Ledger
from central.members.tabular import csv_text
from central.messages import lang_of

T = TypeVar("T")
TEXT: Final[dict[str, tuple[str, str]]] = {
    "none": ("Tidak ada baris.", "No rows."),
    "created": (
        "Kelompok {id} {name} ({village}) dibuat, kader {cadre}.",
        "Group {id} {name} ({village}) created, cadre {cadre}.",
    ),
    "changed": (
        "Kelompok {id} {name}: {count} anggota.",
        "Group {id} {name}: {count} members.",
    ),
    "bad_date": ("{text!r} bukan tanggal seperti 2026-03-31", "{text!r} is not a date like 2026-03-31"),
    "bad_group": ("{text!r} bukan nomor kelompok", "{text!r} is not a group number"),
}
GROUP_COLUMNS: Final = ("id", "name", "village", "cadre", "cadre_name", "members", "attendance_pct")
MEMBER_COLUMNS: Final = ("number", "name", "attended", "held", "attendance_pct")
MEETING_COLUMNS: Final = ("id", "group", "day", "place", "agenda", "present", "members", "filed_by")


def _t(key: str, lang: str, **values: object) -> str:
    return TEXT[key][1 if lang == "en" else 0].format(**values)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(_t("bad_date", lang_of(), text=text)) from err


def _group_number(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise argparse.ArgumentTypeError(_t("bad_group", lang_of(), text=text))
    return int(text)


def _guard(lang: str, step: Callable[[], T]) -> T:
    try:
        return step()
    except GroupError as err:
        raise CentralError(err.text(lang)) from err


def _print(columns: tuple[str, ...], rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    lang = lang_of(args.lang)
    if getattr(args, "json", False):
        print(json.dumps(rows, ensure_ascii=False))
        return
    if getattr(args, "csv", False):
        print(csv_text(columns, rows, ",", lang), end="")
        return
    if not rows:
        print(_t("none", lang))
        return
    table = [list(columns)] + [["" if r.get(c) is None else str(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    for line in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


def cmd_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """``groups list``: every group (of a village) with its attendance rate over the period."""
    rates = store.group_rates(ledger, start=args.start, end=args.end)
    rows = []
    for item in store.groups(ledger, village=args.village):
        rate = rates.get(item.id, rules.Rate())
        rows.append({**item.row(), "attendance_pct": rate.percent})
    _print(GROUP_COLUMNS, rows, args)
    return 0


def _changed(item: store.Group, args: argparse.Namespace) -> int:
    if getattr(args, "json", False):
        print(json.dumps({**item.row(), "numbers": list(item.numbers)}, ensure_ascii=False))
    else:
        print(_t("changed", lang_of(args.lang), id=item.id, name=item.name, count=len(item.members)))
    return 0


def cmd_create(ledger: Ledger, args: argparse.Namespace) -> int:
    """``groups create``."""
    lang = lang_of(args.lang)
    made = _guard(lang, lambda: store.create(ledger, args.name, args.village, args.cadre, by=args.by))
    if args.json:
        print(json.dumps(made.row(), ensure_ascii=False))
    else:
        print(_t("created", lang, id=made.id, name=made.name, village=made.village, cadre=made.cadre_name))
    return 0


def cmd_edit(ledger: Ledger, args: argparse.Namespace) -> int:
    """``groups edit``: a new name, village or cadre (what is not given stays)."""
    lang = lang_of(args.lang)

    def step() -> store.Group:
        found = store.group(ledger, args.group)
        return store.edit(
            ledger,
            found.id,
            args.name if args.name is not None else found.name,
            args.village if args.village is not None else found.village,
            args.cadre if args.cadre is not None else found.cadre,
        )

    return _changed(_guard(lang, step), args)


def cmd_add(ledger: Ledger, args: argparse.Namespace) -> int:
    """``groups add``."""
    lang = lang_of(args.lang)
    return _changed(
        _guard(lang, lambda: store.add_members(ledger, args.group, args.numbers, by=args.by)), args
    )


def cmd_remove(ledger: Ledger, args: argparse.Namespace) -> int:
    """``groups remove``."""
    lang = lang_of(args.lang)
    return _changed(_guard(lang, lambda: store.remove_members(ledger, args.group, args.numbers)), args)


def cmd_members(ledger: Ledger, args: argparse.Namespace) -> int:
    """``groups members``: a group's members with their attendance over the period."""
    lang = lang_of(args.lang)
    found = _guard(lang, lambda: store.group(ledger, args.group))
    rates = rules.member_rates(store.marks(ledger, group_id=found.id, start=args.start, end=args.end))
    rows = []
    for member in found.members:
        rate = rates.get(member.number, rules.Rate())
        rows.append(
            {
                "number": member.number,
                "name": member.name,
                "attended": rate.attended,
                "held": rate.held,
                "attendance_pct": rate.percent,
            }
        )
    _print(MEMBER_COLUMNS, rows, args)
    return 0


def cmd_meetings(ledger: Ledger, args: argparse.Namespace) -> int:
    """``groups meetings``: a group's meetings in the period, newest first."""
    lang = lang_of(args.lang)
    found = _guard(lang, lambda: store.group(ledger, args.group))
    held = store.meetings(ledger, found.id, start=args.start, end=args.end)
    _print(MEETING_COLUMNS, [m.row() for m in held], args)
    return 0


def _output(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--csv", action="store_true", help="print CSV")


def _period(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="start", type=_date, help="first day of the period (default: open)")
    p.add_argument("--to", dest="end", type=_date, help="last day of the period (default: open)")


def add_commands(subparsers: Any) -> None:
    """Add ``groups`` and its subcommands to central's command line."""
    parser = subparsers.add_parser(
        "groups", help="member groups (Focus Group Symbiosis): list, create, members, meetings"
    )
    sub = parser.add_subparsers(dest="groups_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("list", help="groups: village, cadre, members, attendance rate over the period")
    p.add_argument("--village", help="one village (case and spaces do not matter)")
    _period(p)
    _output(p)
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("create", help="a new group led by a cadre (a member whose role is kader)")
    p.add_argument("--name", required=True, help="the group's name, unique")
    p.add_argument("--village", required=True, help="its village")
    p.add_argument("--cadre", required=True, help="the cadre's member number")
    p.add_argument("--by", default=getpass.getuser(), help="who made it (default: the logged-in user)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_create)
    p = sub.add_parser("edit", help="change a group's name, village or cadre")
    p.add_argument("--group", type=_group_number, required=True, help="the group's number")
    p.add_argument("--name", help="a new name")
    p.add_argument("--village", help="a new village")
    p.add_argument("--cadre", help="a new cadre's member number")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_edit)
    p = sub.add_parser("add", help="put members into a group (a member is in one group at a time)")
    p.add_argument("--group", type=_group_number, required=True, help="the group's number")
    p.add_argument("numbers", nargs="+", help="member numbers")
    p.add_argument("--by", default=getpass.getuser(), help="who added them (default: the logged-in user)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_add)
    p = sub.add_parser("remove", help="take members out of a group (their past attendance stays)")
    p.add_argument("--group", type=_group_number, required=True, help="the group's number")
    p.add_argument("numbers", nargs="+", help="member numbers")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_remove)
    p = sub.add_parser("members", help="a group's members with their attendance over the period")
    p.add_argument("--group", type=_group_number, required=True, help="the group's number")
    _period(p)
    _output(p)
    p.set_defaults(func=cmd_members)
    p = sub.add_parser("meetings", help="a group's meetings over the period, newest first")
    p.add_argument("--group", type=_group_number, required=True, help="the group's number")
    _period(p)
    _output(p)
    p.set_defaults(func=cmd_meetings)
