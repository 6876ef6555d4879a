"""A bounded SMS send queue with retry and a rate limit, in front of one modem.

    with GsmModem(port) as modem, SmsQueue(modem.send_part, rate_per_minute=6) as outbox:
        job = outbox.put("+6281234567890", "Pengingat: angsuran jatuh tempo 25 November")
        ...                                  # a worker thread sends; job.state becomes sent/failed

Texts are checked and split when queued (a bad number fails at ``put``, not later). Each SMS part
waits for the rate limit (cheap modems and operators drop bursts). A part refused with a retryable
error (``+CMS ERROR`` 42 congestion, a timeout, ...) is tried again later with a growing delay, up to
``attempts_max`` times; parts already sent are not sent again. A permanent refusal (bad number, no
credit) fails the job at once with the modem's reason. A timeout after the text was handed over may
mean the SMS went out anyway, so a retry can duplicate it: reminders are sent at least once.

For tests and the demo, ``drain()`` sends in the caller's thread with an injectable clock and sleep.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Final, Literal, Self

from drivers.errors import ModemError, QueueFull, SmsRejected
from drivers.sms import describe_cms, normalise_number, split_sms

log = logging.getLogger(__name__)

QUEUE_CAPACITY: Final = 500
DONE_KEPT: Final = 500
RATE_PER_MINUTE: Final = 6
ATTEMPTS_MAX: Final = 3
RETRY_DELAY_S: Final = 30.0
RETRY_DELAY_S_MAX: Final = 600.0
IDLE_WAIT_S: Final = 1.0
JOIN_WAIT_S: Final = 10.0

JobState = Literal["queued", "sent", "failed"]
SendPart = Callable[[str, str], int]


@dataclass
class SmsJob:
    """One text to one number, split into parts; its state changes as the queue works on it."""

    id: int
    number: str
    parts: tuple[str, ...]
    state: JobState = "queued"
    sent_parts: int = 0
    attempts: int = 0
    due_at: float = 0.0
    references: list[int] = field(default_factory=list)
    error_en: str = ""
    error_id: str = ""


class SmsQueue:
    """The queue (module docstring); ``send_part(number, text) -> reference``, e.g. ``GsmModem.send_part``."""

    def __init__(
        self,
        send_part: SendPart,
        *,
        rate_per_minute: float = RATE_PER_MINUTE,
        attempts_max: int = ATTEMPTS_MAX,
        retry_delay_s: float = RETRY_DELAY_S,
        retry_delay_s_max: float = RETRY_DELAY_S_MAX,
        capacity: int = QUEUE_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if not 0 < rate_per_minute <= 600:
            raise ValueError("rate_per_minute must be above 0 and at most 600")
        if not 1 <= attempts_max <= 20:
            raise ValueError("attempts_max must be from 1 to 20")
        self._send_part = send_part
        self.interval_s = 60.0 / rate_per_minute
        self.attempts_max = attempts_max
        self.retry_delay_s = retry_delay_s
        self.retry_delay_s_max = retry_delay_s_max
        self.capacity = capacity
        self._clock = clock
        self._stop = threading.Event()
        self._sleep = sleep or self._stop.wait
        self._jobs: list[SmsJob] = []
        self.done: deque[SmsJob] = deque(maxlen=DONE_KEPT)
        self._ids = itertools.count(1)
        self._lock = threading.Condition()
        self._next_send_at = float("-inf")
        self._thread: threading.Thread | None = None

    # -- queueing ----------------------------------------------------------------------------
    def put(self, number: str, text: str) -> SmsJob:
        """Queue ``text`` for ``number``; ``SmsInvalid`` for a bad number/text, ``QueueFull`` when full."""
        job = SmsJob(next(self._ids), normalise_number(number), tuple(split_sms(text)), due_at=self._clock())
        with self._lock:
            if len(self._jobs) >= self.capacity:
                raise QueueFull(
                    f"the SMS queue holds {self.capacity} messages already; try again after it drains",
                    f"antrean SMS sudah berisi {self.capacity} pesan; coba lagi setelah berkurang",
                )
            self._jobs.append(job)
            self._lock.notify()
        return job

    @property
    def pending(self) -> int:
        """Jobs not yet sent or failed."""
        with self._lock:
            return len(self._jobs)

    def next_due_at(self) -> float | None:
        """When the earliest queued job may be tried, or None if the queue is empty."""
        with self._lock:
            return min((job.due_at for job in self._jobs), default=None)

    # -- sending -----------------------------------------------------------------------------
    def run_once(self) -> SmsJob | None:
        """Try the earliest job that is due (waiting for the rate limit); None if none is due yet."""
        now = self._clock()
        with self._lock:
            due = [job for job in self._jobs if job.due_at <= now]
            if not due:
                return None
            job = min(due, key=lambda j: (j.due_at, j.id))
        while job.sent_parts < len(job.parts):
            wait = self._next_send_at - self._clock()
            if wait > 0:
                self._sleep(wait)
                if self._stop.is_set():
                    return None
            self._next_send_at = self._clock() + self.interval_s
            try:
                reference = self._send_part(job.number, job.parts[job.sent_parts])
            except ModemError as err:
                self._failed_attempt(job, err)
                return job
            job.references.append(reference)
            job.sent_parts += 1
        self._finish(job, "sent")
        return job

    def _failed_attempt(self, job: SmsJob, err: ModemError) -> None:
        job.attempts += 1
        retry = (
            describe_cms(err.code).retry if isinstance(err, SmsRejected) and err.code is not None else True
        )
        job.error_en, job.error_id = err.en, err.id
        if retry and job.attempts < self.attempts_max:
            delay = min(self.retry_delay_s * 2 ** (job.attempts - 1), self.retry_delay_s_max)
            job.due_at = self._clock() + delay
            log.warning("SMS %s to %s: %s; retrying in %.0f s", job.id, job.number, err.en, delay)
            return
        log.error("SMS %s to %s failed: %s", job.id, job.number, err.en)
        self._finish(job, "failed")

    def _finish(self, job: SmsJob, state: JobState) -> None:
        job.state = state
        with self._lock:
            self._jobs.remove(job)
            self.done.append(job)

    def drain(self, max_tries: int = 10_000) -> list[SmsJob]:
        """Send until the queue is empty, sleeping (injected ``sleep``) for rate limit and retries."""
        tried: list[SmsJob] = []
        for _ in range(max_tries):
            job = self.run_once()
            if job is not None:
                tried.append(job)
                continue
            due = self.next_due_at()
            if due is None or self._stop.is_set():
                break
            self._sleep(max(0.0, due - self._clock()))
        return tried

    # -- background worker -------------------------------------------------------------------
    def start(self) -> None:
        """Send in a worker thread until ``close``."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._work, name="sms queue", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        while not self._stop.is_set():
            if self.run_once() is not None:
                continue
            due = self.next_due_at()
            wait = IDLE_WAIT_S if due is None else min(IDLE_WAIT_S, max(0.0, due - self._clock()))
            with self._lock:
                self._lock.wait(wait)

    def close(self) -> None:
        """Stop the worker (queued jobs stay in ``pending``)."""
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(JOIN_WAIT_S)
            self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
