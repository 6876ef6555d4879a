"""The cash-flow statement (arus kas) of a year of journal lines, beside a bare scan of the same rows.

    python scripts/bench/cashflow.py            # 1,000,000 journal lines in one year (SQLite)
    python scripts/bench/cashflow.py --quick    # 100,000 lines
    python scripts/bench/cashflow.py --lines N

Loading is not timed: a year of entries written straight into the journal through
``central.ledger.tables.insert_many`` (which keeps ``account_days``, as ingest does): cash and credit sales
of the toko (four lines each, cost of goods included), savings deposits and withdrawals, loans paid out and
installments, stock bought, expenses and a piece of equipment. Then:

  bare scan   every journal line of the year summed per account (what any reading of the year must read)
  arus kas    central.books.cashflow.compute: the cash entries' counter-lines grouped per entry
  equity      central.books.equity.compute: the statement of changes in equity of the year

Target (issue 15): arus kas < 2 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from central import config  # noqa: E402
from central.books import cashflow, equity  # noqa: E402
from central.ledger import Ledger, schema  # noqa: E402
from central.ledger.tables import insert_many  # noqa: E402

YEAR = 2026
BATCH = 50_000
EQUIPMENT = "1401"


def _entries(rng: random.Random, n: int) -> list[tuple[str, int, int, str | None]]:
    """(account, debit, credit, member) lines of one entry."""
    roll = rng.random()
    member = f"A{rng.randrange(2000):04d}"
    if roll < 0.6:
        return [
            ("1101", 30_000, 0, None),
            ("4101", 0, 30_000, None),
            ("5101", 24_000, 0, None),
            ("1301", 0, 24_000, None),
        ]
    if roll < 0.7:
        return [
            ("1201", 30_000, 0, member),
            ("4101", 0, 30_000, member),
            ("5101", 24_000, 0, None),
            ("1301", 0, 24_000, None),
        ]
    if roll < 0.8:
        return [("1101", 110_000, 0, member), ("1202", 0, 100_000, member), ("4501", 0, 10_000, member)]
    if roll < 0.9:
        return [("1101", 50_000, 0, member), ("3102" if n % 2 else "2101", 0, 50_000, member)]
    if roll < 0.94:
        return [("2101", 40_000, 0, member), ("1101", 0, 40_000, member)]
    if roll < 0.97:
        return [("1202", 2_000_000, 0, member), ("1101", 0, 2_000_000, member)]
    if roll < 0.995:
        return [("1301", 500_000, 0, None), ("1101", 0, 500_000, None)]
    if roll < 0.999:
        return [("5701", 1_500_000, 0, None), ("1101", 0, 1_500_000, None)]
    return [(EQUIPMENT, 5_000_000, 0, None), ("1101", 0, 5_000_000, None)]


def _load(ledger: Ledger, lines: int) -> int:
    rng = random.Random(15)
    rows: list[tuple[Any, ...]] = []
    written = n = 0
    start = date(YEAR, 1, 1)
    with ledger.write() as conn:
        while written < lines:
            n += 1
            day = (start + timedelta(days=n * 365 // max(lines // 3, 1) % 365)).isoformat()
            for number, (account, debit, credit, member) in enumerate(_entries(rng, n), start=1):
                rows.append((f"b:{n}", number, day, 0, account, debit, credit, "toko", member, "bench"))
                written += 1
            if len(rows) >= BATCH:
                insert_many(conn, schema.journal, rows)
                rows.clear()
        insert_many(conn, schema.journal, rows)
        conn.execute(text("ANALYZE"))
    return written


def _timed(name: str, target: float | None, step: Any) -> float:
    started = time.perf_counter()
    step()
    took = time.perf_counter() - started
    verdict = "" if target is None else (" ok" if took < target else f" OVER target {target:.0f} s")
    print(f"  {name:<11} {took:7.2f} s{verdict}", flush=True)
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--lines", type=int)
    args = parser.parse_args(argv)
    lines = args.lines or (100_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory() as tmp, Ledger.open(str(Path(tmp) / "bench.sqlite")) as ledger:
        ledger.init(config.default())
        started = time.perf_counter()
        written = _load(ledger, lines)
        print(
            f"  loaded {written:,} journal lines of {YEAR}"
            f" in {time.perf_counter() - started:.0f} s (not timed)"
        )
        lo, hi = f"{YEAR}-01-01", f"{YEAR}-12-31"

        def bare() -> None:
            with ledger.read() as conn:
                conn.execute(
                    text(
                        "SELECT account, sum(debit_rp), sum(credit_rp) FROM journal"
                        " WHERE day >= :lo AND day <= :hi GROUP BY account"
                    ),
                    {"lo": lo, "hi": hi},
                ).all()

        result: list[cashflow.CashFlow] = []
        _timed("bare scan", None, bare)
        took = _timed("arus kas", 2.0, lambda: result.append(cashflow.compute(ledger, lo, hi)))
        assert cashflow.reconciles(result[0]), "the statement must reconcile"
        _timed("equity", None, lambda: equity.compute(ledger, YEAR))
    return 1 if took >= 2.0 else 0


if __name__ == "__main__":
    raise SystemExit(main())
