"""``assets list``: members' productive assets for the office, a thin shell over ``central.assets``
(docs/development.md). Prints a table, or ``--json`` / ``--csv``; the office sees every member's."""

from __future__ import annotations

import argparse
import json
from typing import Any, Final

from central.assets import rules, store
from central.ledger import Ledger
from central.members.tabular import csv_text
from central.messages import lang_of, rupiah

TEXT: Final[dict[str, tuple[str, str]]] = {
    "none": ("Tidak ada aset.", "No assets."),
    "total": ("{count} aset, jumlah nilai {total}", "{count} asset(s), total value {total}"),
}
SHOWN: Final = ("id", "member", "name", "kind", "value_rp", "value_day", "photos", "description")


def _t(key: str, lang: str, **values: object) -> str:
    return TEXT[key][1 if lang == "en" else 0].format(**values)


def cmd_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """``assets list``."""
    lang = lang_of(args.lang)
    found = store.listing(ledger, member=args.member, kind=args.kind)
    rows: list[dict[str, Any]] = [a.row() for a in found]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if args.csv:
        print(csv_text(store.CSV_COLUMNS, rows, ",", lang), end="")
        return 0
    if not rows:
        print(_t("none", lang))
        return 0
    table = [list(SHOWN)] + [[str(r[c]) for c in SHOWN] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(SHOWN) - 1)]
    for line in table:
        cells = [cell.ljust(w) for cell, w in zip(line, widths, strict=False)]
        print("  ".join([*cells, line[-1]]).rstrip())
    print(_t("total", lang, count=len(rows), total=rupiah(sum(a.value_rp for a in found), lang)))
    return 0


def add_commands(subparsers: Any) -> None:
    """Add ``assets`` and its subcommands to central's command line."""
    parser = subparsers.add_parser(
        "assets", help="members' productive assets (warung, livestock, land, vehicles)"
    )
    sub = parser.add_subparsers(dest="assets_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("list", help="assets: member, kind, current value and its day, photos, description")
    p.add_argument("--member", help="one member's assets")
    p.add_argument("--kind", choices=list(rules.KINDS), help="one kind")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--csv", action="store_true", help="print CSV")
    p.set_defaults(func=cmd_list)
