"""The office's portal commands: issuing a login prints a code that activates it; mistakes exit 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from central import config
from central.cli.app import main
from central.ledger import Ledger
from central.members.rows import parse_members
from central.members.tabular import read_table
from central.portal import accounts
from tests.portal.conftest import CHEAP


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A ledger with one member, A001."""
    path = str(tmp_path / "coop.sqlite")
    csv = tmp_path / "m.csv"
    csv.write_text("number,name,joined,birth_date,phone,blood_type,role\nA001,Siti,2020-01-01,,,,anggota\n")
    with Ledger.open(path) as ledger:
        ledger.init(config.default())
        ledger.import_members(parse_members(read_table(csv)))
    return path


def test_issue_login_prints_a_code_that_activates(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`portal issue-login A001` prints a one-time code with its expiry, and the code sets a password."""
    assert main(["--db", db, "portal", "issue-login", "A001", "--by", "kantor"]) == 0
    out = capsys.readouterr().out
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", out)
    assert code and "Berlaku sampai" in out
    with Ledger.open(db) as ledger:
        user = accounts.activate(
            ledger, CHEAP, "a001", code.group(0), password="kata-sandi-1", confirm="kata-sandi-1", address="x"
        )
        assert user.member == "A001"
        assert accounts.login_list(ledger)[0]["active"] is True


def test_issue_login_for_an_unknown_member_or_bad_role_exits_2(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown number, or a staff role that does not exist, is one readable message and exit 2."""
    assert main(["--db", db, "portal", "issue-login", "Z999"]) == 2
    assert "Z999" in capsys.readouterr().err
    assert main(["--db", db, "portal", "issue-login", "kantor", "--staff", "raja"]) == 2
    assert "staf" in capsys.readouterr().err
    assert main(["--db", db, "portal", "issue-login", "kantor", "--staff", "manajer"]) == 0


def test_portal_listen_must_be_host_and_port(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A --listen without a port is refused before anything starts."""
    assert main(["--db", db, "portal", "--listen", "localhost"]) == 2
    assert "HOST:PORT" in capsys.readouterr().err


def test_workers_must_be_a_small_whole_number(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("0", "x", "²", "999"):
        with pytest.raises(SystemExit) as stop:
            main(["--db", db, "portal", "--workers", bad])
        assert stop.value.code == 2
        assert "--workers must be 1 to 64" in capsys.readouterr().err


def test_several_workers_share_sessions_through_the_ledger(db: str, tmp_path: Path) -> None:
    """``portal --workers 2``: each worker opens the ledger itself; a member logs in on one worker and
    every later request (whichever worker takes it) knows the session."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.parse
    import urllib.request
    from http.cookiejar import CookieJar

    with Ledger.open(db) as ledger:
        issued = accounts.issue_login(ledger, CHEAP, "A001", by="test")
        accounts.activate(
            ledger,
            CHEAP,
            "A001",
            issued.code,
            password="rahasia-123",
            confirm="rahasia-123",
            address="127.0.0.1",
        )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parents[2]
    url = f"http://127.0.0.1:{port}"
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(path: str) -> str:
        with browser.open(url + path, timeout=10) as response:
            return response.read().decode()

    with (tmp_path / "portal.log").open("wb") as log:
        command = [sys.executable, "-m", "central", "--db", db, "portal", "--listen", f"127.0.0.1:{port}"]
        proc = subprocess.Popen(
            [*command, "--workers", "2"],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    page = get("/login")
                    break
                except (urllib.error.URLError, ConnectionError):
                    assert proc.poll() is None, (tmp_path / "portal.log").read_text()
                    assert time.monotonic() < deadline, "the portal did not answer within 60 s"
                    time.sleep(0.2)
            token = re.search(r'name="csrftoken" value="([^"]+)"', page)
            assert token
            form = {"csrftoken": token.group(1), "login": "A001", "password": "rahasia-123"}
            with browser.open(url + "/login", urllib.parse.urlencode(form).encode(), timeout=10) as done:
                assert done.status == 200 and "Siti" in done.read().decode()
            for _ in range(10):
                assert "Siti" in get("/home")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)
