"""Every time and date a request takes is range-checked: year 1 or 9999 is a 422, never a 500.

The fields are found from the OpenAPI schema (bodies, nested objects and
lists, query parameters), so a new field that skips :mod:`central.times`
fails here. Each probe sends one field alone at an extreme and expects a
422 naming that very field: the schema's other complaints (missing fields)
do not count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import Dialect
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.sqlite.base import SQLiteDialect

from central.access.staff import Role
from central.app import create_app
from central.database import Database
from central.process import RunningCentral
from central.settings import CentralSettings
from central.tables import UtcDateTime
from testkit.centre_accounts import bearer, new_kiosk, new_staff

pytestmark = pytest.mark.timeout(120)

TIMES = (
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "1999-12-31T23:59:59+00:00",
    "2100-01-01T00:00:00+00:00",
)
DATES = ("0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01")
#: A date of birth is a citizen's past: 1900 on (central/api/citizens.py).
BIRTH_DATES = ("0001-01-01", "9999-12-31", "1899-12-31", "2100-01-01")

Probe = tuple[str, str, str, tuple[Any, ...], str]  # method, path, where, field path, format


def _schema(tmp: Path) -> dict[str, Any]:
    db = Database(f"sqlite:///{tmp / 'central.db'}")
    try:
        schema: dict[str, Any] = create_app(CentralSettings(seed_demo=True), db=db).openapi()
    finally:
        db.dispose()
    return schema


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _times_in(
    schema: dict[str, Any], node: dict[str, Any], at: tuple[Any, ...], seen: frozenset[str]
) -> Iterator[tuple[tuple[Any, ...], str]]:
    ref = node.get("$ref")
    if ref in seen:
        return
    if ref is not None:
        seen = seen | {ref}
    node = _resolve(schema, node)
    if node.get("format") in ("date", "date-time"):
        yield at, node["format"]
    for choice in node.get("anyOf", []) + node.get("oneOf", []) + node.get("allOf", []):
        yield from _times_in(schema, choice, at, seen)
    for name, sub in node.get("properties", {}).items():
        yield from _times_in(schema, sub, (*at, name), seen)
    if isinstance(node.get("items"), dict):
        yield from _times_in(schema, node["items"], (*at, 0), seen)


def probes(schema: dict[str, Any]) -> list[Probe]:
    found: list[Probe] = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                for at, fmt in _times_in(schema, parameter.get("schema", {}), (), frozenset()):
                    assert at == ()
                    found.append((method.upper(), path, parameter["in"], (parameter["name"],), fmt))
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            if body is not None:
                for at, fmt in _times_in(schema, body, (), frozenset()):
                    found.append((method.upper(), path, "body", at, fmt))
    return found


def _nest(at: tuple[Any, ...], value: str) -> Any:
    if not at:
        return value
    head, rest = at[0], at[1:]
    return [_nest(rest, value)] if head == 0 else {head: _nest(rest, value)}


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> list[Probe]:
    return probes(_schema(tmp_path_factory.mktemp("schema")))


def test_the_probes_find_the_times_we_know_of(found: list[Probe]) -> None:
    """The walk is not vacuous: the known fields are among those it finds."""
    named = {(path, at) for _, path, _, at, _ in found}
    for known in [
        ("/api/v1/heartbeats", ("sent_at",)),
        ("/api/v1/heartbeats", ("leases", 0, "expires_at")),
        ("/api/v1/heartbeats", ("leases", 0, "day")),
        ("/api/v1/staff/applications", ("submitted_at",)),
        ("/api/v1/leases", ("day",)),
        ("/api/v1/staff/statistics", ("from",)),
        ("/api/v1/citizens/lookup", ("birth_date",)),
    ]:
        assert known in named


def test_every_time_and_date_a_request_takes_refuses_the_extremes_with_422(
    central_server: RunningCentral, operator: Database, found: list[Probe]
) -> None:
    url = central_server.url
    kiosk = bearer(new_kiosk(operator, url)[1])
    admin = bearer(new_staff(operator, url, Role.ADMIN))
    problems = []
    for method, path, where, at, fmt in found:
        headers = admin if path.startswith("/api/v1/staff") else kiosk
        values = TIMES if fmt == "date-time" else DATES
        if at[-1] == "birth_date":
            values = BIRTH_DATES
        concrete = path.replace("{", "").replace("}", "")  # never reached: the field fails first
        for value in values:
            if where == "query":
                answer = requests.request(
                    method, f"{url}{concrete}", params={at[0]: value}, headers=headers, timeout=10
                )
            else:
                answer = requests.request(
                    method, f"{url}{concrete}", json=_nest(at, value), headers=headers, timeout=10
                )
            locs = (
                [p["loc"] for p in answer.json().get("detail", [])]
                if answer.status_code == 422
                else []
            )
            field = [where, *at]  # a union adds its member's name after the field's
            if not any(loc[: len(field)] == field for loc in locs):
                problems.append((method, path, at, value, answer.status_code, answer.text[:120]))
    assert problems == []


DIALECTS: list[Dialect] = [SQLiteDialect(), PGDialect()]  # type: ignore[no-untyped-call]


@pytest.mark.parametrize("dialect", DIALECTS, ids=["sqlite", "postgresql"])
@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14))),
        dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-14))),
    ],
    ids=["year-1+14", "year-9999-14"],
)
def test_a_time_the_database_cannot_hold_is_a_value_error_not_an_overflow(
    dialect: Dialect, value: dt.datetime
) -> None:
    """The last guard below the API: a clear ValueError (an item's fault), never OverflowError."""
    with pytest.raises(ValueError, match="outside the range"):
        UtcDateTime().process_bind_param(value, dialect)
