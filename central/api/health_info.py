"""Health information: kiosks read their office's; staff keep wards and doctors on duty current."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Self

from fastapi import Path, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from central.api.deps import Context, KioskAuth, StaffAuth, kiosk_router, staff_router
from central.api.enrolment import PRINTABLE
from central.api.scope import require_office_access
from central.errors import NotFound
from central.office import health_info
from contract.wire import ErrorCode, Ward

router = kiosk_router(tags=["health"])
staff = staff_router(tags=["health"])

ID = r"^[a-z0-9][a-z0-9-]{0,63}$"
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
OfficeId = Annotated[str, Path(pattern=ID)]
WardId = Annotated[str, Path(pattern=ID)]
_MAX_BEDS = 100_000


class WardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=PRINTABLE, examples=["Ruang Melati"])
    beds_total: int = Field(ge=0, le=_MAX_BEDS)
    beds_free: int = Field(ge=0, le=_MAX_BEDS, description="At most beds_total.")

    @model_validator(mode="after")
    def _free_within_total(self) -> Self:
        if self.beds_free > self.beds_total:
            raise ValueError("beds_free must not exceed beds_total")
        return self


class DoctorOnDuty(BaseModel):
    """One shift; times are the office's local "HH:MM" (until < from: past midnight)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=PRINTABLE, examples=["dr. Andi"])
    specialty: str = Field(default="", max_length=100, pattern=PRINTABLE, examples=["Dokter Umum"])
    room: str = Field(default="", max_length=100, pattern=PRINTABLE, examples=["Poli Umum 1"])
    from_: str = Field(alias="from", pattern=HHMM, examples=["07:30"])
    until: str = Field(pattern=HHMM, examples=["14:00"])


class DoctorsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doctors: list[DoctorOnDuty] = Field(max_length=200)


class DoctorsOut(BaseModel):
    office_id: str
    doctors: list[DoctorOnDuty]


class HealthInfoOut(BaseModel):
    office_id: str
    updated_at: dt.datetime | None = Field(description="The last change by staff; null: never.")
    wards: list[Ward]
    doctors_on_duty: list[DoctorOnDuty]


def _doctor_out(d: health_info.Doctor) -> DoctorOnDuty:
    return DoctorOnDuty.model_validate(
        {
            "name": d.name,
            "specialty": d.specialty,
            "room": d.room,
            "from": d.from_time,
            "until": d.until_time,
        }
    )


def _info_out(info: health_info.HealthInfo) -> HealthInfoOut:
    return HealthInfoOut(
        office_id=info.office_id,
        updated_at=info.updated_at,
        wards=list(info.wards),
        doctors_on_duty=[_doctor_out(d) for d in info.doctors],
    )


@router.get("/api/v1/health-info", response_model_by_alias=True)
def kiosk_health_info(kiosk: KioskAuth, ctx: Context) -> HealthInfoOut:
    """Beds and doctors on duty at the kiosk's office (empty lists where staff keep none)."""
    with ctx.db.read() as conn:
        return _info_out(health_info.read(conn, kiosk.office_id))


@staff.get("/api/v1/staff/offices/{office_id}/health-info", responses={403: {}})
def staff_health_info(office_id: OfficeId, who: StaffAuth, ctx: Context) -> HealthInfoOut:
    """The same as kiosks see, for any office the staff member may act for."""
    require_office_access(who, office_id)
    with ctx.db.read() as conn:
        return _info_out(health_info.read(conn, office_id))


@staff.put("/api/v1/staff/offices/{office_id}/wards/{ward_id}", responses={403: {}, 404: {}})
def put_ward(
    office_id: OfficeId, ward_id: WardId, body: WardIn, who: StaffAuth, ctx: Context
) -> Ward:
    """Add or replace a ward and its bed counts."""
    require_office_access(who, office_id)
    with ctx.db.begin() as conn:
        ward = health_info.put_ward(
            conn,
            office_id,
            ward_id,
            name=body.name,
            beds_total=body.beds_total,
            beds_free=body.beds_free,
            actor=who.actor,
        )
    return ward


@staff.delete(
    "/api/v1/staff/offices/{office_id}/wards/{ward_id}",
    status_code=204,
    responses={403: {}, 404: {}},
)
def delete_ward(office_id: OfficeId, ward_id: WardId, who: StaffAuth, ctx: Context) -> Response:
    """Remove a ward (closed for good, or entered by mistake)."""
    require_office_access(who, office_id)
    with ctx.db.begin() as conn:
        if not health_info.delete_ward(conn, office_id, ward_id, actor=who.actor):
            raise NotFound(f"no ward {ward_id!r} at {office_id!r}", code=ErrorCode.UNKNOWN_WARD)
    return Response(status_code=204)


@staff.put("/api/v1/staff/offices/{office_id}/doctors-on-duty", responses={403: {}, 404: {}})
def put_doctors(office_id: OfficeId, body: DoctorsIn, who: StaffAuth, ctx: Context) -> DoctorsOut:
    """Replace the office's roster of doctors on duty."""
    require_office_access(who, office_id)
    doctors = [
        health_info.Doctor(d.name, d.specialty, d.room, d.from_, d.until) for d in body.doctors
    ]
    with ctx.db.begin() as conn:
        health_info.put_doctors(conn, office_id, doctors, actor=who.actor)
    return DoctorsOut(office_id=office_id, doctors=[_doctor_out(d) for d in doctors])
