"""Fixtures for the central ledger: a ledger on SQLite and (marked ``pg``) on a throw-away PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from central import config, sample
from central.ledger import Ledger
from central.office import identity
from tests.central.pg import PgCluster, available


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One PostgreSQL cluster for the whole test session (a fresh database per test)."""
    if not available():
        pytest.skip("PostgreSQL binaries (Debian postgresql) or the postgres user are not available")
    with PgCluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a test ledger lives: a SQLite file, or a fresh PostgreSQL database (dropped afterwards)."""
    if request.param == "sqlite":
        yield str(tmp_path / "ledger.sqlite")
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    url = cluster.database()
    yield url
    cluster.drop(url)


@pytest.fixture
def ledger(db_url: str) -> Iterator[Ledger]:
    """An initialised, empty ledger with the default config, on each backend."""
    with Ledger.open(db_url) as opened:
        opened.init(config.default())
        yield opened


@pytest.fixture(scope="session")
def month() -> sample.SampleData:
    """A deterministic month (March 2026) of sample data, shared by the tests."""
    return sample.generate(seed=7, start=date(2026, 3, 1), end=date(2026, 3, 31), members=20, per_day=25)


@pytest.fixture
def loaded(ledger: Ledger, month: sample.SampleData) -> Ledger:
    """A ledger with the sample members, products and devices (no transactions yet)."""
    sample.load_into(ledger, month)
    return ledger


# Loan products for the lending tests: an annuity, and one that lends at most twice the member's savings.
PRODUCT: dict[str, Any] = {
    "code": "umum",
    "name": "Pinjaman umum",
    "method": "anuitas",
    "rate_month_pct": "1",
    "term_min_months": 3,
    "term_max_months": 24,
    "amount_min_rp": 500_000,
    "amount_max_rp": 20_000_000,
}
MULTIPLE: dict[str, Any] = {**PRODUCT, "code": "kecil", "name": "Pinjaman kecil", "savings_multiple": "2"}


@pytest.fixture
def lent(ledger: Ledger, month: sample.SampleData, tmp_path: Path) -> tuple[Ledger, identity.Office]:
    """A ledger with loan products configured, the sample members, and the office set up."""
    raw = config.merge_over_defaults(
        config._default_raw(),
        {"loans": {"products": [PRODUCT, MULTIPLE], "deciders": ["ketua", "sekretaris"]}},
    )
    ledger.init(config.parse(raw))
    sample.load_into(ledger, month)
    return ledger, identity.init(ledger, tmp_path / "office.key")[0]
