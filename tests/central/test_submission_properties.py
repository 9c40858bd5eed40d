"""Property-based: a hostile item is answered ``invalid`` alone; the rest of its batch is taken.

Hypothesis puts a hostile value (a lone surrogate, a NUL, a date that
overflows once converted to UTC, a number that is not finite, a deep or big
body) into one field of one item of a batch between two good items, and
sends it to the real server on SQLite and PostgreSQL. The answer is never a
5xx: the hostile item is ``accepted`` or ``invalid``, the good ones are
``accepted``. Derandomized and bounded, so a run is the same every time.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from unittest.mock import patch

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from central.database import Database
from central.errors import InvalidItem
from central.office import submissions as submissions_store
from central.process import RunningCentral
from testkit.centre_accounts import bearer, new_kiosk
from testkit.centre_requests import complaint, lease, new_id, registration

pytestmark = pytest.mark.timeout(300)

SERVICE = "puskesmas-umum"

hostile_text = st.one_of(
    st.text(st.characters(codec=None, categories=("Cs", "Cc", "Co", "Zs", "L")), max_size=12),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "nul\x00", "\ufeff", "\U0010ffff", "x" * 5000]),
)
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
hostile_time = st.one_of(
    st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31), timezones=offsets).map(
        lambda t: t.isoformat()
    ),
    st.sampled_from(
        ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-11-23T08:00:00", ""]
    ),
)
hostile_number = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**400), 10**400),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 2**63, -(2**63) - 1]),
)
hostile_value: st.SearchStrategy[Any] = st.one_of(
    hostile_text,
    hostile_time,
    hostile_number,
    st.none(),
    st.booleans(),
    st.recursive(st.none(), lambda inner: st.lists(inner, max_size=2), max_leaves=40),
)
#: (kind of item, path to the field) the hostile value replaces.
FIELDS = [
    ("complaint", ("reference",)),
    ("complaint", ("text",)),
    ("complaint", ("category",)),
    ("complaint", ("created_at",)),
    ("complaint", ("card_number",)),
    ("complaint", ("language",)),
    ("complaint", ("extra",)),
    ("registration", ("values", "full_name")),
    ("registration", ("ticket", "issued_at")),
    ("registration", ("ticket", "number")),
    ("registration", ("card_uid",)),
    ("registration", ("service_id",)),
    ("registration", ("values",)),
    ("registration", ("booking_code",)),
]


def item(kind: str, number: str) -> dict[str, Any]:
    if kind == "complaint":
        return complaint(new_id())
    return registration(new_id(), SERVICE, number, "lease")


def test_a_hostile_item_never_sinks_its_batch(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    _, token = new_kiosk(operator, url)
    granted = lease(url, token, SERVICE, 200)
    assert granted.status_code == 201, granted.text
    numbers = iter(range(granted.json()["start"], granted.json()["end"] + 1))

    @settings(
        max_examples=60,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(field=st.sampled_from(FIELDS), value=hostile_value)
    def check(field: tuple[str, tuple[str, ...]], value: Any) -> None:
        kind, path = field
        bad = item(kind, f"A-{next(numbers):03d}")
        target = bad["body"]
        for name in path[:-1]:
            target = target[name]
        target[path[-1]] = value
        batch = [complaint(new_id()), bad, complaint(new_id())]
        # The kiosk's JSON: lone surrogates escaped, NaN and Infinity as Python writes them.
        data = json.dumps({"items": batch}).encode()
        response = requests.post(
            f"{url}/api/v1/submissions",
            data=data,
            headers=bearer(token) | {"Content-Type": "application/json"},
            timeout=30,
        )
        assert response.status_code == 200, response.text[:300]
        got = response.json()["results"]
        assert [r["key"] for r in got] == [i["key"] for i in batch]
        assert got[0]["status"] == got[2]["status"] == "accepted", got
        assert got[1]["status"] in ("accepted", "invalid"), got[1]
        if got[1]["status"] == "invalid":
            assert got[1]["error"] and got[1]["detail"], got[1]

    check()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", "\ud800"),
        ("text", "nul\x00"),
        ("created_at", "0001-01-01T00:00:00+14:00"),
        ("created_at", "9999-12-31T23:59:59-14:00"),
        ("reference", float("inf")),
        ("extra", [[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]),
        ("extra", "x" * 70_000),
    ],
)
def test_each_kind_of_hostile_value_is_invalid_alone(
    central_server: RunningCentral, operator: Database, field: str, value: Any
) -> None:
    url = central_server.url
    _, token = new_kiosk(operator, url)
    bad = complaint(new_id())
    bad["body"][field] = value
    good = complaint(new_id())
    response = requests.post(
        f"{url}/api/v1/submissions",
        data=json.dumps({"items": [bad, good]}).encode(),
        headers=bearer(token) | {"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text[:300]
    got = response.json()["results"]
    assert (got[0]["status"], got[0]["error"]) == ("invalid", "invalid_body"), got[0]
    assert got[1]["status"] == "accepted", got[1]


def _verdict(body: Any) -> tuple[str, str] | None:
    try:
        submissions_store.admissible(body)
    except InvalidItem as bad:
        return bad.code, bad.detail
    return None


def _nested(depth: int, leaf: Any) -> Any:
    for _ in range(depth):
        leaf = [leaf]
    return leaf


hostile_body = st.recursive(
    hostile_value,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(hostile_text, inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(
    body=st.dictionaries(hostile_text, hostile_body, max_size=4),
    depth=st.integers(0, 18),
    leaf=hostile_value,
)
def test_a_body_is_refused_for_the_reason_the_walk_of_every_value_gives(
    body: dict[str, Any], depth: int, leaf: Any
) -> None:
    """A body whose canonical JSON shows nothing the walk refuses is not walked; any
    body is refused (or taken) as when every value of every body was walked first."""
    body["deep"] = _nested(depth, leaf)
    got = _verdict(body)
    with patch.object(submissions_store, "_suspect", lambda _encoded: True):
        assert got == _verdict(body)


def test_an_ordinary_body_is_not_walked_value_by_value() -> None:
    walked: list[object] = []
    real = submissions_store._walk

    def walk(value: Any, depth: int) -> None:
        walked.append(value)
        real(value, depth)

    ordinary = registration(new_id(), SERVICE, "A-001", "lease", notify="081234567890")["body"]
    with patch.object(submissions_store, "_walk", walk):
        assert _verdict(ordinary) is None
        assert walked == []
        assert _verdict(ordinary | {"bad": "nul\x00"}) == (
            "invalid_body",
            "a text holds a NUL character",
        )
        assert walked
