"""Clerk PINs, stored only as scrypt hashes: ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from typing import Final

from edge.errors import InvalidPin

SCRYPT_N: Final = 2**14
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
SALT_BYTES: Final = 16
HASH_BYTES: Final = 32
PIN_RE: Final = re.compile(r"^\d{4,12}$")
# Upper bound on the work factor accepted from a stored hash, so a bad downlink cannot stall the kiosk.
MAX_SCRYPT_N: Final = 2**17


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """The stored form of ``pin`` (4 to 12 digits)."""
    if not PIN_RE.match(pin):
        raise InvalidPin()
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=HASH_BYTES)
    return "$".join(
        (
            "scrypt",
            str(SCRYPT_N),
            str(SCRYPT_R),
            str(SCRYPT_P),
            base64.b64encode(salt).decode(),
            base64.b64encode(digest).decode(),
        )
    )


def pin_matches(pin: str, stored: str) -> bool:
    """True when ``pin`` hashes to ``stored``; False for a wrong PIN or a malformed hash."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt" or not PIN_RE.match(pin):
        return False
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return False
    if not (1 < n <= MAX_SCRYPT_N and 0 < r <= 16 and 0 < p <= 4 and expected):
        return False
    try:
        digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=len(expected))
    except ValueError:
        return False
    return hmac.compare_digest(digest, expected)
