"""``GET /api/v1/staff/statistics``: tickets, registrations, complaints per day and service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from central.access.audit import utc_now
from central.api.deps import Context, StaffAuth, staff_router
from central.api.scope import office_filter
from central.api.staff import OFFICE_ID
from central.errors import InvalidRange
from central.office import statistics
from central.office.numbering import local_day
from central.times import ApiDate

staff = staff_router(tags=["statistics"])


class StatisticsRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    day: dt.date = Field(description="The office's local date.")
    office_id: str
    service_id: str | None = Field(description="null: complaints, which name no service.")
    tickets_issued: int
    served: int
    no_show: int
    registrations: int
    complaints: int


class StatisticsResponse(BaseModel):
    rows: list[StatisticsRow]


@staff.get("/api/v1/staff/statistics", responses={403: {}, 422: {}})
def get_statistics(
    who: StaffAuth,
    ctx: Context,
    first: Annotated[
        ApiDate | None, Query(alias="from", description="Default: 6 days before to.")
    ] = None,
    last: Annotated[ApiDate | None, Query(alias="to", description="Default: today.")] = None,
    office_id: Annotated[str | None, Query(pattern=OFFICE_ID)] = None,
) -> StatisticsResponse:
    """Counts per day, office and service from ``from`` to ``to`` (inclusive, at most 366 days)."""
    scope = office_filter(who, office_id)
    last = last or local_day(utc_now(), ctx.settings.zone)
    if first is None:
        week = dt.timedelta(days=6)
        first = last - week if last - dt.date.min >= week else dt.date.min
    if first > last:
        raise InvalidRange("from must not be after to")
    if (last - first).days >= statistics.MAX_DAYS:
        raise InvalidRange(f"at most {statistics.MAX_DAYS} days at once")
    with ctx.db.read() as conn:
        rows = statistics.statistics(conn, first=first, last=last, office_id=scope)
    return StatisticsResponse(rows=[StatisticsRow.model_validate(r) for r in rows])
