"""Fixtures for the kiosk core's tests: a clock the test moves, the demo catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract.catalog import Catalog
from testkit.clocks import ManualClock

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "central" / "demo_data" / "catalog.json"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.from_json(json.loads(DEMO_CATALOG.read_text(encoding="utf-8")))
