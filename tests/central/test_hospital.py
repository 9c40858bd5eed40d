"""Hospital registration on a real centre over HTTP, on SQLite and PostgreSQL (docs/hospital.md).

Doctors' schedules with quota, the place taken with the ticket's number (the
last JKN place goes to one of two kiosks racing for it), the visit made from
the registration once, its cancel, and the demo hospital's doctors.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import requests
from sqlalchemy import select

from central.database import Database
from central.process import RunningCentral
from central.tables import doctor_quota, hospital_visits, quota_takes, tickets
from contract.hospital import DoctorToday
from testkit.centre_accounts import bearer, new_staff
from testkit.centre_hospital import (
    HOSPITAL,
    allocate,
    doctor_today,
    free_the_day,
    hospital_kiosk,
    hospital_registration,
    hospital_staff,
    new_hospital_patient,
    new_schedule,
    put_schedule,
    visit_cancel,
    what_the_registration_did,
)
from testkit.centre_requests import ZONE, new_id, results


@pytest.fixture(scope="module")
def kiosk(central_server: RunningCentral) -> tuple[str, str]:
    """A kiosk of the demo hospital: (token, kiosk code)."""
    return hospital_kiosk(central_server.url)


@pytest.fixture(scope="module")
def staff_token(central_server: RunningCentral, operator: Database) -> str:
    return hospital_staff(operator, central_server.url)


SITI_NIK = "1471015203850001"
#: A valid NIK (Siti's region and date) that no record of the demo holds.
UNKNOWN_NIK = "1471015203859999"


def _visit(operator: Database, ticket_id: str) -> Any:
    with operator.read() as conn:
        return conn.execute(
            select(hospital_visits).where(hospital_visits.c.ticket_id == ticket_id)
        ).first()


def test_the_demo_hospital_has_doctors_at_every_poli_today(
    central_server: RunningCentral, kiosk: tuple[str, str]
) -> None:
    response = requests.get(
        f"{central_server.url}/api/v1/hospital/doctors/today", headers=bearer(kiosk[0]), timeout=10
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["office_id"] == HOSPITAL
    doctors = [DoctorToday.from_json(d) for d in body["doctors"]]
    weekday = dt.date.fromisoformat(body["day"]).isoweekday()
    demo = {d.schedule_id: d for d in doctors if d.schedule_id.startswith("rsud-")}
    assert set(demo) == {
        f"rsud-dalam-andi-{weekday}",
        f"rsud-dalam-rina-{weekday}",
        f"rsud-anak-dewi-{weekday}",
        f"rsud-gigi-hendra-{weekday}",
    }
    assert {d.kodepoli for d in demo.values()} == {"INT", "ANA", "GIG"}
    andi = demo[f"rsud-dalam-andi-{weekday}"]
    assert (andi.kodedokter, andi.starts, andi.ends, andi.quota_jkn) == (
        "12345",
        "00:00",
        "23:59",
        30,
    )


def test_staff_keep_schedules_of_their_hospital_only(
    central_server: RunningCentral, operator: Database, staff_token: str
) -> None:
    url = central_server.url
    sid = new_schedule(url, staff_token, quota_jkn=7)
    listed = requests.get(
        f"{url}/api/v1/staff/hospital/{HOSPITAL}/schedules", headers=bearer(staff_token), timeout=10
    ).json()["schedules"]
    assert [s["quota_jkn"] for s in listed if s["schedule_id"] == sid] == [7]
    again = put_schedule(url, staff_token, schedule_id=sid, quota_jkn=9)
    assert again.status_code == 200 and again.json()["quota_jkn"] == 9
    not_a_poli = put_schedule(url, staff_token, service_id="farmasi")
    assert not_a_poli.status_code == 422 and "bukan poli" in not_a_poli.json()["detail"]
    other = new_staff(operator, url, office_id="pku-mpp")
    assert put_schedule(url, other, schedule_id=sid).status_code == 403
    gone = requests.delete(
        f"{url}/api/v1/staff/hospital/{HOSPITAL}/schedules/{sid}",
        headers=bearer(staff_token),
        timeout=10,
    )
    assert gone.status_code == 204
    again_gone = requests.delete(
        f"{url}/api/v1/staff/hospital/{HOSPITAL}/schedules/{sid}",
        headers=bearer(staff_token),
        timeout=10,
    )
    assert again_gone.status_code == 404 and again_gone.json()["error"] == "unknown_schedule"


def test_the_last_place_refused_uses_no_number(
    central_server: RunningCentral, kiosk: tuple[str, str], staff_token: str
) -> None:
    url, token = central_server.url, kiosk[0]
    sid = new_schedule(url, staff_token, quota_jkn=1, starts="09:00", minutes=15)
    first_id = new_id()
    first = allocate(url, token, sid, ticket_id=first_id)
    assert first.status_code == 201, first.text
    place = first.json()["hospital"]
    assert place["angkaantrean"] == 1
    assert place["nomorantrean"] == "INT-001"
    assert place["estimated_at"] == "09:00"
    retried = allocate(url, token, sid, ticket_id=first_id)
    assert retried.status_code == 200 and retried.json()["hospital"] == place
    full = allocate(url, token, sid)
    assert full.status_code == 409 and full.json()["error"] == "quota_full"
    assert "Kuota JKN" in full.json()["detail"]
    umum = allocate(url, token, sid, "umum")
    assert umum.status_code == 201, umum.text
    assert umum.json()["number"] == first.json()["number"] + 1, "the refused one used no number"
    assert umum.json()["hospital"]["angkaantrean"] == 2
    assert umum.json()["hospital"]["estimated_at"] == "09:15"
    today = doctor_today(url, token, sid)
    assert (today["left_jkn"], today["left_non_jkn"]) == (0, 4)


def test_two_kiosks_racing_for_the_last_jkn_place_one_wins(
    central_server: RunningCentral, staff_token: str
) -> None:
    url = central_server.url
    tokens = [hospital_kiosk(url)[0], hospital_kiosk(url)[0]]
    for _ in range(4):
        sid = new_schedule(url, staff_token, quota_jkn=1)
        gate = threading.Barrier(2)
        answers: list[requests.Response] = []

        def race(
            token: str,
            sid: str = sid,
            gate: threading.Barrier = gate,
            answers: list[requests.Response] = answers,
        ) -> None:
            with requests.Session() as session:
                gate.wait()
                answers.append(allocate(url, token, sid, session=session))

        threads = [threading.Thread(target=race, args=(t,)) for t in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
        assert doctor_today(url, tokens[0], sid)["left_jkn"] == 0


def test_a_void_gives_the_place_back(
    central_server: RunningCentral, kiosk: tuple[str, str], staff_token: str
) -> None:
    url, token = central_server.url, kiosk[0]
    sid = new_schedule(url, staff_token, quota_jkn=1)
    first_id = new_id()
    assert allocate(url, token, sid, ticket_id=first_id).status_code == 201
    voided = requests.post(
        f"{url}/api/v1/tickets/{first_id}/void", headers=bearer(token), timeout=10
    )
    assert voided.status_code == 200, voided.text
    assert doctor_today(url, token, sid)["left_jkn"] == 1
    assert allocate(url, token, sid).status_code == 201


def test_a_registration_makes_its_visit_once(
    central_server: RunningCentral, operator: Database, kiosk: tuple[str, str], staff_token: str
) -> None:
    url, token = central_server.url, kiosk[0]
    patient = new_hospital_patient(operator)
    sid = new_schedule(url, staff_token, quota_jkn=2)
    ticket_id = new_id()
    allocated = allocate(url, token, sid, ticket_id=ticket_id).json()
    hospital = {
        "schedule_id": sid,
        "payer": "jkn",
        "norm": patient.norm,
        "nomorkartu": patient.nomorkartu,
        "new_patient": False,
        "jeniskunjungan": 1,
        "nomorreferensi": "0001R0011225V000999",
    }
    item = hospital_registration(
        ticket_id,
        allocated["display"],
        "online",
        hospital,
        values=patient.values(),
        card_number=None,
    )
    [first] = results(url, token, [item])
    assert first["status"] == "accepted", first
    assert what_the_registration_did(operator, ticket_id) == {
        **allocated["hospital"],
        "over_quota": False,
    }
    [again] = results(url, token, [item])
    assert again["status"] == "replayed" and again["result"] == first["result"]
    visit = _visit(operator, ticket_id)
    assert visit.kodebooking == allocated["hospital"]["kodebooking"]
    assert (visit.norm, visit.nomorkartu, visit.nik) == (
        patient.norm,
        patient.nomorkartu,
        patient.nik,
    )
    assert (visit.kodepoli, visit.kodedokter, visit.jampraktek) == ("INT", "99001", "08:00-23:59")
    assert (visit.state, visit.source, visit.over_quota, visit.payer) == (
        "registered",
        "kiosk",
        False,
        "jkn",
    )
    assert visit.citizen_id is not None
    with operator.read() as conn:
        takes = conn.execute(select(quota_takes).where(quota_takes.c.schedule_id == sid)).all()
    assert len(takes) == 1, "the registration took no second place"
    assert doctor_today(url, token, sid)["left_jkn"] == 1


def test_an_offline_registration_beyond_the_quota_is_kept_for_staff(
    central_server: RunningCentral, operator: Database, kiosk: tuple[str, str], staff_token: str
) -> None:
    url, (token, code) = central_server.url, kiosk
    patient = new_hospital_patient(operator)
    sid = new_schedule(url, staff_token, quota_jkn=0)
    ticket_id = new_id()
    item = hospital_registration(
        ticket_id,
        f"D-{code}-101",
        "fallback",
        {"schedule_id": sid, "payer": "jkn"},
        values=patient.values(),
        card_number=None,
    )
    [done] = results(url, token, [item])
    assert done["status"] == "accepted", done
    assert what_the_registration_did(operator, ticket_id)["over_quota"] is True
    visit = _visit(operator, ticket_id)
    assert visit is not None and visit.over_quota is True and visit.norm == patient.norm


def test_a_bad_hospital_object_keeps_the_ticket(
    central_server: RunningCentral, operator: Database, kiosk: tuple[str, str]
) -> None:
    url, (token, code) = central_server.url, kiosk
    ticket_id = new_id()
    item = hospital_registration(
        ticket_id, f"D-{code}-201", "fallback", {"schedule_id": "x", "payer": "gratis"}
    )
    [done] = results(url, token, [item])
    assert done["status"] == "accepted", done
    assert done["result"]["hospital"]["error"] == "invalid_hospital"
    assert "payer" in done["result"]["hospital"]["detail"]
    assert _visit(operator, ticket_id) is None
    with operator.read() as conn:
        assert conn.execute(select(tickets.c.id).where(tickets.c.id == ticket_id)).first()


def test_a_cancel_closes_the_visit_and_gives_the_place_back(
    central_server: RunningCentral, operator: Database, kiosk: tuple[str, str], staff_token: str
) -> None:
    url, token = central_server.url, kiosk[0]
    patient = new_hospital_patient(operator)
    sid = new_schedule(url, staff_token, quota_jkn=1)
    ticket_id = new_id()
    allocated = allocate(url, token, sid, ticket_id=ticket_id).json()
    hospital = {"schedule_id": sid, "payer": "jkn"}
    item = hospital_registration(
        ticket_id,
        allocated["display"],
        "online",
        hospital,
        values=patient.values(),
        card_number=None,
    )
    assert results(url, token, [item])[0]["status"] == "accepted"
    assert "kodebooking" in what_the_registration_did(operator, ticket_id)
    assert doctor_today(url, token, sid)["left_jkn"] == 0
    [cancelled] = results(url, token, [visit_cancel(f"cancel-{ticket_id}", ticket_id)])
    assert cancelled["status"] == "accepted" and cancelled["result"]["cancel"] == "cancelled"
    visit = _visit(operator, ticket_id)
    assert (visit.state, visit.cancel_reason) == ("cancelled", "Pasien batal")
    with operator.read() as conn:
        status = conn.execute(select(tickets.c.status).where(tickets.c.id == ticket_id)).scalar()
        used = conn.execute(
            select(doctor_quota.c.used_jkn).where(doctor_quota.c.schedule_id == sid)
        ).scalar()
    assert (status, used) == ("void", 0)
    assert doctor_today(url, token, sid)["left_jkn"] == 1
    [twice] = results(url, token, [visit_cancel(f"again-{ticket_id}", ticket_id)])
    assert twice["result"]["cancel"] == "cancelled"
    assert doctor_today(url, token, sid)["left_jkn"] == 1, "a second cancel gives nothing back"
    [unknown] = results(url, token, [visit_cancel(f"cancel-{new_id()}", new_id())])
    assert unknown["result"]["cancel"] == "unknown_visit"


def test_the_openapi_example_works_against_the_demo_data(
    central_server: RunningCentral, operator: Database, kiosk: tuple[str, str]
) -> None:
    url, token = central_server.url, kiosk[0]
    spec = requests.get(f"{url}/openapi.json", timeout=10).json()

    def example(path: str) -> Any:
        body = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        return body["examples"]["hospital"]["value"]

    def run() -> tuple[dict[str, Any], dict[str, Any]]:
        allocated = requests.post(
            f"{url}/api/v1/tickets/allocate",
            json=example("/api/v1/tickets/allocate"),
            headers=bearer(token),
            timeout=10,
        )
        assert allocated.status_code in (200, 201), allocated.text
        batch = example("/api/v1/submissions")
        batch["items"][0]["body"]["ticket"]["number"] = allocated.json()["display"]
        [done] = results(url, token, batch["items"])
        assert done["status"] == "accepted", done
        return allocated.json(), what_the_registration_did(operator, batch["items"][0]["key"])

    free_the_day(url, operator, SITI_NIK, "poli-dalam")  # the example registers her
    allocated, said = run()
    assert said["kodebooking"] == allocated["hospital"]["kodebooking"], said
    visit = _visit(operator, allocated["ticket_id"])
    assert visit.norm == "000123" and visit.nomorkartu == "0001234567890"
    assert visit.day.isoformat() == allocated["day"]
    spec = requests.get(f"{url}/openapi.json", timeout=10).json()  # the next reader's copy
    again, said = run()
    assert said["error"] == "already_registered", "Siti has one visit at the poli a day"
    assert (
        "already_registered"
        in spec["paths"]["/api/v1/submissions"]["post"]["requestBody"]["content"][
            "application/json"
        ]["examples"]["hospital"]["description"]
    )
    assert _visit(operator, again["ticket_id"]) is None


def _other(url: str, staff_token: str, **fields: Any) -> str:
    """A second doctor of today at the same poli."""
    return new_schedule(url, staff_token, **fields)


def test_a_registration_is_recorded_on_the_place_its_ticket_holds(
    central_server: RunningCentral, operator: Database, kiosk: tuple[str, str], staff_token: str
) -> None:
    """The allocate took an umum place with doctor A; the registration says JKN and doctor
    C. The visit is A's and umum (what was counted and printed), and the result says so:
    BPJS is never told JKN for a non-JKN place, and C is never overbooked."""
    url, token = central_server.url, kiosk[0]
    held = new_schedule(url, staff_token, quota_jkn=1, quota_non_jkn=1)
    asked = _other(url, staff_token, quota_jkn=1, quota_non_jkn=1)
    ticket_id = new_id()
    allocated = allocate(url, token, held, "umum", ticket_id=ticket_id)
    assert allocated.status_code == 201, allocated.text
    for schedule, payer in ((held, "jkn"), (asked, "umum")):  # a retry naming another place
        again = allocate(url, token, schedule, payer, ticket_id=ticket_id)
        assert again.status_code == 409 and "tempat dokter" in again.json()["detail"], again.text
    patient = new_hospital_patient(operator)
    hospital = {"schedule_id": asked, "payer": "jkn", "norm": patient.norm}
    item = hospital_registration(
        ticket_id,
        allocated.json()["display"],
        "online",
        hospital,
        values=patient.values(),
        card_number=None,
    )
    [done] = results(url, token, [item])
    assert done["status"] == "accepted", done
    result = what_the_registration_did(operator, ticket_id)
    assert result["changed"] == {"schedule_id": held, "payer": "umum"}, result
    assert result["kodebooking"] == allocated.json()["hospital"]["kodebooking"]
    visit = _visit(operator, ticket_id)
    assert (visit.schedule_id, visit.payer) == (held, "umum")
    assert visit.angkaantrean == allocated.json()["hospital"]["angkaantrean"]
    mine, other = doctor_today(url, token, held), doctor_today(url, token, asked)
    assert (mine["left_jkn"], mine["left_non_jkn"]) == (1, 0)
    assert (other["left_jkn"], other["left_non_jkn"]) == (1, 1), "C gave no place"


def test_a_registration_naming_a_doctor_of_another_day_makes_no_visit(
    central_server: RunningCentral, operator: Database, kiosk: tuple[str, str], staff_token: str
) -> None:
    url, (token, code) = central_server.url, kiosk
    weekday = dt.datetime.now(ZONE).isoweekday() % 7 + 1  # tomorrow's
    sid = new_schedule(url, staff_token, quota_jkn=3, weekday=weekday)
    ticket_id = new_id()
    item = hospital_registration(
        ticket_id, f"D-{code}-301", "fallback", {"schedule_id": sid, "payer": "jkn"}
    )
    [done] = results(url, token, [item])
    assert done["status"] == "accepted", done
    assert done["result"]["hospital"]["error"] == "unknown_schedule"
    assert "tidak praktik hari ini" in done["result"]["hospital"]["detail"]
    assert _visit(operator, ticket_id) is None
    with operator.read() as conn:
        rows = conn.execute(select(doctor_quota).where(doctor_quota.c.schedule_id == sid)).all()
    assert rows == [], "no quota row for a doctor not practising today"


@pytest.mark.parametrize("hospital", ["none", "unknown_schedule"])
def test_a_registration_that_makes_no_visit_gives_its_place_back(
    central_server: RunningCentral,
    operator: Database,
    kiosk: tuple[str, str],
    staff_token: str,
    hospital: str,
) -> None:
    url, token = central_server.url, kiosk[0]
    sid = new_schedule(url, staff_token, quota_jkn=1)
    ticket_id = new_id()
    allocated = allocate(url, token, sid, ticket_id=ticket_id)
    assert allocated.status_code == 201, allocated.text
    assert doctor_today(url, token, sid)["left_jkn"] == 0
    item = hospital_registration(
        ticket_id, allocated.json()["display"], "online", {"schedule_id": "gone", "payer": "jkn"}
    )
    if hospital == "none":
        del item["body"]["hospital"]
    [done] = results(url, token, [item])
    assert done["status"] == "accepted", done
    assert _visit(operator, ticket_id) is None
    assert doctor_today(url, token, sid)["left_jkn"] == 1, "the place went back"
    with operator.read() as conn:
        take = conn.execute(select(quota_takes).where(quota_takes.c.ticket_id == ticket_id)).one()
    assert take.released_at is not None
    late = allocate(url, token, sid, ticket_id=ticket_id)  # an allocate retried late
    # answered as it was (a registration that made its visit is answered so too:
    # tests/central/test_a_registration_tells_the_kiosk_nothing_of_its_patient.py)
    assert late.status_code == 200, late.text
    assert late.json()["hospital"] == allocated.json()["hospital"]
    assert doctor_today(url, token, sid)["left_jkn"] == 1, "a late retry takes it not again"
    with operator.read() as conn:
        take = conn.execute(select(quota_takes).where(quota_takes.c.ticket_id == ticket_id)).one()
    assert take.released_at is not None, "a late retry holds the place again"


def test_a_voided_ticket_takes_no_place_again(
    central_server: RunningCentral, kiosk: tuple[str, str], staff_token: str
) -> None:
    url, token = central_server.url, kiosk[0]
    sid = new_schedule(url, staff_token, quota_jkn=2)
    ticket_id = new_id()
    assert allocate(url, token, sid, ticket_id=ticket_id).status_code == 201
    voided = requests.post(
        f"{url}/api/v1/tickets/{ticket_id}/void", headers=bearer(token), timeout=10
    )
    assert voided.status_code == 200, voided.text
    again = allocate(url, token, sid, ticket_id=ticket_id)
    assert again.status_code == 409, again.text
    assert "dibatalkan" in again.json()["detail"]
    assert doctor_today(url, token, sid)["left_jkn"] == 2


def test_a_returning_patient_found_by_the_centre_is_not_reported_new(
    central_server: RunningCentral, operator: Database, kiosk: tuple[str, str], staff_token: str
) -> None:
    """An offline kiosk knew no No. RM; the centre finds the patient's by their BPJS number."""
    url, (token, code) = central_server.url, kiosk
    patient = new_hospital_patient(operator)
    sid = new_schedule(url, staff_token, quota_jkn=2)
    ticket_id = new_id()
    hospital = {"schedule_id": sid, "payer": "jkn", "norm": "", "nomorkartu": patient.nomorkartu,
                "new_patient": True}  # fmt: skip
    values = {**patient.values(), "phone": "0" * 5000}
    [done] = results(url, token, [hospital_registration(ticket_id, f"D-{code}-401", "fallback",
                                                        hospital, values=values,
                                                        card_number=None)])  # fmt: skip
    assert done["status"] == "accepted", done
    visit = _visit(operator, ticket_id)
    assert (visit.norm, visit.new_patient) == (patient.norm, False)
    assert visit.phone != "0" * 20, "a phone that is none is not cut to fit"


@pytest.mark.parametrize(
    ("case", "norm", "values", "problem"),
    [
        ("budi-norm-siti-card", "000124", {"full_name": "Siti Aminah", "nik": SITI_NIK},
         "identity_conflict"),
        ("unknown-norm-siti-nik", "999999", {"full_name": "Siti Aminah", "nik": SITI_NIK},
         "identity_conflict"),
        ("siti-nik-other-name", "", {"full_name": "Rahmat Hidayat", "nik": SITI_NIK},
         "identity_conflict"),
        ("siti-nik-other-birth", "", {"full_name": "Siti Aminah", "nik": SITI_NIK,
                                      "birth_date": "1990-01-01"}, "identity_conflict"),
        # a key no record holds, beside a No. RM naming someone whose key differs
        ("budi-norm-unknown-nik", "000124", {"nik": UNKNOWN_NIK}, "identity_conflict"),
        ("budi-norm-unknown-bpjs", "000124", {"full_name": "Budi Santoso"}, "identity_conflict"),
        ("long-nik", "", {"full_name": "X", "nik": "1" * 5000}, "invalid_patient"),
        ("letters-nik", "", {"full_name": "X", "nik": "ABCDEFGHIJKLMNOP"}, "invalid_patient"),
        ("future-birth", "", {"full_name": "X", "birth_date": "2099-01-01"}, "invalid_patient"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 30 else "",
)  # fmt: skip
def test_a_visit_never_mixes_people_nor_keeps_an_invalid_identity(
    central_server: RunningCentral,
    operator: Database,
    kiosk: tuple[str, str],
    staff_token: str,
    case: str,
    norm: str,
    values: dict[str, str],
    problem: str,
) -> None:
    """A registration whose No. RM, card, NIK, name or date of birth do not name one
    person, or whose NIK or date is not valid, makes no visit (nothing wrong reaches
    BPJS); the ticket stays and holds its place till it closes (the quota left tells a
    kiosk nothing of the patient), and the result says why."""
    url, token = central_server.url, kiosk[0]
    sid = new_schedule(url, staff_token, quota_jkn=1)
    ticket_id = new_id()
    allocated = allocate(url, token, sid, ticket_id=ticket_id)
    assert allocated.status_code == 201, allocated.text
    hospital = {"schedule_id": sid, "payer": "jkn", "norm": norm}
    if case == "budi-norm-unknown-bpjs":
        hospital["nomorkartu"] = "0009999999999"  # a BPJS number no record holds
    item = hospital_registration(
        ticket_id,
        allocated.json()["display"],
        "online",
        hospital,
        values=values,
        card_number={
            "budi-norm-siti-card": "PKU-000001",
            "budi-norm-unknown-card": "PKU-999999",
        }.get(case),
    )
    [done] = results(url, token, [item])
    assert done["status"] == "accepted", (case, done)
    assert "hospital" not in done["result"], (case, done)  # nothing of the patient
    did = what_the_registration_did(operator, ticket_id)
    assert did["error"] == problem, (case, did)
    assert " / " in did["detail"]
    assert _visit(operator, ticket_id) is None
    assert doctor_today(url, token, sid)["left_jkn"] == 0


def test_a_doctor_whose_hours_are_over_is_listed_closed_and_takes_no_place(
    central_server: RunningCentral, kiosk: tuple[str, str], staff_token: str
) -> None:
    """Hours 00:00-00:01 are over whenever the suite runs (bar the office's first minute
    of the day): listed ``closed``, and the allocate is refused without using a number."""
    url, token = central_server.url, kiosk[0]
    over = new_schedule(url, staff_token, quota_jkn=3, starts="00:00", ends="00:01")
    open_ = new_schedule(url, staff_token, quota_jkn=3)
    assert doctor_today(url, token, over)["closed"] is True
    assert doctor_today(url, token, open_)["closed"] is False
    first = allocate(url, token, open_)
    assert first.status_code == 201, first.text
    refused = allocate(url, token, over)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "doctor_closed"
    assert "sudah selesai" in refused.json()["detail"]
    assert doctor_today(url, token, over)["left_jkn"] == 3
    after = allocate(url, token, open_)
    assert after.json()["number"] == first.json()["number"] + 1, "the refused one used no number"


def test_a_served_ticket_makes_its_visit_done(
    central_server: RunningCentral, operator: Database, kiosk: tuple[str, str], staff_token: str
) -> None:
    url, token = central_server.url, kiosk[0]
    patient = new_hospital_patient(operator)
    sid = new_schedule(url, staff_token, service_id="poli-gigi", quota_jkn=2)
    ticket_id = new_id()
    allocated = allocate(url, token, sid, ticket_id=ticket_id, service_id="poli-gigi")
    assert allocated.status_code == 201, allocated.text
    item = hospital_registration(
        ticket_id,
        allocated.json()["display"],
        "online",
        {"schedule_id": sid, "payer": "jkn"},
        service_id="poli-gigi",
        values=patient.values(),
        card_number=None,
    )
    assert results(url, token, [item])[0]["status"] == "accepted"
    assert _visit(operator, ticket_id).state == "registered"
    step = {"office_id": HOSPITAL, "service_id": "poli-gigi", "counter": "Poli Gigi"}
    while True:  # serve the queue up to this ticket (the module's other tickets first)
        called = requests.post(
            f"{url}/api/v1/staff/queue/call-next", json=step, headers=bearer(staff_token),
            timeout=10,
        )  # fmt: skip
        assert called.status_code == 200, called.text
        ticket = called.json()["ticket"]
        assert ticket is not None, "the ticket was never called"
        if ticket["ticket_id"] == ticket_id:
            assert _visit(operator, ticket_id).state == "registered", "called is not done"
        served = requests.post(
            f"{url}/api/v1/staff/tickets/{ticket['ticket_id']}/served",
            headers=bearer(staff_token),
            timeout=10,
        )
        assert served.status_code == 200, served.text
        if ticket["ticket_id"] == ticket_id:
            break
    assert _visit(operator, ticket_id).state == "done"
    [late] = results(url, token, [visit_cancel(f"cancel-{ticket_id}", ticket_id)])
    assert late["result"]["cancel"] == "done", "a served visit is not cancelled"


def test_every_reader_of_the_openapi_description_can_run_its_example(
    central_server: RunningCentral,
) -> None:
    """Each copy of the description carries a new ticket id: two kiosks enrolled with
    the published code each run the example, and neither gets the other's ticket."""
    url = central_server.url
    allocated = []
    for _ in range(2):
        spec = requests.get(f"{url}/openapi.json", timeout=10).json()
        media = spec["paths"]["/api/v1/tickets/allocate"]["post"]["requestBody"]["content"]
        body = media["application/json"]["examples"]["hospital"]["value"]
        token = hospital_kiosk(url)[0]
        answer = requests.post(
            f"{url}/api/v1/tickets/allocate", json=body, headers=bearer(token), timeout=10
        )
        assert answer.status_code in (200, 201), answer.text
        assert answer.json()["ticket_id"] == body["ticket_id"]
        allocated.append(answer.json())
    first, second = allocated
    assert first["ticket_id"] != second["ticket_id"]
    assert first["hospital"]["kodebooking"] != second["hospital"]["kodebooking"]
