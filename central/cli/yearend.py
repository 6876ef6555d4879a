"""Year-end commands of ``python -m central``: close-year, reopen-year, year-history, board, and the
``report points`` / ``report shu`` reports."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from central.errors import CentralError
from central.yearend.closing import (
    activity_parts,
    close_year,
    closed_allocation,
    compute_year,
    points_data,
    record_activity,
    reopen_year,
    shu_data,
    year_history,
)
from central.yearend.estimate import estimate_shares
from central.yearend.inputs import income_figures, year_bounds
from central.yearend.points import (
    RuleError,
    member_sort_key,
)
from central.yearend.policy import FIRST_YEAR, LAST_YEAR, MAX_ACTIVITY_SCORE, BadYearendInput
from central.yearend.render import _rp, _t, _table, points_csv, render_points, render_shu, shu_csv

if TYPE_CHECKING:
    from central.ledger import Ledger


# -- commands -----------------------------------------------------------------------------------------

Handler = Callable[[Any, argparse.Namespace], int]


def _year_arg(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year like 2026") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"{text!r} is not a plausible year")
    return year


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def _lang(args: argparse.Namespace) -> str:
    return "en" if getattr(args, "lang", None) == "en" else "id"


def _guard(handler: Handler) -> Handler:
    """Turn the rules' bilingual errors into the CLI's error in the chosen language."""

    def run(ledger: Any, args: argparse.Namespace) -> int:
        try:
            return handler(ledger, args)
        except RuleError as err:
            raise CentralError(err.message(_lang(args))) from err

    run.__doc__ = handler.__doc__
    return run


def cmd_close_year(ledger: Ledger, args: argparse.Namespace) -> int:
    """Close the year: allocate the SHU and post it."""
    lang = _lang(args)
    result = close_year(ledger, args.year, by=args.by, early=args.early)
    data = shu_data(result)
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(
            _t(
                "closed_ok",
                lang,
                year=args.year,
                shu=_rp(data["shu_rp"], lang),
                members=sum(1 for m in data["members"] if m["shu_rp"]),
                members_rp=_rp(data["totals"]["members_rp"], lang),
            )
        )
    return 0


def cmd_year_history(ledger: Ledger, args: argparse.Namespace) -> int:
    """The audit trail of a year: every close and reopen, who, when, why."""
    rows = year_history(ledger, args.year)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    tz = ledger.config.tz

    def when(ts: int | None) -> str:
        return "" if ts is None else datetime.fromtimestamp(int(ts), tz).isoformat(timespec="seconds")

    table = [
        [
            str(r["round"]), _rp(int(r["shu_rp"]), _lang(args)), when(r["closed_ts"]), r["closed_by"],
            when(r["reopened_ts"]), r["reopened_by"] or "", r["reopen_reason"] or "",
        ]
        for r in rows
    ]  # fmt: skip
    header = ["round", "shu_rp", "closed", "closed_by", "reopened", "reopened_by", "reason"]
    print(_table(_t("history", _lang(args), year=args.year), header, table), end="")
    return 0


def cmd_reopen_year(ledger: Ledger, args: argparse.Namespace) -> int:
    """Reopen a closed year with a reason (the reversal is posted)."""
    tx_id = reopen_year(ledger, args.year, reason=args.reason, by=args.by)
    print(_t("reopened", _lang(args), year=args.year, tx=tx_id))
    return 0


def cmd_board_activity(ledger: Ledger, args: argparse.Namespace) -> int:
    """Record a board member's activity score."""
    on = args.on or datetime.now(ledger.config.tz).date()
    record_activity(ledger, args.member, args.score, on=on, note=args.note or "", by=args.by)
    print(_t("recorded", _lang(args), member=args.member, score=args.score))
    return 0


def cmd_board_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """Activity score per board member for a year: the points of their portal reports (by the config's
    [board_activity.points]), the manual scores recorded with ``board activity``, and the total."""
    parts = activity_parts(ledger, args.year)
    rows = [(m, r, a, r + a) for m, (r, a) in sorted(parts.items(), key=lambda kv: member_sort_key(kv[0]))]
    if args.json:
        print(
            json.dumps(
                [{"member": m, "reports": r, "manual": a, "score": s} for m, r, a, s in rows],
                ensure_ascii=False,
            )
        )
    else:
        print(
            _table(
                _t("board", _lang(args)),
                ["member", "reports", "manual", "score"],
                [[m, str(r), str(a), str(s)] for m, r, a, s in rows],
            ),
            end="",
        )
    return 0


def _report_year(ledger: Ledger, args: argparse.Namespace) -> int:
    if args.year is not None:
        if args.start or args.end:
            raise BadYearendInput(
                "pakai --year saja, tanpa --from/--to", "use --year alone, without --from/--to"
            )
        return int(args.year)
    return datetime.now(ledger.config.tz).date().year


def cmd_report_points(ledger: Ledger, args: argparse.Namespace) -> int:
    """Points per member and source for a year (to date when the year is running)."""
    year = _report_year(ledger, args)
    member = args.member or args.number
    if member:
        ledger.member(member)
    on = args.on
    result = compute_year(ledger, year, on=on, estimate=True)
    if args.json:
        print(json.dumps(points_data(result.points, member), ensure_ascii=False))
    elif getattr(args, "csv", False):
        sys.stdout.write(points_csv(result.points, member))
    else:
        print(render_points(result.points, year, _lang(args), member), end="")
    return 0


def cmd_report_shu(ledger: Ledger, args: argparse.Namespace) -> int:
    """The year's allocation: closed figures when closed, else computed; --estimate for the running year."""
    year = _report_year(ledger, args)
    data: dict[str, Any] | None = None if args.estimate else closed_allocation(ledger, year)
    if data is not None:
        # Late transactions dated in a closed year (an outpost syncing after the close) change the books.
        lo, hi = year_bounds(year)
        data["current_shu_rp"] = income_figures(ledger, lo, hi).surplus_rp
    if data is None:
        if args.estimate:
            data = shu_data(estimate_shares(ledger, year, on=args.on))
        else:
            data = shu_data(compute_year(ledger, year, on=args.on, estimate=False, strict=False))
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    elif getattr(args, "csv", False):
        sys.stdout.write(shu_csv(data))
    else:
        print(render_shu(data, _lang(args)), end="")
    return 0


def add_report_arguments(report: argparse.ArgumentParser) -> None:
    """The options of ``report points`` and ``report shu`` on the ledger's ``report`` command."""
    report.add_argument("--member", help="report points: only this member")
    report.add_argument("--estimate", action="store_true", help="report shu: the running year's estimate")
    report.add_argument("--on", type=_date_arg, help="report points/shu: up to this day (YYYY-MM-DD)")


def add_commands(sub: Any) -> None:
    """Add close-year, reopen-year, year-history and board to ``python -m central``."""
    p = sub.add_parser("close-year", help="close a year: allocate its SHU and post it to the ledger")
    p.add_argument("year", type=_year_arg)
    p.add_argument("--by", help="who closes (default: the logged-in user)")
    p.add_argument("--early", action="store_true", help="allow closing before the year's last day")
    p.add_argument("--json", action="store_true", help="print the allocation as JSON")
    p.set_defaults(func=_guard(cmd_close_year))

    p = sub.add_parser("reopen-year", help="reverse a year's close, with the reason kept")
    p.add_argument("year", type=_year_arg)
    p.add_argument("--reason", required=True, help="why the year is reopened (kept in the audit trail)")
    p.add_argument("--by", help="who reopens (default: the logged-in user)")
    p.set_defaults(func=_guard(cmd_reopen_year))

    p = sub.add_parser("year-history", help="a year's closes and reopens: who, when, why")
    p.add_argument("year", type=_year_arg)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_guard(cmd_year_history))

    p = sub.add_parser("board", help="board members' activity (seed 000 merit system)")
    bsub = p.add_subparsers(dest="board_action", metavar="ACTION")
    bsub.required = True
    b = bsub.add_parser(
        "activity",
        help="record a manual activity score of a board member (added to the points of their portal reports)",
    )
    b.add_argument("--member", required=True)
    b.add_argument("--score", type=int, required=True, help=f"1..{MAX_ACTIVITY_SCORE}")
    b.add_argument("--on", type=_date_arg, help="day of the activity (default today)")
    b.add_argument("--note", help="what was done")
    b.add_argument("--by", help="who records it")
    b.set_defaults(func=_guard(cmd_board_activity))
    b = bsub.add_parser("list", help="activity scores per board member: reports' points, manual, total")
    b.add_argument("--year", type=_year_arg, required=True)
    b.add_argument("--json", action="store_true")
    b.set_defaults(func=_guard(cmd_board_list))


# ``report points`` and ``report shu``: added to the ledger's ``report`` command (see central/cli.py).
REPORT_HANDLERS: Final = {"points": _guard(cmd_report_points), "shu": _guard(cmd_report_shu)}
