"""``deposits products|place|list|accrue|mature|withdraw|certificate``: term deposits (simpanan berjangka)
from the office's command line (a thin shell over ``central.office.deposits``; docs/savings.md)."""

from __future__ import annotations

import argparse
import getpass
import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from central.errors import CentralError
from central.ledger import Ledger
from central.loans.applications import LoanError
from central.messages import lang_of
from central.messages import rupiah as _rp
from central.office import deposits, identity
from central.office.errors import OfficeError
from central.savings.deposits import Closed, Placement
from central.savings.errors import SavingsRefused

TEXT: Final[dict[str, tuple[str, str]]] = {
    "no_products": (
        "Belum ada produk berjangka: tambahkan [[savings.berjangka]] di konfigurasi (docs/config.md).",
        "No term-deposit products yet: add [[savings.berjangka]] to the config (docs/config.md).",
    ),
    "none": ("Tidak ada simpanan berjangka.", "No term deposits."),
    "head": (
        "nomor  anggota  produk  nominal  bunga/th  mulai  jatuh tempo  bunga tercatat  status",
        "number  member  product  principal  rate/yr  start  maturity  accrued  state",
    ),
    "placed": (
        "Ditempatkan {code}: {amount}, jatuh tempo {maturity}.",
        "Placed {code}: {amount}, matures {maturity}.",
    ),
    "accrued": (
        "Bunga {month} dicatat untuk {count} simpanan: {amount}.",
        "Interest of {month} accrued on {count} deposit(s): {amount}.",
    ),
    "nothing_accrued": (
        "Tidak ada bunga baru untuk {month} (sudah dicatat atau tidak ada).",
        "No new interest for {month} (accrued before, or none).",
    ),
    "nothing_due": ("Tidak ada simpanan yang jatuh tempo.", "No deposit has matured."),
    "closed": (
        "{code}: pokok dibayar {principal}, bunga dibayar {interest}, denda {penalty}, "
        "bunga hangus {forfeited}.",
        "{code}: principal paid {principal}, interest paid {interest}, penalty {penalty}, "
        "forfeited {forfeited}.",
    ),
    "rolled": (
        "  diperpanjang sebagai {code}: {amount}, jatuh tempo {maturity}.",
        "  rolled over as {code}: {amount}, matures {maturity}.",
    ),
    "written": ("Bilyet ditulis ke {path}.", "Certificate written to {path}."),
    "bad_id": (
        "{text!r} bukan nomor bilyet seperti BJ-000001.",
        "{text!r} is not a certificate number like BJ-000001.",
    ),
}


def _t(key: str, lang: str, **values: object) -> str:
    return TEXT[key][1 if lang == "en" else 0].format(**values)


def _guard(handler: Any) -> Any:
    """The domain's bilingual refusals become the CLI's error in the chosen language (exit 2)."""

    def run(ledger: Ledger, args: argparse.Namespace) -> int:
        try:
            return int(handler(ledger, args))
        except (OfficeError, LoanError, SavingsRefused) as err:
            raise CentralError(err.text(lang_of(args.lang))) from err

    run.__doc__ = handler.__doc__
    return run


def _ident(text: str, lang: str) -> int:
    found = deposits.parse_code(text)
    if found is None:
        raise CentralError(_t("bad_id", lang, text=text))
    return found


def _json(p: Placement) -> dict[str, Any]:
    data = asdict(p)
    for key in ("rate_year_pct", "early_penalty_pct"):
        data[key] = str(data[key])
    for key in ("start", "maturity"):
        data[key] = data[key].isoformat()
    data["code"] = p.code
    data["term_interest_rp"] = p.term_interest_rp
    return data


def _at(args: argparse.Namespace, ledger: Ledger) -> datetime | None:
    day: date | None = getattr(args, "on", None)
    if day is None:
        return None
    now = datetime.now(ledger.config.tz)
    return (
        now if day == now.date() else datetime(day.year, day.month, day.day, 12, 0, tzinfo=ledger.config.tz)
    )


def _office(ledger: Ledger, args: argparse.Namespace) -> identity.Office:
    return identity.load(ledger, identity.key_path(ledger.target, args.office_key))


def cmd_products(ledger: Ledger, args: argparse.Namespace) -> int:
    """The term-deposit products of the config."""
    lang = lang_of(args.lang)
    products = ledger.config.savings.berjangka
    if args.json:
        print(
            json.dumps(
                [
                    {k: str(v) if not isinstance(v, int | bool) else v for k, v in asdict(p).items()}
                    for p in products
                ],
                ensure_ascii=False,
            )
        )
        return 0
    if not products:
        print(_t("no_products", lang))
    for p in products:
        print(
            f"{p.code}  {p.name}  {p.term_months}  {p.rate_year_pct}%  {p.at_maturity}  "
            f"{p.early_penalty_pct}%  {p.early_forfeit_interest}"
        )
    return 0


def cmd_place(ledger: Ledger, args: argparse.Namespace) -> int:
    """Place a member's money in a term-deposit product (the money on the office's chain)."""
    lang = lang_of(args.lang)
    made = deposits.place(
        ledger,
        _office(ledger, args),
        args.member,
        args.product,
        args.amount,
        by=args.by,
        start=args.on,
        at=_at(args, ledger),
    )
    if args.json:
        print(json.dumps(_json(made), ensure_ascii=False))
        return 0
    print(_t("placed", lang, code=made.code, amount=_rp(made.principal_rp, lang), maturity=made.maturity))
    return 0


def cmd_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """Term deposits (of a member, in a state), with maturity and what is accrued."""
    lang = lang_of(args.lang)
    rows = deposits.listing(ledger, member=args.member, state=args.state)
    if args.due:
        rows = [p for p in rows if p.state == "open" and p.maturity <= args.due]
    if args.json:
        print(json.dumps([_json(p) for p in rows], ensure_ascii=False))
        return 0
    if not rows:
        print(_t("none", lang))
        return 0
    print(_t("head", lang))
    for p in rows:
        print(
            f"{p.code}  {p.member}  {p.product}  {_rp(p.principal_rp, lang)}  {p.rate_year_pct}%  {p.start}  "
            f"{p.maturity}  {_rp(p.accrued_rp, lang)}  {p.state}"
        )
    return 0


def cmd_accrue(ledger: Ledger, args: argparse.Namespace) -> int:
    """Accrue a month's interest on every open deposit (once per month: running it again adds nothing)."""
    lang = lang_of(args.lang)
    made = deposits.accrue(ledger, _office(ledger, args), args.month, by=args.by, today=None)
    if args.json:
        print(json.dumps([asdict(a) for a in made], ensure_ascii=False))
        return 0
    if not made:
        print(_t("nothing_accrued", lang, month=args.month))
        return 0
    total = sum(a.amount_rp for a in made)
    print(_t("accrued", lang, month=args.month, count=len(made), amount=_rp(total, lang)))
    return 0


def _print_closed(done: Closed, lang: str) -> None:
    print(
        _t(
            "closed",
            lang,
            code=done.placement.code,
            principal=_rp(done.principal_paid_rp, lang),
            interest=_rp(done.interest_paid_rp, lang),
            penalty=_rp(done.penalty_rp, lang),
            forfeited=_rp(done.forfeited_rp, lang),
        )
    )
    if done.rolled_to is not None:
        r = done.rolled_to
        print(_t("rolled", lang, code=r.code, amount=_rp(r.principal_rp, lang), maturity=r.maturity))


def _closed_json(done: Closed) -> dict[str, Any]:
    return {
        "placement": _json(done.placement),
        "principal_paid_rp": done.principal_paid_rp,
        "interest_paid_rp": done.interest_paid_rp,
        "penalty_rp": done.penalty_rp,
        "forfeited_rp": done.forfeited_rp,
        "rolled_to": None if done.rolled_to is None else _json(done.rolled_to),
        "ids": list(done.ids),
    }


def cmd_mature(ledger: Ledger, args: argparse.Namespace) -> int:
    """Close matured deposits by their product's rule (one, or every one matured by today)."""
    lang = lang_of(args.lang)
    office = _office(ledger, args)
    at = _at(args, ledger)
    on = (at or datetime.now(ledger.config.tz)).date()
    idents = [_ident(args.id, lang)] if args.id else [p.id for p in deposits.due(ledger, on)]
    done = [deposits.mature(ledger, office, ident, by=args.by, at=at, rule=args.rule) for ident in idents]
    if args.json:
        print(json.dumps([_closed_json(d) for d in done], ensure_ascii=False))
        return 0
    if not done:
        print(_t("nothing_due", lang))
    for d in done:
        _print_closed(d, lang)
    return 0


def cmd_withdraw(ledger: Ledger, args: argparse.Namespace) -> int:
    """Take a deposit out: before maturity by the product's early-withdrawal rule."""
    lang = lang_of(args.lang)
    done = deposits.withdraw(
        ledger, _office(ledger, args), _ident(args.id, lang), by=args.by, at=_at(args, ledger)
    )
    if args.json:
        print(json.dumps(_closed_json(done), ensure_ascii=False))
        return 0
    _print_closed(done, lang)
    return 0


def cmd_certificate(ledger: Ledger, args: argparse.Namespace) -> int:
    """Write a deposit's certificate (bilyet) as an A4 PDF, with the ketua's and bendahara's lines."""
    from central.portal import savings_print

    lang = lang_of(args.lang)
    placement = deposits.get(ledger, _ident(args.id, lang))
    out: Path = args.out or Path(f"bilyet-{placement.code}.pdf")
    out.write_bytes(savings_print.certificate_pdf(ledger, placement, lang, printed_by=args.by))
    print(_t("written", lang, path=out))
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def _month(text: str) -> str:
    try:
        return date.fromisoformat(text + "-01").isoformat()[:7]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month like 2026-03") from None


def _amount(text: str) -> int:
    if not text.isdigit() or len(text) > 11:
        raise argparse.ArgumentTypeError(f"{text!r} is not whole rupiah like 5000000")
    return int(text)


def add_commands(subparsers: Any) -> None:
    """Add ``deposits`` and its subcommands to central's command line."""
    parser = subparsers.add_parser(
        "deposits", help="term deposits (simpanan berjangka): place, accrue, mature"
    )
    sub = parser.add_subparsers(dest="deposits_command", metavar="ACTION")
    sub.required = True
    me = getpass.getuser()

    def add(name: str, handler: Any, text: str, *, office: bool = False) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=text)
        p.set_defaults(func=_guard(handler))
        p.add_argument("--json", action="store_true", help="print JSON")
        if office:
            p.add_argument(
                "--office-key", type=Path, help="the office's key file (default: beside the ledger)"
            )
            p.add_argument("--by", default=me, help="who records it (default: the logged-in user)")
        return p

    add("products", cmd_products, "the term-deposit products of the config")
    p = add("place", cmd_place, "place a member's money in a term-deposit product", office=True)
    p.add_argument("member")
    p.add_argument("product", help="a [[savings.berjangka]] code, e.g. B3")
    p.add_argument("amount", type=_amount, help="whole rupiah")
    p.add_argument("--on", type=_day, help="the day the money is placed (default today)")
    p = add("list", cmd_list, "term deposits with their maturity and accrued interest")
    p.add_argument("--member", help="only this member")
    p.add_argument("--state", choices=deposits.STATES, help="only deposits in this state")
    p.add_argument("--due", type=_day, help="only open deposits matured by this day")
    p = add("accrue", cmd_accrue, "accrue a month's interest (an expense; once per month)", office=True)
    p.add_argument("--month", type=_month, required=True, help="the month that ended, e.g. 2026-03")
    p = add("mature", cmd_mature, "close matured deposits: pay out or roll over", office=True)
    p.add_argument("id", nargs="?", help="a certificate number (default: every deposit matured by today)")
    p.add_argument(
        "--rule", choices=("payout", "rollover", "rollover_interest"), help="instead of the product's"
    )
    p.add_argument("--on", type=_day, help="the day it is paid (default today)")
    p = add(
        "withdraw",
        cmd_withdraw,
        "take a deposit out (before maturity by the early-withdrawal rule)",
        office=True,
    )
    p.add_argument("id", help="the certificate number, e.g. BJ-000001")
    p.add_argument("--on", type=_day, help="the day it is paid (default today)")
    p = add("certificate", cmd_certificate, "write a deposit's certificate (bilyet) as a PDF")
    p.add_argument("id", help="the certificate number, e.g. BJ-000001")
    p.add_argument("--out", type=Path, help="the PDF file (default: bilyet-BJ-000001.pdf)")
    p.add_argument("--by", default=me, help="who prints it (default: the logged-in user)")
