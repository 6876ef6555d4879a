"""Board activity reports in side tables of the ledger database, and a year's tally for the merit split.

``board_reports`` holds one row per report (who, kind, day, description); ``board_report_photos`` its
optional photo as ``central.images`` made it safe. The year-end reads ``report_scores`` when it splits the
board fund (``central.yearend.closing``); the manual scores of ``central board activity`` stay beside them
as adjustments.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    select,
)

from central.boardactivity import rules
from central.boardactivity.rules import ActivityError, MeritRule, Tally
from central.errors import UnknownMember

if TYPE_CHECKING:
    from central.images import Photo
    from central.ledger import Ledger

MAX_BY: Final = 40
MAX_LISTED: Final = 500

metadata = MetaData()

board_reports = Table(
    "board_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member", String(40), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("day", String(10), nullable=False, index=True),
    Column("description", String(rules.MAX_DESCRIPTION), nullable=False),
    Column("by", String(MAX_BY), nullable=False),
    Column("ts", BigInteger, nullable=False),
)

board_report_photos = Table(
    "board_report_photos",
    metadata,
    Column("report", Integer, primary_key=True),  # one photo per report
    Column("jpeg", LargeBinary, nullable=False),
    Column("thumb", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
)


def _key(done: Any) -> int:
    """The number the database gave the row just inserted."""
    made = done.inserted_primary_key
    assert made is not None
    return int(made[0])


def ensure_tables(ledger: Ledger) -> None:
    """Create the reports' tables if missing (``Ledger.create_side_tables`` does it once per ledger)."""
    ledger.create_side_tables(metadata)


class UnknownReport(ActivityError):
    """No report (or photo) with that number."""


@dataclass(frozen=True)
class Report:
    id: int
    member: str
    kind: str
    day: str
    description: str
    by: str
    ts: int
    photo: bool


def rule(ledger: Ledger) -> MeritRule:
    """The merit rule of the ledger's config."""
    return rules.rule_from_config(ledger.config.raw)


def file(
    ledger: Ledger,
    member: str,
    kind: str,
    description: str,
    day: date,
    *,
    today: date,
    by: str,
    photo: Photo | None = None,
) -> int:
    """File a report of board member ``member``; its number. Refused when the member files no reports."""
    kind, text, day = rules.check_report(kind, description, day, today)
    try:
        role = str(ledger.member(member)["role"])
    except UnknownMember as err:
        raise ActivityError(f"no member {member[:40]!r}", f"tidak ada anggota {member[:40]!r}") from err
    if role not in rules.BOARD_ROLES:
        raise ActivityError(
            f"member {member} is {role}; activity reports are filed by {', '.join(rules.BOARD_ROLES)}",
            f"anggota {member} berperan {role}; laporan keaktifan diisi oleh {', '.join(rules.BOARD_ROLES)}",
        )
    ensure_tables(ledger)
    b = board_reports
    with ledger.write() as conn:
        year = f"{day.year:04d}"
        count = conn.execute(
            select(func.count()).where(
                b.c.member == member, b.c.day.between(f"{year}-01-01", f"{year}-12-31")
            )
        ).scalar_one()
        if int(count) >= rules.MAX_REPORTS_PER_YEAR:
            raise ActivityError(
                f"{rules.MAX_REPORTS_PER_YEAR} reports in {year} already, the most",
                f"sudah {rules.MAX_REPORTS_PER_YEAR} laporan pada {year}, paling banyak",
            )
        done = conn.execute(
            b.insert().values(
                member=member,
                kind=kind,
                day=day.isoformat(),
                description=text,
                by=by[:MAX_BY],
                ts=int(time.time()),
            )
        )
        number = _key(done)
        if photo is not None:
            conn.execute(
                board_report_photos.insert().values(
                    report=number, jpeg=photo.jpeg, thumb=photo.thumb, sha256=photo.sha256
                )
            )
    return number


def _reports(conn: Connection, query: object) -> list[Report]:
    has_photo = set(conn.execute(select(board_report_photos.c.report)).scalars())
    return [
        Report(
            int(r.id),
            str(r.member),
            str(r.kind),
            str(r.day),
            str(r.description),
            str(r.by),
            int(r.ts),
            r.id in has_photo,
        )
        for r in conn.execute(query)  # type: ignore[call-overload]
    ]


def listing(ledger: Ledger, year: int, *, member: str | None = None, limit: int = MAX_LISTED) -> list[Report]:
    """The reports of ``year`` (of one member when asked), newest day first."""
    ensure_tables(ledger)
    b = board_reports
    query = (
        select(b)
        .where(b.c.day.between(f"{year:04d}-01-01", f"{year:04d}-12-31"))
        .order_by(b.c.day.desc(), b.c.id.desc())
        .limit(max(1, min(limit, MAX_LISTED)))
    )
    if member is not None:
        query = query.where(b.c.member == member)
    with ledger.read() as conn:
        return _reports(conn, query)


def get(ledger: Ledger, number: int) -> Report:
    ensure_tables(ledger)
    with ledger.read() as conn:
        found = _reports(conn, select(board_reports).where(board_reports.c.id == number))
    if not found:
        raise UnknownReport(f"no report number {number}", f"tidak ada laporan nomor {number}")
    return found[0]


def photo(ledger: Ledger, number: int, *, thumb: bool = False) -> bytes:
    ensure_tables(ledger)
    p = board_report_photos
    with ledger.read() as conn:
        data = conn.execute(select(p.c.thumb if thumb else p.c.jpeg).where(p.c.report == number)).scalar()
    if data is None:
        raise UnknownReport(f"report {number} has no photo", f"laporan {number} tidak berfoto")
    return bytes(data)


def tallies(conn: Connection, lo: str, hi: str, merit: MeritRule) -> dict[str, Tally]:
    """Each board member's reports per kind and score between the days ``lo`` and ``hi`` (inclusive)."""
    b = board_reports
    counted = conn.execute(
        select(b.c.member, b.c.kind, func.count())
        .where(b.c.day.between(lo, hi))
        .group_by(b.c.member, b.c.kind)
    ).all()
    return rules.tally(((str(m), str(k), int(n)) for m, k, n in counted), merit)


def report_scores(ledger: Ledger, conn: Connection, lo: str, hi: str) -> dict[str, int]:
    """Score per board member from the reports between ``lo`` and ``hi`` (what the year-end splits by);
    the caller made the tables (``ensure_tables``) before opening ``conn``."""
    return {m: t.score for m, t in tallies(conn, lo, hi, rule(ledger)).items()}


def year_tallies(ledger: Ledger, year: int) -> dict[str, Tally]:
    ensure_tables(ledger)
    with ledger.read() as conn:
        return tallies(conn, f"{year:04d}-01-01", f"{year:04d}-12-31", rule(ledger))
