"""Downlink payloads (catalog, members, config): versioned snapshots and deltas, as plain functions.

Central keeps, per branch and name, the last published items and version. When the items change it
publishes a delta (``base`` = previous version; changed items and deleted keys) on
``.../down/<name>/delta`` (not retained), the full snapshot on ``.../down/<name>`` (retained) and a small
retained ``.../down/versions`` (``{"catalog": 7, "members": 12, "config": 1}``). A device listens to
deltas and to ``versions`` all the time, and subscribes to a snapshot topic only while that snapshot is
newer than what it holds: a device back after weeks fetches the snapshots it lacks, an online one gets
small deltas, and a reconnect on a poor link costs a few bytes. Payload form: docs/contracts.md,
"Downlink payloads".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sync import topics

NAMES: Final = ("catalog", "members", "config")
# Payloads whose figures follow the devices' transactions (stock, credit used): central adds
# ``"reflects": {device: seq}``, each of the branch's devices' contiguous committed seq when it read
# them, so that a device counts as pending exactly its sales above that (docs/contracts.md).
REFLECTING: Final = ("catalog", "members")
# ``counts``: the open stock counts (stok opname), items {id, unit, section, started} (docs/contracts.md).
KEY_OF: Final = {"catalog": "sku", "members": "number", "config": "key", "clerks": "id", "counts": "id"}
DELTA_SUFFIX: Final = "delta"
# A snapshot larger than this is refused by the device (a catalog of 300 items is about 40 KB).
MAX_DOWNLINK_BYTES: Final = 4 * 1024 * 1024


def delta_topic(coop: str, branch: str, name: str) -> str:
    """Where a branch's deltas of ``name`` go (not retained)."""
    return topics.branch_down(coop, branch, f"{name}/{DELTA_SUFFIX}")


VERSIONS: Final = "versions"
MAX_VERSIONS_BYTES: Final = 1024


def versions_topic(coop: str, branch: str) -> str:
    """Where central keeps (retained) the current version of each of a branch's snapshots."""
    return topics.branch_down(coop, branch, VERSIONS)


def parse_versions(payload: bytes) -> dict[str, int]:
    """The name -> version map of a versions message; unknown or malformed entries are dropped."""
    if len(payload) > MAX_VERSIONS_BYTES:
        return {}
    try:
        body = json.loads(payload)
    except (UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(body, dict):
        return {}
    return {
        name: value
        for name, value in body.items()
        if name in KEY_OF and isinstance(value, int) and not isinstance(value, bool) and value >= 0
    }


def delta_filter(coop: str, branch: str) -> str:
    """A device's subscription to its branch's deltas."""
    return topics.branch_down(coop, branch, f"+/{DELTA_SUFFIX}")


def parse_topic(topic: str) -> tuple[str, bool] | None:
    """(name, is_delta) of a branch downlink topic, or None for any other topic."""
    parts = topic.split("/")
    if len(parts) < 6 or parts[0] != topics.PREFIX or parts[2] != "branch" or parts[4] != "down":
        return None
    if len(parts) == 6:
        return parts[5], False
    if len(parts) == 7 and parts[6] == DELTA_SUFFIX:
        return parts[5], True
    return None


def digest(items: Sequence[Mapping[str, Any]]) -> str:
    """A hash of the items' content, independent of their order."""
    texts = sorted(json.dumps(i, sort_keys=True, separators=(",", ":"), ensure_ascii=False) for i in items)
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()


def snapshot(name: str, version: int, items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A full snapshot payload."""
    return {"name": name, "kind": "snapshot", "version": version, "items": [dict(i) for i in items]}


def delta(
    name: str, version: int, old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The delta from ``old`` to ``new``: changed or added items and deleted keys; ``base`` = version - 1."""
    key = KEY_OF[name]
    before = {i[key]: dict(i) for i in old}
    after = {i[key]: dict(i) for i in new}
    changed = [item for k, item in sorted(after.items()) if before.get(k) != item]
    deleted = sorted(k for k in before if k not in after)
    return {
        "name": name,
        "kind": "delta",
        "version": version,
        "base": version - 1,
        "items": changed,
        "delete": deleted,
    }


def encode(payload: Mapping[str, Any]) -> bytes:
    """Compact JSON bytes of a payload."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode("utf-8")


@dataclass(frozen=True)
class Published:
    """What central last published for one (branch, name)."""

    version: int
    digest: str
    items: tuple[Mapping[str, Any], ...]


def next_publication(
    name: str, previous: Published | None, items: Sequence[Mapping[str, Any]]
) -> tuple[Published, dict[str, Any], dict[str, Any] | None] | None:
    """Decide what to publish for new ``items``: None if unchanged, else (state, snapshot, delta or None).

    A delta is only produced when the previous items are known (not after a restart that learned just
    the version from the retained snapshot).
    """
    now = digest(items)
    if previous is not None and previous.digest == now:
        return None
    version = (previous.version if previous is not None else 0) + 1
    state = Published(version, now, tuple(dict(i) for i in items))
    snap = snapshot(name, version, items)
    change = None
    if previous is not None and previous.items:
        change = delta(name, version, previous.items, items)
    return state, snap, change
