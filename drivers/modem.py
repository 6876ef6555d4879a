"""A GSM modem on a serial port, driven with AT commands in text mode, to send the cooperative's SMS.

    with GsmModem("/dev/ttyUSB2") as modem:       # resets echo, verbose errors, text mode
        modem.status()                            # SIM, registration, operator, signal
        modem.send_sms("+6281234567890", text)    # long text -> numbered parts, references in order
        modem.status_reports()                    # the network's delivery reports that came meanwhile

Every exchange is bounded by a timeout; a modem that does not answer raises ``ModemTimeout``, an
error answer raises ``ModemError`` and a refused SMS ``SmsRejected`` (with the ``+CMS ERROR`` code and
whether retrying may help). Unsolicited lines (``RING``, ``+CMTI: ...``) are kept aside, never
mistaken for answers. The one I/O primitive is the serial read.

Every SMS asks the network for a status report (``AT+CSMP=49,...``: TP-SRR set) and the modem is told to
pass reports on (``AT+CNMI=2,1,0,1,0``: ``+CDS:`` lines; a modem that stores them instead says
``+CDSI: "SR",<index>``, which ``status_reports`` reads with ``AT+CMGR`` and deletes; its first call also
reads, and deletes, the reports stored while the port was closed, from ``AT+CMGL="ALL"``). A modem that
refuses either command still sends; ``reports`` is then False and no report will come.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, Self

from drivers.errors import DeviceNotFound, ModemError, ModemTimeout, SmsRejected
from drivers.sms import describe_cms, normalise_number, split_sms
from drivers.smsreport import (
    CDS_PREFIX,
    BadReport,
    StatusReport,
    parse_cds,
    parse_cmgl,
    parse_cmgr,
    parse_pdu,
    stored_index,
)

COMMAND_TIMEOUT_S: Final = 5.0
SEND_TIMEOUT_S: Final = 60.0
PROMPT_TIMEOUT_S: Final = 10.0
READ_SLICE_S: Final = 0.05
SYNC_ATTEMPTS: Final = 3
MAX_RESPONSE_BYTES: Final = 64 * 1024
UNSOLICITED_KEPT: Final = 64
CTRL_Z: Final = b"\x1a"
ESC: Final = b"\x1b"
EMPTY_INDEX: Final = 321  # +CMS ERROR 321, invalid memory index: nothing stored there (any more)
_FINAL_OK: Final = "OK"
_CMS_RE: Final = re.compile(r"^\+CMS ERROR:\s*(\d+)")
_CME_RE: Final = re.compile(r"^\+CME ERROR:\s*(.+)$")
_CMGS_RE: Final = re.compile(r"^\+CMGS:\s*(\d+)")
_PDU_LENGTH_RE: Final = re.compile(r"^\+CDS:\s*\d+$")
_HEX_RE: Final = re.compile(r"^[0-9A-Fa-f]+$")
MIN_REPORT_PDU_CHARS: Final = 2 * 20  # SMS-STATUS-REPORT: 18 octets of fields, plus centre and number
# SMS-SUBMIT, validity relative, status report requested (TP-SRR), reference chosen by the modem: 0x31
SUBMIT_WITH_REPORT: Final = "AT+CSMP=49,167,0,0"  # 167: validity 24 hours
ROUTE_REPORTS: Final = "AT+CNMI=2,1,0,1,0"  # new SMS stored (+CMTI), status reports as +CDS lines
_URC_PREFIXES: Final = (
    "RING",
    "+CMTI",
    "+CDSI",
    "+CDS:",
    "+CLIP",
    "+CREG:",
    "+CUSD",
    "^",
    "+CIEV",
    "NO CARRIER",
)


@dataclass(frozen=True, slots=True)
class ModemStatus:
    """What the modem reports about itself and the network."""

    port: str
    model: str
    sim: str
    registered: bool
    registration: str
    operator: str
    signal_rssi: int | None
    signal_dbm: int | None


_REGISTRATION: Final = {
    "0": "not registered",
    "1": "home",
    "2": "searching",
    "3": "denied",
    "4": "unknown",
    "5": "roaming",
}


def rssi_to_dbm(rssi: int) -> int | None:
    """``+CSQ`` signal (0-31, 99 unknown) to dBm: -113 + 2 x rssi."""
    return None if rssi == 99 or not 0 <= rssi <= 31 else -113 + 2 * rssi


def _answers(command: str, line: str) -> bool:
    """True when ``line`` is the answer to ``command`` (``+CREG: 0,1`` answers ``AT+CREG?``)."""
    name = re.split(r"[?=]", command[2:], maxsplit=1)[0] if command.upper().startswith("AT") else ""
    return bool(name) and line.startswith(name + ":")


class GsmModem:
    """An AT-command GSM modem (module docstring); open it explicitly or use it as a context manager."""

    def __init__(
        self,
        port: str,
        baud: int = 115200,
        *,
        command_timeout_s: float = COMMAND_TIMEOUT_S,
        send_timeout_s: float = SEND_TIMEOUT_S,
        sim_pin: str | None = None,
        delivery_reports: bool = True,
    ) -> None:
        self.port = port
        self.baud = baud
        self.command_timeout_s = command_timeout_s
        self.send_timeout_s = send_timeout_s
        self.sim_pin = sim_pin
        self.delivery_reports = delivery_reports
        self.reports = False  # True once the modem took both report settings
        self.bad_reports: deque[str] = deque(maxlen=UNSOLICITED_KEPT)
        self._sweep = False
        self.unsolicited: deque[str] = deque(maxlen=UNSOLICITED_KEPT)
        self._serial: Any = None
        self._buffer = bytearray()

    # -- lifecycle ---------------------------------------------------------------------------
    def open(self) -> None:
        """Open the port and set the modem up: echo off, numeric errors, text mode, SIM ready."""
        import serial

        if self._serial is not None:
            return
        try:
            self._serial = serial.Serial(self.port, self.baud, timeout=READ_SLICE_S, exclusive=True)
        except (serial.SerialException, OSError, ValueError) as err:
            raise DeviceNotFound(
                f"cannot open modem port {self.port} ({err}); is the modem plugged in and is the port right?",
                f"tidak bisa membuka port modem {self.port} ({err}); apakah modem terpasang dan port-nya "
                "benar?",
            ) from err
        try:
            self._init()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the port. Safe to call twice."""
        port, self._serial = self._serial, None
        if port is not None:
            port.close()

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _init(self) -> None:
        for attempt in range(SYNC_ATTEMPTS):
            try:
                self.command("AT", timeout_s=min(self.command_timeout_s, 2.0))
                break
            except ModemTimeout:
                if attempt == SYNC_ATTEMPTS - 1:
                    raise
                self._write(ESC)  # leave a half-typed SMS prompt, if any
        self.command("ATE0")
        self.command("AT+CMEE=1")
        sim = self.sim_state()
        if sim == "SIM PIN" and self.sim_pin:
            self.command(f'AT+CPIN="{self.sim_pin}"')
            sim = self.sim_state()
        if sim != "READY":
            raise ModemError(
                f"the modem's SIM is not ready ({sim}); insert the SIM or give its PIN",
                f"SIM modem belum siap ({sim}); pasang SIM atau berikan PIN-nya",
            )
        self.command("AT+CMGF=1")
        self.command('AT+CSCS="IRA"')
        if self.delivery_reports:
            try:
                self.command(SUBMIT_WITH_REPORT)
                self.command(ROUTE_REPORTS)
                self.reports = True
                self._sweep = True  # reports the modem stored while nobody listened: read at first ask
            except ModemError:
                self.reports = False  # sending works without; the outbox then shows "no report"

    # -- the AT exchange -----------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        import serial

        if self._serial is None:
            raise ModemError("the modem is not open", "modem belum dibuka")
        try:
            self._serial.write(data)
            self._serial.flush()
        except (serial.SerialException, OSError) as err:
            raise ModemError(
                f"writing to the modem on {self.port} failed ({err}); is it still connected?",
                f"gagal menulis ke modem di {self.port} ({err}); apakah masih tersambung?",
            ) from err

    def _fill(self, deadline: float) -> bool:
        """Read what arrived (waiting at most one slice); False once ``deadline`` has passed."""
        import serial

        if time.monotonic() > deadline:
            return False
        try:
            chunk = self._serial.read(max(1, min(self._serial.in_waiting, 4096)))
        except (serial.SerialException, OSError) as err:
            raise ModemError(
                f"reading from the modem on {self.port} failed ({err}); is it still connected?",
                f"gagal membaca dari modem di {self.port} ({err}); apakah masih tersambung?",
            ) from err
        self._buffer += chunk
        if len(self._buffer) > MAX_RESPONSE_BYTES:
            self._buffer.clear()
            raise ModemError("the modem sent an endless answer", "modem mengirim jawaban tanpa akhir")
        return True

    def _next_line(self, deadline: float) -> str | None:
        """The next non-empty line, or None at the deadline."""
        while True:
            match = re.search(rb"[\r\n]", self._buffer)
            while match is not None:
                line = bytes(self._buffer[: match.start()]).decode("ascii", "replace").strip()
                del self._buffer[: match.end()]
                if line:
                    return line
                match = re.search(rb"[\r\n]", self._buffer)
            if not self._fill(deadline):
                return None

    def _drain_unsolicited(self) -> None:
        while self._serial is not None and self._serial.in_waiting:
            self._fill(time.monotonic() + READ_SLICE_S)
        for raw in bytes(self._buffer).replace(b"\r", b"\n").split(b"\n"):
            line = raw.decode("ascii", "replace").strip()
            if line:
                self.unsolicited.append(line)
        self._buffer.clear()

    def _final(self, sent: str, deadline: float, what: str) -> list[str]:
        """Collect answer lines up to OK; raise on an error answer or at the deadline."""
        lines: list[str] = []
        while True:
            line = self._next_line(deadline)
            if line is None:
                raise ModemTimeout(
                    f"the modem did not answer {what} in time; check power, port and baud rate",
                    f"modem tidak menjawab {what} tepat waktu; periksa daya, port dan baud rate",
                )
            if line == sent.strip():
                continue  # echo
            if line == _FINAL_OK:
                return lines
            cms = _CMS_RE.match(line)
            if cms:
                code = int(cms.group(1))
                meaning = describe_cms(code)
                raise SmsRejected(
                    f"SMS refused: {meaning.en} (+CMS ERROR {code})",
                    f"SMS ditolak: {meaning.id} (+CMS ERROR {code})",
                    code,
                )
            cme = _CME_RE.match(line)
            if cme or line == "ERROR":
                detail = cme.group(1) if cme else "ERROR"
                raise ModemError(f"the modem refused {what}: {detail}", f"modem menolak {what}: {detail}")
            if line.startswith(_URC_PREFIXES) and not _answers(sent, line):
                self.unsolicited.append(line)
                continue
            if self._pdu_of_report(line):
                self.unsolicited.append(line)  # the PDU line of a "+CDS: <length>" that came just before
                continue
            lines.append(line)

    def _pdu_of_report(self, line: str) -> bool:
        """True for the hex line that follows an unsolicited ``+CDS: <length>`` (a report in PDU form)."""
        return (
            len(line) >= MIN_REPORT_PDU_CHARS
            and bool(_HEX_RE.match(line))
            and bool(self.unsolicited)
            and bool(_PDU_LENGTH_RE.match(self.unsolicited[-1]))
        )

    def command(self, command: str, timeout_s: float | None = None) -> list[str]:
        """Send one AT command and return its answer lines (without echo and ``OK``)."""
        if self._serial is None:
            raise ModemError("the modem is not open", "modem belum dibuka")
        self._drain_unsolicited()
        self._write(command.encode("ascii") + b"\r")
        deadline = time.monotonic() + (timeout_s if timeout_s is not None else self.command_timeout_s)
        return self._final(command, deadline, command)

    # -- what callers use -------------------------------------------------------------------
    def sim_state(self) -> str:
        """``READY``, ``SIM PIN``, ... or the error text when no SIM is inserted."""
        try:
            lines = self.command("AT+CPIN?")
        except ModemError as err:
            return err.en.rsplit(": ", 1)[-1]
        for line in lines:
            if line.startswith("+CPIN:"):
                return line.split(":", 1)[1].strip()
        return "unknown"

    def signal(self) -> tuple[int | None, int | None]:
        """Signal strength as (rssi 0-31 or None, dBm or None)."""
        for line in self.command("AT+CSQ"):
            if line.startswith("+CSQ:"):
                rssi = int(line.split(":", 1)[1].split(",")[0])
                return (None if rssi == 99 else rssi), rssi_to_dbm(rssi)
        return None, None

    def status(self) -> ModemStatus:
        """Model, SIM, network registration, operator and signal."""
        model = " ".join(self.command("AT+CGMM")) or "unknown"
        sim = self.sim_state()
        registration = "unknown"
        for line in self.command("AT+CREG?"):
            if line.startswith("+CREG:"):
                fields = line.split(":", 1)[1].split(",")
                registration = _REGISTRATION.get(fields[1].strip() if len(fields) > 1 else "", "unknown")
        operator = ""
        for line in self.command("AT+COPS?"):
            if line.startswith("+COPS:") and '"' in line:
                operator = line.split('"')[1]
        rssi, dbm = self.signal()
        return ModemStatus(
            port=self.port,
            model=model,
            sim=sim,
            registered=registration in ("home", "roaming"),
            registration=registration,
            operator=operator,
            signal_rssi=rssi,
            signal_dbm=dbm,
        )

    def send_part(self, number: str, text: str) -> int:
        """Send one SMS of at most 160 characters; returns the network's message reference."""
        if self._serial is None:
            raise ModemError("the modem is not open", "modem belum dibuka")
        self._drain_unsolicited()
        command = f'AT+CMGS="{number}"'
        self._write(command.encode("ascii") + b"\r")
        deadline = time.monotonic() + min(PROMPT_TIMEOUT_S, self.command_timeout_s * 2)
        while b">" not in self._buffer:
            if b"ERROR" in self._buffer and b"\n" in self._buffer[self._buffer.find(b"ERROR") :]:
                self._final(command, deadline, "AT+CMGS")
            if not self._fill(deadline):
                self._write(ESC)
                raise ModemTimeout(
                    "the modem did not ask for the SMS text; check the SIM and network",
                    "modem tidak meminta teks SMS; periksa SIM dan jaringan",
                )
        del self._buffer[: self._buffer.index(b">") + 1]
        self._write(text.encode("ascii", "replace") + CTRL_Z)
        lines = self._final(command, time.monotonic() + self.send_timeout_s, "the SMS")
        for line in lines:
            match = _CMGS_RE.match(line)
            if match:
                return int(match.group(1))
        raise ModemError(
            "the modem said OK but gave no message reference", "modem menjawab OK tanpa nomor referensi pesan"
        )

    def status_reports(self) -> list[StatusReport]:
        """The status reports that arrived since the last call, oldest first: ``+CDS:`` lines as they
        came, and stored ones (``+CDSI``) read and then deleted from the modem. A line that does not parse
        is kept in ``bad_reports`` (never raised: one garbled report must not stop the sending)."""
        if self._serial is None:
            raise ModemError("the modem is not open", "modem belum dibuka")
        self._drain_unsolicited()
        found: list[StatusReport] = []
        kept: list[str] = []
        stored: list[int] = []
        lines = list(self.unsolicited)
        self.unsolicited.clear()
        at = 0
        while at < len(lines):
            line = lines[at]
            at += 1
            index = stored_index(line)
            if _PDU_LENGTH_RE.match(line):  # PDU mode: "+CDS: <length>", the PDU on the next line
                if at == len(lines):
                    kept.append(line)  # its PDU has not arrived yet: next call
                elif _HEX_RE.match(lines[at]):
                    self._report(found, lines[at], parse_pdu)
                    at += 1
                else:
                    self.bad_reports.append(line)
            elif line.startswith(CDS_PREFIX):
                self._report(found, line, parse_cds)
            elif index is not None:
                stored.append(index)
            else:
                kept.append(line)
        self.unsolicited.extend(kept)
        swept: list[int] = []
        if self._sweep:
            self._sweep = False
            swept = self._stored_reports(found)
        for index in stored:
            if index in swept:
                continue
            try:
                answer = self.command(f"AT+CMGR={index}")
            except SmsRejected as err:
                if err.code == EMPTY_INDEX:  # read and deleted already: the sweep found it before its notice
                    continue
                raise
            for number, line in enumerate(answer):
                if not line.startswith("+CMGR:"):
                    continue
                if number + 1 < len(answer) and _HEX_RE.match(answer[number + 1]):
                    self._report(found, answer[number + 1], parse_pdu)
                else:
                    self._report(found, line, parse_cmgr)
            self.command(f"AT+CMGD={index}")
        for index in swept:
            self.command(f"AT+CMGD={index}")
        return found

    def _stored_reports(self, found: list[StatusReport]) -> list[int]:
        """Status reports already stored on the modem (kept while the port was closed): appended to
        ``found`` and their indexes returned for deleting. A modem that cannot list them is left alone."""
        try:
            listed = self.command('AT+CMGL="ALL"', timeout_s=max(self.command_timeout_s, 10.0))
        except ModemError:
            return []
        indexes = []
        for line in listed:
            stored = parse_cmgl(line)
            if stored is not None:
                indexes.append(stored[0])
                found.append(stored[1])
        return indexes

    def _report(self, found: list[StatusReport], line: str, parse: Callable[[str], StatusReport]) -> None:
        try:
            found.append(parse(line))
        except BadReport:
            self.bad_reports.append(line)

    def send_sms(self, number: str, text: str) -> list[int]:
        """Send ``text`` to ``number`` (split into numbered parts if long); message references in order."""
        target = normalise_number(number)
        return [self.send_part(target, part) for part in split_sms(text)]
