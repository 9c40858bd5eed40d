"""Each package writes its exceptions out in its one errors module.

A caller reads one file to know what a package can raise (as httpx's
``_exceptions.py``). The kiosk's centre client keeps its own tree in
``kiosk/client/errors.py``. A class whose name starts with ``_`` is a private
signal between two modules of one folder (the push's to the sync engine's step,
carrying the push's partial result), never raised to a caller: it may stay
next to what it carries.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Where each package's exceptions live (every other module of the package is checked).
ERROR_MODULES = {
    "contract": {"contract/errors.py"},
    "cardio": {"cardio/errors.py"},
    "kiosk": {"kiosk/errors.py", "kiosk/client/errors.py"},
    "offline_store": {"offline_store/errors.py"},
    "printing": {"printing/errors.py"},
    "central": {"central/errors.py"},
    "ui": {"ui/errors.py"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def exception_classes(module_name: str) -> list[str]:
    """The public exception classes the module defines: real class objects, whatever
    they derive from (a package's own error or another package's)."""
    module = importlib.import_module(module_name)
    return sorted(
        name
        for name, obj in vars(module).items()
        if inspect.isclass(obj)
        and obj.__module__ == module.__name__
        and issubclass(obj, BaseException)
        and not name.startswith("_")
    )


@pytest.mark.parametrize("package", sorted(ERROR_MODULES))
def test_every_exception_of_a_package_is_in_its_errors_module(package: str) -> None:
    strays = [
        f"{rel}: {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if (rel := path.relative_to(ROOT).as_posix()) not in ERROR_MODULES[package]
        and path.name != "__main__.py"  # running it is what importing it does
        and "migrations" not in path.parts  # Alembic's scripts, run by Alembic only
        for name in exception_classes(_module_name(path))
    ]
    assert strays == []


def test_the_finder_sees_a_subclass_of_another_packages_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A class deriving from cardio's ``CardRejected``: no name of it says "Error"."""
    (tmp_path / "stray_refusal.py").write_text(
        "from cardio.errors import CardRejected\n\n\n"
        "class Refused(CardRejected):\n    pass\n\n\n"
        "class _Signal(Exception):\n    pass\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert exception_classes("stray_refusal") == ["Refused"]


@pytest.mark.parametrize("errors", sorted(set().union(*ERROR_MODULES.values())))
def test_the_errors_modules_import_nothing_of_their_package(errors: str) -> None:
    # what callers import to catch must not pull the package's machinery in (nor a cycle)
    package = errors.split("/")[0]
    imported: list[str] = []
    for node in ast.walk(ast.parse((ROOT / errors).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            imported.append(node.module)
        elif isinstance(node, ast.Import):
            imported.extend(alias.name for alias in node.names)
    assert [m for m in imported if m.split(".")[0] == package] == []
