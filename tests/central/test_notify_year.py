"""A year of days on a generated ledger: the campaigns' rules run every day queue exactly the recipients a
plain computation in this test expects (wajib on the reminder day, installments before and after their due
dates, birthdays), never the same message twice, across reruns of a day and a service killed mid-batch."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from central import config
from central.ledger import Ledger
from central.loans import schedule as sched
from central.members.rows import MemberRow
from central.notify import daily, outbox, service
from central.notify.tables import ensure_tables, notify_outbox
from central.office import entries, identity, record

YEAR = 2025
WAJIB_RP = 50_000
NOTIFY: dict[str, Any] = {
    "campaigns": ["wajib", "installment", "arrears", "birthday"],
    "wajib_day": 10,
    "installment_days_before": 3,
    "arrears_days_after": 7,
    "daily_cap": 10_000,
}


class Counting:
    """A modem that records what it sends and can be told to die after some messages."""

    def __init__(self, die_after: int | None = None, die_before_answer: bool = False) -> None:
        self.sent: list[tuple[str, str]] = []
        self.die_after = die_after
        self.die_before_answer = die_before_answer

    def send_part(self, number: str, text: str) -> int:
        if self.die_after is not None and len(self.sent) >= self.die_after:
            if self.die_before_answer:
                self.sent.append((number, text))  # the modem sent it, the service never heard back
            raise KeyboardInterrupt  # the process is killed mid-send
        self.sent.append((number, text))
        return len(self.sent)

    def close(self) -> None:
        pass


def _members(rng: random.Random) -> list[MemberRow]:
    rows = []
    for n in range(1, 31):
        birth = date(1970, 1, 1) + timedelta(days=rng.randrange(0, 365 * 30))
        if n == 7:
            birth = date(1988, 2, 29)  # greeted on 28 February in 2025
        phone = "0812" + f"{n:08d}"
        if n == 13:
            phone = "+1 555 0100"  # foreign: refused, recorded as failed, never sent
        rows.append(
            MemberRow(f"M{n:03d}", f"Anggota {n}", "2024-06-01", birth.isoformat(), phone, "O+", "anggota")
        )
    return rows


@pytest.fixture
def year(tmp_path: Path) -> Any:
    """A ledger with 30 members, wajib paid irregularly through 2025 and three loans (one never repaid)."""
    rng = random.Random(2025)
    raw = config.merge_over_defaults(
        config._default_raw(),
        {"savings": {"pokok_rp": 0, "wajib_rp": WAJIB_RP, "wajib_from": "2025-01"}, "notify": NOTIFY},
    )
    with Ledger.open(str(tmp_path / "year.sqlite")) as ledger:
        ledger.init(config.parse(raw))
        members = _members(rng)
        ledger.import_members(members)
        ensure_tables(ledger)
        office = identity.init(ledger, tmp_path / "office.key")[0]
        deposits: list[tuple[str, date, int]] = []
        for row in members:
            for month in range(1, 13):
                if rng.random() < 0.6:
                    day = date(YEAR, month, rng.randrange(1, 29))
                    deposits.append((row.number, day, WAJIB_RP * rng.choice((1, 1, 2))))
        for member, day, amount in deposits:
            at = datetime.combine(day, time(9, 0))
            record.record(ledger, office, entries.savings_deposit(member, "wajib", amount), at=at, by="kasir")
        loans = {"L-1": ("M001", date(YEAR, 1, 15), True), "L-2": ("M002", date(YEAR, 3, 31), True)}
        loans["L-3"] = ("M003", date(YEAR, 2, 5), False)
        schedules = {}
        for loan, (member, day, _) in loans.items():
            body = entries.loan_disbursement(member, loan, 1_200_000)
            record.record(ledger, office, body, at=datetime.combine(day, time(10, 0)), by="bendahara")
            schedules[loan] = sched.build("flat", 1_200_000, sched.Decimal(0), 12, day)
        for loan, (member, _, pays) in loans.items():
            for line in schedules[loan] if pays else ():
                if line.due.year == YEAR:
                    body = entries.installment(member, loan, line.principal_rp, 0)
                    record.record(
                        ledger, office, body, at=datetime.combine(line.due, time(11, 0)), by="kasir"
                    )
        yield ledger, members, deposits, loans, schedules


def _expected(
    members: list[MemberRow], deposits: list[tuple[str, date, int]], loans: Any, schedules: Any
) -> Counter[tuple[str, str, str, date]]:
    """(kind, member, period, day) the rules must queue, computed from the test's own data."""
    out: Counter[tuple[str, str, str, date]] = Counter()
    for month in range(1, 13):
        day = date(YEAR, month, 10)
        for row in members:
            paid = sum(a for m, d, a in deposits if m == row.number and d <= day)
            if paid < WAJIB_RP * month:
                out["wajib", row.number, f"{YEAR}-{month:02d}", day] += 1
    for row in members:
        birth = date.fromisoformat(row.birth_date or "")
        greet = date(YEAR, 2, 28) if (birth.month, birth.day) == (2, 29) else birth.replace(year=YEAR)
        out["birthday", row.number, str(YEAR), greet] += 1
    for loan, (member, _, pays) in loans.items():
        for line in schedules[loan]:
            before, after = line.due - timedelta(days=3), line.due + timedelta(days=7)
            if before.year == YEAR:
                out["installment", member, f"{loan}#{line.number}", before] += 1
            if not pays and after.year == YEAR:
                out["arrears", member, f"{loan}#{line.number}", after] += 1
    return out


def _last_id(ledger: Ledger) -> int:
    with ledger.read() as conn:
        return int(conn.execute(select(func.max(notify_outbox.c.id))).scalar() or 0)


def _since(ledger: Ledger, last: int) -> list[tuple[str, str, str]]:
    o = notify_outbox
    with ledger.read() as conn:
        rows = conn.execute(select(o.c.kind, o.c.member, o.c.period).where(o.c.id > last))
        return [(str(k), str(m), str(p)) for k, m, p in rows]


def _ts(ledger: Ledger, day: date, hour: int) -> int:
    return int(datetime.combine(day, time(hour, 0), ledger.config.tz).timestamp())


def test_a_year_of_days_queues_exactly_the_expected_recipients_once(year: Any) -> None:
    """Every day of 2025 the rules queue exactly the expected (kind, member, period); rerunning a day and a
    service killed between marking a message sending and sent add no duplicate, and nothing is sent twice."""
    ledger, members, deposits, loans, schedules = year
    expected = _expected(members, deposits, loans, schedules)
    got: Counter[tuple[str, str, str, date]] = Counter()
    modem = Counting()
    day = date(YEAR, 1, 1)
    while day.year == YEAR:
        before = _last_id(ledger)
        queued = daily.run_rules(ledger, day, _ts(ledger, day, 0))
        assert daily.run_rules(ledger, day, _ts(ledger, day, 1)).new == 0  # a rerun of the day
        new = _since(ledger, before)
        got.update((kind, member, period, day) for kind, member, period in new)
        assert queued.new == len(new)
        if day.day == 10 and day.month == 6:  # killed mid-batch once: the 3rd message sent, not recorded
            dying = Counting(die_after=2, die_before_answer=True)
            with pytest.raises(KeyboardInterrupt):
                service.send_round(ledger, dying, lambda d=day: _ts(ledger, d, 9))
            modem.sent += dying.sent
            assert outbox.counts(ledger)["sending"] == 1
        runner = service.Service(ledger, lambda: modem, clock=lambda d=day: _ts(ledger, d, 9))
        runner.rules_day = day  # the rules of the day ran above
        runner.run(once=True)
        day += timedelta(days=1)
    assert got == expected
    counts = outbox.counts(ledger)
    assert counts["sending"] == counts["queued"] == 0
    assert counts["unknown"] == 1  # the one killed mid-send: the office decides, it is never resent blindly
    failed = outbox.listing(ledger, state="failed", limit=1000)
    assert {m.member for m in failed} == {"M013"} and all("+62" in (m.error or "") for m in failed)
    texts = Counter(modem.sent)
    assert max(texts.values()) == 1  # nothing reached the modem twice
    assert len(modem.sent) == counts["sent"] + 1
    with ledger.read() as conn:
        keys = conn.execute(notify_outbox.select()).fetchall()
    assert len({(k.kind, k.member, k.period) for k in keys}) == len(keys)
