"""What a centre imports before it serves: only what every start needs.

Each check runs a fresh interpreter (a centre's start is one) and looks at
``sys.modules`` after importing the module ``python -m central`` runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testkit.fresh_python import run_python


def _imported_after(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))\n"
    return set(json.loads(run_python(code)))


@pytest.mark.parametrize("module", ["central.server", "central.app", "central.readiness"])
def test_the_centre_imports_no_alembic_before_it_migrates(module: str) -> None:
    imported = _imported_after(f"import {module}")
    assert module in imported
    assert "sqlalchemy" in imported  # the import really ran
    assert not {name for name in imported if name.split(".")[0] == "alembic"}


def test_the_centre_loads_fhir_models_and_qr_codes_on_first_use() -> None:
    imported = _imported_after("import central.server")
    # Only a centre that sends to SATUSEHAT validates an Encounter; only some pages draw a QR code.
    assert not {name for name in imported if name.split(".")[0] in {"fhir", "qrcode", "PIL"}}
    used = _imported_after(
        "from central.integrations.satusehat import fhir\n"
        "from central.web.qr import qr_svg\n"
        "try:\n"
        "    fhir.validate({'resourceType': 'Encounter'}, 'org')\n"
        "except fhir.InvalidResource:\n"
        "    pass\n"
        "qr_svg('http://127.0.0.1/b/abc', 'QR')\n"
    )
    assert {"fhir.resources.R4B.encounter", "qrcode"} <= used


def test_a_start_refused_for_its_settings_never_loads_the_app(tmp_path: Path) -> None:
    config = tmp_path / "central.toml"
    config.write_text("porrt = 8470\n", encoding="utf-8")
    imported = _imported_after(
        f"from central.server import main\nassert main(['--config', {str(config)!r}]) == 2\n"
    )
    assert "central.server" in imported
    assert "central.app" not in imported
    assert not {name for name in imported if name.startswith("central.web")}
