"""Central ledger benchmarks, each figure beside a raw baseline measured in the same run.

    python scripts/bench/ledger.py           # 100,000 sales; reports over ~1,000,000 journal lines
    python scripts/bench/ledger.py --quick   # 10,000 sales; reports over ~44,000 journal lines

1. Ingest of three-line toko sales from a JSONL file into SQLite through ``Ledger.ingest`` (parse, shape
   check, members/products/chain lookups, posting, chunked executemany), beside raw batched sqlite3 inserts
   of the same rows into the same schema. Targets: >= 20,000 tx/s and >= 25 % of raw.
2. The same ingest into PostgreSQL (a throw-away durable cluster). Target: >= 5,000 tx/s.
3. Signature verification cost: ingest of signed envelopes from a registered device (FIELD-NOTES: Ed25519
   verification is about 9,000/s per core; ingest checks one signature per chain-linked run of a device).
4. Every report over a year of journal lines. Target: < 2 s each; baseline: one raw GROUP BY.
5. The transparency log's cost at ingest (issue 17): the same SQLite ingest into fresh ledgers with the
   log's leaf append on (as always) and skipped, alternated twice, best of each. Target: within 10 %.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from central import config, sample  # noqa: E402
from central.books import reports, statement  # noqa: E402
from central.books.statement import member_summary  # noqa: E402
from central.ledger import Ledger, schema  # noqa: E402
from central.ledger.posting import post, sale_amounts  # noqa: E402
from sync import envelope as wire  # noqa: E402

FULL_SALES: Final = 100_000
QUICK_SALES: Final = 10_000
FULL_EXTRA_SALES: Final = 150_000  # with the first 100,000: ~1,000,000 journal lines over the year
RAW_BATCH: Final = 2000
YEAR_S: Final = 365 * 24 * 3600


def _write_jsonl(path: Path, envelopes: Iterator[dict[str, Any]]) -> int:
    return sample.write_jsonl(envelopes, path)


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        for line in handle:
            yield line.rstrip(b"\n")


def _rows(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows ingest writes for these envelopes, prepared outside the timed part of the baseline."""
    cfg = config.default()
    tz = cfg.tz
    txs, sale_rows, journal_rows = [], [], []
    for raw in _lines(path):
        env = wire.parse(raw)
        stamp = datetime.fromisoformat(env["at"])
        day = stamp.astimezone(tz).date().isoformat()
        ts = int(stamp.timestamp())
        body = wire.canonical(env).decode()
        amounts = sale_amounts(env)
        txs.append(
            (env["id"], env["device"], env["seq"], env["prev"], "c" * 64, "h" * 64, env["at"], ts, day,
             env["unit"], "sale", env["member"], env["payment"], env["total"], None, None, None, None, None,
             None, None, None, False, ts, body, sum(cost for _, cost in amounts))
        )  # fmt: skip
        for n, (line, (amount, cost)) in enumerate(zip(env["lines"], amounts, strict=True), 1):
            sale_rows.append((env["id"], n, line["sku"], str(line["qty"]), line["price_rp"], line["cost_rp"],
                              amount, cost))  # fmt: skip
        for n, jl in enumerate(post(env, cfg), 1):
            journal_rows.append((env["id"], n, day, ts, jl.account, jl.debit_rp, jl.credit_rp, jl.unit,
                                 env["member"], jl.memo))  # fmt: skip
    return txs, sale_rows, journal_rows


def raw_sqlite(path: Path, feed: Path) -> float:
    """Seconds for batched sqlite3 executemany of the same rows into the same schema (WAL, FULL)."""
    db = path / "raw.sqlite"
    ledger = Ledger.open(str(db))
    ledger.init(config.default())
    ledger.close()
    txs, sale_rows, journal_rows = _rows(feed)
    per_tx_sales = len(sale_rows) // len(txs)
    per_tx_journal = len(journal_rows) // len(txs)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")

    def sql(table: Any) -> str:
        cols = [c.name for c in table.columns]
        return f"INSERT INTO {table.name} ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})"  # noqa: S608

    started = time.perf_counter()
    for start in range(0, len(txs), RAW_BATCH):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql(schema.transactions), txs[start : start + RAW_BATCH])
        conn.executemany(
            sql(schema.sale_lines), sale_rows[start * per_tx_sales : (start + RAW_BATCH) * per_tx_sales]
        )
        conn.executemany(
            sql(schema.journal), journal_rows[start * per_tx_journal : (start + RAW_BATCH) * per_tx_journal]
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def prepared_ledger(url: str) -> Ledger:
    ledger = Ledger.open(url)
    ledger.init(config.default())
    ledger.import_members(list(sample.sample_members(40, 1)))
    ledger.import_products(list(sample.sample_products()))
    return ledger


def timed_ingest(ledger: Ledger, feed: Path, expected: int) -> float:
    started = time.perf_counter()
    report = ledger.ingest(_lines(feed))
    elapsed = time.perf_counter() - started
    if len(report.accepted) != expected or report.rejected:
        raise SystemExit(f"ingest accepted {len(report.accepted)} of {expected}: {report.rejected[:3]}")
    return elapsed


def log_cost(work: Path, feed: Path, count: int) -> None:
    """Ingest with the transparency log's leaf append and without it (patched out for the measure only),
    each into a fresh ledger, alternated so that the machine's drift falls on both."""
    from central.ledger import ingest as ingest_module

    real = ingest_module.transparency_log.append
    best = {"on": float("inf"), "off": float("inf")}
    for round_ in range(2):
        for mode in ("on", "off"):
            ledger = prepared_ledger(str(work / f"log-{mode}-{round_}.sqlite"))
            if mode == "off":
                ingest_module.transparency_log.append = lambda *args, **kwargs: None  # type: ignore[assignment]
            try:
                best[mode] = min(best[mode], timed_ingest(ledger, feed, count))
            finally:
                ingest_module.transparency_log.append = real  # type: ignore[assignment]
                ledger.close()
    cost = best["on"] / best["off"] - 1
    line("SQLite ingest, transparency log on", f"{count / best['on']:,.0f} tx/s",
         f"log off {count / best['off']:,.0f} tx/s", "within 10 % of off", cost <= 0.10)  # fmt: skip
    print(f"  {'':<44} {100 * cost:>15.1f} %   slower with the log (best of 2 each)", flush=True)


def line(label: str, value: str, baseline: str, target: str, ok: bool | None) -> None:
    verdict = "" if ok is None else ("  OK" if ok else "  BELOW TARGET")
    print(f"  {label:<44} {value:>16}   baseline {baseline:<26} target {target}{verdict}", flush=True)


def _summary_without_points(ledger: Ledger) -> dict[str, Any]:
    """member_summary with the points/SHU seam (central.yearend) switched off, to time the ledger's part."""
    seam = statement._points_seam
    statement._points_seam = lambda *_: (None, None)  # type: ignore[assignment]
    try:
        return member_summary(ledger, "A001")
    finally:
        statement._points_seam = seam  # type: ignore[assignment]


def bench_reports(ledger: Ledger, journal_lines: int) -> None:
    year = reports.Period("2026-01-01", "2026-12-31")
    month = reports.Period("2026-03-01", "2026-03-31")
    with ledger.read() as conn:
        raw_conn = conn.connection.driver_connection
        assert raw_conn is not None
        started = time.perf_counter()
        cur = raw_conn.cursor()
        cur.execute("SELECT account, SUM(debit_rp), SUM(credit_rp) FROM journal GROUP BY account")
        cur.fetchall()
        baseline = time.perf_counter() - started
    cases = [
        ("cashbook, one month", lambda: reports.cashbook(ledger, month)),
        ("cashbook, whole year", lambda: reports.cashbook(ledger, year)),
        ("trial balance", lambda: reports.trial_balance(ledger, reports.Period())),
        ("balance sheet", lambda: reports.balance_sheet(ledger, "2026-12-31")),
        ("income statement, year", lambda: reports.income(ledger, year)),
        ("member statement, year", lambda: statement.member_statement(ledger, "A001", year)),
        ("member summary (with points seam)", lambda: member_summary(ledger, "A001")),
        ("member summary, ledger part only", lambda: _summary_without_points(ledger)),
        ("chains", lambda: reports.chains(ledger)),
        ("disputes", lambda: reports.disputes(ledger, year)),
    ]
    print(f"  reports over {journal_lines:,} journal lines (raw GROUP BY account: {baseline:.3f} s)")
    for label, run in cases:
        started = time.perf_counter()
        run()
        elapsed = time.perf_counter() - started
        line(label, f"{elapsed:.3f} s", f"{baseline:.3f} s raw GROUP BY", "< 2 s", elapsed < 2.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (under a minute)")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args(argv)
    count = QUICK_SALES if args.quick else FULL_SALES
    with tempfile.TemporaryDirectory(prefix="kop-bench-ledger-") as tmp:
        work = Path(tmp)
        feed = work / "sales.jsonl"
        spacing = YEAR_S // (count if args.quick else count + FULL_EXTRA_SALES)
        _write_jsonl(feed, sample.bulk_sales(count, seed=1, lines=3, spacing_s=spacing))
        print(f"ledger: {count:,} three-line sales from JSONL ({feed.stat().st_size / 1e6:.1f} MB)")

        raw_s = raw_sqlite(work, feed)
        ledger = prepared_ledger(str(work / "ledger.sqlite"))
        ingest_s = timed_ingest(ledger, feed, count)
        rate, raw_rate = count / ingest_s, count / raw_s
        line("SQLite ingest", f"{rate:,.0f} tx/s", f"raw executemany {raw_rate:,.0f} tx/s", ">= 20,000 tx/s",
             rate >= 20_000)  # fmt: skip
        line("SQLite ingest vs raw", f"{100 * rate / raw_rate:.0f} %", "100 % (raw)", ">= 25 %",
             rate >= 0.25 * raw_rate)  # fmt: skip
        started = time.perf_counter()
        replay = ledger.ingest(_lines(feed))
        replay_s = time.perf_counter() - started
        assert len(replay.duplicates) == count
        line("SQLite replay (all duplicates)", f"{count / replay_s:,.0f} tx/s", f"ingest {rate:,.0f} tx/s",
             "-", None)  # fmt: skip

        signed_count = max(count // 10, 1000)
        signed_feed = work / "signed.jsonl"
        _write_jsonl(signed_feed, sample.bulk_sales(signed_count, seed=2, device="bench-02", sign=True))
        key = wire.public_key_text(sample.device_key(2, "bench-02").public_key())
        ledger.devices_add("bench-02", key, "toko", "pusat")
        signed_s = timed_ingest(ledger, signed_feed, signed_count)
        line("SQLite ingest, signed + verified", f"{signed_count / signed_s:,.0f} tx/s",
             f"unsigned {rate:,.0f} tx/s", "- (one Ed25519 check per linked run)", None)  # fmt: skip

        log_cost(work, feed, count)

        journal_lines = 4 * (count + signed_count)
        if not args.quick:
            extra = work / "extra.jsonl"
            start = datetime.fromisoformat("2026-01-01T08:00:00+07:00")
            spacing = YEAR_S // FULL_EXTRA_SALES
            more = sample.bulk_sales(
                FULL_EXTRA_SALES, seed=3, device="bench-03", start=start, spacing_s=spacing
            )
            _write_jsonl(extra, more)
            ledger.ingest(_lines(extra))
            journal_lines += 4 * FULL_EXTRA_SALES
        bench_reports(ledger, journal_lines)
        ledger.close()

        if args.no_pg:
            return 0
        try:
            from tests.central.pg import PgCluster, available
        except ImportError:
            print("  PostgreSQL: helper not found, skipped")
            return 0
        if not available():
            print("  PostgreSQL: binaries or postgres user not available, skipped")
            return 0
        with PgCluster(durable=True) as cluster:
            pg = prepared_ledger(cluster.database())
            pg_s = timed_ingest(pg, feed, count)
            pg_rate = count / pg_s
            line("PostgreSQL ingest (durable)", f"{pg_rate:,.0f} tx/s", f"SQLite {rate:,.0f} tx/s",
                 ">= 5,000 tx/s", pg_rate >= 5_000)  # fmt: skip
            pg.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
