"""``serve``: run central's MQTT service (``central.serve.Server``) from the command line."""

from __future__ import annotations

import argparse
import logging
import os
import threading
from typing import Any

from central.serve.server import DOWNLINK_INTERVAL_S, Server, ServeSettings, log
from sync.settings import BrokerSettings


def add_commands(subparsers: Any) -> None:
    """Add ``serve`` to central's command line."""
    parser = subparsers.add_parser(
        "serve",
        help="run central's MQTT service: ingest device uplinks, ack, publish downlinks",
        description=(
            "Runs central's MQTT service: takes the devices' uplinks into the ledger, acks them, answers\n"
            "member-summary requests and publishes catalog, members and config to each branch.\n"
            "Stop it with Ctrl-C or SIGTERM; what was committed stays committed. See docs/sync.md."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--broker", default="127.0.0.1:1883", help="broker host:port")
    parser.add_argument("--username", default="", help="broker username (password auth)")
    parser.add_argument(
        "--password-env", default="KOP_BROKER_PASSWORD", help="variable holding the broker password"
    )
    parser.add_argument("--ca", default="", help="CA certificate (PEM) for TLS")
    parser.add_argument("--cert", default="", help="client certificate (PEM) for TLS")
    parser.add_argument("--key", default="", help="client key (PEM) for TLS")
    parser.add_argument("--mqtt-version", type=int, choices=(3, 5), default=5, help="5, or 3 for MQTT 3.1.1")
    parser.add_argument("--branch", action="append", default=[], help="publish downlinks to this branch too")
    parser.add_argument(
        "--downlink-interval-s", type=float, default=DOWNLINK_INTERVAL_S, help="how often to publish changes"
    )
    parser.add_argument("--client-id", default="central", help="MQTT client id (one per running central)")
    parser.set_defaults(func=serve_command)


def _broker_from(args: argparse.Namespace) -> BrokerSettings:
    from pathlib import Path

    from central.errors import CentralError

    host, sep, port_text = str(args.broker).rpartition(":")
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise CentralError(f"--broker {args.broker!r} must look like host:port, e.g. 127.0.0.1:1883")
    tls_files = [args.ca, args.cert, args.key]
    if any(tls_files) and not all(tls_files):
        raise CentralError("TLS needs all three of --ca, --cert and --key")
    for name in tls_files:
        if name and not Path(name).is_file():
            raise CentralError(f"TLS file {name} does not exist")
    return BrokerSettings(
        host=host,
        port=int(port_text),
        tls=all(tls_files),
        ca=Path(args.ca) if args.ca else None,
        cert=Path(args.cert) if args.cert else None,
        key=Path(args.key) if args.key else None,
        username=args.username,
        password=os.environ.get(args.password_env, ""),
        mqtt_version=args.mqtt_version,
    )


def serve_command(ledger: Any, args: argparse.Namespace) -> int:
    """``python -m central --db DB serve ...``: run until interrupted (SIGTERM/SIGINT)."""
    import signal

    ledger.require_current()  # an outdated ledger is named before connecting, not on the first message
    broker = _broker_from(args)
    settings = ServeSettings(
        coop=ledger.config.coop,
        broker=broker,
        client_id=args.client_id,
        downlink_interval_s=args.downlink_interval_s,
        branches=tuple(args.branch),
    )
    stop = threading.Event()

    def on_signal(_signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log.info("central serve: coop %s, broker %s:%d", settings.coop, broker.host, broker.port)
    Server(ledger, settings).run(stop)
    return 0
