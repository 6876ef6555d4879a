"""The cash-flow statement (laporan arus kas), direct method, from the cash accounts.

Every journal entry that moves a cash account is read with its other lines (its counter-accounts). Per
entry, the counter-lines are grouped by the statement line their account belongs to (``classify``) and each
group's net (credits minus debits: what came into the cash accounts through it) is a receipt when positive
and a payment when negative. An entry balances, so its groups add up to exactly its cash movement; summed
over the period the statement reconciles to the rupiah: opening cash + net flow = closing cash. A line whose
counter-account is unknown to the chart (or fits no rule) is operating. Should the journal ever hold an
unbalanced entry (invariant 2 says it cannot), the difference is shown as its own operating line, so the
statement still reconciles and the difference is visible rather than hidden.

The classification table, in one place (``classify``; docs/reports.md, "Arus kas"), first rule that fits:

====================================================  ==========  =========================================
account                                               class       statement line
====================================================  ==========  =========================================
``[posting] cash`` and every asset account whose      cash        (not a flow: moves between them cancel)
code starts with its first two characters (11..)
a savings product's account (``[posting.savings]``)   financing   deposits / withdrawals of that product
an SHU fund payable (``[shu.accounts]``, 2201-2206)   financing   SHU and funds paid out
any other equity account                              financing   per account
``[posting] loans`` and the allowance                 operating   loans paid out / principal repaid
``[posting] receivable`` (store credit)               operating   store credit repaid
``[posting] inventory``, the units' cost of goods,    operating   payments to suppliers
``[posting] payables``
a revenue account of the savings-and-loan unit        operating   interest, fees and penalties received
any other revenue account of a unit                   operating   sales of the business units
a revenue account of no unit                          operating   other income
any expense account                                   operating   operating expenses paid
any other asset account (equipment, buildings, ...)   investing   per account: bought / sold
any other liability account, an unknown account       operating   other receipts / payments
====================================================  ==========  =========================================

**Decision** (SAK EP for a savings-and-loan cooperative): lending to members is the cooperative's main
business, so loans paid out and repaid are operating; members' savings, sukarela and berjangka included,
are how the cooperative is funded, so they are financing, like pokok and wajib and the SHU paid out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from sqlalchemy import ColumnElement, Connection, case, func, literal, select

from central.accounts import ASSET, EQUITY, EXPENSE, LIABILITY, REVENUE
from central.config import SAVINGS_LOAN_UNIT, Config
from central.ledger import schema

if TYPE_CHECKING:
    from central.ledger import Ledger

CASH: Final = "cash"
OPERATING: Final = "operating"
INVESTING: Final = "investing"
FINANCING: Final = "financing"
CLASSES: Final = (OPERATING, INVESTING, FINANCING)
OTHER: Final = "other"  # the operating line of unknown accounts and of any unbalanced difference
DEFAULT_SHU_FUNDS: Final = ("2201", "2202", "2203", "2204", "2205", "2206")

# Statement lines that are not one account: key -> (class, receipt label, payment label), id then en.
LINES: Final[Mapping[str, tuple[str, tuple[str, str], tuple[str, str]]]] = {
    "sales": (
        OPERATING,
        ("Penerimaan dari penjualan unit usaha", "Receipts from the business units' sales"),
        ("Pengembalian uang penjualan", "Sales refunded"),
    ),
    "lending_income": (
        OPERATING,
        ("Penerimaan jasa, administrasi dan denda pinjaman", "Interest, fees and penalties received"),
        ("Pengembalian jasa pinjaman", "Interest refunded"),
    ),
    "suppliers": (
        OPERATING,
        ("Penerimaan dari pemasok", "Receipts from suppliers"),
        ("Pembayaran kepada pemasok (persediaan)", "Paid to suppliers (stock)"),
    ),
    "store_credit": (
        OPERATING,
        ("Pelunasan piutang kredit toko", "Store credit repaid"),
        ("Piutang kredit toko dibayarkan", "Store credit paid out"),
    ),
    "loans": (
        OPERATING,
        ("Angsuran pokok pinjaman diterima", "Loan principal repaid"),
        ("Pinjaman yang diberikan kepada anggota", "Loans paid out to members"),
    ),
    "expenses": (
        OPERATING,
        ("Pengembalian beban", "Expenses refunded"),
        ("Pembayaran beban usaha", "Operating expenses paid"),
    ),
    "other_income": (
        OPERATING,
        ("Penerimaan pendapatan lain", "Other income received"),
        ("Pengembalian pendapatan lain", "Other income refunded"),
    ),
    OTHER: (
        OPERATING,
        ("Penerimaan lain", "Other receipts"),
        ("Pembayaran lain", "Other payments"),
    ),
    "shu": (
        FINANCING,
        ("Penerimaan kembali SHU dan dana", "SHU and funds returned"),
        ("Pembayaran SHU anggota dan dana-dana", "Members' SHU and funds paid out"),
    ),
}
ACCOUNT_PREFIX: Final = "account:"
SAVINGS_PREFIX: Final = "savings:"


@dataclass(frozen=True)
class Classification:
    """The cash accounts, and for every other account of the chart its statement line (a key of
    ``LINES``, ``savings:<product>`` or ``account:<code>``) and class."""

    cash: tuple[str, ...]
    line_of: Mapping[str, str]
    class_of: Mapping[str, str]  # statement line -> class


@dataclass(frozen=True)
class Flow:
    """One statement line of a period: what came in and what went out through it."""

    line: str
    cls: str
    in_rp: int
    out_rp: int

    @property
    def net_rp(self) -> int:
        return self.in_rp - self.out_rp


@dataclass(frozen=True)
class CashFlow:
    """A period's cash-flow statement; ``opening_rp + net_rp == closing_rp`` always holds."""

    lo: str
    hi: str
    opening_rp: int
    closing_rp: int
    flows: tuple[Flow, ...]

    def net_of(self, cls: str) -> int:
        return sum(f.net_rp for f in self.flows if f.cls == cls)

    @property
    def net_rp(self) -> int:
        return sum(f.net_rp for f in self.flows)


def _shu_funds(config: Config) -> set[str]:
    raw = config.raw.get("shu", {})
    overrides = raw.get("accounts", {}) if isinstance(raw, dict) else {}
    codes = set(DEFAULT_SHU_FUNDS)
    if isinstance(overrides, dict):
        codes |= {str(code) for key, code in overrides.items() if key != "surplus"}
    return {c for c in codes if (a := config.account(c)) is not None and a.type == LIABILITY}


def cash_accounts(config: Config) -> tuple[str, ...]:
    """``[posting] cash`` and the asset accounts of its group (code starting with its first two
    characters: kas, bank, kas kecil): moving money between them is no flow."""
    cash = config.posting.cash
    group = cash[:2]
    found = [cash]
    for account in config.chart:
        if account.type == ASSET and account.code != cash and len(cash) > 2 and account.code[:2] == group:
            found.append(account.code)
    return tuple(found)


def classify(config: Config) -> Classification:
    """The classification table of the module docstring, applied to the chart."""
    posting = config.posting
    cash = cash_accounts(config)
    savings = {code: product for product, code in posting.savings}
    funds = _shu_funds(config)
    loans = {posting.loans} | ({config.allowance} if config.allowance else set())
    suppliers = {posting.inventory} | ({config.payables} if config.payables else set())
    suppliers |= {u.accounts.cogs for u in config.units if u.accounts is not None}
    line_of: dict[str, str] = {}
    class_of: dict[str, str] = {key: cls for key, (cls, _, _) in LINES.items()}
    for account in config.chart:
        code = account.code
        if code in cash:
            continue
        if code in savings:
            line = f"{SAVINGS_PREFIX}{savings[code]}"
            class_of[line] = FINANCING
        elif code in funds:
            line = "shu"
        elif account.type == EQUITY:
            line = f"{ACCOUNT_PREFIX}{code}"
            class_of[line] = FINANCING
        elif code in loans:
            line = "loans"
        elif code == posting.receivable:
            line = "store_credit"
        elif code in suppliers:
            line = "suppliers"
        elif account.type == REVENUE:
            if account.unit == SAVINGS_LOAN_UNIT:
                line = "lending_income"
            else:
                line = "sales" if account.unit else "other_income"
        elif account.type == EXPENSE:
            line = "expenses"
        elif account.type == ASSET:
            line = f"{ACCOUNT_PREFIX}{code}"
            class_of[line] = INVESTING
        else:
            line = OTHER
        line_of[code] = line
    return Classification(cash, line_of, class_of)


def compute(ledger: Ledger, lo: str, hi: str, table: Classification | None = None) -> CashFlow:
    """The cash-flow statement of local days lo..hi (both included)."""
    table = table or classify(ledger.config)
    j, a = schema.journal, schema.account_days
    cash = list(table.cash)
    line = case(table.line_of, value=j.c.account, else_=literal(OTHER)) if table.line_of else literal(OTHER)
    moved = select(j.c.tx).where(j.c.account.in_(cash), j.c.day >= lo, j.c.day <= hi)
    per_entry = (  # each entry's counter-lines netted per statement line (IN measured faster than a join)
        select(line.label("line"), func.sum(j.c.credit_rp - j.c.debit_rp).label("net"))
        .where(j.c.tx.in_(moved), j.c.account.not_in(cash))
        .group_by(j.c.tx, line)
        .subquery("per_entry")
    )
    net = per_entry.c.net
    query = select(
        per_entry.c.line,
        func.sum(case((net > 0, net), else_=0)),
        func.sum(case((net < 0, -net), else_=0)),
    ).group_by(per_entry.c.line)

    with ledger.read() as conn:
        sums = {str(key): (int(i or 0), int(o or 0)) for key, i, o in conn.execute(query)}
        opening = _cash(conn, cash, a.c.day < lo)
        closing = _cash(conn, cash, a.c.day <= hi)
    flows = [
        Flow(key, table.class_of.get(key, OPERATING), i, o) for key, (i, o) in sorted(sums.items()) if i or o
    ]
    difference = (closing - opening) - sum(f.net_rp for f in flows)
    if difference:
        flows = _add_other(flows, difference)
    return CashFlow(lo, hi, opening, closing, tuple(flows))


def _cash(conn: Connection, cash: list[str], day_clause: ColumnElement[bool]) -> int:
    """The cash accounts' balance over the per-day sums of the days ``day_clause`` selects."""
    a = schema.account_days
    debit, credit = conn.execute(
        select(func.coalesce(func.sum(a.c.debit_rp), 0), func.coalesce(func.sum(a.c.credit_rp), 0)).where(
            a.c.account.in_(cash), day_clause
        )
    ).one()
    return int(debit) - int(credit)


def _add_other(flows: list[Flow], difference: int) -> list[Flow]:
    """Book an unexplained difference on the operating ``other`` line (so the statement reconciles)."""
    kept = [f for f in flows if f.line != OTHER]
    old = next((f for f in flows if f.line == OTHER), Flow(OTHER, OPERATING, 0, 0))
    extra_in, extra_out = max(difference, 0), max(-difference, 0)
    return [*kept, Flow(OTHER, OPERATING, old.in_rp + extra_in, old.out_rp + extra_out)]


def line_label(config: Config, line: str, receipt: bool, lang: str) -> str:
    """The statement line's text for a receipt (``receipt``) or a payment."""
    pick = 1 if lang == "en" else 0
    if line in LINES:
        _, got, paid = LINES[line]
        return (got if receipt else paid)[pick]
    if line.startswith(SAVINGS_PREFIX):
        product = line[len(SAVINGS_PREFIX) :]
        name = _name(config, config.posting.savings_account(product), f"simpanan {product}")
        words = (("Setoran", "deposits"), ("Penarikan", "withdrawals"))[0 if receipt else 1]
        return f"{words[0]} {_lower_first(name)}" if pick == 0 else f"{name}: {words[1]}"
    code = line[len(ACCOUNT_PREFIX) :]
    name = _name(config, code, code)
    account = config.account(code)
    if account is not None and account.type == ASSET:
        words = (("Penjualan", "sold"), ("Pembelian", "bought"))[0 if receipt else 1]
    else:
        words = (("Penerimaan", "received"), ("Pembayaran", "paid"))[0 if receipt else 1]
    return f"{words[0]} {_lower_first(name)}" if pick == 0 else f"{name}: {words[1]}"


def _lower_first(name: str) -> str:
    """``Simpanan SMSK`` -> ``simpanan SMSK``: the account's name inside a sentence."""
    return name[:1].lower() + name[1:]


def _name(config: Config, code: str, default: str) -> str:
    account = config.account(code)
    return account.name if account is not None else default


def statement_lines(
    config: Config, periods: Sequence[CashFlow], lang: str
) -> list[tuple[str, str, tuple[int, ...]]]:
    """(class, text, amount per period) rows of the statements side by side: per class its receipts and
    payments (payments negative) in a fixed order, lines that moved in any period only."""
    savings = [f"{SAVINGS_PREFIX}{product}" for product, _ in config.posting.savings]  # pokok, wajib first
    order = {key: n for n, key in enumerate([*(k for k in LINES if k != "shu"), *savings, "shu"])}
    keys: dict[tuple[str, str], None] = {}
    for period in periods:
        for flow in period.flows:
            keys[(flow.cls, flow.line)] = None

    def rank(item: tuple[str, str]) -> tuple[int, int, str]:
        cls, line = item
        return (CLASSES.index(cls), order.get(line, len(order)), line)

    rows: list[tuple[str, str, tuple[int, ...]]] = []
    for cls, line in sorted(keys, key=rank):
        found = [next((f for f in p.flows if f.line == line), None) for p in periods]
        ins = tuple(f.in_rp if f else 0 for f in found)
        outs = tuple(-f.out_rp if f else 0 for f in found)
        if any(ins):
            rows.append((cls, line_label(config, line, True, lang), ins))
        if any(outs):
            rows.append((cls, line_label(config, line, False, lang), outs))
    return rows


def reconciles(flow: CashFlow) -> bool:
    """Opening cash plus the period's net flow is closing cash."""
    return flow.opening_rp + flow.net_rp == flow.closing_rp


def totals(flows: Iterable[Flow]) -> dict[str, int]:
    """Net flow per class (every class present, 0 when nothing moved)."""
    result = dict.fromkeys(CLASSES, 0)
    for flow in flows:
        result[flow.cls] += flow.net_rp
    return result
