"""Fixtures for the kiosk core's tests: a clock the test moves, the demo catalog."""

from __future__ import annotations

import json

import pytest

from contract.catalog import Catalog
from testkit.centres import DEMO_CATALOG
from testkit.clocks import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.from_json(json.loads(DEMO_CATALOG.read_text(encoding="utf-8")))
