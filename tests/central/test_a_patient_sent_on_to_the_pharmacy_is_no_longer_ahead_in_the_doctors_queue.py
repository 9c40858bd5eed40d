"""A patient the poli sent on to the pharmacy is no longer ahead of anyone in the doctor's
queue, as Mobile JKN hears it (WS RS ``antrean/sisa``).

Whether the doctor has seen a patient is told by the ticket's counter steps
(central/hospital/seen.py), not where the ticket stands now: a transfer clears the
ticket's ``called_at``, so a patient the doctor saw and sent on to the pharmacy looks, by
that column, like one never called. ``sisaantrean`` (those not yet called up to this
booking's number) must not count them again for the patients behind them. A real
centre over HTTP, on SQLite and PostgreSQL, its WS RS account configured.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from central.tables import hospital_visits
from testkit.bpjs_standin import BpjsStandIn
from testkit.centre_accounts import bearer
from testkit.centre_hospital import (
    HOSPITAL,
    allocate,
    hospital_registration,
    new_hospital_patient,
    own_hospital_centre,
)
from testkit.centre_hospital import (
    HospitalCentre as Centre,
)
from testkit.centre_requests import ZONE, results
from testkit.centres import BACKENDS
from testkit.mjkn import (
    BASE,
    POLI,
    USERNAME,
    ambil_body,
    integrations_file,
    new_patient,
    put_doctor,
    wsrs_token,
)

pytestmark = pytest.mark.timeout(300)
POLI_COUNTER = "Poli Anak"


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Centre]:
    folder: Path = tmp_path_factory.mktemp("sent-on-sisa")
    standin = BpjsStandIn()
    request.addfinalizer(standin.close)
    config = integrations_file(folder, standin)
    yield from own_hospital_centre(
        request, tmp_path_factory, "sent-on-sisa", "--integrations", str(config)
    )


def _post(c: Centre, path: str, body: dict[str, Any] | None = None) -> requests.Response:
    return requests.post(f"{c.url}{path}", json=body, headers=bearer(c.staff), timeout=30)


def _wsrs(c: Centre, token: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A Mobile JKN call to the centre's WS RS; its ``response``, the call answered."""
    answer = requests.post(
        f"{c.url}{BASE}{path}",
        json=body,
        headers={"x-token": token, "x-username": USERNAME},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    assert found["metadata"]["code"] in (200, 202), found
    return dict(found["response"])


def _registered_at_the_kiosk(c: Centre, schedule_id: str) -> str:
    """A Poli Anak ticket numbered online at the doctor ``schedule_id`` and registered for a
    patient of the hospital, its visit made; its id."""
    patient = new_hospital_patient(c.db)
    made = allocate(c.url, c.kiosk, schedule_id, service_id=POLI)
    assert made.status_code == 201, made.text
    ticket = made.json()
    item = hospital_registration(
        ticket["ticket_id"],
        ticket["display"],
        "online",
        {"schedule_id": schedule_id, "payer": "jkn"},
        service_id=POLI,
        values={
            "full_name": patient.full_name,
            "nik": patient.nik,
            "birth_date": patient.birth_date.isoformat(),
        },
        card_number=None,
    )
    [done] = results(c.url, c.kiosk, [item])
    assert done["status"] == "accepted", done
    with c.db.read() as conn:
        state = conn.execute(
            select(hospital_visits.c.state).where(
                hospital_visits.c.ticket_id == ticket["ticket_id"]
            )
        ).scalar_one()
    assert state == "registered"
    return str(ticket["ticket_id"])


def test_the_patient_behind_one_sent_on_to_the_pharmacy_has_nobody_ahead(
    centre: Centre,
) -> None:
    token = wsrs_token(centre.url)
    today = dt.datetime.now(ZONE).date()
    kode = put_doctor(centre.url, centre.staff, today, starts="00:00", ends="23:59")
    first = _registered_at_the_kiosk(centre, f"uji-{kode}")
    booked = _wsrs(centre, token, "/antrean", ambil_body(new_patient(), kode, today, "00:00-23:59"))
    code = {"kodebooking": booked["kodebooking"]}
    assert _wsrs(centre, token, "/antrean/sisa", code)["sisaantrean"] == 2  # the first, then it

    step = {"office_id": HOSPITAL, "service_id": POLI, "counter": POLI_COUNTER}
    called = _post(centre, "/api/v1/staff/queue/call-next", step)
    assert called.status_code == 200 and called.json()["ticket"]["ticket_id"] == first
    assert _wsrs(centre, token, "/antrean/sisa", code)["sisaantrean"] == 1  # first: with doctor

    # The doctor saw the first patient; the poli sends them on to the pharmacy.
    sent = _post(
        centre,
        f"/api/v1/staff/tickets/{first}/transfer",
        {"counter": POLI_COUNTER, "service_id": "farmasi"},
    )
    assert sent.status_code == 200, sent.text
    assert _wsrs(centre, token, "/antrean/sisa", code)["sisaantrean"] == 1  # nobody else ahead
