"""The books: cash book, trial balance, balance sheet, income statement, member statement, device chains,
disputes and quarantine. Each report aggregates in SQL and returns ``Section``s of plain data; ``render_*``
turn sections into a readable table, JSON or CSV (pure functions).

Periods are local dates (``YYYY-MM-DD``) in the cooperative's time zone, both ends included.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Connection, and_, func, literal, select

from central import schema
from central.accounts import ASSET, EQUITY, EXPENSE, LIABILITY, REVENUE, balance_sign
from central.errors import UnknownMember
from central.messages import label, t

if TYPE_CHECKING:
    from central.ledger import Ledger

RECENT_LIMIT: Final = 10
MAX_LISTED: Final = 10_000  # rows of a listing report (disputes, quarantine)
FIRST_DAY: Final = "0000-01-01"
LAST_DAY: Final = "9999-12-31"


@dataclass(frozen=True)
class Section:
    """One table of a report: a title, column names, rows of plain values, and summary pairs."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    summary: tuple[tuple[str, Any], ...] = field(default=())


@dataclass(frozen=True)
class Period:
    """A closed range of local dates; None means open on that side."""

    start: str | None = None
    end: str | None = None

    @property
    def lo(self) -> str:
        return self.start or FIRST_DAY

    @property
    def hi(self) -> str:
        return self.end or LAST_DAY

    def label(self) -> str:
        return f"{self.start or '...'} - {self.end or '...'}"


def _today(ledger: Ledger) -> str:
    return datetime.now(ledger.config.tz).date().isoformat()


# -- cash book -----------------------------------------------------------------------------------------


def cashbook(ledger: Ledger, period: Period, lang: str = "id") -> list[Section]:
    """Every receipt and payment of cash in the period, oldest first, with the running balance."""
    j = schema.journal
    cash = ledger.config.posting.cash
    with ledger.read() as conn:
        a = schema.account_days
        debit, credit = conn.execute(
            select(func.coalesce(func.sum(a.c.debit_rp), 0), func.coalesce(func.sum(a.c.credit_rp), 0)).where(
                a.c.account == cash, a.c.day < period.lo
            )
        ).one()
        opening = int(debit) - int(credit)
        query = (
            select(j.c.day, j.c.tx, j.c.unit, j.c.member, j.c.memo, j.c.debit_rp, j.c.credit_rp)
            .where(j.c.account == cash, j.c.day >= period.lo, j.c.day <= period.hi)
            .order_by(j.c.day, j.c.ts, j.c.tx, j.c.line)
        )
        rows = []
        balance = opening
        total_in = total_out = 0
        for day, tx, unit, member, memo, debit, credit in conn.execute(query):
            balance += int(debit) - int(credit)
            total_in += int(debit)
            total_out += int(credit)
            rows.append((day, tx, unit, member or "", memo, int(debit), int(credit), balance))
    return [
        Section(
            "cashbook",
            f"{t('cashbook', lang)} {period.label()}",
            ("day", "tx", "unit", "member", "memo", "in_rp", "out_rp", "balance_rp"),
            tuple(rows),
            (
                ("opening_rp", opening),
                ("in_rp", total_in),
                ("out_rp", total_out),
                ("closing_rp", balance),
            ),
        )
    ]


def _sum_balance(conn: Connection, where: Any) -> int:
    j = schema.journal
    debit, credit = conn.execute(
        select(func.coalesce(func.sum(j.c.debit_rp), 0), func.coalesce(func.sum(j.c.credit_rp), 0)).where(
            where
        )
    ).one()
    return int(debit) - int(credit)


# -- account balances ---------------------------------------------------------------------------------


def _account_sums(conn: Connection, lo: str, hi: str) -> dict[str, tuple[int, int]]:
    """Debits and credits per account over local days lo..hi, from the per-day sums."""
    a = schema.account_days
    query = (
        select(a.c.account, func.sum(a.c.debit_rp), func.sum(a.c.credit_rp))
        .where(a.c.day >= lo, a.c.day <= hi)
        .group_by(a.c.account)
    )
    return {acc: (int(d or 0), int(c or 0)) for acc, d, c in conn.execute(query)}


def trial_balance(ledger: Ledger, period: Period, lang: str = "id") -> list[Section]:
    """Per account: debits, credits and the balance on its normal side, for the period."""
    with ledger.read() as conn:
        sums = _account_sums(conn, period.lo, period.hi)
    rows = []
    total_debit = total_credit = 0
    for account in ledger.config.chart:
        debit, credit = sums.get(account.code, (0, 0))
        if not debit and not credit:
            continue
        net = debit - credit
        rows.append((account.code, account.name, account.type, max(net, 0), max(-net, 0)))
        total_debit += max(net, 0)
        total_credit += max(-net, 0)
    unknown = sorted(set(sums) - {a.code for a in ledger.config.chart})
    for code in unknown:  # accounts removed from the config after posting: still shown
        debit, credit = sums[code]
        net = debit - credit
        rows.append((code, "?", "?", max(net, 0), max(-net, 0)))
        total_debit += max(net, 0)
        total_credit += max(-net, 0)
    return [
        Section(
            "trial_balance",
            f"{t('trial_balance', lang)} {period.label()}",
            ("account", "name", "type", "debit_rp", "credit_rp"),
            tuple(rows),
            (
                ("debit_rp", total_debit),
                ("credit_rp", total_credit),
                ("balanced", total_debit == total_credit),
            ),
        )
    ]


def balance_sheet(ledger: Ledger, on: str, lang: str = "id") -> list[Section]:
    """Assets, liabilities and equity as of ``on``; the surplus (revenue - expenses) counts as equity."""
    with ledger.read() as conn:
        sums = _account_sums(conn, FIRST_DAY, on)
    totals = {ASSET: 0, LIABILITY: 0, EQUITY: 0, REVENUE: 0, EXPENSE: 0}
    rows = []
    for account in ledger.config.chart:
        debit, credit = sums.get(account.code, (0, 0))
        amount = balance_sign(account.type) * (debit - credit)
        totals[account.type] += amount
        if account.type in (ASSET, LIABILITY, EQUITY) and (debit or credit):
            rows.append((account.type, account.code, account.name, amount))
    surplus = totals[REVENUE] - totals[EXPENSE]
    rows.append((EQUITY, "", t("surplus", lang), surplus))
    equity = totals[EQUITY] + surplus
    return [
        Section(
            "balance_sheet",
            f"{t('balance_sheet', lang)} {t('as_of', lang)} {on}",
            ("side", "account", "name", "amount_rp"),
            tuple(rows),
            (
                ("assets_rp", totals[ASSET]),
                ("liabilities_rp", totals[LIABILITY]),
                ("equity_rp", equity),
                ("balanced", totals[ASSET] == totals[LIABILITY] + equity),
            ),
        )
    ]


def income(ledger: Ledger, period: Period, lang: str = "id") -> list[Section]:
    """Revenue and expenses per account (each belongs to a unit) for the period, and the surplus."""
    with ledger.read() as conn:
        sums = _account_sums(conn, period.lo, period.hi)
    rows = []
    revenue = expense = 0
    for account in ledger.config.chart:
        if account.type not in (REVENUE, EXPENSE):
            continue
        debit, credit = sums.get(account.code, (0, 0))
        if not debit and not credit:
            continue
        amount = balance_sign(account.type) * (debit - credit)
        rows.append((account.type, account.unit or "", account.code, account.name, amount))
        if account.type == REVENUE:
            revenue += amount
        else:
            expense += amount
    return [
        Section(
            "income",
            f"{t('income', lang)} {period.label()}",
            ("type", "unit", "account", "name", "amount_rp"),
            tuple(rows),
            (("revenue_rp", revenue), ("expense_rp", expense), ("surplus_rp", revenue - expense)),
        )
    ]


# -- members ------------------------------------------------------------------------------------------


def _voided_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    tx = schema.transactions
    if not ids:
        return set()
    found: set[str] = set()
    for start in range(0, len(ids), 2000):
        part = list(ids[start : start + 2000])
        found.update(
            r for (r,) in conn.execute(select(tx.c.ref).where(tx.c.kind == "void", tx.c.ref.in_(part)))
        )
    return found


def _savings(conn: Connection, ledger: Ledger, number: str, hi: str) -> dict[str, int]:
    j = schema.journal
    by_account = {code: product for product, code in ledger.config.posting.savings}
    result = dict.fromkeys((p for p, _ in ledger.config.posting.savings), 0)
    query = (
        select(j.c.account, func.sum(j.c.credit_rp) - func.sum(j.c.debit_rp))
        .where(j.c.member == number, j.c.account.in_(list(by_account)), j.c.day <= hi)
        .group_by(j.c.account)
    )
    for account, amount in conn.execute(query):
        result[by_account[account]] += int(amount or 0)
    return result


def _member_balance(conn: Connection, number: str, account: str, hi: str) -> int:
    j = schema.journal
    return _sum_balance(conn, and_(j.c.member == number, j.c.account == account, j.c.day <= hi))


def member_statement(ledger: Ledger, number: str, period: Period, lang: str = "id") -> list[Section]:
    """One member's purchases in the period, savings balances and movements, loans and store credit."""
    tx = schema.transactions
    m = schema.members
    posting = ledger.config.posting
    with ledger.read() as conn:
        member = conn.execute(select(m.c.number, m.c.name).where(m.c.number == number)).first()
        if member is None:
            raise UnknownMember(f"no member with number {number!r}; see `export members`")
        in_period = and_(tx.c.member == number, tx.c.day >= period.lo, tx.c.day <= period.hi)
        sales = conn.execute(
            select(tx.c.day, tx.c.id, tx.c.unit, tx.c.payment, tx.c.total_rp)
            .where(in_period, tx.c.kind == "sale")
            .order_by(tx.c.day, tx.c.ts, tx.c.id)
        ).all()
        voided = _voided_ids(conn, [row.id for row in sales])
        purchases = tuple(
            (row.day, row.id, row.unit, row.payment, int(row.total_rp), "void" if row.id in voided else "")
            for row in sales
        )
        movements = conn.execute(
            select(tx.c.day, tx.c.id, tx.c.kind, tx.c.product, tx.c.total_rp)
            .where(in_period, tx.c.kind.in_(["savings_deposit", "savings_withdrawal"]))
            .order_by(tx.c.day, tx.c.ts, tx.c.id)
        ).all()
        savings = _savings(conn, ledger, number, period.hi)
        loans = _loans(conn, number, period.hi)
        credit_used = _member_balance(conn, number, posting.receivable, period.hi)
    bought = sum(row[4] for row in purchases if not row[5])
    return [
        Section(
            "purchases",
            f"{t('member_statement', lang)} {member.number} {member.name} - {t('purchases', lang)} "
            f"{period.label()}",
            ("day", "tx", "unit", "payment", "total_rp", "status"),
            purchases,
            (("total_rp", bought), ("credit_used_rp", credit_used)),
        ),
        Section(
            "savings",
            t("savings", lang),
            ("day", "tx", "kind", "product", "amount_rp"),
            tuple((r.day, r.id, r.kind, r.product, int(r.total_rp)) for r in movements),
            tuple((f"{product}_rp", amount) for product, amount in savings.items()),
        ),
        Section(
            "loans",
            t("loans", lang),
            ("loan", "day", "principal_rp", "repaid_rp", "interest_paid_rp", "outstanding_rp"),
            tuple(loans),
            (("outstanding_rp", sum(row[5] for row in loans)),),
        ),
    ]


def _loans(conn: Connection, number: str, hi: str) -> list[tuple[str, str, int, int, int, int]]:
    tx = schema.transactions
    loans = schema.loans
    rows = conn.execute(
        select(loans.c.loan, loans.c.day, loans.c.principal_rp, loans.c.tx)
        .where(loans.c.member == number, loans.c.day <= hi)
        .order_by(loans.c.day, loans.c.loan)
    ).all()
    if not rows:
        return []
    voided = _voided_ids(conn, [r.tx for r in rows])
    paid_rows = conn.execute(
        select(tx.c.id, tx.c.loan, tx.c.principal_rp, tx.c.interest_rp).where(
            tx.c.member == number, tx.c.kind == "installment", tx.c.day <= hi
        )
    ).all()
    voided_paid = _voided_ids(conn, [r.id for r in paid_rows])
    paid: dict[str, tuple[int, int]] = {}
    for ident, loan, principal, interest in paid_rows:
        if ident in voided_paid:
            continue
        p, i = paid.get(loan, (0, 0))
        paid[loan] = (p + int(principal or 0), i + int(interest or 0))
    result = []
    for row in rows:
        if row.tx in voided:
            continue
        p, i = paid.get(row.loan, (0, 0))
        result.append((row.loan, row.day, int(row.principal_rp), p, i, int(row.principal_rp) - p))
    return result


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def member_summary(ledger: Ledger, number: str, on: date | datetime | None = None) -> dict[str, Any]:
    """The contract's member summary (docs/contracts.md). Points and SHU come from ``central.yearend`` if
    present (``member_points_and_shu(ledger, number, on_date)``), else they are None."""
    tz = ledger.config.tz
    if on is None:
        stamp = datetime.now(tz).replace(microsecond=0)
    elif isinstance(on, datetime):
        stamp = on if on.tzinfo else on.replace(tzinfo=tz)
        stamp = stamp.astimezone(tz).replace(microsecond=0)
    else:
        stamp = datetime(on.year, on.month, on.day, 23, 59, 59, tzinfo=tz)
    hi = stamp.date().isoformat()
    tx = schema.transactions
    m = schema.members
    posting = ledger.config.posting
    with ledger.read() as conn:
        row = conn.execute(select(m.c.name, m.c.credit_limit_rp).where(m.c.number == number)).first()
        if row is None:
            raise UnknownMember(f"no member with number {number!r}")
        savings = _savings(conn, ledger, number, hi)
        loans = [loan for loan in _loans(conn, number, hi) if loan[5] > 0]
        used = _member_balance(conn, number, posting.receivable, hi)
        recent = conn.execute(
            select(tx.c.id, tx.c.at, tx.c.unit, tx.c.total_rp, tx.c.payment, tx.c.kind)
            .where(tx.c.member == number, tx.c.day <= hi)
            .order_by(tx.c.ts.desc(), tx.c.id.desc())
            .limit(RECENT_LIMIT)
        ).all()
        installments = 0
        if loans:
            installments = int(
                conn.execute(
                    select(func.count()).where(tx.c.kind == "installment", tx.c.loan == loans[-1][0])
                ).scalar_one()
            )
    outstanding = sum(loan[5] for loan in loans)
    next_installment = 0
    next_due = None
    if loans:
        _, day, principal, _, _, rest = loans[-1]
        next_installment = min(rest, -(-principal // ledger.config.loan_term_months))
        next_due = _add_months(date.fromisoformat(day), installments + 1).isoformat()
    limit = row.credit_limit_rp if row.credit_limit_rp is not None else ledger.config.default_credit_limit_rp
    points, shu = _points_seam(ledger, number, stamp.date())
    return {
        "member": number,
        "name": row.name,
        "as_of": stamp.isoformat(),
        "year": stamp.year,
        "points": points,
        "savings": savings,
        "loan": {
            "outstanding_rp": outstanding,
            "next_installment_rp": next_installment,
            "next_due": next_due,
        },
        "credit": {"used_rp": used, "limit_rp": int(limit)},
        "recent": [
            {
                "id": r.id,
                "at": r.at,
                "unit": r.unit,
                "total": int(r.total_rp),
                "payment": r.payment,
                "kind": r.kind,
            }
            for r in recent
        ],
        "shu_estimate_rp": shu,
    }


def _points_seam(ledger: Ledger, number: str, on: date) -> tuple[Any, int | None]:
    """Points and SHU estimate from ``central.yearend.member_points_and_shu`` when that module exists."""
    try:
        from central import yearend  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None, None
    hook = getattr(yearend, "member_points_and_shu", None)
    if hook is None:
        return None, None
    points, shu = hook(ledger, number, on)
    return points, (None if shu is None else int(shu))


# -- chains, disputes, quarantine ---------------------------------------------------------------------


def chains(ledger: Ledger, lang: str = "id") -> list[Section]:
    """Per device: how many envelopes, highest contiguous seq, gaps in seq, and broken ``prev`` links."""
    tx = schema.transactions
    nxt = tx.alias("nxt")
    cb = schema.chain_breaks
    with ledger.read() as conn:
        stats = conn.execute(
            select(tx.c.device, func.count(), func.min(tx.c.seq), func.max(tx.c.seq))
            .group_by(tx.c.device)
            .order_by(tx.c.device)
        ).all()
        breaks: dict[str, list[str]] = {}
        for device, seq in conn.execute(select(cb.c.device, cb.c.seq).order_by(cb.c.device, cb.c.seq)):
            breaks.setdefault(device, []).append(str(int(seq)))
        gaps: dict[str, list[str]] = {}
        first_gap: dict[str, int] = {}
        has_next = select(literal(1)).where(nxt.c.device == tx.c.device, nxt.c.seq == tx.c.seq + 1).exists()
        for device, count, _low, high in stats:
            if int(count) == int(high):  # seqs are unique and >= 1: 1..high all present
                continue
            starts = conn.execute(
                select(tx.c.seq).where(tx.c.device == device, ~has_next).order_by(tx.c.seq)
            ).scalars()
            for seq in starts:
                later = conn.execute(
                    select(func.min(tx.c.seq)).where(tx.c.device == device, tx.c.seq > seq)
                ).scalar_one_or_none()
                first_gap.setdefault(device, int(seq))
                if later is not None:
                    gaps.setdefault(device, []).append(f"{int(seq) + 1}-{int(later) - 1}")
    rows = []
    for device, count, low, high in stats:
        missing_from_start = [f"1-{int(low) - 1}"] if int(low) > 1 else []
        contiguous = 0 if int(low) > 1 else first_gap.get(device, int(high))
        rows.append(
            (
                device,
                int(count),
                int(high),
                contiguous,
                " ".join(missing_from_start + gaps.get(device, [])),
                " ".join(breaks.get(device, [])),
            )
        )
    problems = sum(1 for row in rows if row[4] or row[5])
    return [
        Section(
            "chains",
            t("chains", lang),
            ("device", "count", "max_seq", "contiguous_seq", "gaps", "broken_prev_at"),
            tuple(rows),
            (("devices", len(rows)), ("devices_with_problems", problems)),
        )
    ]


def disputes(ledger: Ledger, period: Period, lang: str = "id") -> list[Section]:
    """Disputes members raised against sales in their name, with the disputed sale."""
    tx = schema.transactions
    sale = tx.alias("sale")
    with ledger.read() as conn:
        rows = conn.execute(
            select(tx.c.day, tx.c.id, tx.c.member, tx.c.ref, sale.c.total_rp, sale.c.unit, tx.c.reason)
            .join(sale, sale.c.id == tx.c.ref)
            .where(tx.c.kind == "dispute", tx.c.day >= period.lo, tx.c.day <= period.hi)
            .order_by(tx.c.day, tx.c.id)
            .limit(MAX_LISTED)
        ).all()
    return [
        Section(
            "disputes",
            f"{t('disputes', lang)} {period.label()}",
            ("day", "tx", "member", "sale", "sale_total_rp", "unit", "reason"),
            tuple((r[0], r[1], r[2], r[3], int(r[4]), r[5], r[6]) for r in rows),
            (("count", len(rows)),),
        )
    ]


def quarantine(ledger: Ledger, lang: str = "id") -> list[Section]:
    """Envelopes refused by ingest, newest first, with their reason."""
    q = schema.quarantine
    with ledger.read() as conn:
        rows = conn.execute(
            select(q.c.qid, q.c.received_ts, q.c.id, q.c.device, q.c.seq, q.c.reason)
            .order_by(q.c.qid.desc())
            .limit(MAX_LISTED)
        ).all()
    return [
        Section(
            "quarantine",
            t("quarantine", lang),
            ("qid", "received", "id", "device", "seq", "reason"),
            tuple(
                (
                    int(r[0]),
                    datetime.fromtimestamp(int(r[1]), ledger.config.tz).isoformat(),
                    r[2] or "",
                    r[3] or "",
                    "" if r[4] is None else int(r[4]),
                    r[5],
                )
                for r in rows
            ),
            (("count", len(rows)),),
        )
    ]


# -- rendering (pure) ---------------------------------------------------------------------------------


def _money(value: int, lang: str) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "id" else text


def _cell(column: str, value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return t("balanced", lang) if value else t("not_balanced", lang)
    if isinstance(value, int) and column.endswith("_rp"):
        return _money(value, lang)
    return "" if value is None else str(value)


def render_table(sections: Sequence[Section], lang: str = "id") -> str:
    """A readable fixed-width table per section, money with thousands separators."""
    out: list[str] = []
    for section in sections:
        out.append(section.title)
        cells = [
            [_cell(c, v, lang) for c, v in zip(section.columns, row, strict=True)] for row in section.rows
        ]
        headers = [label(c, lang) for c in section.columns]
        widths = [len(h) for h in headers]
        for row in cells:
            widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
        numeric = [
            c.endswith("_rp") or c in ("count", "max_seq", "contiguous_seq", "seq") for c in section.columns
        ]

        def line(values: Sequence[str], numeric: list[bool] = numeric, widths: list[int] = widths) -> str:
            parts = [
                v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)
            ]
            return "  ".join(parts).rstrip()

        out.append(line(headers))
        out.append("  ".join("-" * w for w in widths))
        out.extend(line(row) for row in cells)
        if not cells:
            out.append(t("no_rows", lang))
        for key, value in section.summary:
            out.append(f"{label(key, lang)}: {_cell(key, value, lang)}")
        out.append("")
    return "\n".join(out)


def to_data(sections: Sequence[Section]) -> dict[str, Any]:
    """Sections as a JSON-ready mapping: {key: {title, columns, rows: [ {col: value} ], summary}}."""
    return {
        s.key: {
            "title": s.title,
            "columns": list(s.columns),
            "rows": [dict(zip(s.columns, row, strict=True)) for row in s.rows],
            "summary": dict(s.summary),
        }
        for s in sections
    }


def render_json(sections: Sequence[Section]) -> str:
    """The sections as JSON (money as integer rupiah)."""
    return json.dumps(to_data(sections), ensure_ascii=False, indent=1)


def render_csv(sections: Sequence[Section]) -> str:
    """The sections as CSV: one header and rows per section, sections separated by an empty line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for number, section in enumerate(sections):
        if number:
            writer.writerow([])
        if len(sections) > 1:
            writer.writerow([f"# {section.key}"])
        writer.writerow(section.columns)
        writer.writerows(section.rows)
    return out.getvalue()


def default_period(ledger: Ledger, start: str | None, end: str | None, *, year_to_date: bool) -> Period:
    """The period a report uses when --from/--to are missing: to today; from the year's start if asked."""
    today = _today(ledger)
    if end is None:
        end = today
    if start is None and year_to_date:
        start = end[:4] + "-01-01"
    return Period(start, end)
