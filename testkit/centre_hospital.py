"""What the hospital tests send the centre: a kiosk and staff of the demo hospital, schedules,
and patients of their own (one live visit per patient, poli and day: a test that makes a
visit takes a patient no other test has used that day)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from sqlalchemy import insert, select

from central.access import staff
from central.access.audit import utc_now
from central.access.credentials import sha256_hex
from central.database import Database
from central.process import RunningCentral, start_central
from central.settings import (
    DEMO_HOSPITAL_DESK_ENROLMENT_CODE,
    DEMO_HOSPITAL_ENROLMENT_CODE,
    DEMO_HOSPITAL_ID,
)
from central.tables import (
    citizens,
    hospital_visits,
    kiosk_tokens,
    medical_records,
    submissions,
    tickets,
)
from testkit.centre_accounts import bearer, enrol
from testkit.centre_accounts import new_staff as _new_staff
from testkit.centre_requests import ZONE, new_id, now_iso, results
from testkit.centres import SHARED_START_S, TEST_SERVER_ARGS, migrated_database

HOSPITAL = DEMO_HOSPITAL_ID
_counter = iter(range(1_000_000))
_patients = itertools.count(1)
#: The tokens of the hospital kiosks the tests of this process had, for :func:`free_the_day`.
_tokens: set[str] = set()


def patient_numbers() -> tuple[str, str]:
    """A NIK no test has used in this process (a man born 15 May 1990, Pekanbaru) and a
    BPJS card number of the same sequence: ``(nik, nomorkartu)``."""
    n = next(_patients)
    return f"14710215059{n:05d}", f"00098765{n:05d}"


@dataclass(frozen=True)
class Patient:
    """A patient of the demo hospital made for one test: the city's record with a BPJS
    card, and a No. RM at the hospital."""

    nik: str
    nomorkartu: str
    norm: str
    full_name: str = "Pasien Uji"
    birth_date: dt.date = dt.date(1990, 5, 15)

    def values(self) -> dict[str, str]:
        """The registration's ``values`` a kiosk sends for the patient."""
        return {"full_name": self.full_name, "nik": self.nik}

    def typed(self, **changed: str) -> dict[str, str]:
        """The registration's ``values`` typed at a kiosk for the patient: name, NIK and
        date of birth (``changed``: any of them not the record's)."""
        return {
            "full_name": self.full_name,
            "nik": self.nik,
            "birth_date": self.birth_date.isoformat(),
            **changed,
        }

    def keys(self) -> dict[str, str]:
        """The patient keys a kiosk's allocate carries for the patient (what its
        registration will: contract.hospital.PatientKeys)."""
        return {
            "norm": self.norm,
            "nomorkartu": self.nomorkartu,
            "nik": self.nik,
            "full_name": self.full_name,
            "birth_date": self.birth_date.isoformat(),
        }


def new_hospital_patient(db: Database) -> Patient:
    """A patient of the demo hospital, written to the centre's database ``db``."""
    nik, nomorkartu = patient_numbers()
    patient = Patient(nik, nomorkartu, f"8{nik[-5:]}")
    with db.begin() as conn:
        citizen = conn.execute(
            insert(citizens)
            .values(
                nik=patient.nik,
                full_name=patient.full_name,
                bpjs_number=patient.nomorkartu,
                birth_date=patient.birth_date,
                updated_at=utc_now(),
            )
            .returning(citizens.c.id)
        ).scalar_one()
        conn.execute(
            insert(medical_records).values(
                citizen_id=citizen, office_id=HOSPITAL, medical_record_number=patient.norm
            )
        )
    return patient


def hospital_kiosk(url: str) -> tuple[str, str]:
    """A kiosk of the demo hospital, enrolled with its reusable code: (token, kiosk code)."""
    response = enrol(url, DEMO_HOSPITAL_ENROLMENT_CODE)
    assert response.status_code == 201, response.text
    body = response.json()
    _tokens.add(body["token"])
    return body["token"], body["kiosk_code"]


def hospital_desk(url: str) -> tuple[str, str]:
    """The demo hospital's registration desk, enrolled with its reusable desk code (staff
    made it a desk): (token, kiosk code)."""
    response = enrol(url, DEMO_HOSPITAL_DESK_ENROLMENT_CODE)
    assert response.status_code == 201, response.text
    body = response.json()
    _tokens.add(body["token"])
    return body["token"], body["kiosk_code"]


def hospital_staff(db: Any, url: str) -> str:
    """A staff token limited to the demo hospital."""
    return _new_staff(db, url, staff.Role.ADMIN, office_id=HOSPITAL)


def put_schedule(
    url: str,
    staff_token: str,
    *,
    service_id: str = "poli-dalam",
    quota_jkn: int = 1,
    quota_non_jkn: int = 5,
    weekday: int | None = None,
    starts: str = "08:00",
    ends: str = "23:59",  # open whenever the test runs
    minutes: int = 10,
    schedule_id: str | None = None,
    kodedokter: str = "99001",
    doctor_name: str = "dr. Uji Coba",
) -> requests.Response:
    """A new doctor's schedule for today (unless ``weekday``); its id is in the answer."""
    sid = schedule_id or f"test-{next(_counter)}-{new_id()[:8]}"
    body = {
        "service_id": service_id,
        "kodedokter": kodedokter,
        "doctor_name": doctor_name,
        "weekday": weekday or dt.datetime.now(ZONE).isoweekday(),
        "starts": starts,
        "ends": ends,
        "quota_jkn": quota_jkn,
        "quota_non_jkn": quota_non_jkn,
        "minutes_per_patient": minutes,
    }
    return requests.put(
        f"{url}/api/v1/staff/hospital/{HOSPITAL}/schedules/{sid}",
        json=body,
        headers=bearer(staff_token),
        timeout=10,
    )


def new_schedule(url: str, staff_token: str, **fields: Any) -> str:
    response = put_schedule(url, staff_token, **fields)
    assert response.status_code == 201, response.text
    sid: str = response.json()["schedule_id"]
    return sid


def allocate(
    url: str,
    token: str,
    schedule_id: str,
    payer: str = "jkn",
    *,
    ticket_id: str | None = None,
    service_id: str = "poli-dalam",
    session: requests.Session | None = None,
    patient: dict[str, str] | None = None,
) -> requests.Response:
    """``POST /api/v1/tickets/allocate`` with the doctor's place (and the ``patient``
    keys, as a kiosk sends them; none: as a kiosk older than them does)."""
    body = {
        "ticket_id": ticket_id or new_id(),
        "service_id": service_id,
        "hospital": {"schedule_id": schedule_id, "payer": payer, **(patient or {})},
    }
    sender = session or requests
    return sender.post(
        f"{url}/api/v1/tickets/allocate", json=body, headers=bearer(token), timeout=30
    )


def doctor_today(url: str, token: str, schedule_id: str) -> dict[str, Any]:
    response = requests.get(
        f"{url}/api/v1/hospital/doctors/today", headers=bearer(token), timeout=10
    )
    assert response.status_code == 200, response.text
    found = [d for d in response.json()["doctors"] if d["schedule_id"] == schedule_id]
    assert len(found) == 1, schedule_id
    doctor: dict[str, Any] = found[0]
    return doctor


def hospital_registration(
    key: str,
    number: str,
    source: str,
    hospital: dict[str, Any],
    *,
    service_id: str = "poli-dalam",
    values: dict[str, str] | None = None,
    card_number: str | None = "PKU-000001",
) -> dict[str, Any]:
    """A service_registration outbox item with a ``hospital`` object."""
    return {
        "key": key,
        "kind": "service_registration",
        "body": {
            "office_id": HOSPITAL,
            "service_id": service_id,
            "language": "id",
            "assurance": "signed",
            "card_uid": None,
            "card_number": card_number,
            "values": values or {"full_name": "Siti Aminah", "nik": "1471015203850001"},
            "ticket": {"number": number, "issued_at": now_iso(), "number_source": source},
            "hospital": hospital,
        },
    }


def visit_cancel(key: str, ticket_id: str, reason: str = "Pasien batal") -> dict[str, Any]:
    return {
        "key": key,
        "kind": "visit_cancel",
        "body": {
            "office_id": HOSPITAL,
            "ticket_id": ticket_id,
            "reason": reason,
            "cancelled_at": now_iso(),
        },
    }


def remember_kiosk(token: str) -> None:
    """Keep ``token`` (a hospital kiosk that enrolled itself, such as a kiosk window's) for
    :func:`free_the_day`, which cancels each visit from the kiosk that made it."""
    _tokens.add(token)


def free_the_day(url: str, db: Database, nik: str, service_id: str) -> None:
    """Cancel, as the desk does, every live visit of the patient ``nik`` at the poli today
    that another test of this centre made: one live visit per patient, poli and day, so a
    test that must make the demo patient's visit there frees the day first.

    A kiosk cancels only its own tickets (central/hospital/visits.py ``own_ticket``), so
    each visit is cancelled from the kiosk that made its ticket, under that kiosk's own
    ticket id: a kiosk :func:`hospital_kiosk` enrolled, or one :func:`remember_kiosk` was
    told of."""
    with db.read() as conn:
        mine = {
            row.kiosk_id: token
            for token in _tokens
            for row in conn.execute(
                select(kiosk_tokens.c.kiosk_id).where(
                    kiosk_tokens.c.token_hash == sha256_hex(token),
                    kiosk_tokens.c.revoked_at.is_(None),
                )
            )
        }
        held = conn.execute(
            select(
                hospital_visits.c.ticket_id,
                tickets.c.kiosk_id,
                tickets.c.kiosk_ticket_id,
            )
            .select_from(hospital_visits)
            .outerjoin(tickets, tickets.c.id == hospital_visits.c.ticket_id)
            .where(
                hospital_visits.c.nik == nik,
                hospital_visits.c.service_id == service_id,
                hospital_visits.c.day == dt.datetime.now(ZONE).date(),
                hospital_visits.c.state != "cancelled",
            )
        ).all()
    for ticket_id, kiosk_id, kiosk_ticket_id in held:
        assert ticket_id is not None, "a Mobile JKN booking holds the day: cancel it in the app"
        token = mine.get(kiosk_id)
        assert token is not None, f"the visit of {ticket_id} is of a kiosk this test never had"
        own_id = kiosk_ticket_id or ticket_id
        [done] = results(url, token, [visit_cancel(f"free-{new_id()}", own_id)])
        assert done["result"]["cancel"] == "cancelled", done


def what_the_registration_did(db: Database, key: str) -> dict[str, Any]:
    """What the poli registration of ``key`` (its ticket id) did, as the centre keeps it for
    staff: its stored ``submissions.result``'s ``hospital`` (a visit's place, or why none
    was made). The kiosk is answered none of it (central.office.submissions.for_kiosk)."""
    with db.read() as conn:
        [stored] = conn.execute(
            select(submissions.c.result).where(
                submissions.c.key == key, submissions.c.kind == "service_registration"
            )
        ).all()
    did = json.loads(stored.result).get("hospital")
    assert isinstance(did, dict), f"the registration {key} carried no hospital object"
    return did


@dataclass(frozen=True)
class HospitalCentre:
    """A centre of one test module's own, seeded with the demo hospital: its server, its
    database, a kiosk of the hospital and an admin of it (their tokens)."""

    server: RunningCentral
    db: Database
    kiosk: str
    staff: str

    @property
    def url(self) -> str:
        return self.server.url

    def staff_post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        """``POST path`` of the staff API as the hospital's admin."""
        return requests.post(f"{self.url}{path}", json=body, headers=bearer(self.staff), timeout=30)


def numbered_online(c: HospitalCentre, schedule_id: str, **fields: Any) -> dict[str, Any]:
    """A ticket numbered online by ``c``'s kiosk at the doctor ``schedule_id`` (no patient
    keys: as a kiosk older than them numbers it, so its registration alone checks the
    patient; ``fields``: :func:`allocate`'s); its allocate's answer."""
    made = allocate(c.url, c.kiosk, schedule_id, **fields)
    assert made.status_code == 201, made.text
    ticket: dict[str, Any] = made.json()
    return ticket


def poli_registration(
    made: dict[str, Any],
    schedule_id: str,
    values: dict[str, str],
    *,
    service_id: str = "poli-dalam",
    payer: str = "jkn",
) -> dict[str, Any]:
    """The poli registration of the ticket ``made`` (its allocate's answer) at the doctor
    ``schedule_id``, paid by ``payer``, the patient's ``values`` typed, no card."""
    return hospital_registration(
        made["ticket_id"],
        made["display"],
        "online",
        {"schedule_id": schedule_id, "payer": payer},
        service_id=service_id,
        values=values,
        card_number=None,
    )


def registered_online(
    c: HospitalCentre,
    schedule_id: str,
    values: dict[str, str],
    *,
    service_id: str = "poli-dalam",
) -> dict[str, Any]:
    """A ticket of the poli ``service_id`` numbered online (:func:`numbered_online`) and
    its registration with the patient ``values`` (:func:`poli_registration`), accepted;
    its allocate's answer. Whether a visit was made is the centre's to keep."""
    made = numbered_online(c, schedule_id, service_id=service_id)
    item = poli_registration(made, schedule_id, values, service_id=service_id)
    [done] = results(c.url, c.kiosk, [item])
    assert done["status"] == "accepted", done
    return made


def registered_offline(
    url: str, token: str, number: str, schedule_id: str, values: dict[str, str]
) -> str:
    """A ticket numbered offline (the fallback ``number``: no allocate, no place held) and
    its poli registration at the doctor ``schedule_id`` with the patient ``values``, paid
    by JKN, no card, sent by the kiosk or desk ``token`` once it is back and accepted; the
    ticket's id."""
    ticket_id = new_id()
    item = hospital_registration(
        ticket_id,
        number,
        "fallback",
        {"schedule_id": schedule_id, "payer": "jkn"},
        values=values,
        card_number=None,
    )
    [done] = results(url, token, [item])
    assert done["status"] == "accepted", done
    return ticket_id


def call_up_to(c: HospitalCentre, ticket_id: str, queue: str, counter: str) -> None:
    """Call ``queue`` at ``counter`` through the staff API up to ``ticket_id``, the tickets
    called before it served; it is left called there."""
    step = {"office_id": HOSPITAL, "service_id": queue, "counter": counter}
    while True:
        called = c.staff_post("/api/v1/staff/queue/call-next", step)
        assert called.status_code == 200, called.text
        ticket = called.json()["ticket"]
        assert ticket is not None, "the ticket was never called"
        if ticket["ticket_id"] == ticket_id:
            return
        served = c.staff_post(f"/api/v1/staff/tickets/{ticket['ticket_id']}/served")
        assert served.status_code == 200, served.text


def own_hospital_centre(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    *extra: str,
) -> Iterator[HospitalCentre]:
    """For a module fixture (``request.param`` is the backend): a :class:`HospitalCentre`
    on a database of its own, with the tests' server options and ``extra``; stopped after.
    For modules whose patients' visits, budgets or options no other module may see."""
    url = migrated_database(request, tmp_path_factory, str(request.param), name)
    server = start_central(
        seed_demo=True,
        db_url=url,
        extra_args=(*TEST_SERVER_ARGS, *extra),
        timeout_s=SHARED_START_S,
    )
    db = Database(url)
    try:
        yield HospitalCentre(
            server, db, hospital_kiosk(server.url)[0], hospital_staff(db, server.url)
        )
    finally:
        db.dispose()
        server.stop()
