"""The kiosk's process-wide memory settings: a fixed mmap threshold and a private printer cache."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
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


@pytest.mark.parametrize(("preset", "expected"), [(None, "0"), ("3", "3")])
def test_software_gl_draws_on_the_ui_thread_unless_the_operator_says_otherwise(
    preset: str | None, expected: str
) -> None:
    """Kiosk start-up asks llvmpipe for no rasteriser threads (their buffers made memory jump), but an
    LP_NUM_THREADS already set by the operator is kept."""
    env = {k: v for k, v in os.environ.items() if k != "LP_NUM_THREADS"}
    if preset is not None:
        env["LP_NUM_THREADS"] = preset
    code = (
        "import os; from kiosk.ui import boot; boot.prepare(headless=True); "
        "print(os.environ['LP_NUM_THREADS'])"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
