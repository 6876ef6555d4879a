"""The cash book every member reads names a member only to themself and to the roles that may see it."""

from __future__ import annotations

from pathlib import Path

import pytest

from central import config, sample
from central.books import reports
from central.books.viewer import OFFICE, PUBLIC, Viewer
from central.cli import app as cli
from central.ledger import Ledger
from central.members.rows import MemberRow
from tests.central.helpers import Device

MARCH = reports.Period("2026-03-01", "2026-03-31")


@pytest.fixture
def sold(loaded: Ledger) -> Ledger:
    """Cash sales to A001 and A002 and one to a walk-in customer."""
    dev = Device().register(loaded)
    assert loaded.ingest([dev.sale(member="A001"), dev.sale(member="A002"), dev.sale(member=None)]).ok
    return loaded


def _members(ledger: Ledger, viewer: Viewer, lang: str = "id") -> list[str]:
    return [row[3] for row in reports.cashbook(ledger, MARCH, lang, viewer)[0].rows]


def test_members_are_masked_except_to_themself_and_allowed_roles(sold: Ledger) -> None:
    """A001 sees their own number only; pengawas and office staff see all; a kasir or the public sees none."""
    assert _members(sold, PUBLIC) == ["anggota", "anggota", ""]
    assert _members(sold, PUBLIC, "en") == ["member", "member", ""]
    assert _members(sold, Viewer(member="A001", role="anggota")) == ["A001", "anggota", ""]
    assert _members(sold, Viewer(member="A009", role="kasir")) == ["anggota", "anggota", ""]
    for role in ("pengawas", "manajer", "bendahara", "ketua", "staf"):
        assert _members(sold, Viewer(member="A009", role=role)) == ["A001", "A002", ""], role
    assert _members(sold, OFFICE) == ["A001", "A002", ""]
    assert reports.cashbook(sold, MARCH)[0].rows[0][3] == "anggota"  # the default names nobody


def test_cli_cashbook_is_masked_unless_show_members(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report cashbook` prints 'anggota' (fit for a notice board); `--show-members` prints the numbers."""
    db = str(tmp_path / "coop.sqlite")
    with Ledger.open(db) as ledger:
        ledger.init(config.default())
        ledger.import_members([MemberRow("A001", "Budi", "2020-01-05", None, None, None, "anggota")])
        ledger.import_products(list(sample.sample_products()))
        assert ledger.ingest([Device().sale(member="A001")]).ok
    args = ["--db", db, "report", "cashbook", "--from", "2026-03-01", "--to", "2026-03-31", "--csv"]
    assert cli.main(args) == 0
    masked = capsys.readouterr().out
    assert "A001" not in masked and ",anggota," in masked
    assert cli.main([*args, "--show-members"]) == 0
    assert ",A001," in capsys.readouterr().out
