"""The portal's settings: cookie security, session lifetimes, request bounds and the password hasher."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from argon2 import PasswordHasher

from central.portal import homecache

IDLE_S: Final = 30 * 60  # a session unused for 30 minutes ends
ABSOLUTE_S: Final = 12 * 60 * 60  # and any session ends 12 hours after login
MAX_BODY: Final = 16 * 1024  # a form is a few fields; anything larger is refused before parsing
MAX_FIELD: Final = 1000  # characters kept of one form or query value
MAX_FIELDS: Final = 30


@dataclass(frozen=True)
class Settings:
    """How one portal process behaves.

    ``secure_cookies``: set when the portal is reached over https (behind nginx or Caddy with TLS): every
    cookie gets ``Secure`` and responses carry ``Strict-Transport-Security``. ``hasher``: argon2id with
    argon2-cffi's defaults (RFC 9106's low-memory profile: 3 passes, 64 MiB, 4 lanes); tests pass a cheaper
    one. ``public_url`` is printed with activation codes. ``office_key``: the office's signing key, for the
    entries the portal records on the office's chain (a member's dispute, a loan payout); None: found as
    the CLI's office commands find it (``$KOP_OFFICE_KEY``, or beside a SQLite ledger). ``home_cache_s``:
    how long a member's home page figures are kept (``central.portal.homecache``; 0 computes every view).
    """

    secure_cookies: bool = False
    idle_s: int = IDLE_S
    absolute_s: int = ABSOLUTE_S
    max_body: int = MAX_BODY
    public_url: str = "http://127.0.0.1:8080"
    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    office_key: Path | None = None
    home_cache_s: float = homecache.TTL_S
