"""Property-based: requests made from /openapi.json never get a 5xx, and answers fit the schema.

Schemathesis generates requests for every operation the server describes
(valid and invalid bodies, parameters and paths) and sends them to a real
server on SQLite, with a kiosk token on kiosk routes and an admin's on staff
routes. Bounded (a few examples per operation) and derandomized, so a run
is the same every time and takes well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from central.access import staff
from central.api import include_routers
from central.database import Database
from central.process import RunningCentral, start_central
from central.settings import DEMO_ENROLMENT_CODE
from testkit.centre_accounts import bearer, enrol, new_staff
from testkit.centre_routes import routes

pytestmark = pytest.mark.timeout(120)
#: Requests per operation and kind of data; about 40 operations.
EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 10, schemathesis.GenerationMode.NEGATIVE: 5}
#: The same examples on every run (CI); a local hunt for bugs may turn it off and raise EXAMPLES.
DERANDOMIZE = True
UNLIMITED = ("--rate", "1000000", "--burst", "1000000", "--auth-rate", "1000000")
#: Operations that would end the test's own credentials.
SKIPPED = ("/api/v1/staff/logout", "/api/v1/staff/kiosks/{kiosk_id}/revoke")


@pytest.fixture(scope="module")
def property_server() -> Iterator[RunningCentral]:
    """A server of its own: the generated requests change data other tests rely on."""
    with start_central(seed_demo=True, extra_args=UNLIMITED) as server:
        yield server


@pytest.fixture(scope="module")
def tokens(property_server: RunningCentral) -> dict[str, str]:
    """The bearer token for each kind of route: kiosk, staff, admin."""
    db = Database(property_server.db_url)
    try:
        admin = new_staff(db, property_server.url, staff.Role.ADMIN)
    finally:
        db.dispose()
    enrolled = enrol(property_server.url, DEMO_ENROLMENT_CODE)
    assert enrolled.status_code == 201, enrolled.text
    return {"kiosk": enrolled.json()["token"], "staff": admin, "admin": admin}


@pytest.fixture(scope="module")
def route_kinds() -> dict[tuple[str, str], str]:
    """(method, path) → public, kiosk, staff or admin, from the routers themselves."""
    app = FastAPI()
    include_routers(app)
    return {(method, path): kind for method, path, kind in routes(app)}


def run_operation(
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
    mode: schemathesis.GenerationMode,
    base_url: str,
    headers: dict[str, str] | None,
) -> None:
    """Send generated requests (``EXAMPLES``); raise on the first that fails a check."""

    @settings(
        max_examples=EXAMPLES[mode],
        derandomize=DERANDOMIZE,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(
            base_url=base_url,
            headers=headers,
            checks=[not_a_server_error, response_schema_conformance],
            timeout=10,
        )

    check()


def describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(describe(e) for e in exc.exceptions)
    return str(exc)


def test_no_request_gets_a_server_error(
    property_server: RunningCentral,
    tokens: dict[str, str],
    route_kinds: dict[tuple[str, str], str],
) -> None:
    schema = schemathesis.openapi.from_url(f"{property_server.url}/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            pytest.fail(f"the server's OpenAPI is invalid: {result.err()}")
        operation = result.ok()
        if operation.path in SKIPPED:
            continue
        operations += 1
        kind = route_kinds.get((operation.method.upper(), operation.path), "public")
        headers = bearer(tokens[kind]) if kind in tokens else None
        for mode in schemathesis.GenerationMode:
            try:
                run_operation(operation, mode, property_server.url, headers)
            except Unsatisfiable:
                continue  # nothing to make invalid: no parameters, no body
            except (FailureGroup, Exception) as exc:  # every operation's, reported below
                failures.append(f"{operation.label} ({mode.value}): {describe(exc)}")
    assert operations >= len(route_kinds) - len(SKIPPED) - 1  # GET /openapi.json is not in it
    assert failures == [], "\n\n".join(failures)
