"""Central serve's fast check that an envelope names the device of its topic, on the raw bytes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.serve.server import _names_only, _seq_of
from sync.envelope import canonical


def _env(**extra: object) -> dict[str, object]:
    return {"v": 1, "id": "x1", "device": "toko-01", "seq": 7, "note": "hi", **extra}


def test_own_envelope_passes() -> None:
    """A canonical envelope naming the topic's device takes the fast path, with its seq read."""
    raw = canonical(_env())
    assert _names_only(raw, "toko-01")
    assert _seq_of(raw) == 7
    assert not _names_only(raw, "toko-02")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"device":"toko-01","x":1,"device":"toko-02"}',  # duplicate key: the parser keeps the last
        b'{"device":"toko-01","dev\\u0069ce":"toko-02"}',  # a key spelled with an escape
        b'{"device" : "toko-01"}',  # not canonical: left to the ledger
        b"not json at all",
    ],
)
def test_doubtful_envelopes_go_to_the_ledger(raw: bytes) -> None:
    """Anything that might name another device is left for the ledger to judge against the topic."""
    assert not _names_only(raw, "toko-01")


@given(st.text(max_size=60))
def test_text_inside_strings_cannot_fake_the_device(note: str) -> None:
    """Whatever a note holds, only the real device key decides, as the parsed JSON would."""
    env = _env(device="toko-02", note=f'","device":"toko-01{note}')
    raw = canonical(env)
    assert _names_only(raw, "toko-01") is False
    assert _names_only(raw, "toko-02") is (b"\\u" not in raw and json.loads(raw)["device"] == "toko-02")
