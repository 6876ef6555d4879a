"""Side tables (a package's own MetaData) created by two ledger objects at the same moment, as two portal
workers or the portal and ``serve`` do on their first request: both succeed, the tables exist once."""

from __future__ import annotations

import threading

from sqlalchemy import BigInteger, Column, MetaData, String, Table, inspect

from central import config
from central.ledger import Ledger

ROUNDS = 6


def test_two_ledgers_create_the_same_side_tables_at_once(db_url: str) -> None:
    with Ledger.open(db_url) as first:
        first.init(config.default())
    for round_ in range(ROUNDS):
        meta = MetaData()
        for n in range(3):
            Table(
                f"side_race_{round_}_{n}",
                meta,
                Column("id", BigInteger, primary_key=True),
                Column("v", String(8)),
            )
        ledgers = [Ledger.open(db_url), Ledger.open(db_url)]
        barrier = threading.Barrier(len(ledgers))
        failures: list[BaseException] = []

        def create(
            ledger: Ledger,
            meta: MetaData = meta,
            barrier: threading.Barrier = barrier,
            failures: list = failures,
        ) -> None:
            barrier.wait(timeout=30)
            try:
                ledger.create_side_tables(meta)
            except BaseException as err:  # collected and asserted below
                failures.append(err)

        threads = [threading.Thread(target=create, args=(ledger,)) for ledger in ledgers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
        try:
            assert failures == []
            with ledgers[0].read() as conn:
                names = set(inspect(conn).get_table_names())
            assert {f"side_race_{round_}_{n}" for n in range(3)} <= names
        finally:
            for ledger in ledgers:
                ledger.close()
