"""Statistics: tickets issued, served, no-show, registrations and complaints per day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests

from central.access import staff
from central.database import Database
from central.process import RunningCentral
from testkit.centre_accounts import DEMO_OFFICE, bearer, new_kiosk, new_office, new_staff
from testkit.centre_requests import allocate, complaint, new_id, registration, results, staff_post

pytestmark = pytest.mark.timeout(60)
SERVICE = "ktp-cetak-ulang"
COUNTS = ("tickets_issued", "served", "no_show", "registrations", "complaints")


def stats(url: str, token: str, **params: str) -> requests.Response:
    return requests.get(
        f"{url}/api/v1/staff/statistics", params=params, headers=bearer(token), timeout=10
    )


def counts(url: str, token: str, day: str, service_id: str | None) -> dict[str, int]:
    response = stats(url, token, **{"from": day, "to": day})
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["rows"]
    found = [
        r
        for r in rows
        if (r["day"], r["office_id"], r["service_id"]) == (day, DEMO_OFFICE, service_id)
    ]
    assert len(found) <= 1
    return {name: found[0][name] if found else 0 for name in COUNTS}


def minus(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in COUNTS}


def test_counts_follow_the_queue(central_server: RunningCentral, operator: Database) -> None:
    url = central_server.url
    _kiosk_id, token = new_kiosk(operator, url)
    clerk = new_staff(operator, url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    first = allocate(url, token, SERVICE)
    assert first.status_code == 201, first.text
    day = first.json()["day"]
    # The first ticket is counted already: take the baseline, then one more of everything.
    before = counts(url, clerk, day, SERVICE)
    before_complaints = counts(url, clerk, day, None)

    tickets = [allocate(url, token, SERVICE).json() for _ in range(3)]
    found = results(
        url,
        token,
        [
            registration(tickets[0]["ticket_id"], SERVICE, tickets[0]["display"], "online"),
            complaint(new_id()),
        ],
    )
    assert [r["status"] for r in found] == ["accepted", "accepted"], found
    call = {"office_id": DEMO_OFFICE, "service_id": SERVICE, "counter": "2"}
    for outcome in ("served", "no-show"):
        called = staff_post(url, clerk, "/api/v1/staff/queue/call-next", call)
        assert called.status_code == 200 and called.json()["ticket"] is not None, called.text
        ticket_id = called.json()["ticket"]["ticket_id"]
        done = staff_post(url, clerk, f"/api/v1/staff/tickets/{ticket_id}/{outcome}")
        assert done.status_code == 200, done.text

    assert minus(counts(url, clerk, day, SERVICE), before) == {
        "tickets_issued": 3,
        "served": 1,
        "no_show": 1,
        "registrations": 1,
        "complaints": 0,
    }
    assert minus(counts(url, clerk, day, None), before_complaints) == {
        "tickets_issued": 0,
        "served": 0,
        "no_show": 0,
        "registrations": 0,
        "complaints": 1,
    }


def test_ranges_and_office_limits(central_server: RunningCentral, operator: Database) -> None:
    url = central_server.url
    elsewhere = new_staff(operator, url, staff.Role.STAFF, office_id=new_office(operator))
    today = dt.date.today()
    # Limited to another office: that office's rows only, and no asking for ours.
    assert stats(url, elsewhere).json() == {"rows": []}
    assert stats(url, elsewhere, office_id=DEMO_OFFICE).status_code == 403

    admin = new_staff(operator, url)
    backwards = stats(url, admin, **{"from": today.isoformat(), "to": "2020-01-01"})
    assert (backwards.status_code, backwards.json()["error"]) == (422, "invalid_range")
    too_long = stats(url, admin, **{"from": "2020-01-01", "to": "2021-12-31"})
    assert too_long.status_code == 422
    assert stats(url, admin, **{"from": "yesterday"}).status_code == 422
    dawn_of_time = stats(url, admin, to="0001-01-02")  # dates are 2000 to 2099 (central/times.py)
    assert (dawn_of_time.status_code, dawn_of_time.json()["error"]) == (422, "invalid_request")
    earliest = stats(url, admin, to="2000-01-02")  # the default from: a week before, and fine
    assert earliest.status_code == 200 and earliest.json() == {"rows": []}
    long_ago = stats(url, admin, **{"from": "2020-01-01", "to": "2020-12-31"})
    assert long_ago.status_code == 200 and long_ago.json() == {"rows": []}
