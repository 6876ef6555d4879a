"""``late``: the transactions dated in a closed year that arrived after it was closed and were posted on
the first day of the open period (``central.ledger.closed``), for the manager to see."""

from __future__ import annotations

import argparse
import json
from typing import Any, Final

from central.ledger import Ledger, late
from central.members.tabular import csv_text
from central.messages import lang_of

COLUMNS: Final = ("id", "own_day", "posted_day", "device", "unit", "kind", "member", "total_rp", "at")
TEXT: Final[dict[str, tuple[str, str]]] = {
    "none": ("Tidak ada transaksi terlambat.", "No late transactions."),
}


def cmd_late(ledger: Ledger, args: argparse.Namespace) -> int:
    """``late``."""
    lang = lang_of(args.lang)
    rows = [x.row() for x in late.late(ledger, args.year)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if args.csv:
        print(csv_text(COLUMNS, rows, ",", lang), end="")
        return 0
    if not rows:
        print(TEXT["none"][1 if lang == "en" else 0])
        return 0
    table = [list(COLUMNS)] + [["" if r[c] is None else str(r[c]) for c in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    for line in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
    return 0


def add_commands(subparsers: Any) -> None:
    """Add ``late`` to central's command line."""
    p = subparsers.add_parser(
        "late",
        help="transactions dated in a closed year that arrived late, posted on the open year's first day",
    )
    p.add_argument("--year", type=int, help="the year they were posted into (default: every year)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--csv", action="store_true", help="print CSV")
    p.set_defaults(func=cmd_late)
