"""The AT-command modem driver and SMS queue against a fake modem on a pty (drivers/modem.py, smsqueue.py)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import DeviceNotFound, ModemError, ModemTimeout, QueueFull, SmsInvalid, SmsRejected
from drivers.fakes.modem import FakeModem
from drivers.modem import GsmModem, rssi_to_dbm
from drivers.sms import MAX_PARTS, SMS_CHARS, gsm_text, normalise_number, split_sms
from drivers.smsqueue import SmsQueue

LONG = (
    "Yth. Bapak/Ibu anggota Koperasi Maju Bersama, simpanan wajib bulan November sebesar Rp 50.000 "
    "belum kami terima. Mohon disetor ke kantor koperasi atau melalui petugas unit sebelum tanggal 30. "
    "Terima kasih atas perhatiannya."
)


def test_init_status_and_send() -> None:
    """The driver sets the modem up (echo off, text mode), reads its status and sends one SMS."""
    with FakeModem(signal=20) as fake, GsmModem(fake.port) as modem:
        status = modem.status()
        references = modem.send_sms("+62 812-3456-7890", "Selamat ulang tahun, Bu Sri!")
    assert fake.commands[:6] == ["AT", "ATE0", "AT+CMEE=1", "AT+CPIN?", "AT+CMGF=1", 'AT+CSCS="IRA"']
    assert (status.sim, status.registered, status.operator, status.signal_rssi) == (
        "READY",
        True,
        "TELKOMSEL",
        20,
    )
    assert status.signal_dbm == -73
    assert references == [1]
    assert fake.messages == [("+6281234567890", "Selamat ulang tahun, Bu Sri!")]


def test_long_message_is_split_into_numbered_parts() -> None:
    """A text longer than 160 characters goes out as (1/n)...(n/n) parts, each within 160, in order."""
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        references = modem.send_sms("+6281234567890", LONG)
    texts = [text for _, text in fake.messages]
    assert len(texts) == len(references) == 2
    assert texts[0].startswith("(1/2) ") and texts[1].startswith("(2/2) ")
    assert all(len(text) <= SMS_CHARS for text in texts)
    assert " ".join(t[6:] for t in texts) == LONG


def test_delivery_error_is_surfaced_with_its_code_and_meaning() -> None:
    """A +CMS ERROR answer raises SmsRejected naming the code and its meaning in both languages."""
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        fake.fail_next(330)
        with pytest.raises(SmsRejected) as caught:
            modem.send_sms("+6281234567890", "Tes")
        assert modem.send_sms("+6281234567890", "Tes lagi") == [1]  # the modem is still usable
    assert caught.value.code == 330
    assert "AT+CSCA" in caught.value.text("en")
    assert "pusat SMS" in caught.value.text("id")


def test_missing_sim_is_a_clear_error() -> None:
    """A modem without a SIM refuses to open with a message saying to insert the SIM."""
    with FakeModem(sim="absent") as fake, pytest.raises(ModemError) as caught:
        GsmModem(fake.port).open()
    assert "SIM" in caught.value.text("en")
    assert "pasang SIM" in caught.value.text("id")


def test_sim_pin_is_entered_when_given() -> None:
    """A SIM that asks for a PIN is unlocked with the configured PIN."""
    with FakeModem(sim="SIM PIN", pin="4321") as fake, GsmModem(fake.port, sim_pin="4321") as modem:
        assert modem.sim_state() == "READY"


def test_no_network_is_refused_as_retryable() -> None:
    """Without network registration the send is refused with CMS 331 (no network service)."""
    with FakeModem(registered="2") as fake, GsmModem(fake.port) as modem:
        assert modem.status().registered is False
        with pytest.raises(SmsRejected) as caught:
            modem.send_sms("+6281234567890", "Tes")
    assert caught.value.code == 331


def test_slow_modem_is_waited_for_within_the_timeouts() -> None:
    """A modem that answers slowly still works when its delays are inside the configured timeouts."""
    with (
        FakeModem(reply_delay_s=0.05, send_delay_s=0.2) as fake,
        GsmModem(fake.port, command_timeout_s=2.0, send_timeout_s=5.0) as modem,
    ):
        assert modem.send_sms("+6281234567890", "Pelan-pelan saja") == [1]


def test_modem_slower_than_the_timeout_raises_modem_timeout() -> None:
    """A send that takes longer than send_timeout_s raises ModemTimeout instead of hanging."""
    with (
        FakeModem(send_delay_s=1.0) as fake,
        GsmModem(fake.port, send_timeout_s=0.2) as modem,
        pytest.raises(ModemTimeout),
    ):
        modem.send_part("+6281234567890", "Tes")


def test_silent_modem_times_out_on_open() -> None:
    """A modem that never answers gives ModemTimeout with a hint about power, port and baud."""
    with FakeModem(silent=True) as fake, pytest.raises(ModemTimeout) as caught:
        GsmModem(fake.port, command_timeout_s=0.2).open()
    assert "baud" in caught.value.text("en")


def test_unsolicited_lines_are_kept_aside() -> None:
    """RING and +CMTI lines arriving between commands never break the next answer."""
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        fake.urc('+CMTI: "SM",3')
        fake.urc("RING")
        assert modem.signal() == (17, -79)
        assert modem.send_sms("+6281234567890", "Tes") == [1]
        assert {"RING", '+CMTI: "SM",3'} <= set(modem.unsolicited)


def test_missing_modem_port_is_a_clear_error() -> None:
    """A port that does not exist gives DeviceNotFound in both languages."""
    with pytest.raises(DeviceNotFound) as caught:
        GsmModem("/dev/ttyNOMODEM").open()
    assert "plugged in" in caught.value.text("en")
    assert "terpasang" in caught.value.text("id")


# -- the queue ---------------------------------------------------------------------------------


class FakeClock:
    """A clock that moves only when slept on, so rate limits and retries are checked without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_queue_sends_through_the_modem_respecting_the_rate_limit() -> None:
    """Queued texts all go out through the real driver, no two SMS closer than the rate limit allows."""
    clock = FakeClock()
    sent_at: list[float] = []
    with FakeModem() as fake, GsmModem(fake.port) as modem:

        def send_part(number: str, text: str) -> int:
            sent_at.append(clock())
            return modem.send_part(number, text)

        queue = SmsQueue(send_part, rate_per_minute=6, clock=clock, sleep=clock.sleep)
        jobs = [queue.put(f"+62812000000{n}", f"Pengumuman {n}") for n in range(4)]
        jobs.append(queue.put("+6281200000099", LONG))
        queue.drain()
    assert [job.state for job in jobs] == ["sent"] * 5
    assert len(fake.messages) == 6
    assert all(b - a >= 10.0 for a, b in itertools.pairwise(sent_at))


def test_queue_retries_retryable_errors_without_resending_sent_parts() -> None:
    """Congestion on part 2 retries later from part 2; part 1 is not sent twice."""
    clock = FakeClock()
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        queue = SmsQueue(
            modem.send_part, rate_per_minute=60, retry_delay_s=30, clock=clock, sleep=clock.sleep
        )
        job = queue.put("+6281234567890", LONG)
        fake.fail_next(*([None] if False else []))
        calls = {"n": 0}
        real = modem.send_part

        def flaky(number: str, text: str) -> int:
            calls["n"] += 1
            if calls["n"] == 2:
                fake.fail_next(42)
            return real(number, text)

        queue._send_part = flaky
        queue.drain()
    assert job.state == "sent"
    assert job.attempts == 1
    assert [t[:6] for _, t in fake.messages] == ["(1/2) ", "(2/2) "]
    assert any(s >= 30 for s in clock.sleeps)


def test_queue_fails_permanent_errors_at_once_and_gives_up_after_attempts_max() -> None:
    """A bad-number refusal fails the job immediately; a retryable one fails after attempts_max tries."""
    clock = FakeClock()
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        queue = SmsQueue(modem.send_part, attempts_max=3, clock=clock, sleep=clock.sleep)
        fake.fail_next(28)
        bad = queue.put("+6281234567890", "Tes")
        queue.drain()
        fake.fail_next(42, 42, 42)
        busy = queue.put("+6281234567890", "Tes")
        queue.drain()
    assert (bad.state, bad.attempts) == ("failed", 1)
    assert "unidentified subscriber" in bad.error_en
    assert (busy.state, busy.attempts) == ("failed", 3)
    assert fake.messages == []


def test_queue_worker_thread_sends_in_the_background() -> None:
    """Started as a context manager, the queue's worker sends what is put without the caller waiting."""
    with (
        FakeModem() as fake,
        GsmModem(fake.port) as modem,
        SmsQueue(modem.send_part, rate_per_minute=600) as q,
    ):
        jobs = [q.put("+6281234567890", f"Pesan {n}") for n in range(3)]
        for _ in range(500):
            if all(job.state == "sent" for job in jobs):
                break
            q._stop.wait(0.02)
    assert [text for _, text in fake.messages] == ["Pesan 0", "Pesan 1", "Pesan 2"]


def test_queue_is_bounded_and_checks_input_at_put() -> None:
    """A full queue says so; a bad number or empty text is refused when queued, not later."""
    queue = SmsQueue(lambda number, text: 1, capacity=2)
    queue.put("+628111", "a")
    queue.put("+628111", "b")
    with pytest.raises(QueueFull):
        queue.put("+628111", "c")
    with pytest.raises(SmsInvalid, match="phone number"):
        SmsQueue(lambda n, t: 1).put("08abc", "x")
    with pytest.raises(SmsInvalid, match="empty"):
        SmsQueue(lambda n, t: 1).put("+628111", "   ")


# -- the pure SMS rules --------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(st.text(min_size=1, max_size=700).filter(lambda t: gsm_text(t) != ""))
def test_split_keeps_every_word_and_fits_each_part(text: str) -> None:
    """Any text that fits in MAX_PARTS messages splits into parts of at most 160 characters, nothing lost."""
    try:
        parts = split_sms(text)
    except SmsInvalid:
        assert len(gsm_text(text)) > SMS_CHARS * MAX_PARTS // 2
        return
    assert all(len(part) <= SMS_CHARS for part in parts)
    body = [p.split(") ", 1)[1] if len(parts) > 1 else p for p in parts]
    assert "".join("".join(body).split()) == "".join(gsm_text(text).split())


def test_text_is_folded_to_what_text_mode_carries() -> None:
    """Accents are dropped and characters outside GSM 7-bit basic are replaced."""
    assert gsm_text("Café [Pengurus] ~ 50%") == "Cafe (Pengurus) - 50%"
    assert gsm_text("emoji 🙂") == "emoji ?"


@pytest.mark.parametrize(
    ("number", "ok"), [("+62 812-3456-7890", "+6281234567890"), ("0812 3456", "08123456")]
)
def test_numbers_are_normalised(number: str, ok: str) -> None:
    """Spaces and dashes are removed from phone numbers."""
    assert normalise_number(number) == ok


def test_signal_conversion() -> None:
    """+CSQ 0..31 maps to -113..-51 dBm, 99 to unknown."""
    assert (rssi_to_dbm(0), rssi_to_dbm(31), rssi_to_dbm(99)) == (-113, -51, None)
