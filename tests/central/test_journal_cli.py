"""`central journal ...`: a draft from --line and from a CSV file with a receipt photo, the list, the
maker refused as checker (exit 2, the reason in the reader's language), approval by another user, a
rejection with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from central import config
from central.cli.app import main
from central.ledger import Ledger
from central.office import identity
from tests.central.test_journal import receipt_photo


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "coop.sqlite")
    with Ledger.open(path) as ledger:
        ledger.init(config.default())
        identity.init(ledger, identity.key_path(path))
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_draft_list_approve_reject(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The round on the command line, with the refusals a user meets."""
    code, out, _ = _run(
        capsys, "--db", db, "journal", "draft", "--role", "staf", "--by", "KANTOR1", "--day", "2026-03-10",
        "--description", "Bayar listrik", "--line", "5702:D:350000:listrik", "--line", "1101:K:340000",
    )  # fmt: skip
    assert code == 2
    code, _, err = _run(
        capsys, "--db", db, "--lang", "en", "journal", "draft", "--role", "staf", "--by", "KANTOR1",
        "--day", "2026-03-10", "--description", "x", "--line", "5999:D:1:a", "--line", "1101:K:1",
    )  # fmt: skip
    assert code == 2 and "5999" in err and "chart of accounts" in err
    lines = tmp_path / "gaji.csv"
    lines.write_text("account;side;amount_rp;memo\n5701;D;2500000;gaji Maret\n1101;K;2500000;\n", "utf-8")
    photo = tmp_path / "nota.jpg"
    photo.write_bytes(receipt_photo())
    code, out, _ = _run(
        capsys, "--db", db, "journal", "draft", "--role", "staf", "--by", "KANTOR1", "--day", "2026-03-25",
        "--description", "Gaji staf Maret", "--lines", str(lines), "--photo", str(photo), "--json",
    )  # fmt: skip
    made = json.loads(out)
    assert code == 0 and made["state"] == "draft" and made["total_rp"] == 2_500_000 and made["photos"] == 1
    entry = str(made["id"])
    code, _, err = _run(
        capsys, "--db", db, "journal", "approve", entry, "--role", "manajer", "--by", "KANTOR1"
    )
    assert code == 2 and "pengguna lain" in err
    code, out, _ = _run(
        capsys, "--db", db, "journal", "approve", entry, "--role", "bendahara", "--by", "B001"
    )
    assert code == 0 and "disetujui" in out
    code, out, _ = _run(capsys, "--db", db, "journal", "list", "--json")
    assert code == 0 and [r["state"] for r in json.loads(out)] == ["approved"]
    code, out, _ = _run(
        capsys, "--db", db, "journal", "draft", "--role", "bendahara", "--by", "B001", "--day", "2026-03-26",
        "--description", "Setor ke bank", "--kind", "transfer",
        "--line", "1102:D:1000000", "--line", "1101:K:1000000",
    )  # fmt: skip
    assert code == 0
    code, out, _ = _run(
        capsys, "--db", db, "journal", "reject", "2", "--role", "ketua", "--by", "K001",
        "--reason", "bukti setor belum ada",
    )  # fmt: skip
    assert code == 0 and "bukti setor belum ada" in out
    code, out, _ = _run(capsys, "--db", db, "journal", "show", "2")
    assert code == 0 and "rejected" in out and "1102" in out
