"""The allocate of a poli's ticket checks its patient before a number or a place is used.

A real centre over HTTP on SQLite and on the throwaway PostgreSQL, with BPJS switched
on (so a visit's calls are written): a kiosk's allocate carries the patient keys its
registration will carry, and the centre refuses there a patient the registration
would refuse (one live visit per patient, poli and day; keys naming one person; a NIK
that can exist), with the registration's own check. Refused, nothing is left behind:
no ticket, no number (the next ticket's follows the last one given), no place of the
doctor's quota, no call to BPJS. An allocate without the keys (a kiosk older than
them) is numbered as before, and the registration's check still refuses the visit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, update

from central.tables import (
    citizens,
    doctor_quota,
    hospital_visits,
    integration_outbox,
    quota_takes,
    tickets,
)
from testkit.centre_accounts import bearer
from testkit.centre_hospital import (
    HospitalCentre as Centre,
)
from testkit.centre_hospital import (
    Patient,
    allocate,
    hospital_registration,
    new_hospital_patient,
    new_schedule,
    what_the_registration_did,
)
from testkit.centre_requests import new_id, results, today
from testkit.centres import BACKENDS
from testkit.mjkn import (
    BASE,
    USERNAME,
    ambil_body,
    own_wsrs_hospital_centre,
    put_doctor,
    wsrs_token,
)

pytestmark = pytest.mark.timeout(300)

POLI = "poli-dalam"


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Centre]:
    yield from own_wsrs_hospital_centre(request, tmp_path_factory, "allocate-patient")


# -- what the centre holds ------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """What the centre holds of a doctor's day and of everything a visit writes."""

    used_jkn: int
    places: int
    tickets: int
    visits: int
    calls: int


def counted(c: Centre, schedule_id: str) -> Counted:
    with c.db.read() as conn:
        used = conn.execute(
            select(doctor_quota.c.used_jkn).where(
                doctor_quota.c.schedule_id == schedule_id, doctor_quota.c.day == today()
            )
        ).scalar_one_or_none()

        def count(table: Any) -> int:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

        places = conn.execute(
            select(func.count())
            .select_from(quota_takes)
            .where(quota_takes.c.schedule_id == schedule_id)
        ).scalar_one()
        return Counted(
            int(used or 0),
            int(places),
            count(tickets),
            count(hospital_visits),
            count(integration_outbox),
        )


def nothing_of(c: Centre, ticket_id: str) -> bool:
    """Whether the centre holds no ticket and no place under ``ticket_id``."""
    with c.db.read() as conn:
        ticket = conn.execute(select(tickets.c.id).where(tickets.c.id == ticket_id)).first()
        place = conn.execute(
            select(quota_takes.c.ticket_id).where(quota_takes.c.ticket_id == ticket_id)
        ).first()
    return ticket is None and place is None


def registered(c: Centre, schedule_id: str, patient: Patient) -> dict[str, Any]:
    """``patient``'s ticket numbered with their keys and registered: the allocate's answer."""
    made = allocate(c.url, c.kiosk, schedule_id, patient=patient.keys())
    assert made.status_code == 201, made.text
    hospital = {
        "schedule_id": schedule_id,
        "payer": "jkn",
        "norm": patient.norm,
        "nomorkartu": patient.nomorkartu,
    }
    item = hospital_registration(
        made.json()["ticket_id"],
        made.json()["display"],
        "online",
        hospital,
        values=patient.values(),
        card_number=None,
    )
    [done] = results(c.url, c.kiosk, [item])
    assert done["status"] == "accepted", done
    said = what_the_registration_did(c.db, made.json()["ticket_id"])
    assert said["kodebooking"] == made.json()["hospital"]["kodebooking"], said
    answer: dict[str, Any] = made.json()
    return answer


def refused(
    c: Centre, schedule_id: str, keys: dict[str, str], status: int, error: str
) -> dict[str, Any]:
    """An allocate with ``keys`` answered ``status`` ``error``, leaving nothing under its id."""
    ticket_id = new_id()
    answer = allocate(c.url, c.kiosk, schedule_id, ticket_id=ticket_id, patient=keys)
    assert (answer.status_code, answer.json()["error"]) == (status, error), answer.text
    assert nothing_of(c, ticket_id), "a refused allocate left its ticket or place"
    body: dict[str, Any] = answer.json()
    return body


def next_number(c: Centre, schedule_id: str, after: int) -> None:
    """The next ticket of the poli takes the number after ``after``: none was used between."""
    other = new_hospital_patient(c.db)
    answer = allocate(c.url, c.kiosk, schedule_id, patient=other.keys())
    assert answer.status_code == 201, answer.text
    assert answer.json()["number"] == after + 1, "a refused allocate used a number"


# -- one live visit per patient, poli and day -----------------------------------------------


def test_a_patient_with_a_visit_at_the_poli_today_gets_no_second_number(centre: Centre) -> None:
    sid = new_schedule(centre.url, centre.staff, quota_jkn=5)
    patient = new_hospital_patient(centre.db)
    first = registered(centre, sid, patient)
    before = counted(centre, sid)
    assert (before.used_jkn, before.visits > 0, before.calls > 0) == (1, True, True)

    said = refused(centre, sid, patient.keys(), 409, "already_registered")
    assert "sudah terdaftar di poli ini hari ini" in said["detail"] and " / " in said["detail"]
    # by any one key the registration would find them by, and with another doctor too
    other_doctor = new_schedule(centre.url, centre.staff, quota_jkn=5)
    for keys in (
        {"norm": patient.norm},
        {"nomorkartu": patient.nomorkartu},
        {"nik": patient.nik},
    ):
        refused(centre, sid, keys, 409, "already_registered")
        refused(centre, other_doctor, keys, 409, "already_registered")
    after = counted(centre, sid)
    assert after == before, "a refused allocate took a place, a number, or wrote a call"
    assert counted(centre, other_doctor).used_jkn == 0
    next_number(centre, sid, first["number"])
    # another poli that day is another visit
    anak = new_schedule(centre.url, centre.staff, service_id="poli-anak", quota_jkn=5)
    elsewhere = allocate(
        centre.url, centre.kiosk, anak, service_id="poli-anak", patient=patient.keys()
    )
    assert elsewhere.status_code == 201, elsewhere.text


def test_a_mobile_jkn_booking_holds_the_day_at_the_allocate_too(centre: Centre) -> None:
    """Booked in the app for Poli Anak today: the kiosk's allocate there is refused."""
    kode = put_doctor(centre.url, centre.staff, today(), starts="00:00", ends="23:59")
    patient = new_hospital_patient(centre.db)
    body = ambil_body(
        {"nik": patient.nik, "nomorkartu": patient.nomorkartu, "norm": patient.norm},
        kode,
        today(),
        "00:00-23:59",
    )
    booked = requests.post(
        centre.url + BASE + "/antrean",
        json=body,
        headers={"x-token": wsrs_token(centre.url), "x-username": USERNAME},
        timeout=30,
    )
    assert booked.json()["metadata"]["code"] == 200, booked.text
    sid = f"uji-{kode}"
    before = counted(centre, sid)
    said = allocate(centre.url, centre.kiosk, sid, service_id="poli-anak", patient=patient.keys())
    assert (said.status_code, said.json()["error"]) == (409, "already_registered"), said.text
    assert counted(centre, sid) == before


# -- one person -----------------------------------------------------------------------------


def test_keys_naming_different_people_are_refused_before_numbering(centre: Centre) -> None:
    sid = new_schedule(centre.url, centre.staff, quota_jkn=5)
    first = allocate(centre.url, centre.kiosk, sid)
    assert first.status_code == 201, first.text
    a, b = new_hospital_patient(centre.db), new_hospital_patient(centre.db)
    before = counted(centre, sid)
    conflict = refused(
        centre, sid, {"norm": a.norm, "nomorkartu": b.nomorkartu}, 409, "identity_conflict"
    )
    assert "orang yang berbeda" in conflict["detail"]
    refused(centre, sid, {"nik": a.nik, "nomorkartu": b.nomorkartu}, 409, "identity_conflict")
    refused(centre, sid, {**a.keys(), "full_name": "Orang Lain"}, 409, "identity_conflict")
    refused(centre, sid, {**a.keys(), "birth_date": "1991-05-15"}, 409, "identity_conflict")
    impossible = refused(centre, sid, {"nik": "147102150590999"}, 422, "invalid_patient")
    assert "NIK" in impossible["detail"]
    refused(centre, sid, {"nik": "9971021505900001"}, 422, "invalid_patient")  # no region 99
    later = (today() + dt.timedelta(days=400)).isoformat()
    refused(centre, sid, {**a.keys(), "birth_date": later}, 422, "invalid_patient")
    refused(centre, sid, {**a.keys(), "birth_date": "15-05-1990"}, 422, "invalid_patient")
    assert counted(centre, sid) == before
    next_number(centre, sid, first.json()["number"])


def test_the_patients_own_card_read_in_small_letters_is_their_card(centre: Centre) -> None:
    """The registry takes a card number in capitals, as the city keeps it (a lookup of
    ``pku-…`` finds ``PKU-…``): so does the patient check, which otherwise took the
    patient's own card for another's and refused them, at the allocate and on arrival."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=5)
    patient = new_hospital_patient(centre.db)
    card = f"PKU-{patient.nik[-6:]}"
    with centre.db.begin() as conn:
        conn.execute(update(citizens).where(citizens.c.nik == patient.nik).values(card_number=card))
    read = f" {card.lower()} "
    made = allocate(centre.url, centre.kiosk, sid, patient={**patient.keys(), "card_number": read})
    assert made.status_code == 201, made.text
    item = hospital_registration(
        made.json()["ticket_id"],
        made.json()["display"],
        "online",
        {"schedule_id": sid, "payer": "jkn", "norm": patient.norm},
        values=patient.values(),
        card_number=read,
    )
    [done] = results(centre.url, centre.kiosk, [item])
    assert done["status"] == "accepted", done
    assert what_the_registration_did(centre.db, made.json()["ticket_id"]).get("kodebooking")
    # another's card, in any letters, is still another's
    other = new_hospital_patient(centre.db)
    refused(centre, sid, {**other.keys(), "card_number": card.lower()}, 409, "identity_conflict")


def test_a_key_of_the_wrong_shape_is_refused_as_the_contract_says_without_its_value(
    centre: Centre,
) -> None:
    sid = new_schedule(centre.url, centre.staff, quota_jkn=5)
    before = counted(centre, sid)
    for keys, where in (
        ({"nomorkartu": "000123456789"}, "nomorkartu"),  # 12 digits
        ({"norm": "1" * 33}, "norm"),
        ({"full_name": "N" * 201}, "full_name"),
        ({"nik": 1471021505900001}, "nik"),
        ({"card_number": "PKU-\x00-1"}, "card_number"),  # PostgreSQL refuses NUL in text
    ):
        ticket_id = new_id()
        answer = requests.post(
            f"{centre.url}/api/v1/tickets/allocate",
            json={
                "ticket_id": ticket_id,
                "service_id": POLI,
                "hospital": {"schedule_id": sid, "payer": "jkn", **keys},
            },
            headers=bearer(centre.kiosk),
            timeout=10,
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"] == "invalid_request"
        assert where in answer.text
        assert str(next(iter(keys.values()))) not in answer.text, "the value was echoed"
        assert nothing_of(centre, ticket_id)
    assert counted(centre, sid) == before


# -- what stays as it was -------------------------------------------------------------------


def test_an_allocate_without_patient_keys_is_numbered_and_the_registration_refuses(
    centre: Centre,
) -> None:
    """A kiosk older than the keys: numbered as before; its registration makes no visit
    (``already_registered``), as before, and its ticket holds the place till it closes (the
    quota left tells a kiosk nothing of the patient: docs/security.md)."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=5)
    patient = new_hospital_patient(centre.db)
    registered(centre, sid, patient)
    old = allocate(centre.url, centre.kiosk, sid)
    assert old.status_code == 201, old.text
    assert counted(centre, sid).used_jkn == 2
    item = hospital_registration(
        old.json()["ticket_id"],
        old.json()["display"],
        "online",
        {"schedule_id": sid, "payer": "jkn", "norm": patient.norm},
        values=patient.values(),
        card_number=None,
    )
    [done] = results(centre.url, centre.kiosk, [item])
    assert done["status"] == "accepted", done
    did = what_the_registration_did(centre.db, old.json()["ticket_id"])
    assert did["error"] == "already_registered", did
    assert counted(centre, sid).used_jkn == 2, "the place went back"


def test_a_retried_allocate_of_a_ticket_registered_since_is_answered_as_it_was(
    centre: Centre,
) -> None:
    """The allocate's answer was lost, the registration went out, the allocate is asked
    again with the same ticket id: the same ticket, not ``already_registered``."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=5)
    patient = new_hospital_patient(centre.db)
    first = registered(centre, sid, patient)
    again = allocate(
        centre.url, centre.kiosk, sid, ticket_id=first["ticket_id"], patient=patient.keys()
    )
    assert again.status_code == 200, again.text
    assert (again.json()["number"], again.json()["hospital"]) == (
        first["number"],
        first["hospital"],
    )


def test_no_refusal_writes_the_patients_keys_to_the_log(centre: Centre) -> None:
    sid = new_schedule(centre.url, centre.staff, quota_jkn=5)
    patient = new_hospital_patient(centre.db)
    registered(centre, sid, patient)
    refused(centre, sid, patient.keys(), 409, "already_registered")
    other = new_hospital_patient(centre.db)
    refused(centre, sid, {"norm": patient.norm, "nik": other.nik}, 409, "identity_conflict")
    logs = centre.server.output_tail()
    assert "no number used" in logs, "the refusal was not logged"
    for secret in (patient.nik, patient.nomorkartu, other.nik, patient.birth_date.isoformat()):
        assert secret not in logs
