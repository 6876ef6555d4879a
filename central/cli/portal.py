"""``python -m central portal``: serve the web portal, and the office's login commands.

``portal [--listen HOST:PORT]`` runs it with uvicorn; ``portal issue-login NUMBER`` prints a one-time
activation code (for an existing login it is the office's reset); ``portal logins`` lists the accounts.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from central.errors import CentralError
from central.ledger import Ledger
from central.portal import accounts, text
from central.portal.errors import PortalError
from central.portal.settings import Settings

DEFAULT_LISTEN: Final = "127.0.0.1:8080"
EXIT_OK: Final = 0
MAX_PORT: Final = 65535
MAX_WORKERS: Final = 64


def add_commands(sub: Any) -> None:
    """Add ``portal`` and its office subcommands."""
    p = sub.add_parser("portal", help="serve the web portal; issue-login, logins (docs/portal.md)")
    p.add_argument(
        "--listen", default=DEFAULT_LISTEN, help=f"HOST:PORT to serve on (default {DEFAULT_LISTEN})"
    )
    p.add_argument(
        "--https",
        action="store_true",
        help="the portal is reached over https (behind nginx or Caddy): cookies get Secure, and HSTS is sent",
    )
    p.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="proxies whose X-Forwarded-For names the client's address (default 127.0.0.1)",
    )
    p.add_argument("--public-url", help="the address members open, printed with activation codes")
    p.add_argument(
        "--office-key",
        type=Path,
        help="the office key file, for members' disputes and loan payouts recorded on the office's chain"
        " (default: $KOP_OFFICE_KEY, or beside the SQLite file; see `office init`)",
    )
    p.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="worker processes (default 1; about one per CPU core serves many members at once)",
    )
    p.set_defaults(func=cmd_serve)
    psub = p.add_subparsers(dest="portal_action", metavar="ACTION")
    i = psub.add_parser("issue-login", help="print a one-time activation code (a new one resets the login)")
    i.add_argument("name", help="member number, or a staff user name with --staff")
    i.add_argument(
        "--staff", metavar="ROLE", help=f"a staff account with this role ({', '.join(accounts.STAFF_ROLES)})"
    )
    i.add_argument(
        "--days", type=int, default=accounts.ACTIVATION_DAYS, help="days the code stays valid (default 7)"
    )
    i.add_argument("--by", help="who issues it (default: the logged-in user)")
    i.set_defaults(func=cmd_issue_login)
    ls = psub.add_parser("logins", help="list portal accounts")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_logins)


def _listen(value: str, lang: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) <= MAX_PORT:
        raise CentralError(text.t("bad_listen", lang))
    return host.strip("[]"), int(port)


def _workers(text_: str) -> int:
    if not text_.isascii() or not text_.isdigit() or not 1 <= int(text_) <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"--workers must be 1 to {MAX_WORKERS}, got {text_!r}")
    return int(text_)


def cmd_serve(ledger: Ledger, args: argparse.Namespace) -> int:
    """Serve the portal until interrupted."""
    import uvicorn

    from central.portal import create_app

    host, port = _listen(args.listen, args.lang)
    ledger.config  # noqa: B018 - fails early with the CLI's message when not initialised
    ledger.require_current()  # the pages read tables of this schema version: an older ledger says `upgrade`
    scheme = "https" if args.https else "http"
    settings = Settings(
        secure_cookies=args.https,
        public_url=args.public_url or f"{scheme}://{args.listen}",
        office_key=args.office_key,
    )
    print(text.t("listening", args.lang, listen=args.listen), flush=True)
    common: dict[str, Any] = {}
    if args.workers > 1:  # each worker opens the ledger itself (central.portal.factory)
        from central.portal import factory

        os.environ[factory.ENV] = factory.worker_env(ledger.target, settings)
        target: Any = "central.portal.factory:app"
        common = {"factory": True, "workers": args.workers}
    else:
        target = create_app(ledger, settings)
    uvicorn.run(
        target,
        **common,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        server_header=False,
        log_level="info",
    )
    return EXIT_OK


def _who(by: str | None) -> str:
    if by:
        return f"cli:{by}"
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:?"


def cmd_issue_login(ledger: Ledger, args: argparse.Namespace) -> int:
    """Print a one-time activation code for a member or staff account."""
    ledger.config  # noqa: B018
    try:
        issued = accounts.issue_login(
            ledger, Settings().hasher, args.name, staff_role=args.staff, by=_who(args.by), days=args.days
        )
    except PortalError as err:
        raise CentralError(text.t(err.key, args.lang, **err.values)) from err
    expires = datetime.fromtimestamp(issued.expires_ts, ledger.config.tz).strftime("%Y-%m-%d %H:%M")
    url = args.public_url or "http://" + args.listen
    print(text.t("issued", args.lang, login=issued.login, code=issued.code, expires=expires, url=url))
    return EXIT_OK


def cmd_logins(ledger: Ledger, args: argparse.Namespace) -> int:
    """List portal accounts (never a hash or a code)."""
    rows = accounts.login_list(ledger)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return EXIT_OK
    for row in rows:
        state = "state_disabled" if row["disabled"] else "state_active" if row["active"] else "state_waiting"
        role = str(row["staff_role"] or "anggota")
        print(f"{row['login']}\t{text.role_name(role, args.lang)}\t{text.t(state, args.lang)}")
    return EXIT_OK
