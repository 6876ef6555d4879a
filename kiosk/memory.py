"""Process-wide memory settings of the kiosk, applied once by ``python -m kiosk`` before the UI starts.

- glibc's malloc raises its mmap threshold each time a large block is freed, so buffers of a few MB
  (software-rendered frames, label textures, the receipt's QR raster) end up in the heap, where the
  holes they leave are never given back: the kiosk's resident memory stepped up by 5-25 MB at random
  moments. A fixed threshold keeps such buffers in their own mappings, returned on free.
- python-escpos parses its printer capability database (YAML) on every start and keeps a pickle of it
  in a fresh temporary directory that is never removed. Pointed at a private cache directory, the
  parse happens once per installation: less memory and time at the first sale, no temp dirs left.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path
from typing import Final

M_MMAP_THRESHOLD: Final = -3  # mallopt parameter number, from glibc's malloc.h
MMAP_THRESHOLD_BYTES: Final = 128 * 1024  # glibc's own starting value, kept fixed
ESCPOS_CACHE_ENV: Final = "ESCPOS_CAPABILITIES_PICKLE_DIR"
CACHE_DIR_NAME: Final = "kiosk-cache"


def fix_mmap_threshold() -> bool:
    """Keep large blocks in their own mappings (glibc); False where the C library has no ``mallopt``."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))


def use_printer_cache(device_dir: Path) -> Path | None:
    """Give python-escpos a private cache in the device directory unless one is set; None if unwritable."""
    if os.environ.get(ESCPOS_CACHE_ENV):
        return Path(os.environ[ESCPOS_CACHE_ENV])
    cache = Path(device_dir) / CACHE_DIR_NAME
    try:
        cache.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    if not os.access(cache, os.W_OK):
        return None
    os.environ[ESCPOS_CACHE_ENV] = str(cache)
    return cache
