"""The settings pages' shared rules (central/web/staff_forms.py), over real HTTP.

An admin without an office of their own gets a default office (the schedules'
page: the first with polis; the bookings' page: the first) and keeps their
pick and language across a form; a clerk's address carries no office, and a
clerk cannot reach another office.
"""

from __future__ import annotations

import re

import requests

from central.access import staff
from central.database import Database
from central.process import RunningCentral
from testkit.centre_accounts import DEMO_OFFICE, new_staff_account
from testkit.centre_hospital import HOSPITAL
from testkit.office_sessions import logged_in


def _selected(html: str) -> str:
    found = re.search(r'<option value="([^"]+)" selected>', html)
    assert found is not None, html[:300]
    return found.group(1)


def test_an_admin_without_an_office_gets_each_pages_default(
    office: RunningCentral, office_db: Database
) -> None:
    assert DEMO_OFFICE < HOSPITAL  # the first office has no polis: the defaults differ
    http, _ = logged_in(office.url, new_staff_account(office_db, staff.Role.ADMIN))
    assert _selected(http.get(f"{office.url}/office/schedules", timeout=10).text) == HOSPITAL
    assert _selected(http.get(f"{office.url}/office/bookings", timeout=10).text) == DEMO_OFFICE
    picked = http.get(f"{office.url}/office/bookings?office_id={HOSPITAL}", timeout=10)
    assert _selected(picked.text) == HOSPITAL


def _posted(url: str, username: str, path: str, data: dict[str, str]) -> requests.Response:
    """``data`` posted to ``path`` by ``username``'s session, with its CSRF token."""
    http, csrf = logged_in(url, username)
    return http.post(f"{url}{path}", data={"csrf": csrf, **data}, allow_redirects=False, timeout=10)


def test_after_a_form_staff_come_back_to_their_office_and_language(
    office: RunningCentral, office_db: Database
) -> None:
    remove = "/office/bookings/holidays/remove"
    admin = new_staff_account(office_db, staff.Role.ADMIN)
    done = _posted(
        office.url, admin, f"{remove}?lang=en", {"day": "2031-01-01", "office_id": HOSPITAL}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/office/bookings?done=removed&office_id={HOSPITAL}&lang=en"
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    done = _posted(office.url, clerk, f"{remove}?lang=fr", {"day": "2031-01-01"})
    assert done.status_code == 303
    assert done.headers["location"] == "/office/bookings?done=removed"  # no office, no "fr"


def test_a_clerk_cannot_open_or_change_another_office(
    office: RunningCentral, office_db: Database
) -> None:
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    http, _ = logged_in(office.url, clerk)
    for path in ("/office/schedules", "/office/bookings"):
        other = http.get(f"{office.url}{path}?office_id={HOSPITAL}", timeout=10)
        assert other.status_code == 404, path
    refused = _posted(
        office.url, clerk, "/office/schedules/remove", {"schedule_id": "x", "office_id": HOSPITAL}
    )
    assert refused.status_code == 404
