"""Ingest of envelopes parsed ahead (``ledger.ingest.prepare``, as ``central serve`` does) is the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from central import config, sample
from central.books import reports
from central.ledger import Ledger, schema
from central.ledger.ingest import prepare
from central.ledger.signatures import signed_and_body
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


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@given(
    note=st.text(max_size=40),
    sig=json_values,
    extra=st.dictionaries(st.text(max_size=6), json_values, max_size=3),
    nested=st.booleans(),
)
def test_signing_bytes_cut_from_the_body_equal_a_fresh_encoding(
    note: str, sig: Any, extra: Any, nested: bool
) -> None:
    """Cutting the signature out of the canonical body gives exactly ``sync.envelope.signing_bytes``,
    whatever the texts (quotes, ``,"sig":`` look-alikes, any characters) and the signature's value."""
    env = {**extra, **Device().sale(note=note)}
    env["sig"] = sig
    if nested:  # the same member inside an object that sorts first
        env["a"] = {"b": 0, "sig": sig}
    env["clerk"] = f',"sig":{json.dumps(sig)}'
    assert signed_and_body(env) == (wire.signing_bytes(env), wire.canonical(env))
    del env["sig"]
    assert signed_and_body(env) == (wire.signing_bytes(env), wire.canonical(env))


def test_collector_is_relaxed_while_ingesting_and_restored_after(loaded: Ledger) -> None:
    """Ingest raises the garbage collector's thresholds while it runs, and however calls nest or overlap
    (serve's threads), the thresholds from before come back when the last one ends."""
    import gc
    import threading

    from central.ledger.ingest import GC_THRESHOLDS, relaxed_collector

    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    dev = Device()
    with relaxed_collector():
        inner_done = threading.Event()

        def other() -> None:
            with relaxed_collector():
                seen.append(gc.get_threshold())
            inner_done.set()

        thread = threading.Thread(target=other)
        thread.start()
        loaded.ingest([dev.sale()])  # nested inside this block
        inner_done.wait(10)
        thread.join(10)
        seen.append(gc.get_threshold())  # the other thread and ingest both ended; this block has not
    assert seen == [GC_THRESHOLDS, GC_THRESHOLDS]
    assert gc.get_threshold() == before
    loaded.ingest([dev.sale()])
    assert gc.get_threshold() == before
