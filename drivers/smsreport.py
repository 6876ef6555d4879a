"""SMS status reports (SMS-STATUS-REPORT, 3GPP TS 23.040 9.2.2.3) as a text-mode modem gives them. Pure.

The driver asks for a report on every SMS it sends (``AT+CSMP=49,...``: SMS-SUBMIT with TP-SRR set) and
keeps the message reference of ``+CMGS: <mr>``. The network's report comes back as an unsolicited line::

    +CDS: 6,203,"+6281234567890",145,"26/12/06,10:00:00+28","26/12/06,10:00:07+28",0

or, when the modem stores it (``+CDSI: "SR",3``), as the answer to ``AT+CMGR=3``::

    +CMGR: "REC UNREAD",6,203,"+6281234567890",145,"26/12/06,10:00:00+28","26/12/06,10:00:07+28",0

A modem in PDU mode gives the same report as ``+CDS: <length>`` and a line of hex (``parse_pdu``): the SMS
centre's address, first octet (TP-MTI 10), TP-MR, the recipient in semi-octets, both time stamps in swapped
semi-octets and TP-ST.

The fields are first octet, message reference (TP-MR, 0..255, so it repeats), recipient, its type, the
service centre's time stamp (when the centre took the SMS), the discharge time (when the phone got it, or
when the centre gave up) and the status TP-ST: 0..31 done (0: received by the phone), 32..63 the centre is
still trying, 64 and up it gave up for good. Times are ``yy/MM/dd,hh:mm:ss±zz`` with the zone in quarter
hours.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Final, NamedTuple

CDS_PREFIX: Final = "+CDS:"
CDSI_RE: Final = re.compile(r'^\+CDSI:\s*"([A-Z]{2})"\s*,\s*(\d+)\s*$')
_TIME_RE: Final = re.compile(r"^(\d\d)/(\d\d)/(\d\d),(\d\d):(\d\d):(\d\d)([+-])(\d\d?)$")
MAX_REPORT_CHARS: Final = 300


class Status(NamedTuple):
    """What a TP-ST value means, in both languages."""

    en: str
    id: str


# TP-ST values of 3GPP TS 23.040 9.2.3.15 (values not listed fall back to their range's meaning).
STATUSES: Final[dict[int, Status]] = {
    0: Status("received by the phone", "diterima oleh ponsel"),
    1: Status("forwarded, delivery not confirmed", "diteruskan, penerimaan tidak terkonfirmasi"),
    2: Status("replaced by the centre", "diganti oleh pusat SMS"),
    32: Status("congestion", "jaringan padat"),
    33: Status("the phone is busy", "ponsel sibuk"),
    34: Status("no response from the phone", "ponsel tidak menjawab"),
    35: Status("service rejected", "layanan ditolak"),
    36: Status("quality of service not available", "kualitas layanan tidak tersedia"),
    37: Status("error in the phone", "kesalahan pada ponsel"),
    64: Status("remote procedure error", "kesalahan prosedur jarak jauh"),
    65: Status("incompatible destination", "tujuan tidak cocok"),
    66: Status("connection rejected by the phone", "sambungan ditolak ponsel"),
    67: Status("number not obtainable", "nomor tidak dapat dihubungi"),
    68: Status("quality of service not available", "kualitas layanan tidak tersedia"),
    69: Status("no interworking available", "tidak ada interkoneksi"),
    70: Status("validity period expired (the phone stayed off)", "masa berlaku habis (ponsel tetap mati)"),
    71: Status("deleted by the sender", "dihapus oleh pengirim"),
    72: Status("deleted by the operator", "dihapus oleh operator"),
    73: Status("the message does not exist", "pesan tidak ada"),
    96: Status("congestion, the centre stopped trying", "jaringan padat, pusat SMS berhenti mencoba"),
    97: Status("the phone was busy, the centre stopped trying", "ponsel sibuk, pusat SMS berhenti mencoba"),
    98: Status(
        "no response from the phone, the centre stopped trying",
        "ponsel tidak menjawab, pusat SMS berhenti mencoba",
    ),
    99: Status("service rejected, the centre stopped trying", "layanan ditolak, pusat SMS berhenti mencoba"),
    101: Status(
        "error in the phone, the centre stopped trying", "kesalahan pada ponsel, pusat SMS berhenti mencoba"
    ),
}


def outcome(status: int) -> str:
    """``delivered`` (0..31), ``pending`` (32..63: the centre still tries) or ``failed`` (64 and up)."""
    if status < 32:
        return "delivered"
    if status < 64:
        return "pending"
    return "failed"


def describe(status: int) -> Status:
    """The meaning of a TP-ST value, with its number (reserved and operator values by their range)."""
    found = STATUSES.get(status)
    if found is None:
        found = {
            "delivered": Status("delivered", "terkirim"),
            "pending": Status("the centre is still trying", "pusat SMS masih mencoba"),
            "failed": Status("not delivered", "tidak terkirim"),
        }[outcome(status)]
    return Status(f"{found.en} (status {status})", f"{found.id} (status {status})")


@dataclass(frozen=True, slots=True)
class StatusReport:
    """One status report: which message (reference, recipient) and what became of it."""

    reference: int
    recipient: str
    centre_ts: int  # when the SMS centre took the message (Unix seconds)
    discharge_ts: int  # when the phone got it, or when the centre gave up
    status: int  # TP-ST

    @property
    def outcome(self) -> str:
        return outcome(self.status)


class BadReport(ValueError):
    """A line that looks like a status report but is not a well-formed one."""


def parse_time(text: str) -> int:
    """``26/12/06,10:00:07+28`` (zone in quarter hours) as Unix seconds."""
    found = _TIME_RE.match(text.strip())
    if found is None:
        raise BadReport(f"not a status report time: {text!r}")
    yy, mo, dd, hh, mi, ss, sign, quarters = found.groups()
    offset = timedelta(minutes=15 * int(quarters)) * (-1 if sign == "-" else 1)
    try:
        when = datetime(2000 + int(yy), int(mo), int(dd), int(hh), int(mi), int(ss), tzinfo=timezone(offset))
    except ValueError as err:
        raise BadReport(f"not a status report time: {text!r}") from err
    return int(when.timestamp())


def _fields(rest: str) -> list[str]:
    return [field.strip() for field in next(csv.reader([rest], skipinitialspace=True))]


def _report(fields: list[str], line: str) -> StatusReport:
    # <fo>,<mr>,[<ra>],[<tora>],<scts>,<dt>,<st>
    if len(fields) != 7:
        raise BadReport(f"a status report has 7 fields, this one {len(fields)}: {line!r}")
    _first, reference, recipient, _kind, centre, discharge, status = fields
    if not (reference.isdigit() and status.isdigit()):
        raise BadReport(f"a status report's reference and status are numbers: {line!r}")
    if not 0 <= int(reference) <= 255 or not 0 <= int(status) <= 255:
        raise BadReport(f"a status report's reference and status are 0 to 255: {line!r}")
    return StatusReport(int(reference), recipient, parse_time(centre), parse_time(discharge), int(status))


def parse_cds(line: str) -> StatusReport:
    """A text-mode ``+CDS:`` line (module docstring); ``BadReport`` if it is not one."""
    text = line.strip()[:MAX_REPORT_CHARS]
    if not text.startswith(CDS_PREFIX):
        raise BadReport(f"not a +CDS line: {line!r}")
    return _report(_fields(text[len(CDS_PREFIX) :]), line)


def parse_cmgr(line: str) -> StatusReport:
    """The ``+CMGR:`` line of a stored status report read in text mode (``<stat>`` first)."""
    text = line.strip()[:MAX_REPORT_CHARS]
    if not text.startswith("+CMGR:"):
        raise BadReport(f"not a +CMGR line: {line!r}")
    fields = _fields(text[len("+CMGR:") :])
    return _report(fields[1:], line)


def parse_cmgl(line: str) -> tuple[int, StatusReport] | None:
    """A ``+CMGL:`` line of a text-mode listing (``AT+CMGL="ALL"``): (index, report) when it is a status
    report (``<index>,<stat>,<fo>,<mr>,...``), None for any other stored message (an SMS from a member is
    left alone)."""
    text = line.strip()[:MAX_REPORT_CHARS]
    if not text.startswith("+CMGL:"):
        return None
    fields = _fields(text[len("+CMGL:") :])
    if len(fields) != 9 or not fields[0].isdigit():
        return None
    try:
        return int(fields[0]), _report(fields[2:], line)
    except BadReport:
        return None


def stored_index(line: str) -> int | None:
    """The storage index of a ``+CDSI: "SR",3`` line, or None for any other line."""
    found = CDSI_RE.match(line.strip())
    return int(found.group(2)) if found else None


def _semi_octets(data: bytes) -> str:
    """Swapped-nibble digits (``21 43`` -> ``1234``); an ``F`` filler nibble ends them."""
    digits: list[str] = []
    for byte in data:
        for nibble in (byte & 0x0F, byte >> 4):
            if nibble == 0x0F:
                return "".join(digits)
            if nibble > 9:
                raise BadReport(f"not a semi-octet digit: {nibble:X}")
            digits.append(str(nibble))
    return "".join(digits)


def _pdu_time(data: bytes) -> int:
    """TP-SCTS / TP-DT: seven swapped semi-octets, the zone's sign in bit 3 of its first nibble."""
    digits = _semi_octets(data[:6])
    zone = data[6]
    quarters = (zone & 0x07) * 10 + (zone >> 4)
    sign = "-" if zone & 0x08 else "+"
    stamp = f"{digits[0:2]}/{digits[2:4]}/{digits[4:6]},{digits[6:8]}:{digits[8:10]}:{digits[10:12]}"
    return parse_time(f"{stamp}{sign}{quarters:02d}")


def parse_pdu(hex_text: str) -> StatusReport:
    """An SMS-STATUS-REPORT PDU (hex, with the SMS centre's address first, as ``+CDS: <length>`` gives it
    in PDU mode); ``BadReport`` if it is not one."""
    text = hex_text.strip()
    if len(text) > 2 * MAX_REPORT_CHARS or len(text) % 2:
        raise BadReport(f"not a status report PDU: {hex_text[:40]!r}")
    try:
        data = bytes.fromhex(text)
    except ValueError as err:
        raise BadReport(f"not a status report PDU: {hex_text[:40]!r}") from err
    try:
        at = 1 + data[0]  # skip the SMS centre's address
        first = data[at]
        if first & 0x03 != 0x02:
            raise BadReport(f"not a status report PDU (TP-MTI {first & 0x03}): {hex_text[:40]!r}")
        reference = data[at + 1]
        digits, kind = data[at + 2], data[at + 3]
        size = (digits + 1) // 2
        number = _semi_octets(data[at + 4 : at + 4 + size])[:digits]
        at += 4 + size
        if len(data) < at + 15:
            raise BadReport(f"a status report PDU cut short: {hex_text[:40]!r}")
        centre, discharge, status = data[at : at + 7], data[at + 7 : at + 14], data[at + 14]
    except IndexError as err:
        raise BadReport(f"a status report PDU cut short: {hex_text[:40]!r}") from err
    recipient = f"+{number}" if kind & 0x70 == 0x10 else number  # type of number: international
    return StatusReport(reference, recipient, _pdu_time(centre), _pdu_time(discharge), status)


def format_time(ts: int, quarters: int = 28) -> str:
    """Unix seconds as a status report's time in a zone of ``quarters`` quarter hours (28: UTC+7, WIB)."""
    zone = timezone(timedelta(minutes=15 * quarters))
    when = datetime.fromtimestamp(ts, zone)
    sign = "+" if quarters >= 0 else "-"
    return when.strftime("%y/%m/%d,%H:%M:%S") + f"{sign}{abs(quarters):02d}"


def cds_line(report: StatusReport) -> str:
    """The text-mode ``+CDS:`` line of ``report`` (what a modem prints; the fake modem uses it)."""
    kind = 145 if report.recipient.startswith("+") else 129
    return (
        f'+CDS: 6,{report.reference},"{report.recipient}",{kind},"{format_time(report.centre_ts)}",'
        f'"{format_time(report.discharge_ts)}",{report.status}'
    )
