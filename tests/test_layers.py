"""The package boundaries of ARCHITECTURE.md, checked on the source: who may import whom."""

from __future__ import annotations

import ast
import subprocess
import sys
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
    "central/yearend/points.py",
    "central/yearend/shu.py",
    "central/yearend/render.py",
    "central/ledger/posting.py",
    "central/members/rows.py",
    "central/accounts.py",
    "central/loanrules.py",
    "central/loans/schedule.py",
    "central/savingsrules.py",
    "central/notifyrules.py",
    "central/notify/campaigns.py",
    "central/notify/phone.py",
    "central/notify/templates.py",
    "sync/merkle.py",
    "sync/checkpoint.py",
    "sync/witness.py",
    "central/transparency/verify.py",
    "central/handins/rules.py",
    "central/assets/rules.py",
    "central/boardactivity/rules.py",
    "central/groups/rules.py",
    "central/disputes/rules.py",
    "central/journal/rules.py",
]
# package -> top-level modules it must never import
FORBIDDEN = {
    "central": {"edge", "kiosk", "kivy", "evdev"},
    "edge": {"paho", "kivy", "kiosk", "central"},
    "sync": {"kivy", "kiosk", "central"},
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


# central's subpackages (and the demo-data module) from the bottom up: each may import only those listed
# before it (and the top-level modules config, errors, messages, accounts, loanrules, which import no
# subpackage).
CENTRAL_LAYERS = (
    "transparency",
    "members",
    "ledger",
    "loans",
    "savings",
    "boardactivity",
    "yearend",
    "books",
    "office",
    "branches",
    "stock",
    "groups",
    "notify",
    "handins",
    "disputes",
    "journal",
    "assets",
    "consolidation",
    "sample",
    "serve",
    "portal",
    "cli",
)
CENTRAL_BASE = {
    "config",
    "errors",
    "messages",
    "accounts",
    "loanrules",
    "savingsrules",
    "stockrules",
    "notifyrules",
    "keyfiles",
    "images",
}
MAX_MODULE_LINES = 800


def _central_graph() -> dict[str, set[str]]:
    """Module -> the central modules it imports (at any depth of the file, lazily or under TYPE_CHECKING)."""
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
        for path in (ROOT / "central").rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            found.update(t for t in targets if t in modules and t != name)
        graph[name] = found
    return graph


def test_central_has_no_import_circle() -> None:
    """No chain of imports inside central leads back to where it started (lazy imports count too)."""
    graph = _central_graph()
    # ``from central.ledger import schema`` inside central.ledger names a sibling module; it does not
    # depend on the package's face (its __init__), so that edge is left out.
    edges = {m: {t for t in targets if not m.startswith(t + ".")} for m, targets in graph.items()}
    state: dict[str, int] = {}
    circles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                circles.append([*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert circles == []


def test_central_subpackages_import_only_downwards() -> None:
    """A subpackage imports only the ones below it: the store never imports what reads it."""
    offenders = []
    for module, targets in _central_graph().items():
        parts = module.split(".")
        if len(parts) < 3 or parts[1] not in CENTRAL_LAYERS:
            continue
        level = CENTRAL_LAYERS.index(parts[1])
        for target in targets:
            tparts = target.split(".")
            if len(tparts) < 2 or tparts[1] in CENTRAL_BASE or tparts[1] == parts[1]:
                continue
            if tparts[1] not in CENTRAL_LAYERS or CENTRAL_LAYERS.index(tparts[1]) >= level:
                offenders.append(f"{module} imports {target}")
    assert offenders == []


def test_central_base_modules_import_no_subpackage() -> None:
    """config, errors, messages and accounts sit under every subpackage and import none of them."""
    offenders = [
        f"{module} imports {target}"
        for module, targets in _central_graph().items()
        if module.split(".")[-1] in CENTRAL_BASE and module.count(".") == 1
        for target in targets
        if target.split(".")[1] not in CENTRAL_BASE
    ]
    assert offenders == []


def test_no_module_is_too_long_to_read() -> None:
    """central's modules stay under about 800 lines: a newcomer reads one in a sitting."""
    long = [
        f"{path.relative_to(ROOT)}: {n} lines"
        for path in sorted((ROOT / "central").rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert long == []


def test_the_log_verifier_needs_no_database() -> None:
    """The transparency verifier imports neither the ledger nor SQLAlchemy: a member or auditor runs it
    with the standard library and ``cryptography`` alone (docs/transparency.md)."""
    probe = (
        "import sys, central.transparency, central.transparency.__main__, central.transparency.verify;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlite3', 'psycopg')"
        " or m.startswith('central.ledger') or m.startswith('central.books'));"
        "print(','.join(bad))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == ""
