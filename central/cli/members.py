"""``members``: work on members after import. ``reissue-card`` gives a lost card a new random code (the old
one stops working at the devices after the next members downlink), records who and when, prints the new
code and can write the member's row as a members export for ``python -m provisioning cards``.
``card-history`` lists those reissues (the old codes by their last four characters only)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from central.errors import CentralError
from central.ledger import Ledger
from central.ledger.cards import reissue_card, reissues
from central.members import rows as members_mod
from central.members import tabular
from central.messages import lang_of

TEXTS = {
    "reissued": (
        "Kartu baru untuk {number} {name}: {code}. Kartu lama (…{old}) tidak berlaku lagi di perangkat "
        "setelah unduhan data anggota berikutnya.",
        "New card for {number} {name}: {code}. The old card (…{old}) stops working at the devices after "
        "the next members downlink.",
    ),
    "print_hint": (
        "Cetak kartunya: python -m provisioning cards --members {out} --out kartu-{number}.pdf",
        "Print it: python -m provisioning cards --members {out} --out card-{number}.pdf",
    ),
    "no_history": ("Belum ada kartu yang diganti.", "No card has been reissued."),
    "history_line": (
        "{when}  {member}  …{old} -> …{new}  oleh {by}",
        "{when}  {member}  …{old} -> …{new}  by {by}",
    ),
}


def _t(key: str, lang: str, **values: object) -> str:
    pair = TEXTS[key]
    return (pair[1] if lang == "en" else pair[0]).format(**values)


def _when(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def cmd_reissue_card(ledger: Ledger, args: argparse.Namespace) -> int:
    """Give a member a new card code and print it (and write their export row with --out)."""
    lang = lang_of(getattr(args, "lang", None))
    done = reissue_card(ledger, args.number, by=args.by)
    if args.out is not None:
        row = next(r for r in ledger.member_rows() if r["number"] == done.number)
        try:
            if args.out.suffix.lower() in tabular.XLSX_SUFFIXES:
                tabular.write_xlsx(args.out, members_mod.MEMBER_EXPORT, [row], sheet="kartu")
            else:
                args.out.write_text(members_mod.to_csv(members_mod.MEMBER_EXPORT, [row]), encoding="utf-8")
        except OSError as err:
            raise CentralError(f"{args.out}: {err.strerror}") from err
    if args.json:
        print(json.dumps(done._asdict(), ensure_ascii=False))
        return 0
    print(_t("reissued", lang, number=done.number, name=done.name, code=done.card_code, old=done.old_last4))
    if args.out is not None:
        print(_t("print_hint", lang, out=args.out, number=done.number))
    return 0


def cmd_card_history(ledger: Ledger, args: argparse.Namespace) -> int:
    """List card reissues, oldest first."""
    lang = lang_of(getattr(args, "lang", None))
    rows = reissues(ledger, args.number)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print(_t("no_history", lang))
    for r in rows:
        when = _when(int(str(r["reissued_ts"])))
        print(
            _t(
                "history_line",
                lang,
                when=when,
                member=r["member"],
                old=r["old_last4"],
                new=r["new_last4"],
                by=r["reissued_by"],
            )
        )
    return 0


def add_commands(subparsers: Any) -> None:
    """Add ``members reissue-card`` and ``members card-history`` to central's command line."""
    parser = subparsers.add_parser(
        "members",
        help="members after import: reissue a lost card, card history",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("reissue-card", help="a lost card: give the member a new random card code")
    p.add_argument("number", help="member number, e.g. A001")
    p.add_argument("--by", help="who reissues it (default: the logged-in user)")
    p.add_argument(
        "--out", type=Path, help="also write the member's row as a members export (.csv or .xlsx) to print"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_reissue_card)
    p = sub.add_parser("card-history", help="who reissued which member's card, when")
    p.add_argument("number", nargs="?", help="only this member")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_card_history)
