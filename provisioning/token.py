"""The enrollment token a bundle's QR code carries, and the one check of it that both sides use.

    KOPENROLL1:<device>:<bundle id>:<expires, unix seconds>:<SHA-256 of manifest.json>

``provisioning verify-bundle`` (provisioning/bundle.py) and ``edge init --bundle --token`` (edge/bundle.py)
both read and check a token here, so a token one refuses the other refuses too. Pure: text and facts in,
a ``Token`` or a ``TokenProblem`` (Indonesian and English text) out; each caller raises its own error.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, NamedTuple

TOKEN_PREFIX: Final = "KOPENROLL1"  # noqa: S105 - a format tag, not a secret
TOKEN_RE: Final = re.compile(
    rf"^{TOKEN_PREFIX}:(?P<device>[a-z0-9][a-z0-9_-]{{0,47}}):(?P<bundle>[A-Z2-7]{{16}}):"
    r"(?P<exp>\d{1,12}):(?P<sha>[0-9a-f]{64})$"
)


@dataclass(frozen=True)
class Token:
    """The enrollment token a QR code carries."""

    device: str
    bundle_id: str
    expires_at: int
    manifest_sha256: str

    def text(self) -> str:
        return f"{TOKEN_PREFIX}:{self.device}:{self.bundle_id}:{self.expires_at}:{self.manifest_sha256}"


class TokenProblem(NamedTuple):
    """Why a token is refused, in Indonesian and English."""

    text_id: str
    text_en: str


UNREADABLE: Final = TokenProblem(
    "token pendaftaran tidak terbaca; pindai ulang kode QR dari `provisioning enroll`",
    "the enrollment token is not readable; scan the QR code from `provisioning enroll` again",
)


def read_token(text: str) -> Token | TokenProblem:
    """The token in scanned ``text``, or why it is not one."""
    match = TOKEN_RE.match(text.strip())
    if not match:
        return UNREADABLE
    return Token(match["device"], match["bundle"], int(match["exp"]), match["sha"])


def token_problem(
    token: Token, *, device: str, bundle_id: str, manifest_sha256: str, now_s: float
) -> TokenProblem | None:
    """Why ``token`` does not enroll the bundle of ``device`` / ``bundle_id`` whose manifest hashes to
    ``manifest_sha256`` at time ``now_s``; None when it does."""
    if token.device != device or token.bundle_id != bundle_id:
        return TokenProblem(
            f"kode QR ini untuk perangkat {token.device} (bundel {token.bundle_id}), bukan bundel ini "
            f"({device}, {bundle_id or 'tanpa id'}); pindai kode yang benar",
            f"this QR code is for device {token.device} (bundle {token.bundle_id}), not this bundle "
            f"({device}, {bundle_id or 'no id'}); scan the right one",
        )
    if not hmac.compare_digest(token.manifest_sha256, manifest_sha256.lower()):
        return TokenProblem(
            "bundel ini bukan bundel yang didaftarkan (isi manifest berbeda dari kode QR); minta bundel baru",
            "this is not the bundle that was enrolled (its manifest differs from the QR code); "
            "ask for a fresh one",
        )
    if now_s > token.expires_at:
        when = datetime.fromtimestamp(token.expires_at, UTC).isoformat(timespec="minutes")
        return TokenProblem(
            f"kode QR pendaftaran kedaluwarsa sejak {when}; daftarkan ulang perangkat dengan id baru",
            f"the enrollment QR code expired at {when}; enroll the device again under a new id",
        )
    return None
