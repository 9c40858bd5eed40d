"""The packages `make package` wrote (``ANJUNGAN_DEB_DIR``, by default dist/).

``make package-test`` builds them first and names the folder; without it (a
plain ``pytest``) and with no package built, the tests that install them skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _deb(name: str) -> Path:
    named = os.environ.get("ANJUNGAN_DEB_DIR")
    folder = Path(named) if named else ROOT / "dist"
    if not folder.is_absolute():
        folder = ROOT / folder
    found = sorted(folder.glob(f"{name}_*.deb"))
    if not found:
        message = f"no {name}_*.deb in {folder}: run make package"
        if named:
            pytest.fail(message)
        pytest.skip(message)
    if len(found) > 1:
        pytest.fail(f"several {name} packages in {folder}: {[p.name for p in found]}")
    return found[0]


@pytest.fixture(scope="session")
def kiosk_deb() -> Path:
    return _deb("anjungan-kiosk")


@pytest.fixture(scope="session")
def central_deb() -> Path:
    return _deb("anjungan-central")
