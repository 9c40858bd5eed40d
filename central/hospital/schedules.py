"""Doctors' weekly schedules at a hospital's polis, and today's doctors with the quota left.

A schedule is one doctor at one poli on one ISO weekday (1 Monday … 7
Sunday), with hours and a quota for JKN and non-JKN patients. Staff keep
them (``PUT``/``DELETE /api/v1/staff/hospital/{office}/schedules/{id}``, the
page ``/office/schedules``); a kiosk reads today's
(``GET /api/v1/hospital/doctors/today``) and caches them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select, update

from central.access.audit import record_event
from central.errors import NotFound, Unprocessable
from central.office.plain_text import has_invisible
from central.tables import doctor_quota, doctor_schedules, services
from central.upsert import upsert
from contract.errors import HospitalError
from contract.hospital import DoctorToday, parse_hhmm
from contract.wire import ErrorCode

#: A schedule's id, as staff or the BPJS import name it.
SCHEDULE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
MAX_QUOTA = 999
MAX_MINUTES = 240


@dataclass(frozen=True)
class ScheduleFields:
    """What staff set of a schedule (the body of its ``PUT``)."""

    service_id: str
    kodedokter: str
    doctor_name: str
    weekday: int
    starts: str
    ends: str
    quota_jkn: int
    quota_non_jkn: int
    minutes_per_patient: int
    practitioner_id: str = ""


@dataclass(frozen=True)
class Poli:
    service_id: str
    kodepoli: str
    name: str
    location_id: str


def polis(conn: Connection, office_id: str) -> dict[str, Poli]:
    """The office's active polis (services with a ``kodepoli``), by service id."""
    rows = conn.execute(
        select(services.c.id, services.c.kodepoli, services.c.name, services.c.location_id)
        .where(
            services.c.office_id == office_id,
            services.c.active.is_(True),
            services.c.kodepoli.is_not(None),
        )
        .order_by(services.c.id)
    )
    return {r.id: Poli(r.id, r.kodepoli, r.name, r.location_id or "") for r in rows}


#: BPJS's doctor code (``kodedokter``, a number at BPJS): printable ASCII, so what is
#: stored is what BPJS is sent, never a digit of another script turned into a number.
KODEDOKTER = re.compile(r"[!-~]{1,32}", re.ASCII)
PRACTITIONER_ID = re.compile(r"[A-Za-z0-9._-]{0,64}", re.ASCII)
#: C0 and C1 control characters and DEL (PostgreSQL refuses NUL in text outright).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check(conn: Connection, office_id: str, fields: ScheduleFields) -> None:
    """Refuse (422) a schedule that cannot be kept: Indonesian first, English second.

    The one check of a schedule: the staff API and the staff page both reach it
    through :func:`put`, so neither can store what the other refuses.
    """
    if fields.service_id not in polis(conn, office_id):
        raise Unprocessable(
            f"Layanan {fields.service_id!r} bukan poli kantor ini. / "
            f"{fields.service_id!r} is not a poli of this office.",
            code=ErrorCode.UNKNOWN_SERVICE,
        )
    if not 1 <= fields.weekday <= 7:
        raise Unprocessable("Hari harus 1 (Senin) sampai 7 (Minggu). / weekday: 1 to 7.")
    try:
        starts, ends = parse_hhmm(fields.starts), parse_hhmm(fields.ends)
    except HospitalError:
        raise Unprocessable("Jam harus JJ:MM. / Hours must be HH:MM.") from None
    if starts >= ends:
        raise Unprocessable("Jam mulai harus sebelum jam selesai. / starts must be before ends.")
    for name, value in (("quota_jkn", fields.quota_jkn), ("quota_non_jkn", fields.quota_non_jkn)):
        if not 0 <= value <= MAX_QUOTA:
            raise Unprocessable(f"Kuota 0 sampai {MAX_QUOTA}. / {name}: 0 to {MAX_QUOTA}.")
    if not 1 <= fields.minutes_per_patient <= MAX_MINUTES:
        raise Unprocessable(
            f"Menit per pasien 1 sampai {MAX_MINUTES}. / minutes_per_patient: 1 to {MAX_MINUTES}."
        )
    if not fields.kodedokter.strip() or not fields.doctor_name.strip():
        raise Unprocessable("Kode dan nama dokter wajib. / kodedokter and doctor_name required.")
    if not KODEDOKTER.fullmatch(fields.kodedokter.strip()):
        raise Unprocessable(
            "Kode dokter BPJS: 1 sampai 32 huruf atau angka latin, tanpa spasi. / "
            "kodedokter: 1 to 32 ASCII letters, digits or signs, no spaces."
        )
    name = fields.doctor_name.strip()
    if len(name) > 200 or _CONTROL.search(name) or has_invisible(name):
        raise Unprocessable(
            "Nama dokter: sampai 200 karakter, tanpa karakter kendali atau tak terlihat. / "
            "doctor_name: up to 200 characters, no control or invisible characters."
        )
    if not PRACTITIONER_ID.fullmatch(fields.practitioner_id):
        raise Unprocessable(
            "ID Practitioner SATUSEHAT: sampai 64 huruf, angka, titik, garis. / "
            "practitioner_id: up to 64 of A-Z a-z 0-9 . _ -"
        )


def put(
    conn: Connection,
    office_id: str,
    schedule_id: str,
    fields: ScheduleFields,
    *,
    actor: str,
    now: dt.datetime,
    today: dt.date,
) -> bool:
    """Create or replace a schedule (audited); ``True`` if new. Today's and later counter
    rows take the new quota (places already taken stay taken)."""
    check(conn, office_id, fields)
    existing = conn.execute(
        select(doctor_schedules.c.office_id).where(doctor_schedules.c.id == schedule_id)
    ).first()
    if existing is not None and existing.office_id != office_id:
        raise NotFound("no such schedule at this office", code=ErrorCode.UNKNOWN_SCHEDULE)
    upsert(
        conn,
        doctor_schedules,
        {"id": schedule_id},
        {
            "office_id": office_id,
            "service_id": fields.service_id,
            "kodedokter": fields.kodedokter.strip()[:32],
            "doctor_name": fields.doctor_name.strip()[:200],
            "weekday": fields.weekday,
            "starts": fields.starts,
            "ends": fields.ends,
            "quota_jkn": fields.quota_jkn,
            "quota_non_jkn": fields.quota_non_jkn,
            "minutes_per_patient": fields.minutes_per_patient,
            "practitioner_id": fields.practitioner_id.strip()[:64] or None,
            "updated_at": now,
            "updated_by": actor[:100],
        },
    )
    conn.execute(
        update(doctor_quota)
        .where(doctor_quota.c.schedule_id == schedule_id, doctor_quota.c.day >= today)
        .values(quota_jkn=fields.quota_jkn, quota_non_jkn=fields.quota_non_jkn)
    )
    record_event(
        conn,
        actor=actor,
        action="schedule_saved",
        subject=f"schedule:{schedule_id}"[:100],
        detail=f"{office_id} {fields.service_id} day {fields.weekday} "
        f"{fields.starts}-{fields.ends} quota {fields.quota_jkn}/{fields.quota_non_jkn}",
    )
    return existing is None


def remove(conn: Connection, office_id: str, schedule_id: str, *, actor: str) -> None:
    """Delete a schedule (404 ``unknown_schedule``). Visits keep their doctor as registered."""
    done = conn.execute(
        delete(doctor_schedules).where(
            doctor_schedules.c.id == schedule_id, doctor_schedules.c.office_id == office_id
        )
    )
    if done.rowcount == 0:
        raise NotFound("no such schedule at this office", code=ErrorCode.UNKNOWN_SCHEDULE)
    record_event(
        conn,
        actor=actor,
        action="schedule_removed",
        subject=f"schedule:{schedule_id}"[:100],
        detail=office_id,
    )


def listing(conn: Connection, office_id: str) -> list[Any]:
    """The office's schedules, by poli, weekday and hours."""
    return list(
        conn.execute(
            select(doctor_schedules)
            .where(doctor_schedules.c.office_id == office_id)
            .order_by(
                doctor_schedules.c.service_id,
                doctor_schedules.c.weekday,
                doctor_schedules.c.starts,
                doctor_schedules.c.id,
            )
        )
    )


def find(conn: Connection, office_id: str, schedule_id: str) -> Any:
    """The office's schedule ``schedule_id``, or 404 ``unknown_schedule``."""
    row = conn.execute(
        select(doctor_schedules).where(
            doctor_schedules.c.id == schedule_id, doctor_schedules.c.office_id == office_id
        )
    ).first()
    if row is None:
        raise NotFound("no such schedule at this office", code=ErrorCode.UNKNOWN_SCHEDULE)
    return row


def doctors_today(
    conn: Connection, office_id: str, day: dt.date, local_now: dt.time | None = None
) -> list[DoctorToday]:
    """The doctors at the office's polis on ``day``, with the quota left as of now.

    ``local_now`` (the office's clock, ``day`` being today): a doctor whose hours
    ended is ``closed``; listed so the kiosk can say so, never bookable.
    """
    poli_of = polis(conn, office_id)
    rows = conn.execute(
        select(
            doctor_schedules,
            doctor_quota.c.used_jkn,
            doctor_quota.c.used_non_jkn,
        )
        .select_from(
            doctor_schedules.outerjoin(
                doctor_quota,
                (doctor_quota.c.schedule_id == doctor_schedules.c.id) & (doctor_quota.c.day == day),
            )
        )
        .where(
            doctor_schedules.c.office_id == office_id,
            doctor_schedules.c.weekday == day.isoweekday(),
        )
        .order_by(doctor_schedules.c.service_id, doctor_schedules.c.starts, doctor_schedules.c.id)
    )
    out = []
    for r in rows:
        poli = poli_of.get(r.service_id)
        if poli is None:  # the service left the catalog or is no poli any more
            continue
        out.append(
            DoctorToday(
                schedule_id=r.id,
                service_id=r.service_id,
                kodepoli=poli.kodepoli,
                kodedokter=r.kodedokter,
                doctor_name=r.doctor_name,
                starts=r.starts,
                ends=r.ends,
                quota_jkn=r.quota_jkn,
                left_jkn=max(0, r.quota_jkn - (r.used_jkn or 0)),
                quota_non_jkn=r.quota_non_jkn,
                left_non_jkn=max(0, r.quota_non_jkn - (r.used_non_jkn or 0)),
                minutes_per_patient=r.minutes_per_patient,
                closed=local_now is not None and parse_hhmm(r.ends) <= local_now,
            )
        )
    return out


def is_schedule_id(value: str) -> bool:
    return re.fullmatch(SCHEDULE_ID, value) is not None
