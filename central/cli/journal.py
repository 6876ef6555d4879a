"""``journal draft|edit|list|show|photo|approve|reject``: the office's general journal with maker-checker,
a thin shell over ``central.journal`` (docs/journal.md). Lists print a table, or ``--json`` / ``--csv``."""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, TypeVar

from central import images
from central.errors import CentralError, TableFileError
from central.journal import rules, store
from central.journal.rules import JournalError, Line
from central.ledger import Ledger
from central.members.tabular import csv_text, read_table
from central.messages import lang_of, rupiah
from central.office import identity
from central.office.errors import OfficeError

T = TypeVar("T")
TEXT: Final[dict[str, tuple[str, str]]] = {
    "none": ("Tidak ada jurnal.", "No entries."),
    "drafted": (
        "Draf jurnal {id} dibuat ({total}); menunggu persetujuan.",
        "Draft {id} made ({total}); awaiting approval.",
    ),
    "edited": ("Draf jurnal {id} diubah ({total}).", "Draft {id} changed ({total})."),
    "photo": (
        "Foto nota disimpan pada jurnal {id} ({count} foto).",
        "Receipt photo kept with entry {id} ({count}).",
    ),
    "approved": (
        "Jurnal {id} disetujui dan dibukukan: transaksi {tx}.",
        "Entry {id} approved and posted: {tx}.",
    ),
    "rejected": ("Jurnal {id} ditolak: {reason}", "Entry {id} rejected: {reason}"),
    "bad_date": ("{text!r} bukan tanggal seperti 2026-03-31", "{text!r} is not a date like 2026-03-31"),
    "no_lines": (
        "beri baris dengan --line AKUN:D|K:JUMLAH[:KETERANGAN] atau --lines BERKAS.csv",
        "give lines with --line ACCOUNT:D|K:AMOUNT[:MEMO] or --lines FILE.csv",
    ),
    "csv_columns": (
        "{path}: kolomnya harus account, side, amount_rp (dan memo bila perlu)",
        "{path}: the columns must be account, side, amount_rp (and memo if wanted)",
    ),
    "photo_file": ("foto {path} tidak bisa dibaca: {why}", "the photo {path} cannot be read: {why}"),
}
LIST_COLUMNS: Final = (
    "id",
    "day",
    "kind",
    "unit",
    "description",
    "total_rp",
    "state",
    "made_by",
    "decided_by",
)
LINES_COLUMNS: Final = ("account", "side", "amount_rp")


def _t(key: str, lang: str, **values: object) -> str:
    return TEXT[key][1 if lang == "en" else 0].format(**values)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(_t("bad_date", lang_of(), text=text)) from err


def _guard(lang: str, step: Callable[[], T]) -> T:
    try:
        return step()
    except (JournalError, OfficeError, images.ImageRefused) as err:
        raise CentralError(err.text(lang)) from err


def _lines(args: argparse.Namespace, lang: str) -> list[Line]:
    """The lines of ``--line`` (in order) then of ``--lines FILE`` (a CSV or .xlsx: account, side,
    amount_rp, memo)."""
    lines = [rules.parse_line(text, f"--line {n}") for n, text in enumerate(args.line or [], start=1)]
    if args.lines is not None:
        try:
            table = read_table(args.lines)
        except TableFileError as err:
            raise CentralError(str(err)) from err
        if not set(LINES_COLUMNS) <= set(table.columns):
            raise CentralError(_t("csv_columns", lang, path=args.lines))
        for row in table.rows:
            values = row.cells
            where = f"{args.lines} line {row.line}" if lang == "en" else f"{args.lines} baris {row.line}"
            lines.append(
                rules.make_line(
                    values["account"], values["side"], values["amount_rp"], values.get("memo", ""), where
                )
            )
    if not lines:
        raise CentralError(_t("no_lines", lang))
    return lines


def _photos(paths: list[Path] | None, lang: str) -> list[images.Photo]:
    shots = []
    for path in paths or []:
        try:
            data = path.read_bytes()
        except OSError as err:
            raise CentralError(_t("photo_file", lang, path=path, why=err.strerror)) from err
        shots.append(images.normalise(data))
    return shots


def _print_entry(entry: store.Entry, args: argparse.Namespace) -> None:
    lang = lang_of(args.lang)
    if args.json:
        print(json.dumps({**entry.row(), "events": [e.__dict__ for e in entry.events]}, ensure_ascii=False))
        return
    head = f"#{entry.id}  {entry.day}  {entry.kind}  {entry.unit}  {entry.state}  {entry.description}"
    print(head)
    width = max(len(x.account) for x in entry.lines)
    for x in entry.lines:
        debit = rupiah(x.debit_rp, lang) if x.debit_rp else ""
        credit = rupiah(x.credit_rp, lang) if x.credit_rp else ""
        print(f"  {x.account.ljust(width)}  {debit:>18}  {credit:>18}  {x.memo}".rstrip())
    for e in entry.events:
        when = datetime.fromtimestamp(e.ts).isoformat(timespec="seconds")
        print(f"  {when}  {e.action:<8} {e.by} {e.role} {e.detail}".rstrip())


def cmd_draft(ledger: Ledger, args: argparse.Namespace) -> int:
    """``journal draft``."""
    lang = lang_of(args.lang)

    def step() -> store.Entry:
        return store.draft(
            ledger,
            day=args.day or datetime.now(ledger.config.tz).date(),
            description=args.description,
            kind=args.kind,
            unit=args.unit,
            lines=_lines(args, lang),
            by=args.by,
            role=args.role,
            photos=_photos(args.photo, lang),
        )

    entry = _guard(lang, step)
    if args.json:
        print(json.dumps(entry.row(), ensure_ascii=False))
    else:
        print(_t("drafted", lang, id=entry.id, total=rupiah(entry.total_rp, lang)))
    return 0


def cmd_edit(ledger: Ledger, args: argparse.Namespace) -> int:
    """``journal edit``."""
    lang = lang_of(args.lang)

    def step() -> store.Entry:
        old = store.get(ledger, args.id)
        return store.edit(
            ledger,
            args.id,
            day=args.day or date.fromisoformat(old.day),
            description=args.description or old.description,
            kind=args.kind or old.kind,
            unit=args.unit or old.unit,
            lines=_lines(args, lang) if (args.line or args.lines) else list(old.lines),
            by=args.by,
            role=args.role,
        )

    entry = _guard(lang, step)
    print(_t("edited", lang, id=entry.id, total=rupiah(entry.total_rp, lang)))
    return 0


def cmd_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """``journal list``."""
    lang = lang_of(args.lang)
    rows = [e.row() for e in store.listing(ledger, state=args.state)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if args.csv:
        print(csv_text(LIST_COLUMNS, rows, ",", lang), end="")
        return 0
    if not rows:
        print(_t("none", lang))
        return 0
    table = [list(LIST_COLUMNS)] + [["" if r[c] is None else str(r[c]) for c in LIST_COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(LIST_COLUMNS))]
    for line in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
    return 0


def cmd_show(ledger: Ledger, args: argparse.Namespace) -> int:
    """``journal show``."""
    _print_entry(_guard(lang_of(args.lang), lambda: store.get(ledger, args.id)), args)
    return 0


def cmd_photo(ledger: Ledger, args: argparse.Namespace) -> int:
    """``journal photo``."""
    lang = lang_of(args.lang)

    def step() -> store.Entry:
        [shot] = _photos([args.file], lang)
        return store.add_photo(ledger, args.id, shot, by=args.by)

    entry = _guard(lang, step)
    print(_t("photo", lang, id=entry.id, count=len(entry.photos)))
    return 0


def cmd_approve(ledger: Ledger, args: argparse.Namespace) -> int:
    """``journal approve``."""
    lang = lang_of(args.lang)

    def step() -> store.Entry:
        office = identity.load(ledger, identity.key_path(ledger.target, args.office_key))
        return store.approve(ledger, office, args.id, by=args.by, role=args.role)

    entry = _guard(lang, step)
    if args.json:
        print(json.dumps(entry.row(), ensure_ascii=False))
    else:
        print(_t("approved", lang, id=entry.id, tx=entry.posted_tx))
    return 0


def cmd_reject(ledger: Ledger, args: argparse.Namespace) -> int:
    """``journal reject``."""
    lang = lang_of(args.lang)
    entry = _guard(
        lang, lambda: store.reject(ledger, args.id, by=args.by, role=args.role, reason=args.reason)
    )
    print(_t("rejected", lang, id=entry.id, reason=entry.reason))
    return 0


def _entry_fields(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument("--day", type=_date, help="the entry's date (default: today; never after today)")
    p.add_argument("--description", required=required, help="what it is, e.g. 'Bayar listrik Maret'")
    p.add_argument(
        "--kind",
        choices=tuple(rules.KINDS),
        default="expense" if required else None,
        help="expense (default), income, transfer (kas <-> bank), depreciation or adjustment",
    )
    p.add_argument(
        "--unit",
        default=store.DEFAULT_UNIT if required else None,
        help=f"the unit (default {store.DEFAULT_UNIT})",
    )
    p.add_argument(
        "--line",
        action="append",
        metavar="ACCOUNT:D|K:AMOUNT[:MEMO]",
        help="one line, repeated: e.g. --line 5702:D:350000:listrik --line 1101:K:350000",
    )
    p.add_argument(
        "--lines", type=Path, metavar="FILE", help="lines from a CSV/.xlsx: account,side,amount_rp,memo"
    )


def add_commands(subparsers: Any) -> None:
    """Add ``journal`` and its subcommands to central's command line."""
    me = getpass.getuser()
    parser = subparsers.add_parser(
        "journal", help="the office's own entries (expenses, bank, depreciation): draft, approve, reject"
    )
    sub = parser.add_subparsers(dest="journal_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("draft", help="draft an entry (staf, manajer, bendahara); another user approves it")
    _entry_fields(p, required=True)
    p.add_argument("--photo", type=Path, action="append", help="a photo of the receipt (repeat for more)")
    p.add_argument("--by", default=me, help="who drafts it (default: the logged-in user)")
    p.add_argument("--role", required=True, help="the maker's role: staf, manajer or bendahara")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_draft)
    p = sub.add_parser("edit", help="change a draft (what is not given stays)")
    p.add_argument("id", type=int, help="the entry's number")
    _entry_fields(p, required=False)
    p.add_argument("--by", default=me, help="who changes it (default: the logged-in user)")
    p.add_argument("--role", required=True, help="the editor's role: staf, manajer or bendahara")
    p.set_defaults(func=cmd_edit)
    p = sub.add_parser("list", help="the entries, drafts waiting first")
    p.add_argument("--state", choices=rules.STATES, help="only entries in this state")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--csv", action="store_true", help="print CSV")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("show", help="one entry: its lines and history")
    p.add_argument("id", type=int, help="the entry's number")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("photo", help="keep one more receipt photo with an entry")
    p.add_argument("id", type=int, help="the entry's number")
    p.add_argument("file", type=Path, help="the photo (JPEG, PNG or WebP)")
    p.add_argument("--by", default=me, help="who adds it (default: the logged-in user)")
    p.set_defaults(func=cmd_photo)
    p = sub.add_parser(
        "approve", help="approve a draft and post it (manajer, bendahara, ketua; not its maker)"
    )
    p.add_argument("id", type=int, help="the entry's number")
    p.add_argument("--by", default=me, help="who approves (default: the logged-in user)")
    p.add_argument("--role", required=True, help="the checker's role: manajer, bendahara or ketua")
    p.add_argument("--office-key", type=Path, help="the office's key file (default: beside the ledger)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_approve)
    p = sub.add_parser(
        "reject", help="reject a draft with a reason (manajer, bendahara, ketua; not its maker)"
    )
    p.add_argument("id", type=int, help="the entry's number")
    p.add_argument("--reason", required=True, help="why, for the maker to read")
    p.add_argument("--by", default=me, help="who rejects (default: the logged-in user)")
    p.add_argument("--role", required=True, help="the checker's role: manajer, bendahara or ketua")
    p.set_defaults(func=cmd_reject)
