"""Whatever JSON arrives as a catalog, :meth:`Catalog.from_json` takes it or raises
:class:`CatalogError`: the sync engine refuses the document and keeps the one in use
(docs/sync.md, "Catalog and trust lists"). Any other exception would abort a sync step.
"""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.catalog import Catalog
from contract.errors import CatalogError

DEMO = Path(__file__).parents[2] / "central" / "demo_data" / "catalog.json"
DEMO_DATA: dict[str, Any] = json.loads(DEMO.read_text(encoding="utf-8"))

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["id", "text", "choice", "card.nik", "kesehatan", "pku-mpp", "signed"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _paths(obj: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [prefix]
    if isinstance(obj, dict):
        for key, value in obj.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for index, value in enumerate(obj[:2]):
            out += _paths(value, (*prefix, index))
    return out


PATHS = _paths(DEMO_DATA)


def _parse(data: Any) -> None:
    with contextlib.suppress(CatalogError):
        Catalog.from_json(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_arbitrary_json_is_a_catalog_or_a_catalog_error(data: Any) -> None:
    _parse(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS[1:]), JSON)
def test_the_demo_catalog_with_any_value_anywhere_is_a_catalog_or_a_catalog_error(
    path: tuple[str | int, ...], value: Any
) -> None:
    data = copy.deepcopy(DEMO_DATA)
    holder: Any = data
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    _parse(data)


@pytest.mark.parametrize("key", ["offices", "categories", "services"])
def test_a_string_where_an_object_goes_names_its_path(key: str) -> None:
    data = copy.deepcopy(DEMO_DATA)
    data[key] = ["x", *data[key]]
    with pytest.raises(CatalogError, match=rf"catalog\.{key}\[0\]: must be an object"):
        Catalog.from_json(data)


def test_a_string_in_a_form_names_its_path() -> None:
    data = copy.deepcopy(DEMO_DATA)
    data["services"][0]["form"] = ["x"]
    with pytest.raises(CatalogError, match=r"catalog\.services\[0\]\.form\[0\]: must be an object"):
        Catalog.from_json(data)


def test_requirements_may_still_be_plain_strings() -> None:
    data = copy.deepcopy(DEMO_DATA)
    data["services"][0]["requirements"] = ["KTP asli", {"id": "KK", "en": "Family card"}]
    service = Catalog.from_json(data).services[0]
    assert [r("en") for r in service.requirements] == ["KTP asli", "Family card"]
