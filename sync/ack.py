"""Central's answer to a device's uplink: the highest contiguous seq committed, and maybe "resend from".

Body: ``{"seq": N}`` (retained on the device's ack topic, so a reconnecting device learns it at once) or
``{"seq": N, "resend_from": S}`` (not retained) when central saw a gap after ``N``.
"""

from __future__ import annotations

import json
from typing import Final, NamedTuple

from sync.errors import AckError

MAX_ACK_BYTES: Final = 256


class Ack(NamedTuple):
    """What central has committed for one device, and where it wants the device to resume."""

    seq: int
    resend_from: int | None = None


def encode(ack: Ack) -> bytes:
    """The JSON body of ``ack``."""
    body: dict[str, int] = {"seq": ack.seq}
    if ack.resend_from is not None:
        body["resend_from"] = ack.resend_from
    return json.dumps(body, separators=(",", ":")).encode("ascii")


def _count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AckError(f"ack field {name} must be a whole number >= 0, got {value!r}")
    return value


def decode(payload: bytes) -> Ack:
    """Parse an ack body; ``AckError`` says what is wrong."""
    if len(payload) > MAX_ACK_BYTES:
        raise AckError(f"ack of {len(payload)} bytes exceeds {MAX_ACK_BYTES}")
    try:
        obj = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise AckError(f"ack is not JSON: {err}") from err
    if not isinstance(obj, dict) or "seq" not in obj:
        raise AckError("ack must be a JSON object with a seq")
    seq = _count(obj["seq"], "seq")
    resend = obj.get("resend_from")
    if resend is not None:
        resend = _count(resend, "resend_from")
        if resend < 1:
            raise AckError("resend_from must be at least 1")
    return Ack(seq, resend)
