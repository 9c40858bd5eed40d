"""Every office page, found by walking ``central.web.ROUTERS``: public by name, or behind a login.

A page added later is checked without anyone remembering to add it here: it
must be named in ``central.web.PUBLIC_PAGES`` or ask for a staff session,
and without one a GET leads to the login form while anything else is
refused, over real HTTP.
"""

from __future__ import annotations

import re

import requests

from central.process import RunningCentral
from central.web import PUBLIC_PAGES
from testkit.centre_routes import pages

ANY = "x0000000"


def test_pages_without_a_session_are_exactly_the_public_ones() -> None:
    public = {(method, path) for method, path, session in pages() if not session}
    assert public == PUBLIC_PAGES


def test_a_staff_page_without_a_session_leads_to_the_login_form(office: RunningCentral) -> None:
    protected = [(m, p) for m, p, session in pages() if session]
    assert protected, "no staff page found: the walk is broken"
    for method, path in protected:
        url = office.url + re.sub(r"\{[^}]+\}", ANY, path)
        response = requests.request(method, url, timeout=5, allow_redirects=False)
        if method == "GET":
            assert response.status_code == 303, f"{method} {path}: {response.status_code}"
            assert response.headers["location"].startswith("/login?next="), path
        else:
            assert response.status_code in (401, 403), f"{method} {path}: {response.status_code}"
            assert "text/html" in response.headers["content-type"], path
