"""Central's notice to a device of the envelopes it refused (retained, on the device's own topic
``kop/<coop>/dev/<device>/down/refused``, ``sync.topics.refused``).

A refused envelope that is authentic still counts as processed: the ack moves past it, so one bad
envelope never stops a device's sync. This notice says which seqs those were and why. It is the whole
current picture (not a delta), retained, so a device that was away a week, or missed any number of
acks, learns everything from the one message it receives on reconnecting.

Body (JSON, UTF-8, at most ``MAX_NOTICE_BYTES``)::

    {"v": 1, "device": "toko-01", "total": 3,
     "items": [{"seq": 17, "id": "...", "reason": "...", "state": "refused" | "accepted"}, ...]}

``total`` counts every refusal of the device ever; ``items`` are the latest ``MAX_ITEMS`` by seq, in seq
order, each ``reason`` cut to ``MAX_REASON_CHARS``. ``accepted`` means the office retried the envelope
after fixing its cause and central committed it after all.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

import orjson

from sync.envelope import DEVICE_RE, ID_RE
from sync.errors import RefusalNoticeError

NAME: Final = "refused"
VERSION: Final = 1
MAX_ITEMS: Final = 50
MAX_REASON_CHARS: Final = 160
# 50 items x (seq, a 64-character id, 160 characters of reason of up to 4 UTF-8 bytes, keys) < 40 KiB.
MAX_NOTICE_BYTES: Final = 48 * 1024
STATES: Final = ("refused", "accepted")
# A reason that starts with this means central refused the envelope because the device is revoked;
# the device then shows itself revoked (``edge status``) instead of "waiting for central".
DEVICE_REVOKED: Final = "device revoked"


class Item(NamedTuple):
    """One refused envelope of the device."""

    seq: int
    id: str
    reason: str
    state: str = "refused"


class Notice(NamedTuple):
    """What central refused of one device."""

    device: str
    total: int
    items: tuple[Item, ...]


def encode(notice: Notice) -> bytes:
    """The JSON body (reasons cut to ``MAX_REASON_CHARS``, at most the last ``MAX_ITEMS``)."""
    items = notice.items[-MAX_ITEMS:]
    body: dict[str, Any] = {
        "v": VERSION,
        "device": notice.device,
        "total": max(notice.total, len(items)),
        "items": [
            {"seq": i.seq, "id": i.id, "reason": i.reason[:MAX_REASON_CHARS], "state": i.state} for i in items
        ],
    }
    data = orjson.dumps(body)
    assert len(data) <= MAX_NOTICE_BYTES, len(data)  # bounded by the limits above
    return data


def _count(value: object, name: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise RefusalNoticeError(f"refusal notice: {name} must be a whole number >= {minimum}, got {value!r}")
    return value


def _item(raw: object) -> Item:
    if not isinstance(raw, dict):
        raise RefusalNoticeError("refusal notice: each item must be an object")
    seq = _count(raw.get("seq"), "seq", 1)
    ident, reason, state = raw.get("id"), raw.get("reason"), raw.get("state", "refused")
    if not isinstance(ident, str) or not ID_RE.match(ident):
        raise RefusalNoticeError(f"refusal notice: item id {ident!r} is not an envelope id")
    if not isinstance(reason, str) or len(reason) > MAX_REASON_CHARS:
        raise RefusalNoticeError(f"refusal notice: a reason is text of at most {MAX_REASON_CHARS} characters")
    if state not in STATES:
        raise RefusalNoticeError(f"refusal notice: item state must be one of {', '.join(STATES)}")
    return Item(seq, ident, reason, str(state))


def decode(payload: bytes) -> Notice:
    """Parse a notice body; ``RefusalNoticeError`` says what is wrong."""
    if len(payload) > MAX_NOTICE_BYTES:
        raise RefusalNoticeError(f"refusal notice of {len(payload)} bytes exceeds {MAX_NOTICE_BYTES}")
    try:
        obj = orjson.loads(payload)
    except orjson.JSONDecodeError as err:
        raise RefusalNoticeError(f"refusal notice is not JSON: {err}") from err
    if not isinstance(obj, dict) or obj.get("v") != VERSION:
        raise RefusalNoticeError(f"refusal notice must be a JSON object with v = {VERSION}")
    device = obj.get("device")
    if not isinstance(device, str) or not DEVICE_RE.match(device):
        raise RefusalNoticeError("refusal notice: device must be a device id")
    items = obj.get("items")
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise RefusalNoticeError(f"refusal notice: items must be a list of at most {MAX_ITEMS}")
    parsed = tuple(_item(raw) for raw in items)
    return Notice(device, _count(obj.get("total"), "total"), parsed)
