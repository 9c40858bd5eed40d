"""Hospital visits written straight into a centre's database, for the SATUSEHAT tests.

The office (a hospital), its poli with a SATUSEHAT Location, a doctor's schedule
with a SATUSEHAT Practitioner, a citizen and the visit's ``hospital_visits`` row:
what the registration route writes, without a kiosk, so the tests start at the
integration triggers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, insert, select

from central.tables import citizens, doctor_schedules, hospital_visits, offices, services

OFFICE = "rsud-test"
POLI = "poli-dalam"


def hospital(conn: Connection, *, location_id: str, practitioner_id: str, now: dt.datetime) -> None:
    """The hospital, its Penyakit Dalam poli and one doctor's schedule (once)."""
    if conn.execute(select(offices.c.id).where(offices.c.id == OFFICE)).first() is not None:
        return
    conn.execute(insert(offices).values(id=OFFICE, name="RSUD Uji", city="Pekanbaru", active=True))
    conn.execute(
        insert(services).values(
            id=POLI,
            office_id=OFFICE,
            category="kesehatan",
            name="Poli Penyakit Dalam",
            ticket_prefix="D",
            counter="Poli Dalam",
            active=True,
            kodepoli="INT",
            location_id=location_id or None,
        )
    )
    conn.execute(
        insert(doctor_schedules).values(
            id="sch-1",
            office_id=OFFICE,
            service_id=POLI,
            kodedokter="12345",
            doctor_name="dr. Andi, Sp.PD",
            weekday=now.isoweekday(),
            starts="08:00",
            ends="12:00",
            quota_jkn=10,
            quota_non_jkn=10,
            minutes_per_patient=10,
            practitioner_id=practitioner_id or None,
            updated_at=now,
            updated_by="test",
        )
    )


def visit(conn: Connection, *, ticket_id: str, nik: str, name: str, now: dt.datetime) -> None:
    """A JKN visit of the citizen ``nik`` at the poli, its ticket ``ticket_id``."""
    citizen = conn.execute(select(citizens.c.id).where(citizens.c.nik == nik)).scalar()
    if citizen is None:
        citizen = conn.execute(
            insert(citizens)
            .values(nik=nik, full_name=name, updated_at=now)
            .returning(citizens.c.id)
        ).scalar_one()
    conn.execute(
        insert(hospital_visits).values(
            ticket_id=ticket_id,
            kodebooking=f"B{ticket_id}",
            office_id=OFFICE,
            service_id=POLI,
            schedule_id="sch-1",
            kodepoli="INT",
            kodedokter="12345",
            doctor_name="dr. Andi, Sp.PD",
            jampraktek="08:00-12:00",
            day=now.date(),
            payer="jkn",
            citizen_id=citizen,
            nik=nik,
            new_patient=False,
            jeniskunjungan=1,
            nomorantrean="D-001",
            angkaantrean=1,
            estimated_at="08:00",
            source="kiosk",
            state="registered",
            over_quota=False,
            created_at=now,
        )
    )
