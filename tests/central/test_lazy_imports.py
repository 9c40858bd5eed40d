"""What a centre imports before it serves: only what every start needs.

Each check runs a fresh interpreter (a centre's start is one) and looks at
``sys.modules`` after importing the module ``python -m central`` runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imported_after(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("module", ["central.server", "central.app", "central.readiness"])
def test_the_centre_imports_no_alembic_before_it_migrates(module: str) -> None:
    imported = _imported_after(f"import {module}")
    assert module in imported
    assert "sqlalchemy" in imported  # the import really ran
    assert not {name for name in imported if name.split(".")[0] == "alembic"}
