"""Member summary over MQTT 5 request/response, and the device-side call the kiosk makes.

Request on ``kop/<coop>/dev/<device>/up/req/summary``, body ``{"member": "A001"}``, with the MQTT 5
``ResponseTopic`` = ``kop/<coop>/dev/<device>/down/summary`` and ``CorrelationData``. Under MQTT 3.1.1
(the embedded broker) the body also carries ``reply_to`` and ``correlation`` (hex), and so does the
answer. Central answers with ``ledger.member_summary(...)`` or ``{"error": "...", "member": ...}``.
"""

from __future__ import annotations

import json
import os
import re
import time
from typing import Any, Final

import orjson

from sync import topics
from sync.errors import SummaryError, SummaryTimeout

NAME: Final = "summary"
MAX_REQUEST_BYTES: Final = 1024
MAX_RESPONSE_BYTES: Final = 64 * 1024
CORRELATION_BYTES: Final = 8
TIMEOUT_S_DEFAULT: Final = 5.0
_MEMBER_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def request_body(member: str, reply_to: str | None = None, correlation: bytes | None = None) -> bytes:
    """The request body; ``reply_to``/``correlation`` go in the body only for MQTT 3.1.1."""
    body: dict[str, Any] = {"member": member}
    if reply_to is not None:
        body["reply_to"] = reply_to
    if correlation is not None:
        body["correlation"] = correlation.hex()
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def parse_request(payload: bytes) -> tuple[str, str | None, bytes | None]:
    """(member, reply_to, correlation) of a request; ``SummaryError`` says what is wrong."""
    if len(payload) > MAX_REQUEST_BYTES:
        raise SummaryError(f"request of {len(payload)} bytes exceeds {MAX_REQUEST_BYTES}")
    try:
        body = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SummaryError(f"request is not JSON: {err}") from err
    if not isinstance(body, dict):
        raise SummaryError("request must be a JSON object")
    member = body.get("member")
    if not isinstance(member, str) or not _MEMBER_RE.match(member):
        raise SummaryError(f"member {member!r} is not a member number")
    reply_to = body.get("reply_to")
    correlation = body.get("correlation")
    try:
        corr = bytes.fromhex(correlation) if isinstance(correlation, str) else None
    except ValueError as err:
        raise SummaryError("correlation must be hex") from err
    return member, reply_to if isinstance(reply_to, str) else None, corr


def allowed_reply_topic(coop: str, request_topic: str, reply_to: str | None) -> str | None:
    """The only topic central answers on: the requesting device's own ``down/summary``."""
    device = topics.device_of(request_topic)
    if device is None:
        return None
    expected = topics.device_down(coop, device, NAME)
    return expected if reply_to in (None, expected) else None


def response_body(result: dict[str, Any], correlation: bytes | None = None) -> bytes:
    """The answer body; under MQTT 3.1.1 it repeats the correlation (hex)."""
    body = dict(result)
    if correlation is not None:
        body["correlation"] = correlation.hex()
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def request(
    settings: Any, member: str, timeout_s: float = TIMEOUT_S_DEFAULT, device: Any = None
) -> dict[str, Any]:
    """Ask central for ``member``'s summary over a short-lived connection; return it, saved on ``device``.

    ``settings`` is ``sync.settings.LinkSettings`` or a device directory path. Blocks up to
    ``timeout_s`` (call it from a background thread in the kiosk). Raises ``SummaryTimeout`` when no
    answer came (offline: show the saved copy) and ``SummaryError`` when central answered with an error.
    """
    from pathlib import Path

    from sync import settings as settings_mod
    from sync.link import EventKind, Link, Subscription

    if isinstance(settings, settings_mod.LinkSettings):
        link_settings = settings
    else:
        link_settings = settings_mod.load(Path(settings))
    coop, dev_id = link_settings.coop, link_settings.device
    reply_topic = topics.device_down(coop, dev_id, NAME)
    correlation = os.urandom(CORRELATION_BYTES)
    link = Link(
        link_settings.broker,
        f"{coop}-{dev_id}-req-{correlation.hex()[:6]}",
        subscriptions=[Subscription(reply_topic)],
    )
    v5 = link_settings.broker.mqtt_version == 5
    body = request_body(member) if v5 else request_body(member, reply_topic, correlation)
    deadline = time.monotonic() + timeout_s
    sent = False
    subscribed_at: float | None = None
    try:
        while time.monotonic() < deadline:
            link.step(0.02)
            for event in link.drain():
                if event.kind is EventKind.CONNECTED and event.ok:
                    subscribed_at = time.monotonic()
                if event.kind is not EventKind.MESSAGE or event.topic != reply_topic:
                    continue
                if len(event.payload) > MAX_RESPONSE_BYTES:
                    continue
                try:
                    answer = orjson.loads(event.payload)  # nesting bounded: never a RecursionError
                except orjson.JSONDecodeError:
                    continue
                if not isinstance(answer, dict):
                    continue
                got = event.correlation if v5 else bytes.fromhex(str(answer.pop("correlation", "")))
                if got != correlation:
                    continue
                if "error" in answer:
                    raise SummaryError(str(answer["error"]))
                if device is not None:
                    device.save_member_summary(member, answer)
                return answer
            if not sent and subscribed_at is not None and link.connected:
                # The subscription is sent right after CONNACK, before this publish: the broker keeps order.
                topic = topics.request(coop, dev_id, NAME)
                if v5:
                    mid = link.publish(topic, body, response_topic=reply_topic, correlation=correlation)
                    sent = mid is not None
                else:
                    sent = link.publish(topic, body) is not None
    finally:
        link.close()
    raise SummaryTimeout(f"no answer from central about member {member} within {timeout_s} s")
