"""Hospital registration (docs/hospital.md): today's doctors, finding and adding patients,
and staff keeping the doctors' schedules.

Patient lookups are POSTs with a JSON body, never a query string (URLs reach
access logs, a NIK must not), counted in the kiosk's lookup budget and
audited (:mod:`central.hospital.patients`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from central.access.audit import utc_now
from central.access.kiosks import said_desk
from central.api.citizens import BirthDate
from central.api.deps import Context, KioskAuth, StaffAuth, kiosk_router, staff_router
from central.api.enrolment import PRINTABLE
from central.api.health_info import HHMM, OfficeId
from central.api.scope import require_office_access
from central.api.shown import ShownModel
from central.errors import Conflict, NotFound, TooManyLookups, Unprocessable
from central.hospital import patients, schedules
from central.office.numbering import local_day
from contract.shown import shape
from contract.wire import ErrorCode

router = kiosk_router(tags=["hospital"])
staff = staff_router(tags=["hospital"])

ScheduleId = Annotated[str, Path(pattern=schedules.SCHEDULE_ID)]


class DoctorTodayOut(BaseModel):
    """One doctor's schedule today (contract.hospital.DoctorToday)."""

    schedule_id: str = Field(examples=["rsud-dalam-andi-1"])
    service_id: str = Field(examples=["poli-dalam"])
    kodepoli: str = Field(examples=["INT"])
    kodedokter: str = Field(examples=["12345"])
    doctor_name: str = Field(examples=["dr. Andi Pratama, Sp.PD"])
    starts: str = Field(examples=["08:00"])
    ends: str = Field(examples=["14:00"])
    quota_jkn: int
    left_jkn: int
    quota_non_jkn: int
    left_non_jkn: int
    minutes_per_patient: int
    closed: bool = Field(
        description="The doctor's hours are over (the office's clock): listed, not bookable."
    )


class DoctorsTodayOut(BaseModel):
    office_id: str
    day: dt.date
    doctors: list[DoctorTodayOut]


@router.get("/api/v1/hospital/doctors/today")
def doctors_today(kiosk: KioskAuth, ctx: Context) -> DoctorsTodayOut:
    """The doctors at this kiosk's office today, with the quota left as of now."""
    now = utc_now()
    day = local_day(now, ctx.settings.zone)
    local = now.astimezone(ctx.settings.zone).time()
    with ctx.db.read() as conn:
        found = schedules.doctors_today(conn, kiosk.office_id, day, local)
    return DoctorsTodayOut(
        office_id=kiosk.office_id,
        day=day,
        doctors=[DoctorTodayOut(**d.to_json()) for d in found],
    )


class FindIn(ShownModel, shown={"value": shape, "birth_date": shape}):
    model_config = ConfigDict(extra="forbid")

    by: Literal["norm", "nik", "nomorkartu", "name"]
    # No min_length: a key of the wrong shape (empty too) is refused by
    # central.hospital.patients after it is counted and audited.
    value: str = Field(max_length=200, examples=["000123"])
    birth_date: BirthDate = Field(examples=["1985-03-12"])
    desk: bool = Field(
        default=False,
        description="Sent by the registration desk (`kiosk run --desk`); read by no rule. "
        "Whether a name search is allowed and the phone and address are answered is the "
        "centre's to say: only for a kiosk staff enrolled as a desk (a desk enrolment code), "
        "whatever this says.",
    )


#: A patient's fields that are hers (a body's ``repr`` writes them by their size).
PERSONAL = ("nik", "nomorkartu", "name", "birth_date", "sex", "phone", "address")


class PatientOut(ShownModel, shown=dict.fromkeys(PERSONAL, shape)):
    norm: str = Field(description="No. RM at this office; empty: none yet.")
    nik: str
    nomorkartu: str = Field(description="BPJS card number; empty: not known.")
    name: str
    birth_date: dt.date
    sex: str = Field(description="L or P; empty: not known.")
    phone: str
    address: str


class PatientsOut(BaseModel):
    patients: list[PatientOut]
    more: bool = Field(
        default=False,
        description="More patients match than the 10 answered: give more of the name.",
    )


def _out(p: patients.Patient) -> PatientOut:
    return PatientOut(
        norm=p.norm,
        nik=p.nik,
        nomorkartu=p.nomorkartu,
        name=p.name,
        birth_date=p.birth_date,
        sex=p.sex,
        phone=p.phone,
        address=p.address,
    )


@router.post(
    "/api/v1/hospital/patients/find",
    responses={
        403: {
            "description": "The kiosk's office is no hospital, or a name search from a kiosk "
            "staff did not enrol as a registration desk."
        },
        404: {"description": "`unknown_patient`: no such patient, or a wrong date of birth."},
        422: {"description": "A key of the wrong shape (a NIK is 16 digits, …)."},
        429: {"description": "`too_many_lookups`: the kiosk's hourly lookup budget."},
    },
)
def find_patients(body: FindIn, kiosk: KioskAuth, ctx: Context) -> PatientsOut:
    """A patient by No. RM, NIK or BPJS number, or up to 10 by name; each with the date of birth.

    Only for kiosks of a hospital (an office with polis); the name search, the
    phone and the address only for a kiosk enrolled as a desk (``kiosk.desk``: staff
    made it one), whatever the body's ``desk`` says (docs/hospital.md).
    """
    said_desk(kiosk, body.desk, "no name search, no phone or address")
    with ctx.db.begin() as conn:
        found = patients.find(
            conn,
            patients.FindBy(body.by),
            body.value,
            body.birth_date,
            office_id=kiosk.office_id,
            kiosk_id=kiosk.kiosk_id,
            audit_key=ctx.audit_key,
            budget=ctx.settings.lookup_budget,
            now=utc_now(),
            desk=kiosk.desk,
        )
    if isinstance(found, patients.Refused):  # after the commit: the attempt stays audited
        raise TooManyLookups(found.retry_after_s)
    if isinstance(found, patients.Malformed):  # likewise: counted and audited first
        raise Unprocessable(found.detail)
    if not found.patients:
        raise NotFound(
            "Pasien tidak ditemukan, atau tanggal lahir tidak sesuai. / "
            "No such patient, or the date of birth does not match.",
            code=ErrorCode.UNKNOWN_PATIENT,
        )
    return PatientsOut(patients=[_out(p) for p in found.patients], more=found.more)


class NewPatientIn(ShownModel, shown=dict.fromkeys(PERSONAL, shape)):
    model_config = ConfigDict(extra="forbid")

    nik: str = Field(pattern=r"^[0-9]{16}$", examples=["1471015203850001"])
    nomorkartu: str = Field(default="", pattern=r"^([0-9]{13})?$")
    name: str = Field(min_length=1, max_length=200, pattern=PRINTABLE, examples=["Siti Aminah"])
    birth_date: BirthDate = Field(examples=["1990-01-01"])
    sex: Literal["L", "P"] = Field(examples=["L"])
    phone: str = Field(default="", pattern=r"^(\+?[0-9]{8,15})?$")
    address: str = Field(default="", max_length=300, pattern=r"^[^\x00-\x1f\x7f]*$")


class NormOut(BaseModel):
    norm: str = Field(examples=["000125"])


@router.post(
    "/api/v1/hospital/patients",
    status_code=201,
    responses={
        200: {"description": "The NIK has a No. RM at this office already: that one."},
        403: {
            "description": "The kiosk's office is no hospital, or the kiosk is not one staff "
            "enrolled as a registration desk."
        },
        409: {"description": "The BPJS number belongs to another patient."},
        422: {
            "description": "A NIK that cannot exist, or one that disagrees with the date "
            "of birth or sex."
        },
        429: {"description": "`too_many_lookups`: the kiosk's hourly lookup budget."},
    },
)
def new_patient(body: NewPatientIn, kiosk: KioskAuth, ctx: Context, response: Response) -> NormOut:
    """A new patient of this office: the next No. RM (six digits). Only for a kiosk
    staff enrolled as a registration desk (``kiosk.desk``)."""
    said_desk(kiosk, True, "no new patient")  # only a desk adds one, whatever it says
    patient = patients.NewPatient(
        nik=body.nik,
        name=body.name,
        birth_date=body.birth_date,
        sex=body.sex,
        nomorkartu=body.nomorkartu,
        phone=body.phone,
        address=body.address,
    )
    for attempt in range(3):
        try:
            with ctx.db.begin() as conn:
                done = patients.register(
                    conn,
                    patient,
                    office_id=kiosk.office_id,
                    kiosk_id=kiosk.kiosk_id,
                    audit_key=ctx.audit_key,
                    budget=ctx.settings.lookup_budget,
                    now=utc_now(),
                    desk=kiosk.desk,
                )
            break
        except IntegrityError:
            # PostgreSQL: another desk added this NIK at the same moment; read it again.
            if attempt == 2:
                raise
    if isinstance(done, patients.Refused):
        raise TooManyLookups(done.retry_after_s)
    if isinstance(done, patients.BpjsTaken):
        raise Conflict(
            "Nomor kartu BPJS ini milik pasien lain. / This BPJS number belongs to another patient."
        )
    norm, created = done
    if not created:
        response.status_code = 200
    return NormOut(norm=norm)


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_id: str = Field(min_length=1, max_length=64, examples=["poli-dalam"])
    kodedokter: str = Field(min_length=1, max_length=32, pattern=PRINTABLE, examples=["12345"])
    doctor_name: str = Field(
        min_length=1, max_length=200, pattern=PRINTABLE, examples=["dr. Andi Pratama, Sp.PD"]
    )
    weekday: int = Field(ge=1, le=7, strict=True, description="ISO: 1 Monday … 7 Sunday.")
    starts: str = Field(pattern=HHMM, examples=["08:00"])
    ends: str = Field(pattern=HHMM, examples=["14:00"])
    quota_jkn: int = Field(ge=0, le=schedules.MAX_QUOTA, strict=True)
    quota_non_jkn: int = Field(ge=0, le=schedules.MAX_QUOTA, strict=True)
    minutes_per_patient: int = Field(ge=1, le=schedules.MAX_MINUTES, strict=True)
    practitioner_id: str = Field(
        default="", max_length=64, pattern=r"^[A-Za-z0-9._-]*$", description="SATUSEHAT."
    )


class ScheduleOut(ScheduleIn):
    schedule_id: str
    office_id: str


class SchedulesOut(BaseModel):
    office_id: str
    schedules: list[ScheduleOut]


def _schedule_out(row: object) -> ScheduleOut:
    r = row._mapping  # type: ignore[attr-defined]
    return ScheduleOut(
        schedule_id=r["id"],
        office_id=r["office_id"],
        service_id=r["service_id"],
        kodedokter=r["kodedokter"],
        doctor_name=r["doctor_name"],
        weekday=r["weekday"],
        starts=r["starts"],
        ends=r["ends"],
        quota_jkn=r["quota_jkn"],
        quota_non_jkn=r["quota_non_jkn"],
        minutes_per_patient=r["minutes_per_patient"],
        practitioner_id=r["practitioner_id"] or "",
    )


@staff.get("/api/v1/staff/hospital/{office_id}/schedules", responses={403: {}})
def list_schedules(office_id: OfficeId, who: StaffAuth, ctx: Context) -> SchedulesOut:
    """The office's doctors' schedules."""
    require_office_access(who, office_id)
    with ctx.db.read() as conn:
        rows = schedules.listing(conn, office_id)
    return SchedulesOut(office_id=office_id, schedules=[_schedule_out(r) for r in rows])


@staff.put(
    "/api/v1/staff/hospital/{office_id}/schedules/{schedule_id}",
    responses={
        201: {"description": "A new schedule."},
        403: {},
        404: {"description": "`unknown_schedule`: the id is another office's."},
        422: {"description": "Not a poli of the office, hours or quota out of range."},
    },
)
def put_schedule(
    office_id: OfficeId,
    schedule_id: ScheduleId,
    body: ScheduleIn,
    who: StaffAuth,
    ctx: Context,
    response: Response,
) -> ScheduleOut:
    """Add or replace a doctor's schedule; today's quota follows at once."""
    require_office_access(who, office_id)
    now = utc_now()
    fields = schedules.ScheduleFields(**body.model_dump())
    with ctx.db.begin() as conn:
        created = schedules.put(
            conn,
            office_id,
            schedule_id,
            fields,
            actor=who.actor,
            now=now,
            today=local_day(now, ctx.settings.zone),
        )
        row = schedules.find(conn, office_id, schedule_id)
    if created:
        response.status_code = 201
    return _schedule_out(row)


@staff.delete(
    "/api/v1/staff/hospital/{office_id}/schedules/{schedule_id}",
    status_code=204,
    responses={403: {}, 404: {"description": "`unknown_schedule`."}},
)
def delete_schedule(
    office_id: OfficeId, schedule_id: ScheduleId, who: StaffAuth, ctx: Context
) -> Response:
    """Remove a doctor's schedule; visits keep the doctor they were registered with."""
    require_office_access(who, office_id)
    with ctx.db.begin() as conn:
        schedules.remove(conn, office_id, schedule_id, actor=who.actor)
    return Response(status_code=204)
