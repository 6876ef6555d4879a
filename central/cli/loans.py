"""``loans products|preview|apply|list|show|decide|cancel|disburse``: loan applications from the office's
command line (a thin shell over ``central.loans`` and ``central.office.lending``; the portal uses the same
functions)."""

from __future__ import annotations

import argparse
import getpass
import json
from dataclasses import asdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from central.cli import loanbook
from central.errors import CentralError
from central.ledger import Ledger
from central.loans import applications as apps
from central.loans import portfolio, rescheduling
from central.loans import schedule as sched
from central.loans.applications import Application, LoanError
from central.messages import lang_of
from central.messages import rupiah as _rp
from central.office import identity, lending
from central.office.errors import OfficeError

TEXT: Final[dict[str, tuple[str, str]]] = {
    "no_products": (
        "Belum ada produk pinjaman: tambahkan [[loans.products]] di konfigurasi (docs/config.md).",
        "No loan products yet: add [[loans.products]] to the config (docs/config.md).",
    ),
    "none": ("Tidak ada pengajuan.", "No applications."),
    "schedule_head": (
        "ke  jatuh tempo  pokok  jasa  angsuran  sisa pokok",
        "no  due  principal  interest  installment  balance",
    ),
    "total": ("jumlah", "total"),
    "months": ("bulan", "months"),
    "principal": ("pokok", "principal"),
    "interest": ("jasa dan denda", "interest and penalty"),
    "held": ("disimpan sebagai simpanan sukarela", "held as sukarela savings"),
    "no_loans": ("Tidak ada pinjaman.", "No loans."),
    "outstanding": ("sisa pokok", "outstanding"),
    "days_late": ("hari terlambat", "days late"),
    "aging": ("Kolektibilitas per", "Aging as of"),
    "problem_ratio": ("rasio pinjaman bermasalah", "problem-loan ratio"),
    "nothing_due": ("Tidak ada angsuran jatuh tempo.", "Nothing falls due."),
    "a_month": ("sebulan", "a month"),
    "already": (
        "Sudah dicairkan sebelumnya; tidak ada yang dicairkan lagi.",
        "Paid out before; nothing paid again.",
    ),
    "submitted": ("diajukan", "submitted"),
    "approved": ("disetujui", "approved"),
    "rejected": ("ditolak", "rejected"),
    "cancelled": ("dibatalkan", "cancelled"),
    "disbursed": ("dicairkan", "disbursed"),
    "rescheduled": ("dijadwal ulang sejak", "rescheduled from"),
    "written_off": ("dihapus", "written off"),
    "recovered": ("pemulihan piutang yang dihapus", "recovered on a written-off loan"),
}


def _t(key: str, lang: str) -> str:
    return TEXT[key][1 if lang == "en" else 0]


def _guard(handler: Any) -> Any:
    """The domain's bilingual refusals become the CLI's error in the chosen language (exit 2)."""

    def run(ledger: Ledger, args: argparse.Namespace) -> int:
        lang = lang_of(args.lang)
        try:
            return int(handler(ledger, args))
        except (LoanError, OfficeError) as err:
            raise CentralError(err.text(lang)) from err
        except sched.ScheduleError as err:
            raise CentralError(str(err)) from err

    run.__doc__ = handler.__doc__
    return run


def _print_schedule(rows: tuple[sched.Installment, ...], lang: str) -> None:
    print(_t("schedule_head", lang))
    for i in rows:
        print(
            f"{i.number:>2}  {i.due.isoformat()}  {_rp(i.principal_rp, lang)}  {_rp(i.interest_rp, lang)}  "
            f"{_rp(i.total_rp, lang)}  {_rp(i.balance_rp, lang)}"
        )
    principal = sum(i.principal_rp for i in rows)
    interest = sum(i.interest_rp for i in rows)
    both = _rp(principal + interest, lang)
    print(f"{_t('total', lang)}: {_rp(principal, lang)} + {_rp(interest, lang)} = {both}")


def _app_json(app: Application) -> dict[str, Any]:
    data = asdict(app)
    for key in ("rate_month_pct", "penalty_month_pct"):
        data[key] = None if data[key] is None else str(data[key])
    return data


def _print_app(app: Application, lang: str) -> None:
    term = f"{app.term_months} {_t('months', lang)}"
    amount = _rp(app.amount_rp, lang)
    print(f"{app.id}  {app.member}  {app.product}  {amount}  {term}  {_t(app.state, lang)}  {app.purpose}")
    if app.decided_by:
        granted = (
            f" {_rp(app.granted_rp, lang)} / {app.approved_term_months}" if app.state != "rejected" else ""
        )
        print(f"    {app.decided_by}:{granted} {app.decision_reason}")
    if app.loan:
        print(f"    {app.loan}  {app.disbursed_day}  {app.disbursed_tx}")


def cmd_products(ledger: Ledger, args: argparse.Namespace) -> int:
    """The loan products of the config."""
    lang = lang_of(args.lang)
    products = ledger.config.loans.products
    if args.json:
        plain = [{k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(p).items()} for p in products]
        print(json.dumps(plain, ensure_ascii=False))
        return 0
    if not products:
        print(_t("no_products", lang))
        return 0
    for p in products:
        months = f"{p.term_min_months}-{p.term_max_months} {_t('months', lang)}"
        print(
            f"{p.code}  {p.name}  {p.method}  {p.rate_month_pct} % {_t('a_month', lang)}  {months}  "
            f"{_rp(p.amount_min_rp, lang)} - {_rp(p.amount_max_rp, lang)}"
        )
    return 0


def cmd_preview(ledger: Ledger, args: argparse.Namespace) -> int:
    """The schedule a request would have, before it is submitted."""
    lang = lang_of(args.lang)
    product = apps.product(ledger, args.product)
    apps.check_limits(product, args.amount, args.term, None)
    rows = sched.build(
        product.method,
        args.amount,
        product.rate_month_pct,
        args.term,
        args.start,
        grace_months=product.grace_months,
    )
    if args.json:
        print(json.dumps([{**i._asdict(), "due": i.due.isoformat()} for i in rows]))
        return 0
    _print_schedule(rows, lang)
    return 0


def cmd_apply(ledger: Ledger, args: argparse.Namespace) -> int:
    """Submit an application on a member's behalf."""
    made = apps.apply(ledger, args.member, args.product, args.amount, args.term, args.purpose, by=args.by)
    if args.json:
        print(json.dumps(_app_json(made), ensure_ascii=False))
    else:
        _print_app(made, lang_of(args.lang))
    return 0


def cmd_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """Applications, newest first (the chair's queue: --state submitted; the treasurer's: approved)."""
    lang = lang_of(args.lang)
    found = apps.listing(ledger, state=args.state, member=args.member)
    if args.json:
        print(json.dumps([_app_json(a) for a in found], ensure_ascii=False))
        return 0
    if not found:
        print(_t("none", lang))
    for app in found:
        _print_app(app, lang)
    return 0


def cmd_show(ledger: Ledger, args: argparse.Namespace) -> int:
    """One application with its history and, once approved, its schedule."""
    lang = lang_of(args.lang)
    app = apps.get(ledger, args.id)
    history = apps.events(ledger, args.id)
    if args.json:
        print(json.dumps({"application": _app_json(app), "events": history}, ensure_ascii=False))
        return 0
    _print_app(app, lang)
    for event in history:
        when = datetime.fromtimestamp(event["ts"], ledger.config.tz).isoformat(timespec="seconds")
        print(f"    {when}  {event['who']}  {event['action']}  {event['detail']}")
    if app.method is not None:
        start = (
            date.fromisoformat(app.disbursed_day)
            if app.disbursed_day
            else datetime.now(ledger.config.tz).date()
        )
        _print_schedule(app.schedule(start), lang)
    return 0


def cmd_decide(ledger: Ledger, args: argparse.Namespace) -> int:
    """The chair approves (possibly less, or another term) or rejects, with a reason."""
    done = apps.decide(
        ledger,
        args.id,
        approve=args.decision == "approve",
        role=args.role,
        by=args.by,
        reason=args.reason,
        amount_rp=args.amount,
        term_months=args.term,
    )
    if args.json:
        print(json.dumps(_app_json(done), ensure_ascii=False))
    else:
        _print_app(done, lang_of(args.lang))
    return 0


def cmd_cancel(ledger: Ledger, args: argparse.Namespace) -> int:
    """Withdraw an application not yet paid out."""
    done = apps.cancel(ledger, args.id, by=args.by, reason=args.reason)
    if args.json:
        print(json.dumps(_app_json(done), ensure_ascii=False))
    else:
        _print_app(done, lang_of(args.lang))
    return 0


def cmd_disburse(ledger: Ledger, args: argparse.Namespace) -> int:
    """The treasurer pays out an approved application on the office's chain (never twice), with the
    product's fees; prints what is handed over."""
    lang = lang_of(args.lang)
    office = identity.load(ledger, identity.key_path(ledger.target, args.office_key))
    done = lending.disburse(ledger, office, args.id, by=args.by)
    if args.json:
        print(
            json.dumps(
                {
                    "already": done.already,
                    "application": _app_json(done.application),
                    "payout": done.payout.plain(),
                },
                ensure_ascii=False,
            )
        )
        return 0
    if done.already:
        print(_t("already", lang))
    _print_app(done.application, lang)
    print(f"    {lending.describe(done.payout, lang)}")
    return 0


def _today(ledger: Ledger) -> date:
    return datetime.now(ledger.config.tz).date()


def cmd_pay(ledger: Ledger, args: argparse.Namespace) -> int:
    """An installment paid at the office, split by the schedule (penalty, interest, then principal)."""
    lang = lang_of(args.lang)
    office = identity.load(ledger, identity.key_path(ledger.target, args.office_key))
    done = lending.pay(ledger, office, args.loan, args.amount, by=args.by)
    if args.json:
        print(json.dumps(asdict(done), ensure_ascii=False))
        return 0
    if done.recovered_rp:
        print(f"{done.loan}: {_t('recovered', lang)} {_rp(done.recovered_rp, lang)}")
        return 0
    print(
        f"{done.loan}: {_t('principal', lang)} {_rp(done.principal_rp, lang)}, "
        f"{_t('interest', lang)} {_rp(done.interest_rp, lang)}"
        + (f", {_t('held', lang)} {_rp(done.held_rp, lang)}" if done.held_rp else "")
    )
    return 0


def cmd_card(ledger: Ledger, args: argparse.Namespace) -> int:
    """A member's loan cards: every installment with what was paid and when, days late."""
    lang = lang_of(args.lang)
    as_of = args.as_of or _today(ledger)
    found = portfolio.cards(ledger, as_of, member=args.member)
    if args.json:
        print(json.dumps([_card_json(c) for c in found], ensure_ascii=False))
        return 0
    if not found:
        print(_t("no_loans", lang))
    for card in found:
        print(
            f"{card.loan}  {card.member}  {card.day.isoformat()}  {_rp(card.principal_rp, lang)}  "
            f"{card.product or '-'}  {_t('outstanding', lang)} {_rp(card.outstanding_rp, lang)}  "
            f"{_t('days_late', lang)} {card.state.days_late}"
            + (f"  {_t('written_off', lang)} {card.written_off.isoformat()}" if card.written_off else "")
            + (
                f"  {_t('rescheduled', lang)} {card.rescheduled_on.isoformat()}"
                if card.rescheduled_on
                else ""
            )
        )
        for line in card.state.lines:
            paid = line.principal_paid_rp + line.interest_paid_rp + line.penalty_paid_rp
            due = line.principal_rp + line.interest_rp + line.penalty_rp
            when = line.paid_on.isoformat() if line.paid_on else "-"
            late = (line.paid_on - line.due).days if line.paid_on and line.paid_on > line.due else 0
            amounts = f"{_rp(due, lang)}  {_rp(paid, lang)}"
            print(f"    {line.number:>2}  {line.due.isoformat()}  {amounts}  {when}  {late}")
    return 0


def _card_json(card: portfolio.LoanCard) -> dict[str, Any]:
    return {
        "loan": card.loan,
        "member": card.member,
        "day": card.day.isoformat(),
        "principal_rp": card.principal_rp,
        "product": card.product,
        "outstanding_rp": card.outstanding_rp,
        "days_late": card.state.days_late,
        "rescheduled_on": card.rescheduled_on and card.rescheduled_on.isoformat(),
        "written_off": card.written_off.isoformat() if card.written_off else None,
        "lines": [
            {
                **line._asdict(),
                "due": line.due.isoformat(),
                "paid_on": line.paid_on and line.paid_on.isoformat(),
            }
            for line in card.state.lines
        ],
    }


def cmd_aging(ledger: Ledger, args: argparse.Namespace) -> int:
    """The loan book by collectibility class as of a day: allowance, problem-loan ratio, at risk."""
    lang = lang_of(args.lang)
    book = portfolio.aging(ledger, args.as_of or _today(ledger))
    if args.json:
        print(
            json.dumps(
                {
                    "as_of": book.as_of.isoformat(),
                    "rows": [asdict(r) for r in book.rows],
                    "classes": [asdict(c) for c in book.classes],
                    "outstanding_rp": book.outstanding_rp,
                    "allowance_rp": book.allowance_rp,
                    "problem_ratio": str(book.problem_ratio),
                },
                ensure_ascii=False,
            )
        )
        return 0
    print(f"{_t('aging', lang)} {book.as_of.isoformat()}")
    for c in book.classes:
        print(
            f"  {c.name:<14} {c.loans:>5}  {_rp(c.outstanding_rp, lang):>18}  {_rp(c.allowance_rp, lang):>16}"
        )
    ratio = (book.problem_ratio * 100).quantize(Decimal("0.01"))
    print(
        f"  {_t('total', lang):<14} {len(book.rows):>5}  {_rp(book.outstanding_rp, lang):>18}  "
        f"{_rp(book.allowance_rp, lang):>16}"
    )
    print(f"  {_t('problem_ratio', lang)}: {ratio} %   PAR30: {_rp(book.at_risk_rp(30), lang)}")
    for r in book.rows:
        amounts = f"{_rp(r.outstanding_rp, lang)}  {_rp(r.arrears_rp, lang)}"
        print(f"    {r.loan}  {r.member}  {r.klass}  {r.days_late}  {amounts}")
    return 0


def cmd_due(ledger: Ledger, args: argparse.Namespace) -> int:
    """Installments falling due in the next days (default 7), with what is still owed."""
    lang = lang_of(args.lang)
    start = args.as_of or _today(ledger)
    found = portfolio.due_between(ledger, start, start + timedelta(days=args.days))
    if args.json:
        print(
            json.dumps(
                [
                    {"loan": c.loan, "member": c.member, "due": line.due.isoformat(), "owed_rp": line.owed_rp}
                    for c, line in found
                ],
                ensure_ascii=False,
            )
        )
        return 0
    if not found:
        print(_t("nothing_due", lang))
    for card, line in found:
        print(f"{line.due.isoformat()}  {card.loan}  {card.member}  {_rp(line.owed_rp, lang)}")
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-01") from None


def add_commands(subparsers: Any) -> None:
    """Add ``loans`` and its subcommands to central's command line."""
    parser = subparsers.add_parser("loans", help="loan applications: apply, decide, disburse (docs/loans.md)")
    sub = parser.add_subparsers(dest="loans_command", metavar="ACTION")
    sub.required = True
    me = getpass.getuser()

    def add(name: str, handler: Any, text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=text, description=text)
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=_guard(handler))
        return p

    add("products", cmd_products, "the loan products of the config")
    p = add("preview", cmd_preview, "the schedule of a request before it is submitted")
    p.add_argument("--product", required=True)
    p.add_argument("--amount", type=int, required=True, help="whole rupiah")
    p.add_argument("--term", type=int, required=True, help="months")
    p.add_argument("--start", type=_day, default=date.today(), help="payout day (default today)")
    p = add("apply", cmd_apply, "submit an application on a member's behalf")
    p.add_argument("member")
    p.add_argument("--product", required=True)
    p.add_argument("--amount", type=int, required=True, help="whole rupiah")
    p.add_argument("--term", type=int, required=True, help="months")
    p.add_argument("--purpose", required=True, help="what the loan is for")
    p.add_argument("--by", default=me, help="who entered it (default: the logged-in user)")
    p = add("list", cmd_list, "applications, newest first")
    p.add_argument("--state", choices=apps.STATES)
    p.add_argument("--member")
    p = add("show", cmd_show, "one application, its history and schedule")
    p.add_argument("id", type=int)
    p = add("decide", cmd_decide, "approve or reject (the deciders of [loans] only)")
    p.add_argument("id", type=int)
    p.add_argument("decision", choices=("approve", "reject"))
    p.add_argument("--role", required=True, help="the decider's role, e.g. ketua")
    p.add_argument("--reason", required=True)
    p.add_argument("--amount", type=int, help="grant less than asked (whole rupiah)")
    p.add_argument("--term", type=int, help="grant another term (months)")
    p.add_argument("--by", default=me, help="who decides (default: the logged-in user)")
    p = add("cancel", cmd_cancel, "withdraw an application not yet paid out")
    p.add_argument("id", type=int)
    p.add_argument("--reason", required=True)
    p.add_argument("--by", default=me)
    p = add("disburse", cmd_disburse, "pay out an approved application on the office's chain")
    p.add_argument("id", type=int)
    p.add_argument("--office-key", type=Path, help="the office's key file (default: beside the ledger)")
    p.add_argument("--by", default=me, help="who pays it out (default: the logged-in user)")
    p = add("pay", cmd_pay, "an installment paid at the office, split by the schedule")
    p.add_argument("loan")
    p.add_argument("--amount", type=int, required=True, help="whole rupiah paid")
    p.add_argument("--office-key", type=Path, help="the office's key file (default: beside the ledger)")
    p.add_argument("--by", default=me, help="who records it (default: the logged-in user)")
    p = add("card", cmd_card, "a member's loan cards, installment by installment")
    p.add_argument("member")
    p.add_argument("--as-of", type=_day, help="as of this day (default today)")
    p = add("aging", cmd_aging, "the loan book by collectibility class, allowance and problem-loan ratio")
    p.add_argument("--as-of", type=_day, help="as of this day (default today)")
    p = add("due", cmd_due, "installments falling due in the next days")
    p.add_argument("--days", type=int, default=7, help="how many days ahead (default 7)")
    p.add_argument("--as-of", type=_day, help="from this day (default today)")
    loanbook.add_commands(add, me)
    add_reschedule_commands(sub, me)


# -- reschedule: request, preview, decide, list, show (central.loans.rescheduling) ---------------------------

RESCHEDULE_TEXT: Final[dict[str, tuple[str, str]]] = {
    "none": ("Tidak ada permohonan jadwal ulang.", "No reschedule requests."),
    "taken_over": (
        "sisa pokok {principal}, jasa tertunggak {interest}, denda {penalty} (dibagi rata ke angsuran baru), "
        "terlambat {days} hari",
        "principal outstanding {principal}, overdue interest {interest}, penalty {penalty} (spread evenly "
        "over the new installments), {days} days late",
    ),
    "terms": (
        "{term} bulan, tenggang {grace} bulan, jasa {rate} % sebulan",
        "{term} months, {grace} of grace, {rate} % a month",
    ),
    "submitted": ("menunggu keputusan", "waiting for a decision"),
    "approved": ("disetujui", "approved"),
    "rejected": ("ditolak", "rejected"),
    "from": ("berlaku sejak", "in force from"),
    "version": ("versi", "version"),
}


def _rt(key: str, lang: str, **values: Any) -> str:
    return RESCHEDULE_TEXT[key][1 if lang == "en" else 0].format(**values)


def _rate(text: str) -> Decimal:
    try:
        return rescheduling.rate_of(text)
    except LoanError as err:
        raise argparse.ArgumentTypeError(err.text(lang_of(None))) from None


def _reschedule_json(found: rescheduling.Reschedule) -> dict[str, Any]:
    return {**asdict(found), "rate_month_pct": str(found.rate_month_pct)}


def _print_reschedule(found: rescheduling.Reschedule, lang: str) -> None:
    terms = _rt("terms", lang, term=found.term_months, grace=found.grace_months, rate=found.rate_month_pct)
    print(
        f"{found.id}  {found.loan}  {found.member}  {terms}  {_rt(found.state, lang)}  "
        f"{_rp(found.outstanding_rp, lang)} + {_rp(found.arrears_rp, lang)}  {found.request_reason}"
    )
    if found.decided_by:
        since = f" ({_rt('from', lang)} {found.effective_day})" if found.effective_day else ""
        print(f"    {found.decided_by}:{since} {found.decision_reason}")


def cmd_reschedule_preview(ledger: Ledger, args: argparse.Namespace) -> int:
    """The new schedule a reschedule would give the loan on a day (default today)."""
    lang = lang_of(args.lang)
    shown = rescheduling.preview(
        ledger,
        args.loan,
        term_months=args.term,
        rate_month_pct=args.rate,
        grace_months=args.grace,
        on=args.on,
    )
    if args.json:
        rows = [{**i._asdict(), "due": i.due.isoformat()} for i in shown.schedule]
        taken = asdict(shown.taken_over)
        print(
            json.dumps(
                {"loan": shown.loan, "on": shown.on.isoformat(), "taken_over": taken, "schedule": rows}
            )
        )
        return 0
    took = shown.taken_over
    print(f"{shown.loan}  {shown.member}  {shown.on.isoformat()}")
    print(
        _rt(
            "taken_over",
            lang,
            principal=_rp(took.principal_rp, lang),
            interest=_rp(took.interest_rp, lang),
            penalty=_rp(took.penalty_rp, lang),
            days=took.days_late,
        )
    )
    _print_schedule(shown.schedule, lang)
    return 0


def cmd_reschedule_request(ledger: Ledger, args: argparse.Namespace) -> int:
    """Ask for a loan to be rescheduled on the member's behalf (the deciders approve or reject)."""
    made = rescheduling.request(
        ledger,
        args.loan,
        term_months=args.term,
        rate_month_pct=args.rate,
        grace_months=args.grace,
        reason=args.reason,
        by=args.by,
    )
    if args.json:
        print(json.dumps(_reschedule_json(made), ensure_ascii=False))
    else:
        _print_reschedule(made, lang_of(args.lang))
    return 0


def cmd_reschedule_decide(ledger: Ledger, args: argparse.Namespace) -> int:
    """The chair approves or rejects a reschedule request, with a reason."""
    done = rescheduling.decide(
        ledger, args.id, approve=args.decision == "approve", role=args.role, by=args.by, reason=args.reason
    )
    if args.json:
        print(json.dumps(_reschedule_json(done), ensure_ascii=False))
    else:
        _print_reschedule(done, lang_of(args.lang))
    return 0


def cmd_reschedule_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """Reschedule requests, newest first (the chair's queue: --state submitted)."""
    lang = lang_of(args.lang)
    found = rescheduling.listing(ledger, state=args.state, member=args.member, loan=args.loan)
    if args.json:
        print(json.dumps([_reschedule_json(r) for r in found], ensure_ascii=False))
        return 0
    if not found:
        print(_rt("none", lang))
    for item in found:
        _print_reschedule(item, lang)
    return 0


def cmd_reschedule_show(ledger: Ledger, args: argparse.Namespace) -> int:
    """One reschedule request with its trail, and the versions of its loan's schedule."""
    lang = lang_of(args.lang)
    found = rescheduling.get(ledger, args.id)
    trail = rescheduling.events(ledger, args.id)
    kept = rescheduling.schedule_versions(ledger, found.loan)
    if args.json:
        versions = [{**asdict(v), "rate_month_pct": str(v.rate_month_pct)} for v in kept]
        print(
            json.dumps(
                {"request": _reschedule_json(found), "events": trail, "versions": versions},
                ensure_ascii=False,
            )
        )
        return 0
    _print_reschedule(found, lang)
    for event in trail:
        when = datetime.fromtimestamp(event["ts"], ledger.config.tz).isoformat(timespec="seconds")
        print(f"    {when}  {event['who']}  {event['action']}  {event['detail']}")
    for v in kept:
        terms = _rt("terms", lang, term=v.term_months, grace=v.grace_months, rate=v.rate_month_pct)
        print(
            f"  {_rt('version', lang)} {v.version}  {_rt('from', lang)} {v.effective_day}  {v.method}  "
            f"{terms}  {_rp(v.principal_rp, lang)} + {_rp(v.arrears_rp, lang)}"
        )
    return 0


def add_reschedule_commands(sub: Any, me: str) -> None:
    """``loans reschedule preview|request|decide|list|show``."""
    parser = sub.add_parser(
        "reschedule",
        help="reschedule an open loan: preview, request, the chair's decision (docs/loans.md)",
        description="reschedule an open loan: preview, request, the chair's decision (docs/loans.md)",
    )
    inner = parser.add_subparsers(dest="reschedule_command", metavar="ACTION")
    inner.required = True

    def add(name: str, handler: Any, text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = inner.add_parser(name, help=text, description=text)
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=_guard(handler))
        return p

    def terms(p: argparse.ArgumentParser) -> None:
        p.add_argument("loan", help="the loan, e.g. PJ-000001")
        p.add_argument(
            "--term", type=int, required=True, help="new term in months, from the day of the reschedule"
        )
        p.add_argument(
            "--grace", type=int, default=0, help="of them, months paying interest only (default 0)"
        )
        p.add_argument("--rate", type=_rate, help="new rate, %% a month (default: the loan's own)")

    p = add("preview", cmd_reschedule_preview, "the new schedule a reschedule would give, before asking")
    terms(p)
    p.add_argument("--on", type=_day, help="as if approved on this day (default today)")
    p = add("request", cmd_reschedule_request, "ask for a loan to be rescheduled (on the member's behalf)")
    terms(p)
    p.add_argument("--reason", required=True, help="why (the chair reads it)")
    p.add_argument("--by", default=me, help="who entered it (default: the logged-in user)")
    p = add("decide", cmd_reschedule_decide, "approve or reject a request (the deciders of [loans] only)")
    p.add_argument("id", type=int)
    p.add_argument("decision", choices=("approve", "reject"))
    p.add_argument("--role", required=True, help="the decider's role, e.g. ketua")
    p.add_argument("--reason", required=True)
    p.add_argument("--by", default=me, help="who decides (default: the logged-in user)")
    p = add("list", cmd_reschedule_list, "reschedule requests, newest first")
    p.add_argument("--state", choices=rescheduling.STATES)
    p.add_argument("--member")
    p.add_argument("--loan")
    p = add("show", cmd_reschedule_show, "one request, its trail and the versions of the loan's schedule")
    p.add_argument("id", type=int)
