"""The pure modules of the ledger stay free of I/O libraries (functional core, imperative shell)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CENTRAL = Path(__file__).resolve().parents[2] / "central"
PURE = ("accounts.py", "ledger/posting.py", "config.py", "members/rows.py", "messages.py")
FORBIDDEN = ("sqlalchemy", "psycopg", "sqlite3", "sqlite_utils", "paho", "kivy", "evdev", "serial", "escpos")


@pytest.mark.parametrize("name", PURE)
def test_pure_module_imports_no_io_library(name: str) -> None:
    """accounts, posting, config, members and messages import no database, network or device library."""
    tree = ast.parse((CENTRAL / name).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported.isdisjoint(FORBIDDEN), sorted(imported & set(FORBIDDEN))
