"""The annual statements on ``python -m central report``: ``cash-flow`` (arus kas), ``equity`` (perubahan
ekuitas), ``notes`` (catatan), ``statements`` (the whole set for the members' meeting: balance sheet, income
statement, arus kas, changes in equity and notes), each for a book year beside the year before.

    python -m central report cash-flow --year 2026          # table
    python -m central report equity --year 2026 --csv       # or --json
    python -m central report statements --year 2026 --lang en

Without ``--year``: the running year to date. Money is integer rupiah in JSON and CSV.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Final

from central.books import annual, reports
from central.errors import PeriodError

if TYPE_CHECKING:
    from central.ledger import Ledger

FIRST_YEAR: Final = 1901  # the year before must be a year too
LAST_YEAR: Final = 9999
BUILDERS: Final[dict[str, Callable[[Ledger, int, str], list[reports.Section]]]] = {
    "cash-flow": annual.cash_flow,
    "equity": annual.equity_changes,
    "notes": annual.notes_sections,
    "statements": annual.full_set,
}


def _lang(args: argparse.Namespace) -> str:
    return "en" if getattr(args, "lang", None) == "en" else "id"


def _year(ledger: Ledger, args: argparse.Namespace, lang: str) -> int:
    if getattr(args, "start", None) or getattr(args, "end", None) or getattr(args, "number", None):
        raise PeriodError(
            f"report {args.name} takes a book year: --year YYYY (not --from/--to or a member number)"
            if lang == "en"
            else f"report {args.name} memakai tahun buku: --year TTTT (bukan --from/--to atau nomor anggota)"
        )
    year = getattr(args, "year", None)
    if year is None:
        return datetime.now(ledger.config.tz).year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(
            f"--year {year} is not a plausible book year ({FIRST_YEAR}-{LAST_YEAR})"
            if lang == "en"
            else f"--year {year} bukan tahun buku yang masuk akal ({FIRST_YEAR}-{LAST_YEAR})"
        )
    return int(year)


def cmd_statement(ledger: Ledger, args: argparse.Namespace) -> int:
    """Print one of the annual statements (this year beside last year)."""
    lang = _lang(args)
    sections = BUILDERS[args.name](ledger, _year(ledger, args, lang), lang)
    if getattr(args, "json", False):
        print(reports.render_json(sections))
    elif getattr(args, "csv", False):
        sys.stdout.write(reports.render_csv(sections))
    else:
        print(reports.render_table(sections, lang))
    return 0


REPORT_HANDLERS: Final = dict.fromkeys(BUILDERS, cmd_statement)
