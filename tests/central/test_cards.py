"""A lost member card: a new random code at central, audited without the old code, printable."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from central.cli import app as cli
from central.errors import UnknownMember
from central.ledger import Ledger
from central.ledger.cards import reissue_card, reissues
from central.members import rows as members

MEMBERS_CSV = "number,name,joined,birth_date,phone,blood_type,role\nA001,Budi,2020-01-05,,,,anggota\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_reissue_gives_a_new_code_and_keeps_only_the_old_last_four(ledger: Ledger) -> None:
    """The member's card code changes (the downlink then carries it); the trail has who, when, old ...XXXX."""
    ledger.import_members(members.parse_members(MEMBERS_CSV))
    old = ledger.members()[0]["card_code"]
    done = reissue_card(ledger, "A001", by="Sari (staf)", now_ts=1_770_000_000)
    assert done.card_code != old and members.CARD_CODE_RE.match(done.card_code)
    assert ledger.members()[0]["card_code"] == done.card_code
    trail = reissues(ledger, "A001")
    assert [(r["old_last4"], r["reissued_by"], r["reissued_ts"]) for r in trail] == [
        (old[-4:], "Sari (staf)", 1_770_000_000)
    ]
    assert all(old not in str(value) for r in trail for value in r.values())
    with pytest.raises(UnknownMember):
        reissue_card(ledger, "Z999", by="Sari")


def test_cli_reissue_prints_the_code_and_writes_a_printable_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`members reissue-card N --out F` prints the new code and writes the member's export row for cards."""
    db = str(tmp_path / "coop.sqlite")
    src = tmp_path / "m.csv"
    src.write_text(MEMBERS_CSV, encoding="utf-8")
    assert run(capsys, "--db", db, "init")[0] == 0
    assert run(capsys, "--db", db, "import", "members", str(src))[0] == 0
    out_file = tmp_path / "kartu.csv"
    code, out, _ = run(
        capsys, "--db", db, "members", "reissue-card", "A001", "--by", "Sari", "--out", str(out_file)
    )
    with Ledger.open(db) as ledger:
        new = ledger.members()[0]["card_code"]
    assert code == 0 and new in out and "provisioning cards" in out
    assert [r["card_code"] for r in csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8")))] == [
        new
    ]
    code, out, _ = run(capsys, "--db", db, "members", "card-history")
    assert code == 0 and "A001" in out and "Sari" in out and new[-4:] in out
    code, _, err = run(capsys, "--db", db, "members", "reissue-card", "Z999")
    assert code == 2 and "Z999" in err and "Traceback" not in err
