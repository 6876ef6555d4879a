"""The daily deposit at a device: a clerk's cash hand-in at shift close (``Device.record_handin``, the
``handin`` envelope, ``python -m edge shift close``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from edge.cli import main
from edge.device import Device
from edge.errors import HandinAlreadyRecorded, InvalidInput, NotVoidable, UnknownClerk
from sync import envelope as wire

WIB = timezone(timedelta(hours=7))
START = datetime(2026, 11, 22, 7, 0, tzinfo=WIB)


class Ticker:
    """A device clock that moves one second per reading: no two recordings share a time."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def tdev(device_dir: Path) -> Iterator[Device]:
    """The test device on a ticking clock, with two clerks."""
    with Device.open(device_dir, clock=Ticker()) as opened:
        opened.add_clerk("k1", "Ani", "1357")
        opened.add_clerk("k2", "Edi", "2468")
        yield opened


def _shift(dev: Device) -> None:
    """A shift of k1 with every kind of cash movement, and a sale of k2 that is not k1's."""
    a = dev.record_sale([("8991002", 2)], clerk="k1")  # 35,000 cash
    dev.record_sale([("8991001", 1)], clerk="k1")  # 68,000 cash
    dev.record_sale([("8991001", 1)], member="A001", payment="credit", clerk="k1")  # credit: no cash
    dev.record_sale([("PULSA", 1)], clerk="k2")
    dev.record_savings_deposit("A001", "wajib", 25_000, clerk="k1")
    dev.record_installment("A001", "L1", 40_000, 5_000, clerk="k1")
    dev.record_void(a.id, "salah", clerk="k1")


def test_handin_records_counted_beside_the_shift_summary(tdev: Device) -> None:
    """The hand-in's expected is the shift summary's cash expected; total is the cash counted."""
    since = START.isoformat()
    _shift(tdev)
    summary = tdev.shift_summary("k1", since)
    rec = tdev.record_handin("k1", 137_000, since)
    env = rec.envelope
    wire.check(env)
    assert env["kind"] == "handin" and env["clerk"] == "k1" and env["member"] is None
    assert env["expected_rp"] == summary.cash_expected_rp == 68_000 + 25_000 + 45_000
    assert env["counted_rp"] == env["total"] == 137_000
    assert env["from"] == since and env["from"] <= env["to"] <= env["at"]
    assert env["lines"] == [] and env["payment"] == "cash"
    assert tdev.last_handin("k1") == env["to"]


def test_a_second_handin_of_the_same_shift_is_refused(tdev: Device) -> None:
    """Once per shift: the same start again, a start inside the handed-in period, or a close with
    nothing recorded since, is refused with a message in both languages; nothing is added."""
    since = START.isoformat()
    _shift(tdev)
    first = tdev.record_handin("k1", 138_000, since).envelope
    seq = tdev.status().last_seq
    for again in (since, (START + timedelta(seconds=3)).isoformat(), None):
        with pytest.raises(HandinAlreadyRecorded) as caught:
            tdev.record_handin("k1", 138_000, again)
        assert "sudah dicatat" in caught.value.message("id")
        assert "already handed in" in caught.value.message("en")
    assert tdev.status().last_seq == seq
    # another clerk's shift is their own
    tdev.record_handin("k2", 10_000, since)
    # the next shift of k1 starts after the last hand-in, by default
    tdev.record_sale([("8991002", 1)], clerk="k1")
    nxt = tdev.record_handin("k1", 17_500).envelope
    assert nxt["expected_rp"] == 17_500
    assert datetime.fromisoformat(nxt["from"]) > datetime.fromisoformat(first["to"])


def test_handin_refuses_bad_input(tdev: Device) -> None:
    """An unknown clerk, a negative or non-whole count are refused; nothing is recorded."""
    with pytest.raises(UnknownClerk):
        tdev.record_handin("nobody", 1000, START.isoformat())
    for bad in (-1, 1.5, True, wire.MAX_AMOUNT_RP + 1):
        with pytest.raises(InvalidInput):
            tdev.record_handin("k1", bad, START.isoformat())  # type: ignore[arg-type]
    assert tdev.status().last_seq == 0


def test_an_empty_shift_hands_in_zero(tdev: Device) -> None:
    """A clerk with nothing recorded may still close their shift: expected 0."""
    env = tdev.record_handin("k1", 0, START.isoformat()).envelope
    assert (env["expected_rp"], env["counted_rp"]) == (0, 0)


def test_a_handin_cannot_be_voided(tdev: Device) -> None:
    """A hand-in moves no money, so there is nothing to void."""
    rec = tdev.record_handin("k1", 0, START.isoformat())
    with pytest.raises(NotVoidable, match="handin"):
        tdev.record_void(rec.id, "salah")


# ---- the envelope check ---------------------------------------------------------------------------


def _handin(**change: Any) -> dict[str, Any]:
    env: dict[str, Any] = {
        "v": 1,
        "id": "h1",
        "device": "toko-01",
        "seq": 1,
        "prev": wire.GENESIS,
        "at": "2026-11-22T15:00:05+07:00",
        "unit": "toko",
        "kind": "handin",
        "member": None,
        "payment": "cash",
        "lines": [],
        "total": 150_000,
        "clerk": "k1",
        "from": "2026-11-22T07:00:00+07:00",
        "to": "2026-11-22T15:00:00+07:00",
        "expected_rp": 152_000,
        "counted_rp": 150_000,
    }
    env.update(change)
    return {k: v for k, v in env.items() if v is not ...}


def test_a_good_handin_passes_the_check() -> None:
    """The reference hand-in, and one whose expected is below 0 (more paid out than taken in)."""
    wire.check(_handin())
    wire.check(_handin(expected_rp=-20_000))
    wire.check(_handin(total=0, counted_rp=0))


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"clerk": ...}, "missing"),
        ({"clerk": None}, "clerk"),
        ({"clerk": " "}, "clerk"),
        ({"from": ...}, "missing"),
        ({"from": "pagi"}, "from"),
        ({"to": "2026-11-22T15:00:00"}, "offset"),
        ({"from": "2026-11-22T16:00:00+07:00"}, "forward"),
        ({"to": "2026-11-22T15:00:06+07:00"}, "after it was recorded"),
        ({"expected_rp": "152000"}, "expected_rp"),
        ({"expected_rp": True}, "expected_rp"),
        ({"expected_rp": -(wire.MAX_AMOUNT_RP + 1)}, "expected_rp"),
        ({"counted_rp": -1}, "negative"),
        ({"counted_rp": 149_000}, "total"),
        ({"member": "A001"}, "member must be null"),
        ({"payment": "credit"}, "payment"),
        ({"lines": [{"sku": "X", "qty": 1, "price_rp": 1, "cost_rp": 1}]}, "no lines"),
        ({"ref": "x"}, "unexpected"),
    ],
)
def test_a_bad_handin_is_refused(change: dict[str, Any], needle: str) -> None:
    """Each wrong field of a hand-in is refused, naming what is wrong."""
    with pytest.raises(wire.EnvelopeError, match=needle):
        wire.check(_handin(**change))


# ---- the command line -----------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_shift_close_on_the_command_line(device_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`shift close --counted-rp N` records the hand-in once; the second is refused with exit 2."""
    d = str(device_dir)
    assert _run(capsys, "--dir", d, "clerk", "add", "kasir1", "--name", "Ani", "--pin", "1234")[0] == 0
    assert _run(capsys, "--dir", d, "sale", "--sku", "8991002", "--qty", "2", "--clerk", "kasir1")[0] == 0
    code, out, _ = _run(capsys, "--dir", d, "--lang", "en", "shift", "close", "--clerk", "kasir1",
                        "--counted-rp", "35000", "--json")  # fmt: skip
    assert code == 0
    env = json.loads(out)
    assert (env["kind"], env["expected_rp"], env["counted_rp"]) == ("handin", 35_000, 35_000)
    code, _, err = _run(capsys, "--dir", d, "shift", "close", "--clerk", "kasir1", "--counted-rp", "35000")
    assert code == 2 and "sudah dicatat" in err and "Traceback" not in err
    code, _, err = _run(capsys, "--dir", d, "shift", "close", "--clerk", "kasir1")
    assert code == 2 and "--counted-rp" in err
    code, _, err = _run(capsys, "--dir", d, "shift", "--clerk", "kasir1")
    assert code == 2 and "--since" in err


def test_shift_close_prints_the_difference(device_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json the close shows expected, counted and the difference."""
    d = str(device_dir)
    _run(capsys, "--dir", d, "clerk", "add", "kasir1", "--name", "Ani", "--pin", "1234")
    _run(capsys, "--dir", d, "sale", "--sku", "8991002", "--qty", "2", "--clerk", "kasir1")
    code, out, _ = _run(capsys, "--dir", d, "--lang", "en", "shift", "close", "--clerk", "kasir1",
                        "--counted-rp", "30000")  # fmt: skip
    assert code == 0 and "Rp 35,000" in out and "-Rp 5,000" in out
