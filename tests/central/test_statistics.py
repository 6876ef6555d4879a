"""Planner statistics after a bulk load; version 4's member index (a member's latest transactions) and
per-day line counts (the cash book's pages)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from central import config, sample
from central.__main__ import main
from central.ledger import Ledger, schema
from tests.central.helpers import account_days_match_journal, downgrade_to_version_1


def test_refresh_statistics_analyzes_postgresql_only(db_url: str) -> None:
    with Ledger.open(db_url) as ledger:
        ledger.init(config.default())
        ran = ledger.refresh_statistics()
        if ledger.engine.dialect.name == "postgresql":
            assert ran
            with ledger.read() as conn:
                analyzed = conn.execute(
                    text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'transactions'")
                ).scalar_one()
            assert analyzed is not None
        else:
            assert not ran


def test_a_members_latest_transactions_are_read_from_the_index_unsorted(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db) as ledger:
        ledger.init(config.default())
    conn = sqlite3.connect(db)
    plan = " ".join(
        str(row[-1])
        for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM transactions WHERE member = 'A001' AND kind = 'sale'"
            " AND day >= '2026-01-01' AND day <= '2026-12-31' ORDER BY ts DESC, id DESC LIMIT 20"
        )
    )
    conn.close()
    assert schema.MEMBER_TS_INDEX.name in plan and "TEMP B-TREE" not in plan, plan


def test_upgrade_adds_the_member_index_and_the_line_counts_to_an_older_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "ledger.sqlite"
    data = sample.generate(seed=3, start=date(2026, 1, 1), end=date(2026, 1, 10), members=5, per_day=5)
    feed = tmp_path / "feed.jsonl"
    sample.write_jsonl(data.envelopes[:50], feed)
    with Ledger.open(db) as ledger:
        ledger.init(config.default())
        sample.load_into(ledger, data)
        ledger.ingest(line for line in feed.read_bytes().splitlines())
    downgrade_to_version_1(str(db))
    assert main(["--db", str(db), "upgrade"]) == 0
    capsys.readouterr()
    conn = sqlite3.connect(db)
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    conn.close()
    assert schema.MEMBER_TS_INDEX.name in names
    conn = sqlite3.connect(db)
    loan_columns = [row[2] for row in conn.execute(f"PRAGMA index_info({schema.LOAN_INDEX.name})")]
    conn.close()
    assert loan_columns == [column.name for column in schema.LOAN_INDEX.columns]
    assert json.loads(version) == schema.SCHEMA_VERSION
    with Ledger.open(db) as ledger:
        assert account_days_match_journal(ledger)  # the line counts filled in
