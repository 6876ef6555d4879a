"""``verify-receipt``: check a receipt's QR text against the ledger."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from central.books.receipts import ReceiptCheck, verify_receipt
from central.ledger import Ledger
from central.messages import lang_of


def verify_receipt_command(ledger: Ledger, args: argparse.Namespace) -> int:
    lang = lang_of(getattr(args, "lang", None))
    check = verify_receipt(ledger, args.payload)
    if args.json:
        print(json.dumps(asdict(check), ensure_ascii=False))
    else:
        print(check.message(lang))
        if check.status == "voided":
            print(
                ReceiptCheck("valid", **{k: v for k, v in asdict(check).items() if k != "status"}).message(
                    lang
                )
            )
    return 0 if check.status in ("valid", "voided") else 1


def add_commands(subparsers: Any) -> None:
    """Add ``verify-receipt`` to central's command line."""
    parser = subparsers.add_parser(
        "verify-receipt",
        help="check a receipt's QR code (KOP1|id|signature) against the ledger",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("payload", help="the text of the receipt's QR code, quoted")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    parser.set_defaults(func=verify_receipt_command)
