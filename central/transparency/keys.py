"""The log's signing key: an Ed25519 key of its own (not the CA's, not the office's), PEM PKCS8 in a file
of mode 0600 outside the database.

Where it is: ``--log-key``, else ``$KOP_LOG_KEY``, else beside a SQLite ledger (``coop.sqlite`` ->
``coop.log.key``). A key file that others may read is refused: whoever holds it can sign checkpoints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central.keyfiles import KeyFile
from central.transparency.errors import LogKeyError

KEY_ENV: Final = "KOP_LOG_KEY"
KEY_SUFFIX: Final = ".log.key"


LOG_KEY: Final = KeyFile(
    name_en="log key",
    name_id="kunci log",
    init="transparency init",
    option="--log-key",
    env=KEY_ENV,
    suffix=KEY_SUFFIX,
    error=LogKeyError,
)


def key_path(ledger_target: str, explicit: Path | None = None) -> Path:
    """Where the log key lives: ``explicit``, ``$KOP_LOG_KEY``, or beside a SQLite ledger."""
    return LOG_KEY.path(ledger_target, explicit)


def write_new_key(path: Path) -> Ed25519PrivateKey:
    """Create a new log key at ``path`` with mode 0600; an existing file is never overwritten."""
    return LOG_KEY.write_new(path)


def load_key(path: Path) -> Ed25519PrivateKey:
    """Read the log key; refuse a missing, foreign or others-readable file with what to do."""
    return LOG_KEY.load(path)
