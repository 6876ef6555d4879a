"""Getting the CA passphrase: from a file, the environment, or a prompt; never echoed, never logged."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Final

from provisioning.errors import NoPassphrase

ENV_PASSPHRASE: Final = "KOP_CA_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret
MAX_PASSPHRASE_BYTES: Final = 1024


def read_passphrase(passphrase_file: str | None, *, confirm: bool = False) -> bytes:
    """The CA passphrase from --passphrase-file, else KOP_CA_PASSPHRASE, else an interactive prompt."""
    if passphrase_file:
        try:
            raw = Path(passphrase_file).read_bytes()[:MAX_PASSPHRASE_BYTES]
        except OSError:
            raise NoPassphrase(
                f"file kata sandi {passphrase_file} tidak bisa dibaca",
                f"the passphrase file {passphrase_file} cannot be read",
            ) from None
        return raw.rstrip(b"\r\n")
    from_env = os.environ.get(ENV_PASSPHRASE)
    if from_env:
        return from_env.encode("utf-8")
    if not sys.stdin.isatty():
        raise NoPassphrase(
            "kata sandi CA diperlukan: beri --passphrase-file FILE atau KOP_CA_PASSPHRASE, "
            "atau jalankan di terminal",
            "the CA passphrase is needed: give --passphrase-file FILE or KOP_CA_PASSPHRASE, "
            "or run in a terminal",
        )
    first = getpass.getpass("CA passphrase: ")
    if confirm and getpass.getpass("CA passphrase (again): ") != first:
        raise NoPassphrase("kedua kata sandi berbeda", "the two passphrases differ")
    return first.encode("utf-8")
