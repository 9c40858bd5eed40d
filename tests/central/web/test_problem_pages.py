"""What goes wrong on a page is answered with a page, in Bahasa Indonesia; the API stays JSON.

A citizen mistyping their ticket's address, a form with a field too long,
a page opened the wrong way: each gets the status code it deserves and a
page saying what to do, never a JSON body a person cannot read, and never
the input repeated back (it may be a NIK).
"""

from __future__ import annotations

import re

import pytest
import requests

from central.access import staff
from central.database import Database
from central.process import RunningCentral
from testkit.centre_accounts import new_staff_account
from testkit.centre_routes import pages
from testkit.office_sessions import logged_in


def _is_page(response: requests.Response) -> str:
    assert response.headers["content-type"].startswith("text/html"), response.text[:200]
    assert "Content-Security-Policy" in response.headers
    return response.text


@pytest.mark.parametrize(
    ("method", "path", "status", "words"),
    [
        ("GET", "/t/bukan-nomor-tiket", 422, "Alamat atau isian tidak sesuai"),
        ("GET", "/halaman-yang-tidak-ada", 404, "Halaman tidak ditemukan"),
        ("GET", "/logout", 405, "tidak dapat dibuka dengan cara ini"),
        ("GET", "/board/" + "b" * 300, 422, "Alamat atau isian tidak sesuai"),
    ],
)
def test_a_bad_address_gets_a_page_saying_what_to_do(
    office: RunningCentral, method: str, path: str, status: int, words: str
) -> None:
    response = requests.request(method, office.url + path, timeout=5)
    assert response.status_code == status
    assert words in _is_page(response)
    assert "bukan-nomor-tiket" not in response.text


def test_the_api_still_answers_its_json_error_body(office: RunningCentral) -> None:
    response = requests.get(f"{office.url}/api/v1/tidak-ada", timeout=5)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def _csrf(http: requests.Session, url: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', http.get(f"{url}/login", timeout=5).text)
    assert found is not None
    return found.group(1)


def test_a_login_form_with_a_field_missing_or_too_long_gets_a_page(office: RunningCentral) -> None:
    with requests.Session() as http:
        token = _csrf(http, office.url)
        missing = http.post(
            f"{office.url}/login", data={"csrf": token, "password": "x" * 12}, timeout=5
        )
        nik = "1471010101010001"
        too_long = http.post(
            f"{office.url}/login",
            data={"csrf": token, "username": nik * 5, "password": "x" * 12},
            timeout=5,
        )
    assert missing.status_code == 422 and "isian tidak sesuai" in _is_page(missing)
    assert too_long.status_code == 422 and nik not in _is_page(too_long)


def test_a_form_with_thousands_of_fields_gets_a_page(office: RunningCentral) -> None:
    with requests.Session() as http:
        token = _csrf(http, office.url)
        fields = "&".join(f"f{i}=x" for i in range(1500))
        response = http.post(
            f"{office.url}/login",
            data=f"csrf={token}&{fields}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=5,
        )
    assert response.status_code in (400, 413, 422)
    assert "Tidak dapat ditampilkan" in _is_page(response)


def test_a_pages_script_asking_for_json_gets_the_message_as_json(
    office: RunningCentral, office_db: Database
) -> None:
    http, token = logged_in(office.url, new_staff_account(office_db, staff.Role.STAFF))
    with http:
        answer = http.post(
            f"{office.url}/counter/served",
            data={"ticket_id": "x" * 500},
            headers={"X-CSRF-Token": token, "Accept": "application/json"},
            timeout=5,
        )
    assert answer.status_code == 422
    assert answer.json() == {
        "ok": False,
        "message": "Alamat atau isian tidak sesuai. Periksa kembali, lalu coba lagi.",
    }


#: What a hostile client puts where a page's address has a part of its own: ids beyond
#: the database's 64-bit integers either way, nothing, a NUL, bytes that are no UTF-8,
#: a right-to-left override, a long run.
HOSTILE_PARTS = (
    "9" * 25,
    "-" + "9" * 25,
    str(2**63),
    "0",
    "%00",
    "%FF%FE",
    "%E2%80%AEx",
    "x" * 300,
)


@pytest.mark.parametrize("part", HOSTILE_PARTS)
def test_no_page_answers_a_hostile_address_part_with_a_server_error(
    office: RunningCentral, office_db: Database, part: str
) -> None:
    """Every office page (found by walking them), with each part of its address hostile,
    sent by an admin with the page's token: a page saying what to do, never a 500."""
    http, token = logged_in(office.url, new_staff_account(office_db, staff.Role.ADMIN))
    with http:
        cookies = http.cookies.get_dict()
    routes = [(m, p) for m, p, _ in pages() if "{" in p and p != "/logout"]
    assert routes, "no page with a part of its own found: the walk is broken"
    failed = []
    for method, path in routes:
        # A connection of its own each: a server error closes the one it came on.
        response = requests.request(
            method,
            office.url + re.sub(r"\{[^}]+\}", part, path),
            data={"csrf": token},
            cookies=cookies,
            timeout=30,
            allow_redirects=False,
        )
        kind = response.headers.get("content-type", "")
        is_page = response.is_redirect or kind.startswith(("text/html", "text/plain"))
        if response.status_code >= 500 or not is_page:
            failed.append(f"{method} {path}: {response.status_code}")
    assert failed == []
