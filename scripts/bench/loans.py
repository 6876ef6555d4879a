"""The loan book and the wajib dues at scale, beside a bare scan of the same rows in the same run.

    python scripts/bench/loans.py            # 100,000 loans, about 2,000,000 installments, 100,000 members
    python scripts/bench/loans.py --quick    # 5,000 loans and members
    python scripts/bench/loans.py --no-pg    # SQLite only

Loading is not timed. 100,000 members each got one loan (flat, efektif or anuitas; 12 to 36 months;
paid out from mid-2024 to mid-2025) and paid its installments month by month until they stopped: most
are still paying on time, one in seven stopped 1 to 15 months before the day of the report, so every
collectibility class is full. Every fourth loan's product has a late penalty (2 % a month), so its
payments are settled one by one; the others are aged from the sum of their payments. What the measured
reports read is written straight into the ledger's tables through ``central.ledger.tables.insert_many``
(as ingest writes them): the members, each loan's
disbursement and installments as transactions, the loans and their approved applications, and each
member's pokok and wajib deposits as journal lines (which also keeps the per-day sums). Then, on SQLite
and on a throw-away PostgreSQL cluster:

  bare scan   the installments, loans and applications read row by row (what any aging must read)
  aging       central.loans.portfolio.aging as of the report day: every loan's schedule against what
              was paid on it, days late, class and allowance per class
  allowance   central.office.adjusting.run_allowance(dry_run=True) for the month: the same aging and
              the allowance account's balance, what the month-end entry would post
  wajib scan  the wajib and pokok balances per member (one grouped read)
  wajib       central.savings.dues.wajib: every member's months behind and amount owed

Targets: aging and allowance < 10 s, the wajib arrears list < 3 s, on each backend.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from central import config  # noqa: E402
from central.ledger import Ledger, schema  # noqa: E402
from central.ledger.tables import insert_many  # noqa: E402
from central.loans import portfolio  # noqa: E402
from central.loans import schedule as sched  # noqa: E402
from central.loans.tables import ensure_tables, loan_applications  # noqa: E402
from central.office import adjusting  # noqa: E402
from central.savings import dues  # noqa: E402

FULL: Final = 100_000
QUICK: Final = 5_000
AS_OF: Final = date(2026, 11, 30)
MONTH: Final = "2026-11"
SEED: Final = 14
CHUNK: Final = 5_000  # loans written per transaction
AGING_TARGET_S: Final = 10.0
WAJIB_TARGET_S: Final = 3.0
RUNS: Final = 3
DEVICE: Final = "bench-office"
METHODS: Final = ("flat", "efektif", "anuitas")
# Every fourth loan is on a product with a late penalty: settled payment by payment (the rest from sums).
PENALTY_EVERY: Final = 4
PENALTY_PCT: Final = "2"
TX_COLUMNS: Final = (
    "id", "device", "seq", "prev", "chain", "content", "at", "ts", "day", "unit", "kind", "member",
    "payment", "total_rp", "product", "loan", "principal_rp", "interest_rp", "ref", "reason", "clerk",
    "note", "signed", "received_ts", "body", "cost_rp",
)  # fmt: skip
JOURNAL_COLUMNS: Final = (
    "tx",
    "line",
    "ts",
    "day",
    "account",
    "unit",
    "member",
    "debit_rp",
    "credit_rp",
    "memo",
)


def _config() -> config.Config:
    products = [
        {
            "code": method,
            "name": f"Pinjaman {method}",
            "method": method,
            "rate_month_pct": "1.5",
            "term_min_months": 6,
            "term_max_months": 36,
            "amount_min_rp": 500_000,
            "amount_max_rp": 50_000_000,
        }
        for method in METHODS
    ]
    products.append(
        {**products[2], "code": "denda", "name": "Pinjaman dengan denda", "penalty_month_pct": PENALTY_PCT}
    )
    savings = {"pokok_rp": 100_000, "wajib_rp": 50_000, "wajib_from": "2023-01"}
    raw = config.merge_over_defaults(
        config._default_raw(), {"loans": {"products": products}, "savings": savings}
    )
    return config.parse(raw)


def _ts(day: date) -> int:
    return int(time.mktime(day.timetuple()))


def _tx(
    seq: int, ident: str, day: date, *, kind: str, member: str, total: int, **extra: Any
) -> tuple[Any, ...]:
    values = {
        "id": ident, "device": DEVICE, "seq": seq, "prev": "0" * 64, "chain": f"{seq:064x}",
        "content": f"{seq:064x}", "at": f"{day.isoformat()}T09:00:00+07:00", "ts": _ts(day),
        "day": day.isoformat(), "unit": "simpan-pinjam", "kind": kind, "member": member, "payment": "cash",
        "total_rp": total, "product": None, "loan": None, "principal_rp": None, "interest_rp": None,
        "ref": None, "reason": None, "clerk": None, "note": None, "signed": True, "received_ts": _ts(day),
        "body": "{}", "cost_rp": None,
    }  # fmt: skip
    values.update(extra)
    return tuple(values[c] for c in TX_COLUMNS)


def _stopped_months(rng: random.Random) -> int | None:
    """How many months before the report day a member stopped paying (None: still paying)."""
    if rng.random() < 0.85:
        return None
    return rng.choice((1, 2, 3, 4, 5, 7, 8, 10, 12, 15))


def generate(count: int) -> Iterator[tuple[list[tuple[Any, ...]], ...]]:
    """Chunks of (members, transactions, loans, applications, journal) rows."""
    rng = random.Random(SEED)
    seq = 0
    first = date(2024, 6, 1)
    for start in range(0, count, CHUNK):
        members, txs, loans, apps, journal = [], [], [], [], []
        for n in range(start, min(count, start + CHUNK)):
            number = f"M{n + 1:06d}"
            joined = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 700))
            members.append((number, f"Anggota {n + 1}", joined.isoformat(), None, None, None, "anggota",
                            f"{n + 1:013d}", None, True, 0))  # fmt: skip
            method = METHODS[n % 3]
            penalty = PENALTY_PCT if n % PENALTY_EVERY == 0 else None
            product = "denda" if penalty else method
            term = rng.choice((12, 18, 24, 30, 36))
            principal = rng.randrange(10, 200) * 100_000
            day = first + timedelta(days=rng.randrange(0, 365))
            loan = f"PJ-{n + 1:06d}"
            seq += 1
            paid_out = f"D{n + 1:06d}"
            txs.append(
                _tx(seq, paid_out, day, kind="loan_disbursement", member=number, total=principal, loan=loan)
            )
            loans.append((loan, number, principal, paid_out, day.isoformat()))
            apps.append({
                "member": number, "product": product, "amount_rp": principal, "term_months": term,
                "purpose": "modal usaha", "state": "disbursed", "submitted_ts": _ts(day),
                "submitted_by": number, "decided_ts": _ts(day), "decided_by": "A001", "decision_reason": "",
                "approved_amount_rp": principal, "approved_term_months": term, "method": method,
                "rate_month_pct": "1.5", "grace_months": 0, "penalty_month_pct": penalty, "loan": loan,
                "disbursed_tx": paid_out, "disbursed_day": day.isoformat(),
            })  # fmt: skip
            rows = sched.build(method, principal, Decimal("1.5"), term, day)
            stopped = _stopped_months(rng)
            last_paid = AS_OF if stopped is None else AS_OF - timedelta(days=30 * stopped)
            for k, row in enumerate(rows, start=1):
                if row.due > last_paid:
                    break
                seq += 1
                split = {"principal_rp": row.principal_rp, "interest_rp": row.interest_rp}
                ident = f"I{n + 1:06d}-{k:02d}"
                txs.append(_tx(seq, ident, row.due, kind="installment", member=number, total=row.total_rp,
                               loan=loan, **split))  # fmt: skip
            # pokok once, and wajib for some of the months since joining
            months = (AS_OF.year - joined.year) * 12 + AS_OF.month - joined.month + 1
            paid_months = max(0, months - (0 if rng.random() < 0.8 else rng.randrange(1, 13)))
            for line, (account, amount) in enumerate((("3101", 100_000), ("3102", 50_000 * paid_months))):
                if amount:
                    tx = f"S{n + 1:06d}-{line}"
                    journal.append((tx, 1, _ts(joined), joined.isoformat(), "1101", "simpan-pinjam", None,
                                    amount, 0, "setoran"))  # fmt: skip
                    journal.append((tx, 2, _ts(joined), joined.isoformat(), account, "simpan-pinjam", number,
                                    0, amount, "setoran"))  # fmt: skip
        yield members, txs, loans, apps, journal


def build(url: str, count: int) -> dict[str, int]:
    counts = {"loans": 0, "installments": 0, "members": 0}
    with Ledger.open(url) as ledger:
        ledger.init(_config())
        ensure_tables(ledger)
        for members, txs, loans, apps, journal in generate(count):
            with ledger.write() as conn:
                insert_many(conn, schema.members, members)
                insert_many(conn, schema.transactions, txs, TX_COLUMNS)
                insert_many(conn, schema.loans, loans)
                conn.execute(loan_applications.insert(), apps)
                insert_many(conn, schema.journal, journal, JOURNAL_COLUMNS)
            counts["loans"] += len(loans)
            counts["members"] += len(members)
            counts["installments"] += len(txs) - len(loans)
        ledger.refresh_statistics()
    return counts


def _median_s(run: Callable[[], object], runs: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        sched.forget_cached()  # every run cold, as a month-end command in a fresh process is
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def bare_scan(ledger: Ledger) -> int:
    t, lo, a = schema.transactions, schema.loans, loan_applications
    seen = 0
    with ledger.read() as conn:
        for query in (
            select(t.c.id, t.c.loan, t.c.day, t.c.total_rp).where(t.c.kind == "installment"),
            select(lo.c.loan, lo.c.member, lo.c.principal_rp, lo.c.tx, lo.c.day),
            select(a),
        ):
            for _ in conn.execute(query):
                seen += 1
    return seen


def wajib_scan(ledger: Ledger) -> int:
    j = schema.journal
    with ledger.read() as conn:
        rows = conn.execute(
            select(j.c.member, j.c.account, func.sum(j.c.credit_rp) - func.sum(j.c.debit_rp))
            .where(j.c.account.in_(("3101", "3102")), j.c.day <= AS_OF.isoformat())
            .group_by(j.c.member, j.c.account)
        ).all()
    return len(rows)


def _verdict(seconds: float, target: float) -> str:
    return "OK" if seconds < target else "BELOW TARGET"


def measure(name: str, url: str, counts: dict[str, int], load_s: float) -> None:
    with Ledger.open(url) as ledger:
        scan_s, scanned = _median_s(lambda: bare_scan(ledger))
        aging_s, book = _median_s(lambda: portfolio.aging(ledger, AS_OF))
        allow_s, outcome = _median_s(
            lambda: adjusting.run_allowance(ledger, None, MONTH, dry_run=True, today=date(2026, 12, 5))
        )
        wscan_s, _ = _median_s(lambda: wajib_scan(ledger))
        wajib_s, rows = _median_s(lambda: dues.wajib(ledger, AS_OF))
    assert isinstance(book, portfolio.Aging)
    behind = sum(1 for r in rows if r.months_behind > 0) if isinstance(rows, list) else 0
    classes = ", ".join(f"{c.code} {c.loans:,}" for c in book.classes)
    print(
        f"  {name}: {counts['loans']:,} loans, {counts['installments']:,} installments, {counts['members']:,}"
        f" members (loaded in {load_s:.0f} s, not timed); as of {AS_OF}: {len(book.rows):,} loans owing"
        f" ({classes}); problem-loan ratio {book.problem_ratio * 100:.2f} %;"
        f" {behind:,} members behind on wajib",
        flush=True,
    )
    required = getattr(getattr(outcome, "plan", None), "required_rp", None)
    for label, seconds, base, target, note in (
        ("aging", aging_s, scan_s, AGING_TARGET_S, f"{scanned:,} rows scanned bare"),
        ("aging + allowance", allow_s, scan_s, AGING_TARGET_S, f"allowance Rp {required or 0:,}"),
        ("wajib arrears list", wajib_s, wscan_s, WAJIB_TARGET_S, f"{len(rows):,} members"),  # type: ignore[arg-type]
    ):
        print(
            f"  {label:<20} {seconds:>7.2f} s   bare scan {base:>6.2f} s   target < {target:.0f} s"
            f"  {_verdict(seconds, target)}   ({note})",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK:,} loans instead of {FULL:,}")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args(argv)
    count = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="kop-bench-loans-") as tmp:
        db = str(Path(tmp) / "ledger.sqlite")
        started = time.perf_counter()
        counts = build(db, count)
        measure("SQLite", db, counts, time.perf_counter() - started)
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
        counts = build(url, count)
        measure("PostgreSQL", url, counts, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
