"""The documentation names every command, report and config key the code has."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

from central.cli import app as cli

ROOT = Path(__file__).resolve().parents[2]


def _keys(table: object, prefix: str = "") -> set[tuple[str, str]]:
    """(key, dotted path) of every key in a TOML document."""
    found: set[tuple[str, str]] = set()
    if isinstance(table, dict):
        for key, value in table.items():
            found.add((key, f"{prefix}{key}"))
            found |= _keys(value, f"{prefix}{key}.")
    elif isinstance(table, list):
        for item in table:
            found |= _keys(item, prefix)
    return found


def test_every_cli_command_and_report_is_documented() -> None:
    """docs/central.md mentions each subcommand, devices action and report name of `python -m central`."""
    text = (ROOT / "docs" / "central.md").read_text(encoding="utf-8")
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    own = {"init", "import", "export", "ingest", "report", "devices", "demo-data", "verify-receipt"}
    for name in own:
        assert f"`{name}" in text or f"| `{name}" in text, name
    assert own <= set(sub.choices)
    for name in ("add", "revoke", "list"):
        assert f"devices {name}" in text, name
    for name in cli.REPORTS:
        assert f"`{name}" in text, name


def test_every_config_key_is_documented() -> None:
    """docs/config.md names every key of the default configuration."""
    text = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    defaults = tomllib.loads((ROOT / "central" / "default.toml").read_text(encoding="utf-8"))
    missing = sorted(path for key, path in _keys(defaults) if f"`{key}`" not in text and path not in text)
    assert missing == []
