"""docs/edge.md covers every command and API method; edge/ stays within its architectural bounds."""

from __future__ import annotations

import argparse
import ast
import re
import threading
from pathlib import Path

from edge.cli import build_parser
from edge.device import Device
from tests.edge.chain import assert_whole_chain

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "edge.md").read_text()
PURE = ("rules.py", "catalog_csv.py", "pins.py", "i18n.py", "errors.py")
FORBIDDEN_EVERYWHERE = ("paho", "kivy", "evdev", "serial", "escpos", "central", "kiosk")
FORBIDDEN_IN_PURE = ("sqlite3", "sqlite_utils", *FORBIDDEN_EVERYWHERE)


def _subcommands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix}{name}")
                found.extend(_subcommands(sub, f"{prefix}{name} "))
    return found


def test_every_command_is_documented() -> None:
    """Each sub-command of `python -m edge` appears in docs/edge.md."""
    commands = _subcommands(build_parser())
    assert "catalog import" in commands
    missing = [c for c in commands if not re.search(rf"`{re.escape(c)}\b", DOC)]
    assert missing == [], missing


def test_every_public_device_method_is_documented() -> None:
    """Each public method of Device appears in docs/edge.md."""
    names = [n for n in vars(Device) if not n.startswith("_") and callable(getattr(Device, n))]
    missing = [n for n in names if n not in DOC and n not in ("close",)]
    assert missing == [], missing


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_edge_imports_stay_in_bounds() -> None:
    """edge/ never imports MQTT, UI, hardware or central code; its pure rules import no database either."""
    for path in sorted((ROOT / "edge").glob("*.py")):
        forbidden = FORBIDDEN_IN_PURE if path.name in PURE else FORBIDDEN_EVERYWHERE
        bad = _imports(path) & set(forbidden)
        assert not bad, (path.name, bad)


def test_threads_and_two_handles_share_one_chain(device_dir: Path) -> None:
    """Two threads on one Device and a second Device on the same directory record into one whole chain."""
    with Device.open(device_dir) as first, Device.open(device_dir) as second:

        def work(dev: Device) -> None:
            for _ in range(15):
                dev.record_sale([("PULSA", 1)])

        threads = [threading.Thread(target=work, args=(d,)) for d in (first, first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        envelopes = assert_whole_chain(first, device_dir)
    assert len(envelopes) == 45
