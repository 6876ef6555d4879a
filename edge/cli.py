"""``python -m edge``: the device from the command line, for headless counters, scripts and set-up.

Every user mistake ends with a message naming what is wrong and how to fix it, a non-zero exit code,
and nothing written. Text is Indonesian unless ``--lang en`` or ``KOP_LANG=en``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Final, NoReturn

from edge.catalog_csv import parse_catalog_csv, sniff_delimiter
from edge.device import Device, Recorded, Status
from edge.errors import EdgeError, InvalidCatalogFile, InvalidInput, NotUtf8
from edge.i18n import Lang, current_lang, pick, rupiah
from edge.install import init_device, install_bundle
from edge.rules import ShiftSummary
from edge.settings import BrokerSettings, DeviceSettings, parse_broker_address
from sync import witness
from sync.envelope import COUNTER_WITHDRAWABLE

ENV_DIR: Final = "KOP_DEVICE_DIR"
DEFAULT_DIR: Final = "device"
EXIT_USAGE: Final = 2
MAX_CSV_BYTES: Final = 32 * 1024 * 1024


class UsageError(Exception):
    """A command line argparse could not make sense of."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The command line: global options and one sub-command per task."""
    parser = _Parser(
        prog="python -m edge",
        description="The device's local store: catalog, members, sales and the outbox to central.",
    )
    parser.add_argument("--dir", help=f"device directory (default: ${ENV_DIR} or ./{DEFAULT_DIR})")
    parser.add_argument(
        "--lang", choices=("id", "en"), help="language of messages (default: $KOP_LANG or id)"
    )
    # --dir and --lang are accepted after the sub-command too; SUPPRESS keeps a global value.
    common = _Parser(add_help=False)
    common.add_argument("--dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--lang", choices=("id", "en"), default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    init = sub.add_parser(
        "init", parents=[common], help="set up a device directory (new key) or install a provisioning bundle"
    )
    init.add_argument("--device", help="device id, e.g. toko-01")
    init.add_argument("--unit", help="business unit: toko, cafe, fotokopi, kiostel, simpan-pinjam, ...")
    init.add_argument("--branch", help="branch code, e.g. pusat")
    init.add_argument("--coop", default="kopmaju", help="cooperative id used in MQTT topics")
    init.add_argument("--broker", default="127.0.0.1:1883", help="MQTT broker host:port")
    init.add_argument("--bundle", help="install this provisioning bundle directory instead")
    init.add_argument("--token", help="enrollment token scanned from the bundle's QR code (KOPENROLL1:...)")
    init.add_argument(
        "--force", action="store_true", help="replace an existing device (even with unsynced data)"
    )

    sale = sub.add_parser("sale", parents=[common], help="record a sale")
    sale.add_argument("--member", help="member number (omit for a walk-in customer)")
    sale.add_argument("--sku", action="append", default=[], help="product code (repeat, pair with --qty)")
    sale.add_argument(
        "--qty", action="append", default=[], help="quantity for the --sku at the same position"
    )
    sale.add_argument("--line", action="append", default=[], help="SKU:QTY (repeatable)")
    sale.add_argument("--pay", choices=("cash", "credit"), default="cash", help="payment (default cash)")
    sale.add_argument("--clerk", help="clerk id")
    sale.add_argument("--json", action="store_true", help="print the envelope as JSON")

    deposit = sub.add_parser("deposit", parents=[common], help="record a savings deposit")
    deposit.add_argument("--member", required=True)
    deposit.add_argument("--product", required=True, help="pokok, wajib, sukarela, berjangka, smsk, shr")
    deposit.add_argument("--amount-rp", required=True, type=_rp, help="whole rupiah, e.g. 50000")
    deposit.add_argument("--clerk")
    deposit.add_argument("--json", action="store_true")

    withdraw = sub.add_parser(
        "withdraw",
        parents=[common],
        help="record a savings withdrawal paid out in cash (sukarela; never above the known balance)",
    )
    withdraw.add_argument("--member", required=True)
    withdraw.add_argument(
        "--product", required=True, help=f"savings product paid out here: {', '.join(COUNTER_WITHDRAWABLE)}"
    )
    withdraw.add_argument("--amount-rp", required=True, type=_rp, help="whole rupiah, e.g. 50000")
    withdraw.add_argument("--clerk")
    withdraw.add_argument("--json", action="store_true")

    inst = sub.add_parser("installment", parents=[common], help="record a loan installment")
    inst.add_argument("--member", required=True)
    inst.add_argument("--loan", required=True, help="loan id")
    inst.add_argument("--principal-rp", required=True, type=_rp)
    inst.add_argument("--interest-rp", required=True, type=_rp)
    inst.add_argument("--clerk")
    inst.add_argument("--json", action="store_true")

    void = sub.add_parser("void", parents=[common], help="void a transaction recorded on this device")
    void.add_argument("ref", help="id of the transaction to void")
    void.add_argument("--reason", required=True)
    void.add_argument("--clerk")
    void.add_argument("--json", action="store_true")

    status = sub.add_parser(
        "status", parents=[common], help="outbox depth, oldest unsynced, last ack, catalog version"
    )
    status.add_argument("--json", action="store_true")

    witness_cmd = sub.add_parser(
        "witness",
        parents=[common],
        help="the transparency log as this device witnessed it: kept checkpoint, problems found",
    )
    witness_cmd.add_argument(
        "--clear",
        action="store_true",
        help="the office has looked into the problem: stop the kiosk's warning",
    )

    catalog = sub.add_parser("catalog", parents=[common], help="the local catalog")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True, parser_class=_Parser)
    imp = catalog_sub.add_parser(
        "import", parents=[common], help="import a CSV: sku,name,unit,price_rp,cost_rp,stock"
    )
    imp.add_argument("csv", help="CSV file")
    lst = catalog_sub.add_parser("list", parents=[common], help="list the catalog")
    lst.add_argument("--json", action="store_true")

    members = sub.add_parser("members", parents=[common], help="the member cache")
    members_sub = members.add_subparsers(dest="members_command", required=True, parser_class=_Parser)
    mlist = members_sub.add_parser("list", parents=[common], help="list cached members and their credit")
    mlist.add_argument("--json", action="store_true")

    clerk = sub.add_parser("clerk", parents=[common], help="clerks who open shifts at the counter")
    clerk_sub = clerk.add_subparsers(dest="clerk_command", required=True, parser_class=_Parser)
    cadd = clerk_sub.add_parser("add", parents=[common], help="register a clerk with a PIN")
    cadd.add_argument("id")
    cadd.add_argument("--name", required=True)
    cadd.add_argument("--pin", required=True, help="4 to 12 digits")
    clerk_sub.add_parser("list", parents=[common], help="list clerks")

    verify = sub.add_parser(
        "verify", parents=[common], help="check the outbox chain: gapless, linked, signed, matching its head"
    )
    verify.add_argument("--json", action="store_true")

    outbox = sub.add_parser("outbox", parents=[common], help="the outbox of envelopes for central")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", required=True, parser_class=_Parser)
    export = outbox_sub.add_parser(
        "export", parents=[common], help="write envelopes as JSON Lines (e.g. to carry on a USB stick)"
    )
    export.add_argument("--after", type=int, default=None, help="seq to start after (default: the last ack)")
    export.add_argument("--out", help="file to write (default: standard output)")

    shift = sub.add_parser(
        "shift",
        parents=[common],
        help="a clerk's shift summary: sales, voids, cash to deposit; `shift close` records the hand-in",
    )
    shift.add_argument(
        "action", nargs="?", choices=("close",), help="close: record the cash counted (the daily deposit)"
    )
    shift.add_argument("--clerk", required=True)
    shift.add_argument(
        "--since",
        help="ISO 8601 start, e.g. 2026-11-22T07:00:00+07:00 (close: default the second after the clerk's "
        "last hand-in, or their first transaction)",
    )
    shift.add_argument("--counted-rp", type=_rp, help="close: the cash counted, whole rupiah")
    shift.add_argument("--json", action="store_true")
    return parser


def _rp(text: str) -> int:
    digits = text.strip()
    if not digits.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: whole rupiah without separators, e.g. 50000")
    return int(digits)


def _lines(args: argparse.Namespace) -> list[tuple[str, object]]:
    if len(args.sku) != len(args.qty):
        raise InvalidInput(
            f"{len(args.sku)} --sku tetapi {len(args.qty)} --qty: beri satu --qty setelah setiap --sku",
            f"{len(args.sku)} --sku but {len(args.qty)} --qty: give one --qty after each --sku",
        )
    lines: list[tuple[str, object]] = list(zip(args.sku, args.qty, strict=True))
    for text in args.line:
        sku, sep, qty = text.rpartition(":")
        if not sep or not sku or not qty:
            raise InvalidInput(
                f"--line {text!r} harus berbentuk SKU:JUMLAH, misalnya 8991001:2",
                f"--line {text!r} must look like SKU:QTY, e.g. 8991001:2",
            )
        lines.append((sku, qty))
    return [(sku, _qty(qty)) for sku, qty in lines]


def _qty(text: object) -> object:
    """A typed quantity: digits become an int; a decimal comma (``1,5``, as Indonesians write it)
    becomes a point; anything else goes on as typed for the rules to refuse with a reason."""
    if not isinstance(text, str):
        return text
    value = text.strip()
    if value.isdigit():
        return int(value)
    if re.fullmatch(r"\d{1,6},\d{1,3}", value):
        return value.replace(",", ".")
    return value


def _print_recorded(rec: Recorded, as_json: bool, lang: Lang) -> None:
    if as_json:
        print(json.dumps(dict(rec.envelope), ensure_ascii=False, sort_keys=True))
        return
    kinds = {
        "sale": ("Penjualan", "Sale"),
        "savings_deposit": ("Setoran simpanan", "Savings deposit"),
        "savings_withdrawal": ("Penarikan simpanan", "Savings withdrawal"),
        "installment": ("Angsuran", "Installment"),
        "void": ("Pembatalan", "Void"),
    }
    id_kind, en_kind = kinds.get(rec.kind, (rec.kind, rec.kind))
    who = rec.member or pick(lang, "umum", "walk-in")
    print(
        pick(lang, f"{id_kind} tercatat", f"{en_kind} recorded")
        + f": #{rec.seq} {rec.id} {who} {rec.payment} {rupiah(rec.total_rp, lang)}"
    )


def _device_dir(args: argparse.Namespace) -> Path:
    return Path(args.dir or os.environ.get(ENV_DIR) or DEFAULT_DIR)


def _init(args: argparse.Namespace, directory: Path, lang: Lang) -> int:
    if args.bundle:
        public = install_bundle(Path(args.bundle), directory, force=args.force, token=args.token)
    else:
        missing = [f"--{n}" for n in ("device", "unit", "branch") if not getattr(args, n)]
        if missing:
            raise InvalidInput(
                f"{', '.join(missing)} wajib diisi (atau pakai --bundle DIR)",
                f"{', '.join(missing)} required (or use --bundle DIR)",
            )
        host, port = parse_broker_address(args.broker)
        settings = DeviceSettings(args.coop, args.device, args.unit, args.branch, BrokerSettings(host, port))
        public = init_device(directory, settings, force=args.force)
    with Device.open(directory) as dev:
        s = dev.settings
    print(
        pick(lang, f"Perangkat {s.device} siap di {directory}.", f"Device {s.device} ready in {directory}.")
    )
    if args.bundle:
        # Enrollment (provisioning enroll) registered this key with central already, or printed the
        # command for the office: nothing to do here but check the device.
        print(pick(lang, "Kunci publik:", "Public key:"))
        print(public)
        print(
            pick(
                lang,
                "Sudah terdaftar saat pendaftaran (enroll). Cek: python -m provisioning doctor "
                f"--device {directory}",
                "Registered at enrollment already. Check: python -m provisioning doctor "
                f"--device {directory}",
            )
        )
        return 0
    print(pick(lang, "Kunci publik (daftarkan di pusat):", "Public key (register it at central):"))
    print(public)
    print(
        f"python -m central devices add {s.device} --public-key {public} --unit {s.unit} --branch {s.branch}"
    )
    return 0


def _status(dev: Device, as_json: bool, lang: Lang) -> int:
    st = dev.status()
    if as_json:
        print(json.dumps(asdict(st), ensure_ascii=False, sort_keys=True))
        return 0
    none = pick(lang, "belum ada", "none")
    rows = [
        (pick(lang, "perangkat", "device"), st.device),
        (pick(lang, "antrean keluar (belum terkirim)", "outbox depth (unsynced)"), str(st.outbox_depth)),
        (pick(lang, "tertua belum terkirim", "oldest unsynced"), st.oldest_unsynced_at or none),
        (pick(lang, "seq terakhir", "last seq"), str(st.last_seq)),
        (pick(lang, "konfirmasi terakhir (seq)", "last ack (seq)"), str(st.last_ack_seq)),
        (pick(lang, "konfirmasi terakhir (waktu)", "last ack (time)"), st.last_ack_at or none),
        (pick(lang, "sinkron terakhir", "last sync"), st.last_sync_at or none),
        (pick(lang, "terhubung", "connected"), _connected_text(st, lang)),
        (pick(lang, "versi katalog", "catalog version"), str(st.catalog_version)),
        (pick(lang, "versi anggota", "members version"), str(st.members_version)),
        (pick(lang, "ditolak pusat", "refused by central"), str(st.refused)),
        (
            pick(lang, "checkpoint log transparansi", "transparency log checkpoint"),
            f"{st.witness_size} ({st.witness_at})" if st.witness_at else none,
        ),
    ]
    _print_rows(rows)
    for seq, reason in st.refused_latest:
        print(
            pick(lang, "  ditolak, seq {seq}: {reason}", "  refused, seq {seq}: {reason}").format(
                seq=seq, reason=reason
            )
        )
    if st.refused:
        print(
            pick(
                lang,
                "Transaksi yang ditolak pusat tidak menunggu lagi: stok dan kredit anggotanya sudah "
                "dikembalikan di sini. Kantor bisa mencobanya ulang (python -m central quarantine).",
                "Transactions central refused no longer wait: their stock and the member's credit are "
                "given back here. The office can retry them (python -m central quarantine).",
            )
        )
    if st.witness_problem is not None:
        print(witness.Problem(*st.witness_problem).text(lang))
        print(
            pick(
                lang,
                "Perangkat ini menolak checkpoint log pusat dan tetap memegang yang lama; laporannya "
                "sudah dikirim ke pusat. Pengurus dan pengawas memeriksanya "
                "(python -m central transparency audit).",
                "This device refused central's log checkpoint and keeps the old one; its report went to "
                "central. The board and the supervisors look into it "
                "(python -m central transparency audit).",
            )
        )
    if st.revoked:
        print(
            pick(
                lang,
                "Perangkat ini dicabut: transaksinya tidak diterima pusat lagi. Minta pengurus "
                "mendaftarkannya ulang dengan id baru (python -m provisioning enroll), lalu "
                "python -m edge init --bundle DIR.",
                "This device is revoked: central no longer accepts its transactions. Ask the board to "
                "enroll it again under a new id (python -m provisioning enroll), then "
                "python -m edge init --bundle DIR.",
            )
        )
    return 0


def _witness(dev: Device, clear: bool, lang: Lang) -> int:
    """The kept checkpoint and every problem found (the refused note is kept as evidence); ``clear`` ends
    the kiosk's warning, never the evidence."""
    kept = dev.kept_checkpoint()
    print(kept[0].rstrip("\n") if kept else pick(lang, "belum ada checkpoint log", "no log checkpoint yet"))
    for reason, held, offered, tx, detail, _note in dev.log_problems():
        print("- " + witness.Problem(reason, held, offered, tx, detail).text(lang))
    if clear:
        dev.clear_log_problem()
        print(
            pick(
                lang,
                "Peringatan kios dihapus; buktinya tetap disimpan.",
                "Kiosk warning cleared; the evidence stays.",
            )
        )
    return 0


def _connected_text(st: Status, lang: Lang) -> str:
    if st.revoked:
        return pick(lang, "tidak: perangkat DICABUT", "no: device REVOKED") + (
            f" ({st.revoked_reason})" if st.revoked_reason and st.revoked_reason != "-" else ""
        )
    return pick(lang, "ya", "yes") if st.connected else pick(lang, "tidak", "no")


def _print_rows(rows: Sequence[tuple[str, str]]) -> None:
    """Label and value rows, the labels padded to one column."""
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label.ljust(width)}  {value}")


def _shift(summary: ShiftSummary, as_json: bool, lang: Lang) -> int:
    if as_json:  # a list of one, as before: scripts read it that way
        _print_table([asdict(summary)], True)
        return 0

    def rp(amount_rp: int) -> str:
        return rupiah(amount_rp, lang)

    sales, voids = summary.sales_rp, summary.voids_rp
    _print_rows(
        [
            (pick(lang, "petugas", "clerk"), summary.clerk),
            (pick(lang, "sejak", "since"), summary.since),
            (
                pick(lang, "penjualan", "sales"),
                pick(lang, f"{summary.sales_count} transaksi", f"{summary.sales_count}"),
            ),
            (pick(lang, "  tunai", "  cash"), rp(sales.get("cash", 0))),
            (pick(lang, "  kredit", "  credit"), rp(sales.get("credit", 0))),
            (
                pick(lang, "pembatalan", "voids"),
                pick(lang, f"{summary.voids_count} transaksi", f"{summary.voids_count}"),
            ),
            (pick(lang, "  tunai", "  cash"), rp(voids.get("cash", 0))),
            (pick(lang, "  kredit", "  credit"), rp(voids.get("credit", 0))),
            (pick(lang, "setoran simpanan (tunai)", "savings deposits (cash)"), rp(summary.deposits_rp)),
            (
                pick(lang, "angsuran pinjaman (tunai)", "loan installments (cash)"),
                rp(summary.installments_rp),
            ),
            (
                pick(lang, "penarikan simpanan (tunai keluar)", "savings withdrawals (cash paid out)"),
                rp(summary.withdrawals_rp),
            ),
            (pick(lang, "uang tunai yang disetor", "cash to hand in"), rp(summary.cash_expected_rp)),
        ]
    )
    return 0


def _shift_close(dev: Device, args: argparse.Namespace, lang: Lang) -> int:
    if args.counted_rp is None:
        raise InvalidInput(
            "shift close memerlukan --counted-rp N: uang tunai yang dihitung, rupiah tanpa titik",
            "shift close needs --counted-rp N: the cash counted, whole rupiah without separators",
        )
    try:
        rec = dev.record_handin(args.clerk, args.counted_rp, args.since)
    except ValueError as err:
        if isinstance(err, EdgeError):
            raise
        raise InvalidInput(
            f"--since {args.since!r} bukan waktu ISO 8601, misalnya 2026-11-22T07:00:00+07:00",
            f"--since {args.since!r} is not an ISO 8601 time, e.g. 2026-11-22T07:00:00+07:00",
        ) from err
    env = rec.envelope
    if args.json:
        print(json.dumps(dict(env), ensure_ascii=False, sort_keys=True))
        return 0
    difference = env["counted_rp"] - env["expected_rp"]
    _print_rows(
        [
            (pick(lang, "setoran tercatat", "hand-in recorded"), f"#{rec.seq} {rec.id}"),
            (pick(lang, "petugas", "clerk"), str(env["clerk"])),
            (pick(lang, "shift", "shift"), f"{env['from']} .. {env['to']}"),
            (pick(lang, "uang tunai seharusnya", "cash expected"), rupiah(env["expected_rp"], lang)),
            (pick(lang, "uang tunai dihitung", "cash counted"), rupiah(env["counted_rp"], lang)),
            (pick(lang, "selisih", "difference"), rupiah(difference, lang)),
        ]
    )
    return 0


def _catalog_import(dev: Device, path_text: str, lang: Lang) -> int:
    path = Path(path_text)
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise InvalidCatalogFile(path_text, 0, "berkas terlalu besar", "file too large")
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise InvalidCatalogFile(path_text, 0, "berkas tidak ada", "the file does not exist") from err
    except OSError as err:
        raise InvalidCatalogFile(
            path_text, 0, f"tidak terbaca ({err.strerror})", f"cannot be read ({err.strerror})"
        ) from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise NotUtf8(path_text, line, data[err.start : err.start + 1].hex()) from err
    delimiter = sniff_delimiter(text)
    count = dev.import_catalog(parse_catalog_csv(text, path_text, delimiter))
    if delimiter == ";":
        print(
            pick(
                lang,
                "Pemisah kolom ';' (ekspor Excel berbahasa Indonesia): angka dibaca dengan koma desimal "
                "dan titik ribuan.",
                "Fields separated by ';' (Excel in an Indonesian locale): numbers read with a decimal "
                "comma and thousands points.",
            )
        )
    print(pick(lang, f"{count} barang diimpor ke katalog.", f"{count} product(s) imported into the catalog."))
    return 0


def _verify(dev: Device, as_json: bool, lang: Lang) -> int:
    result = dev.audit()
    if as_json:
        print(json.dumps(asdict(result), ensure_ascii=False))
    elif not result.problems:
        print(
            pick(
                lang,
                f"Rantai utuh: {result.rows} transaksi (seq {result.first_seq}..{result.last_seq}).",
                f"Chain whole: {result.rows} transaction(s) (seq {result.first_seq}..{result.last_seq}).",
            )
        )
    else:
        for problem in result.problems:
            print(f"seq {problem.seq}: {problem.text(lang)}", file=sys.stderr)
        print(
            pick(
                lang,
                f"{len(result.problems)} masalah pada rantai; jangan hapus data, hubungi pusat.",
                f"{len(result.problems)} problem(s) in the chain; do not delete data, tell central.",
            ),
            file=sys.stderr,
        )
    return 1 if result.problems else 0


def _export(dev: Device, after: int | None, out: str | None, lang: Lang) -> int:
    start = dev.status().last_ack_seq if after is None else after
    lines = [data.decode("utf-8") + "\n" for _, data in dev.iter_outbox(start)]
    text = "".join(lines)
    if out is None:
        sys.stdout.write(text)
        return 0
    path = Path(out)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as err:
        raise InvalidInput(
            f"--out {out}: tidak bisa ditulis ({err})", f"--out {out}: cannot be written ({err})"
        ) from err
    print(
        pick(
            lang,
            f"{len(lines)} transaksi ditulis ke {out}.",
            f"{len(lines)} transaction(s) written to {out}.",
        )
    )
    return 0


def _print_table(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, default=str))
        return
    for row in rows:
        print("  ".join("" if v is None else str(v) for v in row.values()))


def run(args: argparse.Namespace, lang: Lang) -> int:
    """Carry out one parsed command."""
    directory = _device_dir(args)
    if args.command == "init":
        return _init(args, directory, lang)
    with Device.open(directory) as dev:
        if args.command == "sale":
            rec = dev.record_sale(_lines(args), member=args.member, payment=args.pay, clerk=args.clerk)
        elif args.command == "deposit":
            rec = dev.record_savings_deposit(args.member, args.product, args.amount_rp, clerk=args.clerk)
        elif args.command == "withdraw":
            rec = dev.record_savings_withdrawal(args.member, args.product, args.amount_rp, clerk=args.clerk)
        elif args.command == "installment":
            rec = dev.record_installment(
                args.member, args.loan, args.principal_rp, args.interest_rp, args.clerk
            )
        elif args.command == "void":
            rec = dev.record_void(args.ref, args.reason, clerk=args.clerk)
        elif args.command == "status":
            return _status(dev, args.json, lang)
        elif args.command == "witness":
            return _witness(dev, args.clear, lang)
        elif args.command == "catalog" and args.catalog_command == "import":
            return _catalog_import(dev, args.csv, lang)
        elif args.command == "catalog":
            _print_table(
                [{**asdict(p), "stock": None if p.stock is None else str(p.stock)} for p in dev.products()],
                args.json,
            )
            return 0
        elif args.command == "verify":
            return _verify(dev, args.json, lang)
        elif args.command == "outbox":
            return _export(dev, args.after, args.out, lang)
        elif args.command == "members":
            _print_table([asdict(m) for m in dev.members()], args.json)
            return 0
        elif args.command == "clerk" and args.clerk_command == "add":
            dev.add_clerk(args.id, args.name, args.pin)
            print(pick(lang, f"Petugas {args.id} terdaftar.", f"Clerk {args.id} registered."))
            return 0
        elif args.command == "clerk":
            _print_table([{"id": c.id, "name": c.name, "active": c.active} for c in dev.clerks()], False)
            return 0
        elif args.action == "close":
            return _shift_close(dev, args, lang)
        else:  # shift
            if args.since is None:
                raise InvalidInput(
                    "--since wajib untuk ringkasan shift, misalnya --since 2026-11-22T07:00:00+07:00",
                    "--since is required for a shift summary, e.g. --since 2026-11-22T07:00:00+07:00",
                )
            try:
                summary = dev.shift_summary(args.clerk, args.since)
            except ValueError as err:
                raise InvalidInput(
                    f"--since {args.since!r} bukan waktu ISO 8601, misalnya 2026-11-22T07:00:00+07:00",
                    f"--since {args.since!r} is not an ISO 8601 time, e.g. 2026-11-22T07:00:00+07:00",
                ) from err
            return _shift(summary, args.json, lang)
        _print_recorded(rec, getattr(args, "json", False), lang)
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    lang = current_lang(_peek_lang(arguments))
    try:
        args = build_parser().parse_args(arguments)
        return run(args, current_lang(args.lang))
    except UsageError as err:
        print(pick(lang, f"Perintah tidak lengkap/salah: {err}", f"Bad command line: {err}"), file=sys.stderr)
        print(pick(lang, "Lihat: python -m edge --help", "See: python -m edge --help"), file=sys.stderr)
        return EXIT_USAGE
    except EdgeError as err:
        print(err.message(lang), file=sys.stderr)
        return err.exit_code
    except sqlite3.DatabaseError as err:
        print(
            pick(
                lang,
                f"Basis data perangkat bermasalah: {err}. Tidak ada yang diubah.",
                f"The device store has a problem: {err}. Nothing was changed.",
            ),
            file=sys.stderr,
        )
        return 3


def _peek_lang(arguments: list[str]) -> str | None:
    for i, arg in enumerate(arguments):
        if arg == "--lang" and i + 1 < len(arguments):
            return arguments[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None
