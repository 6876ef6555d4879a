"""docs/sync.md names every command, setting and topic of the transport (so none goes undocumented)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sync import cli, settings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "sync.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", cli.COMMANDS)
def test_every_command_documented(command: str) -> None:
    """Each ``python -m sync`` command appears in docs/sync.md."""
    assert f"python -m sync {command}" in DOC or (command == "run" and "python -m sync --device" in DOC)


@pytest.mark.parametrize("key", [f.name for f in dataclasses.fields(settings.UplinkTuning)])
def test_every_sync_setting_documented(key: str) -> None:
    """Each [sync] key of device.toml appears in docs/sync.md."""
    assert f"`[sync] {key}`" in DOC


@pytest.mark.parametrize("key", ["keepalive_s", "mqtt_version"])
def test_broker_extras_documented(key: str) -> None:
    """The [broker] keys only the transport reads appear in docs/sync.md."""
    assert f"`[broker] {key}`" in DOC


@pytest.mark.parametrize(
    "fragment",
    ["/up/tx", "/down/ack", "/down/<name>/delta", "/down/versions", "/up/req/summary", "/down/summary"],
)
def test_topics_documented(fragment: str) -> None:
    """Every topic the transport uses is in docs/sync.md."""
    assert fragment in DOC
