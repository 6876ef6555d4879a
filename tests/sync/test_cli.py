"""``python -m sync`` and ``python -m central serve`` on the command line: help, readable refusals, status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from provisioning.world import DeviceSpec, build
from sync.settings import BrokerSettings
from tests.support.net import free_port

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, lang: str = "id", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KOP_LANG": lang, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_help_lists_commands() -> None:
    """``python -m sync --help`` exits 0 and names every command."""
    out = _run("-m", "sync", "--help")
    assert out.returncode == 0
    for command in ("run", "status", "summary", "broker"):
        assert command in out.stdout


def test_central_serve_help() -> None:
    """``python -m central serve --help`` is available through central's command line."""
    out = _run("-m", "central", "serve", "--help")
    assert out.returncode == 0, out.stderr
    assert "--broker" in out.stdout


def test_missing_device_directory_is_explained(tmp_path: Path) -> None:
    """A directory without device.toml gives a message in Indonesian (or English), exit 2, no traceback."""
    out = _run("-m", "sync", "--device", str(tmp_path / "nope"))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "Kesalahan" in out.stderr
    out_en = _run("-m", "sync", "--device", str(tmp_path / "nope"), lang="en")
    assert out_en.returncode == 2 and "Error" in out_en.stderr


def test_bad_setting_is_named(tmp_path: Path) -> None:
    """A wrong [sync] value is refused naming the key, before anything connects."""
    world = build(tmp_path / "w", broker=BrokerSettings(port=free_port()), devices=[DeviceSpec("toko-01")])
    directory = world.devices["toko-01"]
    with (directory / "device.toml").open("a") as fh:
        fh.write("[sync]\nwindow = 0\n")
    out = _run("-m", "sync", "--device", str(directory), "--lang", "en")
    assert out.returncode == 2
    assert "window" in out.stderr and "Traceback" not in out.stderr


def test_status_json(tmp_path: Path) -> None:
    """``status --json`` reports the queue depth and connectivity of a device."""
    world = build(tmp_path / "w", broker=BrokerSettings(port=free_port()), devices=[DeviceSpec("toko-01")])
    out = _run("-m", "sync", "status", "--device", str(world.devices["toko-01"]), "--json")
    assert out.returncode == 0, out.stderr
    status = json.loads(out.stdout)
    assert status["outbox_depth"] == 0 and status["connected"] is False


def test_central_serve_bad_broker_address(tmp_path: Path) -> None:
    """``serve --broker`` without a port is refused with the expected form, exit non-zero, no traceback."""
    world = build(tmp_path / "w", broker=BrokerSettings(port=free_port()), devices=[])
    out = _run("-m", "central", "--db", str(world.ledger_path), "serve", "--broker", "localhost")
    assert out.returncode != 0
    assert "host:port" in out.stderr and "Traceback" not in out.stderr


def test_lang_after_the_command_and_a_directory_named_like_a_command(tmp_path: Path) -> None:
    """``--lang en`` works after the command, and a device directory called ``demo`` is still a directory."""
    (tmp_path / "demo").mkdir()
    out = _run("-m", "sync", "--device", "demo", "--lang", "en", cwd=tmp_path)
    assert out.returncode == 2
    assert "Error" in out.stderr and "demo" in out.stderr
