"""Staff log in to the office pages with a form; the session is a cookie no script can read.

Driven as staff would: a real chromium on a real centre. The refusals
(CSRF, another site's form, a wrong password) are sent as a hostile client
would send them, over real HTTP.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from central.access import staff
from central.database import Database
from central.errors import CentralStartError
from central.process import RunningCentral, start_central
from central.settings import DEMO_STAFF_PASSWORD, DEMO_STAFF_USERNAME
from central.web.security import CSP
from testkit.browser import log_in
from testkit.centre_accounts import PASSWORD, new_staff_account
from testkit.centres import TEST_SERVER_ARGS

TEMPLATES = Path(__file__).resolve().parents[3] / "central" / "web" / "templates"


def test_logging_in_leads_to_the_page_asked_for(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    username = new_staff_account(office_db, staff.Role.STAFF)
    page.goto(f"{office.url}/login?next=/%3Flang%3Den")
    expect(page.get_by_role("heading", name="Masuk petugas")).to_be_visible()
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()
    assert page.url == f"{office.url}/?lang=en"


def test_the_session_cookie_is_http_only_and_same_site_strict(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    username = new_staff_account(office_db, staff.Role.STAFF)
    log_in(page, office.url, username)
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["anjungan_staff"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Strict"
    assert session["secure"] is False  # plain HTTP on loopback: a Secure cookie would be lost
    assert page.evaluate("document.cookie").find("anjungan_staff") == -1


def test_a_wrong_password_is_refused_in_bahasa_indonesia(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    username = new_staff_account(office_db, staff.Role.STAFF)
    log_in(page, office.url, username, password="bukan kata sandinya")  # noqa: S106
    expect(page.get_by_role("alert")).to_have_text("Nama pengguna atau kata sandi salah.")
    assert "anjungan_staff" not in {c["name"] for c in page.context.cookies()}


def test_logging_out_ends_the_session_on_the_server(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    username = new_staff_account(office_db, staff.Role.STAFF)
    log_in(page, office.url, username)
    token = {c["name"]: c["value"] for c in page.context.cookies()}["anjungan_staff"]
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("heading", name="Masuk petugas")).to_be_visible()
    replayed = requests.get(
        f"{office.url}/api/v1/staff/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert replayed.status_code == 401


def _login_page(http: requests.Session, url: str) -> str:
    html = http.get(f"{url}/login", timeout=5).text
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html
    return found.group(1)


def test_a_login_without_the_forms_csrf_token_is_refused(
    office: RunningCentral, office_db: Database
) -> None:
    username = new_staff_account(office_db, staff.Role.STAFF)
    form = {"username": username, "password": PASSWORD}
    with requests.Session() as http:
        token = _login_page(http, office.url)
        bare = http.post(f"{office.url}/login", data=form, timeout=5, allow_redirects=False)
        forged = http.post(
            f"{office.url}/login", data={**form, "csrf": "x" * 43}, timeout=5, allow_redirects=False
        )
        good = http.post(
            f"{office.url}/login", data={**form, "csrf": token}, timeout=5, allow_redirects=False
        )
    assert bare.status_code == 403 and "kedaluwarsa" in bare.text
    assert forged.status_code == 403
    assert good.status_code == 303 and "anjungan_staff" in good.cookies


def test_a_form_posted_from_another_site_is_refused_even_with_the_token(
    office: RunningCentral, office_db: Database
) -> None:
    username = new_staff_account(office_db, staff.Role.STAFF)
    with requests.Session() as http:
        token = _login_page(http, office.url)
        data = {"username": username, "password": PASSWORD, "csrf": token}
        response = http.post(
            f"{office.url}/login",
            data=data,
            headers={"Origin": "http://evil.example"},
            timeout=5,
            allow_redirects=False,
        )
    assert response.status_code == 403


def test_pages_forbid_inline_scripts_and_framing(office: RunningCentral) -> None:
    response = requests.get(f"{office.url}/login", timeout=5)
    assert response.headers["Content-Security-Policy"] == CSP
    assert "script-src 'self';" in CSP and "unsafe-inline" not in CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_no_template_carries_an_inline_script_or_handler() -> None:
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template.name
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
        assert "style=" not in text, template.name


def test_the_session_cookie_is_secure_behind_a_tls_proxy(office_db: Database) -> None:
    username = new_staff_account(office_db, staff.Role.STAFF)
    args = (*TEST_SERVER_ARGS, "--trusted-proxy", "127.0.0.1")
    with start_central(db_url=office_db.url, extra_args=args) as proxied:
        https = {"X-Forwarded-Proto": "https"}
        form = requests.get(f"{proxied.url}/login", headers=https, timeout=5)
        assert "Secure" in form.headers["set-cookie"]
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert token is not None
        # Over the proxy's TLS the browser would send the Secure cookie back; here the
        # test hop is plain HTTP, so it is sent by hand.
        response = requests.post(
            f"{proxied.url}/login",
            data={"username": username, "password": PASSWORD, "csrf": token.group(1)},
            headers={**https, "Origin": f"https://{proxied.url.split('://')[1]}"},
            cookies={"anjungan_csrf": form.cookies["anjungan_csrf"]},
            timeout=5,
            allow_redirects=False,
        )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "anjungan_staff=" in cookie and "Secure" in cookie and "HttpOnly" in cookie


def test_the_demo_centres_staff_account_logs_in(page: Page, office: RunningCentral) -> None:
    log_in(page, office.url, DEMO_STAFF_USERNAME, DEMO_STAFF_PASSWORD)
    expect(page.get_by_text(f"Masuk sebagai {DEMO_STAFF_USERNAME}")).to_be_visible()


def test_behind_a_proxy_forms_from_the_public_address_pass_and_boards_use_it(
    office_db: Database,
) -> None:
    public = "https://antrean.pekanbaru.example"
    username = new_staff_account(office_db, staff.Role.ADMIN)
    args = (*TEST_SERVER_ARGS, "--public-url", public + "/")
    with start_central(db_url=office_db.url, extra_args=args) as proxied:
        with requests.Session() as http:
            token = _login_page(http, proxied.url)
            form = {"username": username, "password": PASSWORD, "csrf": token}
            # The proxy passed its own upstream address as Host, as nginx does by default.
            elsewhere = http.post(
                f"{proxied.url}/login",
                data=form,
                headers={"Origin": "https://evil.example"},
                timeout=5,
                allow_redirects=False,
            )
            ours = http.post(
                f"{proxied.url}/login",
                data=form,
                headers={"Origin": public},
                timeout=5,
                allow_redirects=False,
            )
        login = requests.post(
            f"{proxied.url}/api/v1/staff/login",
            json={"username": username, "password": PASSWORD},
            timeout=5,
        ).json()["token"]
        board = requests.post(
            f"{proxied.url}/api/v1/staff/boards",
            json={"office_id": "pku-mpp", "name": "TV lobi"},
            headers={"Authorization": f"Bearer {login}"},
            timeout=5,
        )
    assert elsewhere.status_code == 403
    assert ours.status_code == 303
    assert board.status_code == 201 and board.json()["url"].startswith(f"{public}/board/bd_")


def test_a_public_url_with_a_path_is_refused_at_start() -> None:
    with pytest.raises(CentralStartError, match="public URL"):
        start_central(extra_args=("--public-url", "https://antrean.example/loket"))


def test_the_language_link_keeps_what_the_page_was_asked_with(office: RunningCentral) -> None:
    html = requests.get(f"{office.url}/login?next=/dashboard%3Fday%3D2026-01-02", timeout=5).text
    link = re.search(r'<a href="([^"]+)" lang="en">English</a>', html)
    assert link is not None
    assert link.group(1).replace("&amp;", "&") == "?next=%2Fdashboard%3Fday%3D2026-01-02&lang=en"


def test_a_csrf_cookie_the_centre_did_not_make_is_replaced_and_never_accepted(
    office: RunningCentral, office_db: Database
) -> None:
    username = new_staff_account(office_db, staff.Role.STAFF)
    planted = {"anjungan_csrf": "dipasang-dari-subdomain-lain"}
    page = requests.get(f"{office.url}/login", cookies=planted, timeout=5)
    assert "anjungan_csrf=" in page.headers.get("set-cookie", "")
    assert planted["anjungan_csrf"] not in page.text
    posted = requests.post(
        f"{office.url}/login",
        data={"username": username, "password": PASSWORD, "csrf": planted["anjungan_csrf"]},
        cookies=planted,
        timeout=5,
        allow_redirects=False,
    )
    assert posted.status_code == 403


def test_logging_in_as_someone_else_in_the_same_browser_ends_the_first_session(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    first = new_staff_account(office_db, staff.Role.STAFF)
    log_in(page, office.url, first)
    token = {c["name"]: c["value"] for c in page.context.cookies()}["anjungan_staff"]
    log_in(page, office.url, new_staff_account(office_db, staff.Role.STAFF))
    replayed = requests.get(
        f"{office.url}/api/v1/staff/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert replayed.status_code == 401
