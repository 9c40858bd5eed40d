"""Health information per office: wards with their beds, and today's doctors on duty.

Staff of a hospital or puskesmas keep it current; kiosks of that office show
it (``GET /api/v1/health-info``). Wards are set one at a time; the doctors'
roster is replaced as a whole. Roster times are the office's local "HH:MM"
(``until`` before ``from``: a night shift past midnight), so a standing
roster stays right from day to day until staff change it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from central.access.audit import utc_now
from central.access.kiosks import require_office
from central.tables import doctors_on_duty, health_info, wards
from central.upsert import upsert
from contract.wire import Ward


@dataclass(frozen=True)
class Doctor:
    name: str
    specialty: str
    room: str
    from_time: str  # "HH:MM", the office's local time
    until_time: str


@dataclass(frozen=True)
class HealthInfo:
    office_id: str
    updated_at: dt.datetime | None
    wards: list[Ward]
    doctors: list[Doctor]


def _touch(conn: Connection, office_id: str, actor: str, now: dt.datetime) -> None:
    upsert(conn, health_info, {"office_id": office_id}, {"updated_at": now, "updated_by": actor})


def put_ward(
    conn: Connection,
    office_id: str,
    ward_id: str,
    *,
    name: str,
    beds_total: int,
    beds_free: int,
    actor: str,
) -> Ward:
    """Add or replace one ward (``0 <= beds_free <= beds_total``, checked by the caller too)."""
    if not 0 <= beds_free <= beds_total:
        raise ValueError("need 0 <= beds_free <= beds_total")
    require_office(conn, office_id)
    now = utc_now()
    values: dict[str, Any] = {
        "name": name,
        "beds_total": beds_total,
        "beds_free": beds_free,
        "updated_at": now,
    }
    upsert(conn, wards, {"office_id": office_id, "ward_id": ward_id}, values)
    _touch(conn, office_id, actor, now)
    return Ward(ward_id, name, beds_total, beds_free, now)


def delete_ward(conn: Connection, office_id: str, ward_id: str, *, actor: str) -> bool:
    """Remove a ward; ``False`` if there was none."""
    require_office(conn, office_id)
    result = conn.execute(
        delete(wards).where(wards.c.office_id == office_id, wards.c.ward_id == ward_id)
    )
    if result.rowcount:
        _touch(conn, office_id, actor, utc_now())
    return bool(result.rowcount)


def put_doctors(conn: Connection, office_id: str, doctors: list[Doctor], *, actor: str) -> None:
    """Replace the office's roster of doctors on duty (an empty list clears it)."""
    require_office(conn, office_id)
    conn.execute(delete(doctors_on_duty).where(doctors_on_duty.c.office_id == office_id))
    if doctors:
        conn.execute(
            insert(doctors_on_duty),
            [
                {
                    "office_id": office_id,
                    "position": i,
                    "name": d.name,
                    "specialty": d.specialty,
                    "room": d.room,
                    "from_time": d.from_time,
                    "until_time": d.until_time,
                }
                for i, d in enumerate(doctors)
            ],
        )
    _touch(conn, office_id, actor, utc_now())


def read(conn: Connection, office_id: str) -> HealthInfo:
    """An office's health information (empty lists and ``updated_at`` ``None`` if never set)."""
    updated_at = conn.execute(
        select(health_info.c.updated_at).where(health_info.c.office_id == office_id)
    ).scalar_one_or_none()
    ward_rows = conn.execute(
        select(wards).where(wards.c.office_id == office_id).order_by(wards.c.ward_id)
    )
    doctor_rows = conn.execute(
        select(doctors_on_duty)
        .where(doctors_on_duty.c.office_id == office_id)
        .order_by(doctors_on_duty.c.position)
    )
    return HealthInfo(
        office_id=office_id,
        updated_at=updated_at,
        wards=[Ward(r.ward_id, r.name, r.beds_total, r.beds_free, r.updated_at) for r in ward_rows],
        doctors=[
            Doctor(r.name, r.specialty, r.room, r.from_time, r.until_time) for r in doctor_rows
        ],
    )


#: The demo: a puskesmas inside the demo office (its general clinic is a demo service).
DEMO_WARDS = (
    ("rawat-inap", "Rawat Inap Umum", 12, 5),
    ("bersalin", "Ruang Bersalin", 4, 1),
    ("igd", "IGD (Gawat Darurat)", 6, 0),
)
DEMO_DOCTORS = (
    Doctor("dr. Andi Pratama", "Dokter Umum", "Poli Umum 1", "07:30", "14:00"),
    Doctor("dr. Maya Sari", "Dokter Umum", "Poli Umum 2", "14:00", "21:00"),
    Doctor("drg. Rudi Hartono", "Dokter Gigi", "Poli Gigi", "08:00", "12:00"),
    Doctor("dr. Lestari Wahyuni", "Dokter Jaga IGD", "IGD", "21:00", "07:30"),
)


def seed_demo(conn: Connection, office_id: str) -> bool:
    """The demo health information for ``office_id``, unless it has some; ``True`` if added."""
    has_any = conn.execute(
        select(health_info.c.office_id).where(health_info.c.office_id == office_id)
    ).first()
    if has_any is not None:
        return False
    for ward_id, name, total, free in DEMO_WARDS:
        put_ward(
            conn, office_id, ward_id, name=name, beds_total=total, beds_free=free, actor="demo"
        )
    put_doctors(conn, office_id, list(DEMO_DOCTORS), actor="demo")
    return True
