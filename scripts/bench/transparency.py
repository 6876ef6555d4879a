"""Benchmark the transparency log: appending leaves, building the log of an existing ledger, proofs.

Each figure is printed beside a raw baseline measured in the same run, and the target:
- append: leaves per second through ``log.append_leaves`` in chunks of 2,000 (one transaction each, as
  ingest appends them) beside raw SHA-256 of the same bytes (target >= 20,000 leaves/s);
- build: seconds to build the log of an existing ledger of N transactions (``log.backfill``, streaming the
  stored envelopes; target < 60 s for 5,000,000);
- proofs: inclusion and consistency proofs in the tree of N, p50 and p99 (target < 5 ms), and their size
  (log2 n hashes).

    python scripts/bench/transparency.py [--quick] [--leaves N]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, insert  # noqa: E402

from central.transparency import log as tlog  # noqa: E402
from sync import merkle  # noqa: E402

FULL, QUICK = 5_000_000, 200_000
CHUNK = 2_000
PROOFS = 500
TARGET_APPEND = 20_000
TARGET_BUILD_S_PER_5M = 60.0
TARGET_PROOF_MS = 5.0


def _envelope(i: int) -> bytes:
    return (
        f'{{"at":"2026-03-01T08:00:00+07:00","device":"toko-{i % 7:02d}","id":"toko-{i % 7:02d}:{i}",'
        f'"kind":"sale","lines":[{{"cost_rp":2000,"price_rp":2500,"qty":2,"sku":"8991001000011"}}],'
        f'"member":null,"payment":"cash","prev":"{"0" * 64}","seq":{i},"sig":"{"A" * 86}==",'
        f'"total":5000,"unit":"toko","v":1}}'
    ).encode()


def _percentiles(times: list[float]) -> tuple[float, float]:
    times.sort()
    return times[len(times) // 2] * 1000, times[int(len(times) * 0.99)] * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK:,} leaves instead of {FULL:,}")
    parser.add_argument("--leaves", type=int, help="override the number of leaves")
    args = parser.parse_args(argv)
    n = args.leaves or (QUICK if args.quick else FULL)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/log.sqlite")
        sample = [_envelope(i) for i in range(min(n, 200_000))]
        started = time.perf_counter()
        for body in sample:
            hashlib.sha256(b"\0" + body).digest()
        raw = len(sample) / (time.perf_counter() - started)
        started = time.perf_counter()
        size = 0
        for first in range(0, len(sample), CHUNK):
            with engine.begin() as conn:
                tlog.ensure(conn)
                batch = [(f"t{i}", sample[i]) for i in range(first, min(len(sample), first + CHUNK))]
                size = tlog.append_leaves(conn, size, batch)
        rate = len(sample) / (time.perf_counter() - started)
        ok = rate >= TARGET_APPEND
        failures += not ok
        print(
            f"append: {rate:,.0f} leaves/s beside raw SHA-256 {raw:,.0f}/s (target >= {TARGET_APPEND:,}) "
            f"{'ok' if ok else 'MISSED'}"
        )

        # an existing ledger of n transactions, then its log built in one go
        books = MetaData()
        table = Table(
            "transactions",
            books,
            Column("id", String(64), primary_key=True),
            Column("body", Text),
            Column("received_ts", Integer),
            Column("device", String(48)),
            Column("seq", Integer),
        )
        engine2 = create_engine(f"sqlite:///{tmp}/books.sqlite")
        books.create_all(engine2)
        with engine2.begin() as conn:
            for first in range(0, n, 50_000):
                rows = [
                    {"id": f"t{i}", "body": _envelope(i).decode(), "received_ts": i, "device": "d", "seq": i}
                    for i in range(first, min(n, first + 50_000))
                ]
                conn.execute(insert(table), rows)
        started = time.perf_counter()
        with engine2.begin() as conn:
            built = tlog.backfill(conn)
        took = time.perf_counter() - started
        budget = TARGET_BUILD_S_PER_5M * n / FULL
        ok = took < budget and built == n
        failures += not ok
        print(
            f"build: the log of {n:,} transactions in {took:.1f} s (target < {budget:.1f} s) "
            f"{'ok' if ok else 'MISSED'}"
        )

        rng = random.Random(1)
        with engine2.connect() as conn:
            for index in range(0, n, max(1, n // 50)):  # warm the statement cache and the page cache
                tlog.inclusion_proof(conn, index, n)
                tlog.consistency_proof(conn, max(1, index), n)
            incl: list[float] = []
            for _ in range(PROOFS):
                index = rng.randrange(n)
                started = time.perf_counter()
                proof = tlog.inclusion_proof(conn, index, n)
                incl.append(time.perf_counter() - started)
            cons: list[float] = []
            for _ in range(PROOFS):
                old = rng.randrange(1, n)
                started = time.perf_counter()
                cproof = tlog.consistency_proof(conn, old, n)
                cons.append(time.perf_counter() - started)
        for name, times, hashes in (("inclusion", incl, len(proof)), ("consistency", cons, len(cproof))):
            p50, p99 = _percentiles(times)
            ok = p99 < TARGET_PROOF_MS
            failures += not ok
            print(
                f"{name} proof in a tree of {n:,}: p50 {p50:.2f} ms, p99 {p99:.2f} ms (target < "
                f"{TARGET_PROOF_MS} ms), {hashes} hashes = {hashes * merkle.HASH_BYTES} bytes "
                f"(log2 n = {n.bit_length()}) {'ok' if ok else 'MISSED'}"
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
