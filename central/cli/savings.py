"""``savings wajib``: who is behind on simpanan wajib, by how many months and how much
(``central.savings.dues``);
``savings payout shr|smsk``: the yearly SHR and SMSK payout list and paying it (``central.office.payouts``);
``savings leave statement|approve|pay``: a leaving member's settlement (``central.office.leaving``).
Thin shells: the portal uses the same functions."""

from __future__ import annotations

import argparse
import csv
import getpass
import json
import sys
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from central.errors import CentralError
from central.ledger import Ledger
from central.loans.applications import LoanError
from central.messages import lang_of
from central.messages import rupiah as _rp
from central.office import identity, leaving, payouts
from central.office.errors import OfficeError
from central.savings import dues
from central.savings.errors import SavingsRefused

TEXT: Final[dict[str, tuple[str, str]]] = {
    "head": (
        "anggota  nama  bulan tertunggak  tunggakan wajib  lunas s.d.  pokok belum",
        "member  name  months behind  wajib owed  paid through  pokok owed",
    ),
    "none": ("Tidak ada anggota yang menunggak wajib.", "No member is behind on wajib."),
    "payout_head": ("anggota  nama  jumlah  dibayar", "member  name  amount  paid"),
    "payout_none": (
        "Tidak ada saldo {product} untuk dibayar pada {day}.",
        "No {product} balance to pay on {day}.",
    ),
    "payout_total": (
        "jumlah {product} pada {day}: {total} ({paid} sudah dibayar)",
        "{product} on {day}: {total} ({paid} paid)",
    ),
    "yes": ("ya", "yes"),
    "no": ("belum", "not yet"),
    "leave_state_draft": ("belum disetujui pengurus", "not yet approved by the board"),
    "leave_state_approved": ("disetujui oleh {by}: {net}", "approved by {by}: {net}"),
    "leave_state_paying": ("sedang dibayar (jalankan pay lagi)", "being paid (run pay again)"),
    "leave_state_paid": ("sudah dibayar; anggota nonaktif", "paid; member inactive"),
    "leave_net_pay": ("dibayarkan kepada anggota", "net payable to the member"),
    "leave_net_owe": ("harus dibayar anggota", "net owed by the member"),
    "leave_paid": ("Anggota {member} dibayar dan dinonaktifkan.", "Member {member} paid and set inactive."),
    "written": ("Ditulis ke {path}.", "Written to {path}."),
    "no_dues": (
        "Wajib belum diatur: tambahkan [savings] wajib_rp di konfigurasi (docs/config.md).",
        "No wajib set: add [savings] wajib_rp to the config (docs/config.md).",
    ),
}


def _t(key: str, lang: str, **values: object) -> str:
    text = TEXT[key][1 if lang == "en" else 0]
    return text.format(**values) if values else text


def _guard(handler: Any) -> Any:
    """The domain's bilingual refusals become the CLI's error in the chosen language (exit 2)."""

    def run(ledger: Ledger, args: argparse.Namespace) -> int:
        try:
            return int(handler(ledger, args))
        except (OfficeError, LoanError, SavingsRefused) as err:
            raise CentralError(err.text(lang_of(args.lang))) from err

    run.__doc__ = handler.__doc__
    return run


def _when(ledger: Ledger, day: date | None) -> datetime | None:
    """The time of an entry made for ``day``: now when it is today, else midday of that day."""
    if day is None:
        return None
    now = datetime.now(ledger.config.tz)
    return (
        now if day == now.date() else datetime(day.year, day.month, day.day, 12, 0, tzinfo=ledger.config.tz)
    )


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


def cmd_payout(ledger: Ledger, args: argparse.Namespace) -> int:
    """The SHR or SMSK payout of a year: what each member receives; with --pay, pay it on the office's
    chain (those paid before are not paid again)."""
    lang = lang_of(args.lang)
    day = payouts.payout_day(ledger, args.product, year=args.year, day=args.date)
    if args.pay:
        office = identity.load(ledger, identity.key_path(ledger.target, args.office_key))
        rows = payouts.pay(ledger, office, args.product, day, by=args.by, at=_when(ledger, args.on))
    else:
        rows = payouts.listing(ledger, args.product, day)
    if args.json:
        print(json.dumps([{**asdict(r), "day": r.day.isoformat()} for r in rows], ensure_ascii=False))
        return 0
    if not rows:
        print(_t("payout_none", lang, product=args.product, day=day))
        return 0
    print(_t("payout_head", lang))
    for r in rows:
        print(f"{r.member}  {r.name}  {_rp(r.amount_rp, lang)}  {_t('yes' if r.paid else 'no', lang)}")
    total = _rp(sum(r.amount_rp for r in rows), lang)
    paid = _rp(sum(r.amount_rp for r in rows if r.paid), lang)
    print(_t("payout_total", lang, product=args.product, day=day, total=total, paid=paid))
    return 0


def _label(key: str, lang: str) -> str:
    from central.portal import text as portal_text

    return portal_text.t(f"lv_line_{key}", lang)


def _print_settlement(s: leaving.Settlement, lang: str) -> None:
    print(f"{s.member}  {s.name}  {s.on}")
    for line in s.lines:
        ref = f" {line.ref}" if line.ref else ""
        print(f"  {_label(line.key, lang)}{ref}: {_rp(line.amount_rp, lang)}")
    net = _t("leave_net_pay" if s.net_rp >= 0 else "leave_net_owe", lang)
    print(f"  = {net}: {_rp(abs(s.net_rp), lang)}")
    if s.state == "approved":
        print(_t("leave_state_approved", lang, by=s.approved_by, net=_rp(s.approved_net_rp or 0, lang)))
    else:
        print(_t(f"leave_state_{s.state}", lang))


def _settlement_json(s: leaving.Settlement) -> dict[str, Any]:
    return {
        **asdict(s),
        "on": s.on.isoformat(),
        "net_rp": s.net_rp,
        "owed_to_member_rp": s.owed_to_member_rp,
        "owed_by_member_rp": s.owed_by_member_rp,
    }


def cmd_leave_statement(ledger: Ledger, args: argparse.Namespace) -> int:
    """A leaving member's settlement statement (and with --pdf the printed statement)."""
    lang = lang_of(args.lang)
    settlement = leaving.statement(ledger, args.member, args.as_of or datetime.now(ledger.config.tz).date())
    if args.pdf:
        from central.portal import savings_print

        args.pdf.write_bytes(savings_print.settlement_pdf(ledger, settlement, lang, printed_by=args.by))
    if args.json:
        print(json.dumps(_settlement_json(settlement), ensure_ascii=False))
        return 0
    _print_settlement(settlement, lang)
    if args.pdf:
        print(_t("written", lang, path=args.pdf))
    return 0


def cmd_leave_approve(ledger: Ledger, args: argparse.Namespace) -> int:
    """The board approves the settlement as it stands today (--by: the board member's number)."""
    lang = lang_of(args.lang)
    today = datetime.now(ledger.config.tz).date()
    done = leaving.approve(ledger, args.member, by=args.by, on=args.as_of or today, reason=args.reason)
    if args.json:
        print(json.dumps(_settlement_json(done), ensure_ascii=False))
        return 0
    _print_settlement(done, lang)
    return 0


def cmd_leave_pay(ledger: Ledger, args: argparse.Namespace) -> int:
    """Pay an approved settlement on the office's chain and set the member inactive."""
    lang = lang_of(args.lang)
    office = identity.load(ledger, identity.key_path(ledger.target, args.office_key))
    done = leaving.pay(ledger, office, args.member, by=args.by, at=_when(ledger, args.on))
    if args.json:
        print(json.dumps(_settlement_json(done), ensure_ascii=False))
        return 0
    _print_settlement(done, lang)
    print(_t("leave_paid", lang, member=args.member))
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
    me = getpass.getuser()
    p = sub.add_parser("payout", help="the SHR or SMSK payout of a year: the list, and paying it")
    p.add_argument("product", choices=payouts.PRODUCTS)
    when = p.add_mutually_exclusive_group()
    when.add_argument("--year", type=int, help="the year's date from [savings.<product>] payout_dates")
    when.add_argument("--date", type=_day, help="the payout date (one of payout_dates, if any are set)")
    p.add_argument("--pay", action="store_true", help="pay it on the office's chain (default: only list)")
    p.add_argument("--on", type=_day, help="the day it is paid (default today)")
    p.add_argument("--office-key", type=Path, help="the office's key file (default: beside the ledger)")
    p.add_argument("--by", default=me, help="who pays it (default: the logged-in user)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_guard(cmd_payout))
    leave = sub.add_parser("leave", help="a leaving member: settlement statement, approval, payment")
    steps = leave.add_subparsers(dest="leave_command", metavar="STEP")
    steps.required = True
    p = steps.add_parser("statement", help="the settlement statement (net payable or owed)")
    p.add_argument("member")
    p.add_argument("--as-of", type=_day, help="as of this day (default today)")
    p.add_argument("--pdf", type=Path, help="also write the printed statement (A4 PDF) to this file")
    p.add_argument("--by", default=me, help="who prints it (default: the logged-in user)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_guard(cmd_leave_statement))
    p = steps.add_parser("approve", help="the board approves the statement as it stands")
    p.add_argument("member")
    p.add_argument("--by", required=True, help="the approving board member's number (ketua, sekretaris, ...)")
    p.add_argument("--reason", default="", help="a note kept with the approval")
    p.add_argument("--as-of", type=_day, help="the statement's day (default today; pay on the same day)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_guard(cmd_leave_approve))
    p = steps.add_parser("pay", help="pay the approved settlement and set the member inactive")
    p.add_argument("member")
    p.add_argument("--on", type=_day, help="the day it is paid (default today)")
    p.add_argument("--office-key", type=Path, help="the office's key file (default: beside the ledger)")
    p.add_argument("--by", default=me, help="who pays it (default: the logged-in user)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_guard(cmd_leave_pay))
