"""``transparency``: the cooperative's journal as a verifiable log (docs/transparency.md).

A thin shell over ``central.transparency``: ``init`` makes the log key and builds the log of the ledger's
transactions so far, ``checkpoint`` signs one now, ``latest`` and ``key`` print what the portal publishes,
``prove-inclusion`` and ``prove-consistency`` print the JSON bundles that ``python -m central.transparency
verify`` checks, and ``audit`` recomputes the log from the books and names whatever no longer matches.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from central.ledger import Ledger, posting
from central.ledger.ingest import LINE_KINDS, PG_INGEST_LOCK
from central.messages import lang_of
from central.transparency import audit as log_audit
from central.transparency import keys
from central.transparency import log as tlog
from central.transparency.errors import LogKeyError, LogNotSetUp, TransparencyError
from sync import checkpoint as note

EXIT_OK: Final = 0
EXIT_FOUND: Final = 1  # audit: something does not match
EXIT_USAGE: Final = 2
MAX_FILE_BYTES: Final = 100_000

_TEXT: Final[dict[str, tuple[str, str]]] = {
    "ready": (
        "Log transparansi siap: {origin}, {size} daun, kunci {path}.",
        "Transparency log ready: {origin}, {size} leaves, key {path}.",
    ),
    "exists": (
        "Log transparansi sudah siap: {origin}, {size} daun, kunci {path}; checkpoint baru ditandatangani.",
        "Transparency log already set up: {origin}, {size} leaves, key {path}; a new checkpoint was signed.",
    ),
    "public": (
        "Kunci publik log (bagikan ke anggota, pengawas dan saksi):",
        "The log's public key (give it to members, supervisors and witnesses):",
    ),
    "audit_ok": (
        "AUDIT LULUS: {leaves} daun dihitung ulang dari buku, {checkpoints} checkpoint cocok dan sah.",
        "AUDIT PASSED: {leaves} leaves recomputed from the books, {checkpoints} checkpoints match and "
        "verify.",
    ),
    "audit_bad": (
        "AUDIT GAGAL: {count} temuan ({leaves} daun, {checkpoints} checkpoint):",
        "AUDIT FAILED: {count} findings ({leaves} leaves, {checkpoints} checkpoints):",
    ),
    "unreadable": ("tidak bisa membaca {path}: {why}", "cannot read {path}: {why}"),
    "error": ("Galat", "Error"),
}


def _t(key: str, lang: str, **values: object) -> str:
    pair = _TEXT[key]
    return (pair[1] if lang == "en" else pair[0]).format(**values)


def _friendly(
    handler: Callable[[Ledger, argparse.Namespace], int],
) -> Callable[[Ledger, argparse.Namespace], int]:
    """Print the log's own errors in the user's language, exit 2 (no traceback)."""

    @functools.wraps(handler)
    def run(ledger: Ledger, args: argparse.Namespace) -> int:
        lang = lang_of(getattr(args, "lang", None))
        try:
            return handler(ledger, args)
        except TransparencyError as err:
            print(f"{_t('error', lang)}: {err.text(lang)}", file=sys.stderr)
            return EXIT_USAGE
        except note.NoteError as err:
            print(f"{_t('error', lang)}: {err}", file=sys.stderr)
            return EXIT_USAGE

    return run


def _one_writer(conn: Any) -> None:
    """On PostgreSQL, wait for any ingest chunk in flight (its advisory lock) before appending or signing,
    as BEGIN IMMEDIATE does on SQLite."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (PG_INGEST_LOCK,))


def origin_of(ledger: Ledger) -> str:
    """The log's name in its checkpoints: the cooperative's code (a key name: no spaces, no '+')."""
    return note.check_name(f"kop/{ledger.config.coop}/log")


@_friendly
def cmd_init(ledger: Ledger, args: argparse.Namespace) -> int:
    lang = lang_of(args.lang)
    ledger.require_current()
    path = keys.key_path(ledger.target, args.log_key)
    tlog.prepare(ledger)
    with ledger.read() as conn:
        before = tlog.meta(conn)
    existed = path.exists()
    key = keys.load_key(path) if existed else keys.write_new_key(path)
    origin = before.get("origin") or origin_of(ledger)
    verifier = note.verifier_for(origin, key)
    with ledger.write() as conn:
        _one_writer(conn)
        tlog.set_meta(conn, origin=origin, verifier=verifier.encode(), key_path=str(path.resolve()))
        tlog.backfill(conn)
        published = tlog.sign_checkpoint(conn, key, origin)
    done = "exists" if existed and before.get("verifier") == verifier.encode() else "ready"
    print(_t(done, lang, origin=origin, size=published.size, path=path))
    print(_t("public", lang))
    print(verifier.encode())
    return EXIT_OK


def _signing_key(ledger: Ledger, args: argparse.Namespace, settings: dict[str, str]) -> Any:
    if "origin" not in settings:
        raise LogNotSetUp(
            "the transparency log is not set up: run `transparency init` first",
            "log transparansi belum disiapkan: jalankan dulu `transparency init`",
        )
    explicit = args.log_key
    if explicit is None and not os.environ.get(keys.KEY_ENV) and "key_path" in settings:
        explicit = Path(settings["key_path"])
    path = keys.key_path(ledger.target, explicit)
    key = keys.load_key(path)
    if settings.get("verifier", "") != note.verifier_for(settings["origin"], key).encode():
        raise LogKeyError(
            f"{path} is not this log's key (its public key differs from the one published)",
            f"{path} bukan kunci log ini (kunci publiknya berbeda dari yang diterbitkan)",
        )
    return key


@_friendly
def cmd_checkpoint(ledger: Ledger, args: argparse.Namespace) -> int:
    tlog.prepare(ledger)
    with ledger.write() as conn:
        _one_writer(conn)
        settings = tlog.meta(conn)
        key = _signing_key(ledger, args, settings)
        published = tlog.sign_checkpoint(conn, key, settings["origin"])
    print(published.note, end="")
    return EXIT_OK


def _published_or_fail(ledger: Ledger) -> tlog.Published:
    tlog.prepare(ledger)
    with ledger.read() as conn:
        found = tlog.latest(conn)
    if found is None:
        raise LogNotSetUp(
            "the log has no checkpoint yet: run `transparency init`",
            "log belum punya checkpoint: jalankan `transparency init`",
        )
    return found


@_friendly
def cmd_latest(ledger: Ledger, args: argparse.Namespace) -> int:
    found = _published_or_fail(ledger)
    if args.json:
        cp = note.parse(found.note.split("\n\n")[0] + "\n")
        row = {"size": found.size, "root": found.root.hex(), "signed_at": cp.time, "note": found.note}
        print(json.dumps(row, ensure_ascii=False))
    else:
        print(found.note, end="")
    return EXIT_OK


@_friendly
def cmd_key(ledger: Ledger, args: argparse.Namespace) -> int:
    tlog.prepare(ledger)
    with ledger.read() as conn:
        settings = tlog.meta(conn)
    if "verifier" not in settings:
        _signing_key(ledger, args, settings)  # raises LogNotSetUp
    print(settings["verifier"])
    return EXIT_OK


@_friendly
def cmd_prove_inclusion(ledger: Ledger, args: argparse.Namespace) -> int:
    tlog.prepare(ledger)
    with ledger.read() as conn:
        bundle = tlog.inclusion_bundle(conn, args.tx, args.size)
    print(json.dumps(bundle, ensure_ascii=False, indent=1))
    return EXIT_OK


@_friendly
def cmd_prove_consistency(ledger: Ledger, args: argparse.Namespace) -> int:
    tlog.prepare(ledger)
    with ledger.read() as conn:
        bundle = tlog.consistency_bundle(conn, args.old, args.new)
    print(json.dumps(bundle, ensure_ascii=False, indent=1))
    return EXIT_OK


def _read(path: Path, lang: str) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_FILE_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise TransparencyError(
            _t("unreadable", "en", path=path, why=err), _t("unreadable", "id", path=path, why=err)
        ) from err


def journal_rules(
    ledger: Ledger,
) -> Callable[[dict[str, Any], Callable[[str], Any]], Sequence[tuple[str, int, int]]]:
    """What an envelope posts, as (account, debit, credit) lines, by the ledger's posting rules and its
    current config: a void reverses the lines of what it voids, a dispute posts nothing."""
    config = ledger.config

    def post(env: dict[str, Any], lines_of: Callable[[str], Any]) -> list[tuple[str, int, int]]:
        kind = env["kind"]
        if kind == "dispute":
            return []
        if kind == "void":
            return [(account, credit, debit) for account, debit, credit in lines_of(env["ref"])]
        amounts = posting.sale_amounts(env) if kind in LINE_KINDS else None
        return [(x.account, x.debit_rp, x.credit_rp) for x in posting.post(env, config, amounts)]

    return post


@_friendly
def cmd_audit(ledger: Ledger, args: argparse.Namespace) -> int:
    lang = lang_of(args.lang)
    witnessed = [_read(path, lang) for path in args.witness or ()]
    verifier = note.parse_verifier(args.key) if args.key else None
    tlog.prepare(ledger)
    rules = None if args.no_journal else journal_rules(ledger)
    with ledger.read() as conn:
        report = log_audit.audit(conn, verifier, witnessed, rules)
    if args.json:
        found = [{"code": f.code, "what": f.text(lang)} for f in report.findings]
        print(json.dumps({"ok": report.ok, "leaves": report.leaves, "findings": found}, ensure_ascii=False))
    elif report.ok:
        print(_t("audit_ok", lang, leaves=report.leaves, checkpoints=report.checkpoints))
    else:
        count = len(report.findings)
        print(_t("audit_bad", lang, count=count, leaves=report.leaves, checkpoints=report.checkpoints))
        for finding in report.findings:
            print(f"  - [{finding.code}] {finding.text(lang)}")
    return EXIT_OK if report.ok else EXIT_FOUND


def _size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a tree size (a whole number)") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a tree size (a whole number)")
    return value


def add_commands(subparsers: Any) -> None:
    """Add ``transparency`` and its actions to central's command line."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--log-key", type=Path, help=f"the log key file (default: ${keys.KEY_ENV}, or beside the SQLite file)"
    )
    parser = subparsers.add_parser(
        "transparency",
        help="the transparency log: checkpoints, proofs, audit",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser(
        "init",
        parents=[common],
        help="create the log key, build the log of the books so far, sign a checkpoint",
    )
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("checkpoint", parents=[common], help="sign a checkpoint of the log now and print it")
    p.set_defaults(func=cmd_checkpoint)
    p = sub.add_parser("latest", help="print the latest signed checkpoint")
    p.add_argument("--json", action="store_true", help="as JSON (size, root, signed_at, note)")
    p.set_defaults(func=cmd_latest)
    p = sub.add_parser("key", parents=[common], help="print the log's public key (name+keyid+base64)")
    p.set_defaults(func=cmd_key)
    p = sub.add_parser("prove-inclusion", help="the inclusion proof of a transaction, as JSON")
    p.add_argument("--tx", required=True, help="the transaction id")
    p.add_argument("--size", type=_size, help="the size of a signed checkpoint (default: the latest)")
    p.set_defaults(func=cmd_prove_inclusion)
    p = sub.add_parser("prove-consistency", help="the consistency proof between two tree sizes, as JSON")
    p.add_argument("--from", dest="old", type=_size, required=True, help="the older checkpoint's size")
    p.add_argument("--to", dest="new", type=_size, help="the newer checkpoint's size (default: the latest)")
    p.set_defaults(func=cmd_prove_consistency)
    p = sub.add_parser("audit", help="recompute the log from the books; name whatever does not match")
    p.add_argument("--witness", type=Path, action="append", help="a checkpoint kept elsewhere (repeatable)")
    p.add_argument("--key", help="the log's public key to check signatures with (default: the stored one)")
    p.add_argument("--no-journal", action="store_true", help="skip re-posting every envelope's journal")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.set_defaults(func=cmd_audit)
