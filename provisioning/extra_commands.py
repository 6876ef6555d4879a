"""Subcommands for the Pi, the office server and members: pi-files, office-files, doctor, watchdog, cards."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from provisioning.i18n import pick

EXIT_CHECK_FAILED = 3


def cmd_pi_files(args: argparse.Namespace, lang: str) -> int:
    from provisioning.pi import PiOptions, write_pi_files

    no_printer = args.no_printer
    options = PiOptions(
        prefix=args.prefix,
        data_dir=args.data_dir,
        device_dir=args.device_dir or f"{args.data_dir.rstrip('/')}/device",
        user=args.user,
        scanner_vendor=args.scanner_vendor.lower(),
        scanner_product=args.scanner_product.lower(),
        printer_vendor=None if no_printer else args.printer_vendor.lower(),
        printer_product=None if no_printer else args.printer_product.lower(),
        lang=lang,
    )
    for path in write_pi_files(options, Path(args.out)):
        print(path)
    return 0


def cmd_office_files(args: argparse.Namespace, lang: str) -> int:
    from provisioning.office import OfficeOptions, write_office_files

    options = OfficeOptions(
        prefix=args.prefix,
        data_dir=args.data_dir,
        db=args.db or f"{args.data_dir.rstrip('/')}/central.sqlite",
        backup_dir=args.backup_dir,
        user=args.user,
        broker=args.broker,
        tls_dir=args.tls_dir,
        backup_time=args.backup_time,
        keep_daily=args.keep_daily,
        keep_monthly=args.keep_monthly,
        lang=lang,
        portal_listen=args.portal_listen,
        portal_url=args.portal_url,
        portal_workers=args.portal_workers,
        office_key=args.office_key,
        notify_modem=args.notify_modem,
    )
    for path in write_office_files(options, Path(args.out)):
        print(path)
    return 0


def cmd_doctor(args: argparse.Namespace, lang: str) -> int:
    from provisioning.doctor import diagnose

    findings = diagnose(
        Path(args.device),
        scanner=Path(args.scanner),
        printer=None if args.no_printer else Path(args.printer),
        broker=not args.offline,
    )
    for finding in findings:
        print(finding.line(lang))
    failed = [f for f in findings if not f.ok]
    if failed:
        print(
            pick(
                lang,
                f"{len(failed)} hal perlu diperbaiki sebelum berjualan",
                f"{len(failed)} thing(s) to fix before selling",
            )
        )
        return EXIT_CHECK_FAILED
    print(pick(lang, "perangkat siap berjualan", "the device is ready to sell"))
    return 0


def cmd_watchdog(args: argparse.Namespace, lang: str) -> int:
    from provisioning.watchdog import supervise

    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    heartbeat = Path(args.heartbeat) if args.heartbeat else None
    return supervise(command, heartbeat=heartbeat, stale_s=args.stale_s)


def cmd_cards(args: argparse.Namespace, lang: str) -> int:
    from provisioning.cards import read_members_csv, render_pdf

    cards = read_members_csv(Path(args.members))
    pages = render_pdf(cards, Path(args.out), title=args.title)
    print(
        pick(
            lang,
            f"{len(cards)} kartu di {pages} lembar A4: {args.out}",
            f"{len(cards)} cards on {pages} A4 sheet(s): {args.out}",
        )
    )
    return 0


def cmd_demo_world(args: argparse.Namespace, lang: str) -> int:
    from provisioning import world

    report = world.run_demo(
        args.dir, devices=args.devices, sales=args.sales, offline_sales=args.offline_sales, lang=lang
    )
    print(world.format_report(report, lang))
    return 0 if report["ok"] else EXIT_CHECK_FAILED


def cmd_demo_pki(args: argparse.Namespace, lang: str) -> int:
    import json

    from provisioning.demo import mosquitto_available, setup_pki
    from provisioning.errors import InvalidName

    devices = []
    for spec in args.device:
        parts = spec.split(":")
        if len(parts) != 3:
            raise InvalidName(
                f"--device {spec!r} harus ID:UNIT:CABANG, mis. toko-01:toko:pusat",
                f"--device {spec!r} must be ID:UNIT:BRANCH, e.g. toko-01:toko:pusat",
            )
        devices.append((parts[0], parts[1], parts[2]))
    pki = setup_pki(
        Path(args.dir), args.coop, devices, broker_port=args.broker_port, central_db=args.central_db
    )
    mosquitto = mosquitto_available()
    summary = {
        "broker_conf": str(pki.broker_conf),
        "broker_port": pki.broker_port,
        "mosquitto": mosquitto,
        "ca_cert": str(pki.ca_cert),
        "central_cert": str(pki.central_cert),
        "central_key": str(pki.central_key),
        "bundles": {k: str(v) for k, v in pki.bundles.items()},
        "tokens": pki.tokens,
        "ca_dir": str(pki.ca_dir),
        "passphrase_file": str(pki.passphrase_file),
    }
    print(json.dumps(summary, indent=2, sort_keys=True))
    if mosquitto is None:
        print(
            pick(
                lang,
                "Mosquitto tidak terpasang: broker tertanam (amqtt) tidak bisa menegakkan TLS klien + ACL",
                "Mosquitto is not installed: the embedded broker (amqtt) cannot enforce client TLS + ACLs",
            )
        )
    return 0


def add(sub: Any, add_common: Callable[..., None]) -> None:
    """Register the extra subcommands on ``sub``."""
    pi = sub.add_parser("pi-files", help="systemd units, udev rules and read-only root notes for a kiosk")
    add_common(pi)
    pi.add_argument("--out", required=True, help="directory to write etc/systemd/... and etc/udev/... into")
    pi.add_argument("--prefix", default="/opt/koperasi", help="install prefix; the venv is <prefix>/venv")
    pi.add_argument("--data-dir", default="/var/lib/koperasi", help="the writable data partition")
    pi.add_argument("--device-dir", help="device directory (default <data-dir>/device)")
    pi.add_argument("--user", default="kiosk", help="user the services run as (default kiosk)")
    pi.add_argument("--scanner-vendor", default="05e0", help="scanner USB vendor id (lsusb), 4 hex digits")
    pi.add_argument("--scanner-product", default="1200", help="scanner USB product id, 4 hex digits")
    pi.add_argument("--printer-vendor", default="0416", help="receipt printer USB vendor id")
    pi.add_argument("--printer-product", default="5011", help="receipt printer USB product id")
    pi.add_argument("--no-printer", action="store_true", help="no receipt printer at this kiosk")
    pi.set_defaults(handler=cmd_pi_files)

    office = sub.add_parser(
        "office-files", help="systemd units for the office server: central serve, nightly backup + timer"
    )
    add_common(office)
    office.add_argument("--out", required=True, help="directory to write etc/systemd/system/... into")
    office.add_argument("--prefix", default="/opt/koperasi", help="install prefix; the venv is <prefix>/venv")
    office.add_argument("--data-dir", default="/var/lib/koperasi", help="where the ledger lives")
    office.add_argument("--db", help="ledger path (default <data-dir>/central.sqlite) or postgresql:// URL")
    office.add_argument("--backup-dir", default="/var/backups/koperasi", help="folder of the nightly backups")
    office.add_argument("--user", default="koperasi", help="user the services run as (default koperasi)")
    office.add_argument("--broker", default="127.0.0.1:8883", help="broker HOST:PORT for central serve")
    office.add_argument("--tls-dir", default="/etc/koperasi/tls", help="ca.pem, central.pem, central.key")
    office.add_argument("--backup-time", default="02:30", help="local time of the nightly backup, HH:MM")
    office.add_argument("--keep-daily", type=int, default=14, help="daily backups kept (default 14)")
    office.add_argument("--keep-monthly", type=int, default=12, help="monthly backups kept (default 12)")
    office.add_argument("--portal-listen", default="127.0.0.1:8080", help="the portal's loopback HOST:PORT")
    office.add_argument(
        "--portal-url", default="https://portal.koperasi.example", help="the address members open (https)"
    )
    office.add_argument(
        "--portal-workers", type=int, default=2, help="portal worker processes (about one per core)"
    )
    office.add_argument(
        "--office-key", default="/etc/koperasi/office.key", help="the office key the portal signs with"
    )
    office.add_argument(
        "--notify-modem",
        default="/dev/ttyUSB2",
        help="the GSM modem's port for the SMS service (docs/notify.md)",
    )
    office.set_defaults(handler=cmd_office_files)

    doctor = sub.add_parser("doctor", help="check a device: bundle, clock, broker, scanner, printer")
    add_common(doctor)
    doctor.add_argument("--device", required=True, help="device directory (or an enrollment bundle)")
    doctor.add_argument("--scanner", default="/dev/koperasi/scanner", help="scanner device node")
    doctor.add_argument("--printer", default="/dev/koperasi/printer", help="printer device node")
    doctor.add_argument("--no-printer", action="store_true", help="this kiosk has no printer")
    doctor.add_argument("--offline", action="store_true", help="skip the broker check")
    doctor.set_defaults(handler=cmd_doctor)

    watchdog = sub.add_parser(
        "watchdog", help="run a service under systemd's watchdog (used by the generated units)"
    )
    add_common(watchdog)
    watchdog.add_argument("--heartbeat", help="file the service touches; pings stop when it goes stale")
    watchdog.add_argument("--stale-s", type=float, default=120.0, help="heartbeat age that counts as hung")
    watchdog.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND ARGS...")
    watchdog.set_defaults(handler=cmd_watchdog)

    cards = sub.add_parser("cards", help="printable member cards (QR + Code 128) on A4 sheets")
    add_common(cards)
    cards.add_argument("--members", required=True, help="central's members export CSV (with card_code)")
    cards.add_argument("--out", required=True, help="PDF to write (not overwritten)")
    cards.add_argument("--title", default="Kartu Anggota Koperasi", help="printed at the top of each card")
    cards.set_defaults(handler=cmd_cards)

    demo = sub.add_parser(
        "demo-pki", help="a throw-away CA, enrolled devices and a Mosquitto config (for demos)"
    )
    add_common(demo)
    demo.add_argument("--dir", required=True, help="directory to create everything in")
    demo.add_argument("--coop", default="kopmaju", help="cooperative id (default kopmaju)")
    demo.add_argument("--device", action="append", default=[], help="ID:UNIT:BRANCH, repeatable")
    demo.add_argument("--broker-port", type=int, default=8883, help="port Mosquitto will listen on")
    demo.add_argument("--central-db", help="central's ledger to register the devices in")
    demo.set_defaults(handler=cmd_demo_pki)

    world = sub.add_parser(
        "demo-world", help="a whole cooperative in one process: embedded broker, central, devices, an outpost"
    )
    add_common(world)
    world.add_argument("--dir", required=True, type=Path, help="an empty directory for the demo's files")
    world.add_argument("--devices", type=int, default=3, help="how many devices (1..20)")
    world.add_argument("--sales", type=int, default=20, help="sales per device (1..10000)")
    world.add_argument("--offline-sales", type=int, default=10, help="sales on the outpost while offline")
    world.set_defaults(handler=cmd_demo_world)
