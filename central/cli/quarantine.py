"""``quarantine list|show|retry|dismiss``: the office's work on refused envelopes (a thin shell over
``central.ledger.quarantine``)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any, Final

from central.errors import CentralError
from central.ledger import Ledger
from central.ledger import quarantine as q
from central.messages import lang_of

Handler = Callable[[Ledger, argparse.Namespace], int]

# Labels of the table form, Indonesian then English.
TEXT: Final[dict[str, tuple[str, str]]] = {
    "none": ("Karantina kosong.", "Quarantine is empty."),
    "header": ("no  diterima  perangkat  seq  status  alasan", "qid  received  device  seq  state  reason"),
    "open": ("terbuka", "open"),
    "accepted": ("diterima setelah dicoba ulang", "retried, accepted"),
    "dismissed": ("diabaikan", "dismissed"),
    "position": (
        "ack perangkat sudah melewatinya (ditolak, tapi asli)",
        "the device's ack moved past it (refused, but authentic)",
    ),
    "retry": ("coba ulang", "retry"),
    "dismiss": ("abaikan", "dismiss"),
    "body": ("Isi seperti diterima:", "Body as received:"),
    "actions": ("Tindakan kantor:", "Office actions:"),
    "outcome": ("Baris {qid}: {state} ({detail}).", "Row {qid}: {state} ({detail})."),
}


def _t(key: str, lang: str) -> str:
    return TEXT[key][1 if lang == "en" else 0]


def _when(ledger: Ledger, ts: int) -> str:
    return datetime.fromtimestamp(ts, ledger.config.tz).isoformat(timespec="seconds")


def _guard(handler: Handler) -> Handler:
    """The domain's bilingual errors become the CLI's error in the chosen language (exit 2)."""

    def run(ledger: Ledger, args: argparse.Namespace) -> int:
        try:
            return handler(ledger, args)
        except q.QuarantineError as err:
            raise CentralError(err.text(lang_of(args.lang))) from err

    run.__doc__ = handler.__doc__
    return run


def cmd_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """List quarantine rows, newest first, with their state."""
    lang = lang_of(args.lang)
    entries = q.list_entries(ledger, args.state, args.limit)
    if args.json:
        print(json.dumps([asdict(e) for e in entries], ensure_ascii=False))
        return 0
    if not entries:
        print(_t("none", lang))
        return 0
    print(_t("header", lang))
    for e in entries:
        seq = "" if e.seq is None else str(e.seq)
        print(
            f"{e.qid}  {_when(ledger, e.received_ts)}  {e.device or '-'}  {seq or '-'}  "
            f"{_t(e.state, lang)}  {e.reason}"
        )
    return 0


def cmd_show(ledger: Ledger, args: argparse.Namespace) -> int:
    """One row: reason, state, body as received and the office's actions on it."""
    lang = lang_of(args.lang)
    e = q.show(ledger, args.qid)
    if args.json:
        print(json.dumps(asdict(e), ensure_ascii=False))
        return 0
    print(f"{e.qid}: {e.id or '-'} {e.device or '-'} seq {e.seq if e.seq is not None else '-'}")
    print(f"  {_when(ledger, e.received_ts)}  {_t(e.state, lang)}")
    print(f"  {e.reason}")
    if e.holds_position:
        print(f"  {_t('position', lang)}")
    print(_t("body", lang))
    print(e.body)
    if e.actions:
        print(_t("actions", lang))
        for a in e.actions:
            when = _when(ledger, a.ts)
            print(f"  {when}  {_t(a.action, lang)}  {a.actor}  {a.reason or '-'}  -> {a.outcome}")
    return 0


def _outcome(outcome: q.Outcome, args: argparse.Namespace) -> int:
    lang = lang_of(args.lang)
    if args.json:
        print(json.dumps(asdict(outcome), ensure_ascii=False))
    else:
        state = _t(outcome.state, lang)
        print(_t("outcome", lang).format(qid=outcome.qid, state=state, detail=outcome.detail))
    return 0 if outcome.state != "open" else 1


def cmd_retry(ledger: Ledger, args: argparse.Namespace) -> int:
    """Ingest the stored body again (exit 1 when it is refused again)."""
    return _outcome(q.retry(ledger, args.qid, by=args.by, reason=args.reason or ""), args)


def cmd_dismiss(ledger: Ledger, args: argparse.Namespace) -> int:
    """Settle a row without ingesting it, with a reason."""
    return _outcome(q.dismiss(ledger, args.qid, reason=args.reason, by=args.by), args)


def add_commands(subparsers: Any) -> None:
    """Add ``quarantine`` and its subcommands to central's command line."""
    parser = subparsers.add_parser(
        "quarantine", help="refused envelopes: list, show, retry after fixing the cause, dismiss"
    )
    sub = parser.add_subparsers(dest="quarantine_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("list", help="quarantine rows, newest first, with their state")
    p.add_argument("--state", choices=("open", "accepted", "dismissed"), help="only rows in this state")
    p.add_argument("--limit", type=int, default=200, help="at most this many rows (default 200)")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.set_defaults(func=_guard(cmd_list))
    p = sub.add_parser("show", help="one row with its body as received and the office's actions")
    p.add_argument("qid", type=int, help="the row number (first column of list)")
    p.add_argument("--json", action="store_true", help="print the row as JSON")
    p.set_defaults(func=_guard(cmd_show))
    p = sub.add_parser("retry", help="ingest the stored envelope again, after fixing what refused it")
    p.add_argument("qid", type=int)
    p.add_argument("--reason", help="what was fixed (kept in the audit)")
    p.add_argument("--by", help="who retries (default: the logged-in user)")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(func=_guard(cmd_retry))
    p = sub.add_parser("dismiss", help="settle a row without ingesting it")
    p.add_argument("qid", type=int)
    p.add_argument("--reason", required=True, help="why it is dismissed (kept in the audit)")
    p.add_argument("--by", help="who dismisses (default: the logged-in user)")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(func=_guard(cmd_dismiss))
