"""The screens read the kiosk through one snapshot and never write the controller:
what they change goes through its methods (or the session's events)."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"


def _names_controller(node: ast.expr) -> bool:
    """Whether ``node`` is ``controller``, ``x.controller`` or an attribute path through one."""
    while isinstance(node, ast.Attribute):
        if node.attr == "controller":
            return True
        node = node.value
    return isinstance(node, ast.Name) and node.id in ("controller", "c")


def test_no_screen_writes_an_attribute_of_the_controller() -> None:
    writes = []
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = list(node.targets)
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and _names_controller(target.value):
                    writes.append(f"{path.relative_to(UI.parent)}:{node.lineno}")
    assert writes == []
