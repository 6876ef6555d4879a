"""``python -m sync``: a device's sync service and its helpers.

    python -m sync --device DIR                 run the sync service (what systemd starts on the Pi)
    python -m sync status --device DIR          queue depth, last sync, connectivity
    python -m sync summary --device DIR --member A001   ask central for a member's summary
    python -m sync broker --port 1883           run the embedded (amqtt) broker in the foreground

Text is Bahasa Indonesia by default; ``--lang en`` or ``KOP_LANG=en`` for English.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from edge.i18n import current_lang, pick
from sync import witness
from sync.errors import SyncError

EXIT_OK: Final = 0
EXIT_FAIL: Final = 1
EXIT_USAGE: Final = 2
COMMANDS: Final = ("run", "status", "summary", "broker")

_TEXT: Final[dict[str, tuple[str, str]]] = {
    "error": ("Kesalahan", "Error"),
    "running": (
        "Layanan sinkron {device} berjalan; broker {host}:{port}",
        "Sync service {device} running; broker {host}:{port}",
    ),
    "stopped": ("Layanan sinkron berhenti.", "Sync service stopped."),
    "queue": ("Antrean belum terkirim", "Queue not yet delivered"),
    "last_ack": ("Terakhir dikonfirmasi pusat", "Last confirmed by central"),
    "last_sync": ("Sinkron terakhir", "Last sync"),
    "online": ("Terhubung", "Connected"),
    "log_checkpoint": ("Checkpoint log transparansi", "Transparency log checkpoint"),
    "yes": ("ya", "yes"),
    "no": ("tidak", "no"),
    "never": ("belum pernah", "never"),
    "timeout": (
        "Pusat tidak menjawab dalam {s} detik (perangkat offline?). Kios menampilkan salinan terakhir.",
        "Central did not answer within {s} s (device offline?). The kiosk shows the last saved copy.",
    ),
    "broker": (
        "Broker bawaan mendengarkan di {host}:{port}; Ctrl+C untuk berhenti.",
        "Embedded broker listening on {host}:{port}; Ctrl+C to stop.",
    ),
}


def t(key: str, lang: str, **kwargs: Any) -> str:
    id_text, en_text = _TEXT[key]
    return pick(current_lang(lang), id_text, en_text).format(**kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sync", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lang", default=None, help="id (default) or en; also KOP_LANG")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run a device's sync service until stopped (default command)")
    run.add_argument("--device", required=True, type=Path, help="device directory (with device.toml)")
    run.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")
    status = sub.add_parser("status", help="queue depth, last sync and connectivity of a device")
    status.add_argument("--device", required=True, type=Path, help="device directory")
    status.add_argument("--json", action="store_true", help="print JSON")
    summ = sub.add_parser("summary", help="ask central for a member's summary and save it on the device")
    summ.add_argument("--device", required=True, type=Path, help="device directory")
    summ.add_argument("--member", required=True, help="member number, e.g. A001")
    summ.add_argument("--timeout-s", type=float, default=5.0, help="how long to wait for central")
    broker = sub.add_parser("broker", help="run the embedded amqtt broker (MQTT 3.1.1) in the foreground")
    broker.add_argument("--host", default="127.0.0.1", help="address to listen on")
    broker.add_argument("--port", type=int, default=1883, help="port to listen on")
    for sub_parser in (run, status, summ, broker):
        sub_parser.add_argument("--lang", default=argparse.SUPPRESS, help="id (default) or en; also KOP_LANG")
    return parser


def _normalise(argv: list[str]) -> list[str]:
    """``python -m sync --device DIR`` means ``run --device DIR``: a command comes first (after --lang)."""
    rest = list(argv)
    lang_opts: list[str] = []
    if rest[:1] == ["--lang"]:
        lang_opts, rest = rest[:2], rest[2:]
    elif rest and rest[0].startswith("--lang="):
        lang_opts, rest = rest[:1], rest[1:]
    if not rest or rest[0] in COMMANDS or rest[0] in ("-h", "--help"):
        return argv
    return [*lang_opts, "run", *rest]


def _open_device(path: Path) -> Any:
    from edge.device import Device

    return Device.open(path)


def cmd_run(args: argparse.Namespace) -> int:
    from sync import settings as settings_mod
    from sync.uplink import DeviceSync

    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings = settings_mod.load(args.device)
    stop = threading.Event()

    def on_signal(_signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with _open_device(args.device) as dev:
        service = DeviceSync(dev, settings)
        broker = settings.broker
        print(t("running", args.lang, device=settings.device, host=broker.host, port=broker.port), flush=True)
        service.run(stop)
    print(t("stopped", args.lang), flush=True)
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    with _open_device(args.device) as dev:
        status = dev.status()
    if args.json:
        print(json.dumps(status.__dict__, ensure_ascii=False, sort_keys=True))
        return EXIT_OK
    lang = args.lang
    never = t("never", lang)
    print(f"{t('queue', lang)}: {status.outbox_depth}")
    print(f"{t('last_ack', lang)}: seq {status.last_ack_seq} ({status.last_ack_at or never})")
    print(f"{t('last_sync', lang)}: {status.last_sync_at or never}")
    print(f"{t('online', lang)}: {t('yes' if status.connected else 'no', lang)}")
    witnessed = f"{status.witness_size} ({status.witness_at})" if status.witness_at else never
    print(f"{t('log_checkpoint', lang)}: {witnessed}")
    if status.witness_problem is not None:
        print(witness.Problem(*status.witness_problem).text(lang))
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    from sync import summary
    from sync.errors import SummaryTimeout

    with _open_device(args.device) as dev:
        try:
            result = summary.request(args.device, args.member, args.timeout_s, device=dev)
        except SummaryTimeout:
            print(t("timeout", args.lang, s=args.timeout_s), file=sys.stderr)
            return EXIT_FAIL
    print(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True))
    return EXIT_OK


def cmd_broker(args: argparse.Namespace) -> int:
    from sync.embedded import EmbeddedBroker

    stop = threading.Event()

    def on_signal(_signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with EmbeddedBroker(args.port, args.host):
        print(t("broker", args.lang, host=args.host, port=args.port), flush=True)
        stop.wait()
    return EXIT_OK


HANDLERS: Final = {
    "run": cmd_run,
    "status": cmd_status,
    "summary": cmd_summary,
    "broker": cmd_broker,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; mistakes print a message and return non-zero, never a traceback."""
    args = build_parser().parse_args(_normalise(list(sys.argv[1:] if argv is None else argv)))
    if args.command is None:
        build_parser().print_help()
        return EXIT_USAGE
    try:
        return HANDLERS[args.command](args)
    except SyncError as err:
        print(f"{t('error', args.lang)}: {err.message(args.lang)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as err:
        from edge.errors import EdgeError

        if isinstance(err, EdgeError):
            print(f"{t('error', args.lang)}: {err.message(args.lang)}", file=sys.stderr)
            return err.exit_code
        raise
