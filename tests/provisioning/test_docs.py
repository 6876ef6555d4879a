"""Every provisioning command and option is documented, so the docs cannot fall behind the CLI."""

from __future__ import annotations

import argparse
from pathlib import Path

from provisioning.cli import build_parser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "provisioning.md"


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[tuple[str, argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                full = f"{prefix}{name}"
                found.append((full, sub))
                found.extend(_commands(sub, full + " "))
    return found


def test_every_command_and_option_is_in_docs() -> None:
    """docs/provisioning.md names each subcommand and each of its long options."""
    text = DOCS.read_text(encoding="utf-8")
    missing = []
    for name, sub in _commands(build_parser()):
        if f"`{name}" not in text and f"| `{name}" not in text:
            missing.append(name)
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option not in ("--help",) and option not in text:
                    missing.append(f"{name} {option}")
    assert missing == []
