"""``python -m central.transparency verify ...``: check the log's checkpoints and proofs without the
database and without trusting central.

    python -m central.transparency verify --key KEY --checkpoint checkpoint.txt
    python -m central.transparency verify --key KEY --inclusion proof.json [--checkpoint kept.txt]
        [--receipt "KOP1|<id>|<signature>"]
    python -m central.transparency verify --key KEY --consistency proof.json [--old kept.txt] [--new new.txt]

KEY is the log's public key (``name+keyid+base64``) or a file holding it. Exit 0 when everything verifies,
1 when a check fails (the reason is printed), 2 for a usage mistake.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from central.messages import lang_of
from central.transparency import verify
from sync import checkpoint as note

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
MAX_FILE_BYTES: Final = 1_000_000

TEXT: Final[dict[str, tuple[str, str]]] = {
    "checkpoint_ok": (
        "Checkpoint SAH: log {origin}, ukuran {size}, akar {root}, ditandatangani {time}.",
        "Checkpoint VALID: log {origin}, size {size}, root {root}, signed {time}.",
    ),
    "included": (
        "TERCATAT di buku: transaksi {tx} ada di posisi {index} dari checkpoint {size}, "
        "ditandatangani {time}. Bukti diperiksa.",
        "INCLUDED in the books: transaction {tx} is at position {index} of checkpoint {size}, "
        "signed {time}. Proof verified.",
    ),
    "receipt_ok": ("Struk cocok dengan transaksi itu.", "The receipt matches that transaction."),
    "hash_only": (
        "(Bukti ini hanya memuat hash daunnya, bukan amplopnya: hanya pemiliknya yang melihat isinya.)",
        "(This proof carries only the leaf's hash, not the envelope: only its owner sees what it holds.)",
    ),
    "consistent": (
        "KONSISTEN: pohon {old} adalah awalan dari pohon {new}; tidak ada yang diubah, dihapus atau ditukar.",
        "CONSISTENT: tree {old} is a prefix of tree {new}; nothing was changed, removed or reordered.",
    ),
    "failed": ("GAGAL", "FAILED"),
    "unreadable": ("tidak bisa membaca {path}: {why}", "cannot read {path}: {why}"),
    "one_of": (
        "beri salah satu: --checkpoint, --inclusion atau --consistency",
        "give one of --checkpoint, --inclusion or --consistency",
    ),
}


def say(key: str, lang: str, **params: object) -> str:
    pair = TEXT[key]
    return (pair[1] if lang == "en" else pair[0]).format(**params)


class Usage(Exception):
    """A usage mistake (unreadable file, bad key): printed, exit 2."""


def _read(path: Path, lang: str) -> str:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        return raw[:MAX_FILE_BYTES].decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise Usage(say("unreadable", lang, path=path, why=err)) from err


def _key(text: str, lang: str) -> note.VerifierKey:
    path = Path(text)
    value = _read(path, lang).strip() if "+" not in text and path.is_file() else text
    try:
        return note.parse_verifier(value)
    except note.NoteError as err:
        raise Usage(str(err)) from err


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m central.transparency",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--lang", choices=("id", "en"), default=None, help="id (default) or en; or KOP_LANG")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="check a checkpoint, an inclusion proof or a consistency proof")
    v.add_argument("--key", required=True, help="the log's public key, or a file holding it")
    v.add_argument("--checkpoint", type=Path, help="a signed checkpoint (with --inclusion: the one you kept)")
    v.add_argument("--inclusion", type=Path, help="an inclusion proof (JSON from /log/inclusion)")
    v.add_argument("--receipt", help="with --inclusion: a receipt's QR text, KOP1|id|signature")
    v.add_argument("--consistency", type=Path, help="a consistency proof (JSON from /log/consistency)")
    v.add_argument("--old", type=Path, help="with --consistency: the older checkpoint you kept")
    v.add_argument("--new", type=Path, help="with --consistency: the newer checkpoint")
    return parser


def _run(args: argparse.Namespace, lang: str) -> list[str]:
    key = _key(args.key, lang)
    if args.inclusion is not None:
        bundle = verify.load_bundle(_read(args.inclusion, lang))
        kept = _read(args.checkpoint, lang) if args.checkpoint is not None else None
        got = verify.inclusion(bundle, key, kept, args.receipt)
        cp = got.checkpoint
        lines = [say("included", lang, tx=got.tx, index=got.index, size=cp.size, time=cp.time or "-")]
        if not got.envelope:
            lines.append(say("hash_only", lang))
        return [*lines, say("receipt_ok", lang)] if args.receipt else lines
    if args.consistency is not None:
        bundle = verify.load_bundle(_read(args.consistency, lang))
        old = _read(args.old, lang) if args.old is not None else None
        new = _read(args.new, lang) if args.new is not None else None
        old_cp, new_cp = verify.consistency(bundle, key, old, new)
        return [say("consistent", lang, old=old_cp.size, new=new_cp.size)]
    if args.checkpoint is not None:
        cp = verify.checkpoint(_read(args.checkpoint, lang), key)
        root = cp.root.hex()
        return [say("checkpoint_ok", lang, origin=cp.origin, size=cp.size, root=root, time=cp.time or "-")]
    raise Usage(say("one_of", lang))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    lang = lang_of(args.lang)
    try:
        lines = _run(args, lang)
    except Usage as err:
        print(f"{'Galat' if lang != 'en' else 'Error'}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except verify.VerifyError as err:
        print(f"{say('failed', lang)}: {err.text(lang)}")
        return EXIT_FAILED
    for line in lines:
        print(line)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
