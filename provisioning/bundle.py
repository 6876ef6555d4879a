"""Enrollment bundles: everything a device needs to join, signed by the CA so tampering shows.

A bundle is one directory (the layout of docs/contracts.md, "Provisioning bundle")::

    device.toml   settings, ``tls = true``
    signing.key   Ed25519 envelope signing key, PEM PKCS8, mode 0600
    signing.pub   base64 of the raw Ed25519 public key (what central's registry stores)
    ca.crt        the cooperative's CA certificate
    client.crt    the device's TLS client certificate (CN = device id)
    client.key    its ECDSA P-256 key, mode 0600
    manifest.json SHA-256 of each file above, the device's facts, signed by the CA key (ECDSA P-256, SHA-256)

Beside the bundle (not in it) ``enroll`` writes an enrollment token and its QR code::

    KOPENROLL1:<device>:<bundle id>:<expires, unix seconds>:<SHA-256 of manifest.json>

A bundle is too big for one QR code once keys are in it, and keys do not belong on paper. The token is
the independent trust anchor: a technician scans it on the device, and ``verify_bundle(dir, token=...)``
refuses a bundle whose manifest is not the one enrolled (a bundle re-signed by another CA included), an
expired token, or another device's token. The bundle id is random and single-use: the device installer
should remember the ids it consumed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
import shutil
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID

from provisioning.ca import (
    BUNDLES_DIR,
    DEVICE_VALID_DAYS,
    RESERVED_IDS,
    CertificateAuthority,
    DeviceRecord,
    cert_pem,
    check_name,
    fingerprint,
    issue,
    key_pem,
    new_key,
)
from provisioning.errors import BundleTampered, DeviceExists, InvalidName, OutputExists, TokenMismatch
from provisioning.files import PRIVATE_DIR_MODE, PRIVATE_MODE, PUBLIC_MODE, make_private_dir, write_file
from provisioning.token import Token, TokenProblem, read_token, token_problem
from sync import checkpoint as note
from sync.envelope import canonical

MANIFEST: Final = "manifest.json"
MANIFEST_FORMAT: Final = 1
BUNDLE_FILES: Final = ("device.toml", "signing.key", "signing.pub", "ca.crt", "client.crt", "client.key")
# Files a bundle may also carry: ``log.pub``, the transparency log's public key (``central transparency
# key``), with which the device witnesses the log (``sync.witnessing``).
OPTIONAL_FILES: Final = ("log.pub",)
PRIVATE_FILES: Final = frozenset({"signing.key", "client.key"})
TOKEN_VALID_HOURS: Final = 72
MAX_TOKEN_VALID_HOURS: Final = 30 * 24
# Nothing in a bundle is large; anything bigger was not written by enroll.
MAX_BUNDLE_FILE_BYTES: Final = 64 * 1024


@dataclass(frozen=True)
class Manifest:
    """A verified manifest: what the CA vouched for."""

    bundle_id: str
    coop: str
    device: str
    unit: str
    branch: str
    created_at: str
    token_expires_at: int
    ca_sha256: str
    signing_public_key: str
    files: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Enrollment:
    """What ``enroll`` produced."""

    record: DeviceRecord
    bundle_dir: Path
    token: Token
    qr_png: Path
    public_json: Path


def _toml_text(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string for our plain ids and hosts


def device_toml(coop: str, device: str, unit: str, branch: str, *, host: str, port: int) -> str:
    """The device's settings file, as docs/contracts.md pins it, with TLS on."""
    return "\n".join(
        [
            f"coop = {_toml_text(coop)}",
            f"device = {_toml_text(device)}",
            f"unit = {_toml_text(unit)}",
            f"branch = {_toml_text(branch)}",
            "",
            "[broker]",
            f"host = {_toml_text(host)}",
            f"port = {int(port)}",
            "tls = true",
            'ca = "ca.crt"',
            'cert = "client.crt"',
            'key = "client.key"',
            'username = ""',
            'password = ""',
            "",
        ]
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sign_manifest(body: dict[str, Any], ca_key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    """The manifest with ``sig``: ECDSA P-256 / SHA-256 over the canonical JSON of the rest."""
    signature = ca_key.sign(canonical(body), ec.ECDSA(hashes.SHA256()))
    return {**body, "sig": base64.b64encode(signature).decode("ascii")}


def _new_bundle_id() -> str:
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def enroll(
    ca: CertificateAuthority,
    ca_key: ec.EllipticCurvePrivateKey,
    device: str,
    unit: str,
    branch: str,
    *,
    out: Path | None = None,
    token_hours: int = TOKEN_VALID_HOURS,
    now: datetime | None = None,
    log_key: str | None = None,
) -> Enrollment:
    """Issue a device's keys and certificate, write its signed bundle, its QR token, and register it.

    The bundle is built in a private staging directory and renamed into place; the registry is updated
    only once the bundle is complete.
    """
    check_name("device", device)
    check_name("unit", unit)
    check_name("branch", branch)
    if device in RESERVED_IDS or device == ca.settings.central_identity:
        raise InvalidName(
            f"id perangkat {device!r} dipakai sistem; pilih id lain, mis. toko-01",
            f"device id {device!r} is reserved; choose another, e.g. toko-01",
        )
    if not 1 <= token_hours <= MAX_TOKEN_VALID_HOURS:
        raise InvalidName(
            f"masa berlaku token {token_hours} jam tidak sah: 1 sampai {MAX_TOKEN_VALID_HOURS}",
            f"token validity of {token_hours} hours is not valid: 1 to {MAX_TOKEN_VALID_HOURS}",
        )
    registry = ca.registry()
    existing = registry.get(device)
    if existing is not None:
        state = "dicabut" if not existing.active else "aktif"
        state_en = "revoked" if not existing.active else "active"
        raise DeviceExists(
            f"perangkat {device} sudah pernah didaftarkan ({state}); id perangkat tidak dipakai ulang, "
            f"pilih id baru, mis. {device}-b",
            f"device {device} was enrolled before ({state_en}); device ids are never reused, "
            f"choose a new one, e.g. {device}-b",
        )
    bundles = ca.path(BUNDLES_DIR)
    out = Path(out).absolute() if out is not None else bundles / device
    if out.exists():
        raise OutputExists(
            f"{out} sudah ada; bundel tidak ditimpa. Hapus atau pilih --out lain",
            f"{out} already exists; a bundle is never overwritten. Remove it or choose another --out",
        )
    now = now or datetime.now(UTC)
    settings = ca.settings
    tls_key = new_key()
    cert = issue(ca_key, ca.cert, device, tls_key.public_key(), now, valid_days=DEVICE_VALID_DAYS)
    signing = Ed25519PrivateKey.generate()
    public_b64 = base64.b64encode(
        signing.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    ).decode("ascii")
    contents = {
        "device.toml": device_toml(
            settings.coop, device, unit, branch, host=settings.broker_host, port=settings.broker_port
        ).encode(),
        "signing.key": signing.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        "signing.pub": (public_b64 + "\n").encode(),
        "ca.crt": cert_pem(ca.cert),
        "client.crt": cert_pem(cert),
        "client.key": key_pem(tls_key),
    }
    if log_key is not None:
        contents["log.pub"] = (_log_key(log_key) + "\n").encode()
    bundle_id = _new_bundle_id()
    expires = int((now + timedelta(hours=token_hours)).timestamp())
    body: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "bundle_id": bundle_id,
        "coop": settings.coop,
        "device": device,
        "unit": unit,
        "branch": branch,
        "created_at": now.isoformat(timespec="seconds"),
        "token_expires_at": expires,
        "ca_sha256": fingerprint(ca.cert),
        "signing_public_key": public_b64,
        "files": {name: sha256_hex(data) for name, data in sorted(contents.items())},
    }
    manifest_bytes = json.dumps(sign_manifest(body, ca_key), indent=2, sort_keys=True).encode() + b"\n"
    token = Token(device, bundle_id, expires, sha256_hex(manifest_bytes))

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    make_private_dir(staging)
    try:
        for name, data in contents.items():
            write_file(staging / name, data, mode=PRIVATE_MODE if name in PRIVATE_FILES else PUBLIC_MODE)
        write_file(staging / MANIFEST, manifest_bytes, mode=PUBLIC_MODE)
        os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    os.chmod(out, PRIVATE_DIR_MODE)
    record = DeviceRecord(
        device=device,
        unit=unit,
        branch=branch,
        serial=cert.serial_number,
        signing_public_key=public_b64,
        enrolled_at=now.isoformat(timespec="seconds"),
        bundle_id=bundle_id,
    )
    try:
        ca.save_registry(registry.with_device(record))
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    qr_png = out.parent / f"{out.name}.enroll.png"
    _write_qr(qr_png, token.text())
    (out.parent / f"{out.name}.enroll.txt").write_text(token.text() + "\n", encoding="ascii")
    public_json = out.parent / f"{out.name}.public.json"
    public = {
        "coop": settings.coop,
        "device": device,
        "unit": unit,
        "branch": branch,
        "public_key": public_b64,
        "serial": format(cert.serial_number, "x"),
        "client_cert_sha256": fingerprint(cert),
        "bundle_id": bundle_id,
    }
    public_json.write_text(json.dumps(public, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return Enrollment(record=record, bundle_dir=out, token=token, qr_png=qr_png, public_json=public_json)


def _log_key(text: str) -> str:
    """The transparency log's public key as ``central transparency key`` prints it, checked."""
    try:
        return note.parse_verifier(text).encode()
    except note.NoteError as err:
        raise InvalidName(
            f"kunci log tidak sah ({err}); salin baris dari `central transparency key`",
            f"the log key is not valid ({err}); copy the line `central transparency key` prints",
        ) from err


def _write_qr(path: Path, text: str) -> None:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image()
    if path.exists():
        path.unlink()
    with path.open("wb") as handle:
        image.save(handle)


def parse_token(text: str) -> Token:
    """Read a scanned enrollment token; ``TokenMismatch`` if it is not one."""
    token = read_token(text)
    if isinstance(token, TokenProblem):
        raise TokenMismatch(token.text_id, token.text_en)
    return token


def _tampered(id_text: str, en_text: str) -> BundleTampered:
    return BundleTampered(
        f"bundel ditolak: {id_text}. Minta bundel baru dari pengurus (provisioning enroll)",
        f"bundle refused: {en_text}. Ask for a fresh bundle (provisioning enroll)",
    )


def verify_bundle(
    directory: Path,
    *,
    token: str | None = None,
    trusted_ca_sha256: str | None = None,
    now: datetime | None = None,
    installed: bool = False,
) -> Manifest:
    """Check a bundle against its CA-signed manifest (and, if given, the scanned token and a pinned CA).

    With ``installed`` the directory is a device directory made from the bundle: files the device added
    (its database, state) are allowed beside the bundle's, which must still be unchanged.
    Raises ``BundleTampered`` or ``TokenMismatch`` naming the first thing that is wrong.
    """
    directory = Path(directory)
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise _tampered("manifest.json tidak ada", "manifest.json is missing")
    manifest_bytes = manifest_path.read_bytes()[: MAX_BUNDLE_FILE_BYTES + 1]
    try:
        data = json.loads(manifest_bytes)
        files = data["files"]
        sig = base64.b64decode(data["sig"], validate=True)
        assert isinstance(files, dict)
    except (ValueError, KeyError, TypeError, AssertionError, binascii.Error):
        raise _tampered("manifest.json rusak", "manifest.json is damaged") from None
    if data.get("format") != MANIFEST_FORMAT:
        raise _tampered(f"format manifest {data.get('format')!r} tidak dikenal", "unknown manifest format")
    expected = set(BUNDLE_FILES) | (set(files) & set(OPTIONAL_FILES))
    if set(files) != expected:
        raise _tampered(
            "manifest tidak mencantumkan file yang semestinya", "the manifest lists the wrong files"
        )
    present = {p.name for p in directory.iterdir()} - {MANIFEST}
    for name in sorted(expected - present):
        raise _tampered(f"file {name} hilang", f"file {name} is missing")
    for name in sorted(present - expected) if not installed else ():
        raise _tampered(
            f"ada file asing {name} yang tidak ada di manifest",
            f"unexpected file {name}, not in the manifest",
        )
    contents: dict[str, bytes] = {}
    for name in sorted(expected):
        path = directory / name
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_BUNDLE_FILE_BYTES:
            raise _tampered(f"{name} bukan file biasa", f"{name} is not a plain file")
        contents[name] = path.read_bytes()
        if sha256_hex(contents[name]) != files[name]:
            raise _tampered(
                f"file {name} diubah setelah pendaftaran", f"file {name} was changed after enrollment"
            )
    try:
        ca_cert = x509.load_pem_x509_certificate(contents["ca.crt"])
        client_cert = x509.load_pem_x509_certificate(contents["client.crt"])
    except ValueError:
        raise _tampered("sertifikat tidak terbaca", "a certificate is not readable") from None
    if fingerprint(ca_cert) != data.get("ca_sha256"):
        raise _tampered(
            "ca.crt bukan CA yang tercantum di manifest", "ca.crt is not the CA the manifest names"
        )
    ca_public = ca_cert.public_key()
    body = {k: v for k, v in data.items() if k != "sig"}
    try:
        assert isinstance(ca_public, ec.EllipticCurvePublicKey)
        ca_public.verify(sig, canonical(body), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, AssertionError):
        raise _tampered(
            "tanda tangan manifest tidak cocok dengan CA", "the manifest signature does not match the CA"
        ) from None
    if trusted_ca_sha256 is not None and fingerprint(ca_cert) != trusted_ca_sha256.lower():
        raise _tampered(
            "CA bundel bukan CA koperasi yang dipercaya", "the bundle's CA is not the trusted cooperative CA"
        )
    try:
        client_cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        raise _tampered(
            "client.crt tidak diterbitkan oleh ca.crt", "client.crt was not issued by ca.crt"
        ) from None
    device = str(data.get("device"))
    common_names = client_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not common_names or common_names[0].value != device:
        raise _tampered("nama di client.crt bukan id perangkat", "client.crt does not name this device")
    _check_keys(contents, client_cert, str(data.get("signing_public_key")))
    try:
        settings = tomllib.loads(contents["device.toml"].decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        raise _tampered("device.toml tidak terbaca", "device.toml is not readable") from None
    for key in ("coop", "device", "unit", "branch"):
        if settings.get(key) != data.get(key):
            raise _tampered(
                f"{key} di device.toml berbeda dari manifest",
                f"{key} in device.toml differs from the manifest",
            )
    manifest = Manifest(
        bundle_id=str(data["bundle_id"]),
        coop=str(data["coop"]),
        device=device,
        unit=str(data["unit"]),
        branch=str(data["branch"]),
        created_at=str(data["created_at"]),
        token_expires_at=int(data["token_expires_at"]),
        ca_sha256=str(data["ca_sha256"]),
        signing_public_key=str(data["signing_public_key"]),
        files=tuple(sorted((str(k), str(v)) for k, v in files.items())),
    )
    if token is not None:
        check_token(parse_token(token), manifest, sha256_hex(manifest_bytes), now or datetime.now(UTC))
    return manifest


def _check_keys(contents: dict[str, bytes], client_cert: x509.Certificate, public_b64: str) -> None:
    try:
        signing = serialization.load_pem_private_key(contents["signing.key"], password=None)
        tls_key = serialization.load_pem_private_key(contents["client.key"], password=None)
        listed = Ed25519PublicKey.from_public_bytes(
            base64.b64decode(contents["signing.pub"].strip(), validate=True)
        )
    except (ValueError, TypeError, binascii.Error):
        raise _tampered("kunci tidak terbaca", "a key is not readable") from None
    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    if not isinstance(signing, Ed25519PrivateKey) or signing.public_key().public_bytes(
        *raw
    ) != listed.public_bytes(*raw):
        raise _tampered(
            "signing.key tidak cocok dengan signing.pub", "signing.key does not match signing.pub"
        )
    if base64.b64encode(listed.public_bytes(*raw)).decode("ascii") != public_b64:
        raise _tampered("signing.pub bukan kunci di manifest", "signing.pub is not the key in the manifest")
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if not isinstance(tls_key, ec.EllipticCurvePrivateKey) or tls_key.public_key().public_bytes(
        *spki
    ) != client_cert.public_key().public_bytes(*spki):
        raise _tampered("client.key tidak cocok dengan client.crt", "client.key does not match client.crt")


def check_token(token: Token, manifest: Manifest, manifest_sha256: str, now: datetime) -> None:
    """A scanned token must name this device and bundle, hash to this manifest, and not have expired
    (provisioning/token.py, the check ``edge init --bundle`` makes too)."""
    problem = token_problem(
        token,
        device=manifest.device,
        bundle_id=manifest.bundle_id,
        manifest_sha256=manifest_sha256,
        now_s=now.timestamp(),
    )
    if problem is not None:
        raise TokenMismatch(problem.text_id, problem.text_en)
