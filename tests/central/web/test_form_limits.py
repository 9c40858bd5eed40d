"""Every form posted to an office page is read with the pages' limits, whoever reads it first.

The limits (central/web/forms.py: 100 fields, no file, 64 KiB a field) hold on
every page's post, whether the route has form fields of its own (FastAPI reads
them), reads the form itself, or only checks its CSRF token from the form: a
form beyond them gets the page saying the request cannot be processed, is not
parsed past the limit, and changes nothing. Real server, real HTTP, an admin's
session with its token.
"""

from __future__ import annotations

import re

import pytest
import requests

from central.access import staff
from central.database import Database
from central.office import bookings
from central.process import RunningCentral
from central.web.forms import MAX_FIELDS, MAX_PART_SIZE
from testkit.centre_accounts import DEMO_OFFICE, new_staff_account
from testkit.centre_routes import pages
from testkit.office_sessions import logged_in
from testkit.waits import wait_until

REFUSED = "Permintaan ini tidak dapat diproses."
#: Office hours as the form sends them: Monday to Sunday, 07:35–16:05.
WEEK = {f"{edge}_{day}": time for day in range(7) for edge, time in (("opens", "07:35"),
        ("closes", "16:05"))}  # fmt: skip


def _refused(answer: requests.Response) -> bool:
    return answer.status_code == 400 and REFUSED in answer.text


@pytest.fixture
def admin(office: RunningCentral, office_db: Database) -> tuple[requests.Session, str]:
    return logged_in(office.url, new_staff_account(office_db, staff.Role.ADMIN))


def _hours(db: Database) -> object:
    with db.read() as conn:
        return bookings.hours(conn, DEMO_OFFICE)


def test_the_office_hours_form_is_read_with_the_limits_not_whole(
    office: RunningCentral, office_db: Database, admin: tuple[requests.Session, str]
) -> None:
    """The hours form's own route read it with its own limit after the CSRF check had read
    it with the defaults (1,000 fields): its limit held for nothing."""
    http, token = admin
    before = _hours(office_db)
    url = f"{office.url}/office/bookings/hours"
    headers = {"Origin": office.url}
    over = {f"f{i}": "x" for i in range(MAX_FIELDS + 1)}
    with http:
        for extra in (over, {f"f{i}": "x" for i in range(10_000)}):
            fields = {"csrf": token, "office_id": DEMO_OFFICE, **WEEK, **extra}
            answer = http.post(url, data=fields, headers=headers, timeout=30)
            assert _refused(answer), (len(fields), answer.status_code, answer.text[:300])
        # The token in the header instead: the form is still read with the limits.
        answer = http.post(
            url,
            data={"office_id": DEMO_OFFICE, **WEEK, **over},
            headers={**headers, "X-CSRF-Token": token},
            timeout=30,
        )
        assert _refused(answer), answer.status_code
        assert _hours(office_db) == before  # nothing saved
        # A file, and a field longer than a part: refused as well.
        filed = http.post(
            url,
            data={"csrf": token, "office_id": DEMO_OFFICE, **WEEK},
            files={"photo": ("a.png", b"\x89PNG" + b"\0" * 100, "image/png")},
            headers=headers,
            timeout=30,
        )
        assert _refused(filed), filed.status_code
        long = {"csrf": token, "office_id": DEMO_OFFICE, **WEEK, "note": "x" * MAX_PART_SIZE}
        assert _refused(http.post(url, data=long, headers=headers, timeout=30))
        assert _hours(office_db) == before
        # Within them, the form is the form.
        saved = http.post(
            url,
            data={"csrf": token, "office_id": DEMO_OFFICE, **WEEK},
            headers=headers,
            allow_redirects=False,
            timeout=30,
        )
        assert saved.status_code == 303, saved.text[:300]
    assert _hours(office_db) != before


def test_no_pages_post_parses_a_form_beyond_the_limits(
    office: RunningCentral, admin: tuple[requests.Session, str]
) -> None:
    """Every page's post, found by walking them (its parts of the address made up: the form
    is read before they are looked at), with the token and one field too many."""
    http, token = admin
    posts = sorted((p for m, p, _ in pages() if m == "POST"), key=lambda p: p == "/logout")
    assert "/office/bookings/hours" in posts and "/login" in posts
    over = {"csrf": token, **{f"f{i}": "x" for i in range(MAX_FIELDS)}}  # 101 fields
    parsed = []
    with http:
        for path in posts:
            answer = http.post(
                office.url + re.sub(r"\{[^}]+\}", "1", path),
                data=over,
                headers={"Origin": office.url},
                allow_redirects=False,
                timeout=30,
            )
            if not _refused(answer):
                parsed.append((path, answer.status_code))
        still = http.get(f"{office.url}/counter", allow_redirects=False, timeout=10)
    assert parsed == []
    assert still.status_code == 200  # not even /logout read the form: the session holds


def test_a_form_beyond_the_limits_is_logged_with_its_limit_not_its_values(
    office: RunningCentral, admin: tuple[requests.Session, str]
) -> None:
    """The refusal was never logged: the reader caught FastAPI's HTTPException, a subclass of
    the one Starlette raises, so the line the module promises was not written. One line per
    refused form, naming the page's route and the limit; nothing that was posted."""
    http, token = admin
    typed = "RAHASIA-1471020101900001"  # as a NIK would be typed
    url = f"{office.url}/counter/desk"
    headers = {"Origin": office.url}
    too_many = {"csrf": token, **{f"f{i}": typed for i in range(MAX_FIELDS)}}
    too_long = {"csrf": token, "counter": typed + "x" * MAX_PART_SIZE}
    with http:
        for form in (too_many, too_long):
            assert _refused(http.post(url, data=form, headers=headers, timeout=30))
    said = (
        "a form posted to /counter/desk refused: Too many fields. Maximum number of fields is "
        f"{MAX_FIELDS}.",
        "a form posted to /counter/desk refused: Field exceeded maximum size of "
        f"{MAX_PART_SIZE // 1024}KB.",
    )
    wait_until(
        lambda: all(line in office.output_tail() for line in said), 30, "the refusals' lines"
    )
    assert typed not in office.output_tail()
