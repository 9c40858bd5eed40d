"""``/office/bookings``: staff set how an office takes bookings, and see today's.

Per service: whether it takes bookings, the slot length, how many citizens
one slot serves (capacity), the share kept for walk-ins, where a checked-in
ticket stands and the grace before a no-show; per office: the weekly opening
hours and the holidays. The rules and their audit rows are
:mod:`central.office.bookings`'s; this reads the forms, calls it and renders.

Staff see and set their own office (an admin without an office picks one,
``?office_id=``); every form carries the page's CSRF token, and a bad value
changes nothing and says what is allowed. Today's bookings are listed by
code, time and state, never by name, so viewing them reads no personal data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from central.access.audit import utc_now
from central.access.staff import StaffPrincipal
from central.api.deps import AppContext, Context
from central.errors import SlotLengthInUse
from central.office import bookings, numbering, queue
from central.office.bookings import Hours, Policy, ServiceSettings
from central.office.plain_text import has_invisible
from central.web.booking_texts import STAFF, TODAY, WEEKDAYS
from central.web.bookings_today import ServiceDay, service_days
from central.web.forms import page_router, read_form
from central.web.pages import Texts, language, render
from central.web.session import Csrf, StaffPage
from central.web.staff_forms import after_form, office_choices, office_of

router = page_router()

TEXTS: Texts = {**STAFF, **TODAY}
_OFFICE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_TIME = re.compile(r"\d{2}:\d{2}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DONE = ("settings", "hours", "holiday", "holiday_booked", "removed")
Small = Annotated[str, Form(max_length=64)]


@dataclass(frozen=True)
class ServiceRow:
    id: str
    name: str
    settings: ServiceSettings
    configured: bool


def _page(
    request: Request,
    ctx: AppContext,
    staff: StaffPrincipal,
    office_id: str | None,
    *,
    status: int = 200,
    problem: str = "",
    problem_values: dict[str, object] | None = None,
) -> HTMLResponse:
    lang = language(request)
    rows: list[ServiceRow] = []
    week: list[tuple[int, str, str, str]] = []
    holidays: list[bookings.Holiday] = []
    holiday_bookings: dict[dt.date, list[ServiceDay]] = {}
    today: list[ServiceDay] = []
    with ctx.db.begin() as conn:  # today's list marks due no-shows
        choices = office_choices(conn, staff)
        if office_id is not None:
            facts = queue.catalog_facts(conn, ctx.documents)
            for service_id, info in numbering.office_services(conn, office_id).items():
                found = bookings.get_settings(conn, office_id, service_id)
                name = (facts.service_names.get(service_id) or {}).get(lang, info.name)
                rows.append(
                    ServiceRow(service_id, name, found or ServiceSettings(), found is not None)
                )
            hours = {h.weekday: h for h in bookings.hours(conn, office_id)}
            pick = 1 if lang == "en" else 0
            for weekday, names in enumerate(WEEKDAYS):
                h = hours.get(weekday)
                week.append(
                    (weekday, names[pick], h.opens_at if h else "", h.closes_at if h else "")
                )
            local_today = numbering.local_day(utc_now(), ctx.settings.zone)
            holidays = bookings.holidays(conn, office_id, local_today)
            for closed in holidays:  # bookings that stand on a holiday: staff call the citizens
                on_day = service_days(conn, ctx, office_id, lang, day=closed.day)
                if any(entry.state == "booked" for s in on_day for entry in s.entries):
                    holiday_bookings[closed.day] = on_day
            today = service_days(conn, ctx, office_id, lang)
    done = request.query_params.get("done")
    return render(
        request,
        "booking_settings.html",
        TEXTS,
        status=status,
        staff=staff,
        offices=choices,
        office_id=office_id or "",
        services=rows,
        policies=[p.value for p in Policy],
        week=week,
        holidays=holidays,
        holiday_bookings=holiday_bookings,
        today=today,
        problem=problem,
        problem_values=problem_values or {},
        done=done if done in _DONE and not problem else None,
    )


@router.get("/office/bookings")
def booking_settings_page(
    request: Request, ctx: Context, staff: StaffPage, office_id: str | None = None
) -> HTMLResponse:
    office = office_of(ctx, staff, office_id)
    if office is None and office_id:
        return _page(request, ctx, staff, None, status=404, problem="slots.problem.office")
    return _page(request, ctx, staff, office)


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 4 else None


@router.post("/office/bookings/settings", response_model=None)
def save_settings(
    request: Request,
    ctx: Context,
    staff: StaffPage,
    _: Csrf,
    service_id: Small,
    office_id: Small = "",
    enabled: Small = "",
    slot_minutes: Small = "",
    capacity: Small = "",
    walk_in_percent: Small = "",
    policy: Small = "",
    grace_minutes: Small = "",
) -> Response:
    """Set one service's booking settings (the staff API's ``capacity`` and the rest)."""
    office = office_of(ctx, staff, office_id)
    if office is None:
        return _page(request, ctx, staff, None, status=404, problem="slots.problem.office")
    numbers = [_number(v) for v in (slot_minutes, capacity, walk_in_percent, grace_minutes)]
    try:
        if None in numbers or policy not in {p.value for p in Policy}:
            raise ValueError("not a number or policy")
        minutes, places, share, grace = (n or 0 for n in numbers)
        settings = ServiceSettings(
            slot_minutes=minutes,
            capacity=places,
            walk_in_percent=share,
            policy=Policy(policy),
            grace_minutes=grace,
            enabled=enabled == "on",
        )
    except ValueError:
        return _page(request, ctx, staff, office, status=422, problem="slots.problem.settings")
    refused: SlotLengthInUse | None = None
    with ctx.db.begin() as conn:
        offered = service_id in numbering.office_services(conn, office)
        try:
            if offered:
                bookings.put_settings(
                    conn, office, service_id, settings, actor=staff.actor, now=utc_now()
                )
        except SlotLengthInUse as exc:  # raised before anything is written
            refused = exc
    # The page is drawn once the write is over: drawing it opens a transaction of its own,
    # which inside this one waited for it (on SQLite, past the busy timeout: a 503).
    if not offered:  # nothing written
        return _page(request, ctx, staff, office, status=422, problem="slots.problem.settings")
    if refused is not None:
        return _page(
            request, ctx, staff, office, status=409, problem="slots.problem.slot_length",
            problem_values={"count": refused.to_come},
        )  # fmt: skip
    return after_form(request, "/office/bookings", "settings", staff, office)


@router.post("/office/bookings/hours", response_model=None)
async def save_hours(request: Request, ctx: Context, staff: StaffPage, _: Csrf) -> Response:
    """Replace the office's weekly hours: ``opens_0``/``closes_0`` (Monday) … ``_6``."""
    form = await read_form(request)
    # The form is read on the event loop; the database only on a worker thread: a write
    # waiting there for SQLite's lock would stop every other request of the process.
    return await run_in_threadpool(_save_hours, request, ctx, staff, form)


def _save_hours(
    request: Request, ctx: AppContext, staff: StaffPrincipal, form: FormData
) -> Response:
    asked = form.get("office_id")
    office = office_of(ctx, staff, asked if isinstance(asked, str) else None)
    if office is None:
        return _page(request, ctx, staff, None, status=404, problem="slots.problem.office")
    week: list[Hours] = []
    try:
        for weekday in range(7):
            opens, closes = form.get(f"opens_{weekday}", ""), form.get(f"closes_{weekday}", "")
            if not isinstance(opens, str) or not isinstance(closes, str):
                raise ValueError("a time is text")
            opens, closes = opens.strip()[:5], closes.strip()[:5]
            if not opens and not closes:
                continue
            if not (_TIME.fullmatch(opens) and _TIME.fullmatch(closes)):
                raise ValueError("a time is HH:MM")
            week.append(Hours(weekday, opens, closes))
    except ValueError:
        return _page(request, ctx, staff, office, status=422, problem="slots.problem.hours")
    with ctx.db.begin() as conn:
        bookings.put_hours(conn, office, week, actor=staff.actor)
    return after_form(request, "/office/bookings", "hours", staff, office)


def _holiday_day(value: str) -> dt.date | None:
    if not _DAY.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@router.post("/office/bookings/holidays", response_model=None)
def add_holiday(
    request: Request,
    ctx: Context,
    staff: StaffPage,
    _: Csrf,
    day: Small = "",
    name: Annotated[str, Form(max_length=400)] = "",
    office_id: Small = "",
) -> Response:
    office = office_of(ctx, staff, office_id)
    if office is None:
        return _page(request, ctx, staff, None, status=404, problem="slots.problem.office")
    when = _holiday_day(day)
    name = " ".join(name.split())
    if when is None or not name or len(name) > 200 or has_invisible(name):
        return _page(request, ctx, staff, office, status=422, problem="slots.problem.holiday")
    with ctx.db.begin() as conn:
        bookings.put_holiday(conn, office, when, name, actor=staff.actor)
        standing = bookings.booked_on(conn, office, when, now=utc_now())
    return after_form(
        request, "/office/bookings", "holiday_booked" if standing else "holiday", staff, office
    )


@router.post("/office/bookings/holidays/remove", response_model=None)
def remove_holiday(
    request: Request,
    ctx: Context,
    staff: StaffPage,
    _: Csrf,
    day: Small = "",
    office_id: Small = "",
) -> Response:
    office = office_of(ctx, staff, office_id)
    when = _holiday_day(day)
    if office is None or when is None:
        return _page(request, ctx, staff, office, status=422, problem="slots.problem.holiday")
    with ctx.db.begin() as conn:
        bookings.delete_holiday(conn, office, when, actor=staff.actor)
    return after_form(request, "/office/bookings", "removed", staff, office)
