"""Health information: staff keep wards and doctors on duty; kiosks of the office read them."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from central.access import staff
from central.database import Database
from central.office import health_info
from central.process import RunningCentral
from testkit.centre_accounts import DEMO_OFFICE, bearer, new_office, new_staff

pytestmark = pytest.mark.timeout(60)


def put(url: str, path: str, token: str, body: dict[str, Any]) -> requests.Response:
    return requests.put(f"{url}{path}", json=body, headers=bearer(token), timeout=5)


def kiosk_view(url: str, token: str) -> dict[str, Any]:
    response = requests.get(f"{url}/api/v1/health-info", headers=bearer(token), timeout=5)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def staff_view(url: str, token: str, office_id: str) -> requests.Response:
    return requests.get(
        f"{url}/api/v1/staff/offices/{office_id}/health-info", headers=bearer(token), timeout=5
    )


def test_the_demo_office_has_demo_health_information(
    central_server: RunningCentral, kiosk_token: str
) -> None:
    info = kiosk_view(central_server.url, kiosk_token)
    assert info["office_id"] == DEMO_OFFICE
    wards = {w["ward_id"]: w for w in info["wards"]}
    assert {ward_id for ward_id, *_ in health_info.DEMO_WARDS} <= set(wards)
    assert all(0 <= w["beds_free"] <= w["beds_total"] for w in info["wards"])
    assert info["updated_at"] is not None
    assert {"name", "specialty", "room", "from", "until"} == set(info["doctors_on_duty"][0])


def test_a_ward_round_trip_to_the_kiosk(
    central_server: RunningCentral, operator: Database, kiosk_token: str
) -> None:
    url = central_server.url
    clerk = new_staff(operator, url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    path = f"/api/v1/staff/offices/{DEMO_OFFICE}/wards/test-melati"
    response = put(url, path, clerk, {"name": "Ruang Melati", "beds_total": 10, "beds_free": 3})
    assert response.status_code == 200, response.text
    assert response.json()["beds_free"] == 3
    put(url, path, clerk, {"name": "Ruang Melati", "beds_total": 10, "beds_free": 0})
    info = kiosk_view(url, kiosk_token)
    melati = [w for w in info["wards"] if w["ward_id"] == "test-melati"]
    assert [(w["name"], w["beds_total"], w["beds_free"]) for w in melati] == [
        ("Ruang Melati", 10, 0)
    ]
    assert info["updated_at"] >= melati[0]["updated_at"]

    gone = requests.delete(f"{url}{path}", headers=bearer(clerk), timeout=5)
    assert gone.status_code == 204
    assert "test-melati" not in [w["ward_id"] for w in kiosk_view(url, kiosk_token)["wards"]]
    again = requests.delete(f"{url}{path}", headers=bearer(clerk), timeout=5)
    assert again.status_code == 404 and again.json()["error"] == "unknown_ward"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Ruang Mawar", "beds_total": 2, "beds_free": 3},  # more free than there are
        {"name": "Ruang Mawar", "beds_total": 2, "beds_free": -1},
        {"name": "", "beds_total": 2, "beds_free": 1},
        {"name": "Ruang Mawar", "beds_total": 2},
    ],
)
def test_impossible_beds_are_refused(
    central_server: RunningCentral, operator: Database, body: dict[str, Any]
) -> None:
    url = central_server.url
    admin = new_staff(operator, url)
    office = new_office(operator)
    response = put(url, f"/api/v1/staff/offices/{office}/wards/mawar", admin, body)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_request"
    assert staff_view(url, admin, office).json()["wards"] == []


def test_doctors_on_duty_are_replaced_as_a_whole(
    central_server: RunningCentral, operator: Database
) -> None:
    url = central_server.url
    office = new_office(operator)
    clerk = new_staff(operator, url, staff.Role.STAFF, office_id=office)
    assert staff_view(url, clerk, office).json() == {
        "office_id": office,
        "updated_at": None,
        "wards": [],
        "doctors_on_duty": [],
    }
    path = f"/api/v1/staff/offices/{office}/doctors-on-duty"
    night = {
        "name": "dr. Sari",
        "specialty": "IGD",
        "room": "IGD",
        "from": "21:00",
        "until": "07:00",
    }
    day = {
        "name": "dr. Joko",
        "specialty": "Anak",
        "room": "Poli",
        "from": "08:00",
        "until": "14:00",
    }
    assert put(url, path, clerk, {"doctors": [night, day]}).status_code == 200
    assert staff_view(url, clerk, office).json()["doctors_on_duty"] == [night, day]
    assert put(url, path, clerk, {"doctors": [day]}).status_code == 200
    info = staff_view(url, clerk, office).json()
    assert info["doctors_on_duty"] == [day]
    assert info["updated_at"] is not None

    late = put(url, path, clerk, {"doctors": [{**day, "until": "24:00"}]})
    assert late.status_code == 422
    assert staff_view(url, clerk, office).json()["doctors_on_duty"] == [day]


def test_staff_change_only_their_office(central_server: RunningCentral, operator: Database) -> None:
    url = central_server.url
    other = new_office(operator)
    elsewhere = new_staff(operator, url, staff.Role.STAFF, office_id=other)
    ward = {"name": "Ruang Anggrek", "beds_total": 4, "beds_free": 4}
    refused = put(url, f"/api/v1/staff/offices/{DEMO_OFFICE}/wards/anggrek", elsewhere, ward)
    assert refused.status_code == 403
    refused = put(
        url, f"/api/v1/staff/offices/{DEMO_OFFICE}/doctors-on-duty", elsewhere, {"doctors": []}
    )
    assert refused.status_code == 403
    assert staff_view(url, elsewhere, DEMO_OFFICE).status_code == 403

    admin = new_staff(operator, url)
    unknown = put(url, "/api/v1/staff/offices/no-such-office/wards/anggrek", admin, ward)
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "unknown_office"
