"""The access log writes no path parameter of any route, over real HTTP.

A path segment may be a capability (a ticket's id opens its status, a
board's token its page, a booking's code its change and cancel): the log
writes each request's route template with placeholders, whichever route it
is, so a route added later is covered without anyone remembering to list it.
"""

from __future__ import annotations

import functools
import re
import uuid

import pytest
import requests

from central.process import start_central
from testkit.centres import SHARED_START_S

pytestmark = pytest.mark.timeout(120)
start = functools.partial(start_central, timeout_s=SHARED_START_S)
_PARAMETER = re.compile(r"\{[^}]+\}")


def test_no_path_parameter_of_any_route_reaches_the_access_log() -> None:
    with start() as centre:
        paths = requests.get(f"{centre.url}/openapi.json", timeout=10).json()["paths"]
        templates = [p for p in paths if "{" in p] + [
            # Pages left out of the API's description, and paths no route answers.
            "/t/{ticket_id}",
            "/board/{token}/events",
            "/c/{reference}",
            "/b/{code}/cancel",
            "/voice/{name}.wav",
            "/static/{path}",
            "/no-such-page/{what}",
        ]
        assert "/api/v1/public/tickets/{ticket_id}" in templates
        secrets: list[str] = []
        for template in templates:
            secret = f"SECRET{uuid.uuid4().hex[:12]}"
            secrets.append(secret)
            path = _PARAMETER.sub(secret, template)
            requests.get(f"{centre.url}{path}?lang=en", timeout=10)
        marker = f"/no-such-page-{uuid.uuid4().hex}"
        requests.get(f"{centre.url}{marker}", timeout=10)
        centre.stop()  # every line is written and read
        log = centre.output_tail()
    assert "GET /api/v1/public/tickets/[ticket_id]?<hidden> HTTP/1.1" in log
    assert "GET /t/[ticket_id]?<hidden> HTTP/1.1" in log
    assert "GET /board/[token]/events?<hidden> HTTP/1.1" in log
    assert "GET /static/[path]?<hidden> HTTP/1.1" in log
    assert "GET [unrouted] HTTP/1.1" in log
    assert [secret for secret in secrets if secret in log] == []
    assert marker not in log
