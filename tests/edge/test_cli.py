"""``python -m edge``: headless counters and set-up from the command line."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from edge.cli import main
from edge.device import Device
from sync.envelope import load_public_key, parse, verify

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_runs_as_module() -> None:
    """`python -m edge --help` lists the sub-commands and exits 0."""
    done = subprocess.run(
        [sys.executable, "-m", "edge", "--help"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    for command in (
        "init",
        "sale",
        "deposit",
        "installment",
        "void",
        "status",
        "catalog",
        "members",
        "clerk",
    ):
        assert command in done.stdout


def test_init_prints_public_key_matching_signing_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """init writes device.toml and a 0600 key and prints the base64 public key that verifies its envelopes."""
    d = tmp_path / "dev"
    code, out, _ = run(
        capsys,
        "--dir",
        str(d),
        "init",
        "--device",
        "kafe-02",
        "--unit",
        "cafe",
        "--branch",
        "desa",
        "--coop",
        "kopdesa",
        "--broker",
        "10.0.0.5:8883",
    )
    assert code == 0
    assert stat.S_IMODE(os.stat(d / "signing.key").st_mode) == 0o600
    public = out.strip().splitlines()[2]
    toml = (d / "device.toml").read_text()
    assert 'device = "kafe-02"' in toml and "port = 8883" in toml and 'coop = "kopdesa"' in toml
    (tmp_path / "c.csv").write_text("sku,name,unit,price_rp,cost_rp,stock\nKOPI,Kopi,cafe,5000,2000,\n")
    assert run(capsys, "--dir", str(d), "catalog", "import", str(tmp_path / "c.csv"))[0] == 0
    code, out, _ = run(capsys, "--dir", str(d), "sale", "--line", "KOPI:3", "--json")
    assert code == 0 and verify(json.loads(out), load_public_key(public))


def test_init_refuses_to_lose_unsynced_sales(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A second init over a store with unsynced sales is refused with the count, unless --force."""
    d = str(tmp_path / "dev")
    base = ["--dir", d, "init", "--device", "toko-01", "--unit", "toko", "--branch", "pusat"]
    assert run(capsys, *base)[0] == 0
    (tmp_path / "c.csv").write_text("sku,name,unit,price_rp,cost_rp,stock\nA1,Teh,toko,3000,2000,10\n")
    run(capsys, "--dir", d, "catalog", "import", str(tmp_path / "c.csv"))
    for _ in range(2):
        run(capsys, "--dir", d, "sale", "--sku", "A1", "--qty", "1")
    code, _, err = run(capsys, *base)
    assert code != 0 and "2 transaksi" in err and "--force" in err
    with Device.open(d) as dev:
        assert dev.status().outbox_depth == 2
    code, _, err = run(capsys, "--lang", "en", *base)
    assert "2 transaction(s)" in err
    assert run(capsys, *base, "--force")[0] == 0
    with Device.open(d) as dev:
        status = dev.status()
        assert (status.outbox_depth, status.last_seq) == (0, 2)
    (tmp_path / "c.csv").write_text("sku,name,unit,price_rp,cost_rp,stock\nA1,Teh,toko,3000,2000,10\n")
    run(capsys, "--dir", d, "catalog", "import", str(tmp_path / "c.csv"))
    code, out, _ = run(capsys, "--dir", d, "sale", "--line", "A1:1", "--json")
    assert json.loads(out)["seq"] == 3  # the same device id continues its chain; central sees the gap
    other = ["--dir", d, "init", "--device", "toko-02", "--unit", "toko", "--branch", "pusat"]
    code, _, err = run(capsys, *other)
    assert code != 0 and "1 transaksi" in err
    assert run(capsys, *other, "--force")[0] == 0
    with Device.open(d) as dev:
        assert dev.status().last_seq == 0  # a new device id starts a new chain


def test_sale_status_and_english(device_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A credit sale over the CLI records; status --json reports it; KOP_LANG=en switches the language."""
    d = str(device_dir)
    code, out, _ = run(
        capsys, "--dir", d, "sale", "--member", "A001", "--sku", "8991001", "--qty", "1", "--pay", "credit"
    )
    assert code == 0 and "Rp 68.000" in out
    code, out, _ = run(capsys, "--dir", d, "status", "--json")
    status = json.loads(out)
    assert status["outbox_depth"] == 1 and status["catalog_version"] == 1 and status["last_ack_seq"] == 0
    os.environ["KOP_LANG"] = "en"
    try:
        code, _, err = run(
            capsys,
            "--dir",
            d,
            "sale",
            "--member",
            "A001",
            "--sku",
            "8991001",
            "--qty",
            "6",
            "--pay",
            "credit",
        )
    finally:
        del os.environ["KOP_LANG"]
    assert code != 0 and "limit Rp 500,000" in err and "available Rp 332,000" in err
    code, out, _ = run(capsys, "--dir", d, "sale", "--line", "TELUR:1,5", "--json")  # decimal comma
    assert code == 0 and json.loads(out)["lines"][0]["qty"] == "1.5"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["sale", "--sku", "NOPE", "--qty", "1"], "NOPE"),
        (["sale", "--sku", "8991001"], "--qty"),
        (["sale", "--line", "8991001"], "SKU:"),
        (["sale", "--line", "8991001:-1"], "-1"),
        (["sale", "--line", "8991001:1", "--member", "ZZZ"], "ZZZ"),
        (["deposit", "--member", "A001", "--product", "emas", "--amount-rp", "5000"], "emas"),
        (["deposit", "--member", "A001", "--product", "wajib", "--amount-rp", "5.000"], "5.000"),
        (["void", "nope", "--reason", "x"], "nope"),
        (["shift", "--clerk", "c9", "--since", "kemarin"], "kemarin"),
        (["shift", "--clerk", "c9", "--since", "2026-11-22T07:00:00+07:00"], "c9"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_user_mistakes_are_refused_cleanly(
    device_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    """Each user mistake gives a readable message naming the problem, a non-zero exit, no new row."""
    code, _, err = run(capsys, "--dir", str(device_dir), *argv)
    assert code != 0 and needle in err and "Traceback" not in err
    with Device.open(device_dir) as dev:
        assert dev.status().last_seq == 0


def test_catalog_import_is_all_or_nothing(device_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A CSV with one bad row imports nothing and names the row."""
    csv = device_dir / "bad.csv"
    csv.write_text(
        "sku,name,unit,price_rp,cost_rp,stock\nNEW1,Sabun,toko,4000,3000,5\nNEW2,Sikat,toko,4.500,3000,5\n"
    )
    code, _, err = run(capsys, "--dir", str(device_dir), "catalog", "import", str(csv))
    assert code != 0 and "baris 3" in err and "price_rp" in err
    with Device.open(device_dir) as dev:
        assert dev.product("NEW1") is None


def test_deposit_installment_void_members_clerk_shift(
    device_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The other recording commands and listings work end to end."""
    d = str(device_dir)
    assert run(capsys, "--dir", d, "clerk", "add", "kasir1", "--name", "Ani", "--pin", "2468")[0] == 0
    _code, out, _ = run(capsys, "--dir", d, "sale", "--line", "PULSA:2", "--clerk", "kasir1", "--json")
    ref = json.loads(out)["id"]
    assert (
        run(
            capsys,
            "--dir",
            d,
            "deposit",
            "--member",
            "A001",
            "--product",
            "wajib",
            "--amount-rp",
            "50000",
            "--clerk",
            "kasir1",
        )[0]
        == 0
    )
    assert (
        run(
            capsys,
            "--dir",
            d,
            "installment",
            "--member",
            "A002",
            "--loan",
            "L1",
            "--principal-rp",
            "90000",
            "--interest-rp",
            "10000",
            "--clerk",
            "kasir1",
        )[0]
        == 0
    )
    assert run(capsys, "--dir", d, "void", ref, "--reason", "salah", "--clerk", "kasir1")[0] == 0
    _, out, _ = run(
        capsys, "--dir", d, "shift", "--clerk", "kasir1", "--since", "2000-01-01T00:00:00+07:00", "--json"
    )
    summary = json.loads(out)[0]
    assert summary["cash_expected_rp"] == 20000 + 50000 + 100000 - 20000
    _, out, _ = run(capsys, "--dir", d, "shift", "--clerk", "kasir1", "--since", "2000-01-01T00:00:00+07:00")
    assert "{" not in out and "'" not in out  # a table for people, not a Python dict
    lines = [line.split("  ") for line in out.splitlines()]
    shown = {parts[0].strip(): parts[-1].strip() for parts in lines}
    assert shown["petugas"] == "kasir1"
    assert shown["angsuran pinjaman (tunai)"] == "Rp 100.000"
    assert shown["uang tunai yang disetor"] == "Rp 150.000"
    _, out, _ = run(
        capsys,
        "--dir",
        d,
        "--lang",
        "en",
        "shift",
        "--clerk",
        "kasir1",
        "--since",
        "2000-01-01T00:00:00+07:00",
    )
    assert "cash to hand in" in out and "Rp 150,000" in out
    _, out, _ = run(capsys, "--dir", d, "members", "list", "--json")
    assert [m["number"] for m in json.loads(out)] == ["A001", "A002", "A003"]
    with Device.open(d) as dev:
        kinds = [parse(data)["kind"] for _, data in dev.outbox_after(0, 10)]
    assert kinds == ["sale", "savings_deposit", "installment", "void"]


def test_status_of_a_revoked_device_says_revoked(
    device_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A device marked revoked is never shown connected; status says revoked, why, and what to do."""
    with Device.open(device_dir) as dev:
        dev.set_connectivity(True)
        dev.mark_revoked("kiosk hilang")
        dev.set_connectivity(True)  # a stale "connected" from the sync loop does not hide it
    code, out, _ = run(capsys, "--dir", str(device_dir), "--lang", "en", "status")
    assert code == 0
    assert "no: device REVOKED (kiosk hilang)" in out and "enroll it again" in out
    code, out, _ = run(capsys, "--dir", str(device_dir), "status")
    assert "tidak: perangkat DICABUT (kiosk hilang)" in out
    code, out, _ = run(capsys, "--dir", str(device_dir), "status", "--json")
    st = json.loads(out)
    assert (st["connected"], st["revoked"], st["revoked_reason"]) == (False, True, "kiosk hilang")


def test_options_after_the_subcommand(device_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--dir and --lang work after the sub-command as well as before it."""
    code, _, err = run(capsys, "sale", "--line", "NOPE:1", "--dir", str(device_dir), "--lang", "en")
    assert code != 0 and "is not in this device's catalog" in err
    code, out, _ = run(capsys, "status", "--json", "--dir", str(device_dir))
    assert code == 0 and json.loads(out)["device"] == "toko-01"


@pytest.mark.parametrize(
    ("damage", "needle"),
    [
        (lambda d: (d / "device.toml").write_text("device = [broken"), "device.toml"),
        (
            lambda d: (d / "device.toml").write_text('device = "Toko 01"\nunit = "toko"\nbranch = "p"\n'),
            "Toko 01",
        ),
        (lambda d: (d / "device.toml").write_text('unit = "toko"\nbranch = "p"\n'), "device"),
        (lambda d: (d / "signing.key").write_text("not a key"), "signing.key"),
        (lambda d: (d / "edge.sqlite").write_bytes(b"this is not a database" * 100), "store"),
    ],
)
def test_damaged_device_directory_is_reported(
    device_dir: Path,
    capsys: pytest.CaptureFixture[str],
    damage,
    needle: str,  # type: ignore[no-untyped-def]
) -> None:
    """A damaged device.toml, key or store gives a message naming the file, a non-zero exit, no traceback."""
    for suffix in ("-wal", "-shm"):
        (device_dir / f"edge.sqlite{suffix}").unlink(missing_ok=True)
    damage(device_dir)
    code, _, err = run(capsys, "--dir", str(device_dir), "--lang", "en", "status")
    assert code != 0 and needle in err and "Traceback" not in err


def test_catalog_csv_with_bom_and_weights(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A spreadsheet-exported CSV (BOM, decimal stock, empty stock) imports exactly."""
    d = str(tmp_path / "dev")
    run(capsys, "--dir", d, "init", "--device", "toko-01", "--unit", "toko", "--branch", "pusat")
    csv = tmp_path / "c.csv"
    csv.write_text(
        "\ufeffsku,name,unit,price_rp,cost_rp,stock\nTELUR,Telur,toko,28000,25000,12.5\nJASA,Jasa,toko,500,0,\n"
    )
    assert run(capsys, "--dir", d, "catalog", "import", str(csv))[0] == 0
    with Device.open(d) as dev:
        telur, jasa = dev.product("TELUR"), dev.product("JASA")
    assert telur is not None and str(telur.stock) == "12.5" and jasa is not None and jasa.stock is None


def test_catalog_csv_not_utf8_says_so_and_how_to_save_it(
    device_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Windows-1252 CSV is reported as not UTF-8 with the line and how to save it as UTF-8."""
    csv = device_dir / "cp1252.csv"
    csv.write_bytes(
        "sku,name,unit,price_rp,cost_rp,stock\nKOPI,Kopi Caf\u00e9,toko,5000,4000,\n".encode("cp1252")
    )
    code, _, err = run(capsys, "--dir", str(device_dir), "--lang", "en", "catalog", "import", str(csv))
    assert code != 0 and "Traceback" not in err
    assert "is not UTF-8 (byte 0xe9 on line 2)" in err and "CSV UTF-8" in err
    assert "cannot be read" not in err and "does not exist" not in err
    code, _, err = run(capsys, "--dir", str(device_dir), "catalog", "import", str(csv))
    assert "bukan UTF-8" in err and "Simpan ulang sebagai UTF-8" in err
    code, _, err = run(capsys, "--dir", str(device_dir), "--lang", "en", "catalog", "import", "nope.csv")
    assert code != 0 and "the file does not exist" in err


def test_catalog_csv_from_indonesian_excel(device_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Semicolons, decimal commas and thousands points (Excel in Indonesian) are sniffed and reported."""
    csv = device_dir / "excel.csv"
    csv.write_text(
        "sku;name;unit;price_rp;cost_rp;stock\n"
        'TELUR;"Telur, ayam";toko;28.000;25.000,00;12,5\n'
        "JASA;Jasa;toko;500;0;\n"
    )
    code, out, _ = run(capsys, "--dir", str(device_dir), "--lang", "en", "catalog", "import", str(csv))
    assert code == 0 and "separated by ';'" in out and "2 product(s) imported" in out
    with Device.open(device_dir) as dev:
        telur, jasa = dev.product("TELUR"), dev.product("JASA")
    assert telur is not None and (telur.name, telur.price_rp, telur.cost_rp) == ("Telur, ayam", 28000, 25000)
    assert str(telur.stock) == "12.5" and jasa is not None and jasa.stock is None
    csv.write_text("sku;name;unit;price_rp;cost_rp;stock\nGULA;Gula;toko;17.500,50;15000;\n")
    code, _, err = run(capsys, "--dir", str(device_dir), "--lang", "en", "catalog", "import", str(csv))
    assert code != 0 and "row 2" in err and "must be whole rupiah" in err


def test_verify_finds_a_tampered_row(device_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`verify` passes a whole chain and names the seq of a row altered behind the device's back."""
    import sqlite3

    d = str(device_dir)
    for _ in range(3):
        run(capsys, "--dir", d, "sale", "--line", "PULSA:1")
    code, out, _ = run(capsys, "--dir", d, "--lang", "en", "verify")
    assert code == 0 and "3 transaction(s)" in out
    conn = sqlite3.connect(device_dir / "edge.sqlite")
    data = conn.execute("SELECT envelope FROM outbox WHERE seq = 2").fetchone()[0]
    conn.execute(
        "UPDATE outbox SET envelope = ? WHERE seq = 2", (bytes(data).replace(b'"qty":1', b'"qty":2'),)
    )
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "--dir", d, "--lang", "en", "verify")
    assert code != 0 and "seq 2:" in err and "seq 3:" in err


def test_verify_reports_a_row_stored_as_text(device_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A row whose envelope is TEXT instead of bytes is named by seq and reason, not a TypeError."""
    import sqlite3

    d = str(device_dir)
    for _ in range(2):
        run(capsys, "--dir", d, "sale", "--line", "PULSA:1")
    conn = sqlite3.connect(device_dir / "edge.sqlite")
    conn.execute("UPDATE outbox SET envelope = CAST(envelope AS TEXT) WHERE seq = 1")
    conn.execute("UPDATE outbox SET envelope = 42 WHERE seq = 2")
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "--dir", d, "--lang", "en", "verify")
    assert code == 1
    assert "seq 1: envelope stored as TEXT, not as bytes (BLOB)" in err
    assert "seq 2: the row holds int instead of an envelope" in err
    assert "Traceback" not in err
    code, _, err = run(capsys, "--dir", d, "verify")
    assert code == 1 and "seq 1: amplop tersimpan sebagai TEKS" in err


def test_outbox_export_writes_unsynced_envelopes(
    device_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`outbox export` writes the envelopes after the last ack as JSON Lines that pass the format check."""
    d = str(device_dir)
    for _ in range(3):
        run(capsys, "--dir", d, "sale", "--line", "PULSA:1")
    with Device.open(d) as dev:
        dev.mark_acked(1)
    target = device_dir / "usb.jsonl"
    code, _, _ = run(capsys, "--dir", d, "outbox", "export", "--out", str(target))
    rows = [parse(line) for line in target.read_text().splitlines()]
    assert code == 0 and [r["seq"] for r in rows] == [2, 3]
    code, out, _ = run(capsys, "--dir", d, "outbox", "export", "--after", "0")
    assert [parse(line)["seq"] for line in out.splitlines()] == [1, 2, 3]


def _into_closed_pipe(module: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m module argv`` with standard output into a pipe whose reader has already gone,
    as after ``| head`` stopped reading: every write fails with EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", module, *argv],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize("command", [["catalog", "list"], ["status"], ["members", "list"], ["verify"]])
def test_output_into_a_closed_pipe_stops_quietly(device_dir: Path, command: list[str]) -> None:
    """`edge catalog list | head` and the like end without a traceback, with 141 like a Unix tool."""
    done = _into_closed_pipe("edge", "--dir", str(device_dir), *command)
    assert done.stderr == ""
    assert done.returncode == 141
