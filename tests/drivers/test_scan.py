"""The classifier: check digits, member cards, unknown codes (drivers/scan.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.scan import Scan, classify, compile_card_pattern, gtin_check_digit, gtin_valid, make_scan

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("4006381333931", "ean13"),
        ("8991002101235", "unknown"),  # wrong check digit
        ("8991002101234", "ean13"),
        ("96385074", "ean8"),
        ("036000291452", "upca"),
        ("036000291453", "unknown"),
        ("KP0123456789AB", "member_card"),
        ("KP0123456789AI", "unknown"),  # I is not Crockford base32
        ("KP0123456789A", "unknown"),
        ("A001", "unknown"),
        ("", "unknown"),
        ("12345", "unknown"),
    ],
)
def test_classify_known_codes(code: str, kind: str) -> None:
    """Known codes get their kind; wrong check digits and near-miss card codes are unknown."""
    assert classify(code) == kind


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_any_body_with_its_check_digit_is_upca_and_any_single_digit_change_is_caught(body: str) -> None:
    """Appending the GS1 check digit makes a valid code; changing any one digit makes it invalid."""
    code = body + str(gtin_check_digit(body))
    assert classify(code) == "upca"
    assert classify("0" + code) == "ean13"  # UPC-A inside EAN-13 keeps its check digit
    for index in range(len(code)):
        for digit in "0123456789":
            if digit != code[index]:
                assert not gtin_valid(code[:index] + digit + code[index + 1 :])


@given(st.text(alphabet=CROCKFORD, min_size=12, max_size=12))
def test_member_cards_are_recognised_in_either_case(tail: str) -> None:
    """Any KP + 12 Crockford characters is a member card, also typed lowercase (scanner caps lock)."""
    assert make_scan("KP" + tail, "t", 1.0).kind == "member_card"
    scan = make_scan(("kp" + tail).lower(), "t", 1.0)
    assert scan == Scan("KP" + tail, "t", 1.0, "member_card")


def test_member_card_pattern_is_configurable() -> None:
    """A cooperative with another card format passes its own pattern."""
    pattern = compile_card_pattern(r"^MBR-\d{6}$")
    assert classify("MBR-000123", pattern) == "member_card"
    assert classify("KP0123456789AB", pattern) == "unknown"
    assert isinstance(pattern, re.Pattern)


def test_make_scan_strips_whitespace_and_keeps_source_and_time() -> None:
    """Surrounding whitespace from the scanner is removed; source and time are kept as given."""
    assert make_scan(" 96385074\t", "serial:/dev/ttyACM0", 12.5) == Scan(
        "96385074", "serial:/dev/ttyACM0", 12.5, "ean8"
    )


def test_overlong_code_is_unknown() -> None:
    """A code longer than any barcode is unknown, whatever it looks like."""
    assert classify("1" * 500) == "unknown"
