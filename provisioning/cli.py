"""`python -m provisioning`: the cooperative's CA, device enrollment, broker config, Pi files, doctor, cards.

Every failure an operator can cause prints one readable line (Indonesian by default, ``--lang en`` or
``KOP_LANG=en`` for English) and exits non-zero; no traceback, nothing half-written.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from provisioning.errors import ProvisioningError
from provisioning.i18n import current_lang, pick

log = logging.getLogger("provisioning")

ENV_CA_DIR: Final = "KOP_CA_DIR"
DEFAULT_CA_DIR: Final = "~/.koperasi/ca"
EXIT_USER_ERROR: Final = 1
EXIT_CHECK_FAILED: Final = 3


def _ca_dir(args: argparse.Namespace) -> Path:
    return Path(os.path.expanduser(args.ca_dir or os.environ.get(ENV_CA_DIR) or DEFAULT_CA_DIR))


def _open_ca(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from provisioning.ca import CertificateAuthority

    return CertificateAuthority(_ca_dir(args))


def _unlock(args: argparse.Namespace, ca):  # type: ignore[no-untyped-def]
    from provisioning.secrets_input import read_passphrase

    return ca.unlock(read_passphrase(args.passphrase_file))


def cmd_ca_init(args: argparse.Namespace, lang: str) -> int:
    from provisioning.ca import fingerprint, init_ca
    from provisioning.secrets_input import read_passphrase

    passphrase = read_passphrase(args.passphrase_file, confirm=True)
    ca = init_ca(
        _ca_dir(args),
        args.coop,
        passphrase,
        broker_host=args.broker_host,
        broker_port=args.broker_port,
        central_identity=args.central_identity,
        allow_inside_repository=args.allow_inside_repo,
    )
    log.info("CA created for %s in %s", ca.coop, ca.directory)
    print(
        pick(
            lang,
            f"CA koperasi {ca.coop} dibuat di {ca.directory}",
            f"CA of {ca.coop} created in {ca.directory}",
        )
    )
    print(pick(lang, "sidik jari CA (SHA-256): ", "CA fingerprint (SHA-256): ") + fingerprint(ca.cert))
    print(
        pick(
            lang,
            "simpan kata sandi CA di tempat aman; tanpa kata sandi tidak bisa mendaftarkan perangkat baru",
            "keep the CA passphrase safe; without it no new device can be enrolled",
        )
    )
    return 0


def cmd_ca_show(args: argparse.Namespace, lang: str) -> int:
    from provisioning.ca import fingerprint

    ca = _open_ca(args)
    registry = ca.registry()
    active = sum(1 for d in registry.devices if d.active)
    print(f"coop: {ca.coop}")
    print(f"ca: {ca.directory}")
    print(f"ca_sha256: {fingerprint(ca.cert)}")
    print(f"broker: {ca.settings.broker_host}:{ca.settings.broker_port}")
    print(f"central_identity: {ca.settings.central_identity}")
    print(
        pick(lang, "perangkat aktif", "active devices")
        + f": {active}, "
        + pick(lang, "dicabut", "revoked")
        + f": {len(registry.devices) - active}"
    )
    return 0


def _refresh_broker(ca, lang: str) -> None:  # type: ignore[no-untyped-def]
    from provisioning.broker import refresh_acl_and_crl

    if ca.settings.broker_dir and Path(ca.settings.broker_dir).is_dir():
        files = refresh_acl_and_crl(ca, Path(ca.settings.broker_dir))
        print(
            pick(
                lang,
                f"ACL dan CRL broker diperbarui di {files.directory}; muat ulang Mosquitto "
                "(systemctl reload mosquitto) agar berlaku",
                f"broker ACL and CRL refreshed in {files.directory}; reload Mosquitto "
                "(systemctl reload mosquitto) for them to apply",
            )
        )


def cmd_enroll(args: argparse.Namespace, lang: str) -> int:
    from provisioning import central_link
    from provisioning.bundle import enroll

    ca = _open_ca(args)
    ca_key = _unlock(args, ca)
    log_key = args.log_key
    if log_key is None and args.central_db:
        log_key = central_link.log_key(args.central_db)  # the device witnesses the log (docs/transparency.md)
    result = enroll(
        ca,
        ca_key,
        args.device,
        args.unit,
        args.branch,
        out=Path(args.out) if args.out else None,
        token_hours=args.token_hours,
        log_key=log_key,
    )
    log.info("enrolled %s (unit %s, branch %s)", args.device, args.unit, args.branch)
    print(pick(lang, f"perangkat {args.device} terdaftar", f"device {args.device} enrolled"))
    print(pick(lang, "bundel: ", "bundle: ") + str(result.bundle_dir))
    print(pick(lang, "kode QR: ", "QR code: ") + str(result.qr_png))
    print(pick(lang, "bagian publik: ", "public part: ") + str(result.public_json))
    print(pick(lang, "token: ", "token: ") + result.token.text())
    _refresh_broker(ca, lang)
    if args.central_db:
        central_link.register(args.central_db, result.record)
        print(pick(lang, "central mengenal perangkat ini", "central now knows this device"))
    else:
        print(
            pick(
                lang,
                "daftarkan di central: python -m central --db DB devices add "
                f"{args.device} --public-key {result.record.signing_public_key} --unit {args.unit} "
                f"--branch {args.branch}",
                "register at central: python -m central --db DB devices add "
                f"{args.device} --public-key {result.record.signing_public_key} --unit {args.unit} "
                f"--branch {args.branch}",
            )
        )
    print(
        pick(
            lang,
            "di perangkat: python -m edge init --bundle DIR (lalu pindai kode QR); "
            "cek: python -m provisioning doctor --device DIR",
            "on the device: python -m edge init --bundle DIR (then scan the QR code); "
            "check: python -m provisioning doctor --device DIR",
        )
    )
    return 0


def cmd_revoke(args: argparse.Namespace, lang: str) -> int:
    from provisioning import central_link
    from provisioning.lifecycle import check_reason, revoke

    check_reason(args.reason)
    ca = _open_ca(args)
    ca_key = _unlock(args, ca)
    record = revoke(ca, ca_key, args.device, args.reason)
    log.info("revoked %s", args.device)
    print(
        pick(
            lang,
            f"perangkat {record.device} dicabut: {record.reason}",
            f"device {record.device} revoked: {record.reason}",
        )
    )
    _refresh_broker(ca, lang)
    if args.central_db:
        central_link.revoke(args.central_db, args.device, record.reason or args.reason)
        print(
            pick(
                lang,
                "central menolak amplop berikutnya dari perangkat ini (karantina); transaksi lama tetap",
                "central quarantines this device's later envelopes; transactions already ingested stay",
            )
        )
    else:
        print(
            pick(
                lang,
                f"cabut juga di central: python -m central --db DB devices revoke {args.device} --reason ...",
                f"revoke at central too: python -m central --db DB devices revoke {args.device} --reason ...",
            )
        )
    return 0


def cmd_list(args: argparse.Namespace, lang: str) -> int:
    ca = _open_ca(args)
    for record in sorted(ca.registry().devices, key=lambda d: d.device):
        state = (
            pick(lang, "aktif", "active")
            if record.active
            else pick(lang, "dicabut", "revoked") + f" ({record.reason})"
        )
        print(f"{record.device}\t{record.unit}\t{record.branch}\t{state}")
    return 0


def cmd_broker_config(args: argparse.Namespace, lang: str) -> int:
    from provisioning.broker import BrokerOptions, write_broker_config

    ca = _open_ca(args)
    options = BrokerOptions(
        port=args.port or ca.settings.broker_port,
        bind=args.bind,
        run_as=args.run_as,
        persistence_dir=args.persistence_dir,
        log_dest=args.log_dest,
        install_dir=args.install_dir,
    )
    files = write_broker_config(ca, Path(args.out), options)
    print(pick(lang, "konfigurasi Mosquitto: ", "Mosquitto config: ") + str(files.conf))
    print(f"ACL: {files.acl}")
    print(f"CRL: {files.crl}")
    print(pick(lang, f"jalankan: mosquitto -c {files.conf}", f"run: mosquitto -c {files.conf}"))
    return 0


def cmd_verify_bundle(args: argparse.Namespace, lang: str) -> int:
    from provisioning.bundle import verify_bundle

    manifest = verify_bundle(Path(args.bundle), token=args.token, trusted_ca_sha256=args.ca_sha256)
    print(
        pick(
            lang,
            f"bundel utuh: perangkat {manifest.device}, unit {manifest.unit}, cabang {manifest.branch}",
            f"bundle intact: device {manifest.device}, unit {manifest.unit}, branch {manifest.branch}",
        )
    )
    return 0


def _add_common(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    # Accepted before and after the subcommand; a subcommand's absent option must not reset the global one.
    parser.add_argument(
        "--lang",
        choices=("id", "en"),
        default=None if top else argparse.SUPPRESS,
        help="language of messages (default: KOP_LANG or id)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="log progress (never keys or passphrases)",
    )


def _add_ca_options(parser: argparse.ArgumentParser, *, passphrase: bool = True) -> None:
    parser.add_argument("--ca-dir", help=f"the CA directory (default: ${ENV_CA_DIR} or {DEFAULT_CA_DIR})")
    if passphrase:
        parser.add_argument(
            "--passphrase-file",
            help="file holding the CA passphrase (else $KOP_CA_PASSPHRASE, else a prompt)",
        )


Handler = Callable[[argparse.Namespace, str], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand (also used by the documentation test)."""
    from provisioning import extra_commands

    parser = argparse.ArgumentParser(
        prog="python -m provisioning",
        description="Cooperative CA, enrollment, Mosquitto config, Pi system files, doctor, member cards.",
    )
    _add_common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ca = sub.add_parser("ca", help="the cooperative's certificate authority")
    ca_sub = ca.add_subparsers(dest="ca_command", metavar="ACTION")
    init = ca_sub.add_parser(
        "init", help="create the CA (key encrypted with a passphrase), broker and central certs"
    )
    _add_common(init)
    _add_ca_options(init)
    init.add_argument("--coop", required=True, help="cooperative id used in MQTT topics, e.g. kopmaju")
    init.add_argument(
        "--broker-host", default="127.0.0.1", help="host name or IP devices use to reach the broker"
    )
    init.add_argument("--broker-port", type=int, default=8883, help="broker TLS port (default 8883)")
    init.add_argument("--central-identity", default="central", help="CN of central's client certificate")
    init.add_argument(
        "--allow-inside-repo", action="store_true", help="allow a CA directory inside a repository"
    )
    init.set_defaults(handler=cmd_ca_init)
    show = ca_sub.add_parser("show", help="print the CA's cooperative, fingerprint and device counts")
    _add_common(show)
    _add_ca_options(show, passphrase=False)
    show.set_defaults(handler=cmd_ca_show)

    enroll = sub.add_parser("enroll", help="issue a device's keys and certificate as a bundle and a QR code")
    _add_common(enroll)
    _add_ca_options(enroll)
    enroll.add_argument("--device", required=True, help="device id, e.g. toko-01 (also the certificate CN)")
    enroll.add_argument("--unit", required=True, help="business unit, e.g. toko")
    enroll.add_argument("--branch", required=True, help="branch, e.g. pusat")
    enroll.add_argument("--out", help="bundle directory (default: <ca-dir>/bundles/<device>)")
    enroll.add_argument(
        "--token-hours", type=int, default=72, help="how long the QR token is valid (default 72)"
    )
    enroll.add_argument(
        "--central-db", help="central's ledger (SQLite path or postgresql:// URL) to register in"
    )
    enroll.add_argument(
        "--log-key",
        help="the transparency log's public key (`central transparency key`) for the device to witness "
        "the log (default: from --central-db once the log is set up)",
    )
    enroll.set_defaults(handler=cmd_enroll)

    revoke = sub.add_parser("revoke", help="revoke a device: CRL, broker ACL and central's registry")
    _add_common(revoke)
    _add_ca_options(revoke)
    revoke.add_argument("device", help="device id")
    revoke.add_argument("--reason", required=True, help="why (stored, shown with quarantined envelopes)")
    revoke.add_argument("--central-db", help="central's ledger to revoke the device in")
    revoke.set_defaults(handler=cmd_revoke)

    listing = sub.add_parser("list", help="list enrolled devices")
    _add_common(listing)
    _add_ca_options(listing, passphrase=False)
    listing.set_defaults(handler=cmd_list)

    broker = sub.add_parser("broker-config", help="write Mosquitto's config, ACL and CRL")
    _add_common(broker)
    _add_ca_options(broker, passphrase=False)
    broker.add_argument(
        "--out", required=True, help="directory for mosquitto.conf, acl, crl.pem and TLS files"
    )
    broker.add_argument("--port", type=int, help="listener port (default: the CA's broker port)")
    broker.add_argument("--bind", default="0.0.0.0", help="listen address (default 0.0.0.0)")  # noqa: S104
    broker.add_argument("--run-as", default="mosquitto", help="user Mosquitto drops to (default mosquitto)")
    broker.add_argument(
        "--persistence-dir", default="/var/lib/mosquitto/", help="Mosquitto persistence directory"
    )
    broker.add_argument("--log-dest", default="syslog", help="'syslog' or a log file path")
    broker.add_argument(
        "--install-dir", help="where the files will be when Mosquitto reads them (default: --out)"
    )
    broker.set_defaults(handler=cmd_broker_config)

    verify = sub.add_parser("verify-bundle", help="check a bundle against its CA-signed manifest")
    _add_common(verify)
    verify.add_argument("bundle", help="bundle directory")
    verify.add_argument("--token", help="the enrollment token scanned from the QR code")
    verify.add_argument("--ca-sha256", help="pinned CA fingerprint to require")
    verify.set_defaults(handler=cmd_verify_bundle)

    extra_commands.add(sub, _add_common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = current_lang(args.lang)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args, lang)
    except ProvisioningError as err:
        print(pick(lang, "galat: ", "error: ") + err.text(lang), file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(pick(lang, "dibatalkan", "cancelled"), file=sys.stderr)
        return 130
