"""``python -m drivers``: the technician commands, their errors and exit codes, and their docs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from drivers.cli import build_parser, main
from drivers.fakes.keyboard import scan_events
from drivers.fakes.modem import FakeModem
from drivers.fakes.printer import FakeNetworkPrinter
from drivers.keydecode import pack_events
from drivers.receipt import drawer_kick_bytes
from tests.drivers.samples import SAMPLE_DICT

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def receipt_json(tmp_path: Path) -> Path:
    """The sample receipt as a JSON file."""
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(SAMPLE_DICT), encoding="utf-8")
    return path


def test_help_runs_as_a_module() -> None:
    """`python -m drivers --help` works in a fresh interpreter and lists the three commands."""
    result = subprocess.run(
        [sys.executable, "-m", "drivers", "--help"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    for command in ("scan", "receipt", "modem"):
        assert command in result.stdout


def test_scan_events_prints_one_scan_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A recording of raw input events decodes into its scans, one per line, with their kind."""
    recording = tmp_path / "event3.bin"
    events = scan_events("4006381333931") + scan_events("kp0123456789ab", start=1_700_000_001)
    events += scan_events("99", start=1_700_000_002, enter=False)
    recording.write_bytes(pack_events(events))
    assert main(["scan", "--events", str(recording)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["4006381333931\tean13", "KP0123456789AB\tmember_card"]
    assert "dibuang" in err  # the unfinished "99"


def test_scan_events_with_another_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--layout decodes a recording made by a scanner set to that layout."""
    recording = tmp_path / "azerty.bin"
    recording.write_bytes(pack_events(scan_events("96385074", layout="fr")))
    assert main(["scan", "--events", str(recording), "--layout", "fr"]) == 0
    assert capsys.readouterr().out == "96385074\tean8\n"


def test_scan_live_device_until_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`scan --device PATH` reads live events (a FIFO here) and stops after --count scans."""
    fifo = tmp_path / "event5"
    os.mkfifo(fifo)
    data = pack_events(
        scan_events("96385074", start=time.time()) + scan_events("036000291452", start=time.time())
    )

    def write() -> None:
        with open(fifo, "wb") as handle:
            handle.write(data)

    writer = threading.Thread(target=write)
    writer.start()
    assert main(["scan", "--device", str(fifo), "--no-grab", "--count", "2"]) == 0
    writer.join()
    assert capsys.readouterr().out.splitlines() == ["96385074\tean8", "036000291452\tupca"]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["scan", "--events", "/nonexistent/rec.bin"], "tidak ada"),
        (["scan"], "pilih satu sumber"),
        (["scan", "--events", "{rec}", "--layout", "dvorak"], "tata letak"),
        (["scan", "--events", "{rec}", "--timeout-ms", "0"], "nilai tidak sah"),
        (["scan", "--events", "{bad}"], "kelipatan"),
        (["receipt", "--json", "{bad}", "--out", "x.bin"], "bukan JSON"),
        (["receipt", "--json", "{rec}"], "--out FILE"),
        (["receipt", "--reprint"], "--printer"),
        (["modem", "--port", "/dev/null", "send", "+62811"], "NOMOR dan TEKS"),
    ],
)
def test_user_mistakes_exit_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    """Each mistake exits with code 2 and a message (Indonesian by default) saying what is wrong."""
    rec = tmp_path / "rec.bin"
    rec.write_bytes(pack_events(scan_events("1")))
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"{not json, 25 bytes long}")
    argv = [a.format(rec=rec, bad=bad) for a in argv]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert fragment in err
    assert "Traceback" not in err + out


def test_english_messages_with_lang_or_env(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--lang en and KOP_LANG=en switch messages to English."""
    assert main(["--lang", "en", "scan"]) == 2
    assert "choose one source" in capsys.readouterr().err
    monkeypatch.setenv("KOP_LANG", "en")
    assert main(["scan"]) == 2
    assert "choose one source" in capsys.readouterr().err


def test_receipt_to_file_and_decode(
    tmp_path: Path, receipt_json: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A receipt JSON becomes an ESC/POS file, and --decode shows its text and QR payload."""
    out = tmp_path / "r.bin"
    assert main(["receipt", "--json", str(receipt_json), "--width", "80", "--out", str(out)]) == 0
    assert main(["receipt", "--decode", str(out)]) == 0
    text = capsys.readouterr().out
    assert "TOTAL" in text and "Rp 40.500" in text
    assert "QR: KOP1|toko-01:000042|MFRGGZDFMZTWQ2LKNNWG23TPOA" in text


def test_receipt_to_printer_reprint_and_kick(
    tmp_path: Path, receipt_json: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--printer prints over the network; --reprint sends the same bytes again; --kick opens the drawer."""
    state = tmp_path / "state"
    with FakeNetworkPrinter() as fake:
        uri = fake.uri
        assert (
            main(["receipt", "--json", str(receipt_json), "--printer", uri, "--state-dir", str(state)]) == 0
        )
        assert main(["receipt", "--reprint", "--kick", "--printer", uri, "--state-dir", str(state)]) == 0
        first = (state / "last-receipt.bin").read_bytes()
        deadline = time.monotonic() + 10
        while len(fake.printed) < 2 * len(first) + 5 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert fake.printed == first + first + drawer_kick_bytes(2)


def test_printer_missing_exits_3(receipt_json: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unreachable printer exits with code 3 and says the sale is saved."""
    assert main(["receipt", "--json", str(receipt_json), "--printer", "tcp://127.0.0.1:9"]) == 3
    assert "tidak terjangkau" in capsys.readouterr().err


def test_modem_status_and_send(capsys: pytest.CaptureFixture[str]) -> None:
    """`modem status` shows the network and signal; `modem send` sends through the fake modem."""
    with FakeModem(signal=25) as fake:
        assert main(["modem", "--port", fake.port, "status"]) == 0
        assert (
            main(["modem", "--port", fake.port, "send", "+6281234567890", "Rapat anggota Sabtu 09.00"]) == 0
        )
    out = capsys.readouterr().out
    assert "TELKOMSEL" in out and "25/31 (-63 dBm)" in out
    assert fake.messages == [("+6281234567890", "Rapat anggota Sabtu 09.00")]


def test_modem_refusal_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    """A refused SMS exits with code 3 and names the modem's reason."""
    with FakeModem() as fake:
        fake.fail_next(50)
        assert main(["--lang", "en", "modem", "--port", fake.port, "send", "+62811", "x"]) == 3
    assert "no credit" in capsys.readouterr().err


def test_every_option_is_documented() -> None:
    """Each CLI command and option appears in docs/drivers.md."""
    docs = (ROOT / "docs" / "drivers.md").read_text(encoding="utf-8")
    parser = build_parser("en")
    options: set[str] = set()
    for action in parser._actions:
        options.update(o for o in action.option_strings if o.startswith("--") and o != "--help")
        choices = getattr(action, "choices", None)
        if isinstance(choices, dict):
            for name, sub in choices.items():
                options.add(name)
                for sub_action in sub._actions:
                    options.update(
                        o for o in sub_action.option_strings if o.startswith("--") and o != "--help"
                    )
    missing = sorted(o for o in options if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", docs))
    assert missing == []


def test_output_into_a_closed_pipe_stops_quietly(tmp_path: Path, receipt_json: Path) -> None:
    """`python -m drivers ... | head` ends without a traceback once the reader has gone (exit 141)."""
    receipt = tmp_path / "r.bin"
    assert main(["receipt", "--json", str(receipt_json), "--out", str(receipt)]) == 0
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "drivers", "receipt", "--decode", str(receipt)],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, "")
