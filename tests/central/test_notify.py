"""The SMS outbox and its campaigns: +62 numbers, consent, the blood-donor table, announcements with their
preview, deposit confirmations, and the service against a fake GSM modem on a pty (quiet hours, the daily
cap, modem errors kept and retried with backoff on an injected clock, a clean stop on SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time as walltime
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central import config
from central.errors import ConfigError
from central.ledger import Ledger
from central.members.rows import MemberRow
from central.notify import campaigns, daily, outbox, phone, service
from central.notify.errors import BadAudience, BadPhone, WrongState
from central.notifyrules import parse
from central.office import entries, identity, record
from drivers.fakes.modem import FakeModem
from drivers.modem import GsmModem

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2025, 11, 10)
MEMBERS = [
    MemberRow("A001", "Sri Wahyuni", "2024-01-05", "1980-11-10", "0812-3456-7890", "O-", "ketua"),
    MemberRow("A002", "Budi Santoso", "2024-01-05", "1975-03-02", "+62 813 1111 2222", "A+", "anggota"),
    MemberRow("A003", "Ani Lestari", "2024-01-05", "1990-07-07", "6281355556666", "AB+", "anggota"),
    MemberRow("A004", "Dedi Kurnia", "2024-01-05", "1985-11-10", "021-555-123", "B", "anggota"),
    MemberRow("A005", "Eka Putri", "2024-01-05", None, "085700001111", "A", "bendahara"),
]


def at(ledger: Ledger, day: date, hour: int, minute: int = 0) -> float:
    return datetime.combine(day, time(hour, minute), ledger.config.tz).timestamp()


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    """A ledger with five members, wajib of Rp 50.000 from 2025-01 and the default [notify]."""
    raw = config.merge_over_defaults(
        config._default_raw(),
        {"savings": {"pokok_rp": 0, "wajib_rp": 50_000, "wajib_from": "2025-01"}, "notify": {"daily_cap": 3}},
    )
    with Ledger.open(str(tmp_path / "ledger.sqlite")) as opened:
        opened.init(config.parse(raw))
        opened.import_members(MEMBERS)
        yield opened


# -- numbers -------------------------------------------------------------------------------------------


@given(
    rest=st.text("0123456789", min_size=8, max_size=11),
    prefix=st.sampled_from(["0", "62", "+62", "+62 ", "(+62) "]),
    sep=st.sampled_from(["", " ", "-", "."]),
)
def test_every_indonesian_form_becomes_plus_62(rest: str, prefix: str, sep: str) -> None:
    """08xx, 62xx and +62xx with any separators all become +628xx."""
    digits = "8" + rest
    written = prefix + sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))
    assert phone.normalise(written) == "+62" + digits


@given(st.text(max_size=20))
def test_any_text_is_a_normalised_number_or_a_clear_refusal(raw: str) -> None:
    """Whatever is typed, the result is +628 and 8 to 11 digits, or BadPhone with a reason in both
    languages."""
    try:
        found = phone.normalise(raw)
    except BadPhone as err:
        assert err.text("id") and err.text("en") and err.text("id") != err.text("en")
        return
    assert found.startswith("+628") and found[1:].isdigit() and 12 <= len(found) <= 15


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "no phone number"),
        ("+1 555 0100", "not an Indonesian number"),
        ("021-555-1234", "not a mobile number"),
        ("0812", "digits after the leading 0"),
        ("812345678", "no prefix"),
        ("08l2345678", "not a phone number"),
    ],
)
def test_refused_numbers_say_why(raw: str, words: str) -> None:
    with pytest.raises(BadPhone) as err:
        phone.normalise(raw)
    assert words in err.value.text("en")


# -- config ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"campaigns": ["spam"]}, "unknown campaign(s) spam"),
        ({"wajib_day": 31}, "notify.wajib_day must be between 1 and 28"),
        ({"quiet_start": "9pm"}, 'notify.quiet_start must be a local time like "21:00"'),
        ({"retry_first_s": 600, "retry_max_s": 60}, "must be at least notify.retry_first_s"),
        ({"lang": "jv"}, 'notify.lang must be "id" or "en"'),
        ({"cap": 1}, "unknown key(s) in [notify]: cap"),
    ],
)
def test_bad_notify_rules_name_the_key(table: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse(table)
    assert words in str(err.value)


def test_quiet_hours_span_midnight_and_backoff_doubles_up_to_the_cap() -> None:
    policy = parse({"quiet_start": "21:00", "quiet_end": "07:00", "retry_first_s": 60, "retry_max_s": 600})
    assert [policy.quiet(time(h, m)) for h, m in ((20, 59), (21, 0), (3, 0), (6, 59), (7, 0))] == [
        False,
        True,
        True,
        True,
        False,
    ]
    assert [policy.retry_delay_s(n) for n in range(1, 7)] == [60, 120, 240, 480, 600, 600]


# -- consent and the blood table ---------------------------------------------------------------------


def test_the_blood_table_gives_each_type_its_donors() -> None:
    """O- gives to everybody, AB+ receives from everybody; an unknown rhesus counts only when both would."""
    assert all(campaigns.compatible(t, "O-") for t in campaigns.BLOOD_TYPES)
    assert all(campaigns.compatible("AB+", t) for t in campaigns.BLOOD_TYPES)
    assert not campaigns.compatible("O+", "A+")
    assert campaigns.compatible("A+", "A") and not campaigns.compatible("A-", "A")
    assert campaigns.compatible("B", "O-") and not campaigns.compatible("B", "O+")
    doc = (ROOT / "docs" / "notify.md").read_text(encoding="utf-8")
    for needed, donors in campaigns.DONORS.items():
        assert f"| {needed} | {', '.join(donors)} |" in doc


def test_arrears_cannot_be_refused_and_donor_calls_need_consent() -> None:
    choices = {("A1", "arrears"): False, ("A1", "wajib"): False, ("A2", "blood"): True}
    assert campaigns.consented("arrears", "A1", choices)
    assert not campaigns.consented("wajib", "A1", choices)
    assert campaigns.consented("wajib", "A2", choices)
    assert campaigns.consented("blood", "A2", choices) and not campaigns.consented("blood", "A1", choices)


def test_opt_outs_are_honoured_when_queueing(ledger: Ledger) -> None:
    """A member who opted out of wajib reminders gets none; the refused landline is recorded as failed."""
    outbox.set_consent(ledger, "A002", {"wajib": False, "arrears": False}, 1, "A002")
    assert outbox.consent_of(ledger, "A002")["wajib"] is False
    queued = daily.run_rules(ledger, DAY, int(at(ledger, DAY, 6)))
    wajib = {m.member: m for m in outbox.listing(ledger) if m.kind == "wajib"}
    assert set(wajib) == {"A001", "A003", "A004", "A005"} and queued.declined == 1
    assert wajib["A004"].state == "failed" and "bukan nomor ponsel" in (wajib["A004"].error or "")
    assert "Rp 550.000" in wajib["A001"].text and "November 2025" in wajib["A001"].text
    birthdays = {m.member for m in outbox.listing(ledger) if m.kind == "birthday"}
    assert birthdays == {"A001", "A004"}


def test_opting_out_cancels_what_is_still_queued(ledger: Ledger) -> None:
    """Refusing a kind also cancels that member's messages of the kind still waiting in the outbox."""
    daily.run_rules(ledger, DAY, int(at(ledger, DAY, 6)))
    waiting = [m for m in outbox.listing(ledger, member="A001") if m.state == "queued"]
    assert {m.kind for m in waiting} == {"wajib", "birthday"}
    outbox.set_consent(ledger, "A001", {"birthday": False}, 2, "A001")
    states = {m.kind: m.state for m in outbox.listing(ledger, member="A001")}
    assert states == {"wajib": "queued", "birthday": "cancelled"}


def test_announcements_preview_their_count_and_reach_role_list_and_donors(ledger: Ledger) -> None:
    """The preview counts recipients after consent and queues nothing; a donor call reaches only consenting
    compatible donors; the same announcement's recipients are queued once."""
    shown = daily.preview(ledger, "all", "Rapat Anggota Tahunan 20 Desember di balai desa.")
    assert len(shown.drafts) == 5 and "Rapat Anggota" in shown.sample
    assert outbox.counts(ledger)["queued"] == 0
    assert [d.member for d in daily.preview(ledger, "role:ketua", "Rapat pengurus").drafts] == ["A001"]
    assert {d.member for d in daily.preview(ledger, "members:A002,A003", "x").drafts} == {"A002", "A003"}
    donors = daily.preview(ledger, "blood:A+", "Pasien Bu Rina di RSUD.")
    assert donors.drafts == () and donors.declined == 3  # A001 O-, A002 A+, A005 A: nobody agreed yet
    outbox.set_consent(ledger, "A001", {"blood": True}, 1, "A001")
    outbox.set_consent(ledger, "A005", {"blood": True}, 1, "A005")
    _, queued = daily.announce(ledger, "blood:A+", "Pasien Bu Rina di RSUD.", "staf", 100)
    assert queued.new == 2
    texts = {m.member: m.text for m in outbox.listing(ledger)}
    assert "donor darah A+" in texts["A001"] and "Pasien Bu Rina" in texts["A005"]
    for bad in ("role:raja", "blood:C+", "everyone", "members:"):
        with pytest.raises(BadAudience):
            daily.preview(ledger, bad, "x")
    with pytest.raises(BadAudience):
        daily.preview(ledger, "all", "   ")


def test_a_wajib_deposit_is_confirmed_once(ledger: Ledger, tmp_path: Path) -> None:
    """A wajib deposit that synced is confirmed with the month and amount; running again adds nothing."""
    office = identity.init(ledger, tmp_path / "office.key")[0]
    at_ = datetime(2025, 11, 12, 9, 0)
    record.record(ledger, office, entries.savings_deposit("A003", "wajib", 550_000), at=at_, by="kasir")
    now = int(walltime.time())
    first = daily.run_rules(ledger, date(2025, 11, 12), now)
    deposit = [m for m in outbox.listing(ledger) if m.kind == "deposit"]
    assert first.new >= 1 and len(deposit) == 1
    assert "Simpanan wajib November 2025 Rp 550.000 sudah diterima" in deposit[0].text
    assert daily.run_rules(ledger, date(2025, 11, 12), now + 60).new == 0


# -- the service and the modem --------------------------------------------------------------------------


def _announce(ledger: Ledger, to: str = "members:A001,A002,A003,A005") -> None:
    daily.announce(ledger, to, "Kantor tutup hari Senin.", "staf", int(at(ledger, DAY, 8)))


def test_the_fake_modem_sends_and_nothing_goes_out_in_quiet_hours(ledger: Ledger) -> None:
    """At 22:00 nothing is sent; at 08:00 the messages go out through the AT driver to +62 numbers."""
    _announce(ledger)
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        assert service.send_round(ledger, modem, lambda: at(ledger, DAY, 22)).held == "quiet"
        assert fake.messages == []
        done = service.send_round(ledger, modem, lambda: at(ledger, DAY, 8))
    assert done.sent == 3  # the daily cap of this ledger
    assert {n for n, _ in fake.messages} == {"+6281234567890", "+6281311112222", "+6281355556666"}
    assert service.send_round(ledger, modem, lambda: at(ledger, DAY, 9)).held == "cap"
    assert outbox.counts(ledger)["queued"] == 1


def test_modem_errors_are_kept_and_retried_with_backoff(ledger: Ledger) -> None:
    """Congestion (+CMS 42) requeues with the first delay then double; no credit (+CMS 50) fails at once;
    both errors are kept on the message in both languages."""
    _announce(ledger, "members:A001,A002")
    clock = [at(ledger, DAY, 8)]
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        fake.fail_next(42, 50)
        done = service.send_round(ledger, modem, lambda: clock[0])
        assert (done.sent, done.retried, done.failed) == (0, 1, 1)
        retry = outbox.listing(ledger, state="queued")[0]
        failed = outbox.listing(ledger, state="failed")[0]
        assert retry.next_ts == int(clock[0]) + 60 and "jaringan padat" in (retry.error or "")
        assert "pulsa habis" in (failed.error or "") and "no credit" in (failed.error or "")
        clock[0] += 30
        assert service.send_round(ledger, modem, lambda: clock[0]).sent == 0  # not yet
        fake.fail_next(42)
        clock[0] += 31
        service.send_round(ledger, modem, lambda: clock[0])
        assert outbox.get(ledger, retry.id).next_ts == int(clock[0]) + 120
        clock[0] += 120
        assert service.send_round(ledger, modem, lambda: clock[0]).sent == 1
    assert [outcome for _, outcome, _ in outbox.attempts(ledger, retry.id)] == ["retry", "retry", "sent"]
    assert len(fake.messages) == 1
    outbox.retry(ledger, failed.id, int(clock[0]), "staf")
    assert outbox.get(ledger, failed.id).state == "queued"
    with pytest.raises(WrongState):
        outbox.retry(ledger, retry.id, int(clock[0]), "staf")  # sent: never again
    outbox.cancel(ledger, failed.id, int(clock[0]), "staf")
    assert outbox.get(ledger, failed.id).state == "cancelled"


def test_attempts_max_fails_the_message(ledger: Ledger) -> None:
    _announce(ledger, "members:A001")
    clock = [at(ledger, DAY, 8)]
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        fake.fail_next(*([331] * 6))
        for _ in range(6):
            service.send_round(ledger, modem, lambda: clock[0])
            clock[0] += 3600
    found = outbox.listing(ledger)[0]
    assert (found.state, found.attempts) == ("failed", 6) and "331" in (found.error or "")


def test_a_modem_that_stops_answering_marks_the_message_unknown(ledger: Ledger) -> None:
    """A send the modem never answers may have gone out: unknown, not resent; the service drops the modem."""
    _announce(ledger, "members:A001,A002")
    with FakeModem(send_delay_s=2.0) as fake:
        opened = GsmModem(fake.port, send_timeout_s=0.3)
        opened.open()
        runner = service.Service(ledger, lambda: opened, clock=lambda: at(ledger, DAY, 8))
        runner.rules_day = DAY  # only the announcement is in the outbox
        done = runner.step()
    assert done.unknown == 1 and runner.modem is None
    assert outbox.counts(ledger)["unknown"] == 1 and outbox.counts(ledger)["queued"] == 1


def test_the_command_line(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    """announce --preview, announce, notify-queue list/show/cancel/retry; a mistake is exit 2, not a
    traceback."""
    from central.cli import app

    db = ["--db", ledger.target, "--lang", "en"]
    assert app.main([*db, "announce", "--to", "role:ketua", "--text", "Rapat jam 9", "--preview"]) == 0
    assert "Preview: 1 recipient(s)" in capsys.readouterr().out
    assert app.main([*db, "announce", "--to", "role:ketua", "--text", "Rapat jam 9"]) == 0
    assert "queued for 1 member(s)" in capsys.readouterr().out
    assert app.main([*db, "notify-queue", "list"]) == 0
    assert "queued 1" in capsys.readouterr().out
    assert app.main([*db, "notify-queue", "show", "1"]) == 0
    assert "Rapat jam 9" in capsys.readouterr().out
    assert app.main([*db, "notify-queue", "cancel", "1"]) == 0
    assert app.main([*db, "notify-queue", "cancel", "1"]) == 2
    assert "only queued, failed or unknown" in capsys.readouterr().err
    assert app.main(["--db", ledger.target, "notify-queue", "retry", "99"]) == 2
    assert "tidak ada pesan nomor 99" in capsys.readouterr().err
    assert app.main([*db, "announce", "--to", "role:raja", "--text", "x"]) == 2
    assert "unknown role" in capsys.readouterr().err
    assert app.main([*db, "notify-consent", "A002", "--deny", "arrears"]) == 2
    assert "statutory" in capsys.readouterr().err
    assert app.main([*db, "notify-consent", "A002", "--allow", "blood"]) == 0
    assert "blood: yes" in capsys.readouterr().out


def test_once_sends_through_the_modem_and_a_missing_modem_is_a_clear_error(
    ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    """`notify --once` sends what is due through the modem on the port and exits; a port with no modem is
    exit 2 with the reason in the user's language."""
    from central.cli import app

    raw = config.merge_over_defaults(
        dict(ledger.config.raw), {"notify": {"quiet_start": "00:00", "quiet_end": "00:00"}}
    )
    ledger.init(config.parse(raw))  # no quiet hours: the test does not depend on the time of day
    _announce(ledger, "members:A001,A002")
    db = ["--db", ledger.target]
    assert app.main([*db, "notify", "--modem", "/dev/no-such-modem", "--once"]) == 2
    assert "tidak bisa membuka port modem /dev/no-such-modem" in capsys.readouterr().err
    with FakeModem() as fake:
        assert app.main([*db, "--lang", "en", "notify", "--modem", fake.port, "--once"]) == 0
    assert "sent 2" in capsys.readouterr().out
    assert sorted(n for n, _ in fake.messages) == ["+6281234567890", "+6281311112222"]


def test_the_service_stops_cleanly_on_sigterm(ledger: Ledger) -> None:
    """`notify --modem PORT` runs until SIGTERM and exits 0 (bounded wait, no sleeping on luck)."""
    with FakeModem() as fake:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "central",
                "--db",
                ledger.target,
                "notify",
                "--modem",
                fake.port,
                "--tick-s",
                "1",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "KOP_LANG": "en"},
        )
        assert proc.stderr is not None
        lines: list[bytes] = []
        reader = threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, b"")), daemon=True)
        reader.start()
        deadline = walltime.monotonic() + 30
        while walltime.monotonic() < deadline and not any(b"rules of" in line for line in lines):
            walltime.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        reader.join(timeout=5)
        assert proc.stdout is not None
        out = proc.stdout.read()
    assert proc.returncode == 0, b"".join(lines).decode()
    assert b"Rules of" in out


def test_the_office_files_include_the_notify_unit() -> None:
    """`provisioning office-files` writes koperasi-notify.service: `central notify` on the modem port."""
    from provisioning.errors import InvalidName
    from provisioning.office import NOTIFY_UNIT, OfficeOptions, office_files

    unit = office_files(OfficeOptions(notify_modem="/dev/serial/by-id/usb-modem-if02"))[
        f"etc/systemd/system/{NOTIFY_UNIT}"
    ]
    assert "notify --modem /dev/serial/by-id/usb-modem-if02" in unit
    assert "SupplementaryGroups=dialout" in unit.splitlines() and "Restart=always" in unit.splitlines()
    with pytest.raises(InvalidName):
        office_files(OfficeOptions(notify_modem="ttyUSB2; rm -rf /"))
