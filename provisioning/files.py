"""Writing files safely: secrets owner-only from the first byte, replacements atomic."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from provisioning.errors import OutputExists

PRIVATE_MODE: Final = 0o600
PUBLIC_MODE: Final = 0o644
PRIVATE_DIR_MODE: Final = 0o700


def write_file(path: Path, data: bytes, *, mode: int) -> None:
    """Create ``path`` (which must not exist) with ``mode`` set at creation, so no other user ever sees it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)  # the umask may have narrowed it; never widen beyond ``mode``
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_file(path: Path, data: bytes, *, mode: int) -> None:
    """Write ``data`` to ``path`` atomically: readers see the old file or the new one, never a half."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
    finally:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def make_private_dir(path: Path) -> None:
    """Create a directory only its owner can enter (parents as needed)."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    os.chmod(path, PRIVATE_DIR_MODE)


def write_new_files(files: Mapping[str, str], out: Path) -> tuple[Path, ...]:
    """Write generated text files (relative name -> text) under ``out``, readable by all; refuse before
    writing anything when one of them exists already. Returns the paths written."""
    clashes = [name for name in files if (out / name).exists()]
    if clashes:
        raise OutputExists(
            f"{out / clashes[0]} sudah ada; tidak ditimpa. Pilih --out lain",
            f"{out / clashes[0]} already exists; it is not overwritten. Choose another --out",
        )
    written = []
    for name, text in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, text.encode(), mode=PUBLIC_MODE)
        written.append(path)
    return tuple(written)
