"""``python -m kiosk``: the touch UI of a device, or its screens rendered as PNG files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk import errors, memory
from kiosk.i18n import LANGUAGES, Translator, compile_catalogs, resolve_lang

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk",
        description="Kiosk screens of a cooperative device: member self-service, shop checkout, counters "
        "(cafe, fotokopi, kiostel), clerk shifts. Indonesian by default.",
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--device-config", metavar="DIR", help="run the UI against this device directory")
    mode.add_argument("--screenshots", metavar="DIR", help="render every screen with demo data into DIR")
    mode.add_argument("--demo", action="store_true", help="run the UI with demo data (no device needed)")
    mode.add_argument("--compile-catalogs", action="store_true", help="write kiosk.mo beside each kiosk.po")
    parser.add_argument("--lang", choices=LANGUAGES, help="language (default: KOP_LANG, else id)")
    parser.add_argument(
        "--unit", default="toko", help="business unit for --demo (toko, cafe, fotokopi, kiostel)"
    )
    parser.add_argument(
        "--printer",
        metavar="URI",
        help="receipt printer: usb:VVVV:PPPP, serial:/dev/ttyUSB0, "
        "tcp://HOST:9100 or file:/dev/usb/lp0 (default: none)",
    )
    parser.add_argument(
        "--scanner",
        action="append",
        default=[],
        metavar="SPEC",
        help="barcode scanner, repeatable: serial:/dev/ttyACM0 or evdev:/dev/input/eventN",
    )
    parser.add_argument("--fullscreen", action="store_true", help="fill the screen (the kiosk's panel)")
    return parser


def _fail(message: str, lang: str) -> int:
    prefix = "Kesalahan" if lang == "id" else "Error"
    print(f"{prefix}: {message}", file=sys.__stderr__)
    return EXIT_USAGE


def _open_scanner(spec: str):  # type: ignore[no-untyped-def]
    kind, _, target = spec.partition(":")
    if kind == "serial":
        from drivers.serial_scanner import SerialScanner

        return SerialScanner(target)
    if kind == "evdev":
        from drivers.evdev_scanner import EvdevScanner

        return EvdevScanner(target)
    raise ValueError(spec)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    lang = resolve_lang(args.lang)
    tr = Translator(lang)
    if args.compile_catalogs:
        for path in compile_catalogs():
            print(path)
        return 0
    if args.screenshots:
        from kiosk import screenshots

        return screenshots.main(args.screenshots, lang=lang)
    for spec in args.scanner:
        if spec.partition(":")[0] not in ("serial", "evdev") or not spec.partition(":")[2]:
            return _fail(" ".join(errors.BadScannerSpec(spec=spec).texts(tr)), lang)
    from kiosk.printing import DriverPrinter, MemoryPrinter, NoPrinter
    from kiosk.scanning import ScanFeed, ScanSource
    from kiosk.services import DemoServices, EdgeServices, device_dir_problem

    if args.device_config:
        directory = Path(args.device_config)
        if device_dir_problem(directory) is not None:
            return _fail(" ".join(errors.DeviceDirMissing(path=str(directory)).texts(tr)), lang)
        try:  # open once here so a broken device says so on the command line, not on the screen
            EdgeServices(directory, lang=lang, ask_central=False).close()
        except errors.KioskError as err:
            return _fail(" ".join(err.texts(tr)), lang)
        memory.use_printer_cache(directory)

        def services():  # type: ignore[no-untyped-def]
            return EdgeServices(directory, lang=lang)

        def printer():  # type: ignore[no-untyped-def]
            return DriverPrinter(args.printer, directory / "printer") if args.printer else NoPrinter()
    else:
        demo = DemoServices(unit=args.unit)

        def services():  # type: ignore[no-untyped-def]
            return demo

        def printer():  # type: ignore[no-untyped-def]
            return MemoryPrinter()

    memory.fix_mmap_threshold()
    from kiosk.ui import boot

    boot.prepare(fullscreen=args.fullscreen)
    from kiosk.ui.app import KioskApp
    from kiosk.ui.root import Parts

    feed = ScanFeed()
    sources = [ScanSource(spec, lambda s=spec: _open_scanner(s), feed).start() for spec in args.scanner]

    def scanner_state() -> str:
        if not sources:
            return "none"
        return "ok" if all(s.state == "ok" for s in sources) else "offline"

    parts = Parts(services=services, printer=printer, feed=feed, scanner_state=scanner_state)
    try:
        KioskApp(parts, tr).run()
    finally:
        for source in sources:
            source.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
