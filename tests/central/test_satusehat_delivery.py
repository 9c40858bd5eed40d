"""SATUSEHAT end to end: a real server process started with ``--integrations FILE`` on
SQLite and PostgreSQL, the SATUSEHAT stand-in over real HTTP. A JKN visit is registered
while SATUSEHAT is down, its token is ended mid-day, the poli calls and serves the ticket:
SATUSEHAT receives a valid Encounter once it is back, then its status changes, in order."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from central.database import Database
from central.integrations import triggers
from central.process import RunningCentral, start_central
from central.tables import (
    citizens,
    doctor_schedules,
    hospital_visits,
    integration_outbox,
    services,
)
from testkit.centre_accounts import DEMO_OFFICE, new_kiosk, new_staff
from testkit.centre_requests import allocate, new_id, staff_post, today
from testkit.centres import TEST_SERVER_ARGS
from testkit.satusehat_standin import Satusehat
from testkit.waits import wait_until

NewDbUrl = Callable[[str], str]
NIK = "1471010101850007"
IHS = "P12345678901"
DOCTOR = "N10000002"
LOCATION = "9f0c1b2a-5d4e-4c3b-8a7f-6e5d4c3b2a10"


@pytest.fixture
def standin() -> Iterator[Satusehat]:
    server = Satusehat(organization_id="100000077")
    server.patients[NIK] = IHS
    server.practitioners.add(DOCTOR)
    server.locations.add(LOCATION)
    try:
        yield server
    finally:
        server.close()


def _file(folder: Path, standin: Satusehat) -> Path:
    path = folder / "integrations.toml"
    path.write_text(
        standin.section_text(timeout_s=2, retry_base_s=0.2, retry_max_s=0.5), encoding="utf-8"
    )
    path.chmod(0o600)
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def centre(
    request: pytest.FixtureRequest,
    new_migrated_db_url: NewDbUrl,
    standin: Satusehat,
    tmp_path: Path,
) -> Iterator[tuple[RunningCentral, Database]]:
    url = new_migrated_db_url(str(request.param))
    args = (*TEST_SERVER_ARGS, "--integrations", str(_file(tmp_path, standin)))
    server = start_central(db_url=url, extra_args=args)
    db = Database(url)
    try:
        yield server, db
    finally:
        server.stop()
        db.dispose()


def test_satusehat_receives_a_valid_encounter_then_its_status_changes(
    centre: tuple[RunningCentral, Database], standin: Satusehat
) -> None:
    server, db = centre
    _, kiosk_token = new_kiosk(db, server.url)
    staff = new_staff(db, server.url)
    with db.read() as conn:
        poli = str(
            conn.execute(
                select(services.c.id)
                .where(services.c.office_id == DEMO_OFFICE)
                .order_by(services.c.id)
                .limit(1)
            ).scalar_one()
        )
    while True:  # the demo's queue starts empty
        called = staff_post(
            server.url,
            staff,
            "/api/v1/staff/queue/call-next",
            {"office_id": DEMO_OFFICE, "service_id": poli, "counter": "3"},
        )
        if called.json()["ticket"] is None:
            break
        staff_post(
            server.url,
            staff,
            f"/api/v1/staff/tickets/{called.json()['ticket']['ticket_id']}/served",
        )

    standin.down()  # SATUSEHAT is away when the patient registers
    ticket_id = new_id()
    answer = allocate(server.url, kiosk_token, poli, ticket_id)
    assert answer.status_code == 201, answer.text
    now = dt.datetime.now(dt.UTC)
    kodebooking = f"RS{uuid.uuid4().hex[:10].upper()}"
    with db.begin() as conn:
        conn.execute(update(services).where(services.c.id == poli).values(location_id=LOCATION))
        conn.execute(
            insert(doctor_schedules).values(
                id="jadwal-ss-1",
                office_id=DEMO_OFFICE,
                service_id=poli,
                kodedokter="31001",
                doctor_name="dr. Rahmat Hidayat, Sp.PD",
                weekday=today().isoweekday(),
                starts="08:00",
                ends="14:00",
                quota_jkn=10,
                quota_non_jkn=10,
                minutes_per_patient=10,
                practitioner_id=DOCTOR,
                updated_at=now,
                updated_by="test",
            )
        )
        citizen = conn.execute(select(citizens.c.id).where(citizens.c.nik == NIK)).scalar()
        if citizen is None:
            citizen = conn.execute(
                insert(citizens)
                .values(nik=NIK, full_name="Rina Wati", updated_at=now)
                .returning(citizens.c.id)
            ).scalar_one()
        conn.execute(
            insert(hospital_visits).values(
                ticket_id=ticket_id,
                kodebooking=kodebooking,
                office_id=DEMO_OFFICE,
                service_id=poli,
                schedule_id="jadwal-ss-1",
                kodepoli="INT",
                kodedokter="31001",
                doctor_name="dr. Rahmat Hidayat, Sp.PD",
                jampraktek="08:00-14:00",
                day=today(),
                payer="jkn",
                citizen_id=citizen,
                nik=NIK,
                new_patient=False,
                jeniskunjungan=1,
                nomorantrean="INT-001",
                angkaantrean=1,
                estimated_at="08:00",
                source="kiosk",
                state="registered",
                over_quota=False,
                created_at=now,
            )
        )
        triggers.visit_registered(conn, ticket_id, now)

    def failing() -> bool:
        with db.read() as conn:
            row = conn.execute(select(integration_outbox)).first()
        return row is not None and row.last_error is not None and row.state == "pending"

    wait_until(failing, 30, "the Encounter's first attempt to fail while SATUSEHAT is down")
    standin.up()
    wait_until(lambda: len(standin.encounters) == 1, 30, "the Encounter created")
    standin.expire_tokens()  # SATUSEHAT ends the token mid-day
    called = staff_post(
        server.url,
        staff,
        "/api/v1/staff/queue/call-next",
        {"office_id": DEMO_OFFICE, "service_id": poli, "counter": "3"},
    )
    assert called.json()["ticket"]["ticket_id"] == ticket_id
    served = staff_post(server.url, staff, f"/api/v1/staff/tickets/{ticket_id}/served")
    assert served.status_code == 200, served.text
    (encounter_id,) = standin.encounters
    wait_until(
        lambda: len(standin.statuses[encounter_id]) == 3, 30, "the Encounter's status changes"
    )
    assert standin.statuses[encounter_id] == ["arrived", "in-progress", "finished"]
    created = standin.fhir_calls("POST")
    assert [c.status for c in created] == [201]
    body = created[0].body
    assert body is not None
    assert body["subject"] == {"reference": f"Patient/{IHS}"}
    assert body["identifier"][0] == {
        "system": "http://sys-ids.kemkes.go.id/encounter/100000077",
        "value": kodebooking,
    }
    assert body["location"][0]["location"]["reference"] == f"Location/{LOCATION}"
    assert body["participant"][0]["individual"]["reference"] == f"Practitioner/{DOCTOR}"
    assert standin.token_requests() >= 2  # a new token after the first was ended

    def states() -> list[str]:
        with db.read() as conn:
            return list(conn.execute(select(integration_outbox.c.state)).scalars().all())

    # SATUSEHAT has the last update before the sender records it as sent.
    wait_until(lambda: states() == ["sent", "sent", "sent"], 30, "every row recorded as sent")
