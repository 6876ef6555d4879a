"""Plain rules for SMS over a GSM modem in text mode: numbers, characters, splitting, modem error codes.

Pure functions, no serial port: the AT driver (``drivers.modem``) calls them.

Text mode sends each SMS on its own (no concatenation header), so a long text becomes up to
``MAX_PARTS`` SMS, each starting with ``(i/n)`` so the reader sees the order. Characters are folded to
the part of ASCII the GSM 7-bit alphabet shares with it (accents dropped, brackets to parentheses),
which every modem's text mode passes through unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, NamedTuple

from drivers.errors import SmsInvalid

SMS_CHARS: Final = 160
MAX_PARTS: Final = 5
NUMBER_RE: Final = re.compile(r"^\+?[0-9]{3,15}$")
# ASCII characters outside the GSM 7-bit basic table, and what they become.
_REPLACE: Final = {
    "[": "(",
    "]": ")",
    "{": "(",
    "}": ")",
    "\\": "/",
    "|": "/",
    "^": "",
    "~": "-",
    "`": "'",
    "_": "-",
}
_ALLOWED: Final = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 \n!\"#$%&'()*+,-./:;<=>?@"
)


class CmsError(NamedTuple):
    """What a ``+CMS ERROR`` number means, and whether sending again later may work."""

    en: str
    id: str
    retry: bool


CMS_ERRORS: Final[dict[int, CmsError]] = {
    1: CmsError("unassigned (unallocated) number", "nomor tidak terdaftar", False),
    8: CmsError("operator determined barring", "diblokir operator", False),
    21: CmsError("short message transfer rejected", "pengiriman SMS ditolak", False),
    27: CmsError("destination out of service", "tujuan di luar layanan", True),
    28: CmsError("unidentified subscriber", "pelanggan tidak dikenal", False),
    38: CmsError("network out of order", "jaringan bermasalah", True),
    41: CmsError("temporary failure", "gangguan sementara", True),
    42: CmsError("congestion", "jaringan padat", True),
    47: CmsError("resources unavailable", "sumber daya jaringan tidak tersedia", True),
    50: CmsError(
        "requested facility not subscribed (no credit?)", "layanan tidak berlangganan (pulsa habis?)", False
    ),
    96: CmsError(
        "invalid mandatory information (bad number?)", "informasi wajib tidak sah (nomor salah?)", False
    ),
    304: CmsError("invalid PDU mode parameter", "parameter mode PDU tidak sah", False),
    305: CmsError("invalid text mode parameter", "parameter mode teks tidak sah", False),
    310: CmsError("SIM not inserted", "SIM tidak terpasang", False),
    311: CmsError("SIM PIN required", "SIM memerlukan PIN", False),
    330: CmsError(
        "SMS centre address unknown (set it with AT+CSCA)",
        "nomor pusat SMS tidak diketahui (atur AT+CSCA)",
        False,
    ),
    331: CmsError("no network service", "tidak ada layanan jaringan", True),
    332: CmsError("network timeout", "jaringan tidak menjawab", True),
    500: CmsError("unknown error", "kesalahan tidak diketahui", True),
}


def describe_cms(code: int) -> CmsError:
    """The meaning of a ``+CMS ERROR`` code; vendor codes (512 and up) are treated as retryable."""
    if code in CMS_ERRORS:
        return CMS_ERRORS[code]
    return CmsError(f"modem error {code}", f"kesalahan modem {code}", code >= 512)


def normalise_number(number: str) -> str:
    """A phone number without spaces, dashes, dots or parentheses; ``SmsInvalid`` if it is not one."""
    cleaned = re.sub(r"[\s\-.()]", "", number or "")
    if not NUMBER_RE.match(cleaned):
        raise SmsInvalid(
            f"{number!r} is not a phone number: use digits with an optional leading +, e.g. +6281234567890",
            f"{number!r} bukan nomor telepon: gunakan angka dengan + di depan jika perlu, "
            "misalnya +6281234567890",
        )
    return cleaned


def gsm_text(text: str) -> str:
    """``text`` folded to characters every modem's text mode sends unchanged (see the module docstring)."""
    out = []
    for char in unicodedata.normalize("NFKD", text.replace("\r\n", "\n")):
        if unicodedata.combining(char):
            continue
        if char in _REPLACE:
            out.append(_REPLACE[char])
        elif char in _ALLOWED:
            out.append(char)
        elif char in "\t\r":
            out.append(" ")
        else:
            out.append("?")
    return "".join(out).strip()


def split_sms(text: str) -> list[str]:
    """The SMS texts to send for ``text``: one if it fits in 160 characters, else numbered parts."""
    clean = gsm_text(text)
    if not clean:
        raise SmsInvalid("the SMS text is empty", "teks SMS kosong")
    if len(clean) <= SMS_CHARS:
        return [clean]
    for total in range(2, MAX_PARTS + 1):
        parts = _split_words(clean, SMS_CHARS - len(f"({total}/{total}) "))
        if len(parts) <= total:
            return [f"({number}/{len(parts)}) {part}" for number, part in enumerate(parts, start=1)]
    limit = MAX_PARTS * (SMS_CHARS - len(f"({MAX_PARTS}/{MAX_PARTS}) "))
    raise SmsInvalid(
        f"the SMS text is {len(clean)} characters; at most about {limit} fit in {MAX_PARTS} messages",
        f"teks SMS {len(clean)} karakter; paling banyak sekitar {limit} muat dalam {MAX_PARTS} pesan",
    )


def _split_words(text: str, width: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``width`` characters, at spaces where possible."""
    pieces: list[str] = []
    rest = text
    while len(rest) > width:
        cut = rest.rfind(" ", 0, width + 1)
        if cut <= width // 2:
            cut = width
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
