"""Posting rules: one accepted envelope becomes one balanced journal entry. Pure functions, no I/O.

sale           Dr cash (or member receivable when on credit)  total
               Cr revenue of the unit, member or non-member   total
               Dr cost of goods of the unit                   cost   (when cost > 0)
               Cr inventory                                   cost
savings_deposit     Dr cash / Cr savings account of the product
savings_withdrawal  Dr savings account / Cr cash
loan_disbursement   Dr loans receivable / Cr cash
installment    Dr cash total / Cr loans receivable principal / Cr interest income interest
purchase       Dr inventory total / Cr cash (paid) or Cr supplier payables (on credit; [posting] payables)
supplier_payment    Dr supplier payables / Cr cash (paying what credit purchases left owing)
credit_payment      Dr cash / Cr member receivable (a member repays store credit, e.g. by salary deduction)
opening        each item on its account (Dr cash, inventory of a unit, loans, member receivable; Cr savings of
               a product), the difference on the opening balance equity account ([posting] opening)
journal        the office's adjusting entry (jurnal penyesuaian): its lines as given, each on the account it
               names, in the envelope's unit, memo as given (or the purpose's own, see ``JOURNAL_MEMOS``)
void           the voided entry's lines with debit and credit swapped (see ``reverse``)
dispute        no entry
handin         no entry: a clerk's cash hand-in at shift close; the cash is on the books from the shift's
               sales, and a difference is booked (purpose ``cash_difference``) only when the treasurer
               confirms receipt (``central.handins``)
count_line     no entry: items counted on a device for a stock count; ``central.stock.counts`` adds them to
               the open count, and only the count's approval posts (a ``journal``, purpose ``shrinkage``)

The ``journal`` kind is the general way for the office to book what no device records: the month-end loan
allowance (purpose ``allowance``), a write-off against it (``write_off``), a recovery of a written-off loan
(``recovery``), the fees taken when a loan is paid out (``loan_fee``), accruals such as term-deposit
interest (``accrual``), expenses (``expense``), stock-count shrinkage (``shrinkage``), cash differences at a
deposit count (``cash_difference``) and anything else (``adjustment``). Build its body with
``central.office.entries.journal`` and record it with ``central.office.record.record``; it is accepted only
from the office's own chain (``central.ledger.checks``). Rules that hold for every journal:

* the envelope check (``sync.envelope``): 2 to ``MAX_LINES`` lines, each with exactly one side above 0,
  debits equal credits, ``total`` = the debits, account codes well formed, a ``purpose`` from
  ``JOURNAL_PURPOSES``;
* here: every account is in the cooperative's chart (else ``PostingError`` naming it);
* at ingest: only the office's device; a ``loan`` must be a known loan (and the ``member``'s, if given);
  lines on a member's savings or loans account need the ``member``, and lines on the loans account need the
  ``loan`` too, so that member balances and each loan's principal stay right; no member balance goes
  below zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple

from central.config import Config
from sync.envelope import line_amount_rp, line_cost_rp


class PostingError(ValueError):
    """The envelope cannot be posted with this configuration (e.g. its unit sells nothing)."""


class Line(NamedTuple):
    """One journal line: exactly one of ``debit_rp`` and ``credit_rp`` is above 0."""

    account: str
    debit_rp: int
    credit_rp: int
    unit: str
    memo: str


def _dr(account: str, amount_rp: int, unit: str, memo: str) -> Line:
    return Line(account, amount_rp, 0, unit, memo)


def _cr(account: str, amount_rp: int, unit: str, memo: str) -> Line:
    return Line(account, 0, amount_rp, unit, memo)


def post(
    env: Mapping[str, Any], config: Config, amounts: Sequence[tuple[int, int]] | None = None
) -> tuple[Line, ...]:
    """The journal lines of a checked envelope of any kind but ``void`` (see ``reverse``) and ``dispute``.

    Zero-amount lines are left out, so a free item posts no line. The result always balances.
    """
    kind = env["kind"]
    unit = env["unit"]
    total = int(env["total"])
    accounts = config.posting
    lines: list[Line]
    if kind == "sale":
        unit_conf = config.unit(unit)
        if unit_conf is None or unit_conf.accounts is None:
            raise PostingError(f"unit {unit!r} sells nothing in this cooperative's config")
        cost = sum(c for _, c in (amounts if amounts is not None else sale_amounts(env)))
        member = env["member"] is not None
        debit = accounts.receivable if env["payment"] == "credit" else accounts.cash
        revenue = unit_conf.accounts.revenue_member if member else unit_conf.accounts.revenue_non_member
        lines = [
            _dr(debit, total, unit, "penjualan kredit" if env["payment"] == "credit" else "penjualan tunai"),
            _cr(revenue, total, unit, "penjualan anggota" if member else "penjualan non-anggota"),
            _dr(unit_conf.accounts.cogs, cost, unit, "harga pokok"),
            _cr(accounts.inventory, cost, unit, "persediaan keluar"),
        ]
    elif kind == "savings_deposit":
        savings = accounts.savings_account(env["product"])
        lines = [
            _dr(accounts.cash, total, unit, f"setoran {env['product']}"),
            _cr(savings, total, unit, f"setoran {env['product']}"),
        ]
    elif kind == "savings_withdrawal":
        savings = accounts.savings_account(env["product"])
        lines = [
            _dr(savings, total, unit, f"penarikan {env['product']}"),
            _cr(accounts.cash, total, unit, f"penarikan {env['product']}"),
        ]
    elif kind == "loan_disbursement":
        lines = [
            _dr(accounts.loans, total, unit, f"pencairan pinjaman {env['loan']}"),
            _cr(accounts.cash, total, unit, f"pencairan pinjaman {env['loan']}"),
        ]
    elif kind == "installment":
        lines = [
            _dr(accounts.cash, total, unit, f"angsuran {env['loan']}"),
            _cr(accounts.loans, int(env["principal_rp"]), unit, f"angsuran pokok {env['loan']}"),
            _cr(accounts.interest_income, int(env["interest_rp"]), unit, f"jasa pinjaman {env['loan']}"),
        ]
    elif kind == "purchase":
        lines = _purchase_lines(env, config, total)
    elif kind == "credit_payment":
        memo = "pelunasan kredit"
        lines = [_dr(accounts.cash, total, unit, memo), _cr(accounts.receivable, total, unit, memo)]
    elif kind == "supplier_payment":
        payables = _payables(config, "a supplier payment")
        memo = f"{SUPPLIER_PAYMENT_MEMO}: {env['supplier']}"[:MEMO_CHARS]
        lines = [_dr(payables, total, unit, memo), _cr(accounts.cash, total, unit, memo)]
    elif kind == "opening":
        lines = opening_lines(env, config)
    elif kind == "journal":
        lines = journal_lines(env, config)
    elif kind in ("dispute", "handin", "count_line"):
        lines = []
    else:
        raise PostingError(f"kind {kind!r} is not posted by post(); a void uses reverse()")
    result = tuple(line for line in lines if line.debit_rp or line.credit_rp)
    assert_balanced(result)
    return result


PURCHASE_MEMO = "pembelian persediaan"
SUPPLIER_PAYMENT_MEMO = "pembayaran pemasok"
MEMO_CHARS = 80  # the journal's memo column


def purchase_memo(env: Mapping[str, Any]) -> str:
    """The memo of a purchase's lines, readable in the cash book: "pembelian persediaan[: supplier]"."""
    supplier = env.get("supplier")
    memo = f"{PURCHASE_MEMO}: {supplier}" if isinstance(supplier, str) and supplier.strip() else PURCHASE_MEMO
    return memo[:MEMO_CHARS]


def _purchase_lines(env: Mapping[str, Any], config: Config, total: int) -> list[Line]:
    unit = env["unit"]
    unit_conf = config.unit(unit)
    if unit_conf is None or unit_conf.accounts is None:
        raise PostingError(f"unit {unit!r} sells nothing in this cooperative's config, so it buys no stock")
    memo = purchase_memo(env)
    credit = _payables(config, "a purchase on credit") if env["payment"] == "credit" else config.posting.cash
    return [_dr(config.posting.inventory, total, unit, memo), _cr(credit, total, unit, memo)]


def _payables(config: Config, what: str) -> str:
    if config.payables is None:
        raise PostingError(
            f'{what} needs a supplier payables account: add payables = "<account code>" '
            "(a liability, e.g. 2301 Utang usaha) under [posting] in the config"
        )
    return config.payables


OPENING_MEMO = "saldo awal"


def opening_lines(env: Mapping[str, Any], config: Config) -> list[Line]:
    """An opening's items on their accounts, then the opening balance equity account for the difference."""
    if config.opening is None:
        raise PostingError(
            'opening balances need an opening balance equity account: add opening = "<account code>" '
            "(equity, e.g. 3401 Saldo awal) under [posting] in the config"
        )
    accounts = config.posting
    unit = env["unit"]
    lines: list[Line] = []
    for item in env["items"]:
        what, amount = item["what"], int(item["amount_rp"])
        if what == "savings":
            memo = f"{OPENING_MEMO} {item['product']}"
            lines.append(_cr(accounts.savings_account(item["product"]), amount, unit, memo))
        elif what == "loan":
            lines.append(_dr(accounts.loans, amount, unit, f"{OPENING_MEMO} pinjaman {item['loan']}"))
        elif what == "credit":
            lines.append(_dr(accounts.receivable, amount, unit, f"{OPENING_MEMO} kredit toko"))
        elif what == "cash":
            lines.append(_dr(accounts.cash, amount, unit, f"{OPENING_MEMO} kas"))
        else:  # inventory, on the line of its unit
            lines.append(_dr(accounts.inventory, amount, item["unit"], f"{OPENING_MEMO} persediaan"))
    net = sum(line.debit_rp - line.credit_rp for line in lines)
    if net > 0:
        lines.append(_cr(config.opening, net, unit, OPENING_MEMO))
    elif net < 0:
        lines.append(_dr(config.opening, -net, unit, OPENING_MEMO))
    return lines


# The memo of a journal line that gives none, per purpose (what the cash book shows).
JOURNAL_MEMOS: Final[dict[str, str]] = {
    "allowance": "penyisihan piutang pinjaman (PPAP)",
    "write_off": "penghapusan piutang pinjaman",
    "recovery": "pemulihan piutang yang dihapus",
    "loan_fee": "biaya pencairan pinjaman",
    "accrual": "beban yang masih harus dibayar",
    "expense": "beban",
    "shrinkage": "selisih persediaan (stok opname)",
    "cash_difference": "selisih kas",
    "adjustment": "jurnal penyesuaian",
}


def journal_lines(env: Mapping[str, Any], config: Config) -> list[Line]:
    """A journal's lines as given, on the envelope's unit; an account outside the chart is a PostingError."""
    unit = env["unit"]
    default_memo = JOURNAL_MEMOS.get(env["purpose"], "jurnal penyesuaian")
    loan = env.get("loan")
    if loan:
        default_memo = f"{default_memo} {loan}"
    lines: list[Line] = []
    for number, line in enumerate(env["lines"], start=1):
        account = line["account"]
        if config.account(account) is None:
            raise PostingError(
                f"journal line {number}: account {account!r} is not in the chart of accounts "
                "([[accounts]] in the config)"
            )
        memo = (line["memo"].strip() or default_memo)[:MEMO_CHARS]
        lines.append(Line(account, int(line["debit_rp"]), int(line["credit_rp"]), unit, memo))
    return lines


def reverse(lines: Iterable[Line]) -> tuple[Line, ...]:
    """The reversal of an entry: the same lines with debit and credit swapped (a void posts this)."""
    result = tuple(Line(x.account, x.credit_rp, x.debit_rp, x.unit, f"batal: {x.memo}"[:80]) for x in lines)
    assert_balanced(result)
    return result


def sale_amounts(env: Mapping[str, Any]) -> list[tuple[int, int]]:
    """(amount_rp, cost_total_rp) of each sale line, as posted (``sync.envelope`` rounding for decimals)."""
    result = []
    for line in env["lines"]:
        qty = line["qty"]
        if type(qty) is int:  # the common case: exact without Decimal
            result.append((qty * line["price_rp"], qty * line["cost_rp"]))
        else:
            result.append((line_amount_rp(line), line_cost_rp(line)))
    return result


def is_balanced(lines: Iterable[Line]) -> bool:
    """True when the lines' debits equal their credits and no line is negative or two-sided."""
    debit = credit = 0
    for line in lines:
        if line.debit_rp < 0 or line.credit_rp < 0 or (line.debit_rp and line.credit_rp):
            return False
        debit += line.debit_rp
        credit += line.credit_rp
    return debit == credit


def assert_balanced(lines: tuple[Line, ...]) -> None:
    """Raise ``PostingError`` unless the entry balances (checked when built and again when stored)."""
    if not is_balanced(lines):
        raise PostingError(f"journal entry does not balance: {lines!r}")
