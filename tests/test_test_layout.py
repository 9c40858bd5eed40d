"""The shape of the tests: every harness lives in testkit/, which tests and benchmarks share.

Test modules import their harnesses from ``testkit``, never from ``bench`` (only
tests/bench/, which tests the benchmarks, imports them), nor from a ``conftest``, nor
from another test module (what two test modules share is a harness);
tests/ holds only test modules, ``conftest.py`` files (fixtures) and packages;
``bench`` and ``testkit`` import nothing from ``tests``, and ``testkit`` nothing
from ``bench``. There is one clock class for each kind of time, in testkit/clocks.py.
"""

from __future__ import annotations

import ast
import functools
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _parsed(path: Path) -> ast.Module:
    """``path``'s syntax tree, read once per process while the file stays the same (the
    rules below walk the same files several times over)."""
    stat = path.stat()
    return _parsed_file(path, stat.st_mtime_ns, stat.st_size)


@functools.cache
def _parsed_file(path: Path, _mtime_ns: int, _size: int) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imported(path: Path) -> Iterator[tuple[int, str]]:
    """Every module ``path`` imports, absolute (at any depth: inside functions too)."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    for node in ast.walk(_parsed(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            for alias in node.names:  # `from tests.x import conftest`, `from . import conftest`
                yield node.lineno, f"{module}.{alias.name}"


def _offenders(folder: str, forbidden: tuple[str, ...], skip: str | None = None) -> list[str]:
    found = []
    for path in _modules(folder):
        where = path.relative_to(ROOT)
        if skip is not None and where.is_relative_to(skip):
            continue
        for line, module in _imported(path):
            parts = module.split(".")
            if parts[0] in forbidden or ("conftest" in forbidden and "conftest" in parts):
                found.append(f"{where}:{line} imports {module}")
    return sorted(set(found))


def test_tests_take_no_harness_from_the_benchmarks() -> None:
    assert _offenders("tests", ("bench",), skip="tests/bench") == []


def test_no_module_imports_a_conftest() -> None:
    for folder in ("tests", "testkit", "bench"):
        assert _offenders(folder, ("conftest",)) == []


def test_no_test_module_imports_another() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _modules("tests")
        for line, module in _imported(path)
        if module.split(".")[0] == "tests"
        and any(part.startswith("test_") for part in module.split("."))
    ]
    assert sorted(set(found)) == [], "what test modules share belongs in testkit/"


def test_tests_hold_only_test_modules_and_fixtures() -> None:
    helpers = [
        str(path.relative_to(ROOT))
        for path in _modules("tests")
        if not path.name.startswith("test_") and path.name not in ("conftest.py", "__init__.py")
    ]
    assert helpers == [], "a helper belongs in testkit/"


def test_benchmarks_and_testkit_import_nothing_from_the_tests() -> None:
    assert _offenders("bench", ("tests",)) == []
    assert _offenders("testkit", ("tests", "bench")) == []


def test_one_clock_class_of_each_kind_in_testkit() -> None:
    clocks = []
    for folder in ("tests", "testkit", "bench"):
        for path in _modules(folder):
            for node in ast.walk(_parsed(path)):
                if isinstance(node, ast.ClassDef) and node.name.endswith("Clock"):
                    clocks.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert sorted(clocks) == ["testkit/clocks.py:ManualClock", "testkit/clocks.py:OfficeClock"]


def test_testkit_is_type_checked_and_not_shipped() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "testkit" in config["tool"]["mypy"]["packages"]
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert "testkit" not in wheel and "bench" not in wheel
