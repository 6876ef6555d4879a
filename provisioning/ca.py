"""The cooperative's certificate authority: one directory, kept outside any repository.

Layout of a CA directory (created by ``init_ca``)::

    ca.key        ECDSA P-256 CA key, PEM, encrypted with the CA passphrase, mode 0600
    ca.crt        self-signed CA certificate
    server.key    the broker's TLS key (unencrypted: Mosquitto must read it unattended), mode 0600
    server.crt    the broker's certificate (SAN 127.0.0.1, localhost and the configured host name)
    central.key   central's MQTT client key, mode 0600
    central.crt   central's client certificate (CN = central identity, default ``central``)
    crl.pem       certificate revocation list, re-signed on every revocation
    coop.json     cooperative id, broker address, central identity
    devices.json  registry of enrolled devices (public data only)
    bundles/      enrollment bundles, one directory per device

TLS keys are ECDSA P-256 (the safe choice for Mosquitto/OpenSSL); the envelope signing keys of devices are
Ed25519, separately (``bundle.py``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from provisioning.errors import (
    CaExists,
    CaInsideRepository,
    CaMissing,
    InvalidName,
    WeakPassphrase,
    WrongPassphrase,
)
from provisioning.files import PRIVATE_MODE, PUBLIC_MODE, make_private_dir, replace_file, write_file

CA_KEY: Final = "ca.key"
CA_CERT: Final = "ca.crt"
SERVER_KEY: Final = "server.key"
SERVER_CERT: Final = "server.crt"
CENTRAL_KEY: Final = "central.key"
CENTRAL_CERT: Final = "central.crt"
CRL_FILE: Final = "crl.pem"
SETTINGS_FILE: Final = "coop.json"
REGISTRY_FILE: Final = "devices.json"
BUNDLES_DIR: Final = "bundles"

NAME_RE: Final = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
HOST_RE: Final = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$")
# Identities that are not devices: a device may not take their name on the broker.
RESERVED_IDS: Final = frozenset({"central", "broker", "admin", "root"})
MIN_PASSPHRASE_CHARS: Final = 8
CA_VALID_DAYS: Final = 20 * 365
SERVER_VALID_DAYS: Final = 5 * 365
DEVICE_VALID_DAYS: Final = 5 * 365
# A CRL past its next-update makes OpenSSL refuse every client; keep it long and re-sign on each revocation.
CRL_VALID_DAYS: Final = 5 * 365
DEFAULT_BROKER_PORT: Final = 8883
DEFAULT_CENTRAL_IDENTITY: Final = "central"


@dataclass(frozen=True)
class CoopSettings:
    """What a CA directory knows about its cooperative (``coop.json``)."""

    coop: str
    broker_host: str
    broker_port: int
    central_identity: str
    created_at: str
    broker_dir: str | None = None  # where `broker-config` last wrote Mosquitto's files


@dataclass(frozen=True)
class DeviceRecord:
    """One enrolled device in the CA's registry: public facts only."""

    device: str
    unit: str
    branch: str
    serial: int
    signing_public_key: str  # base64 of the raw Ed25519 public key
    enrolled_at: str
    bundle_id: str
    revoked_at: str | None = None
    reason: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Registry:
    """All devices ever enrolled, and the number of the last CRL."""

    devices: tuple[DeviceRecord, ...] = ()
    crl_number: int = 1

    def get(self, device: str) -> DeviceRecord | None:
        return next((d for d in self.devices if d.device == device), None)

    def with_device(self, record: DeviceRecord) -> Registry:
        others = tuple(d for d in self.devices if d.device != record.device)
        return replace(self, devices=(*others, record))


def check_name(kind: str, value: str) -> str:
    """``value`` if it is a valid id for ``kind`` (device, unit, branch, coop), else ``InvalidName``."""
    if not NAME_RE.match(value or ""):
        raise InvalidName(
            f"{kind} {value!r} tidak sah: pakai huruf kecil, angka, '-' atau '_' (maks. 48), mis. toko-01",
            f"{kind} {value!r} is not valid: use lowercase letters, digits, '-' or '_' (at most 48), "
            "e.g. toko-01",
        )
    return value


def check_host(value: str) -> str:
    """A broker host name or IP address."""
    if not HOST_RE.match(value or ""):
        raise InvalidName(
            f"nama host broker {value!r} tidak sah, mis. 192.168.1.10 atau broker.kopmaju.lan",
            f"broker host {value!r} is not valid, e.g. 192.168.1.10 or broker.kopmaju.lan",
        )
    return value


def fingerprint(cert: x509.Certificate) -> str:
    """Hex SHA-256 of a certificate's DER bytes (what a technician can compare)."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def new_key() -> ec.EllipticCurvePrivateKey:
    """A fresh ECDSA P-256 key for TLS."""
    return ec.generate_private_key(ec.SECP256R1())


def self_signed_ca(key: ec.EllipticCurvePrivateKey, coop: str, now: datetime) -> x509.Certificate:
    """The cooperative's root certificate."""
    name = _name(f"{coop} koperasi CA", coop)
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=CA_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def issue(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    common_name: str,
    public_key: ec.EllipticCurvePublicKey,
    now: datetime,
    *,
    server_names: Sequence[str] = (),
    valid_days: int = DEVICE_VALID_DAYS,
) -> x509.Certificate:
    """A leaf certificate: a TLS client (device, central) or, with ``server_names``, the broker."""
    organisation = ca_cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server_names else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, str(organisation)))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    if server_names:
        alt: list[x509.GeneralName] = []
        for host in dict.fromkeys(server_names):
            try:
                alt.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                alt.append(x509.DNSName(host))
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def build_crl(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    revoked: Iterable[tuple[int, datetime]],
    number: int,
    now: datetime,
) -> x509.CertificateRevocationList:
    """A CRL naming every revoked serial, signed by the CA."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + timedelta(days=CRL_VALID_DAYS))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    return builder.sign(ca_key, hashes.SHA256())


def key_pem(key: ec.EllipticCurvePrivateKey, passphrase: bytes | None = None) -> bytes:
    """PEM PKCS8 of a key, encrypted when a passphrase is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def inside_repository(path: Path) -> Path | None:
    """The repository root (a directory holding ``.git``) that contains ``path``, if any."""
    for parent in (path, *path.parents):
        if (parent / ".git").exists():
            return parent
    return None


class CertificateAuthority:
    """An existing CA directory: its settings, certificate, registry, and (once unlocked) its key."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        if not (self.directory / CA_CERT).is_file() or not (self.directory / SETTINGS_FILE).is_file():
            raise CaMissing(
                f"tidak ada CA di {self.directory}; buat dulu dengan `python -m provisioning ca init`",
                f"no CA in {self.directory}; create one first with `python -m provisioning ca init`",
            )
        self.settings = CoopSettings(**json.loads((self.directory / SETTINGS_FILE).read_text("utf-8")))
        self.cert = x509.load_pem_x509_certificate((self.directory / CA_CERT).read_bytes())

    @property
    def coop(self) -> str:
        return self.settings.coop

    def path(self, name: str) -> Path:
        return self.directory / name

    def unlock(self, passphrase: bytes) -> ec.EllipticCurvePrivateKey:
        """The CA key, decrypted with ``passphrase``; ``WrongPassphrase`` otherwise."""
        try:
            key = serialization.load_pem_private_key(
                (self.directory / CA_KEY).read_bytes(), password=passphrase
            )
        except (ValueError, TypeError) as err:
            raise WrongPassphrase(
                "kata sandi CA salah: kunci CA tidak bisa dibuka. "
                "Periksa --passphrase-file atau KOP_CA_PASSPHRASE",
                "wrong CA passphrase: the CA key does not open. Check --passphrase-file or KOP_CA_PASSPHRASE",
            ) from err
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return key

    def registry(self) -> Registry:
        data: dict[str, Any] = json.loads((self.directory / REGISTRY_FILE).read_text("utf-8"))
        devices = tuple(DeviceRecord(**item) for item in data.get("devices", []))
        return Registry(devices=devices, crl_number=int(data.get("crl_number", 1)))

    def save_registry(self, registry: Registry) -> None:
        data = {"devices": [asdict(d) for d in registry.devices], "crl_number": registry.crl_number}
        replace_file(
            self.directory / REGISTRY_FILE,
            (json.dumps(data, indent=2, sort_keys=True) + "\n").encode(),
            mode=PUBLIC_MODE,
        )

    def save_settings(self, settings: CoopSettings) -> None:
        replace_file(
            self.directory / SETTINGS_FILE,
            (json.dumps(asdict(settings), indent=2, sort_keys=True) + "\n").encode(),
            mode=PUBLIC_MODE,
        )
        self.settings = settings

    def crl(self) -> x509.CertificateRevocationList:
        return x509.load_pem_x509_crl((self.directory / CRL_FILE).read_bytes())

    def write_crl(self, ca_key: ec.EllipticCurvePrivateKey, registry: Registry, now: datetime) -> Registry:
        """Re-sign the CRL from the registry's revoked devices; returns the registry with the next number."""
        revoked = [
            (d.serial, datetime.fromisoformat(d.revoked_at))
            for d in registry.devices
            if d.revoked_at is not None
        ]
        crl = build_crl(ca_key, self.cert, revoked, registry.crl_number, now)
        replace_file(
            self.directory / CRL_FILE, crl.public_bytes(serialization.Encoding.PEM), mode=PUBLIC_MODE
        )
        return replace(registry, crl_number=registry.crl_number + 1)


def init_ca(
    directory: Path,
    coop: str,
    passphrase: bytes,
    *,
    broker_host: str = "127.0.0.1",
    broker_port: int = DEFAULT_BROKER_PORT,
    central_identity: str = DEFAULT_CENTRAL_IDENTITY,
    allow_inside_repository: bool = False,
    now: datetime | None = None,
) -> CertificateAuthority:
    """Create a CA directory for ``coop``: CA, broker and central certificates, an empty CRL and registry.

    The directory is built beside its final place and renamed into it, so a failure leaves nothing behind.
    """
    check_name("coop", coop)
    check_name("central identity", central_identity)
    check_host(broker_host)
    directory = Path(directory).absolute()
    repo = inside_repository(directory)
    if repo is not None and not allow_inside_repository:
        raise CaInsideRepository(
            f"direktori CA {directory} ada di dalam repositori {repo}; simpan CA di luar repositori "
            "(mis. ~/.koperasi/ca) agar kuncinya tidak ikut ter-commit",
            f"the CA directory {directory} is inside the repository {repo}; "
            "keep the CA outside any repository "
            "(e.g. ~/.koperasi/ca) so its key is never committed",
        )
    if directory.exists() and any(directory.iterdir()):
        raise CaExists(
            f"{directory} sudah berisi file; CA tidak ditimpa. Pilih direktori lain atau kosongkan dulu",
            f"{directory} already holds files; a CA is never overwritten. "
            "Choose another directory or empty it",
        )
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise WeakPassphrase(
            f"kata sandi CA terlalu pendek: minimal {MIN_PASSPHRASE_CHARS} karakter",
            f"the CA passphrase is too short: at least {MIN_PASSPHRASE_CHARS} characters",
        )
    now = now or datetime.now(UTC)
    ca_key = new_key()
    ca_cert = self_signed_ca(ca_key, coop, now)
    server_key = new_key()
    server_cert = issue(
        ca_key,
        ca_cert,
        "broker",
        server_key.public_key(),
        now,
        server_names=(broker_host, "127.0.0.1", "localhost"),
        valid_days=SERVER_VALID_DAYS,
    )
    central_key = new_key()
    central_cert = issue(ca_key, ca_cert, central_identity, central_key.public_key(), now)
    settings = CoopSettings(
        coop=coop,
        broker_host=broker_host,
        broker_port=broker_port,
        central_identity=central_identity,
        created_at=now.isoformat(timespec="seconds"),
    )
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = directory.parent / f".{directory.name}.staging-{os.getpid()}"
    make_private_dir(staging)
    try:
        write_file(staging / CA_KEY, key_pem(ca_key, passphrase), mode=PRIVATE_MODE)
        write_file(staging / CA_CERT, cert_pem(ca_cert), mode=PUBLIC_MODE)
        write_file(staging / SERVER_KEY, key_pem(server_key), mode=PRIVATE_MODE)
        write_file(staging / SERVER_CERT, cert_pem(server_cert) + cert_pem(ca_cert), mode=PUBLIC_MODE)
        write_file(staging / CENTRAL_KEY, key_pem(central_key), mode=PRIVATE_MODE)
        write_file(staging / CENTRAL_CERT, cert_pem(central_cert), mode=PUBLIC_MODE)
        write_file(
            staging / SETTINGS_FILE,
            (json.dumps(asdict(settings), indent=2, sort_keys=True) + "\n").encode(),
            mode=PUBLIC_MODE,
        )
        crl = build_crl(ca_key, ca_cert, [], 1, now)
        write_file(staging / CRL_FILE, crl.public_bytes(serialization.Encoding.PEM), mode=PUBLIC_MODE)
        write_file(staging / REGISTRY_FILE, b'{\n  "crl_number": 2,\n  "devices": []\n}\n', mode=PUBLIC_MODE)
        make_private_dir(staging / BUNDLES_DIR)
        if directory.exists():
            directory.rmdir()  # empty (checked above); rename needs the place free
        os.rename(staging, directory)
    except BaseException:
        _remove_tree(staging)
        raise
    return CertificateAuthority(directory)


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
