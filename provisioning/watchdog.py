"""Run a service under systemd's watchdog: report READY, ping while it lives, pass on its exit code.

The generated units start ``python -m provisioning watchdog [--heartbeat FILE] -- COMMAND...`` with
``Type=notify`` and ``WatchdogSec``. The wrapper pings (``WATCHDOG=1``) every half watchdog period while
the child runs and, when a heartbeat file is given, only while that file was touched recently; a hung
service therefore stops the pings and systemd kills and restarts it (``Restart=on-failure`` covers
crashes). The systemd notify protocol is one datagram to ``$NOTIFY_SOCKET``; no library needed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from provisioning.errors import ServiceFailed

DEFAULT_INTERVAL_S: Final = 10.0
MIN_INTERVAL_S: Final = 0.05
STOP_WAIT_S: Final = 15.0
DEFAULT_STALE_S: Final = 120.0


def notify(message: str, socket_path: str | None = None) -> bool:
    """Send one sd_notify message; False when not run under systemd (no ``NOTIFY_SOCKET``)."""
    path = socket_path if socket_path is not None else os.environ.get("NOTIFY_SOCKET", "")
    if not path:
        return False
    address = "\0" + path[1:] if path.startswith("@") else path
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.sendto(message.encode("utf-8"), address)
        except OSError:
            return False
    return True


def ping_interval_s(watchdog_usec: str | None) -> float:
    """Half the watchdog period systemd announced in ``WATCHDOG_USEC``, or a default."""
    try:
        period_s = int(watchdog_usec or "") / 1_000_000
    except ValueError:
        return DEFAULT_INTERVAL_S
    return max(MIN_INTERVAL_S, period_s / 2)


def heartbeat_fresh(mtime: float | None, now: float, stale_s: float) -> bool:
    """A heartbeat file is fresh when it exists and was touched within ``stale_s`` seconds."""
    return mtime is not None and now - mtime <= stale_s


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def supervise(
    command: Sequence[str], *, heartbeat: Path | None = None, stale_s: float = DEFAULT_STALE_S
) -> int:
    """Run ``command``; notify systemd; return the child's exit code (128 + signal if it was killed)."""
    if not command:
        raise ServiceFailed("perintah layanan kosong; tulis setelah --", "no service command given after --")
    try:
        child = subprocess.Popen(list(command))
    except OSError as err:
        raise ServiceFailed(
            f"layanan tidak bisa dijalankan: {command[0]} ({err.strerror})",
            f"the service cannot be started: {command[0]} ({err.strerror})",
        ) from None
    stopping = False

    def _forward(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        if child.poll() is None:
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, _forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    interval = ping_interval_s(os.environ.get("WATCHDOG_USEC"))
    notify(f"READY=1\nSTATUS=running {os.path.basename(command[0])}\nMAINPID={os.getpid()}")
    stale_reported = False
    try:
        while True:
            try:
                code = child.wait(timeout=interval)
            except subprocess.TimeoutExpired:
                if stopping:
                    continue
                if heartbeat is None or heartbeat_fresh(_mtime(heartbeat), time.time(), stale_s):
                    notify("WATCHDOG=1")
                    stale_reported = False
                elif not stale_reported:
                    notify(f"STATUS=heartbeat {heartbeat.name} is stale; withholding watchdog pings")
                    stale_reported = True
                continue
            notify("STOPPING=1")
            return code if code >= 0 else 128 - code
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
