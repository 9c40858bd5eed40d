"""Each package writes its exceptions out in its one errors module.

A caller reads one file to know what a package can raise (as httpx's
``_exceptions.py``). The kiosk's centre client keeps its own tree in
``kiosk/client/errors.py``; the push's signals to the sync engine carry the
push's partial result and never leave ``kiosk/sync``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Where each package's exceptions live (folders checked: the package, minus exemptions).
ERROR_MODULES = {
    "contract": {"contract/errors.py"},
    "cardio": {"cardio/errors.py"},
    "kiosk": {"kiosk/errors.py", "kiosk/client/errors.py"},
    "offline_store": {"offline_store/errors.py"},
    "printing": {"printing/errors.py"},
    "central": {"central/errors.py"},
}
#: (module, class) defined outside the errors module, and why they may be.
EXEMPT = {
    ("kiosk/client/results.py", "AnswerError"),  # the client's, raised as CentralProtocolError
    ("kiosk/client/strict_json.py", "BadJSON"),  # the client's, raised as CentralProtocolError
    ("kiosk/client/transport.py", "AnswerTooLarge"),  # the client's, raised as CentralProtocolError
    ("kiosk/sync/push.py", "PushFailed"),  # carries the push's PushResult
    ("kiosk/sync/push.py", "PushCut"),  # carries the push's PushResult
    ("kiosk/sync/engine.py", "_Partial"),  # carries the push's PushResult to the engine's step
}
_EXCEPTION_BASES = ("Error", "Exception", "Rollback", "Jump", "InUse", "Failed", "Cut")


def _exception_classes(path: Path, known: frozenset[str] = frozenset()) -> list[str]:
    """Classes whose base is an exception: by name (``...Error``, ``Exception``, ...) or
    one of ``known`` (the package's own, e.g. the centre's ``Conflict``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            bases = [
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
            ]
            if any(base.endswith(_EXCEPTION_BASES) or base in known for base in bases):
                found.append(node.name)
    return found


def _known_exceptions(package: str) -> frozenset[str]:
    """The exceptions the package's errors modules define (a fixpoint: subclasses of those)."""
    known: frozenset[str] = frozenset()
    while True:
        grown = known.union(
            *(_exception_classes(ROOT / rel, known) for rel in ERROR_MODULES[package])
        )
        if grown == known:
            return known
        known = grown


@pytest.mark.parametrize("package", sorted(ERROR_MODULES))
def test_every_exception_of_a_package_is_in_its_errors_module(package: str) -> None:
    known = _known_exceptions(package)
    strays = [
        f"{rel}: {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if (rel := path.relative_to(ROOT).as_posix()) not in ERROR_MODULES[package]
        for name in _exception_classes(path, known)
        if (rel, name) not in EXEMPT
    ]
    assert strays == []


def test_the_errors_modules_import_nothing_of_their_package() -> None:
    # what callers import to catch must not pull the package's machinery in (nor a cycle)
    for package in ERROR_MODULES:
        tree = ast.parse((ROOT / package / "errors.py").read_text(encoding="utf-8"))
        imported = [
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module is not None
        ]
        assert [m for m in imported if m.split(".")[0] == package] == [], package
