"""Members' branches (central.branches.members): the office puts members in a branch the ledger knows,
and an announcement to ``branch:NAME`` reaches exactly that branch's members."""

from __future__ import annotations

import json

import pytest

from central import sample
from central.branches import members as member_branches
from central.cli.app import main
from central.ledger import Ledger
from central.notify import campaigns, daily
from central.notify.errors import BadAudience
from sync import envelope as wire
from tests.central.helpers import Device


@pytest.fixture
def branched(loaded: Ledger) -> Ledger:
    """The sample month with a device in branch bogor (the sample's own devices are in pusat)."""
    device = Device("toko-bgr", "toko")
    loaded.devices_add(device.name, wire.public_key_text(device.key.public_key()), "toko", "bogor")
    return loaded


def test_members_are_put_in_a_known_branch_and_moved_and_taken_out(branched: Ledger) -> None:
    assert member_branches.assign(branched, ["A001", "A002", "A001"], "bogor", by="staf") == 2
    assert member_branches.assign(branched, ["A002", "A003"], sample.BRANCH, by="staf") == 2
    assert member_branches.of_members(branched) == {
        "A001": "bogor",
        "A002": sample.BRANCH,
        "A003": sample.BRANCH,
    }
    assert member_branches.unassign(branched, ["A003", "A004"]) == 1
    assert member_branches.of_members(branched) == {"A001": "bogor", "A002": sample.BRANCH}


def test_an_unknown_member_or_branch_changes_nothing_and_says_why(branched: Ledger) -> None:
    with pytest.raises(member_branches.BranchRefused) as refused:
        member_branches.assign(branched, ["A001", "Z999"], "bogor", by="staf")
    assert "Z999" in refused.value.text("en") and "tidak dikenal" in refused.value.text("id")
    with pytest.raises(member_branches.BranchRefused, match=r"unknown branch 'bgor'.*bogor"):
        member_branches.assign(branched, ["A001"], "bgor", by="staf")
    assert member_branches.of_members(branched) == {}


def test_an_announcement_to_a_branch_reaches_its_members_only(branched: Ledger) -> None:
    member_branches.assign(branched, ["A001", "A002"], "bogor", by="staf")
    member_branches.assign(branched, ["A003"], sample.BRANCH, by="staf")
    audience = daily.read_audience(branched, "branch:bogor")
    reached = campaigns.recipients(audience, daily.people(branched).values())
    assert sorted(p.number for p in reached) == ["A001", "A002"]
    with pytest.raises(BadAudience, match="no member is in branch 'depok'"):
        daily.read_audience(branched, "branch:depok")


def test_the_office_assigns_from_the_command_line(
    branched: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    if branched.engine.dialect.name != "sqlite":
        pytest.skip("the command line test runs once, on the SQLite ledger")
    db_url = branched.target
    assert main(["--db", db_url, "--lang", "en", "branches", "assign", "bogor", "A001", "A005"]) == 0
    assert "2 member(s) now in branch bogor" in capsys.readouterr().out
    assert main(["--db", db_url, "branches", "members", "--branch", "bogor", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"member": "A001", "branch": "bogor"},
        {"member": "A005", "branch": "bogor"},
    ]
    assert main(["--db", db_url, "--lang", "en", "branches", "assign", "nowhere", "A001"]) == 2
    assert "unknown branch 'nowhere'" in capsys.readouterr().err
