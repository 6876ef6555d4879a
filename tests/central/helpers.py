"""Small builders for test envelopes."""

from __future__ import annotations

import sqlite3
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central import sample
from central.ledger import Ledger, schema
from sync import envelope as wire

TOKO_SKU = sample.sample_products()[0].sku
TOKO_PRICE = sample.sample_products()[0].price_rp
TOKO_COST = sample.sample_products()[0].cost_rp


class Device:
    """Builds a valid signed chain of envelopes for one device."""

    def __init__(
        self, name: str = "toko-09", unit: str = "toko", key: Ed25519PrivateKey | None = None
    ) -> None:
        self.name = name
        self.unit = unit
        self.key = key or sample.device_key(99, name)
        self.seq = 0
        self.prev = wire.GENESIS

    def register(self, ledger: Ledger) -> Device:
        ledger.devices_add(self.name, wire.public_key_text(self.key.public_key()), self.unit, "pusat")
        return self

    def make(self, kind: str, *, sign: bool = True, **fields: Any) -> dict[str, Any]:
        self.seq += 1
        env: dict[str, Any] = {
            "v": 1,
            "id": f"{self.name}:{self.seq}",
            "device": self.name,
            "seq": self.seq,
            "prev": self.prev,
            "at": f"2026-03-{min(self.seq, 28):02d}T10:00:00+07:00",
            "unit": self.unit,
            "kind": kind,
            "member": None,
            "payment": "cash",
            "lines": [],
            "total": 0,
        }
        env.update(fields)
        if sign:
            env = wire.sign(env, self.key)
        self.prev = wire.chain_hash(env)
        return env

    def sale(
        self, qty: int = 2, member: str | None = "A001", payment: str = "cash", **fields: Any
    ) -> dict[str, Any]:
        line = {"sku": TOKO_SKU, "qty": qty, "price_rp": TOKO_PRICE, "cost_rp": TOKO_COST}
        base: dict[str, Any] = {
            "member": member,
            "payment": payment,
            "lines": [line],
            "total": qty * TOKO_PRICE,
        }
        base.update(fields)
        return self.make("sale", **base)

    def deposit(self, member: str, product: str, total: int) -> dict[str, Any]:
        return self.make("savings_deposit", member=member, product=product, total=total)

    def withdraw(self, member: str, product: str, total: int) -> dict[str, Any]:
        return self.make("savings_withdrawal", member=member, product=product, total=total)

    def lend(self, member: str, loan: str, total: int) -> dict[str, Any]:
        return self.make("loan_disbursement", member=member, loan=loan, total=total)

    def repay(self, member: str, loan: str, principal: int, interest: int) -> dict[str, Any]:
        return self.make(
            "installment",
            member=member,
            loan=loan,
            principal_rp=principal,
            interest_rp=interest,
            total=principal + interest,
        )

    def void(self, original: dict[str, Any], **fields: Any) -> dict[str, Any]:
        base = {
            "member": original["member"],
            "payment": original["payment"],
            "total": original["total"],
            "ref": original["id"],
            "reason": "salah input",
        }
        base.update(fields)
        return self.make("void", **base)


def unbalanced_entries(ledger: Ledger) -> list[tuple[str, int, int]]:
    """Journal entries whose debits differ from their credits (should be none)."""
    from sqlalchemy import func, select

    from central.ledger.schema import journal as j

    with ledger.read() as conn:
        query = (
            select(j.c.tx, func.sum(j.c.debit_rp), func.sum(j.c.credit_rp))
            .group_by(j.c.tx)
            .having(func.sum(j.c.debit_rp) != func.sum(j.c.credit_rp))
        )
        return [(tx, int(d), int(c)) for tx, d, c in conn.execute(query)]


def snapshot(ledger: Ledger) -> dict[str, Any]:
    """Everything ingest may change except the quarantine: row counts and money sums per table."""
    from sqlalchemy import func, select

    from central.ledger import schema

    with ledger.read() as conn:
        return {
            "tx": conn.execute(
                select(func.count(), func.coalesce(func.sum(schema.transactions.c.total_rp), 0))
            ).one(),
            "ids": sorted(conn.execute(select(schema.transactions.c.id)).scalars()),
            "journal": conn.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(schema.journal.c.debit_rp), 0),
                    func.coalesce(func.sum(schema.journal.c.credit_rp), 0),
                )
            ).one(),
            "lines": conn.execute(select(func.count()).select_from(schema.sale_lines)).scalar_one(),
            "loans": conn.execute(select(func.count()).select_from(schema.loans)).scalar_one(),
        }


def account_days_match_journal(ledger: Ledger) -> bool:
    """True when the per-day sums and line counts equal a fresh GROUP BY over the journal."""
    from sqlalchemy import func, select

    from central.ledger.schema import account_days as a
    from central.ledger.schema import journal as j

    with ledger.read() as conn:
        fresh = {
            (acc, day): (int(d), int(c), int(n))
            for acc, day, d, c, n in conn.execute(
                select(
                    j.c.account, j.c.day, func.sum(j.c.debit_rp), func.sum(j.c.credit_rp), func.count()
                ).group_by(j.c.account, j.c.day)
            )
        }
        kept = {
            (acc, day): (int(d), int(c), int(n))
            for acc, day, d, c, n in conn.execute(
                select(a.c.account, a.c.day, a.c.debit_rp, a.c.credit_rp, a.c.lines)
            )
        }
    return fresh == kept


def downgrade_to_version_1(path: str) -> None:
    """Make a ledger look like one written before schema version 2 (no cost column, the old index)."""
    conn = sqlite3.connect(path)
    conn.execute(f"DROP INDEX {schema.MEMBER_TOTALS_INDEX.name}")
    conn.execute(f"DROP INDEX {schema.MEMBER_TS_INDEX.name}")  # version 4 added it and the line counts
    conn.execute("ALTER TABLE account_days DROP COLUMN lines")
    conn.execute(f"DROP INDEX {schema.LOAN_INDEX.name}")
    conn.execute(f"CREATE INDEX {schema.LOAN_INDEX.name} ON transactions (loan) WHERE loan IS NOT NULL")
    conn.execute("ALTER TABLE transactions DROP COLUMN cost_rp")
    conn.execute(
        "CREATE INDEX ix_transactions_member_day ON transactions (member, day) WHERE member IS NOT NULL"
    )
    conn.execute(f"DROP INDEX {schema.ACCOUNT_DAY_INDEX.name}")
    conn.execute(f"CREATE INDEX {schema.ACCOUNT_DAY_INDEX.name} ON journal (account, day)")
    conn.execute("ALTER TABLE quarantine DROP COLUMN state")  # version 3 added these
    conn.execute("DROP TABLE refusals")
    conn.execute("DROP TABLE quarantine_actions")
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
