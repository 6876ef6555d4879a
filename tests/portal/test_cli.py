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
