"""`python -m central`: the operator's commands, their exit codes and messages (never a traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from central.cli import app as cli
from central.ledger import Ledger, schema
from sync import envelope as wire
from tests.central.helpers import Device, downgrade_to_version_1

MEMBERS_CSV = (
    "number,name,joined,birth_date,phone,blood_type,role\nA001,Budi,2020-01-05,,,,anggota\n"
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """An initialised SQLite ledger with the demo month's members, products and devices."""
    path = str(tmp_path / "coop.sqlite")
    assert run(capsys, "--db", path, "init")[0] == 0
    return path


def test_every_command_has_help() -> None:
    """`python -m central ... --help` works for the package and each subcommand."""
    for args in ([], ["report"], ["ingest"], ["devices"], ["import"], ["demo-data"]):
        result = subprocess.run(
            [sys.executable, "-m", "central", *args, "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0 and "usage:" in result.stdout, (args, result.stderr)


def test_uninitialised_database_gives_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reading a ledger that was never initialised explains how to fix it, in Indonesian by default."""
    code, _, err = run(capsys, "--db", str(tmp_path / "x.sqlite"), "report", "trial-balance")
    assert code == 2 and "init" in err and "Traceback" not in err and err.startswith("Galat")
    code, _, err = run(
        capsys, "--lang", "en", "--db", str(tmp_path / "y.sqlite"), "report", "income"
    )
    assert code == 2 and err.startswith("Error")


def test_bad_members_file_lists_lines_and_imports_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A members CSV with a bad row exits 2 naming the line; the good rows are not imported either."""
    path = tmp_path / "m.csv"
    path.write_text(MEMBERS_CSV + "A002,Ani,kemarin,,,,anggota\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", db, "import", "members", str(path))
    assert code == 2 and "baris 3" in err and "joined" in err
    code, out, _ = run(capsys, "--db", db, "export", "members")
    assert out.strip().count("\n") == 0  # only the header
    code, _, err = run(capsys, "--db", db, "import", "members", str(tmp_path / "missing.csv"))
    assert code == 2 and "missing.csv" in err


def test_ingest_file_commits_good_lines_and_exits_1_on_rejects(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ingest` of a JSONL with one bad line commits the others, lists the reason and exits 1."""
    members = tmp_path / "m.csv"
    members.write_text(MEMBERS_CSV, encoding="utf-8")
    products = tmp_path / "p.csv"
    products.write_text(
        "sku,name,unit,price_rp,cost_rp\n8991,Gula,toko,15000,12000\n", encoding="utf-8"
    )
    assert run(capsys, "--db", db, "import", "members", str(members))[0] == 0
    assert run(capsys, "--db", db, "import", "products", str(products))[0] == 0
    dev = Device()
    line = {"sku": "8991", "qty": 1, "price_rp": 15000, "cost_rp": 12000}
    good = dev.make("sale", member="A001", lines=[line], total=15000)
    bad = dev.make("sale", member="A404", lines=[line], total=15000)
    feed = tmp_path / "in.jsonl"
    feed.write_bytes(wire.canonical(good) + b"\n\n" + wire.canonical(bad) + b"\n")
    code, out, err = run(capsys, "--db", db, "ingest", str(feed))
    assert code == 1 and "Diterima 1" in out and "unknown member 'A404'" in err
    code, out, _ = run(capsys, "--db", db, "ingest", str(feed), "--json")
    assert code == 1 and json.loads(out)["duplicates"] == 1
    code, out, _ = run(
        capsys, "--db", db, "report", "member", "A001", "--from", "2026-03-01", "--json"
    )
    assert code == 0 and json.loads(out)["purchases"]["summary"]["total_rp"] == 15000
    code, out, _ = run(
        capsys,
        "--db",
        db,
        "report",
        "cashbook",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--csv",
    )
    assert code == 0 and out.splitlines()[0].startswith("day,tx,unit")
    code, out, _ = run(capsys, "--db", db, "report", "quarantine")
    assert code == 0 and "A404" in out
    code, _, err = run(capsys, "--db", db, "ingest", str(tmp_path / "none.jsonl"))
    assert code == 2 and "none.jsonl" in err


def test_an_older_ledger_refuses_writes_until_upgrade_keeps_data_and_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger of an older schema version reads fine, refuses ingest with a hint naming `upgrade` (nothing
    written), and `upgrade` brings it up to date keeping its transactions and its config."""
    db = str(tmp_path / "old.sqlite")
    config = tmp_path / "coop.toml"
    config.write_text(
        Path(cli.__file__).parent.parent.joinpath("default.toml").read_text(encoding="utf-8").replace(
            'name = "Koperasi', 'name = "Koperasi Lama', 1
        ),
        encoding="utf-8",
    )
    assert run(capsys, "--db", db, "init", "--config", str(config))[0] == 0
    members = tmp_path / "m.csv"
    members.write_text(MEMBERS_CSV, encoding="utf-8")
    products = tmp_path / "p.csv"
    products.write_text("sku,name,unit,price_rp,cost_rp\n8991,Gula,toko,15000,12000\n", encoding="utf-8")
    assert run(capsys, "--db", db, "import", "members", str(members))[0] == 0
    assert run(capsys, "--db", db, "import", "products", str(products))[0] == 0
    dev = Device()
    line = {"sku": "8991", "qty": 1, "price_rp": 15000, "cost_rp": 12000}
    first, second = (dev.make("sale", member="A001", lines=[line], total=15000) for _ in range(2))
    feed = tmp_path / "one.jsonl"
    feed.write_bytes(wire.canonical(first) + b"\n")
    assert run(capsys, "--db", db, "ingest", str(feed))[0] == 0
    downgrade_to_version_1(db)

    code, out, _ = run(capsys, "--db", db, "report", "trial-balance", "--json")
    assert code == 0 and out
    feed.write_bytes(wire.canonical(second) + b"\n")
    code, _, err = run(capsys, "--db", db, "ingest", str(feed))
    assert code == 2 and "upgrade" in err and "Traceback" not in err
    code, out, _ = run(capsys, "--db", db, "report", "member", "A001", "--from", "2026-03-01", "--json")
    assert json.loads(out)["purchases"]["summary"]["total_rp"] == 15000  # the refused sale left no trace

    code, out, _ = run(capsys, "--lang", "en", "--db", db, "upgrade")
    assert code == 0 and f"from schema version 1 to {schema.SCHEMA_VERSION}" in out
    code, out, _ = run(capsys, "--lang", "en", "--db", db, "upgrade")
    assert code == 0 and "nothing changed" in out
    assert run(capsys, "--db", db, "ingest", str(feed))[0] == 0
    code, out, _ = run(capsys, "--db", db, "report", "member", "A001", "--from", "2026-03-01", "--json")
    assert json.loads(out)["purchases"]["summary"]["total_rp"] == 30000
    with Ledger.open(db) as ledger:
        assert ledger.config.name == "Koperasi Lama Maju Bersama"


def test_report_arguments_are_checked(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A reversed period or a member report without a number is a clear usage error."""
    code, _, err = run(
        capsys, "--db", db, "report", "income", "--from", "2026-03-31", "--to", "2026-03-01"
    )
    assert code == 2 and "swap" in err
    code, _, err = run(capsys, "--db", db, "report", "member")
    assert code == 2 and "member number" in err
    code, _, err = run(capsys, "--db", db, "report", "member", "Z1")
    assert code == 2 and "Z1" in err
    with pytest.raises(SystemExit):
        cli.main(["--db", db, "report", "income", "--from", "31-03-2026"])


def test_devices_add_list_revoke(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Devices are registered with their key, listed, and revoked with a reason."""
    key = wire.public_key_text(Device().key.public_key())
    assert run(capsys, "--db", db, "devices", "add", "toko-01", "--public-key", key, "--unit", "toko",
               "--branch", "pusat")[0] == 0  # fmt: skip
    add = ("--db", db, "devices", "add")
    code, _, err = run(capsys, *add, "toko-02", "--public-key", "abc", "--unit", "toko", "--branch", "pusat")
    assert code == 2 and "public key" in err
    code, _, err = run(capsys, *add, "toko-03", "--public-key", key, "--unit", "bengkel", "--branch", "pusat")
    assert code == 2 and "bengkel" in err
    assert run(capsys, "--db", db, "devices", "revoke", "toko-01", "--reason", "hilang")[0] == 0
    code, out, _ = run(capsys, "--db", db, "devices", "list", "--json")
    assert json.loads(out)[0]["revoked_reason"] == "hilang"
    code, _, err = run(capsys, "--db", db, "devices", "revoke", "toko-99", "--reason", "x")
    assert code == 2 and "toko-99" in err


def test_demo_data_months_follow_on_and_ingest_cleanly(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`demo-data` writes signed envelopes the ledger ingests without a reject; a second month continues
    the devices' chains, the members' loans and their paid simpanan pokok."""
    for month in ("2026-02", "2026-03"):
        out_file = tmp_path / f"demo-{month}.jsonl"
        code, _, _ = run(capsys, "--db", db, "demo-data", "--month", month, "--out", str(out_file),
                         "--per-day", "10", "--members", "8")  # fmt: skip
        assert code == 0 and out_file.exists()
        code, _, err = run(capsys, "--db", db, "ingest", str(out_file), "--require-signature")
        assert code == 0, err
    code, out, _ = run(capsys, "--db", db, "report", "balance-sheet", "--to", "2026-03-31")
    assert code == 0 and "seimbang" in out
    code, out, _ = run(capsys, "--db", db, "report", "chains", "--json")
    assert json.loads(out)["chains"]["summary"]["devices_with_problems"] == 0


def test_extensions_add_subcommands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A module named in EXTENSIONS adds its subcommands; a missing one is ignored."""
    import types

    module = types.ModuleType("central_ext_probe")

    def add_commands(sub: object) -> None:
        parser = sub.add_parser("probe")  # type: ignore[attr-defined]
        parser.set_defaults(func=lambda ledger, args: 7, needs_ledger=False)

    module.add_commands = add_commands  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "central_ext_probe", module)
    monkeypatch.setattr(cli, "EXTENSIONS", ("central_ext_probe", "central.not_there_yet"))
    assert cli.main(["probe"]) == 7
