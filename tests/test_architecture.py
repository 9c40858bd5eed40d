"""The shape of the house (docs/architecture.md): who may import whom, no cycles,
Qt only in ui/, SQL only in offline_store/ and central/, every folder says what it owns."""

from __future__ import annotations

import ast
import functools
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ("contract", "kiosk", "cardio", "offline_store", "printing", "central")
PACKAGES = (*CORE, "ui")
#: What the tests and the benchmarks share, and the benchmarks: held to the cycle check
#: with the tests, and to one import rule (below).
HARNESSES = ("testkit", "bench")
GRAPHED = (*PACKAGES, *HARNESSES, "tests")

#: Which of our packages each package may import (docs/architecture.md, "Import rules").
MAY_IMPORT: dict[str, set[str]] = {
    "contract": set(),
    "cardio": {"contract"},
    "offline_store": {"contract"},
    "printing": {"contract"},
    "kiosk": {"contract", "cardio", "offline_store", "printing"},
    "ui": {"contract", "cardio", "offline_store", "printing", "kiosk"},
    "central": {"contract"},
    # anything of ours but the tests (and testkit nothing from bench: tests/test_test_layout.py)
    "testkit": set(PACKAGES),
    "bench": {*PACKAGES, "testkit"},
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


class Import(NamedTuple):
    """One module a file imports: by an import statement or by a string it names."""

    name: str  # dotted, absolute; ``from a import b`` is ``a.b``, module or not
    line: int
    lazy: bool  # inside a function: loaded on its first call, not when the file loads


#: ``importlib.import_module(name)`` and ``__import__(name)`` import ``name``;
#: ``importlib.util.find_spec(name)`` imports the packages above ``name``.
_LOADERS = {"import_module", "__import__"}
_FINDERS = {"find_spec"}


def _string_constants(tree: ast.Module) -> dict[str, list[str]]:
    """The file's top-level dicts (their values) and tuples/lists/sets of strings, by name."""
    found: dict[str, list[str]] = {}
    for node in tree.body:
        target, value = (
            (node.targets[0], node.value)
            if isinstance(node, ast.Assign) and len(node.targets) == 1
            else (node.target, node.value)
            if isinstance(node, ast.AnnAssign)
            else (None, None)
        )
        if not isinstance(target, ast.Name) or value is None:
            continue
        items = value.values if isinstance(value, ast.Dict) else getattr(value, "elts", None)
        if isinstance(value, ast.Dict | ast.Tuple | ast.List | ast.Set) and items is not None:
            strings = [i.value for i in items if isinstance(i, ast.Constant)]
            if len(strings) == len(items) and all(isinstance(s, str) for s in strings):
                found[target.id] = [str(s) for s in strings]
    return found


def _scan(path: Path, root: Path) -> tuple[list[Import], list[str]]:
    """What ``path`` imports, at any depth (in functions and under TYPE_CHECKING too), and
    the ``import_module``/``__import__``/``find_spec`` calls whose module cannot be read.

    Each file is read once per process while it stays the same (its size and time): the
    rules below walk the whole tree several times over.
    """
    stat = path.stat()
    found, unread = _scan_file(path, root, stat.st_mtime_ns, stat.st_size)
    return list(found), list(unread)


def _parsed(path: Path) -> ast.Module:
    """``path``'s syntax tree, parsed once per process while the file stays the same."""
    stat = path.stat()
    return _parsed_file(path, stat.st_mtime_ns, stat.st_size)


@functools.cache
def _parsed_file(path: Path, _mtime_ns: int, _size: int) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


@functools.cache
def _scan_file(
    path: Path, root: Path, _mtime_ns: int, _size: int
) -> tuple[tuple[Import, ...], tuple[str, ...]]:
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = _parsed(path)
    constants = _string_constants(tree)
    found: list[Import] = []
    unread: list[str] = []
    # One walk of the tree, each node seen with the nodes that enclose it (innermost
    # last): whether an import is inside a function, and the loop a name comes from.
    above: list[ast.AST] = []
    functions = 0

    def modules_named_by(arg: ast.expr) -> list[str] | None:
        """A constant; ``TABLE[key]`` or ``for name in TABLE`` over a top-level table."""
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return None if arg.value.startswith(".") else [arg.value]
        if isinstance(arg, ast.Subscript) and isinstance(arg.value, ast.Name):
            return constants.get(arg.value.id)
        if isinstance(arg, ast.Name):
            for enclosing in reversed(above):
                if (
                    isinstance(enclosing, ast.For)
                    and isinstance(enclosing.target, ast.Name)
                    and enclosing.target.id == arg.id
                    and isinstance(enclosing.iter, ast.Name)
                ):
                    return constants.get(enclosing.iter.id)
        return None

    def seen(node: ast.AST) -> None:
        lazy = functions > 0
        if isinstance(node, ast.Import):
            found.extend(Import(alias.name, node.lineno, lazy) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from package import x``: the submodule x if there is one, else the package
            # itself (its __init__), which the graph resolves by the longest known module
            found.extend(
                Import(base if alias.name == "*" else f"{base}.{alias.name}", node.lineno, lazy)
                for alias in node.names
            )
        elif isinstance(node, ast.Call):
            func = node.func
            called = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            if called not in _LOADERS | _FINDERS:
                return
            named = modules_named_by(node.args[0]) if node.args else None
            if named is None:
                unread.append(f"{path.relative_to(root)}:{node.lineno} {ast.unparse(node)}")
                return
            if called in _FINDERS:  # find_spec("a.b.c") imports a and a.b, not c
                named = [n.rpartition(".")[0] for n in named if "." in n]
            found.extend(Import(n, node.lineno, lazy) for n in named)

    def visit(node: ast.AST) -> None:
        nonlocal functions
        seen(node)
        function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        functions += function
        above.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)
        above.pop()
        functions -= function

    visit(tree)
    return tuple(found), tuple(unread)


def _imports(path: Path, root: Path) -> list[Import]:
    return _scan(path, root)[0]


def import_graph(root: Path = ROOT, folders: tuple[str, ...] = GRAPHED) -> dict[str, set[str]]:
    """Module → the modules of ours it imports (a name resolves to its longest known module).

    Importing ``a.b.c`` also runs the ``__init__`` of ``a`` and ``a.b`` first: that load is
    no edge. ``from a.b import name`` where ``name`` is not a submodule is one, to ``a.b``.
    """
    files = {
        _module_name(p, root): p for top in folders for p in sorted((root / top).rglob("*.py"))
    }
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        targets = set()
        for imported in _imports(path, root):
            name = imported.name
            while name and name not in files:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
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


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_cycle_finder_sees_a_loop_through_a_package_init(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "kiosk/__init__.py": "",
            "kiosk/sync/__init__.py": "from kiosk.sync.engine import Engine\ndef helper(): ...\n",
            "kiosk/sync/engine.py": "from kiosk.sync import helper\nclass Engine: ...\n",
            # importing a submodule runs its package's __init__ first: no loop by itself
            "kiosk/sync/status.py": "import kiosk.sync.engine\nfrom kiosk.sync import engine\n",
        },
    )
    graph = import_graph(tmp_path, ("kiosk",))
    assert graph["kiosk.sync.status"] == {"kiosk.sync.engine"}
    assert cycles(graph) == [["kiosk.sync", "kiosk.sync.engine"]]


def test_the_graph_sees_modules_imported_by_name(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "central/__init__.py": "",
            "central/app.py": (
                "import importlib\nfrom importlib import import_module\n"
                "importlib.import_module('kiosk.sync')\n__import__('cardio')\n"
                "def late():\n    import_module('offline_store.tickets')\n"
                "importlib.util.find_spec('printing.layouts.paper')\n"
            ),
            # a name taken from a top-level table of module names, as printing's lazy names
            "central/lazy.py": (
                "import importlib\n"
                "_NAMES = {'A': 'ui.a', 'B': 'ui.b'}\n_MODULES = ('contract.x',)\n"
                "def get(name):\n    return importlib.import_module(_NAMES[name])\n"
                "for module in _MODULES:\n    importlib.import_module(module)\n"
            ),
            "central/unread.py": "import importlib\nimportlib.import_module(input())\n",
            **{f"{p}/__init__.py": "" for p in ("kiosk/sync", "cardio", "offline_store", "ui")},
            **{f"{p}.py": "" for p in ("offline_store/tickets", "printing/layouts/paper")},
            **{f"{p}.py": "" for p in ("ui/a", "ui/b", "contract/x")},
        },
    )
    graph = import_graph(
        tmp_path, ("central", "kiosk", "cardio", "offline_store", "printing", "ui")
    )
    assert graph["central.app"] == {"kiosk.sync", "cardio", "offline_store.tickets"}
    # find_spec imports the packages above the module, not the module
    assert not any(t.startswith("printing") for t in graph["central.app"])
    assert graph["central.lazy"] == {"ui.a", "ui.b"}
    lazy_imports = _imports(tmp_path / "central" / "lazy.py", tmp_path)
    assert ("contract.x", 7) in [(i.name, i.line) for i in lazy_imports]
    assert _scan(tmp_path / "central" / "unread.py", tmp_path)[1] == [
        "central/unread.py:2 importlib.import_module(input())"
    ]


#: Calls that import a module the code cannot name in advance, and why that is right.
UNREAD_IMPORTS_ALLOWED = {
    "tests/kiosk/test_private_reprs.py importlib.import_module(info.name)": (
        "imports every module of the packages, found by walking them, to check their reprs"
    ),
    "tests/kiosk/test_private_reprs.py importlib.import_module(cls.__module__)": (
        "a class's own module, already imported"
    ),
    "tests/test_reprs_show_no_secret.py importlib.import_module(info.name)": (
        "imports every module of the packages, found by walking them, to check their reprs"
    ),
    "tests/test_reprs_show_no_secret.py importlib.import_module(cls.__module__)": (
        "a class's own module, already imported"
    ),
    "tests/store/test_store_surface.py importlib.import_module(f'offline_store.{name}')": (
        "each module of offline_store, to check its public surface"
    ),
    "tests/test_error_modules.py importlib.import_module(module_name)": (
        "each module of a package, found by walking it, to find its exception classes"
    ),
}


def test_every_import_by_name_names_its_module() -> None:
    """``import_module(x)`` must name x as a string constant or a top-level table of them,
    so the graph above sees the edge."""
    unread = [
        call
        for top in GRAPHED
        for path in sorted((ROOT / top).rglob("*.py"))
        for call in _scan(path, ROOT)[1]
    ]
    # allowed by file and call, not by line, so an edit above them moves nothing
    where = {re.sub(r":\d+ ", " ", call, count=1): call for call in unread}
    assert sorted(call for key, call in where.items() if key not in UNREAD_IMPORTS_ALLOWED) == []
    assert sorted(set(UNREAD_IMPORTS_ALLOWED) - set(where)) == [], "stale allowance"


def test_each_package_imports_only_what_the_rules_allow() -> None:
    offenders = []
    for module, targets in import_graph().items():
        own = module.split(".")[0]
        if own not in MAY_IMPORT:  # tests/: tests/test_test_layout.py
            continue
        for target in targets:
            other = target.split(".")[0]
            if other == own or other in MAY_IMPORT[own] or (module, other) in EXCEPTIONS:
                continue
            offenders.append(f"{module} -> {target}")
    assert sorted(offenders) == []


def _normalised(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def _declared(*extras: str) -> set[str]:
    """The distributions the base dependencies and ``extras`` of pyproject.toml name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"]]
    for extra in extras:
        wanted.extend(project["optional-dependencies"][extra])
    return {
        _normalised(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]) for requirement in wanted
    }


def _third_party(root: Path, packages: tuple[str, ...]) -> dict[str, str]:
    """Top-level module names outside ours and the standard library → where first imported."""
    found: dict[str, str] = {}
    for top in packages:
        for path in sorted((root / top).rglob("*.py")):
            for imported in _imports(path, root):
                name = imported.name.split(".")[0]
                if name and name not in GRAPHED and name not in sys.stdlib_module_names:
                    found.setdefault(name, f"{path.relative_to(root)}:{imported.line}")
    return found


#: Each install's packages and the extras it is installed with: the contract goes into both,
#: so it has only the base dependencies; a centre is ``anjungan[central]``; a kiosk is
#: ``anjungan[kiosk]`` with the hardware stacks it has.
INSTALLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "contract": (("contract",), ()),
    "central": (("central",), ("central",)),
    "kiosk": (
        ("kiosk", "cardio", "offline_store", "printing", "ui"),
        ("kiosk", "pcsc", "nfc", "escpos"),
    ),
}


@pytest.mark.parametrize("install", INSTALLS)
def test_third_party_imports_are_declared_dependencies(install: str) -> None:
    """What an install imports, it declares: a module that comes only with another
    dependency's dependencies disappears the day that dependency drops it."""
    packages, extras = INSTALLS[install]
    declared = _declared(*extras)
    providers = packages_distributions()
    undeclared = [
        f"{where} imports {name} (from {', '.join(providers.get(name, ['nothing installed']))})"
        for name, where in sorted(_third_party(ROOT, packages).items())
        if not {_normalised(d) for d in providers.get(name, [])} & declared
    ]
    assert undeclared == []


def test_the_dependency_check_sees_an_undeclared_import(tmp_path: Path) -> None:
    _tree(tmp_path, {"central/app.py": "import h11\nimport json\nfrom contract import x\n"})
    assert _third_party(tmp_path, ("central",)) == {"h11": "central/app.py:1"}
    assert "h11" not in _declared()
    assert {"fastapi", "psycopg", "cryptography"} <= _declared("central")


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


#: Qt's Python modules, which only ui/ imports.
QT = ("PySide6", "shiboken6", "PyQt6", "PyQt5")
#: kiosk.cli.main starts the touchscreen (``kiosk run``): the one import of ui outside it,
#: inside the function that starts it, so ``kiosk server`` runs where Qt is not installed.
UI_STARTER = "kiosk/cli/main.py"

_IMPORT_ALL_WITHOUT_QT = """
import importlib, pkgutil, sys
for qt in ("PySide6", "shiboken6"):
    sys.modules[qt] = None  # any `import PySide6...` now raises ImportError
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


def _import_without_qt(root: Path, packages: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL_WITHOUT_QT, *packages],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_core_packages_import_without_qt() -> None:
    result = _import_without_qt(ROOT, CORE)
    assert result.returncode == 0, result.stderr
    # the block works: the one package allowed to use Qt cannot import
    assert result.stdout.strip() == "ui needs Qt"


def test_the_qt_block_stops_shiboken6_too(tmp_path: Path) -> None:
    _tree(tmp_path, {"kiosk/__init__.py": "", "kiosk/alive.py": "import shiboken6\n"})
    result = _import_without_qt(tmp_path, ("kiosk",))
    assert result.returncode != 0
    assert "ModuleNotFoundError: import of shiboken6 halted" in result.stderr


def _qt_imports(root: Path, package: str) -> list[str]:
    """Imports of Qt, or of ui, in ``package``: but the lazy ``ui`` import that starts it."""
    offenders = []
    for path in sorted((root / package).rglob("*.py")):
        where = path.relative_to(root).as_posix()
        for imported in sorted(_imports(path, root), key=lambda i: i.line):
            top = imported.name.split(".")[0]
            starts_ui = top == "ui" and where == UI_STARTER and imported.lazy
            if top in QT or (top == "ui" and not starts_ui):
                offenders.append(f"{where}:{imported.line} {imported.name}")
    return offenders


@pytest.mark.parametrize("package", CORE)
def test_no_qt_import_outside_ui(package: str) -> None:
    assert _qt_imports(ROOT, package) == []


def test_the_touchscreen_starter_imports_ui_only_when_it_starts_it(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            UI_STARTER: (
                "import ui.app\nimport PySide6\n"
                "def run():\n    from ui.app import run_kiosk\n    import shiboken6\n"
            ),
            "kiosk/tasks.py": (
                "import importlib\ndef sounds():\n"
                "    return importlib.import_module('PySide6.QtMultimedia')\n"
                "def run():\n    from ui.app import run_kiosk\n"
            ),
        },
    )
    assert _qt_imports(tmp_path, "kiosk") == [
        "kiosk/cli/main.py:1 ui.app",
        "kiosk/cli/main.py:2 PySide6",
        "kiosk/cli/main.py:5 shiboken6",
        "kiosk/tasks.py:3 PySide6.QtMultimedia",
        "kiosk/tasks.py:5 ui.app.run_kiosk",
    ]


def _python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


_SQLITE = {"sqlite3", "sqlite_utils"}
_SERVER_SQL = {"sqlalchemy", "alembic", "psycopg"}
#: The database libraries each package may import: the store's SQLite, the centre's SQLAlchemy.
SQL_ALLOWED = {"offline_store": _SQLITE, "central": _SERVER_SQL}


@pytest.mark.parametrize("package", PACKAGES)
def test_sql_only_in_the_store_and_the_centre(package: str) -> None:
    forbidden = (_SQLITE | _SERVER_SQL) - SQL_ALLOWED.get(package, set())
    offenders = []
    for path in _python_files(package):
        for node in ast.walk(_parsed(path)):
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                names = [module] if module else [a.name for a in node.names]
                if any(n and n.split(".")[0] in forbidden for n in names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_only_the_demo_and_the_tools_load_the_card_emulators() -> None:
    """The emulators serve cards without hardware to tests and the demo: the readers,
    the kiosk's card read and the issuing of cards never load them (tests, testkit/ and
    bench/ may)."""
    demo_and_tools = {
        "kiosk.wiring.demo_reader",
        "kiosk.wiring.kiosk",  # the demo's trust list and cards, in the demo only
        "kiosk.cli.card",
        "ui.screenshots",
        "ui.screenshots_more",
        "ui.screenshots_touch",
        "ui.screenshots_errors",
        "ui.screenshots_larger",
        "ui.screenshots_hospital",
    }

    def in_emulators(module: str) -> bool:
        return module == "cardio.emulators" or module.startswith("cardio.emulators.")

    offenders = sorted(
        f"{module} -> {target}"
        for module, targets in import_graph().items()
        if not in_emulators(module)
        and module not in demo_and_tools
        and module.split(".")[0] not in ("tests", "testkit", "bench")
        for target in targets
        if in_emulators(target)
    )
    assert offenders == []
