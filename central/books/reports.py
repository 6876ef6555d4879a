"""The books: cash book, trial balance, balance sheet, income statement, device chains,
disputes and quarantine. Each report aggregates in SQL and returns ``Section``s of plain data; ``render_*``
turn sections into a readable table, JSON or CSV (pure functions).

Periods are local dates (``YYYY-MM-DD``) in the cooperative's time zone, both ends included.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import func, literal, select, union_all

from central.accounts import ASSET, EQUITY, EXPENSE, LIABILITY, REVENUE, balance_sign
from central.books.viewer import PUBLIC, Viewer
from central.ledger import schema
from central.ledger.balances import account_sums, income_amounts
from central.messages import label, t
from central.yearend.policy import DEFAULT_SHU_ACCOUNTS

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


def cashbook(ledger: Ledger, period: Period, lang: str = "id", viewer: Viewer = PUBLIC) -> list[Section]:
    """Every receipt and payment of cash in the period, oldest first, with the running balance.

    Every member may read it; the member column names a member only to ``viewer``s who may see them
    (themself, office staff, board, supervisors, manager: ``Viewer.sees``), "anggota" to the others,
    and stays empty for walk-in customers. The default, ``PUBLIC``, names nobody.
    """
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
            rows.append((day, tx, unit, viewer.show(member, lang), memo, int(debit), int(credit), balance))
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


def cash_version(ledger: Ledger, through: str) -> tuple[int, int, int]:
    """(lines, debits, credits) of the cash account up to and including day ``through``, from the per-day
    sums: any cash line that could show on a cash book page ending that day changes it (the journal is
    append-only), so a page made from one version is the page for as long as it holds."""
    a = schema.account_days
    with ledger.read() as conn:
        lines, debit, credit = conn.execute(
            select(
                func.coalesce(func.sum(a.c.lines), 0),
                func.coalesce(func.sum(a.c.debit_rp), 0),
                func.coalesce(func.sum(a.c.credit_rp), 0),
            ).where(a.c.account == ledger.config.posting.cash, a.c.day <= through)
        ).one()
    return int(lines), int(debit), int(credit)


def cashbook_page(
    ledger: Ledger, period: Period, offset: int, limit: int, *, lang: str = "id", viewer: Viewer = PUBLIC
) -> tuple[Section, int]:
    """Lines ``offset`` to ``offset + limit`` of ``cashbook(...)`` (the same rows, running balance and
    summary) and how many lines the whole period has, without reading the whole period's lines: the
    per-day line counts and the balances before a day come from ``account_days``, and only the days the
    page falls on are read line by line."""
    j, a = schema.journal, schema.account_days
    cash = ledger.config.posting.cash
    with ledger.read() as conn:
        counts = [
            (str(day), int(n))
            for day, n in conn.execute(
                select(a.c.day, a.c.lines)
                .where(a.c.account == cash, a.c.day >= period.lo, a.c.day <= period.hi, a.c.lines > 0)
                .order_by(a.c.day)
            )
        ]
        total = sum(n for _, n in counts)

        def sums(*where: Any) -> tuple[int, int]:
            debit, credit = conn.execute(
                select(
                    func.coalesce(func.sum(a.c.debit_rp), 0), func.coalesce(func.sum(a.c.credit_rp), 0)
                ).where(a.c.account == cash, *where)
            ).one()
            return int(debit), int(credit)

        before = sums(a.c.day < period.lo)
        opening = before[0] - before[1]
        inside = sums(a.c.day >= period.lo, a.c.day <= period.hi)
        rows: list[tuple[Any, ...]] = []
        seen = skip = 0
        first_day = last_day = None
        for day, n in counts:
            if seen + n > offset and first_day is None:
                first_day, skip = day, offset - seen
            if first_day is not None:
                last_day = day
                if seen + n >= offset + limit:
                    break
            seen += n
        if first_day is not None and limit > 0:
            start = sums(a.c.day >= period.lo, a.c.day < first_day)
            balance = opening + start[0] - start[1]
            query = (
                select(j.c.day, j.c.tx, j.c.unit, j.c.member, j.c.memo, j.c.debit_rp, j.c.credit_rp)
                .where(j.c.account == cash, j.c.day >= first_day, j.c.day <= last_day)
                .order_by(j.c.day, j.c.ts, j.c.tx, j.c.line)
            )
            for index, (day, tx, unit, member, memo, debit, credit) in enumerate(conn.execute(query)):
                balance += int(debit) - int(credit)
                if skip <= index < skip + limit:
                    rows.append(
                        (day, tx, unit, viewer.show(member, lang), memo, int(debit), int(credit), balance)
                    )
    closing = opening + inside[0] - inside[1]
    section = Section(
        "cashbook",
        f"{t('cashbook', lang)} {period.label()}",
        ("day", "tx", "unit", "member", "memo", "in_rp", "out_rp", "balance_rp"),
        tuple(rows),
        (("opening_rp", opening), ("in_rp", inside[0]), ("out_rp", inside[1]), ("closing_rp", closing)),
    )
    return section, total


def trial_balance(ledger: Ledger, period: Period, lang: str = "id") -> list[Section]:
    """Per account: debits, credits and the balance on its normal side, for the period."""
    with ledger.read() as conn:
        sums = account_sums(conn, period.lo, period.hi)
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


def _surplus_account(ledger: Ledger) -> str | None:
    """The equity account the year-end close debits with the year's SHU (``[shu.accounts] surplus``,
    default 3301), or None when the chart has no such equity account."""
    raw = ledger.config.raw.get("shu", {})
    overrides = raw.get("accounts", {}) if isinstance(raw, dict) else {}
    default = DEFAULT_SHU_ACCOUNTS["surplus"][0]
    code = str(overrides.get("surplus", default) if isinstance(overrides, dict) else default)
    account = ledger.config.account(code)
    return code if account is not None and account.type == EQUITY else None


def balance_sheet(ledger: Ledger, on: str, lang: str = "id") -> list[Section]:
    """Assets, liabilities and equity as of ``on``, as an Indonesian neraca shows them.

    Revenue and expense accounts are never closed into equity; the year-end close instead debits the
    surplus account (3301) with the year's SHU and credits the reserve and the SHU payables. So equity
    shows, besides its accounts (3301 left out), two computed lines: "SHU tahun berjalan", the open
    year's surplus from 1 January of ``on``'s year to ``on`` (revenue - expenses + that year's
    movements of 3301, so a year closed on 31 December shows 0 from then on), and, only when not zero,
    "SHU tahun lalu belum dibagi", earlier years' surplus not (yet) allocated by a close (a year that
    has ended but is not closed, or was reopened). Closed years are in the reserve and the payables.
    """
    year_start = f"{on[:4]}-01-01"
    earlier_end = f"{int(on[:4]) - 1:04d}-12-31"
    with ledger.read() as conn:
        current_sums = account_sums(conn, year_start, on)
        earlier_sums = account_sums(conn, FIRST_DAY, earlier_end) if int(on[:4]) > 1 else {}
    surplus_code = _surplus_account(ledger)
    totals = {ASSET: 0, LIABILITY: 0, EQUITY: 0}
    result = {"current": 0, "earlier": 0}
    rows = []
    for account in ledger.config.chart:
        d_now, c_now = current_sums.get(account.code, (0, 0))
        d_before, c_before = earlier_sums.get(account.code, (0, 0))
        if account.type in (REVENUE, EXPENSE) or account.code == surplus_code:
            sign = -1  # credit-normal: revenue and the surplus account add, expenses subtract
            result["current"] += sign * (d_now - c_now)
            result["earlier"] += sign * (d_before - c_before)
            continue
        debit, credit = d_now + d_before, c_now + c_before
        amount = balance_sign(account.type) * (debit - credit)
        totals[account.type] += amount
        if debit or credit:
            rows.append((account.type, account.code, account.name, amount))
    if result["earlier"]:
        rows.append((EQUITY, "", t("surplus_earlier", lang), result["earlier"]))
    rows.append((EQUITY, "", t("surplus", lang), result["current"]))
    equity = totals[EQUITY] + result["earlier"] + result["current"]
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
        amounts = income_amounts(conn, ledger.config.chart, period.lo, period.hi)
    rows = []
    revenue = expense = 0
    for account, amount in amounts:
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


# -- chains, disputes, quarantine ---------------------------------------------------------------------


def chains(ledger: Ledger, lang: str = "id") -> list[Section]:
    """Per device: how many envelopes, how many of them were refused (authentic envelopes central
    quarantined: they hold their position), highest contiguous seq, gaps in seq, and broken ``prev``
    links."""
    tx = schema.transactions
    rf = schema.refusals
    # A position is taken by a committed transaction or by an authentic refused envelope.
    positions = union_all(select(tx.c.device, tx.c.seq), select(rf.c.device, rf.c.seq)).subquery("pos")
    nxt = positions.alias("nxt")
    cb = schema.chain_breaks
    with ledger.read() as conn:
        stats = conn.execute(
            select(positions.c.device, func.count(), func.min(positions.c.seq), func.max(positions.c.seq))
            .group_by(positions.c.device)
            .order_by(positions.c.device)
        ).all()
        refused: dict[str, int] = {
            device: int(n)
            for device, n in conn.execute(select(rf.c.device, func.count()).group_by(rf.c.device))
        }
        breaks: dict[str, list[str]] = {}
        for device, seq in conn.execute(select(cb.c.device, cb.c.seq).order_by(cb.c.device, cb.c.seq)):
            breaks.setdefault(device, []).append(str(int(seq)))
        gaps: dict[str, list[str]] = {}
        first_gap: dict[str, int] = {}
        has_next = (
            select(literal(1))
            .where(nxt.c.device == positions.c.device, nxt.c.seq == positions.c.seq + 1)
            .exists()
        )
        for device, count, _low, high in stats:
            if int(count) == int(high):  # seqs are unique and >= 1: 1..high all present
                continue
            starts = conn.execute(
                select(positions.c.seq)
                .where(positions.c.device == device, ~has_next)
                .order_by(positions.c.seq)
            ).scalars()
            for seq in starts:
                later = conn.execute(
                    select(func.min(positions.c.seq)).where(
                        positions.c.device == device, positions.c.seq > seq
                    )
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
                int(refused.get(device, 0)),
            )
        )
    problems = sum(1 for row in rows if row[4] or row[5])
    return [
        Section(
            "chains",
            t("chains", lang),
            ("device", "count", "max_seq", "contiguous_seq", "gaps", "broken_prev_at", "refused"),
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
            c.endswith("_rp") or c in ("count", "max_seq", "contiguous_seq", "seq", "refused")
            for c in section.columns
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
