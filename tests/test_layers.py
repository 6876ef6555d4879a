"""The package boundaries of ARCHITECTURE.md, checked on the source: who may import whom."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IO_LIBRARIES = {
    "sqlite_utils",
    "sqlite3",
    "paho",
    "kivy",
    "evdev",
    "serial",
    "escpos",
    "sqlalchemy",
    "psycopg",
}
# Pure rules: plain data in, plain data out (STYLE.md, "functional core").
PURE_MODULES = [
    "sync/envelope.py",
    "sync/topics.py",
    "sync/batch.py",
    "sync/ack.py",
    "sync/backoff.py",
    "sync/downlink.py",
    "central/points.py",
    "central/shu.py",
    "central/posting.py",
    "central/accounts.py",
]
# package -> top-level modules it must never import
FORBIDDEN = {
    "central": {"edge", "kiosk", "kivy", "evdev"},
    "edge": {"paho", "kivy", "kiosk", "central"},
    "sync": {"kivy", "kiosk"},
    "drivers": {"central", "edge", "sync", "kiosk"},
    "kiosk": {"central", "sqlite_utils", "sqlite3", "paho"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_its_boundaries(package: str) -> None:
    """No module of a package imports what ARCHITECTURE.md says it must not."""
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = _imports(path) & FORBIDDEN[package]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_modules_do_no_io(module: str) -> None:
    """Pure rule modules import no database, broker, UI or hardware library."""
    path = ROOT / module
    if not path.exists():
        pytest.skip(f"{module} not present")
    assert _imports(path) & IO_LIBRARIES == set()
