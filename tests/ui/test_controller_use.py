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


#: The controller's front door: what a screen may use of it. Its parts (the
#: session machine, the store, the sync link, the centre, the printer …) are private.
FRONT_DOOR = frozenset(
    {
        # reading
        "session",
        "status",
        "idle_countdown",
        "now",
        "config",
        "subscribe",
        "subscribe_status",
        # the citizen's events and the session's own settings
        "dispatch",
        "set_language",
        "set_larger_text",
        "divert_taps",
        # the window's frames, which a worker may wait for
        "tell_frames",
        "painted",
        # commands, each run on the executor
        "retry_store",
        "refresh_printer",
        "refresh_queue",
        "reload_documents",
        "test_print",
        "test_read",
        "fetch_information",
        "fetch_applications",
        "tickets_today",
        "operator_status",
        # the hospital desk's (ui/desk.py)
        "find_patients",
        "register_patient",
        "doctors_today",
        "register_visit",
        "reprint",
        "cancel_visit",
        "cancel_states",
        # the kiosk's life (ui/app.py and the window's first paint)
        "start",
        "load",
        "stop",
    }
)


def _is_controller(node: ast.expr) -> bool:
    """Whether ``node`` is ``controller``, ``c`` or ``x.controller`` itself."""
    if isinstance(node, ast.Attribute):
        return node.attr == "controller"
    return isinstance(node, ast.Name) and node.id in ("controller", "c")


def test_the_screens_use_only_the_controllers_front_door() -> None:
    used = set()
    outside = []
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and _is_controller(node.value):
                used.add(node.attr)
                if node.attr not in FRONT_DOOR:
                    outside.append(f"{path.relative_to(UI.parent)}:{node.lineno} .{node.attr}")
    assert outside == []
    assert {"session", "status", "dispatch"} <= used  # the walk sees the screens' uses
