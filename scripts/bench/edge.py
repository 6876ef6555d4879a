"""Benchmark of the device store: how long recording one sale takes to become durable.

Figures, each beside a raw baseline measured in the same run on the same disk:

- sale commit latency (``Device.record_sale``: validate against the catalog, take stock, sign, chain,
  append to the outbox, one WAL + synchronous=FULL transaction) vs a raw SQLite WAL+FULL single-row
  insert commit. Target: p99 < 15 ms.
- ``python -m edge sale`` wall time per process (Python start-up included), for headless scripts.
- ``outbox_after`` read rate for sync/ vs a raw SELECT of the same rows.

    python scripts/bench/edge.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from edge.device import Device  # noqa: E402 - the path above must be set first
from edge.install import init_device  # noqa: E402
from edge.settings import DeviceSettings  # noqa: E402

TARGET_P99_MS: Final = 15.0
FULL_SALES: Final = 3000
QUICK_SALES: Final = 400
FULL_CLI_RUNS: Final = 10
QUICK_CLI_RUNS: Final = 3
SKUS: Final = 50
CPU_MS: dict[str, float] = {}  # CPU time per commit, filled by commits_ms


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[rank]


class RawTable:
    """The baseline: a table taking single-row inserts, each its own WAL + synchronous=FULL commit."""

    def __init__(self, directory: Path) -> None:
        self.conn = sqlite3.connect(str(directory / "raw.sqlite"), isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, id TEXT, body BLOB, created_at REAL)")
        self.seq = 0

    def commit_ms(self) -> float:
        """Insert one 400-byte row and commit it; return the time taken."""
        self.seq += 1
        start = time.perf_counter()
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO t VALUES (?, ?, ?, ?)", (self.seq, f"id{self.seq}", b"x" * 400, 0.0))
        self.conn.execute("COMMIT")
        return (time.perf_counter() - start) * 1000


def setup_device(directory: Path) -> Path:
    """A toko device with a catalog of SKUS items and one member with credit."""
    init_device(directory, DeviceSettings(coop="kopmaju", device="bench-01", unit="toko", branch="pusat"))
    items = [
        {
            "sku": f"SKU{i:03d}",
            "name": f"Barang {i}",
            "unit": "toko",
            "price_rp": 1000 + 250 * i,
            "cost_rp": 900 + 200 * i,
            "stock": 10_000_000,
        }
        for i in range(SKUS)
    ]
    members = [
        {
            "number": "A001",
            "name": "Siti",
            "card_code": None,
            "role": "anggota",
            "active": True,
            "credit_limit_rp": 10_000_000_000,
            "credit_used_rp": 0,
        }
    ]
    with Device.open(directory) as dev:
        dev.apply_downlink("catalog", {"kind": "snapshot", "version": 1, "items": items})
        dev.apply_downlink("members", {"kind": "snapshot", "version": 1, "items": members})
    return directory


def commits_ms(directory: Path, raw: RawTable, count: int) -> tuple[list[float], list[float]]:
    """Latency of ``record_sale`` (3 lines; every 4th on credit) and of a raw commit, interleaved one by
    one so that both see the same disk and the same neighbours."""
    ours: list[float] = []
    base: list[float] = []
    cpu = {"ours": 0.0, "raw": 0.0}
    with Device.open(directory) as dev:
        for i in range(count):
            cpu_start = time.process_time()
            base.append(raw.commit_ms())
            cpu["raw"] += time.process_time() - cpu_start
            lines = [(f"SKU{(i + k) % SKUS:03d}", 1 + k) for k in range(3)]
            credit = i % 4 == 0
            cpu_start, start = time.process_time(), time.perf_counter()
            dev.record_sale(lines, member="A001" if credit else None, payment="credit" if credit else "cash")
            ours.append((time.perf_counter() - start) * 1000)
            cpu["ours"] += time.process_time() - cpu_start
    CPU_MS.update({k: v * 1000 / count for k, v in cpu.items()})
    return ours, base


def cli_runs_ms(directory: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall time of ``python -m edge sale`` vs a bare ``python -c pass`` (interpreter start-up)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    sale: list[float] = []
    bare: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, env=env)
        bare.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "edge", "--dir", str(directory), "sale", "--line", "SKU001:2"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            cwd=ROOT,
        )
        sale.append((time.perf_counter() - start) * 1000)
    return sale, bare


def outbox_read_rate(directory: Path) -> tuple[float, float, int]:
    """Envelopes per second through ``outbox_after`` (batches of 500) vs a raw SELECT of the same rows."""
    with Device.open(directory) as dev:
        start = time.perf_counter()
        after, count = 0, 0
        while batch := dev.outbox_after(after, 500):
            after, count = batch[-1][0], count + len(batch)
        ours = count / (time.perf_counter() - start)
    conn = sqlite3.connect(str(directory / "edge.sqlite"))
    start = time.perf_counter()
    rows = conn.execute("SELECT seq, envelope FROM outbox ORDER BY seq").fetchall()
    raw = len(rows) / (time.perf_counter() - start)
    conn.close()
    return ours, raw, count


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print each figure beside its raw baseline and the target."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (well under a minute)")
    args = parser.parse_args(argv)
    sales = QUICK_SALES if args.quick else FULL_SALES
    runs = QUICK_CLI_RUNS if args.quick else FULL_CLI_RUNS
    with tempfile.TemporaryDirectory(prefix="bench-edge-") as tmp:
        base = Path(tmp)
        directory = setup_device(base / "device")
        table = RawTable(base)
        ours, raw = commits_ms(directory, table, sales)
        table.conn.close()
        cli, bare = cli_runs_ms(directory, runs)
        read_ours, read_raw, rows = outbox_read_rate(directory)
    p99 = percentile(ours, 99)
    print(f"sale commit ({sales} sales, 3 lines, WAL+FULL; interleaved with the raw commits):")
    p50, raw_p50 = statistics.median(ours), statistics.median(raw)
    print(f"  p50 {p50:7.2f} ms   raw single-row commit p50 {raw_p50:7.2f} ms")
    print(
        f"  p99 {p99:7.2f} ms   raw single-row commit p99 {percentile(raw, 99):7.2f} ms"
        f"   target < {TARGET_P99_MS:.0f} ms: {'met' if p99 < TARGET_P99_MS else 'NOT met'}"
    )
    print(f"  max {max(ours):7.2f} ms   raw single-row commit max {max(raw):7.2f} ms")
    print(f"  CPU {CPU_MS['ours']:7.2f} ms   raw single-row commit CPU {CPU_MS['raw']:7.2f} ms", end="")
    print("   (per commit, this process; independent of the neighbours' load)")
    print(
        f"python -m edge sale, whole process ({runs} runs): median {statistics.median(cli):7.1f} ms"
        f"   bare python start-up median {statistics.median(bare):7.1f} ms   (no target)"
    )
    print(f"outbox_after read ({rows} envelopes): {read_ours:,.0f}/s   raw SELECT {read_raw:,.0f}/s", end="")
    print("   (no target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
