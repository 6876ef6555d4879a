"""The watchdog wrapper speaks systemd's notify protocol: READY, pings while alive, the child's exit code."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioning.watchdog import heartbeat_fresh, ping_interval_s
from tests.provisioning.cli_helpers import ROOT

RECV_TIMEOUT_S = 20.0


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[socket.socket]:
    """A datagram socket standing in for systemd's NOTIFY_SOCKET."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(RECV_TIMEOUT_S)
    yield sock
    sock.close()


def _start(tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "NOTIFY_SOCKET": str(tmp_path / "notify"),
        "WATCHDOG_USEC": "100000",
    }
    return subprocess.Popen([sys.executable, "-m", "provisioning", "watchdog", *args], env=env)


def _messages(sock: socket.socket, count: int) -> list[str]:
    return [sock.recv(4096).decode() for _ in range(count)]


def test_ready_then_pings_then_child_exit_code(tmp_path: Path, notify_socket: socket.socket) -> None:
    """The wrapper reports READY, pings while the child runs, and exits with the child's code."""
    release = tmp_path / "release"
    child = (
        f"import pathlib,time\nwhile not pathlib.Path({str(release)!r}).exists(): time.sleep(0.02)\n"
        "raise SystemExit(3)"
    )
    proc = _start(tmp_path, "--", sys.executable, "-c", child)
    first, second = _messages(notify_socket, 2)
    assert first.startswith("READY=1")
    assert second == "WATCHDOG=1"
    release.touch()
    assert proc.wait(timeout=RECV_TIMEOUT_S) == 3
    rest = []
    while "STOPPING=1" not in rest:
        rest.append(notify_socket.recv(4096).decode())


def test_stale_heartbeat_withholds_pings_and_term_stops_the_child(
    tmp_path: Path, notify_socket: socket.socket
) -> None:
    """With a stale heartbeat file no ping is sent (systemd will restart it); SIGTERM stops the child too."""
    heartbeat = tmp_path / "heartbeat"
    heartbeat.touch()
    os.utime(heartbeat, (0, 0))
    pid_file = tmp_path / "child.pid"
    child = (
        f"import os,pathlib,time\npathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))\n"
        "time.sleep(120)"
    )
    proc = _start(
        tmp_path, "--heartbeat", str(heartbeat), "--stale-s", "30", "--", sys.executable, "-c", child
    )
    first, second = _messages(notify_socket, 2)
    assert first.startswith("READY=1")
    assert second.startswith("STATUS=heartbeat heartbeat is stale")
    heartbeat.touch()  # fresh again: pings resume
    assert notify_socket.recv(4096).decode() == "WATCHDOG=1"
    deadline = time.monotonic() + RECV_TIMEOUT_S
    while not (pid_file.exists() and pid_file.read_text()):  # the child may still be starting
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.02)
    proc.terminate()
    assert proc.wait(timeout=RECV_TIMEOUT_S) == 128 + 15
    child_pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(child_pid, 0)


def test_unstartable_command_is_reported(tmp_path: Path) -> None:
    """A command that cannot be started gives a readable error and exit 1."""
    done = subprocess.run(
        [sys.executable, "-m", "provisioning", "--lang", "en", "watchdog", "--", str(tmp_path / "missing")],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=RECV_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 1 and "the service cannot be started" in done.stderr


def test_interval_is_half_the_watchdog_period_and_heartbeat_ages() -> None:
    """Pings go every half WatchdogSec; a heartbeat is fresh only within its allowed age."""
    assert ping_interval_s("60000000") == 30.0
    assert ping_interval_s(None) == 10.0
    assert ping_interval_s("garbage") == 10.0
    assert heartbeat_fresh(100.0, 150.0, 60.0)
    assert not heartbeat_fresh(100.0, 161.0, 60.0)
    assert not heartbeat_fresh(None, 0.0, 60.0)
