"""Appointments: staff set slots, hours and holidays; kiosks read today's bookings.

Staff (any office they may act for, :mod:`central.api.scope`):

* ``GET``/``PUT /api/v1/staff/offices/{office_id}/services/{service_id}/booking-settings``:
  slot length, ``capacity`` per slot, the walk-ins' share, the check-in
  policy and the grace before a no-show;
* ``GET``/``PUT /api/v1/staff/offices/{office_id}/opening-hours``: the week;
* ``GET /api/v1/staff/offices/{office_id}/holidays``, ``PUT``/``DELETE …/holidays/{day}``;
* ``GET /api/v1/staff/offices/{office_id}/bookings?day=``: the day's bookings
  (first names; each read audited).

Kiosks (their own office only):

* ``GET /api/v1/bookings/today``: the office's bookings of its local day,
  for the kiosk's sealed cache (each fetch audited);
* ``GET /api/v1/bookings/{code}``: one booking without personal data, to
  say "your booking is for another day/office"; rate-limited per kiosk.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from central.access.audit import utc_now
from central.access.ratelimit import RateLimiter
from central.api.deps import Context, KioskAuth, StaffAuth, kiosk_router, staff_router
from central.api.enrolment import PRINTABLE
from central.api.scope import require_office_access
from central.api.shown import ShownModel
from central.errors import NotFound, TooManyRequests, Unprocessable
from central.office import bookings
from central.office.numbering import require_service
from central.tables import offices
from central.times import ApiDate
from contract.shown import shape, shown_code, shown_key
from contract.wire import ErrorCode

router = kiosk_router(tags=["bookings"])
staff = staff_router(tags=["bookings"])

ID = r"^[a-z0-9][a-z0-9-]{0,63}$"
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
CODE = r"^[0-9]{9}$"
OfficeId = Annotated[str, Path(pattern=ID)]
ServiceId = Annotated[str, Path(pattern=ID)]
#: Lookups by code one kiosk may make: a few a minute (a citizen types one code).
CODE_LOOKUPS_PER_MINUTE = 20
_code_lookups = RateLimiter(CODE_LOOKUPS_PER_MINUTE, CODE_LOOKUPS_PER_MINUTE)


class SettingsIn(BaseModel):
    """How a service takes bookings; ``capacity``: citizens one slot serves."""

    model_config = ConfigDict(extra="forbid")

    capacity: int = Field(ge=0, le=1000, strict=True, examples=[4])
    slot_minutes: int = Field(default=30, ge=5, le=240, strict=True)
    walk_in_percent: int = Field(
        default=0,
        ge=0,
        le=100,
        strict=True,
        description="The share of each slot kept for walk-ins.",
    )
    policy: Literal["head", "walk_in"] = Field(
        default="head", description="Where a checked-in ticket stands (docs/appointments.md)."
    )
    grace_minutes: int = Field(default=15, ge=0, le=240, strict=True)
    enabled: bool = Field(default=True, strict=True)


class SettingsOut(SettingsIn):
    office_id: str
    service_id: str
    bookable_per_slot: int = Field(description="capacity less the walk-ins' share, rounded down")


class DayHours(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weekday: int = Field(ge=0, le=6, description="0 Monday … 6 Sunday")
    opens_at: str = Field(pattern=HHMM, examples=["08:00"])
    closes_at: str = Field(pattern=HHMM, examples=["15:00"])


class HoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hours: list[DayHours] = Field(max_length=7, description="Open weekdays; others closed.")


class HoursOut(HoursIn):
    office_id: str


class HolidayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=PRINTABLE, examples=["Idul Fitri"])


class HolidayOut(BaseModel):
    day: dt.date
    name: str
    bookings: int = Field(
        default=0,
        description="Bookings of that day still to be served: they stay; staff call the citizens.",
    )


class HolidaysOut(BaseModel):
    office_id: str
    holidays: list[HolidayOut]


class BookingPublic(ShownModel, shown={"code": shown_code}):
    """A booking without personal data."""

    code: str
    office_id: str
    service_id: str
    day: dt.date
    starts_at: str
    ends_at: str
    state: str


class BookingForKiosk(
    BookingPublic, shown={"nik": shape, "card_number": shape, "first_name": shape}
):
    nik: str | None
    card_number: str | None
    first_name: str
    doctor: str = Field(
        default="", description="A Mobile JKN booking's doctor; empty for any other booking."
    )
    hours: str = Field(
        default="", description="A Mobile JKN booking's doctor's hours, HH:MM-HH:MM; or empty."
    )


class TodayOut(BaseModel):
    office_id: str
    day: dt.date
    bookings: list[BookingForKiosk]


class BookingForStaff(BookingPublic, shown={"first_name": shape, "ticket_id": shown_key}):
    first_name: str
    ticket_id: str | None


class DayOut(BaseModel):
    office_id: str
    day: dt.date
    bookings: list[BookingForStaff]


def _settings_out(office_id: str, service_id: str, s: bookings.ServiceSettings) -> SettingsOut:
    return SettingsOut(
        office_id=office_id,
        service_id=service_id,
        capacity=s.capacity,
        slot_minutes=s.slot_minutes,
        walk_in_percent=s.walk_in_percent,
        policy=s.policy.value,
        grace_minutes=s.grace_minutes,
        enabled=s.enabled,
        bookable_per_slot=s.bookable,
    )


def _require_office(ctx: Context, office_id: str) -> None:
    with ctx.db.read() as conn:
        known = conn.execute(offices.select().where(offices.c.id == office_id)).first()
    if known is None:
        raise NotFound(f"no office {office_id!r}", code=ErrorCode.UNKNOWN_OFFICE)


@staff.get(
    "/api/v1/staff/offices/{office_id}/services/{service_id}/booking-settings",
    responses={403: {}, 404: {}},
)
def get_settings(
    office_id: OfficeId, service_id: ServiceId, who: StaffAuth, ctx: Context
) -> SettingsOut:
    """A service's booking settings; 404 ``unknown_service``, or ``not_found`` if it has none."""
    require_office_access(who, office_id)
    with ctx.db.read() as conn:
        require_service(conn, office_id, service_id)
        found = bookings.get_settings(conn, office_id, service_id)
    if found is None:
        raise NotFound("this service takes no bookings yet")
    return _settings_out(office_id, service_id, found)


@staff.put(
    "/api/v1/staff/offices/{office_id}/services/{service_id}/booking-settings",
    responses={403: {}, 404: {}},
)
def put_settings(
    office_id: OfficeId, service_id: ServiceId, body: SettingsIn, who: StaffAuth, ctx: Context
) -> SettingsOut:
    """Set how a service takes bookings (``capacity`` per slot and the rest); audited."""
    require_office_access(who, office_id)
    settings = bookings.ServiceSettings(
        slot_minutes=body.slot_minutes,
        capacity=body.capacity,
        walk_in_percent=body.walk_in_percent,
        policy=bookings.Policy(body.policy),
        grace_minutes=body.grace_minutes,
        enabled=body.enabled,
    )
    with ctx.db.begin() as conn:
        bookings.put_settings(conn, office_id, service_id, settings, actor=who.actor, now=utc_now())
    return _settings_out(office_id, service_id, settings)


@staff.get("/api/v1/staff/offices/{office_id}/opening-hours", responses={403: {}, 404: {}})
def get_hours(office_id: OfficeId, who: StaffAuth, ctx: Context) -> HoursOut:
    """The office's weekly opening hours (closed weekdays left out)."""
    require_office_access(who, office_id)
    _require_office(ctx, office_id)
    with ctx.db.read() as conn:
        week = bookings.hours(conn, office_id)
    return HoursOut(
        office_id=office_id,
        hours=[
            DayHours(weekday=h.weekday, opens_at=h.opens_at, closes_at=h.closes_at) for h in week
        ],
    )


@staff.put("/api/v1/staff/offices/{office_id}/opening-hours", responses={403: {}, 404: {}, 422: {}})
def put_hours(office_id: OfficeId, body: HoursIn, who: StaffAuth, ctx: Context) -> HoursOut:
    """Replace the office's weekly hours: one entry per open weekday, opening before closing."""
    require_office_access(who, office_id)
    _require_office(ctx, office_id)
    try:
        week = [bookings.Hours(h.weekday, h.opens_at, h.closes_at) for h in body.hours]
        if len({h.weekday for h in week}) != len(week):
            raise ValueError("one entry per weekday")
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    with ctx.db.begin() as conn:
        bookings.put_hours(conn, office_id, week, actor=who.actor)
    return HoursOut(office_id=office_id, hours=body.hours)


@staff.get("/api/v1/staff/offices/{office_id}/holidays", responses={403: {}, 404: {}})
def get_holidays(office_id: OfficeId, who: StaffAuth, ctx: Context) -> HolidaysOut:
    """The office's holidays, in date order."""
    require_office_access(who, office_id)
    _require_office(ctx, office_id)
    now = utc_now()
    with ctx.db.read() as conn:
        found = [
            HolidayOut(
                day=h.day, name=h.name, bookings=bookings.booked_on(conn, office_id, h.day, now=now)
            )
            for h in bookings.holidays(conn, office_id)
        ]
    return HolidaysOut(office_id=office_id, holidays=found)


@staff.put("/api/v1/staff/offices/{office_id}/holidays/{day}", responses={403: {}, 404: {}})
def put_holiday(
    office_id: OfficeId, day: ApiDate, body: HolidayIn, who: StaffAuth, ctx: Context
) -> HolidayOut:
    """Close the office on ``day`` (no slots that day; bookings already made stay)."""
    require_office_access(who, office_id)
    _require_office(ctx, office_id)
    try:
        with ctx.db.begin() as conn:
            bookings.put_holiday(conn, office_id, day, body.name, actor=who.actor)
            standing = bookings.booked_on(conn, office_id, day, now=utc_now())
    except ValueError as exc:  # nothing written
        raise Unprocessable(str(exc)) from None
    return HolidayOut(day=day, name=body.name, bookings=standing)


@staff.delete(
    "/api/v1/staff/offices/{office_id}/holidays/{day}",
    status_code=204,
    responses={403: {}, 404: {}},
)
def delete_holiday(office_id: OfficeId, day: ApiDate, who: StaffAuth, ctx: Context) -> Response:
    """Open the office again on ``day``."""
    require_office_access(who, office_id)
    with ctx.db.begin() as conn:
        if not bookings.delete_holiday(conn, office_id, day, actor=who.actor):
            raise NotFound(f"no holiday on {day.isoformat()} at {office_id!r}")
    return Response(status_code=204)


@staff.get("/api/v1/staff/offices/{office_id}/bookings", responses={403: {}, 404: {}})
def day_bookings(
    office_id: OfficeId,
    who: StaffAuth,
    ctx: Context,
    day: Annotated[
        ApiDate | None, Query(description="The office's local date; default today.")
    ] = None,
) -> DayOut:
    """The office's bookings of a day, every state, by slot; each read is audited."""
    require_office_access(who, office_id)
    _require_office(ctx, office_id)
    now = utc_now()
    when = day or now.astimezone(ctx.settings.zone).date()
    with ctx.db.begin() as conn:
        bookings.mark_no_shows(conn, now)
        found = bookings.day_bookings(conn, office_id, when, now=now, actor=who.actor)
    return DayOut(
        office_id=office_id,
        day=when,
        bookings=[
            BookingForStaff(
                code=b.code,
                office_id=b.office_id,
                service_id=b.service_id,
                day=b.day,
                starts_at=b.starts_at,
                ends_at=b.ends_at,
                state=b.state.value,
                first_name=b.first_name,
                ticket_id=b.ticket_id,
            )
            for b in found
        ],
    )


@router.get("/api/v1/bookings/today")
def today(kiosk: KioskAuth, ctx: Context) -> TodayOut:
    """The kiosk's office's bookings of its local today (every state); audited per fetch."""
    with ctx.db.begin() as conn:
        day, rows = bookings.kiosk_today(
            conn, kiosk.kiosk_id, kiosk.office_id, now=utc_now(), zone=ctx.settings.zone
        )
    return TodayOut(
        office_id=kiosk.office_id,
        day=day,
        bookings=[
            BookingForKiosk(
                code=r.code,
                office_id=r.office_id,
                service_id=r.service_id,
                day=r.day,
                starts_at=r.starts_at.strftime("%H:%M"),
                ends_at=r.ends_at.strftime("%H:%M"),
                state=r.state.value,
                nik=r.nik,
                card_number=r.card_number,
                first_name=r.first_name,
                doctor=r.doctor,
                hours=r.hours,
            )
            for r in rows
        ],
    )


@router.get("/api/v1/bookings/{code}", responses={404: {}})
def by_code(
    code: Annotated[str, Path(pattern=CODE)], kiosk: KioskAuth, ctx: Context
) -> BookingPublic:
    """One booking by its code, without personal data; 404 ``unknown_booking``."""
    retry_after = _code_lookups.hit(f"kiosk:{kiosk.kiosk_id}")
    if retry_after is not None:
        raise TooManyRequests(retry_after)
    now = utc_now()
    with ctx.db.begin() as conn:
        bookings.mark_no_shows(conn, now)
        found = bookings.find(conn, code, now=now)
    if found is None:
        raise NotFound("no booking with this code", code=ErrorCode.UNKNOWN_BOOKING)
    return BookingPublic(
        code=found.code,
        office_id=found.office_id,
        service_id=found.service_id,
        day=found.day,
        starts_at=found.starts_at,
        ends_at=found.ends_at,
        state=found.state.value,
    )
