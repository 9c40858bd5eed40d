"""The shape of the house (docs/architecture.md): who may import whom, no cycles,
Qt only in ui/, SQL only in offline_store/ and central/, every folder says what it owns."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ("contract", "kiosk", "cardio", "offline_store", "printing", "central")
PACKAGES = (*CORE, "ui")

#: Which of our packages each package may import (docs/architecture.md, "Import rules").
MAY_IMPORT: dict[str, set[str]] = {
    "contract": set(),
    "cardio": {"contract"},
    "offline_store": {"contract"},
    "printing": {"contract"},
    "kiosk": {"contract", "cardio", "offline_store", "printing"},
    "ui": {"contract", "cardio", "offline_store", "printing", "kiosk"},
    "central": {"contract"},
}
#: The command line starts the touchscreen and the centre (``kiosk run``, ``kiosk server``,
#: ``kiosk demo``); the screenshot tool starts a demo centre to photograph the screens.
EXCEPTIONS = {
    ("kiosk.cli.main", "ui"),
    ("kiosk.cli.main", "central"),
    ("ui.screenshots", "central"),
}


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports, at any depth: in functions and under TYPE_CHECKING too."""
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, node.lineno))
            # ``from package import module`` imports the module
            found.extend((f"{base}.{alias.name}", node.lineno) for alias in node.names)
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module → the modules of ours it imports (a name resolves to its longest known module)."""
    files = {
        _module_name(p, root): p for pkg in PACKAGES for p in sorted((root / pkg).rglob("*.py"))
    }
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        targets = set()
        for imported, _line in _imports(path, root):
            while imported and imported not in files:
                imported = imported.rpartition(".")[0]
            # a module importing its own package's __init__ is Python loading the parent
            if imported and imported != module and not module.startswith(imported + "."):
                targets.add(imported)
        graph[module] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_back_in_a_loop() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_sees_a_loop_hidden_in_a_function(tmp_path: Path) -> None:
    package = tmp_path / "kiosk"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from kiosk import b\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from kiosk.c import C\n"
    )
    (package / "c.py").write_text("def late():\n    from kiosk.a import thing\n")
    assert cycles(import_graph(tmp_path)) == [["kiosk.a", "kiosk.b", "kiosk.c"]]


def test_each_package_imports_only_what_the_rules_allow() -> None:
    offenders = []
    for module, targets in import_graph().items():
        own = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other == own or other in MAY_IMPORT[own] or (module, other) in EXCEPTIONS:
                continue
            offenders.append(f"{module} -> {target}")
    assert sorted(offenders) == []


def test_the_centre_imports_nothing_but_itself_and_the_contract() -> None:
    """A city installs the centre alone: nothing of the kiosk, the UI or the card readers."""
    graph = import_graph()
    reached = {
        target.split(".")[0]
        for module, targets in graph.items()
        if module.split(".")[0] in ("central", "contract")
        for target in targets
    }
    assert reached <= {"central", "contract"}


def _folders() -> list[Path]:
    return sorted(
        init.parent
        for pkg in PACKAGES
        for init in (ROOT / pkg).rglob("__init__.py")
        if "demo_data" not in init.parts and "versions" not in init.parts
    )


@pytest.mark.parametrize("folder", _folders(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_folder_says_what_it_owns(folder: Path) -> None:
    init = folder / "__init__.py"
    docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert docstring and len(docstring.split()) >= 5, (
        f"{init} needs a docstring saying what it owns"
    )
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert f"`{folder.relative_to(ROOT).as_posix()}/`" in architecture, (
        f"docs/architecture.md does not name {folder.relative_to(ROOT)}/"
    )


_IMPORT_ALL_WITHOUT_QT = """
import importlib, pkgutil, sys
sys.modules["PySide6"] = None  # any `import PySide6...` now raises ImportError
packages = sys.argv[1:]
for name in packages:
    package = importlib.import_module(name)
    for info in pkgutil.walk_packages(package.__path__, name + "."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
try:
    importlib.import_module("ui.window")
except ImportError:
    print("ui needs Qt")
"""


def test_core_packages_import_without_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL_WITHOUT_QT, *CORE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # the block works: the one package allowed to use Qt cannot import
    assert result.stdout.strip() == "ui needs Qt"


def _python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", CORE)
def test_no_qt_import_outside_ui(package: str) -> None:
    offenders = []
    for path in _python_files(package):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in ("PySide6", "PyQt6", "PyQt5", "ui") for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    # kiosk.cli.main starts the touchscreen: the one allowed, lazy, import of ui
    allowed = {"kiosk/cli/main.py"}
    assert [o for o in offenders if o.split(":")[0] not in allowed] == []


_SQLITE = {"sqlite3", "sqlite_utils"}
_SERVER_SQL = {"sqlalchemy", "alembic", "psycopg"}
#: The database libraries each package may import: the store's SQLite, the centre's SQLAlchemy.
SQL_ALLOWED = {"offline_store": _SQLITE, "central": _SERVER_SQL}


@pytest.mark.parametrize("package", PACKAGES)
def test_sql_only_in_the_store_and_the_centre(package: str) -> None:
    forbidden = (_SQLITE | _SERVER_SQL) - SQL_ALLOWED.get(package, set())
    offenders = []
    for path in _python_files(package):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                names = [module] if module else [a.name for a in node.names]
                if any(n and n.split(".")[0] in forbidden for n in names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_only_the_demo_and_the_tools_load_the_card_emulators() -> None:
    """The emulators serve cards without hardware to tests and the demo: the readers,
    the kiosk's card read and the issuing of cards never load them (tests, testkit/ and
    bench/ are outside the graph and may)."""
    demo_and_tools = {
        "kiosk.wiring.demo_reader",
        "kiosk.cli.card",
        "ui.app",
        "ui.screenshots",
        "ui.screenshots_more",
        "ui.screenshots_touch",
    }

    def in_emulators(module: str) -> bool:
        return module == "cardio.emulators" or module.startswith("cardio.emulators.")

    offenders = sorted(
        f"{module} -> {target}"
        for module, targets in import_graph().items()
        if not in_emulators(module) and module not in demo_and_tools
        for target in targets
        if in_emulators(target)
    )
    assert offenders == []
