"""docs/points-and-shu.md documents every year-end command, option and config key the code reads."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from central import yearend
from central.cli import build_parser

DOC = (Path(__file__).resolve().parents[2] / "docs" / "points-and-shu.md").read_text(encoding="utf-8")
COMMANDS = ("close-year", "reopen-year", "year-history", "board")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


@pytest.mark.parametrize("name", COMMANDS)
def test_every_year_end_command_and_option_is_documented(name: str) -> None:
    """Each command this module adds, and each of its options, appears in the docs."""
    command = _subparsers(build_parser())[name]
    parsers = {name: command}
    if name == "board":
        parsers = {f"board {k}": v for k, v in _subparsers(command).items()}
    for label, parser in parsers.items():
        assert f"`{label}" in DOC, label
        for action in parser._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in DOC, f"{label} {option}"


def test_the_points_and_shu_reports_are_documented() -> None:
    """`report points` and `report shu` with their options are in the docs, and the CLI accepts them."""
    report = _subparsers(build_parser())["report"]
    names = next(a for a in report._actions if a.dest == "name").choices
    assert names is not None and "points" in names and "shu" in names
    for text in ("`report points", "`report shu", "--member", "--estimate", "--on", "--json"):
        assert text in DOC, text


@pytest.mark.parametrize(
    "key",
    [
        "members_fund",
        "reserve_fund",
        "board_fund",
        "non_member_fund",
        "board_by_activity",
        "board_max_percent",
        "modal_percent",
        "usaha_percent",
        "[shu.accounts]",
        "brackets",
        "rp_per_point",
        *yearend.DEFAULT_SHU_ACCOUNTS,
    ],
)
def test_config_keys_read_by_year_end_are_documented(key: str) -> None:
    """Every config key and allocation account key the year-end reads is named in the docs."""
    assert re.search(re.escape(key), DOC), key
