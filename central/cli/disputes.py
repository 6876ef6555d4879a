"""``disputes list|show|accept|reject|report``: members' disputes as cases the supervisor (pengawas) or
the manager decides, a thin shell over ``central.disputes`` (docs/disputes.md). Lists print a table, or
``--json`` / ``--csv``; a case is named by its dispute's id, or by the disputed sale's id."""

from __future__ import annotations

import argparse
import getpass
import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from central.disputes import rules, store
from central.disputes.errors import DisputeError
from central.errors import CentralError
from central.ledger import Ledger
from central.members.tabular import csv_text
from central.messages import lang_of, rupiah
from central.office import identity
from central.office.errors import OfficeError

TEXT: Final[dict[str, tuple[str, str]]] = {
    "none": ("Tidak ada sanggahan.", "No disputes."),
    "case": ("Sanggahan {id}", "Dispute {id}"),
    "state": ("Status", "State"),
    "open": ("terbuka: menunggu pengawas atau manajer", "open: waiting for the supervisor or manager"),
    "accepted": ("diterima", "accepted"),
    "rejected": ("ditolak", "rejected"),
    "member": ("Anggota", "Member"),
    "words": ("Kata anggota", "Member's words"),
    "recorded": ("Dicatat di", "Recorded at"),
    "sale": ("Penjualan", "Sale"),
    "sale_line": (
        "{sale}: {at}, unit {unit}, perangkat {device}, petugas {clerk}, {payment}, {amount}",
        "{sale}: {at}, unit {unit}, device {device}, clerk {clerk}, {payment}, {amount}",
    ),
    "sale_missing": ("{sale}: tidak ada di buku besar", "{sale}: not in the ledger"),
    "voided_already": (
        "Penjualan ini sudah dibatalkan ({void}): anggota tidak ditagih lagi.",
        "This sale is voided already ({void}): the member is not charged for it.",
    ),
    "decision": (
        "Keputusan: {state} oleh {by} ({role}) pada {when}",
        "Decision: {state} by {by} ({role}) on {when}",
    ),
    "reason": ("Alasan", "Reason"),
    "void": ("Pembatalan", "Void"),
    "trail": ("Riwayat", "Trail"),
    "action_open": ("dibuka", "opened"),
    "action_accept": ("diterima", "accepted"),
    "action_reject": ("ditolak", "rejected"),
    "done_accept": (
        "Sanggahan {id} diterima: penjualan {sale} dibatalkan di rantai kantor ({void}); stok, kredit dan "
        "poin anggota mengikuti pembatalan itu.",
        "Dispute {id} accepted: sale {sale} voided on the office chain ({void}); stock, credit and the "
        "member's points follow the void.",
    ),
    "done_accept_already": (
        "Sanggahan {id} diterima. Penjualan {sale} sudah dibatalkan sebelumnya ({void}); tidak ada yang "
        "dibatalkan lagi.",
        "Dispute {id} accepted. Sale {sale} was voided already ({void}); nothing was voided again.",
    ),
    "done_reject": (
        "Sanggahan {id} ditolak; pembukuan tidak berubah. Alasan untuk anggota: {reason}",
        "Dispute {id} rejected; the books are unchanged. Reason for the member: {reason}",
    ),
    "bad_date": ("{text!r} bukan tanggal seperti 2026-03-31", "{text!r} is not a date like 2026-03-31"),
    "bad_unit": (
        "unit {unit!r} tidak dikenal; unitnya: {units}",
        "unknown unit {unit!r}; the units are {units}",
    ),
    "bad_period": ("--from {start} sesudah --to {end}; tukar keduanya", "--from {start} is after --to {end}"),
    "by_clerk": ("Sanggahan per petugas", "Disputes by clerk"),
    "by_device": ("Sanggahan per perangkat", "Disputes by device"),
    "total": ("Jumlah", "Total"),
}


def _t(key: str, lang: str, **values: object) -> str:
    return TEXT[key][1 if lang == "en" else 0].format(**values)


def _date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as err:
        raise argparse.ArgumentTypeError(_t("bad_date", lang_of(), text=text)) from err


def _guard(lang: str, step: Any) -> Any:
    try:
        return step()
    except (DisputeError, OfficeError) as err:
        raise CentralError(err.text(lang)) from err


def _unit(ledger: Ledger, unit: str | None, lang: str) -> str | None:
    if unit is not None and ledger.config.unit(unit) is None:
        units = ", ".join(u.code for u in ledger.config.units)
        raise CentralError(_t("bad_unit", lang, unit=unit, units=units))
    return unit


def _period(args: argparse.Namespace, lang: str) -> tuple[str | None, str | None]:
    if args.start and args.end and args.start > args.end:
        raise CentralError(_t("bad_period", lang, start=args.start, end=args.end))
    return args.start, args.end


def _table(columns: tuple[str, ...], rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    lang = lang_of(args.lang)
    if getattr(args, "json", False):
        print(json.dumps(rows, ensure_ascii=False))
        return
    if getattr(args, "csv", False):
        print(csv_text(columns, rows, ";" if getattr(args, "semicolon", False) else ",", lang), end="")
        return
    if not rows:
        print(_t("none", lang))
        return
    table = [list(columns)] + [["" if r.get(c) is None else str(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    for line in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


def cmd_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """``disputes list``."""
    lang = lang_of(args.lang)
    start, end = _period(args, lang)
    found = store.cases(
        ledger,
        state=None if args.state == "all" else args.state,
        unit=_unit(ledger, args.unit, lang),
        clerk=args.clerk,
        device=args.device,
        start=start,
        end=end,
    )
    columns = store.CASE_COLUMNS if (args.json or args.csv) else store.CASE_COLUMNS[:-1]
    _table(columns, [store.row(c) for c in found], args)
    return 0


def _state(case: rules.Case, lang: str) -> str:
    return _t(case.state, lang)


def _show(ledger: Ledger, case: rules.Case, lang: str) -> None:
    tz = ledger.config.tz
    print(_t("case", lang, id=case.id))
    print(f"  {_t('state', lang)}: {_state(case, lang)}")
    print(f"  {_t('member', lang)}: {case.member or '-'}")
    print(f"  {_t('words', lang)}: {case.words}")
    print(f"  {_t('recorded', lang)}: {case.recorded_by}, {case.at}")
    if case.sale_total_rp is None:
        print(f"  {_t('sale', lang)}: {_t('sale_missing', lang, sale=case.sale)}")
    else:
        line = _t(
            "sale_line",
            lang,
            sale=case.sale,
            at=case.sale_at,
            unit=case.sale_unit,
            device=case.sale_device,
            clerk=case.sale_clerk or "-",
            payment=case.sale_payment,
            amount=rupiah(case.amount_rp, lang),
        )
        print(f"  {_t('sale', lang)}: {line}")
    if case.sale_void and not case.decided:
        print(f"  {_t('voided_already', lang, void=case.sale_void)}")
    if case.decided and case.decided_ts is not None:
        when = datetime.fromtimestamp(case.decided_ts, tz).isoformat(timespec="seconds")
        print(
            "  "
            + _t(
                "decision",
                lang,
                state=_state(case, lang),
                by=case.decided_by,
                role=case.decided_role,
                when=when,
            )
        )
        if case.decision_reason:
            print(f"  {_t('reason', lang)}: {case.decision_reason}")
        if case.void_tx:
            print(f"  {_t('void', lang)}: {case.void_tx}")
    print(f"  {_t('trail', lang)}:")
    for event in store.trail(ledger, case):
        action = _t(f"action_{event.action}", lang) if f"action_{event.action}" in TEXT else event.action
        print(f"    {event.at}  {event.who} ({event.role})  {action}  {event.detail}")


def _case_json(ledger: Ledger, case: rules.Case) -> dict[str, Any]:
    return {**asdict(case), "trail": [asdict(e) for e in store.trail(ledger, case)]}


def cmd_show(ledger: Ledger, args: argparse.Namespace) -> int:
    """``disputes show``."""
    lang = lang_of(args.lang)
    case = _guard(lang, lambda: store.get(ledger, args.case))
    if args.json:
        print(json.dumps(_case_json(ledger, case), ensure_ascii=False))
    else:
        _show(ledger, case, lang)
    return 0


def cmd_accept(ledger: Ledger, args: argparse.Namespace) -> int:
    """``disputes accept``."""
    lang = lang_of(args.lang)

    def step() -> store.Decided:
        rules.check_decider(args.role)  # the role first: no key is needed to be refused
        office = identity.load(ledger, identity.key_path(ledger.target, args.office_key))
        return store.accept(ledger, office, args.case, by=args.by, role=args.role, reason=args.reason)

    done: store.Decided = _guard(lang, step)
    case = done.case
    if args.json:
        print(json.dumps({**_case_json(ledger, case), "posted": done.posted}, ensure_ascii=False))
        return 0
    key = "done_accept" if done.posted else "done_accept_already"
    print(_t(key, lang, id=case.id, sale=case.sale, void=case.void_tx))
    return 0


def cmd_reject(ledger: Ledger, args: argparse.Namespace) -> int:
    """``disputes reject``."""
    lang = lang_of(args.lang)
    done: store.Decided = _guard(
        lang, lambda: store.reject(ledger, args.case, by=args.by, role=args.role, reason=args.reason)
    )
    case = done.case
    if args.json:
        print(json.dumps(_case_json(ledger, case), ensure_ascii=False))
        return 0
    print(_t("done_reject", lang, id=case.id, reason=case.decision_reason))
    return 0


def cmd_report(ledger: Ledger, args: argparse.Namespace) -> int:
    """``disputes report``: per clerk and per device of the disputed sales."""
    lang = lang_of(args.lang)
    start, end = _period(args, lang)
    found = store.report(ledger, start, end, _unit(ledger, args.unit, lang))
    clerks = [{**x.row(), "by": "clerk"} for x in found.clerks]
    devices = [{**x.row(), "by": "device"} for x in found.devices]
    if args.json:
        body = {
            "from": found.start,
            "to": found.end,
            "unit": found.unit,
            "clerks": [x.row() for x in found.clerks],
            "devices": [x.row() for x in found.devices],
            "total": found.total.row(),
        }
        print(json.dumps(body, ensure_ascii=False))
        return 0
    if args.csv:
        _table(("by", *rules.TALLY_COLUMNS), clerks + devices, args)
        return 0
    for title, rows in (("by_clerk", clerks), ("by_device", devices)):
        print(_t(title, lang))
        _table(rules.TALLY_COLUMNS, [{k: v for k, v in r.items() if k != "by"} for r in rows], args)
        print()
    total = found.total
    print(
        f"{_t('total', lang)}: {total.count} ({rupiah(total.amount_rp, lang)}); "
        f"{_t('open', lang).split(':')[0]} {total.open}, {_t('accepted', lang)} {total.accepted} "
        f"({rupiah(total.accepted_rp, lang)}), {_t('rejected', lang)} {total.rejected} "
        f"({rupiah(total.rejected_rp, lang)})"
    )
    return 0


def _period_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="start", type=_date, help="first day of the dispute, YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_date, help="last day of the dispute, YYYY-MM-DD")
    p.add_argument("--unit", help="the disputed sales' unit (default: every unit)")


def add_commands(subparsers: Any) -> None:
    """Add ``disputes`` and its subcommands to central's command line."""
    me = getpass.getuser()
    parser = subparsers.add_parser(
        "disputes", help="members' disputes ('bukan saya') as cases: list, show, accept, reject, report"
    )
    sub = parser.add_subparsers(dest="disputes_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("list", help="cases, newest first: the sale, its device and clerk, the state")
    p.add_argument("--state", choices=store.FILTERS, default="all", help="open, decided, ... (default all)")
    p.add_argument("--clerk", help="the clerk who recorded the sale")
    p.add_argument("--device", help="the device that recorded the sale")
    _period_args(p)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    p.add_argument("--semicolon", action="store_true", help="';' between CSV fields (Excel, Indonesian)")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("show", help="one case: the sale, the member's words, the decision and its trail")
    p.add_argument("case", help="the dispute's id (or the disputed sale's)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser(
        "accept", help="accept: void the sale on the office chain (stock, credit, points follow it)"
    )
    p.add_argument("case", help="the dispute's id (or the disputed sale's)")
    p.add_argument("--role", required=True, help="the decider's role: pengawas or manajer")
    p.add_argument("--reason", default="", help="a note for the member (optional)")
    p.add_argument("--by", default=me, help="who decides (default: the logged-in user)")
    p.add_argument("--office-key", type=Path, help="the office's key file (default: beside the ledger)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_accept)
    p = sub.add_parser("reject", help="reject with a reason the member reads: the books stay as they are")
    p.add_argument("case", help="the dispute's id (or the disputed sale's)")
    p.add_argument("--role", required=True, help="the decider's role: pengawas or manajer")
    p.add_argument("--reason", required=True, help="why, in words the member reads")
    p.add_argument("--by", default=me, help="who decides (default: the logged-in user)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_reject)
    p = sub.add_parser("report", help="disputes by clerk and by device: counts, amounts, accepted, rejected")
    _period_args(p)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="print CSV (one row per clerk and per device)")
    p.add_argument("--semicolon", action="store_true", help="';' between CSV fields (Excel, Indonesian)")
    p.set_defaults(func=cmd_report)
