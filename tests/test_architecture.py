"""The shape of the house: Qt only in ui/, SQL only in offline_store/ and central/."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ("contract", "kiosk", "cardio", "offline_store", "printing", "central")

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


@pytest.mark.parametrize("package", ["kiosk", "cardio", "printing", "ui"])
def test_no_sql_outside_the_store(package: str) -> None:
    offenders = []
    for path in _python_files(package):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                names = [module] if module else [a.name for a in node.names]
                if any(n and n.split(".")[0] in ("sqlite3", "sqlite_utils") for n in names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
