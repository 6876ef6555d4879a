"""``backup`` and ``restore``: a checked copy of the ledger while ``serve`` runs, and putting one back.

The work is ``central.ledger.backup``; this module parses options and prints (docs/backup.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, Final

from central.errors import BackupError
from central.ledger import backup as backup_mod
from central.ledger.backup import BackupInfo
from central.ledger.schema import SCHEMA_VERSION
from central.messages import lang_of

EXIT_OK: Final = 0
EXIT_USAGE: Final = 2
DEFAULT_KEEP_DAILY: Final = 14
DEFAULT_KEEP_MONTHLY: Final = 12
SHOWN_TABLES: Final = ("transactions", "journal", "members", "devices", "quarantine")

TEXT: Final[dict[str, tuple[str, str]]] = {
    "backed_up": ("Cadangan dibuat: {path}", "Backup written: {path}"),
    "checked": ("Cadangan diperiksa: {path}", "Backup checked: {path}"),
    "restored": ("Dipulihkan dari {backup} ke {path}", "Restored from {backup} to {path}"),
    "size": ("ukuran", "size"),
    "bytes": ("bait", "bytes"),
    "kind": ("jenis", "kind"),
    "schema": ("versi skema", "schema version"),
    "rows": ("baris", "rows"),
    "last_tx": ("transaksi terakhir", "last transaction"),
    "none": ("(belum ada)", "(none yet)"),
    "pruned": ("dihapus oleh rotasi: {names}", "removed by rotation: {names}"),
    "upgrade": (
        "Cadangan ini skema versi {found}; program ini {current}. Jalankan sekali: "
        "python -m central --db {db} upgrade",
        "This backup has schema version {found}; this program writes {current}. Run once: "
        "python -m central --db {db} upgrade",
    ),
    "chains": (
        "Per perangkat, seq utuh di buku besar yang dipulihkan (penjualan sesudahnya harus datang lagi dari "
        "perangkat; lihat docs/backup.md):",
        "Per device, the contiguous seq in the restored ledger (later sales must come again from the "
        "devices; see docs/backup.md):",
    ),
    "error": ("Galat", "Error"),
}


def _t(key: str, lang: str, **values: object) -> str:
    pair = TEXT[key]
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text


def _print_info(info: BackupInfo, lang: str) -> None:
    print(f"  {_t('kind', lang)}: {info.kind}; {_t('size', lang)}: {info.size_bytes:,} {_t('bytes', lang)}")
    print(f"  sha256: {info.sha256}")
    print(f"  {_t('schema', lang)}: {info.schema_version}")
    if info.counts:
        shown = ", ".join(
            f"{name} {info.count(name):,}" for name in SHOWN_TABLES if name in dict(info.counts)
        )
        print(f"  {_t('rows', lang)}: {shown}")
    if info.counts or info.last_tx_id:
        last = f"{info.last_tx_id} ({info.last_tx_received})" if info.last_tx_id else _t("none", lang)
        print(f"  {_t('last_tx', lang)}: {last}")


def _as_json(info: BackupInfo, **extra: Any) -> str:
    body = asdict(info)
    body["counts"] = dict(info.counts)
    body["chains"] = dict(info.chains)
    body.update(extra)
    return json.dumps(body, ensure_ascii=False)


def _guarded(run: Any) -> Any:
    """Print a BackupError in the user's language and exit 2 (the app's handler prints English only)."""

    def handler(ledger: Any, args: argparse.Namespace) -> int:
        lang = lang_of(getattr(args, "lang", None))
        try:
            return int(run(args, lang))
        except BackupError as err:
            print(f"{_t('error', lang)}: {err.text(lang)}", file=sys.stderr)
            return EXIT_USAGE

    return handler


def backup_command(args: argparse.Namespace, lang: str) -> int:
    """``backup --out FILE`` or ``backup --dir DIR`` (dated name, rotation)."""
    pruned: tuple[str, ...] = ()
    if args.dir is not None:
        info, pruned = backup_mod.backup_rotating(
            args.db, args.dir, keep_daily=args.keep_daily, keep_monthly=args.keep_monthly
        )
    else:
        info = backup_mod.backup(args.db, args.out, force=args.force)
    if args.json:
        print(_as_json(info, pruned=list(pruned)))
        return EXIT_OK
    print(_t("backed_up", lang, path=info.path))
    _print_info(info, lang)
    if pruned:
        print("  " + _t("pruned", lang, names=", ".join(pruned)))
    return EXIT_OK


def check_command(args: argparse.Namespace, lang: str) -> int:
    """``backup-check FILE``: does the file read, hold a ledger, restore with this program?"""
    info = backup_mod.inspect(args.file)
    if args.json:
        print(_as_json(info))
        return EXIT_OK
    print(_t("checked", lang, path=info.path))
    _print_info(info, lang)
    return EXIT_OK


def restore_command(args: argparse.Namespace, lang: str) -> int:
    """``restore FILE``: into a new SQLite path or an empty PostgreSQL database (``--force`` to replace)."""
    info = backup_mod.restore(args.file, args.db, force=args.force)
    if args.json:
        print(_as_json(info, backup=str(args.file)))
        return EXIT_OK
    print(_t("restored", lang, backup=args.file, path=info.path))
    _print_info(info, lang)
    if info.chains:
        print("  " + _t("chains", lang))
        for device, seq in info.chains:
            print(f"    {device}: {seq}")
    if not info.current:
        print(
            _t(
                "upgrade",
                lang,
                found=info.schema_version,
                current=SCHEMA_VERSION,
                db=args.db,
            ),
            file=sys.stderr,
        )
    return EXIT_OK


def add_commands(subparsers: Any) -> None:
    """Add ``backup``, ``backup-check`` and ``restore`` to central's command line."""
    p = subparsers.add_parser(
        "backup",
        help="a checked, consistent copy of the ledger (works while serve runs)",
        description=(
            "SQLite: the online backup API, checked with PRAGMA integrity_check; PostgreSQL: pg_dump\n"
            "(custom format). Written to a temporary name, fsynced, then renamed. See docs/backup.md."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="the backup file to write (not replaced without --force)")
    where.add_argument("--dir", type=Path, help="folder for dated backups with rotation (scheduled use)")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.add_argument("--keep-daily", type=int, default=DEFAULT_KEEP_DAILY, help="with --dir: days kept")
    p.add_argument("--keep-monthly", type=int, default=DEFAULT_KEEP_MONTHLY, help="with --dir: months kept")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_guarded(backup_command), needs_ledger=False)

    p = subparsers.add_parser("backup-check", help="check a backup file without restoring it")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_guarded(check_command), needs_ledger=False)

    p = subparsers.add_parser(
        "restore",
        help="restore a backup into --db: a new SQLite path or an empty PostgreSQL database",
    )
    p.add_argument("file", type=Path, help="a file written by `backup`")
    p.add_argument("--force", action="store_true", help="replace a target that already holds data")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_guarded(restore_command), needs_ledger=False)
