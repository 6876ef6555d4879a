"""``savings wajib``: who is behind on simpanan wajib, by how many months and how much (a thin shell over
``central.savings.dues``)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import asdict
from datetime import date, datetime
from typing import Any, Final

from central.ledger import Ledger
from central.messages import lang_of
from central.messages import rupiah as _rp
from central.savings import dues

TEXT: Final[dict[str, tuple[str, str]]] = {
    "head": (
        "anggota  nama  bulan tertunggak  tunggakan wajib  lunas s.d.  pokok belum",
        "member  name  months behind  wajib owed  paid through  pokok owed",
    ),
    "none": ("Tidak ada anggota yang menunggak wajib.", "No member is behind on wajib."),
    "no_dues": (
        "Wajib belum diatur: tambahkan [savings] wajib_rp di konfigurasi (docs/config.md).",
        "No wajib set: add [savings] wajib_rp to the config (docs/config.md).",
    ),
}


def _t(key: str, lang: str) -> str:
    return TEXT[key][1 if lang == "en" else 0]


def cmd_wajib(ledger: Ledger, args: argparse.Namespace) -> int:
    """Members behind on wajib (all active members with --all), most months behind first."""
    lang = lang_of(args.lang)
    as_of = args.as_of or datetime.now(ledger.config.tz).date()
    rows = dues.wajib(ledger, as_of, member=args.member)
    if not args.all and args.member is None:
        rows = [r for r in rows if r.owed_rp > 0 or r.pokok_owed_rp > 0]
    if args.json:
        print(json.dumps([asdict(r) for r in rows], ensure_ascii=False))
        return 0
    if args.csv:
        out = csv.writer(sys.stdout, delimiter=";" if args.csv == "semicolon" else ",")
        out.writerow(list(dues.WajibRow.__dataclass_fields__))
        out.writerows(list(asdict(r).values()) for r in rows)
        return 0
    if all(rp == 0 for _, rp in ledger.config.savings.wajib) and ledger.config.savings.pokok_rp == 0:
        print(_t("no_dues", lang))
        return 0
    if not rows:
        print(_t("none", lang))
        return 0
    print(_t("head", lang))
    for r in rows:
        print(
            f"{r.member}  {r.name}  {r.months_behind}  {_rp(r.owed_rp, lang)}  {r.paid_through or '-'}  "
            f"{_rp(r.pokok_owed_rp, lang)}"
        )
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def add_commands(subparsers: Any) -> None:
    """Add ``savings`` and its subcommands to central's command line."""
    parser = subparsers.add_parser("savings", help="members' savings: wajib dues and who is behind")
    sub = parser.add_subparsers(dest="savings_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("wajib", help="members behind on simpanan wajib (and pokok)")
    p.add_argument("--as-of", type=_day, help="as of this day (default today)")
    p.add_argument("--member", help="only this member")
    p.add_argument("--all", action="store_true", help="every active member, also those paid up")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--csv", nargs="?", const="comma", choices=("comma", "semicolon"), help="print CSV")
    p.set_defaults(func=cmd_wajib)
