"""What a scanner delivers: ``Scan(code, source, at, kind)`` and the pure classifier behind ``kind``.

The classifier checks the GS1 check digit of EAN-13, EAN-8 and UPC-A codes, recognises member-card
codes (``KP`` + 12 Crockford base32 characters by default, pattern configurable) and reports anything
else as ``unknown``. It knows nothing about products or members: mapping a code to either is the
caller's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

Kind = Literal["ean13", "ean8", "upca", "member_card", "unknown"]
KINDS: Final[tuple[Kind, ...]] = ("ean13", "ean8", "upca", "member_card", "unknown")

# docs/contracts.md, "Codes": KP + 12 Crockford base32 characters (no I, L, O, U).
MEMBER_CARD_PATTERN: Final = r"^KP[0-9A-HJKMNP-TV-Z]{12}$"
# A scan longer than this is not a barcode anybody printed; the decoders cut it off as unknown.
MAX_CODE_CHARS: Final = 128

_DIGITS: Final = re.compile(r"^[0-9]+$")
_DEFAULT_CARD_RE: Final = re.compile(MEMBER_CARD_PATTERN)
_GTIN_KINDS: Final[dict[int, Kind]] = {8: "ean8", 12: "upca", 13: "ean13"}


@dataclass(frozen=True, slots=True)
class Scan:
    """One code read by one scanner.

    ``code`` is the text as scanned (surrounding whitespace removed; member-card codes upper-cased),
    ``source`` names the scanner (``evdev:/dev/input/event3``, ``serial:/dev/ttyACM0``), ``at`` is the
    time of the scan's last key or byte in seconds since the epoch, ``kind`` what the classifier saw.
    """

    code: str
    source: str
    at: float
    kind: Kind


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit for the digits ``body`` (a GTIN without its last digit)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = ord(char) - 48
        total += digit * 3 if position % 2 == 0 else digit
    return (10 - total % 10) % 10


def gtin_valid(code: str) -> bool:
    """True when ``code`` is all digits and its last digit is the GS1 check digit of the rest."""
    if len(code) < 2 or not _DIGITS.match(code):
        return False
    return gtin_check_digit(code[:-1]) == ord(code[-1]) - 48


def compile_card_pattern(pattern: str = MEMBER_CARD_PATTERN) -> re.Pattern[str]:
    """Compile a member-card pattern (a regular expression matched against the upper-cased code)."""
    return _DEFAULT_CARD_RE if pattern == MEMBER_CARD_PATTERN else re.compile(pattern)


def classify(code: str, card_pattern: re.Pattern[str] = _DEFAULT_CARD_RE) -> Kind:
    """The kind of ``code``: a barcode with a valid check digit, a member card, or unknown."""
    if len(code) > MAX_CODE_CHARS:
        return "unknown"
    if _DIGITS.match(code):
        kind = _GTIN_KINDS.get(len(code))
        if kind is not None and gtin_valid(code):
            return kind
        return "unknown"
    if card_pattern.match(code.upper()):
        return "member_card"
    return "unknown"


def make_scan(code: str, source: str, at: float, card_pattern: re.Pattern[str] = _DEFAULT_CARD_RE) -> Scan:
    """Build a classified ``Scan`` from raw scanned text (the one place codes are normalised)."""
    text = code.strip()
    kind = classify(text, card_pattern)
    if kind == "member_card":
        text = text.upper()
    return Scan(code=text, source=source, at=at, kind=kind)
