"""``python -m drivers``: tools for technicians to check scanners, printers and the GSM modem.

    python -m drivers scan --events FILE [--layout us]     decode a recording of /dev/input/eventN
    python -m drivers scan --device PATH | --vendor ID --product ID | --name TEXT | --serial PORT
    python -m drivers scan --list                          list input devices
    python -m drivers receipt --json R.json --width 58 --out FILE.bin | --printer URI
    python -m drivers receipt --decode FILE.bin            show a receipt's text and QR payload
    python -m drivers receipt --reprint --printer URI --state-dir DIR
    python -m drivers receipt --kick --printer URI         open the cash drawer
    python -m drivers modem --port PORT status | send NUMBER TEXT
    python -m drivers demo [--out DIR]                     receipt to a file and back, SMS to a fake modem

Messages are in Bahasa Indonesia; ``--lang en`` or ``KOP_LANG=en`` switches to English. Mistakes
exit with code 2 and a message saying what to fix; hardware problems exit with code 3.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from drivers.errors import DriverError

EXIT_USAGE: Final = 2
EXIT_HARDWARE: Final = 3
EXIT_INTERRUPTED: Final = 130
MAX_LIVE_SCANS: Final = 100_000
MAX_RECORDING_BYTES: Final = 64 * 1024 * 1024
MAX_JSON_BYTES: Final = 1024 * 1024

TEXT: Final[dict[str, dict[str, str]]] = {
    "id": {
        "description": "Alat teknisi untuk pemindai barcode, printer struk dan modem GSM.",
        "lang": "bahasa pesan: id (bawaan) atau en",
        "scan": "baca hasil pindai dari rekaman, perangkat evdev atau port serial",
        "events": "berkas rekaman struct input_event mentah (dari /dev/input/eventN)",
        "layout": "tata letak keyboard pemindai: us, de, fr (bawaan us)",
        "record_size": "ukuran rekaman: 24 (64-bit) atau 16 (32-bit)",
        "end": "akhir pindaian: enter (bawaan) atau timeout (pemindai tanpa sufiks)",
        "timeout_ms": "jeda antar-tombol maksimum dalam milidetik (bawaan 100)",
        "device": "jalur perangkat evdev, misalnya /dev/input/event3",
        "vendor": "id vendor USB (heksa), misalnya 05e0",
        "product": "id produk USB (heksa), misalnya 1200",
        "name": "bagian nama perangkat, misalnya Scanner",
        "serial": "port pemindai serial, misalnya /dev/ttyACM0",
        "baud": "baud rate serial (bawaan 9600)",
        "terminator": "akhir baris pemindai serial: cr (bawaan), lf, crlf",
        "no_grab": "jangan ambil alih perangkat secara eksklusif (hanya untuk uji)",
        "count": "berhenti setelah N pindaian",
        "list": "tampilkan perangkat input yang ada",
        "receipt": "buat, cetak, baca ulang atau cetak ulang struk",
        "json": "berkas JSON data struk",
        "width": "lebar kertas: 58 atau 80 mm",
        "out": "tulis byte ESC/POS ke berkas ini",
        "printer": "alamat printer: usb:VVVV:PPPP, serial:/dev/ttyUSB0, tcp://HOST:9100, file:/dev/usb/lp0",
        "state_dir": "direktori untuk menyimpan struk terakhir (cetak ulang)",
        "decode": "tampilkan teks dan isi QR dari berkas ESC/POS",
        "reprint": "cetak ulang struk terakhir",
        "kick": "buka laci uang",
        "modem": "periksa modem GSM atau kirim SMS",
        "port": "port serial modem, misalnya /dev/ttyUSB2",
        "action": "status, atau send NOMOR TEKS",
        "none_found": "tidak ada perangkat input (atau tidak ada izin membaca /dev/input)",
        "dropped": "dibuang",
        "wrote": "ditulis",
        "printed": "dicetak",
        "paper": "kertas",
        "sent": "terkirim, referensi",
        "need_source": "pilih satu sumber: --events, --device, --vendor/--product, --name, --serial "
        "atau --list",
        "need_target": "beri --out FILE atau --printer URI",
        "need_json": "beri --json FILE (atau --decode, --reprint, --kick)",
        "need_printer": "--reprint dan --kick memerlukan --printer URI",
        "need_state": "--reprint memerlukan --state-dir DIR",
        "send_args": "send memerlukan NOMOR dan TEKS",
        "bad_json": "berkas {path} bukan JSON yang sah: {err}",
        "no_file": "berkas {path} tidak ada atau tidak bisa dibaca",
        "too_big": "berkas {path} terlalu besar (lebih dari {limit} byte)",
        "bad_value": "nilai tidak sah: {err}",
        "interrupted": "dihentikan",
        "signal": "sinyal",
        "operator": "operator",
        "registration": "registrasi",
        "model": "model",
        "demo": "demo: struk ke berkas lalu dibaca ulang, SMS ke modem tiruan",
        "demo_out": "direktori keluaran demo (bawaan: direktori sementara)",
    },
    "en": {
        "description": "Technician tools for barcode scanners, receipt printers and the GSM modem.",
        "lang": "message language: id (default) or en",
        "scan": "read scans from a recording, an evdev device or a serial port",
        "events": "file of raw struct input_event records (as read from /dev/input/eventN)",
        "layout": "the scanner's keyboard layout: us, de, fr (default us)",
        "record_size": "record size: 24 (64-bit) or 16 (32-bit)",
        "end": "what ends a scan: enter (default) or timeout (scanner without suffix)",
        "timeout_ms": "longest pause between keys in milliseconds (default 100)",
        "device": "evdev device path, e.g. /dev/input/event3",
        "vendor": "USB vendor id (hex), e.g. 05e0",
        "product": "USB product id (hex), e.g. 1200",
        "name": "part of the device name, e.g. Scanner",
        "serial": "serial scanner port, e.g. /dev/ttyACM0",
        "baud": "serial baud rate (default 9600)",
        "terminator": "serial scanner line end: cr (default), lf, crlf",
        "no_grab": "do not grab the device exclusively (testing only)",
        "count": "stop after N scans",
        "list": "list the input devices present",
        "receipt": "build, print, read back or reprint a receipt",
        "json": "receipt data JSON file",
        "width": "paper width: 58 or 80 mm",
        "out": "write the ESC/POS bytes to this file",
        "printer": "printer address: usb:VVVV:PPPP, serial:/dev/ttyUSB0, tcp://HOST:9100, file:/dev/usb/lp0",
        "state_dir": "directory that keeps the last receipt (for reprint)",
        "decode": "show the text and QR payload of an ESC/POS file",
        "reprint": "print the last receipt again",
        "kick": "open the cash drawer",
        "modem": "check the GSM modem or send an SMS",
        "port": "modem serial port, e.g. /dev/ttyUSB2",
        "action": "status, or send NUMBER TEXT",
        "none_found": "no input devices (or no permission to read /dev/input)",
        "dropped": "dropped",
        "wrote": "wrote",
        "printed": "printed",
        "paper": "paper",
        "sent": "sent, reference",
        "need_source": "choose one source: --events, --device, --vendor/--product, --name, --serial "
        "or --list",
        "need_target": "give --out FILE or --printer URI",
        "need_json": "give --json FILE (or --decode, --reprint, --kick)",
        "need_printer": "--reprint and --kick need --printer URI",
        "need_state": "--reprint needs --state-dir DIR",
        "send_args": "send needs NUMBER and TEXT",
        "bad_json": "file {path} is not valid JSON: {err}",
        "no_file": "file {path} does not exist or cannot be read",
        "too_big": "file {path} is too big (more than {limit} bytes)",
        "bad_value": "invalid value: {err}",
        "interrupted": "interrupted",
        "signal": "signal",
        "operator": "operator",
        "registration": "registration",
        "model": "model",
        "demo": "demo: a receipt to a file and read back, an SMS to a fake modem",
        "demo_out": "demo output directory (default: a temporary directory)",
    },
}


class UsageError(Exception):
    """A mistake in the command line, reported with exit code 2."""


def _lang(argv: Sequence[str]) -> str:
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return "en" if argv[index + 1] == "en" else "id"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "id"
    return "en" if os.environ.get("KOP_LANG", "id") == "en" else "id"


def build_parser(lang: str = "id") -> argparse.ArgumentParser:
    """The command-line parser, with help in ``lang``."""
    t = TEXT[lang]
    parser = argparse.ArgumentParser(prog="python -m drivers", description=t["description"])
    parser.add_argument("--lang", choices=("id", "en"), help=t["lang"])
    commands = parser.add_subparsers(dest="command", required=True)
    # --lang is accepted after the command too (its default must not hide the one given before it).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=("id", "en"), default=argparse.SUPPRESS, help=t["lang"])

    scan = commands.add_parser("scan", help=t["scan"], description=t["scan"], parents=[common])
    scan.add_argument("--events", metavar="FILE", help=t["events"])
    scan.add_argument("--device", metavar="PATH", help=t["device"])
    scan.add_argument("--vendor", metavar="HEX", help=t["vendor"])
    scan.add_argument("--product", metavar="HEX", help=t["product"])
    scan.add_argument("--name", metavar="TEXT", help=t["name"])
    scan.add_argument("--serial", metavar="PORT", help=t["serial"])
    scan.add_argument("--list", action="store_true", help=t["list"])
    scan.add_argument("--layout", default="us", help=t["layout"])
    scan.add_argument("--record-size", type=int, choices=(16, 24), default=None, help=t["record_size"])
    scan.add_argument("--end", choices=("enter", "timeout"), default="enter", help=t["end"])
    scan.add_argument("--timeout-ms", type=int, default=100, help=t["timeout_ms"])
    scan.add_argument("--baud", type=int, default=9600, help=t["baud"])
    scan.add_argument("--terminator", default="cr", help=t["terminator"])
    scan.add_argument("--no-grab", action="store_true", help=t["no_grab"])
    scan.add_argument("--count", type=int, default=None, help=t["count"])

    receipt = commands.add_parser("receipt", help=t["receipt"], description=t["receipt"], parents=[common])
    receipt.add_argument("--json", metavar="FILE", help=t["json"])
    receipt.add_argument("--width", type=int, choices=(58, 80), default=58, help=t["width"])
    receipt.add_argument("--out", metavar="FILE", help=t["out"])
    receipt.add_argument("--printer", metavar="URI", help=t["printer"])
    receipt.add_argument("--state-dir", metavar="DIR", help=t["state_dir"])
    receipt.add_argument("--decode", metavar="FILE", help=t["decode"])
    receipt.add_argument("--reprint", action="store_true", help=t["reprint"])
    receipt.add_argument("--kick", action="store_true", help=t["kick"])

    modem = commands.add_parser("modem", help=t["modem"], description=t["modem"], parents=[common])
    modem.add_argument("--port", required=True, help=t["port"])
    modem.add_argument("--baud", type=int, default=115200, help=t["baud"])
    modem.add_argument("action", choices=("status", "send"), help=t["action"])
    modem.add_argument("args", nargs="*", metavar="NUMBER TEXT")

    demo = commands.add_parser("demo", help=t["demo"], description=t["demo"], parents=[common])
    demo.add_argument("--out", metavar="DIR", help=t["demo_out"])
    return parser


def _read_file(path: str, limit: int, t: dict[str, str]) -> bytes:
    try:
        file = Path(path)
        if file.stat().st_size > limit:
            raise UsageError(t["too_big"].format(path=path, limit=limit))
        return file.read_bytes()
    except OSError as err:
        raise UsageError(t["no_file"].format(path=path)) from err


def _hex(value: str | None) -> int | None:
    return None if value is None else int(value, 16)


def _scan(args: argparse.Namespace, lang: str) -> int:
    from drivers.keydecode import EVENT_SIZE, DecoderConfig, decode_events, parse_events
    from drivers.scanner import ScannerBase

    t = TEXT[lang]
    if args.list:
        from drivers.evdev_scanner import list_input_devices

        devices = list_input_devices()
        for path, name, vendor, product in devices:
            print(f"{path}\t{vendor:04x}:{product:04x}\t{name}")
        if not devices:
            print(t["none_found"], file=sys.stderr)
        return 0
    config = DecoderConfig(layout=args.layout, end=args.end, timeout_s=args.timeout_ms / 1000)
    if args.events:
        data = _read_file(args.events, MAX_RECORDING_BYTES, t)
        source = f"file:{args.events}"
        scans, fragments = decode_events(parse_events(data, args.record_size or EVENT_SIZE), config, source)
        for scan in scans:
            print(f"{scan.code}\t{scan.kind}")
        for fragment in fragments:
            print(f"# {t['dropped']} ({fragment.reason}): {fragment.text}", file=sys.stderr)
        return 0
    scanner: ScannerBase
    if args.serial:
        from drivers.linedecode import terminator_bytes
        from drivers.serial_scanner import SerialScanner

        scanner = SerialScanner(
            args.serial, baud=args.baud, terminator=terminator_bytes(args.terminator), reopen=True
        )
    elif args.device or args.vendor or args.product or args.name:
        from drivers.evdev_scanner import EvdevScanner

        scanner = EvdevScanner(
            args.device,
            vendor=_hex(args.vendor),
            product=_hex(args.product),
            name=args.name,
            config=config,
            grab=not args.no_grab,
        )
    else:
        raise UsageError(t["need_source"])
    limit = min(args.count or MAX_LIVE_SCANS, MAX_LIVE_SCANS)
    with scanner:
        for seen, live in enumerate(scanner, start=1):
            print(f"{live.code}\t{live.kind}", flush=True)
            if seen >= limit:
                break
    return 0


def _receipt(args: argparse.Namespace, lang: str) -> int:
    from drivers import receipt as receipts

    t = TEXT[lang]
    if args.decode:
        text, payloads = receipts.decode_for_humans(_read_file(args.decode, receipts.MAX_DECODE_BYTES, t))
        print(text, end="")
        for payload in payloads:
            print(f"QR: {payload}")
        return 0
    if args.reprint or args.kick:
        from drivers.printer import ReceiptPrinter

        if not args.printer:
            raise UsageError(t["need_printer"])
        if args.reprint and not args.state_dir:
            raise UsageError(t["need_state"])
        with ReceiptPrinter(args.printer, args.state_dir) as printer:
            if args.reprint:
                result = printer.reprint_last()
                print(f"{t['printed']}: {result.sent_bytes} B, {t['paper']}: {result.paper}")
            if args.kick:
                printer.kick_drawer()
        return 0
    if not args.json:
        raise UsageError(t["need_json"])
    if not args.out and not args.printer:
        raise UsageError(t["need_target"])
    raw = _read_file(args.json, MAX_JSON_BYTES, t)
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UsageError(t["bad_json"].format(path=args.json, err=err)) from err
    receipt = receipts.receipt_from_dict(data)
    out_bytes = receipts.build_receipt(receipt, args.width, lang)
    if args.out:
        Path(args.out).write_bytes(out_bytes)
        print(f"{t['wrote']}: {args.out} ({len(out_bytes)} B)")
    if args.printer:
        from drivers.printer import ReceiptPrinter

        with ReceiptPrinter(args.printer, args.state_dir) as printer:
            result = printer.print_receipt(out_bytes)
        print(f"{t['printed']}: {result.sent_bytes} B, {t['paper']}: {result.paper}")
    return 0


def _modem(args: argparse.Namespace, lang: str) -> int:
    from drivers.modem import GsmModem

    t = TEXT[lang]
    if args.action == "send" and len(args.args) != 2:
        raise UsageError(t["send_args"])
    if args.action == "status" and args.args:
        raise UsageError(t["action"])
    with GsmModem(args.port, args.baud) as modem:
        if args.action == "status":
            status = modem.status()
            dbm = f" ({status.signal_dbm} dBm)" if status.signal_dbm is not None else ""
            print(f"{t['model']}: {status.model}")
            print(f"SIM: {status.sim}")
            print(f"{t['registration']}: {status.registration}")
            print(f"{t['operator']}: {status.operator}")
            print(f"{t['signal']}: {status.signal_rssi if status.signal_rssi is not None else '?'}/31{dbm}")
        else:
            references = modem.send_sms(args.args[0], args.args[1])
            print(f"{t['sent']}: {', '.join(map(str, references))}")
    return 0


def _demo(args: argparse.Namespace, lang: str) -> int:
    import tempfile

    from drivers.demo import run

    if args.out:
        print(run(Path(args.out), lang), end="")
        return 0
    with tempfile.TemporaryDirectory(prefix="drivers-demo-") as out:
        print(run(Path(out), lang), end="")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    lang = _lang(args_list)
    parser = build_parser(lang)
    args = parser.parse_args(args_list)
    lang = args.lang or lang
    try:
        if args.command == "scan":
            return _scan(args, lang)
        if args.command == "receipt":
            return _receipt(args, lang)
        if args.command == "demo":
            return _demo(args, lang)
        return _modem(args, lang)
    except UsageError as err:
        print(f"{parser.prog} {args.command}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except DriverError as err:
        print(f"{parser.prog} {args.command}: {err.text(lang)}", file=sys.stderr)
        return EXIT_HARDWARE if _is_hardware(err) else EXIT_USAGE
    except ValueError as err:
        print(f"{parser.prog} {args.command}: {TEXT[lang]['bad_value'].format(err=err)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(TEXT[lang]["interrupted"], file=sys.stderr)
        return EXIT_INTERRUPTED


def _is_hardware(err: DriverError) -> bool:
    from drivers import errors

    hardware = (
        errors.DeviceNotFound,
        errors.DeviceGone,
        errors.GrabFailed,
        errors.PrinterUnavailable,
        errors.PaperOut,
        errors.ModemError,
    )
    return isinstance(err, hardware)
