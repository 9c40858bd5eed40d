"""The store fixture: a fresh store in a temporary folder, closed afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "kiosk.db")
    yield opened
    opened.close()
