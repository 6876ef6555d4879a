"""The SMS rules of the configuration (``[notify]``): which campaigns run, on which days, the language of
the messages, quiet hours, the daily cap and the retry backoff. Pure: a mapping in, frozen data out; every
problem is a ``ConfigError`` naming the key and the fix (docs/config.md, docs/notify.md)::

    [notify]
    campaigns = ["wajib", "installment", "arrears", "birthday", "deposit"]
    lang = "id"                      # the language of the SMS texts ("id" or "en")
    wajib_day = 10                   # day of the month the wajib reminder goes out (1 to 28)
    installment_days_before = 3      # the installment reminder, this many days before the due date
    arrears_days_after = 7           # the arrears notice, this many days after an unpaid due date
    quiet_start = "21:00"            # no SMS from this local time ...
    quiet_end = "07:00"              # ... until this one
    daily_cap = 500                  # at most this many SMS parts per local day
    retry_first_s = 60               # a retryable modem error waits this long, doubling each attempt ...
    retry_max_s = 3600               # ... up to this
    attempts_max = 6                 # then the message is failed
    report_wait_h = 72               # a sent SMS without the network's delivery report by then: "no report"
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any, Final

from central.errors import ConfigError

CAMPAIGNS: Final = ("wajib", "installment", "arrears", "birthday", "deposit")
LANGS: Final = ("id", "en")
MAX_CAP: Final = 100_000
MAX_DAYS: Final = 90
MAX_RETRY_S: Final = 7 * 86_400
MAX_ATTEMPTS: Final = 50
MAX_REPORT_WAIT_H: Final = 30 * 24
TIME_RE: Final = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
_KEYS: Final = frozenset(
    {
        "campaigns",
        "lang",
        "wajib_day",
        "installment_days_before",
        "arrears_days_after",
        "quiet_start",
        "quiet_end",
        "daily_cap",
        "retry_first_s",
        "retry_max_s",
        "attempts_max",
        "report_wait_h",
    }
)


@dataclass(frozen=True)
class NotifyPolicy:
    """``[notify]``, validated."""

    campaigns: tuple[str, ...] = CAMPAIGNS
    lang: str = "id"
    wajib_day: int = 10
    installment_days_before: int = 3
    arrears_days_after: int = 7
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)
    daily_cap: int = 500
    retry_first_s: int = 60
    retry_max_s: int = 3600
    attempts_max: int = 6
    report_wait_h: int = 72

    @property
    def report_wait_s(self) -> int:
        """How long a sent message waits for its delivery report (and a report for its reference is
        matched to it) before it shows "no report"."""
        return self.report_wait_h * 3600

    def quiet(self, at: time) -> bool:
        """True when ``at`` (local time) is inside the quiet hours (which may span midnight)."""
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False
        if start < end:
            return start <= at < end
        return at >= start or at < end

    def retry_delay_s(self, attempts: int) -> int:
        """The wait after the ``attempts``-th failed attempt: first, doubled each time, capped."""
        doubled: int = self.retry_first_s * 2 ** max(0, min(attempts - 1, 40))
        return min(self.retry_max_s, doubled)


DEFAULT_NOTIFY: Final = NotifyPolicy()


def _int(table: Mapping[str, Any], key: str, default: int, lo: int, hi: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"notify.{key} must be a whole number, got {value!r}")
    if not lo <= value <= hi:
        raise ConfigError(f"notify.{key} must be between {lo} and {hi}, got {value}")
    return value


def _time(table: Mapping[str, Any], key: str, default: time) -> time:
    value = table.get(key, default.strftime("%H:%M"))
    found = TIME_RE.match(value) if isinstance(value, str) else None
    if found is None:
        raise ConfigError(f'notify.{key} must be a local time like "21:00", got {value!r}')
    return time(int(found.group(1)), int(found.group(2)))


def parse(data: Mapping[str, Any] | None) -> NotifyPolicy:
    """The ``[notify]`` table (``None``: every default)."""
    table = data or {}
    if not isinstance(table, Mapping):
        raise ConfigError("[notify] must be a table")
    extra = sorted(set(table) - _KEYS)
    if extra:
        raise ConfigError(f"unknown key(s) in [notify]: {', '.join(extra)}; see docs/config.md for the keys")
    campaigns = table.get("campaigns", list(CAMPAIGNS))
    if not isinstance(campaigns, list) or not all(isinstance(c, str) for c in campaigns):
        raise ConfigError(f"notify.campaigns must be a list of campaign names from {', '.join(CAMPAIGNS)}")
    unknown = sorted(set(campaigns) - set(CAMPAIGNS))
    if unknown:
        raise ConfigError(
            f"notify.campaigns names unknown campaign(s) {', '.join(unknown)}; "
            f"they are {', '.join(CAMPAIGNS)}"
        )
    lang = table.get("lang", "id")
    if lang not in LANGS:
        raise ConfigError(f'notify.lang must be "id" or "en", got {lang!r}')
    first = _int(table, "retry_first_s", DEFAULT_NOTIFY.retry_first_s, 1, MAX_RETRY_S)
    most = _int(table, "retry_max_s", DEFAULT_NOTIFY.retry_max_s, 1, MAX_RETRY_S)
    if most < first:
        raise ConfigError(f"notify.retry_max_s ({most}) must be at least notify.retry_first_s ({first})")
    return NotifyPolicy(
        campaigns=tuple(c for c in CAMPAIGNS if c in campaigns),
        lang=lang,
        wajib_day=_int(table, "wajib_day", DEFAULT_NOTIFY.wajib_day, 1, 28),
        installment_days_before=_int(
            table, "installment_days_before", DEFAULT_NOTIFY.installment_days_before, 0, MAX_DAYS
        ),
        arrears_days_after=_int(table, "arrears_days_after", DEFAULT_NOTIFY.arrears_days_after, 1, MAX_DAYS),
        quiet_start=_time(table, "quiet_start", DEFAULT_NOTIFY.quiet_start),
        quiet_end=_time(table, "quiet_end", DEFAULT_NOTIFY.quiet_end),
        daily_cap=_int(table, "daily_cap", DEFAULT_NOTIFY.daily_cap, 1, MAX_CAP),
        retry_first_s=first,
        retry_max_s=most,
        attempts_max=_int(table, "attempts_max", DEFAULT_NOTIFY.attempts_max, 1, MAX_ATTEMPTS),
        report_wait_h=_int(table, "report_wait_h", DEFAULT_NOTIFY.report_wait_h, 1, MAX_REPORT_WAIT_H),
    )
