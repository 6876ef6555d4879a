"""Stock purchase benchmarks, each figure beside a baseline measured in the same run.

    python scripts/bench/purchases.py           # 50,000 purchases; a year of sample data at 60 events/day
    python scripts/bench/purchases.py --quick   # 5,000 purchases; a year at 15 events/day

1. Ingest of three-line purchases into SQLite through ``Ledger.ingest``, beside the ingest of three-line
   sales of the same items (the baseline: a sale posts four journal lines, a purchase two). Target: purchases
   at least as fast as sales (>= 90 %, the noise of a shared machine).
2. ``sample.generate`` of a year with purchases, beside the same year without them. Target: <= 150 %.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from central import config, sample  # noqa: E402
from central.ledger import Ledger  # noqa: E402
from sync import envelope as wire  # noqa: E402

FULL_COUNT: Final = 50_000
QUICK_COUNT: Final = 5_000
FULL_PER_DAY: Final = 60
QUICK_PER_DAY: Final = 15
SPACING_S: Final = 60


def purchases(count: int, *, device: str = "gudang-bench", seed: int = 1) -> Iterator[dict[str, Any]]:
    """``count`` valid three-line toko purchases from one device, ``SPACING_S`` seconds apart."""
    items = [p for p in sample.sample_products() if p.unit == "toko"]
    base = datetime(2026, 1, 1, 6, 0, tzinfo=sample.TIMEZONE)
    prev = wire.GENESIS
    for seq in range(1, count + 1):
        picked = [items[(seq + k * 7) % len(items)] for k in range(3)]
        lines = [
            {"sku": p.sku, "qty": 10 + seq % 20, "price_rp": p.cost_rp, "cost_rp": p.cost_rp} for p in picked
        ]
        env = {
            "v": wire.VERSION, "id": f"{device}:{seq}", "device": device, "seq": seq, "prev": prev,
            "at": (base + timedelta(seconds=seq * SPACING_S)).isoformat(), "unit": "toko",
            "kind": "purchase", "member": None, "payment": "credit" if seq % 3 == 0 else "cash",
            "lines": lines, "total": sum(wire.line_amount_rp(line) for line in lines),
            "supplier": "CV Sumber Rejeki",
        }  # fmt: skip
        prev = wire.chain_hash(env)
        yield env


def _ledger(path: Path) -> Ledger:
    ledger = Ledger.open(str(path))
    ledger.init(config.default())
    ledger.import_members(list(sample.sample_members(40, 1)))
    ledger.import_products(list(sample.sample_products()))
    return ledger


def _timed_ingest(path: Path, envelopes: list[bytes]) -> float:
    ledger = _ledger(path)
    try:
        started = time.perf_counter()
        report = ledger.ingest(envelopes)
        elapsed = time.perf_counter() - started
    finally:
        ledger.close()
    assert report.ok and len(report.accepted) == len(envelopes), report.rejected[:3]
    return elapsed


def line(name: str, figure: str, baseline: str, target: str, met: bool | None) -> None:
    """One result row: figure, baseline, target and whether it is met."""
    mark = "-" if met is None else ("ok" if met else "MISSED")
    print(f"  {name:<34} {figure:>16}   baseline {baseline:<28} target {target:<12} {mark}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (under a minute)")
    args = parser.parse_args(argv)
    count = QUICK_COUNT if args.quick else FULL_COUNT
    per_day = QUICK_PER_DAY if args.quick else FULL_PER_DAY
    bought = [wire.canonical(env) for env in purchases(count)]
    sold = [wire.canonical(env) for env in sample.bulk_sales(count, seed=1, lines=3)]
    print(f"purchases: {count:,} three-line purchases vs {count:,} three-line sales, SQLite")
    with tempfile.TemporaryDirectory(prefix="kop-bench-purchases-") as tmp:
        work = Path(tmp)
        sales_s = _timed_ingest(work / "sales.sqlite", sold)
        purchases_s = _timed_ingest(work / "purchases.sqlite", bought)
    rate, base = count / purchases_s, count / sales_s
    line("SQLite ingest of purchases", f"{rate:,.0f} tx/s", f"sales {base:,.0f} tx/s", ">= 90 %",
         rate >= 0.9 * base)  # fmt: skip

    def year(with_purchases: bool) -> tuple[sample.SampleData, float]:
        started = time.perf_counter()
        data = sample.generate(
            seed=1, start=date(2026, 1, 1), end=date(2026, 12, 31), per_day=per_day, purchases=with_purchases
        )
        return data, time.perf_counter() - started

    without, without_s = year(False)
    with_p, with_s = year(True)
    extra = len(with_p.envelopes) - len(without.envelopes)
    line(f"generate a year ({per_day}/day) + purchases", f"{with_s:.2f} s", f"without {without_s:.2f} s",
         "<= 150 %", with_s <= 1.5 * without_s)  # fmt: skip
    print(f"  ({extra:,} purchase envelopes among {len(with_p.envelopes):,})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
