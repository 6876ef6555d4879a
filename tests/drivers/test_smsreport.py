"""SMS status reports: the pure parser over real-format text-mode lines, and the driver asking for reports
and reading them (as +CDS lines and stored +CDSI ones) from the fake modem on a pty."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.fakes.modem import FakeModem
from drivers.modem import ROUTE_REPORTS, SUBMIT_WITH_REPORT, GsmModem
from drivers.smsreport import (
    BadReport,
    StatusReport,
    cds_line,
    describe,
    outcome,
    parse_cds,
    parse_cmgl,
    parse_cmgr,
    parse_pdu,
    parse_time,
    stored_index,
)

DEADLINE_S = 5.0


def _ts(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())


def test_a_cds_line_of_a_delivered_sms() -> None:
    """A text-mode +CDS line gives reference, recipient, both times (zone in quarter hours) and status."""
    report = parse_cds('+CDS: 6,203,"+6281234567890",145,"26/12/06,10:00:00+28","26/12/06,10:00:07+28",0')
    assert report == StatusReport(
        203, "+6281234567890", _ts(2026, 12, 6, 3, 0, 0), _ts(2026, 12, 6, 3, 0, 7), 0
    )
    assert report.outcome == "delivered"


def test_a_stored_report_read_with_cmgr_and_a_national_number() -> None:
    """The +CMGR answer of a stored report has the read state first; a national number (type 129) stays
    as the network wrote it; a negative zone counts back."""
    report = parse_cmgr(
        '+CMGR: "REC UNREAD",6,7,"081234567890",129,"26/01/31,23:59:58-04","26/02/01,00:00:03-04",70'
    )
    assert (report.reference, report.recipient, report.status) == (7, "081234567890", 70)
    assert report.discharge_ts == _ts(2026, 2, 1, 1, 0, 3)
    assert report.outcome == "failed"
    assert "masa berlaku habis" in describe(70).id and "validity period" in describe(70).en


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (0, "delivered"),
        (1, "delivered"),
        (31, "delivered"),
        (32, "pending"),
        (63, "pending"),
        (64, "failed"),
        (96, "failed"),
        (255, "failed"),
    ],
)
def test_tp_st_ranges(status: int, expected: str) -> None:
    """0..31 done, 32..63 the centre still tries, 64 and up it gave up."""
    assert outcome(status) == expected
    assert f"status {status}" in describe(status).en


@pytest.mark.parametrize(
    "line",
    [
        "+CDS: 6,203",
        '+CDS: 6,x,"+62812",145,"26/12/06,10:00:00+28","26/12/06,10:00:07+28",0',
        '+CDS: 6,300,"+62812",145,"26/12/06,10:00:00+28","26/12/06,10:00:07+28",0',
        '+CDS: 6,3,"+62812",145,"26/13/06,10:00:00+28","26/12/06,10:00:07+28",0',
        '+CDS: 6,3,"+62812",145,"yesterday","26/12/06,10:00:07+28",0',
        '+CMTI: "SM",3',
    ],
)
def test_malformed_reports_are_refused(line: str) -> None:
    """A line that is not a well-formed report raises BadReport (the driver keeps it aside)."""
    with pytest.raises(BadReport):
        parse_cds(line)


@given(
    reference=st.integers(0, 255),
    status=st.integers(0, 255),
    when=st.integers(_ts(2000, 1, 2, 0, 0, 0), _ts(2098, 12, 30, 0, 0, 0)),
    number=st.from_regex(r"\+?[0-9]{6,15}", fullmatch=True),
)
def test_a_formatted_report_parses_back(reference: int, status: int, when: int, number: str) -> None:
    """Any report printed the way a modem prints it parses back to itself."""
    report = StatusReport(reference, number, when - 5, when, status)
    assert parse_cds(cds_line(report)) == report


def test_cdsi_index_and_times() -> None:
    assert stored_index('+CDSI: "SR",12') == 12
    assert stored_index('+CMTI: "SM",3') is None
    assert parse_time("00/01/01,07:00:00+28") == _ts(2000, 1, 1, 0, 0, 0)  # years are 20yy


def _reports(modem: GsmModem, count: int) -> list[StatusReport]:
    """Poll the driver until ``count`` reports came, within a bounded deadline."""
    found: list[StatusReport] = []
    deadline = time.monotonic() + DEADLINE_S
    while len(found) < count and time.monotonic() < deadline:
        found += modem.status_reports()
        if len(found) < count:
            time.sleep(0.02)
    return found


def test_a_stored_report_the_first_sweep_read_is_not_read_again_from_its_notice() -> None:
    """The first call lists what the modem stored (the sweep) before it has read the notice of that very
    report off the line; the notice read next names an index now empty (+CMS ERROR 321): nothing more
    to read, no error, the report counted once."""
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        sent = modem.send_sms("+6281311112222", "Tes dua")
        fake.report(sent[0], 0, stored=True)
        deadline = time.monotonic() + DEADLINE_S
        while fake.stored_reports() == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert fake.stored_reports() == 1
        found = modem.status_reports()  # no command since the notice: it is still on the line
        assert [r.reference for r in found] == [sent[0]] and fake.stored_reports() == 0
        again: list[StatusReport] = []
        for _ in range(3):
            again += modem.status_reports()
        assert again == []


def test_the_driver_asks_for_reports_and_reads_both_kinds() -> None:
    """Open sets TP-SRR and the report routing; a +CDS line and a stored +CDSI report both come back
    from status_reports, the stored one deleted from the modem, other lines left aside."""
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        assert modem.reports
        first = modem.send_sms("+6281234567890", "Tes satu")
        second = modem.send_sms("+6281311112222", "Tes dua")
        fake.report(first[0], 0)
        fake.urc("RING")
        fake.report(second[0], 67, stored=True)
        found = _reports(modem, 2)  # in either order: a stored one may be swept before the line is read
        assert sorted((r.reference, r.recipient, r.status) for r in found) == sorted(
            [
                (first[0], "+6281234567890", 0),
                (second[0], "+6281311112222", 67),
            ]
        )
        assert fake.stored_reports() == 0
        assert "RING" in modem.unsolicited
        assert modem.status_reports() == []
    assert fake.report_settings == [SUBMIT_WITH_REPORT[2:], ROUTE_REPORTS[2:]]


def test_a_garbled_report_is_kept_aside_not_raised() -> None:
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        fake.urc("+CDS: 6,12,garbled")
        deadline = time.monotonic() + DEADLINE_S
        while not modem.bad_reports and time.monotonic() < deadline:
            assert modem.status_reports() == []
            time.sleep(0.02)
        assert list(modem.bad_reports) == ["+CDS: 6,12,garbled"]


def test_references_wrap_after_255() -> None:
    """The modem's reference counts to 255 and starts again at 0."""
    with FakeModem(first_reference=255) as fake, GsmModem(fake.port) as modem:
        assert modem.send_sms("+6281234567890", "a") == [255]
        assert modem.send_sms("+6281234567890", "b") == [0]


def test_reports_can_be_turned_off() -> None:
    with FakeModem() as fake, GsmModem(fake.port, delivery_reports=False) as modem:
        assert not modem.reports
    assert fake.report_settings == []


# A status report as a modem in PDU mode gives it (a public test vector of SMS PDU decoders): no SMS
# centre address, TP-MR 214, +31628870634, 11/01/11 17:59:15 and 17:59:17 at +04 quarters, status 0.
REAL_PDU = "0006D60B911326880736F4111011719551401110117195714000"


def test_a_pdu_mode_report() -> None:
    """The PDU form parses to the same fields as the text form: reference, international number, both
    time stamps with their zone, status."""
    report = parse_pdu(REAL_PDU)
    assert report == StatusReport(
        214, "+31628870634", _ts(2011, 1, 11, 16, 59, 15), _ts(2011, 1, 11, 16, 59, 17), 0
    )
    with_centre = parse_pdu("07912658050000F0" + "060E0C91261832547698" + "62216001000082" * 2 + "46")
    assert (with_centre.reference, with_centre.recipient, with_centre.status) == (14, "+628123456789", 70)
    assert with_centre.discharge_ts == _ts(2026, 12, 6, 3, 0, 0)


@pytest.mark.parametrize(
    "pdu",
    [
        REAL_PDU[:-6],  # cut short
        "0004D60B911326880736F4111011719551401110117195714000",  # an SMS-DELIVER, not a report
        "zz",
        REAL_PDU + "0",
    ],
)
def test_malformed_pdus_are_refused(pdu: str) -> None:
    with pytest.raises(BadReport):
        parse_pdu(pdu)


def test_the_driver_reads_a_pdu_mode_report_line_pair() -> None:
    """A modem that gives reports as '+CDS: <length>' and a PDU line still has them read."""
    with FakeModem() as fake, GsmModem(fake.port) as modem:
        fake.urc(f"+CDS: {len(REAL_PDU) // 2 - 1}")
        fake.urc(REAL_PDU)
        found = _reports(modem, 1)
    assert [(r.reference, r.recipient) for r in found] == [(214, "+31628870634")]


def test_reports_stored_while_the_port_was_closed_are_read_once_on_open() -> None:
    """A report the modem stored unannounced (it came while no program held the port) is listed with
    AT+CMGL on the first call after opening, read once and deleted."""
    with FakeModem() as fake:
        with GsmModem(fake.port) as modem:
            reference = modem.send_sms("+6281234567890", "Tes")[0]
        fake.report(reference, 0, stored=True, announce=False)
        with GsmModem(fake.port) as modem:
            found = modem.status_reports()
            assert [(r.reference, r.recipient, r.status) for r in found] == [(reference, "+6281234567890", 0)]
            assert fake.stored_reports() == 0
            assert modem.status_reports() == []
    assert fake.commands.count('AT+CMGL="ALL"') == 1


def test_a_listing_line_is_a_report_or_left_alone() -> None:
    line = '+CMGL: 4,"REC UNREAD",6,9,"+6281234567890",145,"26/12/06,10:00:00+28","26/12/06,10:00:07+28",0'
    found = parse_cmgl(line)
    assert found is not None and found[0] == 4 and found[1].reference == 9
    assert parse_cmgl('+CMGL: 5,"REC READ","+6281234567890",,"26/12/06,10:00:00+28"') is None
