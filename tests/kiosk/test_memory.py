"""The kiosk's process-wide memory settings: a fixed mmap threshold and a private printer cache."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiosk import memory


def test_mmap_threshold_is_fixed_on_glibc() -> None:
    """On glibc (the Pi's and this machine's C library) mallopt accepts the fixed threshold."""
    assert memory.fix_mmap_threshold() is True


def test_printer_cache_is_private_and_inside_the_device_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """python-escpos gets a cache directory in the device directory that only the kiosk user can open."""
    monkeypatch.delenv(memory.ESCPOS_CACHE_ENV, raising=False)
    cache = memory.use_printer_cache(tmp_path)
    assert cache == tmp_path / memory.CACHE_DIR_NAME
    assert stat.S_IMODE(cache.stat().st_mode) & 0o077 == 0
    assert os.environ[memory.ESCPOS_CACHE_ENV] == str(cache)


def test_a_cache_set_by_the_operator_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ESCPOS_CAPABILITIES_PICKLE_DIR already set (by the service unit, say) is not replaced."""
    monkeypatch.setenv(memory.ESCPOS_CACHE_ENV, str(tmp_path / "elsewhere"))
    assert memory.use_printer_cache(tmp_path) == tmp_path / "elsewhere"
    assert not (tmp_path / memory.CACHE_DIR_NAME).exists()


def test_an_unwritable_device_dir_leaves_escpos_its_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the cache cannot be made, nothing is set and the kiosk still starts."""
    monkeypatch.delenv(memory.ESCPOS_CACHE_ENV, raising=False)
    assert memory.use_printer_cache(tmp_path / "missing" / "device") is None
    assert memory.ESCPOS_CACHE_ENV not in os.environ
