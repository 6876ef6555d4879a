"""Checkpoints: the log's signed tree heads, as C2SP tlog-checkpoint notes signed per C2SP signed-note.

A checkpoint's note text is the origin (the log's name), the tree size in decimal, the base64 root hash,
and here one extension line ``time <ISO 8601 UTC>`` (when it was signed; readers that know only the three
lines ignore it), each ending in a newline. The signed note is that text, a blank line, and one line per
signature: an em dash (U+2014), a space, the key's name, a space, and base64(key ID || Ed25519 signature
over the text). The key ID is the first four bytes of SHA-256(name || 0x0A || 0x01 || public key).

A verifier key is written as the Go sumdb/note tools write it: ``<name>+<key ID hex>+<base64(0x01 ||
public key)>``, so the same key string works with other tlog tools.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sync.merkle import HASH_BYTES

ED25519_TYPE: Final = b"\x01"
DASH: Final = "\u2014"
TIME_PREFIX: Final = "time "
MAX_NOTE_BYTES: Final = 8192
MAX_SIGNATURES: Final = 16
NAME_RE: Final = re.compile(r"[^\s+]{1,200}")
SIZE_RE: Final = re.compile(r"0|[1-9][0-9]{0,18}")


class NoteError(ValueError):
    """A note or checkpoint is malformed, or its signature does not verify; the text says which."""


@dataclass(frozen=True)
class Checkpoint:
    """One tree head: the log's origin, tree size, root hash and (optional) time of signing."""

    origin: str
    size: int
    root: bytes
    time: str | None = None  # ISO 8601 UTC, "2026-12-06T02:30:00Z"

    def text(self) -> str:
        """The note text (what is signed)."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode("ascii")]
        if self.time is not None:
            lines.append(TIME_PREFIX + self.time)
        return "".join(line + "\n" for line in lines)


@dataclass(frozen=True)
class VerifierKey:
    """A public key that may sign notes: its name, key ID and Ed25519 public key bytes."""

    name: str
    key_id: bytes
    public: bytes

    def encode(self) -> str:
        """``name+keyidhex+base64(0x01 || public key)``."""
        b64 = base64.b64encode(ED25519_TYPE + self.public).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{b64}"


def key_id(name: str, public: bytes) -> bytes:
    """The signed-note key ID of an Ed25519 key: SHA-256(name || 0x0A || 0x01 || key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519_TYPE + public).digest()[:4]


def verifier_for(name: str, key: Ed25519PrivateKey) -> VerifierKey:
    """The verifier key of a signing key under ``name``."""
    check_name(name)
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return VerifierKey(name, key_id(name, public), public)


def check_name(name: str) -> str:
    """A key name (or origin) must be non-empty and hold no space and no plus sign."""
    if not NAME_RE.fullmatch(name):
        raise NoteError(f"{name!r} cannot be a key name: it must be non-empty, without spaces or '+'")
    return name


def parse_verifier(text: str) -> VerifierKey:
    """Read a verifier key string ``name+keyid+base64``; its key ID must match its name and key."""
    parts = text.strip().split("+", 2)  # base64 may hold "+"; a name and a hex ID never do
    if len(parts) != 3:
        raise NoteError("a log key looks like name+1a2b3c4d+base64 (three parts joined by '+')")
    name, hexid, b64 = parts
    check_name(name)
    try:
        raw = base64.b64decode(b64, validate=True)
        kid = bytes.fromhex(hexid)
    except (binascii.Error, ValueError) as err:
        raise NoteError("the log key's key ID or public key is not valid hex / base64") from err
    if len(raw) != 33 or raw[:1] != ED25519_TYPE or len(kid) != 4:
        raise NoteError("the log key is not an Ed25519 note key (0x01 and 32 bytes)")
    public = raw[1:]
    if key_id(name, public) != kid:
        raise NoteError("the log key's key ID does not belong to its name and public key")
    return VerifierKey(name, kid, public)


def now_utc() -> str:
    """The current time as a checkpoint writes it (seconds, UTC, ``Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> str:
    """The signed note of ``checkpoint``, signed under its origin as the key name."""
    verifier = verifier_for(checkpoint.origin, key)
    text = checkpoint.text()
    sig = key.sign(text.encode("utf-8"))
    line = f"{DASH} {verifier.name} {base64.b64encode(verifier.key_id + sig).decode('ascii')}\n"
    return text + "\n" + line


def open_note(note: str, verifier: VerifierKey) -> str:
    """The text of a signed note once a signature by ``verifier`` verifies; NoteError otherwise.

    Signatures by other keys are ignored (as the signed-note spec says); one by this key that fails to
    verify rejects the note.
    """
    raw = note.encode("utf-8")
    if len(raw) > MAX_NOTE_BYTES:
        raise NoteError(f"the note is longer than {MAX_NOTE_BYTES} bytes")
    if any(ch < " " and ch != "\n" for ch in note):
        raise NoteError("the note holds control characters")
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError("not a signed note: no blank line between the text and its signatures")
    text, sigs = note[: cut + 1], note[cut + 2 :].splitlines()
    if not sigs or len(sigs) > MAX_SIGNATURES:
        raise NoteError("the note has no signature lines (or too many)")
    verified = False
    for line in sigs:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError(f"malformed signature line {line[:60]!r}")
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except (binascii.Error, ValueError) as err:
            raise NoteError("a signature is not valid base64") from err
        if len(blob) < 5:
            raise NoteError("a signature is too short")
        if parts[1] != verifier.name or blob[:4] != verifier.key_id:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(verifier.public).verify(blob[4:], text.encode("utf-8"))
        except InvalidSignature as err:
            raise NoteError(
                f"the signature by {verifier.name} does not verify: the note was changed"
            ) from err
        verified = True
    if not verified:
        raise NoteError(f"the note is not signed by the log key {verifier.name}+{verifier.key_id.hex()}")
    return text


def parse(text: str) -> Checkpoint:
    """The checkpoint in a (verified) note text."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has at least three lines: origin, tree size, root hash")
    origin, size_text, root_text, *extra = lines[:-1]
    if not origin or not SIZE_RE.fullmatch(size_text):
        raise NoteError(f"bad checkpoint origin or tree size {size_text[:30]!r}")
    try:
        root_hash = base64.b64decode(root_text, validate=True)
    except (binascii.Error, ValueError) as err:
        raise NoteError("the checkpoint's root hash is not base64") from err
    if len(root_hash) != HASH_BYTES:
        raise NoteError("the checkpoint's root hash is not 32 bytes")
    if any(not line for line in extra):
        raise NoteError("a checkpoint's extension lines may not be empty")
    time = next((line[len(TIME_PREFIX) :] for line in extra if line.startswith(TIME_PREFIX)), None)
    return Checkpoint(origin, int(size_text), root_hash, time)


def verify(note: str, verifier: VerifierKey) -> Checkpoint:
    """The checkpoint of a signed note once its signature verifies and its origin is the key's name."""
    checkpoint = parse(open_note(note, verifier))
    if checkpoint.origin != verifier.name:
        raise NoteError(f"the checkpoint is of log {checkpoint.origin!r}, not of {verifier.name!r}")
    return checkpoint
