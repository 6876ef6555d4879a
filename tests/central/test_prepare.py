"""Ingest of envelopes parsed ahead (``central.ingest.prepare``, as ``central serve`` does) is the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from central import config, reports, sample, schema
from central.ingest import prepare
from central.ledger import Ledger
from sync import envelope as wire
from tests.central.helpers import Device
from tests.central.test_ingest import BAD_CASES


def _rows(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    """Every row ingest writes, the time of receipt left out."""
    tables = {
        "transactions": [c for c in schema.transactions.columns if c.name != "received_ts"],
        "journal": list(schema.journal.columns),
        "sale_lines": list(schema.sale_lines.columns),
        "account_days": list(schema.account_days.columns),
        "loans": list(schema.loans.columns),
    }
    with ledger.read() as conn:
        return {
            name: sorted(tuple(row) for row in conn.execute(select(*columns)))
            for name, columns in tables.items()
        }


def _outcome(ledger: Ledger, report: Any) -> tuple[Any, ...]:
    quarantined = sorted(str(row[5]) for row in reports.quarantine(ledger)[0].rows)
    return (report.accepted, report.duplicates, report.rejected, _rows(ledger), quarantined)


def _fresh(path: Path, month: sample.SampleData) -> Ledger:
    ledger = Ledger.open(str(path))
    ledger.init(config.default())
    sample.load_into(ledger, month)
    return ledger


def test_prepared_ingest_equals_plain_ingest(tmp_path: Path, month: sample.SampleData) -> None:
    """A month of every kind plus each kind of bad envelope: the same report, rows and quarantine."""
    dev = Device()
    extra: list[Any] = [dev.sale(member=None, at="2026-03-05T20:30:00+00:00")]  # the 6th in Jakarta
    for mutate, _ in BAD_CASES:
        extra += [dev.sale(member=None), mutate(dev.sale(member=None))]
    items: list[Any] = [wire.canonical(env) for env in month.envelopes] + extra
    items += [wire.canonical(env) for env in month.envelopes[:50]]  # replays: duplicates
    plain = _fresh(tmp_path / "plain.sqlite", month)
    ahead = _fresh(tmp_path / "ahead.sqlite", month)
    for ledger in (plain, ahead):
        dev.register(ledger)
    first = plain.ingest(items, require_signature=True)
    second = ahead.ingest(prepare(items, ahead.config), require_signature=True)
    assert len(first.accepted) == len(month.envelopes) + len(BAD_CASES) + 1
    assert _outcome(plain, first) == _outcome(ahead, second)
    assert ahead.ingest(prepare(items), require_signature=True).duplicates == second.accepted + [
        env["id"] for env in month.envelopes[:50]
    ]
