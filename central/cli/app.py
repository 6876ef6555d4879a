"""``python -m central``: the operator's command line for the ledger.

Other modules add subcommands without editing this file: every module named in ``EXTENSIONS`` that imports
gets ``add_commands(subparsers)`` called; each subparser it adds sets ``func=handler`` with
``handler(ledger, args) -> int`` (``ledger`` is the opened ``Ledger`` of ``--db``, or None when the
subparser sets ``needs_ledger=False``). An extension may also add reports to ``report``: a mapping
``REPORT_HANDLERS`` of report name to handler, and ``add_report_arguments(report_parser)`` for their options.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Final

from sqlalchemy.exc import SQLAlchemyError

from central import config as config_mod
from central.books import reports, statement
from central.books.viewer import OFFICE, PUBLIC
from central.errors import (
    CentralError,
    DatabaseUnreachable,
    ImportRowsError,
    NoLedger,
    NotInitialised,
    NotUtf8,
    OutdatedLedger,
    PeriodError,
)
from central.ledger import Ledger
from central.members import rows as members_mod
from central.members import tabular
from central.members.importing import import_table
from central.messages import lang_of, t

EXTENSIONS: Final = (
    "central.cli.yearend",
    "central.cli.serve",
    "central.cli.receipts",
    "central.cli.backup",
    "central.cli.members",
    "central.cli.office",
    "central.cli.quarantine",
    "central.cli.portal",
    "central.cli.loans",
    "central.cli.savings",
    "central.cli.payroll",
    "central.cli.deposits",
    "central.cli.transparency",
    "central.cli.stock",
    "central.cli.notify",
    "central.cli.handins",
    "central.cli.branches",
    "central.cli.groups",
    "central.cli.assets",
    "central.cli.journal",
    "central.cli.late",
    "central.cli.statements",
    "central.cli.disputes",
)
DEFAULT_DB: Final = "central.sqlite"
EXIT_OK: Final = 0
EXIT_REJECTED: Final = 1  # ingest: some envelopes were quarantined
EXIT_USAGE: Final = 2  # the user's input is wrong (message printed)
EXIT_INTERRUPTED: Final = 130
EXIT_BROKEN_PIPE: Final = 128 + 13  # what a shell reports for a tool stopped by SIGPIPE
MAX_REJECTIONS_PRINTED: Final = 200
# An ingest this large is a bulk load: PostgreSQL statistics are refreshed after it (refresh_statistics).
BULK_ANALYZE_ENVELOPES: Final = 10_000
REPORTS: Final = (
    "cashbook",
    "trial-balance",
    "balance-sheet",
    "income",
    "member",
    "chains",
    "disputes",
    "quarantine",
)


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def _month(text: str) -> str:
    try:
        return date.fromisoformat(text + "-01").isoformat()[:7]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month like 2026-03") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every built-in and extension subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m central",
        description="Buku besar pusat koperasi / the cooperative's central ledger.",
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("KOP_DB", DEFAULT_DB),
        help="SQLite file or postgresql://user@host:port/db URL (default: $KOP_DB or central.sqlite)",
    )
    parser.add_argument("--lang", choices=("id", "en"), default=None, help="id (default) or en; or KOP_LANG")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("init", help="create the ledger (or replace its config)")
    p.add_argument("--config", type=Path, help="cooperative config TOML (default: built-in, docs/config.md)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("upgrade", help="bring a ledger made by an older version up to date (keeps all data)")
    p.set_defaults(func=cmd_upgrade)

    p = sub.add_parser(
        "import",
        help="import members or products from CSV (',' or ';') or .xlsx (re-import updates in place)",
    )
    p.add_argument("what", choices=("members", "products"))
    p.add_argument("file", type=Path, help="a .csv (UTF-8, ',' or ';' between fields) or an .xlsx")
    p.add_argument("--sheet", help="the .xlsx sheet to read (default: the first)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="export members (with card_code) or products as CSV or .xlsx")
    p.add_argument("what", choices=("members", "products"))
    p.add_argument(
        "--out", type=Path, help="file to write (default: standard output); a .xlsx name writes Excel"
    )
    out_format = p.add_mutually_exclusive_group()
    out_format.add_argument(
        "--delimiter",
        choices=(",", ";"),
        default=",",
        help="CSV field separator (';' for Excel in Indonesian)",
    )
    out_format.add_argument("--xlsx", action="store_true", help="write an Excel workbook (needs --out)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("ingest", help="ingest envelopes from a JSONL file ('-' for standard input)")
    p.add_argument("file")
    p.add_argument(
        "--require-signature", action="store_true", help="refuse envelopes without a valid signature"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_ingest)

    modules = _extensions()
    extra_reports = _extension_reports(modules)
    names = (*REPORTS, *extra_reports)
    p = sub.add_parser("report", help="books: " + ", ".join(names))
    p.add_argument("name", choices=names)
    p.add_argument("number", nargs="?", help="member number (report member)")
    p.add_argument("--from", dest="start", type=_day, help="first day, YYYY-MM-DD (cooperative's time zone)")
    p.add_argument("--to", dest="end", type=_day, help="last day, YYYY-MM-DD (default today)")
    p.add_argument("--year", type=int, help="the whole calendar year (instead of --from/--to)")
    p.add_argument(
        "--show-members",
        action="store_true",
        help="cashbook: show member numbers (office use); by default they read 'anggota' (notice board)",
    )
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    for module in modules:
        add_options = getattr(module, "add_report_arguments", None)
        if add_options is not None:
            add_options(p)
    p.set_defaults(func=_report_dispatch(extra_reports))

    p = sub.add_parser("devices", help="register, revoke and list devices")
    dsub = p.add_subparsers(dest="action", metavar="ACTION")
    dsub.required = True
    d = dsub.add_parser("add", help="register a device and its public key")
    d.add_argument("device")
    d.add_argument("--public-key", required=True, help="base64 of the 32 raw Ed25519 bytes (signing.pub)")
    d.add_argument("--unit", required=True)
    d.add_argument("--branch", required=True)
    d.set_defaults(func=cmd_devices_add)
    d = dsub.add_parser("revoke", help="revoke a device; its later envelopes are quarantined")
    d.add_argument("device")
    d.add_argument("--reason", required=True)
    d.set_defaults(func=cmd_devices_revoke)
    d = dsub.add_parser("list", help="list devices")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_devices_list)

    p = sub.add_parser("demo-data", help="import sample members/products and write sample signed envelopes")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", type=_month, help="one month, YYYY-MM")
    when.add_argument("--year", type=int, help="a whole year")
    p.add_argument("--out", type=Path, required=True, help="JSONL file to write")
    p.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
    p.add_argument("--members", type=int, default=40, help="number of sample members (default 40)")
    p.add_argument("--per-day", type=int, default=60, help="transactions per day (default 60)")
    p.set_defaults(func=cmd_demo_data)

    for module in modules:
        add = getattr(module, "add_commands", None)
        if add is not None:
            add(sub)
    return parser


def _extensions() -> list[Any]:
    """The extension modules that import (a module not installed is left out silently)."""
    found = []
    for name in EXTENSIONS:
        try:
            found.append(importlib.import_module(name))
        except ImportError:
            continue
    return found


def _extension_reports(modules: list[Any]) -> dict[str, Callable[[Ledger, argparse.Namespace], int]]:
    reports_by_name: dict[str, Callable[[Ledger, argparse.Namespace], int]] = {}
    for module in modules:
        reports_by_name.update(getattr(module, "REPORT_HANDLERS", {}))
    return reports_by_name


def _report_dispatch(
    extra: dict[str, Callable[[Ledger, argparse.Namespace], int]],
) -> Callable[[Ledger, argparse.Namespace], int]:
    def dispatch(ledger: Ledger, args: argparse.Namespace) -> int:
        handler = extra.get(args.name)
        return handler(ledger, args) if handler is not None else cmd_report(ledger, args)

    return dispatch


# -- commands ------------------------------------------------------------------------------------------


def cmd_init(ledger: Ledger, args: argparse.Namespace) -> int:
    """Create the tables and store the config."""
    cfg = config_mod.load(args.config) if args.config else config_mod.default()
    ledger.init(cfg)
    print(t("initialised", args.lang, db=args.db, units=len(cfg.units), accounts=len(cfg.chart)))
    return EXIT_OK


def cmd_upgrade(ledger: Ledger, args: argparse.Namespace) -> int:
    """Upgrade the ledger's tables in place to this program's schema version; the config is kept."""
    before, after = ledger.upgrade()
    key = "upgraded" if before < after else "up_to_date"
    print(t(key, args.lang, db=args.db, before=before, after=after))
    return EXIT_OK


def read_import_table(path: Path, lang: str, sheet: str | None = None) -> tabular.Table:
    """The table of an import file (CSV or .xlsx), with a non-UTF-8 CSV explained in the user's language."""
    if not path.exists():
        raise CentralError(t("file_not_found", lang, path=path))
    try:
        return tabular.read_table(path, sheet=sheet)
    except NotUtf8 as err:
        raise CentralError(t("not_utf8", lang, path=err.path, line=err.line, byte=err.byte_hex)) from err


def cmd_import(ledger: Ledger, args: argparse.Namespace) -> int:
    """Import members or products; every bad row is listed and nothing is written."""
    ledger.config  # noqa: B018 - fails early when not initialised
    table = read_import_table(args.file, args.lang, args.sheet)
    added, updated = import_table(ledger, args.what, table)
    what = t(args.what, args.lang)
    if table.decimal_comma:
        print(t("read_semicolon", args.lang))
    print(t("imported", args.lang, what=what, added=added, updated=updated))
    return EXIT_OK


def cmd_export(ledger: Ledger, args: argparse.Namespace) -> int:
    """Write members (with card codes) or products as CSV (',' or ';') or as an .xlsx workbook."""
    columns: tuple[str, ...]
    if args.what == "members":
        columns, rows = members_mod.MEMBER_EXPORT, ledger.member_rows()
    else:
        columns, rows = members_mod.PRODUCT_COLUMNS, ledger.products()
    xlsx = args.xlsx or (args.out is not None and args.out.suffix.lower() in tabular.XLSX_SUFFIXES)
    if xlsx:
        if args.out is None:
            raise CentralError(t("xlsx_needs_out", args.lang))
        try:
            tabular.write_xlsx(args.out, columns, rows, sheet=t(args.what, args.lang), lang=args.lang)
        except OSError as err:
            raise CentralError(t("cannot_write", args.lang, path=args.out, err=err.strerror)) from err
        return EXIT_OK
    text = members_mod.to_csv(columns, rows, args.delimiter, args.lang)
    if args.out:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as err:
            raise CentralError(t("cannot_write", args.lang, path=args.out, err=err.strerror)) from err
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _jsonl(path: str, lang: str) -> Iterator[bytes]:
    if path == "-":
        stream = sys.stdin.buffer
        for line in stream:
            if line.strip():
                yield line.rstrip(b"\r\n")
        return
    try:
        handle = Path(path).open("rb")  # noqa: SIM115 - closed below, after the generator is drained
    except OSError as err:
        raise CentralError(t("file_missing", lang, path=path, err=err)) from err
    with handle:
        for line in handle:
            if line.strip():
                yield line.rstrip(b"\r\n")


def cmd_ingest(ledger: Ledger, args: argparse.Namespace) -> int:
    """Ingest a JSONL file; exit 1 when anything was quarantined (the rest is committed)."""
    ledger.config  # noqa: B018 - fails early when not initialised
    lines = _jsonl(args.file, args.lang)
    first = next(lines, None)  # opens the file before any work, so a missing file is a clean error

    def all_lines() -> Iterator[bytes]:
        if first is not None:
            yield first
        yield from lines

    report = ledger.ingest(all_lines(), require_signature=args.require_signature)
    if len(report.accepted) >= BULK_ANALYZE_ENVELOPES:
        ledger.refresh_statistics()
    if args.json:
        print(
            json.dumps(
                {
                    "accepted": len(report.accepted),
                    "duplicates": len(report.duplicates),
                    "rejected": [r._asdict() for r in report.rejected],
                },
                ensure_ascii=False,
            )
        )
    else:
        print(
            t(
                "ingested",
                args.lang,
                accepted=len(report.accepted),
                duplicates=len(report.duplicates),
                rejected=len(report.rejected),
            )
        )
        for rejection in report.rejected[:MAX_REJECTIONS_PRINTED]:
            where = " ".join(str(x) for x in (rejection.device, rejection.seq, rejection.id) if x is not None)
            print(f"  {t('rejected_line', args.lang)}: {where or '?'}: {rejection.reason}", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_REJECTED


def _period(ledger: Ledger, args: argparse.Namespace, *, year_to_date: bool) -> reports.Period:
    if args.year is not None:
        if args.start or args.end:
            raise PeriodError("use either --year or --from/--to, not both")
        if not 1900 <= args.year <= 9999:
            raise PeriodError(f"--year {args.year} is not a plausible year")
        return reports.Period(f"{args.year:04d}-01-01", f"{args.year:04d}-12-31")
    period = reports.default_period(ledger, args.start, args.end, year_to_date=year_to_date)
    if period.start and period.end and period.start > period.end:
        raise PeriodError(f"--from {period.start} is after --to {period.end}; swap them")
    return period


def cmd_report(ledger: Ledger, args: argparse.Namespace) -> int:
    """Print one of the books."""
    lang = args.lang
    name = args.name
    if name == "member" and not args.number:
        raise PeriodError("report member needs a member number, e.g. `report member A001`")
    if name != "member" and args.number:
        raise PeriodError(f"report {name} takes no member number")
    sections: list[reports.Section]
    if name == "cashbook":
        period = _period(ledger, args, year_to_date=False)
        if period.start is None:
            period = reports.Period(period.hi[:8] + "01", period.end)  # default: this month
        viewer = OFFICE if getattr(args, "show_members", False) else PUBLIC
        sections = reports.cashbook(ledger, period, lang, viewer)
    elif name == "trial-balance":
        sections = reports.trial_balance(ledger, _period(ledger, args, year_to_date=False), lang)
    elif name == "balance-sheet":
        sections = reports.balance_sheet(ledger, _period(ledger, args, year_to_date=False).hi, lang)
    elif name == "income":
        sections = reports.income(ledger, _period(ledger, args, year_to_date=True), lang)
    elif name == "member":
        sections = statement.member_statement(
            ledger, args.number, _period(ledger, args, year_to_date=True), lang
        )
    elif name == "chains":
        sections = reports.chains(ledger, lang)
    elif name == "disputes":
        sections = reports.disputes(ledger, _period(ledger, args, year_to_date=False), lang)
    else:
        sections = reports.quarantine(ledger, lang)
    if args.json:
        print(reports.render_json(sections))
    elif args.csv:
        sys.stdout.write(reports.render_csv(sections))
    else:
        print(reports.render_table(sections, lang))
    return EXIT_OK


def cmd_devices_add(ledger: Ledger, args: argparse.Namespace) -> int:
    """Register a device."""
    ledger.devices_add(args.device, args.public_key, args.unit, args.branch)
    print(t("device_added", args.lang, device=args.device))
    return EXIT_OK


def cmd_devices_revoke(ledger: Ledger, args: argparse.Namespace) -> int:
    """Revoke a device."""
    ledger.devices_revoke(args.device, args.reason)
    print(t("device_revoked", args.lang, device=args.device))
    return EXIT_OK


def cmd_devices_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """List devices."""
    rows = ledger.devices_list()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return EXIT_OK
    section = reports.Section(
        "devices",
        "Perangkat" if args.lang == "id" else "Devices",
        ("device", "unit", "branch", "revoked", "public_key"),
        tuple(
            (r["device"], r["unit"], r["branch"], r["revoked_reason"] or "", r["public_key"]) for r in rows
        ),
    )
    print(reports.render_table([section], args.lang))
    return EXIT_OK


def cmd_demo_data(ledger: Ledger, args: argparse.Namespace) -> int:
    """Import sample members and products, register sample devices, write a period of signed envelopes."""
    from central import sample

    if not 1 <= args.members <= 10_000 or not 1 <= args.per_day <= 100_000:
        raise PeriodError("--members must be 1..10000 and --per-day 1..100000")
    if args.month:
        year, month = (int(x) for x in args.month.split("-"))
        start = date(year, month, 1)
        end = sample.month_end(start)
    else:
        start, end = date(args.year, 1, 1), date(args.year, 12, 31)
    data = sample.generate(
        seed=args.seed,
        start=start,
        end=end,
        members=args.members,
        per_day=args.per_day,
        state=sample.state_of(ledger, [d for d, _ in sample.DEVICES]),
    )
    sample.load_into(ledger, data)
    count = sample.write_jsonl(data.envelopes, args.out)
    print(t("demo_written", args.lang, count=count, out=args.out))
    return EXIT_OK


# -- entry point ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; user mistakes print a message and return a non-zero code, never a traceback.

    Output into a pipe whose reader has gone (``report cashbook | head``) stops quietly with 141, as a
    Unix tool stopped by SIGPIPE does: one place for every command, including ``--help``.
    """
    try:
        try:
            code = _run(argv)
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's own flush at exit cannot raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE
    return code


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.lang = lang_of(args.lang)
    ledger: Any = None
    try:
        if getattr(args, "needs_ledger", True):
            ledger = Ledger.open(args.db)
        return int(args.func(ledger, args))
    except ImportRowsError as err:
        what = t(err.what, args.lang)
        summary = t("bad_rows", args.lang, what=what, count=len(err.problems))
        print(f"{t('error', args.lang)}: {summary}", file=sys.stderr)
        for line, message in err.problems[:MAX_REJECTIONS_PRINTED]:
            print(f"  {t('line', args.lang)} {line}: {message}", file=sys.stderr)
        return EXIT_USAGE
    except OutdatedLedger as err:
        print(f"{t('error', args.lang)}: {err}", file=sys.stderr)
        print(t("hint_upgrade", args.lang, db=args.db), file=sys.stderr)
        return EXIT_USAGE
    except NoLedger as err:
        print(f"{t('error', args.lang)}: {t('no_ledger', args.lang, path=err.path)}", file=sys.stderr)
        print(t("hint_init", args.lang, db=args.db), file=sys.stderr)
        return EXIT_USAGE
    except DatabaseUnreachable as err:
        where = {"host": err.host, "port": err.port, "db": err.database, "reason": err.reason}
        text = t("db_unreachable", args.lang, **where)
        print(f"{t('error', args.lang)}: {text}", file=sys.stderr)
        return EXIT_USAGE
    except NotInitialised as err:
        print(f"{t('error', args.lang)}: {err}", file=sys.stderr)
        print(t("hint_init", args.lang, db=args.db), file=sys.stderr)
        return EXIT_USAGE
    except CentralError as err:
        print(f"{t('error', args.lang)}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except SQLAlchemyError as err:
        print(f"{t('error', args.lang)}: database {args.db}: {getattr(err, 'orig', err)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    finally:
        if ledger is not None:
            ledger.close()
