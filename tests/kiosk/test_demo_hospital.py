"""``make demo``'s hospital, with what it really talks to: the launcher (testkit/demo.py)
starts the BPJS and SATUSEHAT stand-ins, the demo centre with an integrations file for
them, and Budi's Mobile JKN booking made through the centre's WS RS by the BPJS stand-in
playing the app.

The demo hospital has its polis and doctors; Budi has today's booking at the centre and
BPJS knows it; a JKN registration at the hospital kiosk reaches BPJS as ``antrean/add``
and SATUSEHAT as an Encounter; Budi's check-in reaches BPJS as tasks 1, 2, 3, which BPJS
accepts only for a booking it knows. And the launcher, as ``make demo`` runs it, stops
the kiosk, the centre and both stand-ins when the kiosk quits.

The centre runs in the office's own zone, as BPJS takes it: a visit's estimated time is
checked against its day in one of Indonesia's zones. The demo internist's hours are the
whole day, so his hours of today are not over whatever the hour the module starts (clear
of the office's midnight, as every test starts).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from central.database import Database
from central.hospital import demo as hospital_demo
from central.tables import hospital_visits
from testkit import clocks
from testkit.centre_hospital import hospital_kiosk, hospital_registration
from testkit.centre_requests import new_id, results
from testkit.commands import ROOT
from testkit.demo import BUDI, PATIENTS, DemoWorld, demo_world
from testkit.waits import wait_until

pytestmark = pytest.mark.timeout(120)

SITI_NIK = "1471015203850001"
WAIT_S = 30.0


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    clocks.clear_of_the_offices_midnight()  # made before each test's own wait for it
    with demo_world(tmp_path_factory.mktemp("demo")) as running:
        yield running


@pytest.fixture(scope="module")
def operator(world: DemoWorld) -> Iterator[Database]:
    db = Database(world.centre.db_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def kiosk_token(world: DemoWorld) -> str:
    return hospital_kiosk(world.centre.url)[0]


def today(world: DemoWorld) -> dt.date:
    return dt.datetime.now(world.zone).date()


def encounter_for(world: DemoWorld, kodebooking: str) -> bool:
    """Whether SATUSEHAT holds an Encounter identified by the visit's ``kodebooking``."""
    with world.satusehat.lock:
        kept = list(world.satusehat.encounters.values())
    return any(i.get("value") == kodebooking for e in kept for i in e.get("identifier", []))


def test_the_integrations_file_switches_both_services_on_and_keeps_its_secrets(
    world: DemoWorld,
) -> None:
    text = world.integrations.read_text(encoding="utf-8")
    assert "[bpjs]" in text and "[satusehat]" in text
    assert world.bpjs.url in text and world.satusehat.base_url in text
    assert world.integrations.stat().st_mode & 0o777 == 0o600


def test_the_demo_hospital_has_polis_and_doctors_today(world: DemoWorld, kiosk_token: str) -> None:
    answer = requests.get(
        f"{world.centre.url}/api/v1/hospital/doctors/today",
        headers={"Authorization": f"Bearer {kiosk_token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    doctors = answer.json()["doctors"]
    assert {d["service_id"] for d in doctors} == {"poli-dalam", "poli-anak", "poli-gigi"}
    assert {d["kodepoli"] for d in doctors} == {"INT", "ANA", "GIG"}
    assert {d["doctor_name"] for d in doctors} == {d[3] for d in hospital_demo.DOCTORS}


def test_budi_has_todays_mobile_jkn_booking_and_bpjs_knows_it(
    world: DemoWorld, operator: Database
) -> None:
    booked = world.booking
    assert booked is not None, world.refusal
    assert booked.day == today(world)
    with operator.read() as conn:
        visit = conn.execute(
            select(hospital_visits).where(
                hospital_visits.c.nik == BUDI[0], hospital_visits.c.day == today(world)
            )
        ).one()
    assert (visit.source, visit.state, visit.kodebooking) == ("mjkn", "booked", booked.kodebooking)
    assert (visit.nomorkartu, visit.norm, visit.office_id) == (BUDI[1], BUDI[2], "rsud-pku")
    assert world.bpjs.knows(booked.kodebooking)
    # BPJS heard nothing from the hospital about it: Mobile JKN made it.
    assert booked.kodebooking not in world.bpjs.added


def test_a_jkn_registration_at_the_hospital_kiosk_reaches_bpjs_and_satusehat(
    world: DemoWorld, operator: Database, kiosk_token: str
) -> None:
    url = world.centre.url
    schedule = hospital_demo.schedule_id(hospital_demo.EXAMPLE_DOCTOR, today(world))
    ticket_id = new_id()
    allocated = requests.post(
        f"{url}/api/v1/tickets/allocate",
        json={
            "ticket_id": ticket_id,
            "service_id": "poli-dalam",
            "hospital": {"schedule_id": schedule, "payer": "jkn"},
        },
        headers={"Authorization": f"Bearer {kiosk_token}"},
        timeout=30,
    )
    assert allocated.status_code == 201, allocated.text
    hospital = {
        "schedule_id": schedule,
        "payer": "jkn",
        "norm": "000123",
        "nomorkartu": "0001234567890",
        "new_patient": False,
        "jeniskunjungan": 1,
        "nomorreferensi": "0001R0011225V000123",
    }
    item = hospital_registration(ticket_id, allocated.json()["display"], "online", hospital)
    (done,) = results(url, kiosk_token, [item])
    assert done["status"] == "accepted", done
    code = allocated.json()["hospital"]["kodebooking"]
    wait_until(lambda: world.bpjs.tasks(code) == [1, 2, 3], WAIT_S, "antrean/add and tasks 1-3")
    added = world.bpjs.added[code]
    assert (added["jenispasien"], added["nik"], added["kodepoli"]) == ("JKN", SITI_NIK, "INT")
    wait_until(lambda: encounter_for(world, code), WAIT_S, "SATUSEHAT's Encounter")
    (encounter,) = [
        e
        for e in world.satusehat.encounters.values()
        if any(i.get("value") == code for i in e["identifier"])
    ]
    assert encounter["subject"]["reference"] == f"Patient/{PATIENTS[SITI_NIK]}"
    assert encounter["participant"][0]["individual"]["reference"] == (
        f"Practitioner/{hospital_demo.PRACTITIONERS[hospital_demo.EXAMPLE_DOCTOR]}"
    )
    assert world.bpjs.refused == 0


def test_budis_check_in_reaches_bpjs_as_tasks_of_his_mobile_jkn_booking(
    world: DemoWorld, kiosk_token: str
) -> None:
    booked = world.booking
    assert booked is not None, world.refusal
    schedule = hospital_demo.schedule_id(hospital_demo.EXAMPLE_DOCTOR, today(world))
    ticket_id = new_id()
    allocated = requests.post(
        f"{world.centre.url}/api/v1/tickets/allocate",
        json={"ticket_id": ticket_id, "service_id": "poli-dalam"},
        headers={"Authorization": f"Bearer {kiosk_token}"},
        timeout=30,
    )
    assert allocated.status_code == 201, allocated.text
    item = hospital_registration(
        ticket_id,
        allocated.json()["display"],
        "online",
        {"schedule_id": schedule, "payer": "jkn"},
        values={"full_name": "Budi Santoso", "nik": BUDI[0]},
        card_number="PKU-000002",
    )
    item["body"]["booking_code"] = booked.kodebooking
    (done,) = results(world.centre.url, kiosk_token, [item])
    assert done["status"] == "accepted" and done["result"]["booking"] == "checked_in", done
    wait_until(
        lambda: world.bpjs.tasks(booked.kodebooking) == [1, 2, 3], WAIT_S, "Budi's tasks 1-3"
    )
    assert world.bpjs.refused == 0


def closed(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex((parts.hostname or "", parts.port or 80)) != 0


@pytest.mark.slow
def test_make_demos_launcher_stops_everything_when_the_kiosk_quits(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "testkit.demo",
            *("--output", str(tmp_path)),
            *("--office", "rsud-pku", "--exit-after", "4"),
            *("--screenshot", str(tmp_path / "attract.png")),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    err = result.stderr
    assert "RSUD Kota Pekanbaru" in err and "doctors of today cached" in err
    assert "Mobile JKN: Budi Santoso" in err or "Mobile JKN tidak dapat memesan" in err
    urls = {
        name: re.search(rf"{name}.*?: (http://127\.0\.0\.1:\d+)", err)
        for name in ("BPJS Antrean RS", "SATUSEHAT", "demo central server")
    }
    assert all(found is not None for found in urls.values()), err
    assert [n for n, found in urls.items() if found and not closed(found.group(1))] == []
