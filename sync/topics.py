"""MQTT topic names (ARCHITECTURE.md, "Topics"). The only place topic strings are spelled out."""

from __future__ import annotations

from typing import Final

PREFIX: Final = "kop"


def uplink(coop: str, device: str) -> str:
    """Where a device publishes its envelopes."""
    return f"{PREFIX}/{coop}/dev/{device}/up/tx"


def request(coop: str, device: str, name: str) -> str:
    """Where a device publishes a request to central (MQTT 5 request/response), e.g. ``summary``."""
    return f"{PREFIX}/{coop}/dev/{device}/up/req/{name}"


def ack(coop: str, device: str) -> str:
    """Where central tells a device the highest contiguous seq it has committed (or asks for a resend)."""
    return f"{PREFIX}/{coop}/dev/{device}/down/ack"


def refused(coop: str, device: str) -> str:
    """Where central tells a device which of its envelopes it refused, and why (retained)."""
    return f"{PREFIX}/{coop}/dev/{device}/down/refused"


def device_down(coop: str, device: str, name: str) -> str:
    """A device's own downlink topic, e.g. responses to its requests."""
    return f"{PREFIX}/{coop}/dev/{device}/down/{name}"


def branch_down(coop: str, branch: str, name: str) -> str:
    """A branch's retained downlink (catalog, members, config snapshots and deltas)."""
    return f"{PREFIX}/{coop}/branch/{branch}/down/{name}"


def uplink_filter(coop: str) -> str:
    """Central's subscription to every device's uplink."""
    return f"{PREFIX}/{coop}/dev/+/up/tx"


def request_filter(coop: str) -> str:
    """Central's subscription to every device's requests."""
    return f"{PREFIX}/{coop}/dev/+/up/req/+"


def witness_report(coop: str, device: str) -> str:
    """Where a device reports what it witnessed of the transparency log (``sync.witness``; retained)."""
    return f"{PREFIX}/{coop}/dev/{device}/up/witness"


def witness_filter(coop: str) -> str:
    """Central's subscription to every device's witness reports."""
    return f"{PREFIX}/{coop}/dev/+/up/witness"


def device_of(topic: str) -> str | None:
    """The device id a ``.../dev/<device>/...`` topic names, or None."""
    parts = topic.split("/")
    if len(parts) >= 4 and parts[0] == PREFIX and parts[2] == "dev":
        return parts[3]
    return None
