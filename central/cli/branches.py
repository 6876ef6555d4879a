"""``branches``: the branches and their devices, and a month's comparison per branch and consolidated
(``central.branches``); ``--branch`` on the hand-in commands uses the same branch dimension."""

from __future__ import annotations

import argparse
import getpass
import json
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from central.branches import members as member_branches
from central.branches import scope
from central.consolidation import compare
from central.errors import CentralError
from central.ledger import Ledger
from central.members.tabular import csv_text
from central.messages import lang_of

TEXT: Final[dict[str, tuple[str, str]]] = {
    "bad_month": (
        "bulan {text!r} tidak dikenal; tulis YYYY-MM, misalnya 2026-03",
        "month {text!r} is not a month; write YYYY-MM, e.g. 2026-03",
    ),
    "unknown": (
        "cabang {branch!r} tidak dikenal; cabangnya: {known}",
        "unknown branch {branch!r}; the branches are {known}",
    ),
    "none": ("(belum ada perangkat)", "(no devices yet)"),
    "assigned": ("{count} anggota kini di cabang {branch}.", "{count} member(s) now in branch {branch}."),
    "unassigned": (
        "{count} anggota dikeluarkan dari cabangnya.",
        "{count} member(s) taken out of their branch.",
    ),
    "no_members": ("(belum ada anggota yang punya cabang)", "(no member has a branch yet)"),
}
MEMBER_COLUMNS: Final = ("member", "branch")
LIST_COLUMNS: Final = ("branch", "devices")


def _t(key: str, lang: str, **values: object) -> str:
    return TEXT[key][1 if lang == "en" else 0].format(**values)


def _month(text: str) -> str:
    try:
        compare.month_bounds(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(_t("bad_month", lang_of(), text=text)) from err
    if len(text) != len("2026-03"):
        raise argparse.ArgumentTypeError(_t("bad_month", lang_of(), text=text))
    return text


def checked(ledger: Ledger, branch: str | None, lang: str) -> scope.Branches:
    """The ledger's branches; a ``CentralError`` (exit 2) naming the known ones when ``branch`` is not one."""
    known = scope.load(ledger)
    if branch is not None and not known.known(branch):
        raise CentralError(_t("unknown", lang, branch=branch, known=", ".join(known.names()) or "-"))
    return known


def _table(columns: tuple[str, ...], rows: Sequence[Sequence[object]]) -> None:
    table = [list(columns)] + [[str(c) for c in r] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    for line in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


def cmd_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """``branches list``."""
    known = scope.load(ledger)
    rows = [(b, " ".join(known.devices(b))) for b in known.names()]
    if args.json:
        print(json.dumps([dict(zip(LIST_COLUMNS, r, strict=True)) for r in rows], ensure_ascii=False))
    elif not rows:
        print(_t("none", lang_of(args.lang)))
    else:
        _table(LIST_COLUMNS, rows)
    return 0


def cmd_compare(ledger: Ledger, args: argparse.Namespace) -> int:
    """``branches compare``."""
    month = args.month or datetime.now(ledger.config.tz).date().isoformat()[:7]
    found = compare.compare(ledger, month, int(time.time()))
    rows = [r.values() for r in (*found.rows, found.total)]
    if args.json:
        print(json.dumps([dict(zip(compare.COLUMNS, r, strict=True)) for r in rows], ensure_ascii=False))
    elif args.csv:
        dicts = [dict(zip(compare.COLUMNS, r, strict=True)) for r in rows]
        print(csv_text(compare.COLUMNS, dicts, ",", lang_of(args.lang)), end="")
    else:
        _table(compare.COLUMNS, rows)
    return 0


def cmd_units(ledger: Ledger, args: argparse.Namespace) -> int:
    """``branches units``."""
    known = checked(ledger, args.branch, lang_of(args.lang))
    month = args.month or datetime.now(ledger.config.tz).date().isoformat()[:7]
    rows = compare.units(ledger, month, args.branch, known)
    dicts = [dict(zip(compare.UNIT_COLUMNS, r, strict=True)) for r in rows]
    if args.json:
        print(json.dumps(dicts, ensure_ascii=False))
    elif args.csv:
        print(csv_text(compare.UNIT_COLUMNS, dicts, ",", lang_of(args.lang)), end="")
    else:
        _table(compare.UNIT_COLUMNS, list(rows))
    return 0


def cmd_assign(ledger: Ledger, args: argparse.Namespace) -> int:
    """``branches assign BRANCH NUMBER...``: the office puts members in a branch."""
    lang = lang_of(args.lang)
    try:
        count = member_branches.assign(ledger, args.numbers, args.branch, by=args.by)
    except member_branches.BranchRefused as err:
        raise CentralError(err.text(lang)) from err
    print(_t("assigned", lang, count=count, branch=args.branch))
    return 0


def cmd_unassign(ledger: Ledger, args: argparse.Namespace) -> int:
    """``branches unassign NUMBER...``."""
    lang = lang_of(args.lang)
    try:
        count = member_branches.unassign(ledger, args.numbers)
    except member_branches.BranchRefused as err:
        raise CentralError(err.text(lang)) from err
    print(_t("unassigned", lang, count=count))
    return 0


def cmd_members(ledger: Ledger, args: argparse.Namespace) -> int:
    """``branches members [--branch B]``: the members and their branches."""
    lang = lang_of(args.lang)
    if args.branch is not None:
        checked(ledger, args.branch, lang)
    rows = sorted((n, b) for n, b in member_branches.of_members(ledger).items() if args.branch in (None, b))
    if args.json:
        print(json.dumps([dict(zip(MEMBER_COLUMNS, r, strict=True)) for r in rows], ensure_ascii=False))
    elif not rows:
        print(_t("no_members", lang))
    else:
        _table(MEMBER_COLUMNS, rows)
    return 0


def add_commands(subparsers: Any) -> None:
    """Add ``branches`` and its subcommands to central's command line."""
    parser = subparsers.add_parser(
        "branches", help="branches: their devices, and a month compared per branch"
    )
    sub = parser.add_subparsers(dest="branches_command", required=True)
    p = sub.add_parser("list", help="each branch with its devices (the office's chain is the central office)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser(
        "compare",
        help="a month per branch and consolidated: sales, cost, margin, shrinkage, hand-ins, devices offline",
    )
    p.add_argument("--month", type=_month, help="YYYY-MM (default: this month)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--csv", action="store_true", help="print CSV (the last line, branch '*', is the total)")
    p.set_defaults(func=cmd_compare)
    p = sub.add_parser(
        "units", help="a month's sales, cost of goods and gross margin per unit, of one branch or all"
    )
    p.add_argument("--month", type=_month, help="YYYY-MM (default: this month)")
    p.add_argument("--branch", help="the devices of one branch (default: every branch, consolidated)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--csv", action="store_true", help="print CSV")
    p.set_defaults(func=cmd_units)
    p = sub.add_parser(
        "assign",
        help="put members in a branch (where they are served; announcements reach them by branch:NAME)",
    )
    p.add_argument("branch", help="a branch the ledger knows (`branches list`)")
    p.add_argument("numbers", nargs="+", metavar="MEMBER", help="member numbers")
    p.add_argument("--by", default=getpass.getuser(), help="who assigns them (kept with the branch)")
    p.set_defaults(func=cmd_assign)
    p = sub.add_parser("unassign", help="take members out of their branch")
    p.add_argument("numbers", nargs="+", metavar="MEMBER", help="member numbers")
    p.set_defaults(func=cmd_unassign)
    p = sub.add_parser("members", help="the members with a branch")
    p.add_argument("--branch", help="one branch's members")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_members)
