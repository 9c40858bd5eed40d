"""The settings pages' shared rules (central/web/staff_forms.py), over real HTTP.

An admin without an office of their own gets a default office (the schedules'
page: the first with polis; the bookings' page: the first) and keeps their
pick and language across a form; a clerk cannot reach another office.
"""

from __future__ import annotations

import re

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


def test_after_a_form_an_admin_comes_back_to_the_office_and_language_they_used(
    office: RunningCentral, office_db: Database
) -> None:
    http, csrf = logged_in(office.url, new_staff_account(office_db, staff.Role.ADMIN))
    done = http.post(
        f"{office.url}/office/bookings/holidays/remove?lang=en",
        data={"csrf": csrf, "day": "2031-01-01", "office_id": HOSPITAL},
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/office/bookings?done=removed&office_id={HOSPITAL}&lang=en"


def test_after_a_form_a_clerk_comes_back_without_an_office_in_the_address(
    office: RunningCentral, office_db: Database
) -> None:
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    http, csrf = logged_in(office.url, clerk)
    done = http.post(
        f"{office.url}/office/bookings/holidays/remove?lang=fr",
        data={"csrf": csrf, "day": "2031-01-01"},
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/office/bookings?done=removed"


def test_a_clerk_cannot_open_or_change_another_office(
    office: RunningCentral, office_db: Database
) -> None:
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    http, csrf = logged_in(office.url, clerk)
    for path in ("/office/schedules", "/office/bookings"):
        other = http.get(f"{office.url}{path}?office_id={HOSPITAL}", timeout=10)
        assert other.status_code == 404, path
    refused = http.post(
        f"{office.url}/office/schedules/remove",
        data={"csrf": csrf, "schedule_id": "x", "office_id": HOSPITAL},
        allow_redirects=False,
        timeout=10,
    )
    assert refused.status_code == 404
