"""Uplink payloads: several envelopes in one MQTT message, zlib-compressed when that pays.

Wire form (pure functions, no I/O):

* plain: the envelopes' JSON texts joined by ``\\n`` (canonical JSON never holds a raw newline);
* compressed: the same bytes as a zlib stream with the preset dictionary ``ZDICT`` (first byte 0x78,
  which no JSON text starts with).

The receiver refuses a payload that is empty, does not decompress, decompresses to more than
``MAX_BATCH_BYTES`` or holds more than ``MAX_BATCH_ENVELOPES`` envelopes, naming the reason.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Final

from sync.errors import BatchError

MAX_BATCH_ENVELOPES: Final = 500
# Upper bound of a batch after decompression: 500 envelopes of ~1 KB, with room to spare.
MAX_BATCH_BYTES: Final = 1024 * 1024
# Upper bound of a payload on the wire (before decompression).
MAX_WIRE_BYTES: Final = MAX_BATCH_BYTES
# Compressing a few hundred bytes rarely pays; below this size the payload goes plain.
COMPRESS_MIN_BYTES: Final = 200
ZLIB_LEVEL: Final = 6
_ZLIB_FIRST_BYTE: Final = 0x78
_SEPARATOR: Final = b"\n"

# Preset dictionary: the strings every envelope repeats, so that even a single small envelope
# compresses. Changing it breaks old readers: add a new first byte form instead.
ZDICT: Final = (
    b'"cost_rp":"device":"kind":"sale","lines":[{"member":null,"payment":"cash","prev":"'
    b'"price_rp":"qty":1,"seq":"sig":"sku":"total":"unit":"toko","v":1}'
    b'"at":"2026-01-01T00:00:00+07:00","id":"credit","savings_deposit","installment","product":"wajib"'
    b'"loan":"principal_rp":"interest_rp":"clerk":"cafe","fotokopi","kiostel","simpan-pinjam"'
)


def encode(envelopes: Sequence[bytes], *, compress: bool = True) -> bytes:
    """One payload holding ``envelopes`` (JSON texts) in order; compressed when it is smaller."""
    if not envelopes:
        raise BatchError("a batch needs at least one envelope")
    if len(envelopes) > MAX_BATCH_ENVELOPES:
        raise BatchError(f"a batch holds at most {MAX_BATCH_ENVELOPES} envelopes, got {len(envelopes)}")
    for env in envelopes:
        if not env or _SEPARATOR in env:
            raise BatchError("an envelope in a batch must be non-empty JSON text without a raw newline")
    plain = _SEPARATOR.join(envelopes)
    if len(plain) > MAX_BATCH_BYTES:
        raise BatchError(f"batch of {len(plain)} bytes exceeds the limit of {MAX_BATCH_BYTES}")
    if compress and len(plain) >= COMPRESS_MIN_BYTES:
        packer = zlib.compressobj(ZLIB_LEVEL, zdict=ZDICT)
        packed = packer.compress(plain) + packer.flush()
        if len(packed) < len(plain):
            return packed
    return plain


def decode(payload: bytes) -> list[bytes]:
    """The envelopes of one payload, in order; ``BatchError`` names what is wrong with it."""
    if not payload:
        raise BatchError("empty payload")
    if len(payload) > MAX_WIRE_BYTES:
        raise BatchError(f"payload of {len(payload)} bytes exceeds the limit of {MAX_WIRE_BYTES}")
    if payload[0] == _ZLIB_FIRST_BYTE:
        unpacker = zlib.decompressobj(zdict=ZDICT)
        try:
            plain = unpacker.decompress(payload, MAX_BATCH_BYTES + 1)
        except zlib.error as err:
            raise BatchError(f"compressed payload does not decompress: {err}") from err
        if len(plain) > MAX_BATCH_BYTES or unpacker.unconsumed_tail:
            raise BatchError(f"payload decompresses to more than {MAX_BATCH_BYTES} bytes")
        if not unpacker.eof:
            raise BatchError("compressed payload is truncated")
    else:
        plain = payload
    parts = plain.split(_SEPARATOR)
    if len(parts) > MAX_BATCH_ENVELOPES:
        raise BatchError(f"batch holds {len(parts)} envelopes, more than the limit of {MAX_BATCH_ENVELOPES}")
    if any(not part.strip() for part in parts):
        raise BatchError("batch holds an empty envelope")
    return parts
