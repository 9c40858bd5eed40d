"""A staff member's session on the office pages over plain HTTP, logged in through the form."""

from __future__ import annotations

import re

import requests

from testkit.centre_accounts import PASSWORD


def logged_in(url: str, username: str) -> tuple[requests.Session, str]:
    """A session logged in through the login form, as a browser would; and its CSRF token."""
    http = requests.Session()
    form = re.search(r'name="csrf" value="([^"]+)"', http.get(f"{url}/login", timeout=10).text)
    assert form is not None
    done = http.post(
        f"{url}/login",
        data={"username": username, "password": PASSWORD, "csrf": form.group(1), "next": "/"},
        timeout=10,
    )
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', done.text)
    assert done.status_code == 200 and token is not None, done.text[:300]
    return http, token.group(1)
