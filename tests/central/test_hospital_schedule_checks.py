"""One check for a doctor's schedule, whether the staff page or the staff API sends it.

Over HTTP on SQLite and PostgreSQL: control characters (PostgreSQL refuses a
NUL outright), invisible ones, and digits of other scripts (which Python's
``int`` and ``\\d`` read as numbers) are refused by both alike, and nothing is
stored.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import requests
from sqlalchemy import select

from central.access import staff
from central.database import Database
from central.process import RunningCentral
from central.tables import doctor_schedules
from testkit.centre_accounts import bearer, new_staff_account
from testkit.centre_hospital import HOSPITAL, hospital_staff
from testkit.centre_requests import ZONE
from testkit.office_sessions import logged_in

_serial = itertools.count(1)
GOOD = {
    "service_id": "poli-dalam",
    "kodedokter": "31001",
    "doctor_name": "dr. Uji Jadwal",
    "starts": "08:00",
    "ends": "12:00",
    "quota_jkn": "3",
    "quota_non_jkn": "2",
    "minutes_per_patient": "10",
}
#: (field, value) the page and the API must both refuse.
BAD = {
    "nul-in-name": ("doctor_name", "dr. Nul\x00Byte"),
    "esc-in-name": ("doctor_name", "dr. Esc\x1b[2J"),
    "bidi-in-name": ("doctor_name", "dr. \u202eibadnA"),
    "nul-in-code": ("kodedokter", "a\x00b"),
    "esc-in-code": ("kodedokter", "x\x1by"),
    "arabic-indic-code": ("kodedokter", "\u0663\u0663"),
    "arabic-indic-quota": ("quota_jkn", "\u0663"),
    "arabic-indic-hours": ("starts", "0\u0668:\u0660\u0660"),
}


def _stored(db: Database, schedule_id: str) -> bool:
    with db.read() as conn:
        found = conn.execute(
            select(doctor_schedules.c.id).where(doctor_schedules.c.id == schedule_id)
        ).first()
    return found is not None


@pytest.fixture(scope="module")
def page_session(
    central_server: RunningCentral, operator: Database
) -> tuple[requests.Session, str]:
    clerk = new_staff_account(operator, staff.Role.STAFF, office_id=HOSPITAL)
    return logged_in(central_server.url, clerk)


@pytest.mark.parametrize("case", sorted(BAD))
def test_the_staff_page_refuses_what_the_api_refuses(
    central_server: RunningCentral,
    operator: Database,
    page_session: tuple[requests.Session, str],
    case: str,
) -> None:
    url = central_server.url
    field, value = BAD[case]
    weekday = str(dt.datetime.now(ZONE).isoweekday())
    page_id = f"check-page-{next(_serial)}"
    http, csrf = page_session
    form = {**GOOD, "weekday": weekday, field: value, "schedule_id": page_id, "csrf": csrf}
    from_page = http.post(
        f"{url}/office/schedules/save", data=form, timeout=10, allow_redirects=False
    )
    assert from_page.status_code == 422, from_page.text[:300]
    assert "Jadwal tidak disimpan" in from_page.text
    assert not _stored(operator, page_id)

    api_id = f"check-api-{next(_serial)}"
    body: dict[str, object] = {k: int(v) if v.isdigit() else v for k, v in GOOD.items()}
    body |= {"weekday": int(weekday), field: value}
    from_api = requests.put(
        f"{url}/api/v1/staff/hospital/{HOSPITAL}/schedules/{api_id}",
        json=body,
        headers=bearer(hospital_staff(operator, url)),
        timeout=10,
    )
    assert from_api.status_code == 422, from_api.text
    assert not _stored(operator, api_id)


def test_a_good_schedule_from_the_page_is_stored(
    central_server: RunningCentral,
    operator: Database,
    page_session: tuple[requests.Session, str],
) -> None:
    """The refusals above are the fields', not the form's."""
    http, csrf = page_session
    page_id = f"check-page-{next(_serial)}"
    weekday = str(dt.datetime.now(ZONE).isoweekday())
    form = {**GOOD, "weekday": weekday, "schedule_id": page_id, "csrf": csrf}
    saved = http.post(
        f"{central_server.url}/office/schedules/save", data=form, timeout=10, allow_redirects=False
    )
    assert saved.status_code == 303, saved.text[:300]
    assert _stored(operator, page_id)
