"""Verifying a provisioning bundle before a device trusts it.

A bundle is a directory with ``manifest.json`` naming each file and its SHA-256, signed by the
cooperative's CA key (the key of ``ca.crt``, Ed25519 or ECDSA). Accepted manifest shapes:

    {"files": {"device.toml": "<sha256 hex>", ...}, "signature": "<base64>"}
    {"files": [{"path": "device.toml", "sha256": "<hex>"}, ...], "signature": "<base64>"}

The signature covers the canonical JSON (sorted keys, no spaces, UTF-8) of the manifest without its
``signature`` key; alternatively a ``manifest.sig`` file (raw or base64) signs the manifest file's bytes.
ECDSA signatures are DER, over SHA-256.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any, Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding

from edge import keys
from edge import settings as settings_mod
from edge.errors import EdgeError, InvalidBundle
from provisioning.token import TokenProblem, read_token, token_problem
from sync.envelope import canonical

MANIFEST: Final = "manifest.json"
MANIFEST_SIG: Final = "manifest.sig"
CA_FILE: Final = "ca.crt"
REQUIRED: Final = (settings_mod.SETTINGS_FILE, keys.KEY_FILE, CA_FILE)
SIGNATURE_KEYS: Final = ("signature", "sig")
MAX_FILE_BYTES: Final = 1024 * 1024
MAX_FILES: Final = 32


def is_secret(name: str) -> bool:
    """Files installed with mode 0600: private keys."""
    return name.endswith(".key")


def _refuse(bundle: Path, id_text: str, en_text: str) -> InvalidBundle:
    return InvalidBundle(str(bundle), id_text, en_text)


def _read(bundle: Path, name: str) -> bytes:
    path = bundle / name
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _refuse(bundle, f"berkas {name} terlalu besar", f"file {name} is too large")
        return path.read_bytes()
    except FileNotFoundError as err:
        raise _refuse(bundle, f"berkas {name} tidak ada", f"file {name} is missing") from err
    except OSError as err:
        raise _refuse(
            bundle, f"berkas {name} tidak terbaca ({err})", f"file {name} unreadable ({err})"
        ) from err


def _file_list(bundle: Path, manifest: dict[str, Any]) -> dict[str, str]:
    files = manifest.get("files")
    listed: dict[str, Any] = {}
    if isinstance(files, dict):
        listed = {str(k): v for k, v in files.items()}
    elif isinstance(files, list):
        for entry in files:
            if not isinstance(entry, dict):
                raise _refuse(
                    bundle, "daftar berkas di manifest rusak", "the manifest's file list is malformed"
                )
            listed[str(entry.get("path") or entry.get("name"))] = entry.get("sha256")
    else:
        raise _refuse(bundle, "manifest tidak memuat daftar berkas", "the manifest lists no files")
    if len(listed) > MAX_FILES:
        raise _refuse(bundle, "manifest memuat terlalu banyak berkas", "the manifest lists too many files")
    checked: dict[str, str] = {}
    for name, digest in listed.items():
        if "/" in name or "\\" in name or name.startswith(".") or name in (MANIFEST, MANIFEST_SIG):
            raise _refuse(bundle, f"nama berkas {name!r} tidak boleh", f"file name {name!r} is not allowed")
        if not isinstance(digest, str) or len(digest) != 64:
            raise _refuse(bundle, f"SHA-256 untuk {name} rusak", f"the SHA-256 of {name} is malformed")
        checked[name] = digest
    return checked


def _signature(bundle: Path, manifest: dict[str, Any], raw: bytes) -> tuple[bytes, bytes]:
    """(signature, signed bytes)."""
    for key in SIGNATURE_KEYS:
        if key in manifest:
            text = manifest[key]
            body = {k: v for k, v in manifest.items() if k != key}
            try:
                return base64.b64decode(str(text), validate=True), canonical(body)
            except (binascii.Error, ValueError) as err:
                raise _refuse(
                    bundle, "tanda tangan manifest bukan base64", "the manifest signature is not base64"
                ) from err
    if (bundle / MANIFEST_SIG).exists():
        sig = _read(bundle, MANIFEST_SIG)
        try:
            return base64.b64decode(sig.strip(), validate=True), raw
        except (binascii.Error, ValueError):
            return sig, raw
    raise _refuse(bundle, "manifest tidak ditandatangani", "the manifest is not signed")


def _check_signature(bundle: Path, ca_pem: bytes, signature: bytes, signed: bytes) -> None:
    try:
        public = x509.load_pem_x509_certificate(ca_pem).public_key()
    except ValueError as err:
        raise _refuse(bundle, "ca.crt bukan sertifikat PEM", "ca.crt is not a PEM certificate") from err
    try:
        if isinstance(public, Ed25519PublicKey):
            public.verify(signature, signed)
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, signed, ec.ECDSA(hashes.SHA256()))
        else:
            raise _refuse(bundle, "kunci CA harus Ed25519 atau ECDSA", "the CA key must be Ed25519 or ECDSA")
    except InvalidSignature as err:
        raise _refuse(
            bundle,
            "tanda tangan manifest tidak cocok dengan kunci CA (paket diubah?)",
            "the manifest signature does not match the CA key (was the bundle altered?)",
        ) from err


def check_token(
    bundle: Path, token: str, manifest_raw: bytes, *, device: str, bundle_id: str, now_s: float
) -> None:
    """The enrollment token scanned from the QR code (provisioning/token.py: device, bundle id, expiry,
    SHA-256 of manifest.json): an anchor independent of the bundle, so a bundle re-signed by another CA
    is refused too. The same check as ``provisioning verify-bundle``."""
    parsed = read_token(token)
    problem = (
        parsed
        if isinstance(parsed, TokenProblem)
        else token_problem(
            parsed,
            device=device,
            bundle_id=bundle_id,
            manifest_sha256=hashlib.sha256(manifest_raw).hexdigest(),
            now_s=now_s,
        )
    )
    if problem is not None:
        raise _refuse(bundle, problem.text_id, problem.text_en)


def verify(bundle: Path, token: str | None = None, now_s: float | None = None) -> dict[str, bytes]:
    """Check ``bundle`` whole and return its files (name -> bytes, manifest included) ready to install.

    With ``token`` (the enrollment QR code's text) the manifest must also be the one enrolled.
    """
    if not bundle.is_dir():
        raise _refuse(bundle, "bukan direktori", "not a directory")
    raw = _read(bundle, MANIFEST)
    try:
        manifest = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _refuse(bundle, "manifest.json bukan JSON yang sah", "manifest.json is not valid JSON") from err
    if not isinstance(manifest, dict):
        raise _refuse(bundle, "manifest.json harus objek JSON", "manifest.json must be a JSON object")
    listed = _file_list(bundle, manifest)
    for name in REQUIRED:
        if name not in listed:
            raise _refuse(bundle, f"manifest tidak mencantumkan {name}", f"the manifest does not list {name}")
    files: dict[str, bytes] = {}
    for name, digest in sorted(listed.items()):
        data = _read(bundle, name)
        if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), digest.lower()):
            raise _refuse(
                bundle,
                f"isi {name} tidak cocok dengan SHA-256 di manifest (berkas diubah)",
                f"{name} does not match its SHA-256 in the manifest (the file was altered)",
            )
        files[name] = data
    signature, signed = _signature(bundle, manifest, raw)
    _check_signature(bundle, files[CA_FILE], signature, signed)
    try:
        settings = settings_mod.from_dict(
            _toml(files[settings_mod.SETTINGS_FILE]), settings_mod.SETTINGS_FILE
        )
    except EdgeError as err:
        raise _refuse(bundle, err.message("id"), err.message("en")) from err
    ca_sha = manifest.get("ca_sha256")
    if isinstance(ca_sha, str):
        der = x509.load_pem_x509_certificate(files[CA_FILE]).public_bytes(Encoding.DER)
        if not hmac.compare_digest(hashlib.sha256(der).hexdigest(), ca_sha.lower()):
            raise _refuse(
                bundle, "ca.crt bukan CA yang disebut manifest", "ca.crt is not the CA the manifest names"
            )
    if token is not None:
        bundle_id = manifest.get("bundle_id")
        check_token(
            bundle,
            token,
            raw,
            device=settings.device,
            bundle_id=bundle_id if isinstance(bundle_id, str) else "",
            now_s=time.time() if now_s is None else now_s,
        )
    _check_signing_key(bundle, files)
    files[MANIFEST] = raw
    return files


def _check_signing_key(bundle: Path, files: dict[str, bytes]) -> None:
    """signing.key must be an Ed25519 key, and signing.pub (if present) its public half."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(files[keys.KEY_FILE], password=None)
    except (ValueError, TypeError) as err:
        raise _refuse(bundle, "signing.key bukan kunci PEM", "signing.key is not a PEM key") from err
    if not isinstance(key, Ed25519PrivateKey):
        raise _refuse(bundle, "signing.key harus Ed25519", "signing.key must be Ed25519")
    pub = files.get("signing.pub")
    if pub is not None and pub.decode("ascii", "replace").strip() != keys.public_text(key):
        raise _refuse(
            bundle, "signing.pub tidak cocok dengan signing.key", "signing.pub does not match signing.key"
        )


def _toml(data: bytes) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise InvalidBundle(
            settings_mod.SETTINGS_FILE, "device.toml rusak", "device.toml is malformed"
        ) from err
