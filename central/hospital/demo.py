"""The demo hospital ``rsud-pku``: its doctors on every day of the week, two demo patients.

Seeded with ``--seed-demo`` when the catalog has the office (the demo
catalog does: polis ``poli-dalam`` INT, ``poli-anak`` ANA, ``poli-gigi`` GIG
and ``farmasi``). Every doctor has a schedule on each of the seven weekdays,
``{DOCTOR}-{weekday}``, so the demo and the OpenAPI example work any day.
Siti Aminah has No. RM ``000123`` and BPJS number ``0001234567890``, Budi
Santoso ``000124`` and ``0001234567891``. Each doctor carries a SATUSEHAT
Practitioner id and each poli (in the catalog) a Location id, which the demo's
SATUSEHAT stand-in knows. Idempotent: what exists stays.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Connection, insert, select, update

from central.access.audit import utc_now
from central.hospital import schedules
from central.tables import citizens, doctor_schedules, medical_records

#: (schedule id stem, service, kodedokter, name, starts, ends, quota JKN, non-JKN, minutes)
DOCTORS = (
    (
        "rsud-dalam-andi",
        "poli-dalam",
        "12345",
        "dr. Andi Pratama, Sp.PD",
        # all day: the OpenAPI example and the demo work at any hour (the others'
        # hours end, and the kiosk shows them closed)
        "00:00",
        "23:59",
        30,
        10,
        10,
    ),
    (
        "rsud-dalam-rina",
        "poli-dalam",
        "12346",
        "dr. Rina Marlina, Sp.PD",
        "14:00",
        "20:00",
        20,
        10,
        12,
    ),
    (
        "rsud-anak-dewi",
        "poli-anak",
        "22345",
        "dr. Dewi Lestari, Sp.A",
        "08:00",
        "14:00",
        25,
        10,
        10,
    ),
    ("rsud-gigi-hendra", "poli-gigi", "32345", "drg. Hendra Saputra", "08:00", "14:00", 15, 5, 15),
)
#: Each demo doctor's SATUSEHAT Practitioner id (the demo's stand-in knows them; a
#: hospital's own come from SATUSEHAT's Practitioner search, set on the schedules page).
PRACTITIONERS = {
    "rsud-dalam-andi": "N10000101",
    "rsud-dalam-rina": "N10000102",
    "rsud-anak-dewi": "N10000103",
    "rsud-gigi-hendra": "N10000104",
}
#: The OpenAPI example's doctor (the first): its schedule id for a day.
EXAMPLE_DOCTOR = DOCTORS[0][0]
#: (NIK, No. RM, BPJS number) of the demo patients.
PATIENTS = (
    ("1471015203850001", "000123", "0001234567890"),
    ("1471011708790002", "000124", "0001234567891"),
)


def schedule_id(stem: str, day: dt.date) -> str:
    """The demo doctor ``stem``'s schedule on ``day``'s weekday."""
    return f"{stem}-{day.isoweekday()}"


def seed(conn: Connection, office_id: str) -> int:
    """The demo hospital's schedules and patients; how many rows were added."""
    added = 0
    now = utc_now()
    if not schedules.polis(conn, office_id):
        return 0
    for stem, service, kode, name, starts, ends, jkn, non_jkn, minutes in DOCTORS:
        for weekday in range(1, 8):
            sid = f"{stem}-{weekday}"
            if conn.execute(
                select(doctor_schedules.c.id).where(doctor_schedules.c.id == sid)
            ).first():
                continue
            conn.execute(
                insert(doctor_schedules).values(
                    id=sid,
                    office_id=office_id,
                    service_id=service,
                    kodedokter=kode,
                    doctor_name=name,
                    weekday=weekday,
                    starts=starts,
                    ends=ends,
                    quota_jkn=jkn,
                    quota_non_jkn=non_jkn,
                    minutes_per_patient=minutes,
                    practitioner_id=PRACTITIONERS.get(stem),
                    updated_at=now,
                    updated_by="demo",
                )
            )
            added += 1
    for nik, norm, bpjs in PATIENTS:
        row = conn.execute(
            select(citizens.c.id, citizens.c.bpjs_number).where(citizens.c.nik == nik)
        ).first()
        if row is None:
            continue
        if row.bpjs_number is None:
            conn.execute(update(citizens).where(citizens.c.id == row.id).values(bpjs_number=bpjs))
        has = conn.execute(
            select(medical_records.c.citizen_id).where(
                medical_records.c.citizen_id == row.id, medical_records.c.office_id == office_id
            )
        ).first()
        if has is None:
            conn.execute(
                insert(medical_records).values(
                    citizen_id=row.id, office_id=office_id, medical_record_number=norm
                )
            )
            added += 1
    return added


def allocate_example(day: dt.date, ticket_id: str) -> dict[str, Any]:
    """``POST /api/v1/tickets/allocate`` for Siti Aminah at the demo internist, JKN.

    ``ticket_id`` is a kiosk's version-4 id, new for each copy of the description:
    an allocate is idempotent by ticket id, so a fixed one would work once per demo
    database (a second kiosk: 409; the next day: yesterday's ticket).
    """
    return {
        "ticket_id": ticket_id,
        "service_id": "poli-dalam",
        "hospital": {"schedule_id": schedule_id(EXAMPLE_DOCTOR, day), "payer": "jkn"},
    }


def registration_example(now: dt.datetime, ticket_id: str, number: str = "D-001") -> dict[str, Any]:
    """``POST /api/v1/submissions``: the registration of :func:`allocate_example`'s ticket.

    ``number`` is the one the allocate answered (``display``).
    """
    return {
        "items": [
            {
                "key": ticket_id,
                "kind": "service_registration",
                "body": {
                    "office_id": "rsud-pku",
                    "service_id": "poli-dalam",
                    "language": "id",
                    "assurance": "signed",
                    "card_uid": None,
                    "card_number": "PKU-000001",
                    "values": {
                        "full_name": "Siti Aminah",
                        "nik": PATIENTS[0][0],
                        "date_of_birth": "1985-03-12",
                        "phone": "081378901234",
                    },
                    "ticket": {
                        "number": number,
                        "issued_at": now.isoformat(timespec="seconds"),
                        "number_source": "online",
                    },
                    "hospital": {
                        "schedule_id": schedule_id(EXAMPLE_DOCTOR, now.date()),
                        "payer": "jkn",
                        "norm": PATIENTS[0][1],
                        "nomorkartu": PATIENTS[0][2],
                        "new_patient": False,
                        "jeniskunjungan": 1,
                        "nomorreferensi": "0001R0011225V000123",
                    },
                },
            }
        ]
    }


def with_todays_examples(
    schema: dict[str, Any], now: dt.datetime, ticket_id: str | None = None
) -> dict[str, Any]:
    """``schema`` (not changed) with the hospital examples for ``now`` (local), as a copy.

    The demo doctors have one schedule per weekday, so the examples name
    today's; the registration's ``issued_at`` is now; the ticket id is a new
    one (``ticket_id``, else a random version-4 id) for every copy, so every
    reader of the description can run its example, any day (Siti Aminah's visit
    is made by the day's first run: one live visit per patient, poli and day).
    """
    ticket_id = ticket_id or str(uuid.uuid4())
    out = copy.deepcopy(schema)
    for path, value in (
        ("/api/v1/tickets/allocate", allocate_example(now.date(), ticket_id)),
        ("/api/v1/submissions", registration_example(now, ticket_id)),
    ):
        body = out.get("paths", {}).get(path, {}).get("post", {}).get("requestBody")
        if isinstance(body, dict):
            media = body.setdefault("content", {}).setdefault("application/json", {})
            media["examples"] = {
                "hospital": {
                    "summary": "A JKN patient at the demo hospital's internist (rsud-pku)",
                    "description": "Works against the demo data (``--seed-demo``) with a kiosk "
                    "enrolled with DEMO-RSUD-PKU-0001: first the allocate, then the "
                    "registration with the number the allocate answered. A patient has one "
                    "live visit per poli and day: run again the same day, the registration "
                    "is stored and makes no second visit (``already_registered``, kept for the "
                    "counter's staff: a kiosk's answer says nothing of the patient).",
                    "value": value,
                }
            }
    return out
