"""The store's modules import one another without a cycle.

Every import counts, also one inside a function or under ``TYPE_CHECKING``:
a cycle hidden that way still means two modules that cannot be read apart.
"""

from __future__ import annotations

import ast
from pathlib import Path

import offline_store

PACKAGE = Path(offline_store.__file__).parent


def _imports(path: Path) -> set[str]:
    """The ``offline_store`` modules ``path`` imports, anywhere in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {f"offline_store.{p.stem}": p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    return {name: (_imports(path) & modules.keys()) - {name} for name, path in modules.items()}


def cycle_in(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` as the path that closes it, or ``[]``."""
    done: set[str] = set()

    def walk(node: str, path: list[str]) -> list[str]:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return []
        for nxt in sorted(graph[node]):
            if found := walk(nxt, [*path, node]):
                return found
        done.add(node)
        return []

    for start in sorted(graph):
        if found := walk(start, []):
            return found
    return []


def test_the_cycle_finder_finds_a_cycle_through_a_lazy_import() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycle_in(graph) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_imports_inside_functions() -> None:
    # _base opens the file through opening only when first used (cheap import)
    assert "offline_store.opening" in import_graph()["offline_store._base"]


def test_the_store_modules_import_one_another_without_a_cycle() -> None:
    assert cycle_in(import_graph()) == []
