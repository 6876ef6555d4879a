"""Helpers shared by ``make demo`` and ``make bench`` for the web portal: run it, give logins, log in.

``running_portal(db)`` starts ``python -m central --db DB portal --listen 127.0.0.1:PORT`` on a free
loopback port as a child process, waits (bounded) until ``/login`` answers 200, and always stops it.
``give_login`` issues a one-time code and activates it with a known password, as the office and the
member would. ``member_client`` is an HTTP session (httpx2) logged in through the login form.
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

ROOT: Final = Path(__file__).resolve().parent.parent
START_DEADLINE_S: Final = 60.0
STOP_DEADLINE_S: Final = 10.0
_CSRF: Final = re.compile(r'name="csrftoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Portal:
    """A running portal child process and its address."""

    url: str
    proc: subprocess.Popen[bytes]
    log_path: Path


def _ready(url: str) -> bool:
    import httpx2

    try:
        return httpx2.get(f"{url}/login", timeout=2.0).status_code == 200
    except httpx2.HTTPError:
        return False


def stop_process(proc: subprocess.Popen[Any]) -> None:
    """Terminate a child we started; kill it if it does not stop within the deadline."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_DEADLINE_S)


@contextlib.contextmanager
def running_portal(
    db: str, log_path: Path, *, env: dict[str, str] | None = None, workers: int = 1
) -> Iterator[Portal]:
    """The portal over ledger ``db`` on a free loopback port, its output in ``log_path``; stopped on exit."""
    import os

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log: IO[bytes] = log_path.open("wb")
    proc = subprocess.Popen(
        [
            *[sys.executable, "-m", "central", "--db", db, "portal"],
            *["--listen", f"127.0.0.1:{port}", "--workers", str(workers)],
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + START_DEADLINE_S
        while not _ready(url):
            if proc.poll() is not None:
                raise RuntimeError(
                    f"the portal stopped (exit {proc.returncode}): {log_path.read_text()[-2000:]}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the portal did not answer within {START_DEADLINE_S:.0f} s; log {log_path}"
                )
            time.sleep(0.1)
        yield Portal(url, proc, log_path)
    finally:
        stop_process(proc)
        log.close()


def give_login(
    ledger: Any, login: str, password: str, *, staff_role: str | None = None, hasher: Any = None
) -> None:
    """Issue a one-time code for ``login`` and activate it with ``password`` (the office, then the member)."""
    from central.portal import Settings, accounts

    hasher = hasher or Settings().hasher
    issued = accounts.issue_login(ledger, hasher, login, staff_role=staff_role, by="cli:demo")
    accounts.activate(
        ledger, hasher, login, issued.code, password=password, confirm=password, address="127.0.0.1"
    )


def member_client(url: str, login: str, password: str, *, timeout_s: float = 30.0) -> Any:
    """An httpx2 client logged in as ``login`` through the login form (CSRF token read from the page)."""
    import httpx2

    client = httpx2.Client(base_url=url, timeout=timeout_s, follow_redirects=False)
    page = client.get("/login")
    found = _CSRF.search(page.text)
    if page.status_code != 200 or not found:
        client.close()
        raise RuntimeError(f"no login form at {url}/login (HTTP {page.status_code})")
    answer = client.post("/login", data={"csrftoken": found.group(1), "login": login, "password": password})
    if answer.status_code != 303:
        client.close()
        raise RuntimeError(f"login as {login} failed (HTTP {answer.status_code})")
    return client
