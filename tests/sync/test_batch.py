"""Uplink batch payloads: order kept, compression only when it pays, bad payloads refused with a reason."""

from __future__ import annotations

import json
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import batch
from sync.errors import BatchError

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_KEYS = st.sampled_from(["id", "sku", "note", "seq"])
_ENVELOPE = st.dictionaries(_KEYS, _TEXT | st.integers(), min_size=1).map(
    lambda d: json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
)


@given(st.lists(_ENVELOPE, min_size=1, max_size=60), st.booleans())
def test_decode_inverts_encode(envelopes: list[bytes], compress: bool) -> None:
    """Any list of JSON envelopes comes back unchanged and in order, compressed or not."""
    assert batch.decode(batch.encode(envelopes, compress=compress)) == envelopes


@given(st.lists(_ENVELOPE, min_size=1, max_size=60))
def test_compression_never_costs_bytes(envelopes: list[bytes]) -> None:
    """The encoded payload is never larger than the plain newline-joined form."""
    assert len(batch.encode(envelopes)) <= len(b"\n".join(envelopes))


def test_repetitive_batch_is_compressed() -> None:
    """A batch of similar envelopes goes compressed (zlib header) and is much smaller."""
    envs = [
        json.dumps({"id": f"toko-01:{i}", "kind": "sale", "total": 1000 * i}, separators=(",", ":")).encode()
        for i in range(50)
    ]
    payload = batch.encode(envs)
    assert payload[0] == 0x78
    assert len(payload) < len(b"\n".join(envs)) / 3


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "empty"),
        (b"\x78\x9c garbage", "does not decompress"),
        (b'{"a":1}\n\n{"b":2}', "empty envelope"),
        (b"{}\n" * batch.MAX_BATCH_ENVELOPES + b"{}", "more than the limit"),
        (zlib.compress(b"x" * (batch.MAX_BATCH_BYTES + 10)), "decompresses to more"),
        (b"x" * (batch.MAX_WIRE_BYTES + 1), "exceeds the limit"),
    ],
)
def test_bad_payload_is_refused_with_reason(payload: bytes, reason: str) -> None:
    """Malformed, oversized or overfull payloads raise BatchError naming the problem."""
    with pytest.raises(BatchError, match=reason):
        batch.decode(payload)


def test_encode_refuses_newline_inside_envelope() -> None:
    """An envelope holding a raw newline would split in two, so encode refuses it."""
    with pytest.raises(BatchError, match="newline"):
        batch.encode([b'{"a":\n1}'])
