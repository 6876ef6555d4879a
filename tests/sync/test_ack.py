"""Ack bodies from central: round trip, and bad bodies refused with a reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import ack
from sync.errors import AckError


@given(st.integers(min_value=0, max_value=2**53), st.none() | st.integers(min_value=1, max_value=2**53))
def test_ack_round_trip(seq: int, resend: int | None) -> None:
    """Any ack decodes to what was encoded."""
    value = ack.Ack(seq, resend)
    assert ack.decode(ack.encode(value)) == value


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"nope", "not JSON"),
        (b"[1]", "with a seq"),
        (b'{"seq": -1}', ">= 0"),
        (b'{"seq": 1, "resend_from": 0}', "at least 1"),
    ],
)
def test_bad_ack_refused(body: bytes, reason: str) -> None:
    """A malformed ack raises AckError naming the problem."""
    with pytest.raises(AckError, match=reason):
        ack.decode(body)
