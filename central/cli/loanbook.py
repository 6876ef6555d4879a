"""``loans allowance|write-off|health``: the loan book's month-end allowance (PPAP), writing off a bad loan
against it, and the problem-loan ratio with portfolio at risk (a thin shell over ``central.loans.allowance``,
``central.loans.health`` and ``central.office.adjusting``; ``central.cli.loans`` adds them to ``loans``)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from central.ledger import Ledger
from central.loans import allowance, health, portfolio
from central.loans.applications import LoanError
from central.messages import lang_of
from central.messages import rupiah as _rp
from central.office import adjusting, identity

TEXT: Final[dict[str, tuple[str, str]]] = {
    "allowance_head": ("PPAP bulan", "Allowance for"),
    "required": ("PPAP yang diperlukan", "required allowance"),
    "balance": ("saldo akun PPAP", "allowance account balance"),
    "difference": ("selisih", "difference"),
    "written_off": ("dihapus", "written off"),
    "health_head": ("Kesehatan pinjaman per", "Loan book health as of"),
    "outstanding": ("sisa pokok", "outstanding"),
    "problem_ratio": ("rasio pinjaman bermasalah", "problem-loan ratio"),
}


def _t(key: str, lang: str) -> str:
    return TEXT[key][1 if lang == "en" else 0]


def _today(ledger: Ledger) -> date:
    return datetime.now(ledger.config.tz).date()


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-01") from None


def _month(text: str) -> str:
    try:
        allowance.parse_month(text)
    except LoanError as err:
        raise argparse.ArgumentTypeError(err.en) from None
    return text.strip()


def _class_json(line: allowance.ClassLine) -> dict[str, Any]:
    return {**asdict(line), "allowance_pct": str(line.allowance_pct)}


def cmd_allowance(ledger: Ledger, args: argparse.Namespace) -> int:
    """The month-end allowance per class, and the one adjusting entry for its difference."""
    lang = lang_of(args.lang)
    office = None
    if not args.dry_run:
        office = identity.load(ledger, identity.key_path(ledger.target, args.office_key))
    done = adjusting.run_allowance(ledger, office, args.month, by=args.by, dry_run=args.dry_run)
    p = done.plan
    if args.json:
        posted = None
        if done.posted is not None:
            posted = {
                "id": done.posted.id,
                "lines": [
                    {"account": x.account, "debit_rp": x.debit_rp, "credit_rp": x.credit_rp, "memo": x.memo}
                    for x in done.posted.lines
                ],
            }
        print(
            json.dumps(
                {
                    "month": p.month,
                    "as_of": p.as_of.isoformat(),
                    "classes": [_class_json(c) for c in p.classes],
                    "required_rp": p.required_rp,
                    "balance_rp": p.balance_rp,
                    "difference_rp": p.difference_rp,
                    "dry_run": done.dry_run,
                    "posted": posted,
                    "already": asdict(done.already) if done.already is not None else None,
                },
                ensure_ascii=False,
            )
        )
        return 0
    print(f"{_t('allowance_head', lang)} {p.month} ({p.as_of.isoformat()})")
    for c in p.classes:
        print(
            f"  {c.name:<14} {c.loans:>5}  {_rp(c.outstanding_rp, lang):>18}  {c.allowance_pct:>6} %  "
            f"{_rp(c.required_rp, lang):>16}"
        )
    print(f"  {_t('required', lang)}: {_rp(p.required_rp, lang)}")
    print(f"  {_t('balance', lang)}: {_rp(p.balance_rp, lang)}")
    print(f"  {_t('difference', lang)}: {_rp(p.difference_rp, lang)}")
    print(adjusting.describe(done, lang))
    if done.posted is not None:
        for x in done.posted.lines:
            print(f"    {x.account}  {x.name}  {_rp(x.debit_rp, lang)}  {_rp(x.credit_rp, lang)}  {x.memo}")
    return 0


def cmd_write_off(ledger: Ledger, args: argparse.Namespace) -> int:
    """Write a macet loan off against the allowance, with a decider's approval."""
    lang = lang_of(args.lang)
    office = identity.load(ledger, identity.key_path(ledger.target, args.office_key))
    done = adjusting.write_off(
        ledger, office, args.loan, approved_by=args.approved_by, reason=args.reason, by=args.by
    )
    lines = [
        {"account": x.account, "debit_rp": x.debit_rp, "credit_rp": x.credit_rp, "memo": x.memo}
        for x in done.lines
    ]
    if args.json:
        print(json.dumps({"loan": args.loan, "id": done.id, "lines": lines}, ensure_ascii=False))
        return 0
    principal = sum(x.credit_rp for x in done.lines)
    print(f"{args.loan}: {_t('written_off', lang)} {_rp(principal, lang)} ({done.id})")
    for x in done.lines:
        print(f"    {x.account}  {x.name}  {_rp(x.debit_rp, lang)}  {_rp(x.credit_rp, lang)}  {x.memo}")
    return 0


def cmd_health(ledger: Ledger, args: argparse.Namespace) -> int:
    """The problem-loan ratio (KSP health band) and portfolio at risk as of a day."""
    lang = lang_of(args.lang)
    found = health.health(portfolio.aging(ledger, args.as_of or _today(ledger)))
    if args.json:
        data = asdict(found)
        data["as_of"] = found.as_of.isoformat()
        data["problem_pct"] = str(found.problem_pct)
        data["at_risk"] = [{**asdict(r), "pct": str(r.pct)} for r in found.at_risk]
        print(json.dumps(data, ensure_ascii=False))
        return 0
    name = found.band if lang != "en" else health.BAND_EN[found.band]
    print(f"{_t('health_head', lang)} {found.as_of.isoformat()}")
    print(f"  {_t('outstanding', lang)}: {_rp(found.outstanding_rp, lang)} ({found.loans})")
    print(f"  {_t('problem_ratio', lang)}: {_rp(found.problem_rp, lang)} = {found.problem_pct} % ({name})")
    for r in found.at_risk:
        print(f"  PAR{r.days}: {_rp(r.outstanding_rp, lang)} = {r.pct} %")
    return 0


def add_commands(add: Any, me: str) -> None:
    """``loans allowance``, ``loans write-off`` and ``loans health``."""
    p = add("allowance", cmd_allowance, "month-end allowance (PPAP) per class, posted once per month")
    p.add_argument("--month", type=_month, required=True, help="the month, e.g. 2026-11")
    p.add_argument("--dry-run", action="store_true", help="show what would be posted, post nothing")
    p.add_argument("--office-key", type=Path, help="the office's key file (default: beside the ledger)")
    p.add_argument("--by", default=me, help="who runs it (default: the logged-in user)")
    p = add("write-off", cmd_write_off, "write a macet loan off against the allowance (a decider approves)")
    p.add_argument("--loan", required=True)
    p.add_argument("--approved-by", required=True, help="member number of the approver (a [loans] decider)")
    p.add_argument("--reason", required=True)
    p.add_argument("--office-key", type=Path, help="the office's key file (default: beside the ledger)")
    p.add_argument("--by", default=me, help="who records it (default: the logged-in user)")
    p = add("health", cmd_health, "problem-loan ratio (KSP health band) and portfolio at risk")
    p.add_argument("--as-of", type=_day, help="as of this day (default today)")
