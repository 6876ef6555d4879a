"""`python -m provisioning doctor`: is this device ready to sell? Each check says in plain words what to fix.

Checks are pure functions of what was read (``check_clock`` of two datetimes, ``check_certificates`` of
certificates), so they are testable without a Pi; ``diagnose`` gathers the facts at the edge.
"""

from __future__ import annotations

import os
import socket
import ssl
import stat
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from provisioning.i18n import pick
from provisioning.pi import PRINTER_NODE, SCANNER_NODE

DEFAULT_SCANNER: Final = SCANNER_NODE
DEFAULT_PRINTER: Final = PRINTER_NODE
BROKER_TIMEOUT_S: Final = 5.0
CERT_WARN_DAYS: Final = 30
# A clock before this is certainly wrong (a Pi without network time boots in 1970 or at its image date).
EARLIEST_SANE: Final = datetime(2025, 1, 1, tzinfo=UTC)
MQTT_CONNACK_MAX_BYTES: Final = 64
DEVICE_DB: Final = "edge.sqlite"


@dataclass(frozen=True)
class Finding:
    """One check's result; ``fix`` says what to do when it is not ok."""

    check: str
    ok: bool
    id_text: str
    en_text: str
    fix_id: str = ""
    fix_en: str = ""

    def line(self, lang: str) -> str:
        mark = "OK " if self.ok else "!! "
        text = pick(lang, self.id_text, self.en_text)
        fix = pick(lang, self.fix_id, self.fix_en)
        suffix = pick(lang, f" -> perbaiki: {fix}", f" -> fix: {fix}") if fix and not self.ok else ""
        return f"[{mark}] {self.check}: {text}{suffix}"


def _ok(check: str, id_text: str, en_text: str) -> Finding:
    return Finding(check, True, id_text, en_text)


def _bad(check: str, id_text: str, en_text: str, fix_id: str, fix_en: str) -> Finding:
    return Finding(check, False, id_text, en_text, fix_id, fix_en)


def check_clock(now: datetime, not_before: datetime | None) -> Finding:
    """The device clock must be plausible: after EARLIEST_SANE and after the certificate's start."""
    fix_id = "nyalakan sinkron waktu (systemctl enable --now systemd-timesyncd) atau pasang modul RTC"
    fix_en = "turn on time sync (systemctl enable --now systemd-timesyncd) or fit an RTC module"
    if now < EARLIEST_SANE:
        return _bad(
            "clock",
            f"jam perangkat {now:%Y-%m-%d %H:%M} jelas salah",
            f"the clock says {now:%Y-%m-%d %H:%M}, which is certainly wrong",
            fix_id,
            fix_en,
        )
    if not_before is not None and now < not_before:
        return _bad(
            "clock",
            f"jam perangkat {now:%Y-%m-%d %H:%M} lebih awal dari sertifikatnya ({not_before:%Y-%m-%d %H:%M})",
            f"the clock ({now:%Y-%m-%d %H:%M}) is before the certificate's start "
            f"({not_before:%Y-%m-%d %H:%M})",
            fix_id,
            fix_en,
        )
    return _ok(
        "clock",
        f"jam perangkat {now:%Y-%m-%d %H:%M} UTC masuk akal",
        f"clock {now:%Y-%m-%d %H:%M} UTC is plausible",
    )


def check_certificates(
    device: str, ca_cert: x509.Certificate, client_cert: x509.Certificate, now: datetime
) -> Finding:
    """The client certificate must name the device, come from the CA, and be valid now and for a while."""
    fix_id = "minta bundel baru: python -m provisioning enroll (di kantor pusat)"
    fix_en = "ask for a new bundle: python -m provisioning enroll (at the central office)"
    names = client_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names or names[0].value != device:
        return _bad(
            "certificate",
            "client.crt bukan untuk perangkat ini",
            "client.crt is not for this device",
            fix_id,
            fix_en,
        )
    try:
        client_cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return _bad(
            "certificate",
            "client.crt tidak diterbitkan oleh ca.crt",
            "client.crt was not issued by ca.crt",
            fix_id,
            fix_en,
        )
    expires = client_cert.not_valid_after_utc
    if now > expires:
        return _bad(
            "certificate",
            f"sertifikat kedaluwarsa {expires:%Y-%m-%d}",
            f"certificate expired {expires:%Y-%m-%d}",
            fix_id,
            fix_en,
        )
    if now + timedelta(days=CERT_WARN_DAYS) > expires:
        return _bad(
            "certificate",
            f"sertifikat habis {expires:%Y-%m-%d}, kurang dari {CERT_WARN_DAYS} hari",
            f"certificate expires {expires:%Y-%m-%d}, in under {CERT_WARN_DAYS} days",
            fix_id,
            fix_en,
        )
    return _ok(
        "certificate",
        f"sertifikat {device} sah sampai {expires:%Y-%m-%d}",
        f"certificate of {device} valid until {expires:%Y-%m-%d}",
    )


def _mode_finding(paths: Sequence[Path]) -> Finding:
    loose = [p.name for p in paths if p.exists() and stat.S_IMODE(p.stat().st_mode) & 0o077]
    if loose:
        names = ", ".join(loose)
        return _bad(
            "permissions",
            f"kunci {names} bisa dibaca pengguna lain",
            f"keys {names} are readable by others",
            f"chmod 600 {names}",
            f"chmod 600 {names}",
        )
    return _ok("permissions", "kunci hanya bisa dibaca pemiliknya", "keys are readable by their owner only")


@dataclass(frozen=True)
class DeviceFacts:
    """What doctor read from a device (or bundle) directory."""

    device: str
    host: str
    port: int
    tls: bool
    ca: Path
    cert: Path
    key: Path


def read_device(directory: Path) -> tuple[DeviceFacts | None, list[Finding]]:
    """Read device.toml and the TLS files; findings for whatever is missing or inconsistent."""
    fix_id = "pasang bundel: python -m edge init --bundle DIR"
    fix_en = "install the bundle: python -m edge init --bundle DIR"
    settings_path = directory / "device.toml"
    try:
        settings = tomllib.loads(settings_path.read_text(encoding="utf-8"))
        broker = settings["broker"]
        device = str(settings["device"])
        facts = DeviceFacts(
            device=device,
            host=str(broker["host"]),
            port=int(broker["port"]),
            tls=bool(broker.get("tls", False)),
            ca=directory / str(broker.get("ca", "ca.crt")),
            cert=directory / str(broker.get("cert", "client.crt")),
            key=directory / str(broker.get("key", "client.key")),
        )
    except FileNotFoundError:
        return None, [
            _bad("bundle", f"{settings_path} tidak ada", f"{settings_path} does not exist", fix_id, fix_en)
        ]
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, UnicodeDecodeError):
        return None, [_bad("bundle", "device.toml rusak", "device.toml is damaged", fix_id, fix_en)]
    findings: list[Finding] = []
    if not facts.tls:
        findings.append(
            _bad(
                "bundle",
                "TLS mati di device.toml",
                "TLS is off in device.toml",
                "daftarkan perangkat lewat provisioning enroll",
                "enroll the device with provisioning",
            )
        )
    missing = [
        p.name for p in (facts.ca, facts.cert, facts.key, directory / "signing.key") if not p.is_file()
    ]
    if missing:
        findings.append(
            _bad(
                "bundle",
                f"file tidak ada: {', '.join(missing)}",
                f"missing files: {', '.join(missing)}",
                fix_id,
                fix_en,
            )
        )
        return facts, findings
    if (directory / "manifest.json").is_file():
        from provisioning.bundle import verify_bundle
        from provisioning.errors import ProvisioningError

        # A device directory installed from the bundle keeps the manifest beside its own database.
        installed = (directory / DEVICE_DB).exists()
        try:
            verify_bundle(directory, installed=installed)
        except ProvisioningError as err:
            findings.append(_bad("bundle", err.id_text, err.en_text, fix_id, fix_en))
            return facts, findings
    try:
        signing = serialization.load_pem_private_key((directory / "signing.key").read_bytes(), password=None)
        if not isinstance(signing, Ed25519PrivateKey):
            raise TypeError
    except (ValueError, TypeError):
        findings.append(
            _bad(
                "bundle",
                "signing.key bukan kunci Ed25519",
                "signing.key is not an Ed25519 key",
                fix_id,
                fix_en,
            )
        )
        return facts, findings
    findings.append(
        _ok(
            "bundle",
            f"perangkat {facts.device}, broker {facts.host}:{facts.port}",
            f"device {facts.device}, broker {facts.host}:{facts.port}",
        )
    )
    findings.append(_mode_finding([facts.key, directory / "signing.key"]))
    return facts, findings


def check_broker(facts: DeviceFacts, timeout_s: float = BROKER_TIMEOUT_S) -> Finding:
    """Open TCP, do the TLS handshake with the device's certificate, send MQTT CONNECT, read CONNACK."""
    try:
        sock = socket.create_connection((facts.host, facts.port), timeout=timeout_s)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError as err:
        return _bad(
            "broker",
            f"broker {facts.host}:{facts.port} tidak terjangkau ({err.strerror or err})",
            f"broker {facts.host}:{facts.port} is unreachable ({err.strerror or err})",
            "periksa jaringan/Wi-Fi dan bahwa Mosquitto berjalan di server",
            "check the network/Wi-Fi and that Mosquitto runs on the server",
        )
    context = ssl.create_default_context(cafile=str(facts.ca))
    context.load_cert_chain(str(facts.cert), str(facts.key))
    try:
        with context.wrap_socket(sock, server_hostname=facts.host) as tls:
            tls.settimeout(timeout_s)
            tls.sendall(_mqtt5_connect(f"doctor-{facts.device}"))
            reply = tls.recv(MQTT_CONNACK_MAX_BYTES)
    except ssl.SSLCertVerificationError as err:
        return _bad(
            "broker",
            f"sertifikat broker tidak dipercaya ({err.verify_message})",
            f"the broker's certificate is not trusted ({err.verify_message})",
            "host broker di device.toml harus sama dengan sertifikat broker; minta bundel baru",
            "the broker host in device.toml must match the broker's certificate; ask for a new bundle",
        )
    except (ssl.SSLError, OSError):
        reply = b""
    finally:
        sock.close()
    if len(reply) < 4 or reply[0] != 0x20:
        return _bad(
            "broker",
            "broker menolak sertifikat perangkat ini (dicabut, atau dari CA lain)",
            "the broker refused this device's certificate (revoked, or from another CA)",
            "tanyakan ke pengurus apakah perangkat dicabut; daftarkan ulang dengan id baru",
            "ask the board whether the device was revoked; enroll again under a new id",
        )
    code = reply[3]
    if code != 0:
        return _bad(
            "broker",
            f"broker menolak koneksi (kode {code})",
            f"the broker refused the connection (code {code})",
            "periksa ACL broker: python -m provisioning broker-config",
            "check the broker ACL: python -m provisioning broker-config",
        )
    return _ok(
        "broker",
        f"terhubung ke broker {facts.host}:{facts.port} dengan TLS",
        f"connected to broker {facts.host}:{facts.port} over TLS",
    )


def _mqtt5_connect(client_id: str) -> bytes:
    """A minimal MQTT 5 CONNECT packet (clean start, keepalive 10 s, no properties)."""
    ident = client_id.encode()[:23]
    variable = b"\x00\x04MQTT\x05\x02\x00\x0a\x00"
    payload = len(ident).to_bytes(2, "big") + ident
    body = variable + payload
    assert len(body) < 128
    return bytes([0x10, len(body)]) + body


def check_device_node(check: str, path: Path, *, write: bool) -> Finding:
    """A scanner or printer device node must exist and be usable by this user."""
    what_id, what_en = ("pemindai", "scanner") if check == "scanner" else ("printer", "printer")
    if not path.exists():
        return _bad(
            check,
            f"{what_id} tidak ditemukan di {path}",
            f"no {what_en} at {path}",
            f"colok {what_id} USB; cek `lsusb` dan aturan udev 99-koperasi.rules (vendor/product id)",
            f"plug in the USB {what_en}; check `lsusb` and the udev rule 99-koperasi.rules "
            "(vendor/product id)",
        )
    mode = os.W_OK if write else os.R_OK
    if not os.access(path, mode):
        return _bad(
            check,
            f"{what_id} {path} ada tetapi tidak boleh dipakai pengguna ini",
            f"{what_en} {path} exists but this user may not use it",
            "tambahkan pengguna kiosk ke grup pada aturan udev, lalu udevadm trigger",
            "add the kiosk user to the group in the udev rule, then udevadm trigger",
        )
    return _ok(check, f"{what_id} siap di {path}", f"{what_en} ready at {path}")


def diagnose(
    directory: Path,
    *,
    scanner: Path = Path(DEFAULT_SCANNER),
    printer: Path | None = Path(DEFAULT_PRINTER),
    now: datetime | None = None,
    broker: bool = True,
) -> list[Finding]:
    """Every check, in the order a technician would fix them."""
    now = now or datetime.now(UTC)
    facts, findings = read_device(directory)
    not_before = None
    if facts is not None and facts.cert.is_file() and facts.ca.is_file():
        try:
            client = x509.load_pem_x509_certificate(facts.cert.read_bytes())
            ca = x509.load_pem_x509_certificate(facts.ca.read_bytes())
            not_before = client.not_valid_before_utc
            findings.append(check_certificates(facts.device, ca, client, now))
        except ValueError:
            findings.append(
                _bad(
                    "certificate",
                    "sertifikat tidak terbaca",
                    "a certificate is not readable",
                    "minta bundel baru",
                    "ask for a new bundle",
                )
            )
    findings.append(check_clock(now, not_before))
    if broker and facts is not None and all(f.ok for f in findings if f.check in ("bundle", "certificate")):
        findings.append(check_broker(facts))
    findings.append(check_device_node("scanner", scanner, write=False))
    if printer is not None:
        findings.append(check_device_node("printer", printer, write=True))
    return findings
