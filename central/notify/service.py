"""The notify service: once a local day it runs the campaigns' rules, every tick it confirms fresh wajib
deposits and sends what the outbox has due through the GSM modem, never in the quiet hours and never more
than the daily cap. ``python -m central notify --modem PORT`` runs it (``central.cli.notify``).

The clock, the modem and the wait are injected, so tests run a year of days without sleeping. The one
modem call is ``send_part(number, text) -> reference`` (``drivers.modem.GsmModem.send_part``).

What an attempt's outcome does to a message (``central.notify.outbox`` has the states):
- the modem gives a reference for every part: ``sent``;
- a ``+CMS ERROR`` the driver marks retryable (congestion, no network, ...): queued again after
  ``retry_first_s`` doubled per attempt, at most ``retry_max_s``; after ``attempts_max`` attempts, ``failed``;
- a permanent ``+CMS ERROR`` (bad number, no credit): ``failed`` with the modem's reason;
- any other modem failure (no answer, the port gone) may come after the text was handed over: the message
  becomes ``unknown`` (never resent blindly), the batch stops, and the modem is opened again later.

Each part's reference is kept as it goes out, and every tick the network's status reports the modem
passed on (``status_reports()``, when the modem has it) are put on the messages they are about
(``outbox.record_report``). The modem stays open while any sent message still waits for its report, so
reports that come after the send (minutes or a day later) are read; after a restart the references are
read from the database, so a report lands on the right message whatever happened between.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Protocol

from central.ledger import Ledger
from central.notify import campaigns, daily, outbox
from drivers.errors import DriverError, ModemError, SmsInvalid, SmsRejected
from drivers.sms import describe_cms, split_sms
from drivers.smsreport import StatusReport

log = logging.getLogger("central.notify")
BATCH_MAX: Final = 50  # messages per send round
TICK_S: Final = 30.0  # between rounds
MODEM_RETRY_S: Final = 60  # after the modem could not be opened or broke mid-send
MAX_ROUNDS_ONCE: Final = 1000  # --once sends what is due in at most this many rounds


class Modem(Protocol):
    def send_part(self, number: str, text: str) -> int: ...

    def close(self) -> None: ...


class ReportingModem(Modem, Protocol):
    def status_reports(self) -> list[StatusReport]: ...


@dataclass(frozen=True)
class Round:
    """What one send round did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0
    held: str = ""  # "quiet" or "cap" when nothing could be sent for that reason


def _both(err: DriverError) -> str:
    return f"{err.id} | {err.en}"


def local_now(ledger: Ledger, now_ts: float) -> datetime:
    return datetime.fromtimestamp(now_ts, ledger.config.tz)


def send_round(ledger: Ledger, modem: Modem, clock: Callable[[], float], *, batch: int = BATCH_MAX) -> Round:
    """Send the messages due now (outside the quiet hours, within the day's cap), one at a time."""
    policy = ledger.config.notify
    now = local_now(ledger, clock())
    if policy.quiet(now.time()):
        return Round(held="quiet")
    midnight = int(now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())
    left = policy.daily_cap - outbox.sent_since(ledger, midnight)
    if left <= 0:
        return Round(held="cap")
    counts = {"sent": 0, "queued": 0, "failed": 0, "unknown": 0}
    for message in outbox.due(ledger, int(clock()), min(batch, left)):
        if not outbox.claim(ledger, message.id, int(clock())):
            continue
        state = _send_one(ledger, modem, clock, message)
        counts[state] += 1
        if state == "unknown":
            break  # the modem is in doubt: stop, open it again later
    return Round(counts["sent"], counts["queued"], counts["failed"], counts["unknown"])


def read_reports(ledger: Ledger, modem: Modem, clock: Callable[[], float]) -> list[outbox.Report]:
    """Put the status reports the modem has passed on since the last call on their messages."""
    reader = getattr(modem, "status_reports", None)
    if reader is None:
        return []
    kept = []
    for report in reader():
        kept.append(
            outbox.record_report(
                ledger,
                reference=report.reference,
                recipient=report.recipient,
                centre_ts=report.centre_ts,
                discharge_ts=report.discharge_ts,
                status=report.status,
                now_ts=int(clock()),
            )
        )
        if kept[-1].message is None:
            log.warning(
                "status report for reference %s to %s matched no message sent in the last %s h: kept",
                report.reference,
                report.recipient,
                ledger.config.notify.report_wait_h,
            )
    return kept


def _send_one(ledger: Ledger, modem: Modem, clock: Callable[[], float], message: outbox.Message) -> str:
    policy = ledger.config.notify
    attempt = message.attempts + 1
    try:
        if message.phone is None:
            raise SmsInvalid(
                "the member has no usable phone number", "anggota tidak punya nomor telepon yang sah"
            )
        parts = split_sms(message.text)
        for number in range(message.parts_sent, len(parts)):
            reference = modem.send_part(message.phone, parts[number])
            outbox.part_sent(
                ledger, message.id, number + 1, int(clock()), reference=reference, phone=message.phone
            )
    except SmsRejected as err:
        retry = describe_cms(err.code).retry if err.code is not None else True
        now = int(clock())
        if retry and attempt < policy.attempts_max:
            wait = policy.retry_delay_s(attempt)
            outbox.finish(ledger, message.id, now, "queued", _both(err), next_ts=now + wait)
            log.warning("message %s: %s; retry in %s s", message.id, err.en, wait)
            return "queued"
        outbox.finish(ledger, message.id, now, "failed", _both(err))
        log.warning("message %s failed: %s", message.id, err.en)
        return "failed"
    except SmsInvalid as err:
        outbox.finish(ledger, message.id, int(clock()), "failed", _both(err))
        return "failed"
    except ModemError as err:
        outbox.finish(ledger, message.id, int(clock()), "unknown", _both(err))
        log.error("message %s: the modem failed mid-send (%s); marked unknown", message.id, err.en)
        return "unknown"
    outbox.finish(ledger, message.id, int(clock()), "sent", "")
    return "sent"


class Service:
    """The loop (module docstring). ``open_modem`` opens the modem (raising ``DriverError`` when it cannot);
    ``stop`` ends the loop between messages (SIGTERM sets it)."""

    def __init__(
        self,
        ledger: Ledger,
        open_modem: Callable[[], Modem],
        *,
        clock: Callable[[], float] = time.time,
        stop: threading.Event | None = None,
        tick_s: float = TICK_S,
    ) -> None:
        self.ledger = ledger
        self.open_modem = open_modem
        self.clock = clock
        self.stop = stop or threading.Event()
        self.tick_s = tick_s
        self.modem: Modem | None = None
        self.modem_after = 0.0
        self.rules_day: date | None = None

    def _modem(self) -> Modem | None:
        if self.modem is None and self.clock() >= self.modem_after:
            try:
                self.modem = self.open_modem()
            except DriverError as err:
                log.error("cannot open the modem: %s; trying again in %s s", err.en, MODEM_RETRY_S)
                self.modem_after = self.clock() + MODEM_RETRY_S
        return self.modem

    def _drop_modem(self) -> None:
        modem, self.modem = self.modem, None
        self.modem_after = self.clock() + MODEM_RETRY_S
        if modem is not None:
            try:
                modem.close()
            except (DriverError, OSError) as err:
                log.warning("closing the modem: %s", err)

    def rules(self) -> outbox.Queued | None:
        """Run the day's rules once per local day, and the deposit confirmations every time."""
        now_ts = self.clock()
        day = local_now(self.ledger, now_ts).date()
        if day != self.rules_day:
            queued = daily.run_rules(self.ledger, day, int(now_ts))
            self.rules_day = day
            log.info(
                "rules of %s: %s new, %s already queued, %s opted out",
                day,
                queued.new,
                queued.existing,
                queued.declined,
            )
            return queued
        if "deposit" in self.ledger.config.notify.campaigns:
            drafts = campaigns.deposit_confirmations(
                self.ledger.config.name,
                self.ledger.config.notify.lang,
                daily.people(self.ledger),
                daily._deposits(self.ledger, day, int(now_ts)),
            )
            return outbox.enqueue(self.ledger, drafts, int(now_ts))
        return None

    def _reports(self) -> None:
        """Read the status reports if the modem is open, or if a sent message still waits for one."""
        if self.modem is None and not outbox.awaiting_reports(self.ledger, int(self.clock())):
            return
        modem = self._modem()
        if modem is None:
            return
        try:
            read_reports(self.ledger, modem, self.clock)
        except DriverError as err:
            log.error("reading status reports: %s; the modem is opened again later", err.en)
            self._drop_modem()

    def step(self) -> Round:
        """One tick: the rules, the status reports that came, then one send round if the modem is there."""
        self.rules()
        self._reports()
        if not outbox.due(self.ledger, int(self.clock()), 1):
            return Round()
        if self.ledger.config.notify.quiet(local_now(self.ledger, self.clock()).time()):
            return Round(held="quiet")
        modem = self._modem()
        if modem is None:
            return Round()
        done = send_round(self.ledger, modem, self.clock)
        if done.unknown:
            self._drop_modem()
        return done

    def run(self, *, once: bool = False) -> Round:
        """Recover from a crash, then tick until stopped (``once``: until nothing more can be sent now)."""
        recovered = outbox.recover(self.ledger, int(self.clock()))
        if recovered:
            log.warning("%s message(s) were being sent when the service stopped: marked unknown", recovered)
        total: dict[str, Any] = {"sent": 0, "retried": 0, "failed": 0, "unknown": 0, "held": ""}
        rounds = 0
        try:
            while not self.stop.is_set():
                done = self.step()
                rounds += 1
                for key in ("sent", "retried", "failed", "unknown"):
                    total[key] += getattr(done, key)
                total["held"] = done.held
                if once and (
                    done.sent + done.retried + done.failed == 0 or done.unknown or rounds >= MAX_ROUNDS_ONCE
                ):
                    break
                if not once:
                    self.stop.wait(self.tick_s)
        finally:
            if self.modem is not None:
                self._drop_modem()
        return Round(**total)
