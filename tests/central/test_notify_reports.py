"""Delivery reports on the SMS outbox: each sent part's modem reference kept, the network's status reports
put on the right message (delivered, not delivered with the reason, still trying, no report after the
wait), a report for an unknown reference kept and nothing changed, references that wrap, an outbox made
before reports upgraded with its rows, and a service killed after sending and restarted before the report
comes, all against the fake modem on a pty with bounded deadlines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time as walltime
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from central import config
from central.errors import ConfigError
from central.ledger import Ledger
from central.members.rows import MemberRow
from central.notify import daily, outbox, service
from central.notify.delivery import PartReport, delivery
from central.notifyrules import parse
from drivers.fakes.modem import FakeModem
from drivers.modem import GsmModem

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2025, 11, 10)
DEADLINE_S = 10.0
HOUR = 3600
MEMBERS = [
    MemberRow("A001", "Sri Wahyuni", "2024-01-05", "1980-11-10", "0812-3456-7890", "O-", "ketua"),
    MemberRow("A002", "Budi Santoso", "2024-01-05", "1975-03-02", "+62 813 1111 2222", "A+", "anggota"),
]


def at(ledger: Ledger, hour: int, minute: int = 0) -> int:
    return int(datetime.combine(DAY, time(hour, minute), ledger.config.tz).timestamp())


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    """Two members, no quiet hours (the subprocess runs on the real clock), a 72-hour report wait."""
    raw = config.merge_over_defaults(
        config._default_raw(), {"notify": {"quiet_start": "00:00", "quiet_end": "00:00"}}
    )
    with Ledger.open(str(tmp_path / "ledger.sqlite")) as opened:
        opened.init(config.parse(raw))
        opened.import_members(MEMBERS)
        yield opened


def _announce(ledger: Ledger, to: str = "members:A001", now_ts: int | None = None) -> None:
    daily.announce(ledger, to, "Rapat anggota hari Sabtu.", "staf", now_ts or at(ledger, 8))


def _until(check: Callable[[], bool], step: Callable[[], object] = lambda: None) -> None:
    """Run ``step`` until ``check`` holds, within a bounded deadline."""
    deadline = walltime.monotonic() + DEADLINE_S
    while not check():
        assert walltime.monotonic() < deadline, "not reached in time"
        step()
        walltime.sleep(0.02)


def _state(ledger: Ledger, message: int, now_ts: int) -> str:
    found = outbox.get(ledger, message)
    reached = outbox.deliveries(ledger, [found], now_ts).get(message)
    return reached.state if reached is not None else found.state


def _runner(ledger: Ledger, modem: GsmModem, clock: list[int]) -> service.Service:
    runner = service.Service(ledger, lambda: modem, clock=lambda: clock[0])
    runner.rules_day = DAY  # only what the test queues is in the outbox
    return runner


# -- the pure state ------------------------------------------------------------------------------------


def test_delivery_states_from_the_reports_on_the_parts() -> None:
    """Every part received: delivered at the last discharge; any part given up: not delivered with its
    reason; still trying: sent with the reason, then no report after the wait."""
    sent, wait = 1_000, 72 * HOUR
    both = [PartReport(1, 5, 0, 1_100), PartReport(2, 6, 0, 1_200)]
    assert delivery(sent, 2, both, 2_000, wait).state == "delivered"
    assert delivery(sent, 2, both, 2_000, wait).at_ts == 1_200
    assert delivery(sent, 2, both[:1], 2_000, wait).state == "sent"
    lost = delivery(sent, 2, [both[0], PartReport(2, 6, 70, 1_300)], 2_000, wait)
    assert (lost.state, lost.at_ts) == ("not delivered", 1_300)
    assert "masa berlaku habis" in lost.reason("id") and "validity period" in lost.reason("en")
    trying = delivery(sent, 1, [PartReport(1, 5, 34, 1_100)], 2_000, wait)
    assert trying.state == "sent" and "masih dicoba" in trying.reason("id")
    assert delivery(sent, 1, [PartReport(1, 5, 34, 1_100)], sent + wait, wait).state == "no report"
    assert delivery(sent, 1, [], sent + wait - 1, wait).label("id") == "menunggu laporan"


@given(
    statuses=st.lists(st.one_of(st.none(), st.integers(0, 255)), min_size=1, max_size=5),
    age=st.integers(0, 200 * HOUR),
)
def test_one_failed_part_is_never_shown_delivered(statuses: list[int | None], age: int) -> None:
    """A message with a part the network gave up on is not delivered; one is delivered only when every
    part has a final good report; otherwise it waits, then has no report."""
    parts = [PartReport(n, n, s, 100 if s is not None else None) for n, s in enumerate(statuses, start=1)]
    found = delivery(0, len(parts), parts, age, 72 * HOUR)
    if any(s is not None and s >= 64 for s in statuses):
        assert found.state == "not delivered"
    elif all(s is not None and s < 32 for s in statuses):
        assert found.state == "delivered"
    else:
        assert found.state == ("no report" if age >= 72 * HOUR else "sent")


def test_report_wait_is_a_checked_key() -> None:
    assert parse({"report_wait_h": 24}).report_wait_s == 24 * HOUR
    assert parse(None).report_wait_h == 72
    with pytest.raises(ConfigError, match=r"notify\.report_wait_h"):
        parse({"report_wait_h": 0})


# -- through the fake modem ----------------------------------------------------------------------------


def test_sent_then_delivered(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    """The modem's reference is kept; its report (received by the phone) makes the message delivered at
    the phone's time, in the attempts log, the listing and the command line."""
    from central.cli import app

    _announce(ledger)
    clock = [at(ledger, 8)]
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        runner = _runner(ledger, modem, clock)
        assert runner.step().sent == 1
        message = outbox.listing(ledger)[0]
        assert _state(ledger, message.id, clock[0]) == "sent"
        clock[0] += 90
        fake.report(1, 0, at_ts=clock[0] - 30)
        _until(lambda: _state(ledger, message.id, clock[0]) == "delivered", runner.step)
    reached = outbox.deliveries(ledger, [outbox.get(ledger, message.id)], clock[0])[message.id]
    assert reached.at_ts == clock[0] - 30
    assert [o for _, o, _ in outbox.attempts(ledger, message.id)] == ["sent", "report"]
    assert app.main(["--db", ledger.target, "--lang", "en", "notify-queue", "list"]) == 0
    assert "  delivered 2025-11-10 08:01" in capsys.readouterr().out
    assert app.main(["--db", ledger.target, "notify-queue", "show", str(message.id)]) == 0
    assert "diterima ponsel" in capsys.readouterr().out


def test_sent_then_permanently_failed(ledger: Ledger) -> None:
    """A stored report (+CDSI) that the network gave up (67) makes the message not delivered with the
    reason in both languages; the driver deletes the stored report from the modem."""
    _announce(ledger)
    clock = [at(ledger, 8)]
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        runner = _runner(ledger, modem, clock)
        runner.step()
        message = outbox.listing(ledger)[0]
        fake.report(1, 67, stored=True, at_ts=clock[0] + 5)
        _until(lambda: _state(ledger, message.id, clock[0]) == "not delivered", runner.step)
        assert fake.stored_reports() == 0
    reached = outbox.deliveries(ledger, [outbox.get(ledger, message.id)], clock[0])[message.id]
    assert "nomor tidak dapat dihubungi" in reached.reason("id")
    assert "not obtainable" in reached.reason("en")
    assert outbox.get(ledger, message.id).state == "sent"  # the outbox state stays: the network took it


def test_still_trying_then_no_report_after_the_wait(ledger: Ledger) -> None:
    """A 'still trying' report keeps the message waiting with the reason; without a final one it shows no
    report once report_wait_h has passed, and the modem is then no longer kept open for it."""
    _announce(ledger)
    clock = [at(ledger, 8)]
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        runner = _runner(ledger, modem, clock)
        runner.step()
        message = outbox.listing(ledger)[0]
        fake.report(1, 34)
        _until(lambda: bool(outbox.reports(ledger)), runner.step)
    found = outbox.deliveries(ledger, [outbox.get(ledger, message.id)], clock[0])[message.id]
    assert found.state == "sent" and "ponsel tidak menjawab" in found.reason("id")
    assert outbox.awaiting_reports(ledger, clock[0])
    later = clock[0] + 72 * HOUR
    assert _state(ledger, message.id, later) == "no report"
    assert not outbox.awaiting_reports(ledger, later)


def test_a_report_for_an_unknown_reference_is_kept_and_changes_nothing(ledger: Ledger) -> None:
    """A reference this office did not send to that number is in the reports log, matched to nothing; the
    sent message still waits for its own."""
    _announce(ledger)
    clock = [at(ledger, 8)]
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        runner = _runner(ledger, modem, clock)
        runner.step()
        message = outbox.listing(ledger)[0]
        fake.report(77, 0, recipient="+6281999999999")
        fake.report(1, 0, recipient="+6281311112222")  # the right reference, another member's number
        _until(lambda: len(outbox.reports(ledger)) == 2, runner.step)
    kept = outbox.reports(ledger, unmatched=True)
    assert sorted((r.reference, r.phone) for r in kept) == [(1, "+6281311112222"), (77, "+6281999999999")]
    assert _state(ledger, message.id, clock[0]) == "sent"
    assert [o for _, o, _ in outbox.attempts(ledger, message.id)] == ["sent"]


def test_references_wrap_and_a_report_lands_on_the_newest_within_the_wait(ledger: Ledger) -> None:
    """The modem's references go 255 then 0; a reference used again for the same number is matched to the
    newer message, and one sent before the wait is matched to nothing."""
    _announce(ledger, "members:A001,A002")
    clock = [at(ledger, 8)]
    with FakeModem(first_reference=255) as fake, GsmModem(fake.port) as modem:
        runner = _runner(ledger, modem, clock)
        assert runner.step().sent == 2
        first, second = sorted(outbox.listing(ledger), key=lambda m: m.id)
        fake.report(0, 0)
        fake.report(255, 70)
        _until(lambda: len(outbox.reports(ledger)) == 2, runner.step)
    states = {m: _state(ledger, m, clock[0]) for m in (first.id, second.id)}
    assert states == {first.id: "not delivered", second.id: "delivered"}

    # the same reference to the same number again, a day later: the newer message takes the report
    daily.announce(ledger, "members:A001", "Rapat kedua.", "staf", clock[0] + 24 * HOUR)
    newer = outbox.listing(ledger)[0]
    outbox.part_sent(ledger, newer.id, 1, clock[0] + 24 * HOUR, reference=255, phone=first.phone)
    kept = outbox.record_report(
        ledger,
        reference=255,
        recipient="081234567890",  # as a network may write it: the outbox's +62 form is matched
        centre_ts=clock[0] + 25 * HOUR,
        discharge_ts=clock[0] + 25 * HOUR,
        status=0,
        now_ts=clock[0] + 25 * HOUR,
    )
    assert kept.message == newer.id
    # four days on, the reference is past the wait: nothing is matched
    late = outbox.record_report(
        ledger,
        reference=255,
        recipient=first.phone or "",
        centre_ts=clock[0] + 24 * HOUR + 73 * HOUR,
        discharge_ts=clock[0] + 24 * HOUR + 73 * HOUR,
        status=0,
        now_ts=clock[0] + 24 * HOUR + 73 * HOUR,
    )
    assert late.message is None


def test_a_final_report_is_not_undone_by_a_late_still_trying_one(ledger: Ledger) -> None:
    _announce(ledger)
    message = outbox.listing(ledger)[0]
    outbox.part_sent(ledger, message.id, 1, at(ledger, 8), reference=9, phone=message.phone)
    outbox.finish(ledger, message.id, at(ledger, 8), "sent", "")
    for status in (0, 33):
        outbox.record_report(
            ledger,
            reference=9,
            recipient=message.phone or "",
            centre_ts=at(ledger, 8),
            discharge_ts=at(ledger, 9),
            status=status,
            now_ts=at(ledger, 9),
        )
    assert _state(ledger, message.id, at(ledger, 10)) == "delivered"


def test_an_outbox_made_before_reports_is_upgraded_with_its_rows(ledger: Ledger) -> None:
    """An outbox table without the report tables beside it (an office that ran the older service) keeps
    every row; its old sent messages show as waiting, then no report; new sends are tracked."""
    _announce(ledger)
    old = outbox.listing(ledger)[0]
    outbox.finish(ledger, old.id, at(ledger, 8), "sent", "")
    with ledger.write() as conn:
        conn.execute(text("DROP TABLE notify_parts"))
        conn.execute(text("DROP TABLE notify_reports"))
    with Ledger.open(ledger.target) as again:
        assert [m.id for m in outbox.listing(again)] == [old.id]
        assert _state(again, old.id, at(ledger, 9)) == "sent"
        assert _state(again, old.id, at(ledger, 8) + 72 * HOUR) == "no report"
        assert outbox.reports(again) == []


def test_killed_after_sending_and_restarted_before_the_report(ledger: Ledger) -> None:
    """`notify --modem` sends and is killed (SIGKILL); a new service started on the same database and
    modem puts both reports on the right messages: one the modem stored while the service was down, and
    one that comes after the restart."""
    _announce(ledger, "members:A001,A002", now_ts=int(walltime.time()))

    def start() -> subprocess.Popen[bytes]:
        command = ["--db", ledger.target, "notify", "--modem", fake.port, "--tick-s", "1"]
        return subprocess.Popen(
            [sys.executable, "-m", "central", *command],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "KOP_LANG": "en"},
        )

    with FakeModem() as fake:
        proc = start()
        try:
            _until(lambda: outbox.counts(ledger)["sent"] == 2 and proc.poll() is None)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        by_number = {m.phone: m.id for m in outbox.listing(ledger)}
        references = {number: ref for ref, number in fake.recipients.items()}
        opened = fake.report_settings.count("+CNMI=2,1,0,1,0")
        fake.report(references["+6281234567890"], 0, stored=True, announce=False)  # while it is down
        proc = start()
        try:
            _until(lambda: fake.report_settings.count("+CNMI=2,1,0,1,0") > opened or proc.poll() is not None)
            assert proc.poll() is None
            fake.report(references["+6281311112222"], 0)
            now = int(walltime.time())
            target = by_number["+6281311112222"]
            _until(lambda: _state(ledger, target, now) == "delivered")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    other = by_number["+6281234567890"]
    assert _state(ledger, other, int(walltime.time())) == "delivered"
    assert sorted(r.message or 0 for r in outbox.reports(ledger)) == sorted([target, other])
    assert fake.stored_reports() == 0


SENDS = st.lists(
    st.tuples(st.sampled_from(["+6281234567890", "+6281311112222"]), st.integers(0, 3), st.integers(1, 40)),
    min_size=1,
    max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sends=SENDS, phone=st.sampled_from(["+6281234567890", "+6281311112222"]), reference=st.integers(0, 3))
def test_a_report_goes_to_the_newest_part_with_its_number_and_reference_within_the_wait(
    ledger: Ledger, sends: list[tuple[str, int, int]], phone: str, reference: int
) -> None:
    """For any history of sends whose references repeat, a report lands on the newest part sent to its
    number under its reference less than report_wait_h ago, or on nothing."""
    outbox.reports(ledger)  # the tables exist
    with ledger.write() as conn:
        conn.execute(text("DELETE FROM notify_parts"))
    now, sent = at(ledger, 8), []
    for number, (to, ref, gap_h) in enumerate(sends, start=1):
        now += gap_h * HOUR
        outbox.part_sent(ledger, number, 1, now, reference=ref, phone=to)
        sent.append((now, number, to, ref))
    wait = ledger.config.notify.report_wait_s
    fits = [(ts, n) for ts, n, to, ref in sent if to == phone and ref == reference and ts > now - wait]
    kept = outbox.record_report(
        ledger, reference=reference, recipient=phone, centre_ts=now, discharge_ts=now, status=0, now_ts=now
    )
    assert kept.message == (max(fits)[1] if fits else None)
