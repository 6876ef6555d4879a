"""Points and SHU at scale, beside a bare SQL aggregate over the same rows measured in the same run.

    python scripts/bench/shu.py              # 100,000 members, 5,000,000 transactions (several minutes)
    python scripts/bench/shu.py --quick      # 2,000 members, 100,000 transactions (under a minute)
    python scripts/bench/shu.py --backend sqlite
    python scripts/bench/shu.py --keep DIR   # keep the loaded ledgers in DIR and reuse them next time

A year of transactions (sales in every unit, a quarter of them walk-ins; savings deposits; installments;
a few voids) is written straight into the ledger's tables with their posting-rule journal lines (loading
is not timed), first into SQLite, then copied to a throw-away PostgreSQL cluster. Each measurement runs
in a fresh child process, so its peak memory (max RSS) is its own:

  baseline   SELECT member, unit, payment, SUM(total_rp) ... GROUP BY over the year's transactions
  points+SHU yearend.compute_year: SQL per member and rule, exact points, income statement, allocation
  close      yearend.close_year: the same plus posting one payable line per member

Targets: points and SHU < 30 s on each backend, peak memory < 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

YEAR: Final = 2025
TARGET_S: Final = 30.0
TARGET_RSS_MB: Final = 1024
FULL: Final = (100_000, 5_000_000)
QUICK: Final = (2_000, 100_000)
CHUNK: Final = 20_000  # transactions generated and written per batch
CHILD_TIMEOUT_S: Final = 1_800
# Bumped whenever the generated rows or the ledger's tables change: --keep then loads afresh.
DATA_FORMAT: Final = 2

# Share of transactions by kind/unit (per mille); the rest are toko sales.
MIX: Final = (
    ("sale", "cafe", 120),
    ("sale", "fotokopi", 80),
    ("sale", "kiostel", 60),
    ("sale", "isi-ulang", 40),
    ("savings_deposit", "wajib", 80),
    ("savings_deposit", "smsk", 30),
    ("savings_deposit", "shr", 20),
    ("savings_deposit", "berjangka", 10),
    ("installment", "", 40),
    ("void", "", 2),
)


def _config() -> Any:
    """The default config plus the SHU allocation accounts (yearend.DEFAULT_SHU_ACCOUNTS)."""
    from central import config as config_mod
    from central.yearend import DEFAULT_SHU_ACCOUNTS

    raw = json.loads(json.dumps(config_mod.default().raw))
    have = {a["code"] for a in raw["accounts"]}
    for code, name, kind in DEFAULT_SHU_ACCOUNTS.values():
        if code not in have:
            raw["accounts"].append({"code": code, "name": name, "type": kind})
    return config_mod.parse(raw)


def _card(n: int) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    out = []
    for _ in range(12):
        n, r = divmod(n, 32)
        out.append(alphabet[r])
    return "KP" + "".join(out)


def _generate(
    cfg: Any, members: int, count: int, seed: int = 1
) -> Iterator[tuple[list[Any], list[Any], list[Any]]]:
    """Chunks of (transactions, sale_lines, journal) rows of a valid, balanced year."""
    from central import sample

    rng = random.Random(seed)
    rnd = rng.random

    def pick(n: int) -> int:
        return int(rnd() * n)

    posting = cfg.posting
    unit_accounts = {u.code: u.accounts for u in cfg.units if u.accounts is not None}
    products: dict[str, list[Any]] = {}
    for p in sample.sample_products():
        products.setdefault(p.unit, []).append(p)
    kinds: list[tuple[str, str]] = []
    for kind, what, share in MIX:
        kinds.extend([(kind, what)] * share)
    kinds.extend([("sale", "toko")] * (1000 - len(kinds)))
    numbers = [f"M{n:06d}" for n in range(1, members + 1)]
    recent_sales: list[tuple[str, str | None, str, int, list[tuple[str, int, int, str]]]] = []
    base_ts = 1_735_664_400  # 2025-01-01 00:00 Asia/Jakarta
    year_s = 365 * 86_400
    days = [time.strftime("%Y-%m-%d", time.gmtime(base_ts + 7 * 3600 + d * 86_400)) for d in range(366)]
    tx: list[Any] = []
    lines: list[Any] = []
    journal: list[Any] = []
    for i in range(1, count + 1):
        offset = (i * year_s) // (count + 1)
        ts = base_ts + offset
        day = days[offset // 86_400]
        second = offset % 86_400
        at = f"{day}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}+07:00"
        ident = f"b:{i}"
        kind, what = kinds[pick(1000)]
        member: str | None = numbers[pick(members)]
        payment = "cash"
        product = loan = ref = None
        principal = interest = cost_rp = None
        entry: list[tuple[str, int, int, str]] = []
        unit = what
        if kind == "void" and recent_sales:
            ref, member, payment, total, original = recent_sales.pop(pick(len(recent_sales)))
            unit = original[0][3]
            entry = [(acc, cr, dr, u) for acc, dr, cr, u in original]
        elif kind in {"sale", "void"}:
            kind = "sale"
            unit = what if what else "toko"
            if rnd() < 0.25:
                member = None
            if unit == "toko" and member is not None and rnd() < 0.3:
                payment = "credit"
            catalog = products[unit]
            start, size = pick(len(catalog)), len(catalog)
            # distinct items: a step of 7 is coprime with every catalog size used here (4, 8, 20, ...)
            picked = [catalog[(start + 7 * j) % size] for j in range(min(size, 1 + pick(3)))]
            total = cost = 0
            for number, p in enumerate(picked, 1):
                qty = 1 + pick(3)
                lines.append(
                    (ident, number, p.sku, str(qty), p.price_rp, p.cost_rp, qty * p.price_rp, qty * p.cost_rp)
                )
                total += qty * p.price_rp
                cost += qty * p.cost_rp
            acc = unit_accounts[unit]
            debit = posting.receivable if payment == "credit" else posting.cash
            revenue = acc.revenue_member if member is not None else acc.revenue_non_member
            entry = [(debit, total, 0, unit), (revenue, 0, total, unit), (acc.cogs, cost, 0, unit),
                     (posting.inventory, 0, cost, unit)]  # fmt: skip
            cost_rp = cost
            recent_sales.append((ident, member, payment, total, entry))
            if len(recent_sales) > 1000:
                recent_sales.pop(0)
        elif kind == "savings_deposit":
            unit, product = "simpan-pinjam", what
            total = 10_000 * (1 + pick(50 if what != "berjangka" else 500))
            entry = [(posting.cash, total, 0, unit), (posting.savings_account(what), 0, total, unit)]
        else:  # installment
            unit, loan = "simpan-pinjam", f"L-{member}"
            principal, interest = 100_000, 5_000 * (1 + pick(10))
            total = principal + interest
            entry = [(posting.cash, total, 0, unit), (posting.loans, 0, principal, unit),
                     (posting.interest_income, 0, interest, unit)]  # fmt: skip
        reason = "bench" if ref else None
        tx.append((ident, "bench-01", i, "-", "-", "-", at, ts, day, unit, kind, member, payment, total,
                   product, loan, principal, interest, ref, reason, None, None, False, ts, "{}",
                   cost_rp))  # fmt: skip
        for number, (account, dr, cr, u) in enumerate(entry, 1):
            journal.append((ident, number, day, ts, account, dr, cr, u, member, "bench"))
        if i % CHUNK == 0 or i == count:
            yield tx, lines, journal
            tx, lines, journal = [], [], []


def _members_rows(members: int) -> list[tuple[Any, ...]]:
    return [
        (f"M{n:06d}", f"Anggota {n}", "2024-01-01", None, None, None, "anggota", _card(n), None, True, 0)
        for n in range(1, members + 1)
    ]


def _secondary_indexes() -> list[Any]:
    from central.ledger import schema

    return [ix for table in (schema.transactions, schema.sale_lines, schema.journal) for ix in table.indexes]


def build_sqlite(path: Path, members: int, count: int) -> dict[str, int]:
    """Write the year into a new SQLite ledger; returns row counts."""
    from central import sample
    from central.ledger import Ledger, schema

    cfg = _config()
    with Ledger.open(str(path)) as ledger:
        ledger.init(cfg)
        ledger.import_products(list(sample.sample_products()))
        engine = ledger.engine
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    for ix in _secondary_indexes():
        conn.execute(f"DROP INDEX IF EXISTS {ix.name}")
    conn.executemany(f"INSERT INTO members VALUES ({','.join('?' * 11)})", _members_rows(members))  # noqa: S608
    counts = {"transactions": 0, "sale_lines": 0, "journal": 0}
    for tx, lines, journal in _generate(cfg, members, count):
        # Fixed table names and placeholder counts, no input in the SQL text.
        conn.executemany(f"INSERT INTO transactions VALUES ({','.join('?' * 26)})", tx)  # noqa: S608
        conn.executemany(f"INSERT INTO sale_lines VALUES ({','.join('?' * 8)})", lines)  # noqa: S608
        conn.executemany(f"INSERT INTO journal VALUES ({','.join('?' * 10)})", journal)  # noqa: S608
        conn.commit()
        counts["transactions"] += len(tx)
        counts["sale_lines"] += len(lines)
        counts["journal"] += len(journal)
    conn.close()
    with Ledger.open(str(path)) as ledger:
        for ix in _secondary_indexes():
            ix.create(ledger.engine)
        _derived(ledger)
    del engine, schema
    return counts


def _derived(ledger: Any) -> None:
    """The ledger's derived tables that ingest keeps (per-account day sums), rebuilt after the bulk load."""
    from central import ledger as ledger_mod

    rebuild = getattr(ledger_mod, "rebuild_account_days", None)
    if rebuild is not None:
        with ledger.write() as conn:
            rebuild(conn)


def copy_to_pg(sqlite_path: Path, url: str) -> None:
    """Copy the SQLite ledger's rows into a new PostgreSQL ledger with COPY, then VACUUM ANALYZE."""
    import psycopg

    from central import sample
    from central.ledger import Ledger

    with Ledger.open(url) as ledger:
        ledger.init(_config())
        ledger.import_products(list(sample.sample_products()))
    src = sqlite3.connect(sqlite_path)
    dsn = url.replace("postgresql://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as pg:
        for ix in _secondary_indexes():
            pg.execute(f"DROP INDEX IF EXISTS {ix.name}")
        for table, bools in (("members", (9,)), ("transactions", (22,)), ("sale_lines", ()), ("journal", ())):
            with pg.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                for row in src.execute(f"SELECT * FROM {table}"):  # noqa: S608 - fixed table names
                    copy.write_row(
                        tuple(bool(v) if n in bools else v for n, v in enumerate(row)) if bools else row
                    )
    src.close()
    with Ledger.open(url) as ledger:
        for ix in _secondary_indexes():
            ix.create(ledger.engine)
        _derived(ledger)
    # Autovacuum does this to an insert-only table too (PostgreSQL 13 and later): statistics, and the
    # visibility map that lets a query read an index without visiting the rows.
    with psycopg.connect(dsn, autocommit=True) as pg:
        pg.execute("VACUUM ANALYZE")


class KeptPg:
    """A durable PostgreSQL cluster in a directory that outlives the run (``--keep``).

    initdb on first use; afterwards the same data directory is started again, and stopped (not removed)
    at the end. Each measurement runs on a copy of the loaded database (``CREATE DATABASE ... TEMPLATE``),
    because close-year writes to the ledger.
    """

    def __init__(self, directory: Path) -> None:
        from tests.central.pg import bin_dir
        from tests.support.net import free_port

        found = bin_dir()
        if found is None:
            raise RuntimeError("PostgreSQL binaries not found (Debian package postgresql)")
        self.bin = found
        self.dir = directory
        self.data = directory / "data"
        self.port = free_port()

    def _as_postgres(self, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", *args]
        subprocess.run(command, check=True, capture_output=True, timeout=300)

    def __enter__(self) -> KeptPg:
        from tests.support.net import wait_for_port

        self.dir.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.dir, "postgres", "postgres")
        if not (self.data / "PG_VERSION").exists():
            shutil.rmtree(self.data, ignore_errors=True)
            initdb = str(self.bin / "initdb")
            self._as_postgres(initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust")
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir}"
        log = str(self.dir / "log")
        pg_ctl = str(self.bin / "pg_ctl")
        self._as_postgres(pg_ctl, "-D", str(self.data), "-o", options, "-l", log, "-w", "start")
        wait_for_port(self.port)
        return self

    def __exit__(self, *exc: object) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(statement)


def _stamp(members: int, count: int) -> dict[str, Any]:
    """What kept data must match to be reused: the sizes, the data format and the ledger's tables."""
    from central.ledger import schema

    tables = [
        [table.name, [c.name for c in table.columns], sorted(str(ix.name) for ix in table.indexes)]
        for table in schema.metadata.sorted_tables
    ]
    return {"members": members, "transactions": count, "format": DATA_FORMAT, "tables": tables}


def _kept(keep: Path, part: str, members: int, count: int) -> bool:
    """Whether ``part`` (sqlite, pg) of the kept data was loaded with these sizes and this data format."""
    try:
        stamps = json.loads((keep / "stamp.json").read_text())
    except (OSError, ValueError):
        return False
    return bool(stamps.get(part) == _stamp(members, count))


def _mark(keep: Path, part: str, members: int, count: int | None) -> None:
    path = keep / "stamp.json"
    try:
        stamps = json.loads(path.read_text())
    except (OSError, ValueError):
        stamps = {}
    if count is None:
        stamps.pop(part, None)
    else:
        stamps[part] = _stamp(members, count)
    path.write_text(json.dumps(stamps))


def measure(url: str) -> dict[str, Any]:
    """In this (child) process: the bare aggregate, compute_year, close_year; times and peak RSS."""
    from sqlalchemy import text

    from central import yearend
    from central.ledger import Ledger

    bare = text(
        "SELECT member, unit, payment, SUM(total_rp), COUNT(*) FROM transactions "
        "WHERE day >= :lo AND day <= :hi GROUP BY member, unit, payment"
    )
    with Ledger.open(url) as ledger:
        with ledger.read() as conn:
            conn.execute(bare, {"lo": f"{YEAR}-01-01", "hi": f"{YEAR}-12-31"}).all()  # warm the cache
        started = time.perf_counter()
        with ledger.read() as conn:
            groups = len(conn.execute(bare, {"lo": f"{YEAR}-01-01", "hi": f"{YEAR}-12-31"}).all())
        baseline_s = time.perf_counter() - started
        started = time.perf_counter()
        result = yearend.compute_year(ledger, YEAR)
        compute_s = time.perf_counter() - started
        started = time.perf_counter()
        closed = yearend.close_year(ledger, YEAR, by="bench")
        close_s = time.perf_counter() - started
        assert closed.allocation is not None and result.allocation is not None
        assert closed.allocation.members_total_rp == closed.allocation.fund("anggota")
    return {
        "baseline_s": baseline_s,
        "groups": groups,
        "compute_s": compute_s,
        "close_s": close_s,
        "phases": dict(result.timings),
        "members": len(result.points.members),
        "shu_rp": result.allocation.shu_rp,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child(url: str) -> dict[str, Any] | None:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure", url],
        check=False,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
    )
    if out.returncode != 0:
        print(f"  measurement failed (exit {out.returncode}):\n{out.stderr[-4000:]}")
        return None
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _report(backend: str, load_s: float, m: dict[str, Any] | None) -> None:
    if m is None:
        return
    ratio = m["compute_s"] / m["baseline_s"] if m["baseline_s"] else float("inf")
    print(f"  [{backend}] load (not timed as a figure): {load_s:.1f} s")
    print(f"  [{backend}] baseline bare GROUP BY ({m['groups']:,} groups): {m['baseline_s']:.2f} s")
    print(
        f"  [{backend}] points + SHU for {m['members']:,} members: {m['compute_s']:.2f} s "
        f"({ratio:.1f}x baseline; target < {TARGET_S:.0f} s) {'OK' if m['compute_s'] < TARGET_S else 'SLOW'}"
    )
    phases = ", ".join(f"{k.removesuffix('_s')} {v:.2f} s" for k, v in m.get("phases", {}).items())
    print(f"  [{backend}]   of which: {phases}")
    print(f"  [{backend}] close-year incl. posting {m['members']:,} payables: {m['close_s']:.2f} s")
    print(
        f"  [{backend}] peak memory of the measuring process: {m['peak_rss_mb']:.0f} MB "
        f"(target < {TARGET_RSS_MB} MB) {'OK' if m['peak_rss_mb'] < TARGET_RSS_MB else 'HIGH'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2,000 members and 100,000 transactions")
    parser.add_argument("--backend", choices=("sqlite", "pg", "both"), default="both")
    parser.add_argument("--members", type=int, help="override the number of members")
    parser.add_argument("--transactions", type=int, help="override the number of transactions")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the generated SQLite ledger and PostgreSQL cluster in DIR and reuse them when the sizes "
        "match (loading takes minutes at full size; each measurement still runs on a fresh copy)",
    )
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    members, count = QUICK if args.quick else FULL
    members = args.members or members
    count = args.transactions or count
    print(f"points and SHU: {members:,} members, {count:,} transactions in {YEAR}")
    keep: Path | None = args.keep.resolve() if args.keep else None
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    work = keep or Path(tempfile.mkdtemp(prefix="kop-bench-shu-"))
    try:
        path = work / "ledger.sqlite"
        if keep is not None and path.exists() and _kept(keep, "sqlite", members, count):
            print(f"  reusing the kept SQLite ledger ({path.stat().st_size / 1e9:.1f} GB)")
            load_s = 0.0
        else:
            if keep is not None:
                _mark(keep, "sqlite", members, None)
                _mark(keep, "pg", members, None)
            path.unlink(missing_ok=True)
            started = time.perf_counter()
            counts = build_sqlite(path, members, count)
            load_s = time.perf_counter() - started
            print(f"  rows: {', '.join(f'{k} {v:,}' for k, v in counts.items())}")
            if keep is not None:
                _mark(keep, "sqlite", members, count)
        if args.backend in ("sqlite", "both"):
            copy = work / "measure.sqlite"
            shutil.copy(path, copy)
            try:
                _report("sqlite", load_s, _child(str(copy)))
            finally:
                copy.unlink(missing_ok=True)
        if args.backend in ("pg", "both"):
            from tests.central.pg import PgCluster, available

            if not available():
                print("  [pg] skipped: PostgreSQL binaries or the postgres user are not available")
            elif keep is not None:
                with KeptPg(keep / "pg") as kept:
                    load_s = 0.0
                    if not _kept(keep, "pg", members, count):
                        kept.sql("DROP DATABASE IF EXISTS base")
                        kept.sql("CREATE DATABASE base")
                        started = time.perf_counter()
                        copy_to_pg(path, kept.url("base"))
                        load_s = time.perf_counter() - started
                        _mark(keep, "pg", members, count)
                    else:
                        print("  reusing the kept PostgreSQL ledger")
                    kept.sql("DROP DATABASE IF EXISTS measure")
                    kept.sql("CREATE DATABASE measure TEMPLATE base")
                    try:
                        _report("pg", load_s, _child(kept.url("measure")))
                    finally:
                        kept.sql("DROP DATABASE IF EXISTS measure")
            else:
                with PgCluster(durable=True) as cluster:  # on disk, fsync on: as in production
                    url = cluster.database()
                    started = time.perf_counter()
                    copy_to_pg(path, url)
                    _report("pg", time.perf_counter() - started, _child(url))
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    raise SystemExit(main())
