"""Power loss on the device: a process recording sales is SIGKILLed at random moments, many times."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from edge.device import Device
from tests.edge.chain import assert_stock_matches, assert_whole_chain
from tests.edge.conftest import CATALOG, snapshot

ROOT = Path(__file__).resolve().parents[2]
KILLS = 12
SOAK_KILLS = int(os.environ.get("KOP_EDGE_SOAK_KILLS", "300"))
MAX_RUN_S = 0.25


def _stock_plenty(dev: Device) -> None:
    items = [{**item, "stock": 1_000_000 if item["stock"] is not None else None} for item in CATALOG]
    assert dev.apply_downlink("catalog", snapshot("catalog", 2, items))


def kill_repeatedly(device_dir: Path, kills: int) -> None:
    """SIGKILL a recording child ``kills`` times, then check the outbox, chain and stock."""
    with Device.open(device_dir) as dev:
        _stock_plenty(dev)
        initial = dev.stock_milli()
    rng = random.Random(4)
    committed: list[str] = []
    for round_no in range(kills):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.edge.crash_worker", str(device_dir), str(round_no)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, MAX_RUN_S))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        committed.extend(line.strip() for line in out.splitlines() if line.strip())
    with Device.open(device_dir) as dev:
        envelopes = assert_whole_chain(dev, device_dir)
        ids = [e["id"] for e in envelopes]
        assert set(committed) <= set(ids)
        assert len(committed) == len(set(committed))
        assert len(envelopes) > kills
        assert_stock_matches(dev, initial, envelopes)
        acked = dev.status().last_ack_seq
        flags = dev._read("SELECT seq, acked_at IS NOT NULL FROM outbox ORDER BY seq")
        assert all(bool(flag) == (seq <= acked) for seq, flag in flags)


@pytest.mark.slow
def test_sigkill_mid_sale_loses_and_duplicates_nothing(device_dir: Path) -> None:
    """After many SIGKILLs every sale reported committed is in the outbox exactly once, seq is gapless,
    the chain verifies, stock equals the initial stock minus what the outbox says was sold, and exactly
    the rows up to the ack seq are marked delivered."""
    kill_repeatedly(device_dir, KILLS)


@pytest.mark.soak
def test_sigkill_soak(device_dir: Path) -> None:
    """The power-loss law holds over hundreds of kills (make soak)."""
    kill_repeatedly(device_dir, SOAK_KILLS)
