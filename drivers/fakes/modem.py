"""A fake GSM modem on a pty that answers AT commands the way a real one does.

    with FakeModem() as fake:                   # fake.port is a /dev/pts/N path
        with GsmModem(fake.port) as modem:
            modem.send_sms("+628123", "Halo")
        fake.messages                           # [("+628123", "Halo")]

It echoes until ``ATE0``, answers ``+CSQ``, ``+CREG?``, ``+COPS?``, ``+CPIN?``, ``+CGMM``, prompts
``> `` after ``AT+CMGS`` and takes the text up to Ctrl-Z (Esc cancels). Faults for tests: a missing SIM,
no network, ``+CMS ERROR`` codes for the next sends (``fail_next``), a slow modem (``reply_delay_s``,
``send_delay_s``), a dead one (``silent``), and unsolicited lines (``urc``).

Status reports: it takes ``AT+CSMP`` and ``AT+CNMI``, and ``report(reference, status)`` has the network
report on a sent message, as a ``+CDS:`` line or (``stored=True``) kept at an index announced by
``+CDSI: "SR",<index>``, read with ``AT+CMGR`` and removed with ``AT+CMGD``. References count 1, 2, ...
and wrap after 255 (``first_reference`` starts them elsewhere).
"""

from __future__ import annotations

import os
import re
import select
import threading
import time
from collections import deque
from types import TracebackType
from typing import Final

from drivers.fakes.ptys import close_pty, open_raw_pty
from drivers.smsreport import StatusReport, cds_line, format_time

POLL_S: Final = 0.02
MAX_LINE_BYTES: Final = 1024
MAX_MESSAGES_KEPT: Final = 10_000


class FakeModem:
    """See the module docstring."""

    def __init__(
        self,
        *,
        signal: int = 17,
        sim: str = "READY",
        pin: str = "1234",
        registered: str = "1",
        operator: str = "TELKOMSEL",
        reply_delay_s: float = 0.0,
        send_delay_s: float = 0.0,
        silent: bool = False,
        first_reference: int = 1,
    ) -> None:
        self.signal = signal
        self.sim = sim
        self.pin = pin
        self.registered = registered
        self.operator = operator
        self.reply_delay_s = reply_delay_s
        self.send_delay_s = send_delay_s
        self.silent = silent
        self.messages: list[tuple[str, str]] = []
        self.commands: list[str] = []
        self._failures: deque[int] = deque()
        self._echo = True
        self._text_mode = False
        self._sms_to: str | None = None
        self._line = bytearray()
        self._reference = (first_reference - 1) % 256
        self.recipients: dict[int, str] = {}  # reference -> the number it was last used for
        self.report_settings: list[str] = []  # the AT+CSMP / AT+CNMI commands taken
        self._stored: dict[int, str] = {}  # index -> stored status report, as AT+CMGR answers it
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- control from the test ----------------------------------------------------------------
    def fail_next(self, *codes: int) -> None:
        """The next sends answer ``+CMS ERROR: code``, one code per send, in order."""
        with self._lock:
            self._failures.extend(codes)

    def urc(self, line: str) -> None:
        """Send an unsolicited line now (e.g. ``+CMTI: "SM",3`` or ``RING``)."""
        self._send(f"\r\n{line}\r\n")

    def report(
        self,
        reference: int,
        status: int = 0,
        *,
        stored: bool = False,
        announce: bool = True,
        recipient: str | None = None,
        at_ts: int | None = None,
    ) -> StatusReport:
        """The network's status report on the message ``reference`` (sent to ``recipient``, by default the
        number the reference was last used for), now or at ``at_ts``. A stored report with ``announce``
        False is one that came while nobody listened: only ``AT+CMGL`` finds it."""
        when = int(time.time()) if at_ts is None else at_ts
        number = recipient if recipient is not None else self.recipients.get(reference, "+620000000")
        report = StatusReport(reference, number, when - 2, when, status)
        line = cds_line(report)
        if not stored:
            self.urc(line)
            return report
        with self._lock:
            index = max(self._stored, default=0) + 1
            kind = 145 if number.startswith("+") else 129
            self._stored[index] = (
                f'+CMGR: "REC UNREAD",6,{reference},"{number}",{kind},"{format_time(when - 2)}",'
                f'"{format_time(when)}",{status}'
            )
        if announce:
            self.urc(f'+CDSI: "SR",{index}')
        return report

    def stored_reports(self) -> int:
        """How many status reports the fake still keeps (read ones are deleted by the driver)."""
        with self._lock:
            return len(self._stored)

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> FakeModem:
        self._master, self._slave, self.port = open_raw_pty()
        self._thread = threading.Thread(target=self._serve, name="fake modem", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        close_pty(self._master, self._slave)

    # -- the modem ---------------------------------------------------------------------------
    def _send(self, text: str) -> None:
        data = text.encode("ascii", "replace")
        while data and not self._stop.is_set():
            try:
                written = os.write(self._master, data)
            except BlockingIOError:
                time.sleep(POLL_S)
                continue
            data = data[written:]

    def _reply(self, *lines: str) -> None:
        if self.reply_delay_s:
            self._stop.wait(self.reply_delay_s)
        self._send("".join(f"\r\n{line}\r\n" for line in lines))

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], POLL_S)
            if not ready:
                continue
            try:
                data = os.read(self._master, 4096)
            except OSError:
                continue
            if self.silent:
                continue
            for byte in data:
                self._byte(byte)

    def _byte(self, byte: int) -> None:
        if self._sms_to is not None:
            if byte == 0x1A:
                self._finish_sms(bytes(self._line).decode("ascii", "replace"))
            elif byte == 0x1B:
                self._line.clear()
                self._sms_to = None
                self._reply("OK")
            elif len(self._line) < MAX_LINE_BYTES:
                if self._echo:
                    self._send(chr(byte))
                self._line.append(byte)
            return
        if self._echo:
            self._send(chr(byte))
        if byte in (0x0D, 0x0A):
            line = bytes(self._line).decode("ascii", "replace").strip()
            self._line.clear()
            if line:
                self._command(line)
        elif len(self._line) < MAX_LINE_BYTES:
            self._line.append(byte)

    def _command(self, line: str) -> None:
        self.commands.append(line)
        upper = line.upper()
        if not upper.startswith("AT"):
            self._reply("ERROR")
            return
        body = upper[2:]
        if body == "":
            self._reply("OK")
        elif body in ("E0", "E1"):
            self._echo = body == "E1"
            self._reply("OK")
        elif body.startswith(("+CMEE=", "+CSCS=")):
            self._reply("OK")
        elif body.startswith(("+CSMP=", "+CNMI=")):
            self.report_settings.append(body)
            self._reply("OK")
        elif body == '+CMGL="ALL"':
            with self._lock:
                listed = [
                    line.replace("+CMGR: ", f"+CMGL: {index},", 1)
                    for index, line in sorted(self._stored.items())
                ]
            self._reply(*listed, "OK")
        elif body.startswith(("+CMGR=", "+CMGD=")):
            index = int(body[6:]) if body[6:].isdigit() else -1
            with self._lock:
                found = self._stored.get(index)
                if body.startswith("+CMGD=") and found is not None:
                    del self._stored[index]
            if found is None:
                self._reply("+CMS ERROR: 321")  # invalid memory index
            elif body.startswith("+CMGR="):
                self._reply(found, "OK")
            else:
                self._reply("OK")
        elif body in {"+CMGF=1", "+CMGF=0"}:
            self._text_mode = body.endswith("1")
            self._reply("OK")
        elif body == "+CPIN?":
            if self.sim in ("READY", "SIM PIN"):
                self._reply(f"+CPIN: {self.sim}", "OK")
            else:
                self._reply("+CME ERROR: 10")  # SIM not inserted
        elif body.startswith("+CPIN="):
            given = line.split("=", 1)[1].strip().strip('"')
            if given == self.pin:
                self.sim = "READY"
                self._reply("OK")
            else:
                self._reply("+CME ERROR: 16")  # incorrect password
        elif body == "+CSQ":
            self._reply(f"+CSQ: {self.signal},99", "OK")
        elif body == "+CREG?":
            self._reply(f"+CREG: 0,{self.registered}", "OK")
        elif body == "+COPS?":
            self._reply(f'+COPS: 0,0,"{self.operator}"', "OK")
        elif body == "+CGMM":
            self._reply("FAKE-GSM 900", "OK")
        elif body.startswith("+CMGS="):
            match = re.match(r'^\+CMGS="(\+?[0-9]+)"$', line[2:].strip(), re.IGNORECASE)
            if not self._text_mode or match is None:
                self._reply("+CMS ERROR: 305")
                return
            self._sms_to = match.group(1)
            self._send("\r\n> ")
        else:
            self._reply("ERROR")

    def _finish_sms(self, text: str) -> None:
        number, self._sms_to = self._sms_to or "", None
        self._line.clear()
        if self.send_delay_s:
            self._stop.wait(self.send_delay_s)
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
        if failure is None and self.registered not in ("1", "5"):
            failure = 331  # no network service
        if failure is not None:
            self._reply(f"+CMS ERROR: {failure}")
            return
        self._reference = (self._reference + 1) % 256
        self.recipients[self._reference] = number
        if len(self.messages) < MAX_MESSAGES_KEPT:
            self.messages.append((number, text))
        self._reply(f"+CMGS: {self._reference}", "OK")


def start_fake_modem(**options: object) -> FakeModem:
    """A fake modem, started: use it as a context manager or call ``__exit__`` to stop it."""
    modem = FakeModem(**options)  # type: ignore[arg-type]
    return modem.__enter__()
