"""Indonesian mobile numbers in the one form the outbox keeps: ``+628...``.

``08xx``, ``628xx`` and ``+628xx`` (with spaces, dashes, dots or parentheses) all become ``+628xx``; anything
else is refused with a reason the office can act on (empty, another country, not a mobile number, too short
or too long). Pure.
"""

from __future__ import annotations

import re
from typing import Final

from central.notify.errors import BadPhone

# After +62 a mobile number is 8 followed by 8 to 11 digits (e.g. +62 812-3456-7890).
SUBSCRIBER_MIN: Final = 9
SUBSCRIBER_MAX: Final = 12
_SEPARATORS: Final = re.compile(r"[\s\-.()/]")


def normalise(raw: str | None) -> str:
    """``raw`` as ``+628...``, or ``BadPhone`` saying why it cannot be used."""
    given = (raw or "").strip()
    cleaned = _SEPARATORS.sub("", given)
    if not cleaned:
        raise BadPhone("no phone number", "tidak ada nomor telepon")
    if not re.fullmatch(r"\+?[0-9]+", cleaned):
        raise BadPhone(
            f"{given!r} is not a phone number (only digits, spaces, dashes and a leading + are allowed)",
            f"{given!r} bukan nomor telepon (hanya angka, spasi, tanda hubung dan + di depan)",
        )
    if cleaned.startswith("+62"):
        rest = cleaned[3:]
    elif cleaned.startswith("62"):
        rest = cleaned[2:]
    elif cleaned.startswith("0") and not cleaned.startswith("00"):
        rest = cleaned[1:]
    elif cleaned.startswith(("+", "00")):
        raise BadPhone(
            f"{given!r} is not an Indonesian number (+62); the modem sends only to Indonesian mobiles",
            f"{given!r} bukan nomor Indonesia (+62); modem hanya mengirim ke ponsel Indonesia",
        )
    else:
        raise BadPhone(
            f"{given!r} has no prefix: write it as 08..., 628... or +628...",
            f"{given!r} tanpa awalan: tulis sebagai 08..., 628... atau +628...",
        )
    if not rest.startswith("8"):
        raise BadPhone(
            f"{given!r} is not a mobile number (after +62 a mobile number starts with 8)",
            f"{given!r} bukan nomor ponsel (setelah +62 nomor ponsel diawali 8)",
        )
    if not SUBSCRIBER_MIN <= len(rest) <= SUBSCRIBER_MAX:
        raise BadPhone(
            f"{given!r} has {len(rest) + 1} digits after the leading 0; a mobile number has "
            f"{SUBSCRIBER_MIN + 1} to {SUBSCRIBER_MAX + 1}",
            f"{given!r} memiliki {len(rest) + 1} angka setelah 0 di depan; nomor ponsel memiliki "
            f"{SUBSCRIBER_MIN + 1} sampai {SUBSCRIBER_MAX + 1}",
        )
    return "+62" + rest
