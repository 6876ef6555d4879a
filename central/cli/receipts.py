"""``verify-receipt``: check a receipt's QR text against the ledger, and its place in the transparency log."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any, Final

from central.books.receipts import ReceiptCheck, verify_receipt
from central.ledger import Ledger
from central.messages import lang_of
from central.transparency import log as tlog
from central.transparency.verify import Included, VerifyError

LOG_TEXT: Final[dict[str, tuple[str, str]]] = {
    "included": (
        "Tercatat di buku pada posisi {index} dari checkpoint {size}, ditandatangani {time} (bukti inklusi "
        "diperiksa).",
        "Included in the books at position {index} of checkpoint {size}, signed at {time} (inclusion proof "
        "verified).",
    ),
    "pending": (
        "Belum ada di checkpoint yang ditandatangani (log transparansi belum disiapkan atau belum "
        "diperbarui).",
        "Not yet in a signed checkpoint (the transparency log is not set up, or not signed since).",
    ),
}


def _log_line(key: str, lang: str, **values: object) -> str:
    pair = LOG_TEXT[key]
    return (pair[1] if lang == "en" else pair[0]).format(**values)


def _inclusion(ledger: Ledger, txid: str) -> tuple[Included | None, VerifyError | None]:
    """(the verified inclusion, or None; the reason a proof failed, or None)."""
    tlog.prepare(ledger)
    with ledger.read() as conn:
        try:
            return tlog.proven(conn, txid), None
        except VerifyError as err:
            return None, err


def verify_receipt_command(ledger: Ledger, args: argparse.Namespace) -> int:
    lang = lang_of(getattr(args, "lang", None))
    check = verify_receipt(ledger, args.payload)
    included, broken = (None, None)
    if check.status in ("valid", "voided") and check.txid is not None:
        included, broken = _inclusion(ledger, check.txid)
    if args.json:
        row: dict[str, Any] = asdict(check)
        if included is not None:
            cp = included.checkpoint
            row["log"] = {"index": included.index, "size": cp.size, "signed_at": cp.time, "verified": True}
        elif broken is not None:
            row["log"] = {"verified": False, "failed": broken.text(lang)}
        print(json.dumps(row, ensure_ascii=False))
    else:
        print(check.message(lang))
        if check.status == "voided":
            print(
                ReceiptCheck("valid", **{k: v for k, v in asdict(check).items() if k != "status"}).message(
                    lang
                )
            )
        if included is not None:
            cp = included.checkpoint
            print(_log_line("included", lang, index=included.index, size=cp.size, time=cp.time))
        elif broken is not None:
            print(broken.text(lang))
        elif check.status in ("valid", "voided"):
            print(_log_line("pending", lang))
    if broken is not None:
        return 1
    return 0 if check.status in ("valid", "voided") else 1


def add_commands(subparsers: Any) -> None:
    """Add ``verify-receipt`` to central's command line."""
    parser = subparsers.add_parser(
        "verify-receipt",
        help="check a receipt's QR code (KOP1|id|signature) against the ledger and the transparency log",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("payload", help="the text of the receipt's QR code, quoted")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    parser.set_defaults(func=verify_receipt_command)
