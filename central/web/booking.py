"""``/booking`` and ``/b/{code}``: a citizen books a time, and sees, changes or cancels it (public).

No login: the citizen proves who they are with their NIK (or card number)
and date of birth, checked by :mod:`central.office.bookings` against the
city's records, with its attempt limits and an audit row like a lookup. A
wrong pair books nothing. The forms are CSRF-protected like every other
(a double-submit token, :mod:`central.web.csrf`), and every request counts
against the caller's address.

``/booking`` is one page that narrows as the citizen chooses (office →
service → day → time); ``static/booking.js`` reloads it on each choice, and
without the script a button does. The result is a redirect to the booking's
own page ``/b/{code}``: its code, service, office, day, time, state, what to
bring and a QR code of its own address, never the NIK nor the name.
Changing or cancelling it asks for the date of birth again.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection, select

from central.access.audit import utc_now
from central.api.deps import AppContext, Context, client_address, limit, public_base
from central.messages import phones
from central.office import bookings, numbering, queue
from central.office.bookings import Refusal, Refused
from central.office.requirements import requirements_in, service_requirements
from central.tables import offices
from central.web.booking_texts import PUBLIC, WEEKDAYS, long_day
from central.web.forms import page_router
from central.web.pages import language, render
from central.web.qr import qr_svg
from central.web.session import Csrf
from contract.bookings import BookingState, format_code, is_valid_code

router = page_router()
log = logging.getLogger(__name__)

_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SLOT = re.compile(r"\d{2}:\d{2}")
_NIK = re.compile(r"\d{16}")
_DOB_TYPED = re.compile(r"(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})")
ShortField = Annotated[str, Form(max_length=80)]

#: What the page says for each refusal, and with which status.
REFUSALS: dict[Refusal, tuple[str, int]] = {
    Refusal.IDENTITY: ("problem.identity", 422),
    Refusal.LOCKED: ("problem.too_many", 429),
    Refusal.NOT_BOOKABLE: ("problem.service", 422),
    Refusal.NO_SLOT: ("problem.slot", 422),
    Refusal.DAY_PAST: ("problem.day_past", 422),
    Refusal.SLOT_STARTED: ("problem.slot_started", 422),
    Refusal.CLOSED_DAY: ("problem.closed_day", 422),
    Refusal.HOLIDAY: ("problem.holiday", 422),
    Refusal.TOO_FAR: ("problem.too_far", 422),
    Refusal.FULL: ("problem.full", 409),
    Refusal.ALREADY_BOOKED: ("problem.already", 409),
    Refusal.UNKNOWN: ("view.unknown", 404),
    Refusal.NOT_CHANGEABLE: ("view.not_changeable", 409),
}


@dataclass(frozen=True)
class Choice:
    id: str
    name: str


@dataclass(frozen=True)
class SlotChoice:
    value: str
    start: str
    end: str
    free: int


def parse_dob(typed: str) -> dt.date | None:
    """A date of birth as a date field sends it (``1985-03-12``) or as typed (``12-03-1985``)."""
    typed = typed.strip()
    try:
        if _DAY.fullmatch(typed):
            return dt.date.fromisoformat(typed)
        found = _DOB_TYPED.fullmatch(typed)
        if found:
            return dt.date(int(found[3]), int(found[2]), int(found[1]))
    except ValueError:
        return None
    return None


def parse_phone(typed: str) -> str | None:
    """An Indonesian mobile number as typed, in its ``08…`` form (``+62 812-3456-7890`` →
    ``081234567890``); ``None`` for one that cannot receive messages (a landline…)."""
    return phones.mobile(typed)


def _day(value: str | None) -> dt.date | None:
    if not value or not _DAY.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _clock(value: str, lang: str) -> str:
    """A time as the page's language writes it: "10.30" in Bahasa Indonesia, "10:30" in English."""
    return value if lang == "en" else value.replace(":", ".")


def _today(ctx: AppContext) -> dt.date:
    return numbering.local_day(utc_now(), ctx.settings.zone)


def _slots(
    conn: Connection, ctx: AppContext, office_id: str, service_id: str, day: dt.date, lang: str
) -> list[SlotChoice]:
    found = bookings.slots(conn, office_id, service_id, day, now=utc_now(), zone=ctx.settings.zone)
    return [
        SlotChoice(s.starts_at, _clock(s.starts_at, lang), _clock(s.ends_at, lang), s.free)
        for s in found
        if s.free > 0
    ]


def _days(conn: Connection, ctx: AppContext, office_id: str, service_id: str) -> list[dt.date]:
    return bookings.open_days(conn, office_id, service_id, now=utc_now(), zone=ctx.settings.zone)


def _week(conn: Connection, office_id: str, lang: str) -> list[tuple[str, str]]:
    hours = {h.weekday: h for h in bookings.hours(conn, office_id)}
    pick = 1 if lang == "en" else 0
    week = []
    for weekday, names in enumerate(WEEKDAYS):
        h = hours.get(weekday)
        opens, closes = (_clock(h.opens_at, lang), _clock(h.closes_at, lang)) if h else ("", "")
        week.append((names[pick], f"{opens}–{closes}" if h else ""))
    return week


def _booking_offices(conn: Connection) -> list[str]:
    active = conn.execute(
        select(offices.c.id).where(offices.c.active.is_(True)).order_by(offices.c.id)
    ).scalars()
    return [office_id for office_id in active if bookings.bookable_services(conn, office_id)]


@dataclass
class Asked:
    """What the citizen has chosen so far (each checked against what the centre offers)."""

    office_id: str = ""
    service_id: str = ""
    day: dt.date | None = None


def _asked(office: str | None, service: str | None, day: str | None) -> Asked:
    return Asked(
        office_id=office if office and _ID.fullmatch(office) else "",
        service_id=service if service and _ID.fullmatch(service) else "",
        day=_day(day),
    )


def _page(
    request: Request,
    ctx: AppContext,
    asked: Asked,
    *,
    status: int = 200,
    problem: str = "",
    form: dict[str, str] | None = None,
    chosen_slot: str = "",
    problem_values: dict[str, object] | None = None,
) -> HTMLResponse:
    lang = language(request)
    today = _today(ctx)
    with ctx.db.read() as conn:
        facts = queue.catalog_facts(conn, ctx.documents)
        office_ids = _booking_offices(conn)
        office_id = asked.office_id if asked.office_id in office_ids else ""
        office_id = office_id or (office_ids[0] if office_ids else "")
        service_ids = list(bookings.bookable_services(conn, office_id)) if office_id else []
        service_id = asked.service_id if asked.service_id in service_ids else ""
        service_id = service_id or (service_ids[0] if service_ids else "")
        days = _days(conn, ctx, office_id, service_id) if service_id else []
        day = asked.day if asked.day in days else None
        slots = _slots(conn, ctx, office_id, service_id, day, lang) if day else []
        week = _week(conn, office_id, lang) if service_id else []
        holidays = [
            f"{long_day(h.day, lang)}: {h.name}"
            for h in bookings.holidays(conn, office_id, today)[:10]
        ] if service_id else []  # fmt: skip
        needs = requirements_in(service_requirements(conn, ctx.documents), service_id, lang)

    def name(service: str) -> str:
        return (facts.service_names.get(service) or {}).get(lang, service)

    empty = {"nik": "", "card_number": "", "dob": "", "phone": ""}
    return render(
        request,
        "booking.html",
        PUBLIC,
        status=status,
        offices=[Choice(o, facts.office_names.get(o, o)) for o in office_ids],
        office_id=office_id,
        services=[Choice(s, name(s)) for s in service_ids],
        service_id=service_id,
        days=[(d.isoformat(), long_day(d, lang)) for d in days],
        day_value=day.isoformat() if day else "",
        horizon=bookings.DAYS_AHEAD,
        slots=slots,
        chosen_slot=chosen_slot,
        week=week,
        holidays=holidays,
        requirements=needs,
        form={**empty, **(form or {})},
        today=today.isoformat(),
        problem=problem,
        problem_values=problem_values or {},
    )


@router.get("/booking")
def booking_page(
    request: Request,
    ctx: Context,
    office: str | None = None,
    service: str | None = None,
    day: str | None = None,
) -> HTMLResponse:
    """The booking form, narrowed to what the citizen has chosen so far."""
    limit(ctx, f"addr:{client_address(request)}")
    return _page(request, ctx, _asked(office, service, day))


def _refused(refused: Refused) -> tuple[str, int, dict[str, object]]:
    key, status = REFUSALS[refused.reason]
    values: dict[str, object] = {}
    if refused.reason is Refusal.LOCKED:
        values["minutes"] = max(1, -(-(refused.retry_after_s or 60) // 60))
    if refused.reason is Refusal.TOO_FAR:
        values["days"] = bookings.DAYS_AHEAD
    return key, status, values


@router.post("/booking", response_model=None)
def book(
    request: Request,
    ctx: Context,
    _: Csrf,
    office: ShortField = "",
    service: ShortField = "",
    day: ShortField = "",
    slot: ShortField = "",
    nik: ShortField = "",
    card_number: ShortField = "",
    dob: ShortField = "",
    phone: ShortField = "",
) -> Response:
    """Book, and send the citizen to the booking's page; or the form again, kept, saying why."""
    limit(ctx, f"addr:{client_address(request)}")
    asked = _asked(office, service, day)
    typed = {"nik": nik.strip(), "card_number": card_number.strip(), "dob": dob, "phone": phone}

    def again(problem: str, status: int = 422, **values: object) -> HTMLResponse:
        log.info("booking page: nothing booked (%s)", problem)
        return _page(
            request, ctx, asked, status=status, problem=problem, form=typed,
            chosen_slot=slot, problem_values=values,
        )  # fmt: skip

    born = parse_dob(dob)
    number = parse_phone(phone) if phone.strip() else None
    if not asked.office_id:
        return again("problem.office")
    if not asked.service_id:
        return again("problem.service")
    if asked.day is None:
        return again("problem.day")
    if not _SLOT.fullmatch(slot):
        return again("problem.slot")
    if bool(typed["nik"]) == bool(typed["card_number"]):
        return again("problem.identity_missing")
    if typed["nik"] and not _NIK.fullmatch(typed["nik"]):
        return again("problem.nik")
    if born is None:
        return again("problem.dob")
    if phone.strip() and number is None:
        return again("problem.phone")
    identity = bookings.Identity(
        born, nik=typed["nik"] or None, card_number=typed["card_number"] or None
    )
    with ctx.db.begin() as conn:  # a refusal commits too: its audit row and its count
        made = bookings.book(
            conn,
            office_id=asked.office_id,
            service_id=asked.service_id,
            day=asked.day,
            starts_at=slot,
            identity=identity,
            phone=number,
            language=language(request),
            client=client_address(request),
            audit_key=ctx.audit_key,
            now=utc_now(),
            zone=ctx.settings.zone,
        )
    if isinstance(made, Refused):
        key, status, values = _refused(made)
        return again(key, status, **values)
    log.info("booking made at %s for %s", asked.office_id, asked.service_id)
    return RedirectResponse(f"/b/{made.code}?done=booked", 303)


# -- /b/{code} ------------------------------------------------------------------------

_DONE = ("booked", "changed", "cancelled")


def _view(
    request: Request,
    ctx: AppContext,
    code: str,
    *,
    status: int = 200,
    day: str | None = None,
    problem: str = "",
    problem_values: dict[str, object] | None = None,
) -> HTMLResponse:
    lang = language(request)
    today = _today(ctx)
    item = None
    context: dict[str, Any] = {}
    client = client_address(request)
    now = utc_now()
    with ctx.db.begin() as conn:  # an unknown code is counted
        wait = bookings.code_misses_locked(conn, client, now=now)
        if wait is None:
            item = bookings.find(conn, code, now=now) if is_valid_code(code) else None
            if item is not None:
                context = _view_context(conn, ctx, item, lang, _day(day))
            else:
                bookings.count_code_miss(conn, client, code, now=now)
    if wait is not None:
        log.info("booking page: %s asked for too many unknown codes", client)
        status, problem = 429, "problem.too_many"
        problem_values = {"minutes": max(1, -(-wait // 60))}
    elif item is None:
        status = 404
    done = request.query_params.get("done")
    return render(
        request,
        "booking_view.html",
        PUBLIC,
        status=status,
        item=item,
        shown_code=format_code(code) if item else "",
        qr=qr_svg(f"{public_base(request)}/b/{code}", PUBLIC["view.qr"][1 if lang == "en" else 0])
        if item
        else "",
        done=done if done in _DONE and not problem else None,
        problem=problem,
        problem_values=problem_values or {},
        today=today.isoformat(),
        **context,
    )


def _view_context(
    conn: Connection, ctx: AppContext, item: bookings.Booking, lang: str, asked: dt.date | None
) -> dict[str, Any]:
    facts = queue.catalog_facts(conn, ctx.documents)
    changeable = item.state is BookingState.BOOKED
    days = _days(conn, ctx, item.office_id, item.service_id) if changeable else []
    new_day = asked if asked in days else None
    needs = service_requirements(conn, ctx.documents)
    return {
        "service_name": (facts.service_names.get(item.service_id) or {}).get(lang, item.service_id),
        "office_name": facts.office_names.get(item.office_id, item.office_id),
        "day_text": long_day(item.day, lang),
        "requirements": requirements_in(needs, item.service_id, lang),
        "changeable": changeable,
        "days": [(d.isoformat(), long_day(d, lang)) for d in days],
        "day_value": new_day.isoformat() if new_day else "",
        "time_text": f"{_clock(item.starts_at, lang)}–{_clock(item.ends_at, lang)}",
        "slots": _slots(conn, ctx, item.office_id, item.service_id, new_day, lang)
        if new_day
        else [],
    }


@router.get("/b/{code}")
def booking_view(request: Request, ctx: Context, code: str, day: str | None = None) -> HTMLResponse:
    """The booking's own page: opens with no session; never shows the NIK or the name."""
    limit(ctx, f"addr:{client_address(request)}")
    return _view(request, ctx, code, day=day)


def _holder_acts(
    request: Request,
    ctx: AppContext,
    code: str,
    dob: str,
    done: str,
    new_slot: tuple[dt.date, str] | None = None,
) -> Response:
    """Cancel (``new_slot`` None) or move the booking, the holder's date of birth given again."""
    limit(ctx, f"addr:{client_address(request)}")
    born = parse_dob(dob)
    if not is_valid_code(code):
        return _view(request, ctx, code)
    if born is None:
        return _view(request, ctx, code, status=422, problem="problem.dob")
    client = client_address(request)
    with ctx.db.begin() as conn:  # a refusal commits too: its audit row and its count
        if new_slot is None:
            result = bookings.cancel(
                conn, code, born, client=client, audit_key=ctx.audit_key, now=utc_now()
            )
        else:
            result = bookings.change(
                conn, code, born, day=new_slot[0], starts_at=new_slot[1], client=client,
                audit_key=ctx.audit_key, now=utc_now(), zone=ctx.settings.zone,
            )  # fmt: skip
    if isinstance(result, Refused):
        key, status, values = _refused(result)
        log.info("booking page: booking not %s (%s)", done, result.reason.value)
        return _view(request, ctx, code, status=status, problem=key, problem_values=values)
    log.info("booking page: a booking %s", done)
    return RedirectResponse(f"/b/{code}?done={done}", 303)


@router.post("/b/{code}/cancel", response_model=None)
def cancel_booking(
    request: Request, ctx: Context, _: Csrf, code: str, dob: ShortField = ""
) -> Response:
    """Cancel, with the date of birth again; the slot's place is freed."""
    return _holder_acts(request, ctx, code, dob, "cancelled")


@router.post("/b/{code}/change", response_model=None)
def change_booking(
    request: Request,
    ctx: Context,
    _: Csrf,
    code: str,
    day: ShortField = "",
    slot: ShortField = "",
    dob: ShortField = "",
) -> Response:
    """Move the booking to another day or time of its service, with the date of birth again."""
    new_day = _day(day)
    if new_day is None or not _SLOT.fullmatch(slot):
        return _view(request, ctx, code, status=422, problem="problem.slot")
    return _holder_acts(request, ctx, code, dob, "changed", (new_day, slot))
