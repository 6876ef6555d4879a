"""The year-end aggregate's two paths agree: the fast one (each sale's cost of goods on its transactions row,
totals read off the member index) and the reference one (a grouped scan of the rows joined to the sale
lines, which is also what a ledger older than schema version 2 uses); and such a ledger upgrades in place."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select

from central import yearend
from central.ledger import Ledger, schema
from central.members.rows import MemberRow
from tests.central.helpers import downgrade_to_version_1
from tests.central.test_yearend import PRODUCTS, Book, coop_config

YEAR = 2025
MEMBERS = [f"A{n:02d}" for n in range(1, 7)]
# Days before the year (term deposits held into it), inside it, and after it (left out).
DAYS = ["2024-10-01", "2024-12-31", "2025-01-01", "2025-02-01", "2025-03-15", "2025-06-30", "2025-12-31",
        "2026-01-02"]  # fmt: skip
UNIT_ITEMS = {"toko": ["BERAS", "GULA"], "cafe": ["KOPI"], "fotokopi": ["FC-A4"], "isi-ulang": ["GALON"]}

member_or_walk_in = st.one_of(st.none(), st.sampled_from(MEMBERS))
day = st.sampled_from(DAYS)
operation = st.one_of(
    st.tuples(st.just("sale"), st.sampled_from(sorted(UNIT_ITEMS)), member_or_walk_in, day,
              st.integers(1, 4), st.booleans()),
    st.tuples(st.just("deposit"), st.sampled_from(["wajib", "smsk", "berjangka", "sukarela"]),
              st.sampled_from(MEMBERS), day, st.integers(1, 30), st.booleans()),
    st.tuples(st.just("withdraw"), st.just("berjangka"), st.sampled_from(MEMBERS), day, st.integers(1, 30),
              st.booleans()),
    st.tuples(st.just("installment"), st.just(""), st.sampled_from(MEMBERS), day, st.integers(1, 5),
              st.booleans()),
    st.tuples(st.just("void"), st.just(""), st.none(), day, st.integers(0, 50), st.booleans()),
)  # fmt: skip


def build_year(ops: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """A valid stream of envelopes from generated operations (withdrawals only of what is held)."""
    book = Book()
    held: dict[str, int] = {}
    loans: set[str] = set()
    voidable: list[dict[str, Any]] = []
    for kind, what, member, on, size, flag in ops:
        if kind == "sale":
            items = UNIT_ITEMS[what]
            payment = "credit" if flag and member is not None and what == "toko" else "cash"
            env = book.sale(f"{what}-01", what, on, member, {items[size % len(items)]: size}, payment=payment)
            voidable.append(env)
        elif kind == "deposit":
            book.deposit(on, member, what, 10_000 * size)
            if what == "berjangka":
                held[member] = held.get(member, 0) + 10_000 * size
            if flag:
                voidable.append(book.envelopes[-1])
        elif kind == "withdraw":
            amount = min(10_000 * size, held.get(member, 0))
            if amount > 0:
                book.add("sp-01", "simpan-pinjam", on, "savings_withdrawal", member=member, product=what,
                         total=amount)  # fmt: skip
                held[member] -= amount
        elif kind == "installment":
            loan = {"member": member, "loan": f"L-{member}"}
            if member not in loans:
                book.add(
                    "sp-01", "simpan-pinjam", "2024-06-01", "loan_disbursement", total=10_000_000, **loan
                )
                loans.add(member)
            interest = 1_000 * size
            book.add("sp-01", "simpan-pinjam", on, "installment", principal_rp=10_000, interest_rp=interest,
                     total=10_000 + interest, **loan)  # fmt: skip
        elif voidable:
            original = voidable.pop(size % len(voidable))
            if original["kind"] == "savings_deposit" and original["product"] == "berjangka":
                if held.get(original["member"], 0) < original["total"]:
                    continue  # already withdrawn: the void would take the balance below zero
                held[original["member"]] -= original["total"]
            book.add(original["device"], original["unit"], on, "void", member=original["member"],
                     payment=original["payment"], total=original["total"], ref=original["id"],
                     reason="salah input")  # fmt: skip
    return book.envelopes


def load(target: str, envelopes: list[dict[str, Any]]) -> Ledger:
    ledger = Ledger.open(target)
    ledger.init(coop_config())
    ledger.import_members([MemberRow(n, f"Anggota {n}", "2024-01-01", None, None, None, "anggota", None, True)
                           for n in MEMBERS])  # fmt: skip
    ledger.import_products(PRODUCTS)
    report = ledger.ingest(envelopes)
    assert report.ok, report.rejected
    return ledger


def both_paths(ledger: Ledger, only: str | None = None) -> tuple[Any, Any]:
    """(fast, reference) period inputs of the year and the points computed from each."""
    policy = yearend.point_policy(ledger.config)
    lo, hi = f"{YEAR}-01-01", f"{YEAR}-12-31"
    out = []
    with ledger.read() as conn:
        for from_lines in (False, True):
            inputs = yearend.period_inputs(
                conn, ledger.config, policy, lo, hi, only=only, from_lines=from_lines
            )
            out.append((inputs, yearend.points_of(policy, inputs)))
    return out[0], out[1]


def assert_same(fast: Any, reference: Any) -> None:
    (inputs, points), (ref_inputs, ref_points) = fast, reference
    assert sorted(inputs.totals) == sorted(ref_inputs.totals)
    for name in ("wajib_rp", "capital_rp", "term_basis_rp", "business_rp"):
        assert dict(getattr(inputs, name)) == dict(getattr(ref_inputs, name)), name
    assert inputs.non_participant_margin_rp == ref_inputs.non_participant_margin_rp
    assert points == ref_points


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=40))
def test_the_fast_aggregate_agrees_with_the_reference_on_generated_years(ops: list[tuple[Any, ...]]) -> None:
    """Random years of sales, walk-ins, savings, term deposits, installments and voids give identical totals
    and points by both paths, for everyone and for each member alone."""
    envelopes = build_year(ops)
    with tempfile.TemporaryDirectory() as tmp, load(str(Path(tmp) / "y.sqlite"), envelopes) as ledger:
        assert_same(*both_paths(ledger))
        for member in MEMBERS[:2]:
            assert_same(*both_paths(ledger, only=member))


FIXED_OPS = [
    ("sale", unit, member, on, n % 4 + 1, n % 3 == 0)
    for n, (unit, member, on) in enumerate(
        (u, m, d) for u in sorted(UNIT_ITEMS) for m in [None, *MEMBERS] for d in DAYS[1:]
    )
] + [
    ("deposit", "berjangka", "A01", "2024-10-01", 20, False),
    ("withdraw", "berjangka", "A01", "2025-06-30", 5, False),
    ("deposit", "smsk", "A02", "2025-03-15", 7, True),
    ("deposit", "wajib", "A03", "2025-02-01", 30, False),
    ("installment", "", "A04", "2025-06-30", 3, False),
    ("void", "", None, "2025-07-01", 3, False),
    ("void", "", None, "2025-07-01", 11, False),
]


@pytest.fixture
def fixed_year(db_url: str) -> Iterator[Ledger]:
    ledger = load(db_url, build_year(FIXED_OPS))
    try:
        yield ledger
    finally:
        ledger.close()


def test_both_paths_agree_on_each_backend(fixed_year: Ledger) -> None:
    """A fixed year with every unit, walk-ins, voids and a term deposit aggregates the same both ways."""
    fast, reference = both_paths(fixed_year)
    assert_same(fast, reference)
    assert any(t.source == "sale" and t.unit == "toko" and t.margin_rp for t in fast[0].totals)


def test_each_sale_carries_the_cost_of_its_lines(fixed_year: Ledger) -> None:
    """Ingest stores on every sale the sum of its lines' cost of goods, and nothing on other kinds."""
    t, lines = schema.transactions, schema.sale_lines
    with fixed_year.read() as conn:
        line_cost = dict(
            conn.execute(select(lines.c.tx, func.sum(lines.c.cost_total_rp)).group_by(lines.c.tx)).all()
        )
        rows = conn.execute(select(t.c.id, t.c.kind, t.c.cost_rp)).all()
    assert any(kind == "sale" for _, kind, _ in rows)
    for ident, kind, cost in rows:
        assert cost == (line_cost.get(ident, 0) if kind == "sale" else None), ident


def test_an_older_ledger_is_computed_the_same_and_upgrades_in_place(tmp_path: Path) -> None:
    """A version-1 ledger gets the same SHU through the reference path; init adds and fills the cost column,
    swaps the index, and the fast path then gives the same again."""
    path = str(tmp_path / "old.sqlite")
    with load(path, build_year(FIXED_OPS)) as ledger:
        expected = yearend.shu_data(yearend.compute_year(ledger, YEAR))
    downgrade_to_version_1(path)
    with Ledger.open(path) as ledger:
        with ledger.read() as conn:
            assert not yearend.costs_on_rows(conn)
        assert yearend.shu_data(yearend.compute_year(ledger, YEAR)) == expected
        ledger.init(ledger.config)
        with ledger.read() as conn:
            assert yearend.costs_on_rows(conn)
            names = {ix["name"] for ix in inspect(conn).get_indexes("transactions")}
            journal_ix = {ix["name"]: ix["column_names"] for ix in inspect(conn).get_indexes("journal")}
            costs = conn.execute(
                select(func.count()).where(
                    schema.transactions.c.kind == "sale", schema.transactions.c.cost_rp > 0
                )
            ).scalar_one()
        assert schema.MEMBER_TOTALS_INDEX.name in names and "ix_transactions_member_day" not in names
        assert costs > 0
        wide = ["account", "day", "member", "debit_rp", "credit_rp"]
        assert journal_ix[schema.ACCOUNT_DAY_INDEX.name] == wide
        assert yearend.shu_data(yearend.compute_year(ledger, YEAR)) == expected
