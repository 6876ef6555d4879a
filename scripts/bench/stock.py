"""Stock on hand, last dates, the reorder list and a stock count's close at scale, beside a bare scan.

    python scripts/bench/stock.py            # 5,000 items, 5,000,000 sale lines (SQLite)
    python scripts/bench/stock.py --quick    # 500 items, 150,000 sale lines
    python scripts/bench/stock.py --lines N --items M

Loading is not timed: a year of three-line sales of the toko (one in fifty voided) and a purchase of every
item each month are written straight into the ledger's tables through ``central.ledger.tables.insert_many``
(as ingest writes them; no journal, which the stock reads do not touch). Then:

  bare scan   every sale line joined to its transaction, summed per item (what any on-hand read must read)
  positions   central.stock.onhand.positions: on hand, last purchase and sale days, velocity per item
  reorder     central.stock.reports.reorder_table: the same and the reorder rule
  close       a count of 2,000 items started before the year's last day, lines typed, closed

Targets (issue 15): positions and reorder < 5 s, close < 2 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from central import config  # noqa: E402
from central.ledger import Ledger, schema  # noqa: E402
from central.ledger.tables import insert_many  # noqa: E402
from central.members.rows import ProductRow  # noqa: E402
from central.stock import counts, onhand, reports  # noqa: E402

TX_COLUMNS = (
    "id",
    "device",
    "seq",
    "prev",
    "chain",
    "content",
    "at",
    "ts",
    "day",
    "unit",
    "kind",
    "member",
    "payment",
    "total_rp",
    "ref",
    "signed",
    "received_ts",
    "body",
    "cost_rp",
)
YEAR = 2026


def _load(ledger: Ledger, items: int, lines: int) -> None:
    rng = random.Random(15)
    tz = ledger.config.tz
    skus = [f"B{n:07d}" for n in range(items)]
    ledger.import_products([ProductRow(s, f"Barang {s}", "toko", 10_000, 8_000) for s in skus])
    start = datetime(YEAR, 1, 1, 8, tzinfo=tz)
    sales = lines // 3
    seconds = 364 * 86400
    tx: list[tuple[Any, ...]] = []
    sl: list[tuple[Any, ...]] = []
    seq = 0

    def flush(conn: Any) -> None:
        insert_many(conn, schema.transactions, tx, TX_COLUMNS)
        insert_many(conn, schema.sale_lines, sl)
        tx.clear()
        sl.clear()

    with ledger.write() as conn:
        for month in range(1, 13):
            seq += 1
            at = datetime(YEAR, month, 1, 6, tzinfo=tz)
            ident = f"g:{seq}"
            tx.append(
                (
                    ident,
                    "g",
                    seq,
                    "-",
                    "-",
                    "-",
                    at.isoformat(),
                    int(at.timestamp()),
                    at.date().isoformat(),
                    "toko",
                    "purchase",
                    None,
                    "cash",
                    0,
                    None,
                    True,
                    0,
                    "{}",
                    0,
                )
            )
            sl.extend(
                (ident, n, s, str(sales * 3 // items // 12 + 5), 8_000, 8_000, 0, 0)
                for n, s in enumerate(skus)
            )
        for n in range(sales):
            seq += 1
            at = start + timedelta(seconds=n * seconds // sales)
            ident = f"t:{seq}"
            tx.append(
                (
                    ident,
                    "t",
                    seq,
                    "-",
                    "-",
                    "-",
                    at.isoformat(),
                    int(at.timestamp()),
                    at.date().isoformat(),
                    "toko",
                    "sale",
                    None,
                    "cash",
                    30_000,
                    None,
                    True,
                    0,
                    "{}",
                    24_000,
                )
            )
            for line in range(3):
                qty = "1" if rng.random() < 0.9 else "0.5"
                sl.append((ident, line, skus[rng.randrange(items)], qty, 10_000, 8_000, 10_000, 8_000))
            if n % 50 == 0:
                seq += 1
                tx.append(
                    (
                        f"t:{seq}",
                        "t",
                        seq,
                        "-",
                        "-",
                        "-",
                        at.isoformat(),
                        int(at.timestamp()) + 60,
                        at.date().isoformat(),
                        "toko",
                        "void",
                        None,
                        "cash",
                        30_000,
                        ident,
                        True,
                        0,
                        "{}",
                        None,
                    )
                )
            if len(sl) >= 60_000:
                flush(conn)
        flush(conn)
    with ledger.write() as conn:
        conn.execute(text("ANALYZE"))


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
    parser.add_argument("--items", type=int)
    parser.add_argument("--lines", type=int)
    args = parser.parse_args(argv)
    items = args.items or (500 if args.quick else 5_000)
    lines = args.lines or (150_000 if args.quick else 5_000_000)
    with tempfile.TemporaryDirectory() as tmp, Ledger.open(str(Path(tmp) / "bench.sqlite")) as ledger:
        ledger.init(config.default())
        started = time.perf_counter()
        _load(ledger, items, lines)
        print(
            f"  loaded {items:,} items, {lines:,} sale lines"
            f" in {time.perf_counter() - started:.0f} s (not timed)"
        )
        as_of = date(YEAR, 12, 31)

        def bare() -> None:
            with ledger.read() as conn:
                conn.execute(
                    text(
                        "SELECT l.sku, sum(CAST(l.qty AS REAL)) FROM sale_lines l"
                        " JOIN transactions t ON t.id = l.tx GROUP BY l.sku"
                    )
                ).all()

        slow = 0
        _timed("bare scan", None, bare)
        slow += _timed("positions", 5.0, lambda: onhand.positions(ledger, as_of, "toko")) >= 5.0
        slow += _timed("reorder", 5.0, lambda: reports.reorder_table(ledger, as_of, "toko")) >= 5.0
        start_ts = int(datetime(YEAR, 12, 30, 8, tzinfo=ledger.config.tz).timestamp())
        count = counts.start(ledger, "toko", by="bench", section="bench", now_ts=start_ts)
        for n in range(min(2_000, items)):
            counts.enter(ledger, count.id, f"B{n:07d}", "3", by="bench", now_ts=start_ts + n)
        slow += (
            _timed("close", 2.0, lambda: counts.close(ledger, count.id, by="bench", now_ts=start_ts + 3_000))
            >= 2.0
        )
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
