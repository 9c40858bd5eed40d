"""Kiosk heartbeats and the staff's fleet view (see :mod:`central.office.fleet`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from central.access.kiosks import kiosk_code_of
from central.api.deps import Context, KioskAuth, StaffAuth, kiosk_router, staff_router
from central.api.enrolment import PRINTABLE
from central.api.queue import SERVICE_ID
from central.api.scope import office_filter
from central.api.staff import OFFICE_ID
from central.office import fleet
from central.times import ApiDate, ApiDateTime
from contract.wire import HeartbeatAck

router = kiosk_router(tags=["fleet"])
staff = staff_router(tags=["fleet"])

DeviceStateName = Literal["ok", "fault", "unknown"]
_BIG = 10**9


class DeviceState(BaseModel):
    state: DeviceStateName
    detail: str = Field(default="", max_length=200, pattern=PRINTABLE)


class OutboxState(BaseModel):
    pending: int = Field(ge=0, le=_BIG)
    dead: int = Field(ge=0, le=_BIG)
    oldest_pending_age_s: float | None = Field(
        default=None, ge=0, le=10 * 365 * 86400, description="Age of the oldest pending item."
    )


class LeaseState(BaseModel):
    service_id: str = Field(pattern=SERVICE_ID)  # any service a kiosk may lease
    day: ApiDate
    left: int = Field(ge=0, le=_BIG)
    expires_at: ApiDateTime


class HeartbeatRequest(BaseModel):
    """What the kiosk reports every 30 s. Unknown fields are ignored (newer kiosks)."""

    sent_at: ApiDateTime = Field(description="The kiosk's clock when it sent this.")
    version: str = Field(min_length=1, max_length=64, pattern=PRINTABLE)
    reader: DeviceState
    printer: DeviceState
    outbox: OutboxState
    leases: list[LeaseState] = Field(default_factory=list, max_length=100)
    catalog_version: str | None = Field(default=None, max_length=100, pattern=PRINTABLE)


@router.post("/api/v1/heartbeats")
def heartbeat(body: HeartbeatRequest, kiosk: KioskAuth, ctx: Context) -> HeartbeatAck:
    """Record the kiosk's state; only the latest beat per kiosk is kept."""
    beat = fleet.Heartbeat(
        sent_at=body.sent_at,
        version=body.version,
        reader_state=body.reader.state,
        reader_detail=body.reader.detail,
        printer_state=body.printer.state,
        printer_detail=body.printer.detail,
        outbox_pending=body.outbox.pending,
        outbox_dead=body.outbox.dead,
        outbox_oldest_pending_s=body.outbox.oldest_pending_age_s,
        catalog_version=body.catalog_version,
        leases=[lease.model_dump(mode="json") for lease in body.leases],
    )
    with ctx.db.begin() as conn:
        now = fleet.record_heartbeat(conn, kiosk.kiosk_id, beat)
        code = kiosk_code_of(conn, kiosk.kiosk_id)
    return HeartbeatAck(server_time=now, kiosk_code=code)


class FleetKioskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kiosk_id: str
    name: str
    office_id: str
    kiosk_code: str | None
    last_seen: dt.datetime | None = Field(description="When the latest heartbeat arrived.")
    stale: bool = Field(description=f"No heartbeat for {fleet.STALE_AFTER_S} s, or never.")
    faults: list[str] = Field(description="Codes; see docs/central-api.md.")
    outbox_pending: int | None
    outbox_dead: int | None
    version: str | None
    clock_skew_s: float | None = Field(description="The kiosk's clock minus the server's.")
    reader_detail: str | None
    printer_detail: str | None
    catalog_version: str | None
    leases: list[dict[str, Any]]


class FleetResponse(BaseModel):
    kiosks: list[FleetKioskOut]


@staff.get("/api/v1/staff/fleet", responses={403: {}})
def fleet_view(
    who: StaffAuth,
    ctx: Context,
    office_id: Annotated[str | None, Query(pattern=OFFICE_ID)] = None,
) -> FleetResponse:
    """Every live kiosk (of the staff's office, or ``office_id``), when seen and what is wrong."""
    scope = office_filter(who, office_id)
    with ctx.db.read() as conn:
        found = fleet.fleet(conn, office_id=scope)
    return FleetResponse(kiosks=[FleetKioskOut.model_validate(k) for k in found])
