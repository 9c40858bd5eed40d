"""Kiosk heartbeats and the staff's fleet view: last seen, stale, faults, office limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests
from sqlalchemy import select

from central.access import staff
from central.api.fleet import LeaseState
from central.database import Database
from central.office import fleet
from central.process import RunningCentral
from central.tables import kiosk_heartbeats, kiosks
from contract.wire import LeaseSummary
from testkit.centre_accounts import DEMO_OFFICE, bearer, new_kiosk, new_office, new_staff

pytestmark = pytest.mark.timeout(60)


def beat(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sent_at": dt.datetime.now(dt.UTC).isoformat(),
        "version": "0.1.0",
        "reader": {"state": "ok", "detail": "ACS ACR1252"},
        "printer": {"state": "ok", "detail": ""},
        "outbox": {"pending": 0, "dead": 0, "oldest_pending_age_s": None},
        "leases": [],
        "catalog_version": "demo-2026.11.2",
    }
    body.update(changes)
    return body


def send(url: str, token: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{url}/api/v1/heartbeats", json=body, headers=bearer(token), timeout=5)


def fleet_of(url: str, token: str, **params: str) -> requests.Response:
    return requests.get(
        f"{url}/api/v1/staff/fleet", params=params, headers=bearer(token), timeout=5
    )


def entry(url: str, staff_token: str, kiosk_id: str) -> dict[str, Any]:
    response = fleet_of(url, staff_token)
    assert response.status_code == 200, response.text
    found = [k for k in response.json()["kiosks"] if k["kiosk_id"] == kiosk_id]
    assert len(found) == 1, f"kiosk {kiosk_id} not in the fleet view"
    one: dict[str, Any] = found[0]
    return one


def test_a_heartbeat_answers_server_time_and_code_and_shows_in_the_fleet(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    kiosk_id, token = new_kiosk(operator, url)
    admin = new_staff(operator, url)
    never = entry(url, admin, kiosk_id)
    assert never["last_seen"] is None and never["stale"] is True and never["faults"] == []

    response = send(url, token, beat())
    assert response.status_code == 200, response.text
    answer = response.json()
    with operator.read() as conn:
        code = conn.execute(select(kiosks.c.kiosk_code).where(kiosks.c.id == kiosk_id)).scalar_one()
    assert answer["kiosk_code"] == code and code
    server_time = dt.datetime.fromisoformat(answer["server_time"])
    assert server_time.tzinfo is not None

    seen = entry(url, admin, kiosk_id)
    assert seen["last_seen"] == answer["server_time"]
    assert seen["stale"] is False
    assert seen["faults"] == []
    assert (seen["version"], seen["outbox_pending"], seen["outbox_dead"]) == ("0.1.0", 0, 0)
    assert seen["kiosk_code"] == code
    assert abs(seen["clock_skew_s"]) < 60

    # The next beat replaces the last: one row per kiosk.
    assert send(url, token, beat(version="0.2.0")).status_code == 200
    assert entry(url, admin, kiosk_id)["version"] == "0.2.0"
    with operator.read() as conn:
        rows = conn.execute(
            select(kiosk_heartbeats.c.version).where(kiosk_heartbeats.c.kiosk_id == kiosk_id)
        ).all()
    assert [r.version for r in rows] == ["0.2.0"]


def test_faults_are_named(central_server: RunningCentral, operator: Database) -> None:
    url = central_server.url
    kiosk_id, token = new_kiosk(operator, url)
    admin = new_staff(operator, url)
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()
    body = beat(
        sent_at=ahead,
        reader={"state": "unknown", "detail": "no reader"},
        printer={"state": "fault", "detail": "paper out"},
        outbox={"pending": 3, "dead": 1, "oldest_pending_age_s": 7200.5},
    )
    assert send(url, token, body).status_code == 200
    seen = entry(url, admin, kiosk_id)
    assert seen["faults"] == [
        "reader_unknown",
        "printer_fault",
        "outbox_dead",
        "outbox_stalled",
        "clock_skew",
    ]
    assert seen["clock_skew_s"] > 200
    assert seen["printer_detail"] == "paper out"
    assert set(seen["faults"]) <= set(fleet.FAULTS)

    # Mended: the next beat clears them.
    assert send(url, token, beat()).status_code == 200
    assert entry(url, admin, kiosk_id)["faults"] == []


def test_a_kiosk_that_stops_beating_goes_stale(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    kiosk_id, token = new_kiosk(operator, url)
    admin = new_staff(operator, url)
    assert send(url, token, beat()).status_code == 200
    assert entry(url, admin, kiosk_id)["stale"] is False
    # Its last beat, as if it had arrived 91 s ago.
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=fleet.STALE_AFTER_S + 1)
    with operator.begin() as conn:
        conn.execute(
            kiosk_heartbeats.update()
            .where(kiosk_heartbeats.c.kiosk_id == kiosk_id)
            .values(received_at=long_ago)
        )
    assert entry(url, admin, kiosk_id)["stale"] is True


def test_a_revoked_kiosk_leaves_the_fleet(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    kiosk_id, _token = new_kiosk(operator, url)
    admin = new_staff(operator, url)
    entry(url, admin, kiosk_id)
    revoked = requests.post(
        f"{url}/api/v1/staff/kiosks/{kiosk_id}/revoke", headers=bearer(admin), timeout=5
    )
    assert revoked.status_code == 200
    ids = [k["kiosk_id"] for k in fleet_of(url, admin).json()["kiosks"]]
    assert kiosk_id not in ids


def test_staff_see_only_their_office(central_server: RunningCentral, operator: Database) -> None:
    url = central_server.url
    kiosk_id, _token = new_kiosk(operator, url)
    other = new_office(operator)
    local = new_staff(operator, url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    elsewhere = new_staff(operator, url, staff.Role.STAFF, office_id=other)

    assert kiosk_id in [k["kiosk_id"] for k in fleet_of(url, local).json()["kiosks"]]
    assert {k["office_id"] for k in fleet_of(url, local).json()["kiosks"]} == {DEMO_OFFICE}
    assert fleet_of(url, elsewhere).json() == {"kiosks": []}
    refused = fleet_of(url, elsewhere, office_id=DEMO_OFFICE)
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"
    # An account for every office may narrow the view.
    admin = new_staff(operator, url)
    assert fleet_of(url, admin, office_id=other).json() == {"kiosks": []}


@pytest.mark.parametrize(
    "change",
    [
        {"sent_at": "2026-11-23T10:00:00"},  # no offset
        {"reader": {"state": "broken", "detail": ""}},
        {"outbox": {"pending": -1, "dead": 0, "oldest_pending_age_s": None}},
        {"version": ""},
        {"printer": {"state": "ok", "detail": "x\x00y"}},
    ],
)
def test_a_malformed_heartbeat_is_refused(
    central_server: RunningCentral, kiosk_token: str, change: dict[str, Any]
) -> None:
    response = send(central_server.url, kiosk_token, beat(**change))
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_a_lease_of_any_service_a_kiosk_may_lease_is_accepted(
    central_server: RunningCentral, kiosk_token: str
) -> None:
    # The queue endpoints take service ids such as "KTP_Baru.2": so must the heartbeat,
    # or a kiosk holding such a lease would have every beat refused and look stale.
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).isoformat()
    lease = {"service_id": "KTP_Baru.2", "day": "2026-11-23", "left": 5, "expires_at": expires}
    response = send(central_server.url, kiosk_token, beat(leases=[lease]))
    assert response.status_code == 200, response.text


def test_the_centre_checks_the_lease_summary_a_kiosk_sends_field_for_field() -> None:
    """The centre's bounds-checking model of a heartbeat's lease is the contract's shape."""
    sent = LeaseSummary(
        "ktp-cetak-ulang", dt.date(2026, 11, 23), 17, dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    )
    taken = LeaseState.model_validate(sent.to_json())
    assert LeaseSummary(**taken.model_dump()) == sent
    assert LeaseSummary.from_json(sent.to_json()) == sent
