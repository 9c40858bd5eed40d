"""The office pages behind nginx with TLS, as a city runs them: the session cookie is Secure.

A test CA signs nginx's certificate for 127.0.0.1; chromium trusts it only
for this context (``ignore_https_errors``: the CA is not in its store). The
centre trusts the proxy's ``X-Forwarded-Proto`` (``--trusted-proxy``), so it
knows the page came over HTTPS.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from central.access import staff
from central.database import Database
from central.process import start_central
from testkit.browser import fresh_context, log_in
from testkit.centre_accounts import new_staff_account
from testkit.centres import TEST_SERVER_ARGS
from testkit.tls_proxy import NGINX, make_city_ca, nginx_in_front


@pytest.fixture(scope="module")
def tls_office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Database]]:
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian package nginx; make installs it)")
    ca = make_city_ca(tmp_path_factory.mktemp("ca"))
    args = (*TEST_SERVER_ARGS, "--trusted-proxy", "127.0.0.1")
    with start_central(seed_demo=True, extra_args=args) as centre:
        db = Database(centre.db_url)
        try:
            with nginx_in_front(centre.url, ca, tmp_path_factory.mktemp("nginx")) as url:
                yield url, db
        finally:
            db.dispose()


def test_over_tls_the_session_cookie_is_secure_http_only_and_strict(
    browser: Browser, tls_office: tuple[str, Database]
) -> None:
    url, db = tls_office
    username = new_staff_account(db, staff.Role.STAFF)
    with fresh_context(browser, ignore_https_errors=True) as context:
        page = context.new_page()
        log_in(page, url, username)
        expect(page.get_by_text(f"Masuk sebagai {username}")).to_be_visible()
        cookies = {c["name"]: c for c in context.cookies()}
    session = cookies["anjungan_staff"]
    assert (session["secure"], session["httpOnly"], session["sameSite"]) == (True, True, "Strict")
    assert cookies["anjungan_csrf"]["secure"] is True
