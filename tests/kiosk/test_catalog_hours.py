"""Opening hours in the catalog (#7): optional, per office and per service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract.catalog import Catalog
from contract.errors import CatalogError

DEMO = Path(__file__).parents[2] / "central" / "demo_data" / "catalog.json"


def _demo() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO.read_text(encoding="utf-8"))
    return data


def test_the_demo_office_publishes_its_hours_and_services_inherit_none() -> None:
    catalog = Catalog.from_json(_demo())
    hours = catalog.office("pku-mpp").hours
    assert hours is not None
    assert hours("id").startswith("Senin–Jumat") and hours("en").startswith("Mon–Fri")
    assert all(s.hours is None for s in catalog.services)


def test_a_service_may_have_its_own_hours_and_bad_ones_are_refused() -> None:
    data = _demo()
    data["services"][0]["hours"] = "Senin–Kamis 08.00–12.00"
    service = Catalog.from_json(data).services[0]
    assert service.hours is not None and service.hours("en") == "Senin–Kamis 08.00–12.00"
    data["services"][0]["hours"] = 8
    with pytest.raises(CatalogError, match=r"services\[0\]\.hours"):
        Catalog.from_json(data)
    del data["services"][0]["hours"]
    del data["offices"][0]["hours"]
    assert Catalog.from_json(data).offices[0].hours is None


def test_an_office_may_say_how_many_numbered_counters_it_has() -> None:
    data = _demo()
    assert Catalog.from_json(data).office("pku-mpp").counters == 8  # not said: 8, as before
    for counters in (1, 3, 20, 99):
        data["offices"][0]["counters"] = counters
        assert Catalog.from_json(data).offices[0].counters == counters
    data["offices"][0]["counters"] = None
    assert Catalog.from_json(data).offices[0].counters == 8
    for wrong in (0, -2, 100, 10**6, True, 2.5, "3", [3]):
        data["offices"][0]["counters"] = wrong
        with pytest.raises(CatalogError, match=r"offices\[0\]\.counters"):
            Catalog.from_json(data)
