"""Running `python -m provisioning` as a user would, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 60


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI with ``args``; environment starts clean of KOP_* settings."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("KOP_")}
    base["PYTHONPATH"] = str(ROOT)
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "provisioning", *args],
        capture_output=True,
        text=True,
        env=base,
        cwd=cwd or ROOT,
        timeout=RUN_TIMEOUT_S,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def call(*args: str, env: dict[str, str] | None = None, monkeypatch=None) -> tuple[int, str, str]:
    """Run ``provisioning.cli.main`` in this process (faster than a subprocess); returns (code, out, err)."""
    import contextlib
    import io

    from provisioning.cli import main

    saved = {k: v for k, v in os.environ.items() if k.startswith("KOP_")}
    for key in saved:
        del os.environ[key]
    os.environ.update(env or {})
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:
                code = int(exit_.code or 0)
    finally:
        for key in [k for k in os.environ if k.startswith("KOP_")]:
            del os.environ[key]
        os.environ.update(saved)
    return code, out.getvalue(), err.getvalue()
