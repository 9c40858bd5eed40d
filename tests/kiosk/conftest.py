from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract.catalog import Catalog

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "central" / "demo_data" / "catalog.json"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.from_json(json.loads(DEMO_CATALOG.read_text(encoding="utf-8")))
