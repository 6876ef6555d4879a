"""Computing a year, closing and reopening it (posting the allocation), board activity, plain data.

``close_year`` posts the allocation to the journal:

    Dr SHU of the year (equity, ``surplus`` account)        SHU
    Cr reserve (equity)                                      reserve share (+ the non-member part)
    Cr members' SHU payable (liability), one line per member
    Cr board / employees / education / social / regional funds (liabilities); board per member when split

``reopen_year`` posts the same lines reversed and keeps who reopened, when and why. Both are rows in
``year_closes`` besides the journal. See docs/points-and-shu.md.
"""

from __future__ import annotations

import getpass
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError

from central.boardactivity import store as activity_store
from central.ledger import schema
from central.ledger.closed import write_closed
from central.ledger.ingest import PG_INGEST_LOCK
from central.yearend.inputs import (
    IncomeFigures,
    ensure_tables,
    income_figures,
    period_inputs,
    points_of,
    year_bounds,
)
from central.yearend.points import (
    PointsResult,
    format_points,
    member_sort_key,
    points_record,
    to_decimal,
)
from central.yearend.policy import (
    AGGREGATE_WORK_MEM_MB,
    BOARD_ROLES,
    JOURNAL_BATCH,
    MAX_ACTIVITY_ROWS,
    MAX_ACTIVITY_SCORE,
    MAX_BY,
    MAX_NOTE,
    MAX_REASON,
    YEAREND_UNIT,
    BadYearendInput,
    YearAlreadyClosed,
    YearBusy,
    YearNotClosed,
    YearNotOver,
    point_policy,
    shu_accounts,
    shu_policy,
)
from central.yearend.shu import (
    Allocation,
    NoSurplus,
    NothingToSplit,
    ShuPolicy,
    allocate,
)
from central.yearend.tables import board_activity, year_closes

if TYPE_CHECKING:
    from central.ledger import Ledger


# -- computing the year -------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearResult:
    """A year's (or year-to-date's) points and allocation, with what they were computed from."""

    year: int
    lo: str
    hi: str
    points: PointsResult
    allocation: Allocation | None  # None: a loss, nothing to allocate
    income: IncomeFigures
    estimate: bool
    timings: Mapping[str, float] = field(default_factory=dict)  # seconds per phase, for operators


def _manual_scores(conn: Connection, lo: str, hi: str) -> dict[str, int]:
    b = board_activity
    return {
        member: int(score)
        for member, score in conn.execute(
            select(b.c.member, func.sum(b.c.score)).where(b.c.day >= lo, b.c.day <= hi).group_by(b.c.member)
        )
    }


def _board_scores(ledger: Ledger, conn: Connection, lo: str, hi: str) -> dict[str, int]:
    """Each board member's score: the points of their activity reports (``central.boardactivity``, by the
    config's points per kind) plus the manual scores of ``board activity`` (adjustments)."""
    scores = activity_store.report_scores(ledger, conn, lo, hi)
    for member, extra in _manual_scores(conn, lo, hi).items():
        scores[member] = scores.get(member, 0) + extra
    return scores


def compute_year(
    ledger: Ledger, year: int, *, on: date | None = None, estimate: bool = False, strict: bool | None = None
) -> YearResult:
    """Points and SHU allocation of ``year`` (up to ``on`` for an estimate); nothing is written.

    ``strict`` (default: not ``estimate``) raises when there is nothing to allocate (a loss, or nobody
    with points); otherwise the result carries ``allocation=None``.
    """
    strict = not estimate if strict is None else strict
    lo, hi = year_bounds(year)
    if on is not None:
        hi = min(hi, on.isoformat())
        if hi < lo:
            raise BadYearendInput(
                f"tanggal {on} sebelum tahun {year}", f"date {on} is before the year {year}"
            )
    config = ledger.config
    ppolicy = point_policy(config)
    spolicy = shu_policy(config)
    ensure_tables(ledger)
    activity_store.ensure_tables(ledger)
    clock = [time.perf_counter()]

    def lap() -> float:
        clock.append(time.perf_counter())
        return clock[-1] - clock[-2]

    with ledger.read() as conn:
        if conn.dialect.name == "postgresql":
            # This transaction only: let the per-member hash aggregates and joins stay in memory.
            conn.exec_driver_sql(f"SET LOCAL work_mem = '{AGGREGATE_WORK_MEM_MB}MB'")
        phases: dict[str, float] = {}
        inputs = period_inputs(conn, config, ppolicy, lo, hi, timings=phases)
        scores = _board_scores(ledger, conn, lo, hi) if spolicy.board_by_activity else {}
    timings = {"aggregate_s": lap(), **{f"aggregate_{k}": v for k, v in phases.items()}}
    points = points_of(ppolicy, inputs)
    timings["points_s"] = lap()
    figures = income_figures(ledger, lo, hi)
    timings["income_s"] = lap()
    allocation: Allocation | None
    try:
        allocation = allocate(
            figures.surplus_rp,
            spolicy,
            points={m.member: m.total for m in points.members},
            non_member_rp=figures.non_member_rp(),
            capital_rp=inputs.capital_rp,
            business_rp=inputs.business_rp,
            board_scores=scores,
        )
    except (NoSurplus, NothingToSplit):
        if strict:
            raise
        allocation = None
    timings["allocate_s"] = lap()
    return YearResult(year, lo, hi, points, allocation, figures, estimate, timings=timings)


# -- closing and reopening ----------------------------------------------------------------------------


def open_round(conn: Connection, year: int) -> tuple[int, Any]:
    """(next round number, the row of the current close or None)."""
    c = year_closes
    rows = conn.execute(select(c).where(c.c.year == year).order_by(c.c.round)).mappings().all()
    current = next((r for r in rows if r["reopened_ts"] is None), None)
    return len(rows) + 1, current


def _allocation_lines(
    allocation: Allocation, policy: ShuPolicy, accounts: Mapping[str, str]
) -> list[tuple[str, int, int, str | None, str]]:
    """(account, debit, credit, member, memo) of the allocation entry; balances by construction."""
    out: list[tuple[str, int, int, str | None, str]] = []
    if allocation.shu_rp:
        out.append((accounts["surplus"], allocation.shu_rp, 0, None, "SHU tahun berjalan dibagi"))
    for fund in allocation.funds:
        if fund.amount_rp == 0:
            continue
        if fund.key == policy.members_fund:
            for share in allocation.members:
                if share.shu_rp:
                    out.append((accounts[fund.key], 0, share.shu_rp, share.member, "SHU anggota"))
        elif fund.key == policy.board_fund and allocation.board:
            for board in allocation.board:
                if board.amount_rp:
                    out.append(
                        (accounts[fund.key], 0, board.amount_rp, board.member, "dana pengurus (keaktifan)")
                    )
        else:
            out.append((accounts[fund.key], 0, fund.amount_rp, None, f"SHU: {fund.name}"[:80]))
    debit = sum(x[1] for x in out)
    credit = sum(x[2] for x in out)
    assert debit == credit == allocation.shu_rp, "the allocation entry must balance"
    return out


def _write_entry(
    conn: Connection, tx_id: str, day: str, lines: Sequence[tuple[str, int, int, str | None, str]]
) -> None:
    from central.ledger.tables import insert_many

    ts = int(time.time())
    rows = [
        (tx_id, number, day, ts, account, debit, credit, YEAREND_UNIT, member, memo)
        for number, (account, debit, credit, member, memo) in enumerate(lines, start=1)
    ]
    for start in range(0, len(rows), JOURNAL_BATCH):
        insert_many(conn, schema.journal, rows[start : start + JOURNAL_BATCH])


def _who(by: str | None) -> str:
    name = (by or "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (OSError, KeyError):
            name = "?"
    return name[:MAX_BY]


CLOSE_ATTEMPTS = 3  # computations of the SHU before a close gives up on books that keep moving


def close_year(ledger: Ledger, year: int, *, by: str | None = None, early: bool = False) -> YearResult:
    """Compute the year's SHU, allocate it, post the allocation and record the close.

    Refused when the year is already closed, when it has not ended yet (unless ``early``), when the
    year made a loss, when the chart lacks the allocation accounts, or when nobody can receive the
    members' share.
    """
    _, hi = year_bounds(year)
    today = datetime.now(ledger.config.tz).date().isoformat()
    if not early and today <= hi:
        raise YearNotOver(
            f"tahun {year} belum berakhir (hari ini {today}); lihat perkiraan dengan "
            f"`report shu --year {year} --estimate`, atau tutup lebih awal dengan --early",
            f"the year {year} has not ended (today is {today}); see the estimate with `report shu --year "
            f"{year} --estimate`, or close it early with --early",
        )
    ensure_tables(ledger)
    with ledger.read() as conn:
        _, current = open_round(conn, year)
    if current is not None:
        raise _already_closed(year, current)
    spolicy = shu_policy(ledger.config)
    accounts = shu_accounts(ledger.config, spolicy)
    who = _who(by)
    # The SHU is computed outside the write (seconds on a big ledger, while devices keep syncing), then
    # posted only if the year's books are still what it was computed from: a sale of the year ingested
    # in between would otherwise be in the books but not in the SHU. Ingest waits while the check and
    # the close are written (SQLite's write lock; PostgreSQL's ingest lock), and after the close a late
    # sale of the year is posted in the next one.
    for _ in range(CLOSE_ATTEMPTS):
        with ledger.read() as conn:
            seen = _books_version(conn, hi)
        result = compute_year(ledger, year)
        assert result.allocation is not None
        lines = _allocation_lines(result.allocation, spolicy, accounts)
        try:
            with ledger.write() as conn:
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (PG_INGEST_LOCK,))
                if _books_version(conn, hi) != seen:
                    continue  # moved while computing: compute again
                round_no, current = open_round(conn, year)
                if current is not None:
                    raise _already_closed(year, current)
                tx_id = f"shu:{year}:close:{round_no}"
                _write_entry(conn, tx_id, hi, lines)
                conn.execute(
                    year_closes.insert().values(
                        year=year,
                        round=round_no,
                        shu_rp=result.allocation.shu_rp,
                        closed_ts=int(time.time()),
                        closed_by=who,
                        close_tx=tx_id,
                        allocation=json.dumps(shu_data(result), ensure_ascii=False, sort_keys=True),
                    )
                )
                write_closed(conn, _closed_now(conn))  # ingest posts this year's late arrivals in the next
        except IntegrityError as err:  # a concurrent close won the race
            raise YearAlreadyClosed(
                f"tahun {year} baru saja ditutup oleh proses lain",
                f"the year {year} was just closed by another run",
            ) from err
        return result
    raise YearBusy(
        f"pembukuan tahun {year} terus berubah selama SHU dihitung ({CLOSE_ATTEMPTS} kali); tidak ada yang "
        "ditutup. Coba lagi saat perangkat tidak sedang mengirim banyak transaksi tahun itu",
        f"the books of {year} kept changing while the SHU was computed ({CLOSE_ATTEMPTS} times); nothing "
        "was closed. Try again when devices are not sending many of that year's transactions",
    )


def _books_version(conn: Connection, hi: str) -> tuple[int, int]:
    """(journal lines, debits) of every day up to ``hi``: any entry posted in the year changes it."""
    a = schema.account_days
    lines, debit = conn.execute(
        select(func.coalesce(func.sum(a.c.lines), 0), func.coalesce(func.sum(a.c.debit_rp), 0)).where(
            a.c.day <= hi
        )
    ).one()
    return int(lines), int(debit)


def _closed_now(conn: Connection) -> set[int]:
    """The years whose latest round is closed and not reopened: what ingest keeps closed (``meta``)."""
    c = year_closes
    latest: dict[int, bool] = {}
    for year, _, reopen_tx in conn.execute(select(c.c.year, c.c.round, c.c.reopen_tx).order_by(c.c.round)):
        latest[int(year)] = reopen_tx is None
    return {year for year, shut in latest.items() if shut}


def _already_closed(year: int, row: Mapping[str, Any]) -> YearAlreadyClosed:
    when = datetime.fromtimestamp(int(row["closed_ts"])).isoformat(timespec="seconds")
    return YearAlreadyClosed(
        f"tahun {year} sudah ditutup ({when} oleh {row['closed_by']}); buka kembali dulu dengan "
        f"`reopen-year {year} --reason ...`",
        f"the year {year} is already closed ({when} by {row['closed_by']}); reopen it first with "
        f"`reopen-year {year} --reason ...`",
    )


def reopen_year(ledger: Ledger, year: int, *, reason: str, by: str | None = None) -> str:
    """Reverse the year's close (a reversing journal entry) and record when, why and by whom; the tx id."""
    year_bounds(year)
    text = " ".join(reason.split())
    if not text:
        raise BadYearendInput(
            "alasan membuka kembali wajib diisi (--reason)", "a reason for reopening is required (--reason)"
        )
    if len(text) > MAX_REASON:
        raise BadYearendInput(
            f"alasan paling panjang {MAX_REASON} karakter",
            f"the reason may be at most {MAX_REASON} characters",
        )
    ensure_tables(ledger)
    j = schema.journal
    c = year_closes
    who = _who(by)
    with ledger.write() as conn:
        _, current = open_round(conn, year)
        if current is None:
            raise YearNotClosed(f"tahun {year} belum ditutup", f"the year {year} is not closed")
        original = conn.execute(
            select(j.c.account, j.c.debit_rp, j.c.credit_rp, j.c.member, j.c.memo, j.c.day)
            .where(j.c.tx == current["close_tx"])
            .order_by(j.c.line)
        ).all()
        reversal = [
            (account, int(credit), int(debit), member, f"batal: {memo}"[:80])
            for account, debit, credit, member, memo, _ in original
        ]
        tx_id = f"shu:{year}:reopen:{current['round']}"
        day = original[0].day if original else f"{year:04d}-12-31"
        _write_entry(conn, tx_id, day, reversal)
        conn.execute(
            c.update()
            .where(c.c.year == year, c.c.round == current["round"])
            .values(reopened_ts=int(time.time()), reopened_by=who, reopen_reason=text, reopen_tx=tx_id)
        )
        write_closed(conn, _closed_now(conn))  # its late arrivals post on their own days again
    return tx_id


def year_history(ledger: Ledger, year: int) -> list[dict[str, Any]]:
    """Every close and reopen of the year: the audit trail."""
    ensure_tables(ledger)
    c = year_closes
    with ledger.read() as conn:
        rows = conn.execute(select(c).where(c.c.year == year).order_by(c.c.round)).mappings().all()
    return [{k: v for k, v in row.items() if k != "allocation"} for row in rows]


def closed_allocation(ledger: Ledger, year: int) -> dict[str, Any] | None:
    """The stored allocation of the year's current close, or None when the year is open."""
    ensure_tables(ledger)
    with ledger.read() as conn:
        _, current = open_round(conn, year)
    if current is None:
        return None
    data: dict[str, Any] = json.loads(current["allocation"])
    data["closed"] = {"round": current["round"], "at": int(current["closed_ts"]), "by": current["closed_by"]}
    return data


# -- board activity -----------------------------------------------------------------------------------


def record_activity(
    ledger: Ledger, member: str, score: int, *, on: date, note: str = "", by: str | None = None
) -> None:
    """Record a board member's activity score (seed 000's merit system)."""
    if isinstance(score, bool) or not 1 <= score <= MAX_ACTIVITY_SCORE:
        raise BadYearendInput(
            f"skor keaktifan harus 1..{MAX_ACTIVITY_SCORE}",
            f"the activity score must be 1..{MAX_ACTIVITY_SCORE}",
        )
    row = ledger.member(member)
    if row["role"] not in BOARD_ROLES:
        raise BadYearendInput(
            f"anggota {member} berperan {row['role']}, bukan pengurus ({', '.join(BOARD_ROLES)})",
            f"member {member} has role {row['role']}, not a board role ({', '.join(BOARD_ROLES)})",
        )
    ensure_tables(ledger)
    b = board_activity
    with ledger.write() as conn:
        count = conn.execute(
            select(func.count()).where(b.c.day >= f"{on.year:04d}-01-01", b.c.day <= f"{on.year:04d}-12-31")
        ).scalar_one()
        if int(count) >= MAX_ACTIVITY_ROWS:
            raise BadYearendInput(
                f"sudah {MAX_ACTIVITY_ROWS} catatan keaktifan tahun ini",
                f"{MAX_ACTIVITY_ROWS} records this year",
            )
        conn.execute(
            b.insert().values(
                member=member,
                day=on.isoformat(),
                score=score,
                note=" ".join(note.split())[:MAX_NOTE],
                recorded_ts=int(time.time()),
                recorded_by=_who(by),
            )
        )


def activity_totals(ledger: Ledger, year: int) -> dict[str, int]:
    """Activity score per board member in the year: their reports' points plus manual scores."""
    return {m: reports + manual for m, (reports, manual) in activity_parts(ledger, year).items()}


def activity_parts(ledger: Ledger, year: int) -> dict[str, tuple[int, int]]:
    """Per board member in the year: (points of their activity reports, manual scores recorded)."""
    lo, hi = year_bounds(year)
    ensure_tables(ledger)
    activity_store.ensure_tables(ledger)
    with ledger.read() as conn:
        reports = activity_store.report_scores(ledger, conn, lo, hi)
        manual = _manual_scores(conn, lo, hi)
    return {m: (reports.get(m, 0), manual.get(m, 0)) for m in sorted(set(reports) | set(manual))}


# -- plain data for reports, JSON and the demo --------------------------------------------------------


def shu_data(result: YearResult) -> dict[str, Any]:
    """The allocation as plain, JSON-ready data: per fund, per member (points, shu_rp), board, totals."""
    allocation = result.allocation
    points = result.points.by_member()
    members: list[dict[str, Any]] = []
    if allocation is not None:
        for share in allocation.members:
            entry: dict[str, Any] = {
                "member": share.member,
                "points": format_points(share.points),
                "shu_rp": share.shu_rp,
            }
            if allocation.method == "classic":
                entry["modal_rp"] = share.modal_rp
                entry["usaha_rp"] = share.usaha_rp
            members.append(entry)
    else:
        members = [
            {"member": m, "points": format_points(p.total), "shu_rp": 0}
            for m, p in sorted(points.items(), key=lambda kv: member_sort_key(kv[0]))
        ]
    funds = (
        [
            {"fund": f.key, "name": f.name, "percent": _percent(f.percent), "amount_rp": f.amount_rp}
            for f in allocation.funds
        ]
        if allocation is not None
        else []
    )
    total_points = sum((p.total for p in points.values()), Fraction(0))
    return {
        "year": result.year,
        "period": {"from": result.lo, "to": result.hi},
        "estimate": result.estimate,
        "method": allocation.method if allocation is not None else None,
        "shu_rp": result.income.surplus_rp,
        "non_member_rp": allocation.non_member_rp if allocation is not None else 0,
        "funds": funds,
        "members": members,
        "board": [
            {"member": b.member, "score": b.score, "amount_rp": b.amount_rp}
            for b in (allocation.board if allocation is not None else ())
        ],
        "totals": {
            "funds_rp": sum(f["amount_rp"] for f in funds),
            "members_rp": sum(m["shu_rp"] for m in members),
            "points": format_points(total_points),
            "members": len(members),
        },
    }


def _percent(value: Fraction) -> str:
    return format(to_decimal(value).normalize(), "f")


def points_data(result: PointsResult, member: str | None = None) -> list[dict[str, object]]:
    """``report points --json``: one object per member with member, active, passive, bonus, total."""
    return [points_record(m) for m in result.members if member is None or m.member == member]


def close_year_for_demo(ledger: Ledger, year: int, *, by: str = "demo", early: bool = True) -> dict[str, Any]:
    """Close ``year`` and return the allocation and the per-member table (``shu_data``) for the demo."""
    return shu_data(close_year(ledger, year, by=by, early=early))
