"""Every route's credentials, found by walking the app; body size and rate limits.

The route list comes from the app itself (its OpenAPI, and the routers of
``central.api.ROUTERS``, which must agree), so a route added later is checked
without anyone remembering to add it here: it must either be public (named
in ``central.api.deps.PUBLIC_ROUTES``) or refuse a caller without credentials
(401) and with the wrong kind (403), and it must be in docs/central-api.md.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from fastapi import FastAPI

from central.access import staff
from central.api.deps import PUBLIC_ROUTES
from central.cli_options import add_server_options
from central.database import Database
from central.process import RunningCentral, start_central
from testkit.centre_accounts import bearer, enrol, new_code, new_kiosk, new_staff
from testkit.centre_routes import routes

pytestmark = pytest.mark.timeout(60)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "central-api.md"
ANY_ID = "00000000-0000-0000-0000-000000000000"


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", ANY_ID, path)


def test_the_routers_are_the_whole_app(app: FastAPI) -> None:
    in_schema = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert {(m, p) for m, p, _ in routes(app)} == in_schema, "a route outside central.api.ROUTERS"


def test_public_routes_are_exactly_the_named_ones(app: FastAPI) -> None:
    public = {(m, p) for m, p, kind in routes(app) if kind == "public"}
    assert public == PUBLIC_ROUTES
    assert len(routes(app)) > len(PUBLIC_ROUTES)


def test_every_route_is_in_the_openapi_and_the_docs(app: FastAPI) -> None:
    schema_paths = app.openapi()["paths"]
    docs = DOCS.read_text(encoding="utf-8")
    for method, path, _ in routes(app):
        assert method.lower() in schema_paths[path], f"{method} {path} not in the OpenAPI"
        assert f"`{method} {path}`" in docs, f"{method} {path} not in docs/central-api.md"


def test_no_route_answers_without_credentials(app: FastAPI, central_server: RunningCentral) -> None:
    for method, path, kind in routes(app):
        if kind == "public":
            continue
        response = requests.request(method, central_server.url + concrete(path), timeout=5)
        assert response.status_code == 401, f"{method} {path}: {response.status_code}"
        assert response.json()["error"] == "unauthenticated"


def test_every_route_refuses_the_wrong_kind_of_credential(
    app: FastAPI, central_server: RunningCentral, operator: Database, kiosk_token: str
) -> None:
    admin = new_staff(operator, central_server.url)
    clerk = new_staff(operator, central_server.url, staff.Role.STAFF)
    wrong = {"kiosk": [admin, clerk], "staff": [kiosk_token], "admin": [kiosk_token, clerk]}
    for method, path, kind in routes(app):
        for token in wrong.get(kind, []):
            response = requests.request(
                method, central_server.url + concrete(path), headers=bearer(token), timeout=5
            )
            assert response.status_code == 403, f"{method} {path}: {response.status_code}"


def test_a_body_over_the_limit_gets_413(central_server: RunningCentral, kiosk_token: str) -> None:
    huge = {"code": "A" * (2 * 1024 * 1024)}
    response = requests.post(f"{central_server.url}/api/v1/enrol", json=huge, timeout=10)
    assert response.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it arrives
        yield b'{"nik": "'
        for _ in range(64):
            yield b"1" * 32 * 1024
        yield b'"}'

    streamed = requests.post(
        f"{central_server.url}/api/v1/citizens/lookup",
        data=chunks(),
        headers={**bearer(kiosk_token), "Content-Type": "application/json"},
        timeout=10,
    )
    assert streamed.status_code == 413
    assert streamed.json()["error"] == "content_too_large"


def test_a_body_announced_over_the_limit_gets_the_documented_answer(
    central_server: RunningCentral,
) -> None:
    # Content-Length over the cap: the limiter answers before (or instead of) the route,
    # here a route that refuses the caller first and a path that does not exist.
    huge = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    sent = {"Content-Type": "application/json"}
    for path in ("/api/v1/tickets", "/api/v1/tidak-ada"):
        answer = requests.post(f"{central_server.url}{path}", data=huge, headers=sent, timeout=10)
        assert answer.status_code == 413, path
        assert answer.headers["Content-Type"] == "application/json", path
        assert answer.json() == {"error": "content_too_large", "detail": "Content Too Large"}
    envelope = requests.post(
        f"{central_server.url}/api/v1/wsrs/antrean", data=huge, headers=sent, timeout=10
    )
    assert envelope.status_code == 413
    assert envelope.json()["metadata"]["message"].startswith("Permintaan terlalu besar")
    page = requests.post(
        f"{central_server.url}/login", data=huge, headers={"Accept": "text/html"}, timeout=10
    )
    assert page.status_code == 413
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Isian terlalu panjang" in page.text


@pytest.fixture(scope="module")
def strict_server() -> Iterator[RunningCentral]:
    """A server with small limits: 3 requests at once per kiosk, 3 attempts per address."""
    with start_central(extra_args=("--rate", "60", "--burst", "3", "--auth-rate", "3")) as server:
        yield server


def test_a_kiosk_over_its_rate_gets_429_with_retry_after(strict_server: RunningCentral) -> None:
    db = Database(strict_server.db_url)
    try:
        _, first = new_kiosk(db, strict_server.url)
        _, second = new_kiosk(db, strict_server.url)
    finally:
        db.dispose()
    url = f"{strict_server.url}/api/v1/catalog"
    with requests.Session() as http:
        statuses = [http.get(url, headers=bearer(first), timeout=5).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        limited = http.get(url, headers=bearer(first), timeout=5)
        assert limited.status_code == 429
        assert limited.json()["error"] == "rate_limited"
        assert limited.headers["Retry-After"] == "1"
        assert http.get(url, headers=bearer(second), timeout=5).status_code == 200, "per kiosk"


def test_guessing_is_rate_limited_per_address(strict_server: RunningCentral) -> None:
    db = Database(strict_server.db_url)
    try:
        code = new_code(db)
    finally:
        db.dispose()
    url = f"{strict_server.url}/api/v1/trust"
    answers = [
        requests.get(url, headers=bearer(f"ak_guess{i}"), timeout=5).status_code for i in range(4)
    ]
    assert 429 in answers and set(answers) <= {401, 429}
    blocked = enrol(strict_server.url, code)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1


def refused_attempts(url: str, forwarded_for: list[str]) -> list[int]:
    """Statuses of requests with a made-up token, each claiming to be forwarded for an address."""
    return [
        requests.get(
            f"{url}/api/v1/trust",
            headers={**bearer("ak_guess"), "X-Forwarded-For": address},
            timeout=5,
        ).status_code
        for address in forwarded_for
    ]


def test_forwarded_for_from_a_peer_that_is_no_proxy_is_ignored(
    strict_server: RunningCentral,
) -> None:
    # Four "different" clients, all really 127.0.0.1: its bucket of 3 runs out.
    answers = refused_attempts(strict_server.url, [f"203.0.113.{i}" for i in range(4)])
    assert 429 in answers and set(answers) <= {401, 429}


def test_forwarded_for_from_a_configured_proxy_names_the_client() -> None:
    args = ("--auth-rate", "3", "--trusted-proxy", "127.0.0.1")
    with start_central(extra_args=args) as server:
        clients = [f"203.0.113.{i}" for i in range(4)]
        assert refused_attempts(server.url, clients) == [401] * 4, "a bucket each"
        one = refused_attempts(server.url, ["198.51.100.7"] * 4)
        assert one[:3] == [401] * 3 and one[3] == 429, "the client's own bucket runs out"


def test_every_server_option_is_documented() -> None:
    parser = argparse.ArgumentParser()
    add_server_options(parser)
    docs = DOCS.read_text(encoding="utf-8")
    options = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
    assert "--trusted-proxy" in options
    for option in options:
        if option != "--help":
            assert f"`{option}" in docs, f"{option} not in docs/central-api.md"
