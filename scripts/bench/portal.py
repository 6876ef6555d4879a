"""Portal benchmark: a member's pages under 20 concurrent logged-in clients, beside the raw domain call.

    python scripts/bench/portal.py                  # ~1,000,000 journal lines, SQLite and PostgreSQL
    python scripts/bench/portal.py --lines 100000   # a smaller ledger
    python scripts/bench/portal.py --quick          # 100,000 lines, fewer requests

1. Build: a year (2026) of realistic sample data (central.sample.generate: savings, loans, sales in every
   unit) for 40 members, topped up with bulk toko sales (central.sample.bulk_sales) until the ledger holds
   about ``--lines`` journal lines, bulk-ingested from JSONL; the time it took is printed.
2. The portal (``python -m central --db DB portal``, uvicorn, one worker per core) on a free loopback port;
   ``--clients`` threads, each an HTTP session (httpx2) logged in as a different member, request the member
   home page and then one month of the cash book ``--requests`` times each, all at once without pauses
   (after the same from one client alone, the latency without queueing). The home page's first view by
   every client at once comes first: its figures are then computed for each, while the views after it
   are served from what the portal keeps per member for a few seconds (central.portal.homecache).
   Latency p50, p95 and p99 per page, beside the raw time of the same domain call in this process (the
   baseline: what the page computes before rendering, one caller at a time), and each page's weight.
3. The argon2id parameters the portal hashes passwords with, and the measured verify (login) time.
The same on PostgreSQL (a throw-away durable cluster) when its binaries are installed.
Targets are printed beside the figures, never asserted: p95 < 200 ms, p99 < 500 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, NamedTuple

ROOT: Final = Path(__file__).resolve().parents[2]
for extra in (ROOT, ROOT / "scripts"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import portal_run  # noqa: E402

from central import config, sample  # noqa: E402
from central.books import receipts, reports, statement  # noqa: E402
from central.books.viewer import Viewer  # noqa: E402
from central.ledger import Ledger, schema  # noqa: E402

DEFAULT_LINES: Final = 1_000_000
QUICK_LINES: Final = 100_000
YEAR: Final = 2026
MEMBERS: Final = 40
SEED: Final = 1
BULK_LINES_PER_SALE: Final = 4  # a three-line toko sale posts four journal lines (ledger benchmark)
FIRST_MEMBER: Final = 6  # A001..A005 hold board roles in the sample; the clients are plain members
MONTH: Final = (f"{YEAR}-03-01", f"{YEAR}-03-31")
PASSWORD: Final = "bench-rahasia-1"  # noqa: S105 - a throw-away ledger's password
P95_TARGET_MS: Final = 200.0
WORKERS: Final = max(1, os.cpu_count() or 1)  # `central portal --workers`: one per core (docs/portal.md)
P99_TARGET_MS: Final = 500.0
BASELINE_RUNS: Final = 5


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _median_s(run: Callable[[], object], times: int = BASELINE_RUNS) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def build_feed(work: Path) -> tuple[list[Path], sample.SampleData]:
    """The realistic year as JSONL (bulk toko sales top it up later, see ``top_up``)."""
    data = sample.generate(
        seed=SEED, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31), members=MEMBERS, per_day=40
    )
    realistic = work / "year.jsonl"
    sample.write_jsonl(data.envelopes, realistic)
    return [realistic], data


def journal_count(ledger: Ledger) -> int:
    from sqlalchemy import func, select

    with ledger.read() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.journal)).scalar() or 0)


def top_up(work: Path, ledger: Ledger, lines: int) -> Path | None:
    """Bulk sales for the journal lines the realistic year lacks (one file, reused for PostgreSQL)."""
    missing = lines - journal_count(ledger)
    if missing <= 0:
        return None
    count = max(1, missing // BULK_LINES_PER_SALE)
    start = datetime.fromisoformat(f"{YEAR}-01-01T08:00:00+07:00")
    spacing = max(1, (365 * 24 * 3600 - 3600) // count)
    path = work / "bulk.jsonl"
    sample.write_jsonl(sample.bulk_sales(count, seed=SEED, start=start, spacing_s=spacing), path)
    return path


def ingest(ledger: Ledger, path: Path) -> None:
    with path.open("rb") as handle:
        report = ledger.ingest(line.rstrip(b"\n") for line in handle)
    if report.rejected:
        raise SystemExit(f"bench: ingest rejected {len(report.rejected)}: {report.rejected[:3]}")
    ledger.refresh_statistics()  # as `central ingest` does after a bulk load


class Load(NamedTuple):
    """What the clients measured for one page."""

    latencies_s: list[float]
    errors: int
    bytes_: int
    wall_s: float


def _load(clients: list[Any], path: str, requests: int) -> Load:
    latencies: list[float] = []
    errors = 0
    size = 0
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))

    def work(client: Any) -> None:
        nonlocal errors, size
        mine: list[float] = []
        bad = 0
        client.get(path)  # warm: templates, connection
        barrier.wait()
        for _ in range(requests):
            started = time.perf_counter()
            answer = client.get(path)
            mine.append(time.perf_counter() - started)
            if answer.status_code != 200:
                bad += 1
            else:
                size = len(answer.content)
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(latencies, errors, size, time.perf_counter() - started)


def row(label: str, load: Load, baseline_s: float) -> None:
    ms = [x * 1000 for x in load.latencies_s]
    p50, p95, p99 = (_pct(ms, q) for q in (50, 95, 99))
    verdict = "OK" if p95 < P95_TARGET_MS and p99 < P99_TARGET_MS else "BELOW TARGET"
    rate = len(ms) / load.wall_s if load.wall_s else 0.0
    print(
        f"  {label:<30} {p50:>8.0f} {p95:>8.0f} {p99:>8.0f}   {baseline_s * 1000:>8.1f}   {load.bytes_:>8,}"
        f"   {rate:>6.1f}/s  {load.errors:>3}   p95<{P95_TARGET_MS:.0f} p99<{P99_TARGET_MS:.0f}  {verdict}",
        flush=True,
    )


def bench_backend(name: str, db: str, work: Path, clients_n: int, requests: int) -> None:
    """Logins, the baseline calls and the concurrent load against the portal over ledger ``db``."""
    from central.portal import Settings

    with Ledger.open(db) as ledger:
        numbers = [f"A{n:03d}" for n in range(FIRST_MEMBER, FIRST_MEMBER + clients_n)]
        hasher = Settings().hasher
        started = time.perf_counter()
        for number in numbers:
            portal_run.give_login(ledger, number, PASSWORD, hasher=hasher)
        issue_s = time.perf_counter() - started
        member = numbers[0]
        today = datetime.now(ledger.config.tz).date()
        year = reports.Period(f"{today.year:04d}-01-01", today.isoformat())
        month = reports.Period(*MONTH)
        viewer = Viewer(member=member, role="anggota")

        def home_call() -> object:  # what /home calls (central.portal.pages.home)
            statement.member_summary(ledger, member)
            receipts.member_sales(ledger, member, year.lo, year.hi, limit=20, totals=False)
            return statement.member_loans(ledger, member, year.hi)

        home_s = _median_s(home_call)
        cash_s = _median_s(lambda: reports.cashbook_page(ledger, month, 0, 100, viewer=viewer))
        cash_rows = reports.cashbook_page(ledger, month, 0, 100, viewer=viewer)[1]
    with portal_run.running_portal(db, work / f"portal-{name}.log", workers=WORKERS) as portal:
        started = time.perf_counter()
        clients = [portal_run.member_client(portal.url, n, PASSWORD) for n in numbers]
        login_s = (time.perf_counter() - started) / len(clients)
        cash_url = f"/cashbook?from={MONTH[0]}&to={MONTH[1]}"
        try:
            # each client's first view: nothing kept yet (central.portal.homecache), all computed at once
            home_first = _load(clients, "/home", 1)
            home_one = _load(clients[:1], "/home", requests)
            cash_one = _load(clients[:1], cash_url, requests)
            home = _load(clients, "/home", requests)
            cash = _load(clients, cash_url, requests)
        finally:
            for client in clients:
                client.close()
    print(
        f"  {name}: {clients_n} clients x {requests} requests per page, {WORKERS} portal workers;"
        f" issue+activate {clients_n} logins"
        f" {issue_s:.1f} s; HTTP login {login_s * 1000:.0f} ms each (sequential); cash book month"
        f" {MONTH[0]}..{MONTH[1]}: {cash_rows:,} cash lines (100 a page)"
    )
    print(
        f"  {'page (' + name + ')':<30} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}   {'raw ms':>8}"
        f"   {'bytes':>8}   {'rate':>8}  {'err':>3}   target"
    )
    row(f"home first view, {clients_n} clients", home_first, home_s)
    row("member home, 1 client", home_one, home_s)
    row(f"member home, {clients_n} clients", home, home_s)
    row("cash book month, 1 client", cash_one, cash_s)
    row(f"cash book month, {clients_n} clients", cash, cash_s)


def argon2_figures() -> None:
    from central.portal import Settings

    hasher = Settings().hasher
    stored = hasher.hash(PASSWORD)
    verify_s = _median_s(lambda: hasher.verify(stored, PASSWORD))
    print(
        f"  argon2id: time_cost {hasher.time_cost}, memory_cost {hasher.memory_cost} KiB"
        f" ({hasher.memory_cost // 1024} MiB), parallelism {hasher.parallelism},"
        f" hash {hasher.hash_len} bytes, salt {hasher.salt_len} bytes;"
        f" verify (one login) {verify_s * 1000:.0f} ms (median of {BASELINE_RUNS})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_LINES:,} lines and 5 requests each")
    parser.add_argument(
        "--lines",
        type=int,
        help=f"journal lines in the ledger (default {DEFAULT_LINES:,}; --quick {QUICK_LINES:,})",
    )
    parser.add_argument("--clients", type=int, default=20, help="concurrent logged-in clients (default 20)")
    parser.add_argument("--requests", type=int, help="requests per client per page (default 10; --quick 5)")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args(argv)
    lines = args.lines or (QUICK_LINES if args.quick else DEFAULT_LINES)
    requests = args.requests or (5 if args.quick else 10)
    if not 1 <= args.clients <= MEMBERS - FIRST_MEMBER + 1:
        parser.error(f"--clients must be 1..{MEMBERS - FIRST_MEMBER + 1} (one sample member each)")
    argon2_figures()
    with tempfile.TemporaryDirectory(prefix="kop-bench-portal-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        feeds, data = build_feed(work)
        db = str(work / "ledger.sqlite")
        with Ledger.open(db) as ledger:
            ledger.init(config.default())
            sample.load_into(ledger, data)
            ingest(ledger, feeds[0])
            bulk = top_up(work, ledger, lines)
            if bulk is not None:
                feeds.append(bulk)
                ingest(ledger, bulk)
            total = journal_count(ledger)
        build_s = time.perf_counter() - started
        print(
            f"  SQLite ledger built: {total:,} journal lines (asked {lines:,}) in {build_s:.0f} s"
            f" (generate, write JSONL, bulk ingest)",
            flush=True,
        )
        bench_backend("SQLite", db, work, args.clients, requests)
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
            url = cluster.database()
            started = time.perf_counter()
            with Ledger.open(url) as ledger:
                ledger.init(config.default())
                sample.load_into(ledger, data)
                for feed in feeds:
                    ingest(ledger, feed)
                total = journal_count(ledger)
            print(
                f"  PostgreSQL ledger built: {total:,} journal lines in {time.perf_counter() - started:.0f} s"
                f" (bulk ingest of the same JSONL, durable cluster)",
                flush=True,
            )
            bench_backend("PostgreSQL", url, work, args.clients, requests)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
