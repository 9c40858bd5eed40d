"""Appointments on the centre: slots, bookings, check-in and no-shows (docs/appointments.md).

**Settings.** Staff give each bookable service of an office its slot
length, the citizens one slot serves (``capacity``), the share of that
kept for walk-ins (``walk_in_percent``: the slot takes
``capacity × (100 − share) / 100`` bookings, rounded down), where a checked-in
ticket stands (``policy``) and the grace before a no-show. An office's
weekly opening hours and its holidays decide which slots exist: slots
start at the opening time, every ``slot_minutes``, and end by the closing
time; none on a holiday or a weekday without hours.

**Booking.** A citizen proves who they are with their NIK or city card
number and their date of birth, compared in full with the city's record
(``citizens.birth_date``; a record without it: the date the NIK carries,
its century resolved, :func:`_born_on`).
Every attempt is audited as a lookup (``citizen_lookups``, key kind
``booking_nik`` or ``booking_card``, ``booking_refused`` while locked; the
key as a keyed hash; who: ``booking-page:<address>``). Wrong pairs are counted in the
database (:mod:`central.access.limits`) per citizen (:data:`IDENTITY_LIMIT`, one
count whether NIK or card number was typed) and per address
(:data:`ADDRESS_LIMIT`); a wrong date books nothing. A wrong date on a
booking's own page (change, cancel) counts against that booking's code
(:data:`HOLDER_LIMIT`) and the address, never the holder's NIK.

**No overbooking.** Each slot with bookings has a row in ``booking_slots``;
a booking takes a place with one conditional statement,
``UPDATE booking_slots SET booked = booked + 1 WHERE … AND booked < capacity``.
PostgreSQL re-checks the condition on the row once the racer before it has
committed (read committed), SQLite runs one writer at a time: of 200
citizens racing for a slot's last place, exactly one gets it. A cancelled
or moved booking gives its place back.

**No-shows.** A booking still ``booked`` once its slot's end plus the
grace (``no_show_after``, fixed when booked or moved) has passed reads
``no_show`` at once, from any process (every read here compares with its
``now``), and is stored as such by one idempotent ``UPDATE``
(:func:`mark_no_shows`), which the kiosk and staff routes run before they
read and each server process runs on a periodic tick: any number of
processes may run it at once, a booking is marked once. The reading
functions here write nothing (:func:`kiosk_today` and :func:`day_bookings`
with an ``actor`` write their audit row), so pages may call them in a
read-only transaction.

**Check-in.** A ticket's registration carrying a ``booking_code`` checks the
booking in (:func:`check_in`, from :mod:`central.office.submissions`) and
says where the ticket stands: policy ``head`` (the default) puts a ticket
checked in from :data:`EARLY_CHECK_IN` before the slot's start until its end
ahead of walk-ins (priority :data:`BOOKED_PRIORITY`) from the check-in on, and
among booked tickets an early one as of its slot's start; any other time,
or policy ``walk_in``, as a walk-in queued at its check-in. A check-in
that cannot be honoured (unknown, cancelled, used by another ticket,
another office, day or service) leaves the ticket a plain walk-in and
says why.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row, Select, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from central.access import limits
from central.access.audit import record_event
from central.access.credentials import keyed_hash
from central.access.limits import Limit, Subject
from central.errors import NotFound, SlotLengthInUse
from central.hospital import quota
from central.integrations import triggers as integration_triggers
from central.messages import phones, triggers
from central.office.citizens import KeyKind, audit_lookup, normalise_key
from central.office.numbering import require_service
from central.office.plain_text import has_invisible
from central.tables import (
    booking_settings,
    booking_slots,
    bookings,
    citizens,
    hospital_visits,
    office_holidays,
    opening_hours,
    services,
)
from central.upsert import dialect_insert, upsert
from contract.bookings import BookingState, BookingToday, is_valid_code, new_code
from contract.errors import NikError
from contract.nik import parse_nik
from contract.shown import shown_code, shown_key, shown_repr
from contract.wire import ErrorCode

__all__ = [
    "ADDRESS_LIMIT",
    "BOOKED_PRIORITY",
    "CODE_MISS_LIMIT",
    "DAYS_AHEAD",
    "EARLY_CHECK_IN",
    "HOLDER_LIMIT",
    "IDENTITY_LIMIT",
    "KIOSK_TODAY_MAX",
    "MJKN_NO_SHOW_REASON",
    "SOURCE_MJKN",
    "Booking",
    "CheckIn",
    "Holiday",
    "Hours",
    "Identity",
    "Policy",
    "Refusal",
    "Refused",
    "ServiceSettings",
    "Slot",
    "book",
    "book_mjkn",
    "bookable_services",
    "booked_on",
    "cancel",
    "cancel_mjkn",
    "change",
    "check_in",
    "close_lapsed",
    "code_misses_locked",
    "count_code_miss",
    "day_bookings",
    "delete_holiday",
    "find",
    "first_name",
    "get_settings",
    "give_back_lapsed",
    "holidays",
    "hours",
    "kiosk_today",
    "lock_mjkn",
    "mark_lapsed",
    "mark_no_shows",
    "open_days",
    "put_holiday",
    "put_hours",
    "put_settings",
    "require_booking",
    "seed_demo",
    "slots",
]

log = logging.getLogger(__name__)

#: ``bookings.source`` of a booking made through Mobile JKN (central/wsrs/).
SOURCE_MJKN = "mjkn"
#: The priority of a ticket checked in within its slot (policy ``head``);
#: the same as a transferred ticket's: both waited their turn once.
BOOKED_PRIORITY = 1
#: How long before its slot's start a check-in still counts as on time.
EARLY_CHECK_IN = dt.timedelta(minutes=30)
#: How many days ahead (today included) a citizen may book.
DAYS_AHEAD = 30
#: The most bookings one kiosk is sent for its office's day.
KIOSK_TODAY_MAX = 5000
_WRONG = "wrong identity pairs on the booking page"
#: Five wrong pairs a day per NIK or card number; then an hour, two, … up to a week.
IDENTITY_LIMIT = Limit(
    5,
    dt.timedelta(days=1),
    dt.timedelta(hours=1),
    dt.timedelta(days=7),
    "booking_identity_locked",
    _WRONG,
)
#: A hundred wrong pairs an hour per address (wrong pairs only: right ones and
#: page views do not count); then 15 minutes, never longer. Many citizens may
#: share one address (a carrier's NAT): a low or growing limit would let one
#: of them lock out all the others. The trade-off: one address may try a
#: hundred pairs an hour, each against an identity limited to five a day.
ADDRESS_LIMIT = Limit(
    100,
    dt.timedelta(hours=1),
    dt.timedelta(minutes=15),
    dt.timedelta(minutes=15),
    "booking_address_locked",
    _WRONG,
)
#: Five wrong dates of birth an hour for one booking's code on its page (change
#: or cancel); then that code's change and cancel wait 15 minutes, never longer.
#: Never counted against the holder's NIK: whoever has the code cannot lock the
#: holder out of booking.
HOLDER_LIMIT = Limit(
    5,
    dt.timedelta(hours=1),
    dt.timedelta(minutes=15),
    dt.timedelta(minutes=15),
    "booking_code_locked",
    "wrong dates of birth for a booking's code",
)


#: Thirty unknown codes an hour per address on the booking's page (``/b/{code}``);
#: then 15 minutes, 30, … up to two hours. A citizen mistyping their code rarely
#: gets past its check digit; a guesser walks into this.
CODE_MISS_LIMIT = Limit(
    30,
    dt.timedelta(hours=1),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=2),
    "booking_code_guessing",
    "unknown booking codes",
)


def _misses(client: str) -> Subject:
    return Subject(f"booking-miss:{client}"[:80], CODE_MISS_LIMIT)


def code_misses_locked(conn: Connection, client: str, *, now: dt.datetime) -> int | None:
    """Seconds until ``client`` may open a booking's page again after too many unknown codes."""
    return limits.locked_for(conn, _misses(client), now)


def count_code_miss(conn: Connection, client: str, code: str, *, now: dt.datetime) -> None:
    """Count one unknown code asked for by ``client`` (logged as :func:`shown_code`)."""
    subject = _misses(client)
    if limits.refused_for(conn, (subject,), now) is not None:
        return
    limits.count(conn, (subject,), now, actor=f"booking-page:{client}"[:100])
    log.info("booking page: no booking with code %s (from %s)", shown_code(code), client)


class Policy(StrEnum):
    """Where a checked-in ticket stands in its queue."""

    #: Ahead of walk-ins within the slot (from 30 minutes before it); late: a walk-in.
    HEAD = "head"
    #: Always as a walk-in, queued at its check-in.
    WALK_IN = "walk_in"


@dataclass(frozen=True)
class ServiceSettings:
    """How a service of an office takes bookings."""

    slot_minutes: int = 30
    capacity: int = 4
    walk_in_percent: int = 0
    policy: Policy = Policy.HEAD
    grace_minutes: int = 15
    enabled: bool = True

    def __post_init__(self) -> None:
        if not 5 <= self.slot_minutes <= 240:
            raise ValueError("slot_minutes must be 5 to 240")
        if not 0 <= self.capacity <= 1000:
            raise ValueError("capacity must be 0 to 1000")
        if not 0 <= self.walk_in_percent <= 100:
            raise ValueError("walk_in_percent must be 0 to 100")
        if not 0 <= self.grace_minutes <= 240:
            raise ValueError("grace_minutes must be 0 to 240")

    @property
    def bookable(self) -> int:
        """Places one slot offers to bookings: the capacity less the walk-ins' share."""
        return self.capacity * (100 - self.walk_in_percent) // 100


@dataclass(frozen=True)
class Hours:
    """An office's hours on one weekday (0 Monday … 6 Sunday), local "HH:MM"."""

    weekday: int
    opens_at: str
    closes_at: str

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if _minutes(self.opens_at) >= _minutes(self.closes_at):
            raise ValueError("an office opens before it closes")


@dataclass(frozen=True)
class Holiday:
    day: dt.date
    name: str


@dataclass(frozen=True)
class Slot:
    """One slot of a service's day: local times and places."""

    starts_at: str
    ends_at: str
    #: Places for bookings (the capacity less the walk-ins' share).
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)


@dataclass(frozen=True)
class Identity:
    """Who books: a NIK or a city card number, and the date of birth typed with it."""

    birth_date: dt.date = field(repr=False)
    nik: str | None = field(default=None, repr=False)
    card_number: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if (self.nik is None) == (self.card_number is None):
            raise ValueError("give a NIK or a card number, one of the two")


@shown_repr(code=shown_code, ticket_id=shown_key)  # the ticket's id opens its page
@dataclass(frozen=True)
class Booking:
    """A booking as this module answers it; personal fields stay out of ``repr``."""

    code: str
    office_id: str
    service_id: str
    day: dt.date
    starts_at: str
    ends_at: str
    state: BookingState
    slot_start: dt.datetime
    slot_end: dt.datetime
    created_at: dt.datetime
    ticket_id: str | None
    language: str
    citizen_id: int = field(repr=False)
    first_name: str = field(repr=False)
    phone: str | None = field(repr=False)
    #: How many times the holder moved it.
    changes: int = 0
    #: ``web`` (the booking page) or :data:`SOURCE_MJKN` (Mobile JKN).
    source: str = "web"


class Refusal(StrEnum):
    """Why nothing was booked, changed or cancelled."""

    #: The NIK or card number and the date of birth do not go together.
    IDENTITY = "identity_mismatch"
    #: Too many wrong pairs: try again after ``retry_after_s``.
    LOCKED = "too_many_attempts"
    #: The service takes no bookings at this office.
    NOT_BOOKABLE = "not_bookable"
    #: No slot starts at that time that day (outside the opening hours, off the grid).
    NO_SLOT = "no_slot"
    #: The day is over (before the office's today).
    DAY_PAST = "day_past"
    #: The slot has started (today, a time gone by).
    SLOT_STARTED = "slot_started"
    #: The office is closed that weekday.
    CLOSED_DAY = "closed_day"
    #: The office keeps a holiday that day.
    HOLIDAY = "holiday"
    #: More than :data:`DAYS_AHEAD` days ahead.
    TOO_FAR = "too_far_ahead"
    #: The slot's places are taken.
    FULL = "slot_full"
    #: This citizen has a booking for this service that day already.
    ALREADY_BOOKED = "already_booked"
    #: No booking with this code.
    UNKNOWN = "unknown_booking"
    #: The booking is no longer ``booked`` (checked in, cancelled, no-show).
    NOT_CHANGEABLE = "not_changeable"


@dataclass(frozen=True)
class Refused:
    """Returned, not raised: the audit rows and counts of a refused attempt must commit."""

    reason: Refusal
    retry_after_s: int | None = None


@dataclass(frozen=True)
class CheckIn:
    """What a registration's ``booking_code`` did.

    ``outcome``: ``checked_in`` or why not (``unknown_booking``,
    ``invalid_code``, ``cancelled``, ``already_used``, ``other_office``,
    ``other_day``, ``other_service``). ``priority`` and ``queued_at``: the
    ticket's place (``queued_at`` ``None``: keep the ticket's own).
    """

    outcome: str
    placement: str = Policy.WALK_IN.value
    priority: int = 0
    queued_at: dt.datetime | None = None
    #: The number the citizen left when booking (their yes to messages) and
    #: the booking's language: the checked-in ticket's "your turn is near"
    #: and "called" go there (:mod:`central.office.submissions`).
    phone: str | None = field(default=None, repr=False)
    language: str = "id"


# -- settings, hours, holidays ---------------------------------------------------------


def get_settings(conn: Connection, office_id: str, service_id: str) -> ServiceSettings | None:
    """The service's booking settings, or ``None`` (it takes no bookings)."""
    row = conn.execute(
        select(booking_settings).where(
            booking_settings.c.office_id == office_id,
            booking_settings.c.service_id == service_id,
        )
    ).first()
    return _settings(row) if row is not None else None


def put_settings(
    conn: Connection,
    office_id: str,
    service_id: str,
    settings: ServiceSettings,
    *,
    actor: str,
    now: dt.datetime,
) -> ServiceSettings:
    """Set a service's booking settings (404 ``unknown_service``); audited.

    The places of slots from today on follow the new capacity at once;
    bookings already made stay (a lower capacity takes no new ones). The
    slot length cannot change while the service has bookings to come
    (:class:`~central.errors.SlotLengthInUse`, 409): places are counted per
    slot start, so new slots over booked ones would sell places twice.
    """
    require_service(conn, office_id, service_id)
    before = get_settings(conn, office_id, service_id)
    if before is not None and before.slot_minutes != settings.slot_minutes:
        to_come = conn.execute(
            select(func.count()).where(
                bookings.c.office_id == office_id,
                bookings.c.service_id == service_id,
                bookings.c.state == BookingState.BOOKED.value,
                bookings.c.no_show_after > now,
            )
        ).scalar_one()
        if to_come:
            raise SlotLengthInUse(int(to_come))
    values = {
        "slot_minutes": settings.slot_minutes,
        "capacity": settings.capacity,
        "walk_in_percent": settings.walk_in_percent,
        "policy": settings.policy.value,
        "grace_minutes": settings.grace_minutes,
        "enabled": settings.enabled,
        "updated_at": now,
        "updated_by": actor,
    }
    upsert(conn, booking_settings, {"office_id": office_id, "service_id": service_id}, values)
    conn.execute(
        update(booking_slots)
        .where(
            booking_slots.c.office_id == office_id,
            booking_slots.c.service_id == service_id,
            booking_slots.c.day >= (now - dt.timedelta(days=1)).date(),
        )
        .values(capacity=settings.bookable)
    )
    record_event(
        conn,
        actor=actor,
        action="booking_settings_set",
        subject=f"{office_id}/{service_id}",
        detail=(
            f"slot {settings.slot_minutes} min, capacity {settings.capacity}, walk-ins "
            f"{settings.walk_in_percent}%, policy {settings.policy.value}, grace "
            f"{settings.grace_minutes} min, {'on' if settings.enabled else 'off'}"
        ),
    )
    return settings


def bookable_services(conn: Connection, office_id: str) -> dict[str, ServiceSettings]:
    """The active services of an office that take bookings, and their settings."""
    rows = conn.execute(
        select(booking_settings)
        .join(services, services.c.id == booking_settings.c.service_id)
        .where(
            booking_settings.c.office_id == office_id,
            booking_settings.c.enabled.is_(True),
            services.c.active.is_(True),
            services.c.office_id == office_id,
        )
        .order_by(booking_settings.c.service_id)
    )
    return {row.service_id: _settings(row) for row in rows}


def hours(conn: Connection, office_id: str) -> list[Hours]:
    """An office's weekly hours, Monday first (closed weekdays left out)."""
    rows = conn.execute(
        select(opening_hours)
        .where(opening_hours.c.office_id == office_id)
        .order_by(opening_hours.c.weekday)
    )
    return [Hours(r.weekday, r.opens_at, r.closes_at) for r in rows]


def put_hours(conn: Connection, office_id: str, week: list[Hours], *, actor: str) -> list[Hours]:
    """Replace an office's weekly hours (one entry per open weekday); audited."""
    if len({h.weekday for h in week}) != len(week):
        raise ValueError("one entry per weekday")
    conn.execute(delete(opening_hours).where(opening_hours.c.office_id == office_id))
    if week:
        conn.execute(
            insert(opening_hours),
            [
                {
                    "office_id": office_id,
                    "weekday": h.weekday,
                    "opens_at": h.opens_at,
                    "closes_at": h.closes_at,
                }
                for h in week
            ],
        )
    record_event(
        conn,
        actor=actor,
        action="opening_hours_set",
        subject=office_id,
        detail=", ".join(f"{h.weekday}:{h.opens_at}-{h.closes_at}" for h in week) or "closed",
    )
    return sorted(week, key=lambda h: h.weekday)


def holidays(conn: Connection, office_id: str, since: dt.date | None = None) -> list[Holiday]:
    """An office's holidays (from ``since`` on), in date order."""
    query = select(office_holidays).where(office_holidays.c.office_id == office_id)
    if since is not None:
        query = query.where(office_holidays.c.day >= since)
    rows = conn.execute(query.order_by(office_holidays.c.day))
    return [Holiday(r.day, r.name) for r in rows]


def put_holiday(
    conn: Connection, office_id: str, day: dt.date, name: str, *, actor: str
) -> Holiday:
    """Close an office on ``day`` (bookings already made that day stay; staff call them).

    ``ValueError`` for a name with characters that reorder or hide the text
    around them (:mod:`central.office.plain_text`): citizens read it.
    """
    if has_invisible(name):
        raise ValueError("a holiday's name may not hold invisible or direction characters")
    upsert(conn, office_holidays, {"office_id": office_id, "day": day}, {"name": name})
    record_event(conn, actor=actor, action="holiday_set", subject=office_id, detail=day.isoformat())
    return Holiday(day, name)


def booked_on(conn: Connection, office_id: str, day: dt.date, *, now: dt.datetime) -> int:
    """How many bookings of ``day`` at the office are still to be served (``booked``, in grace).

    A holiday added on such a day leaves them standing: staff are told how
    many, and see them listed, so they call the citizens.
    """
    return int(
        conn.execute(
            select(func.count()).where(
                bookings.c.office_id == office_id,
                bookings.c.day == day,
                bookings.c.state == BookingState.BOOKED.value,
                bookings.c.no_show_after > now,
            )
        ).scalar_one()
    )


def delete_holiday(conn: Connection, office_id: str, day: dt.date, *, actor: str) -> bool:
    """Open the office again on ``day``; ``False`` if it was no holiday."""
    done = conn.execute(
        delete(office_holidays).where(
            office_holidays.c.office_id == office_id, office_holidays.c.day == day
        )
    )
    if done.rowcount:
        record_event(
            conn, actor=actor, action="holiday_removed", subject=office_id, detail=day.isoformat()
        )
    return bool(done.rowcount)


# -- slots -------------------------------------------------------------------------------


def slots(
    conn: Connection,
    office_id: str,
    service_id: str,
    day: dt.date,
    *,
    now: dt.datetime,
    zone: ZoneInfo,
) -> list[Slot]:
    """The slots of a service's day still to come (not started yet), with their places.

    Empty when the service takes no bookings, the office is closed that day,
    or the day is past or more than :data:`DAYS_AHEAD` days ahead.
    """
    settings = get_settings(conn, office_id, service_id)
    if settings is None or not settings.enabled or not _active(conn, office_id, service_id):
        return []
    grid = _grid(conn, office_id, day, settings, now=now, zone=zone)
    if not grid:
        return []
    taken = {
        row.starts_at: (row.capacity, row.booked)
        for row in conn.execute(
            select(booking_slots).where(
                booking_slots.c.office_id == office_id,
                booking_slots.c.service_id == service_id,
                booking_slots.c.day == day,
            )
        )
    }
    result = []
    for start, end in grid:
        capacity, booked = taken.get(start, (settings.bookable, 0))
        result.append(Slot(start, end, capacity, booked))
    return result


def open_days(
    conn: Connection, office_id: str, service_id: str, *, now: dt.datetime, zone: ZoneInfo
) -> list[dt.date]:
    """The days from today to :data:`DAYS_AHEAD` on which the service has a slot to come.

    None when its slots offer no place to bookings (capacity 0, or all kept for walk-ins).
    """
    settings = get_settings(conn, office_id, service_id)
    if settings is None or not settings.enabled or not _active(conn, office_id, service_id):
        return []
    if settings.bookable <= 0:
        return []
    today = now.astimezone(zone).date()
    closed = {h.day for h in holidays(conn, office_id, today)}
    week = {h.weekday: h for h in hours(conn, office_id)}
    days = []
    for offset in range(DAYS_AHEAD):
        day = today + dt.timedelta(days=offset)
        if day in closed or day.weekday() not in week:
            continue
        if _grid(conn, office_id, day, settings, now=now, zone=zone, week=week, closed=closed):
            days.append(day)
    return days


# -- booking, finding, cancelling, changing ------------------------------------------------


def book(
    conn: Connection,
    *,
    office_id: str,
    service_id: str,
    day: dt.date,
    starts_at: str,
    identity: Identity,
    phone: str | None,
    language: str,
    client: str,
    audit_key: bytes,
    now: dt.datetime,
    zone: ZoneInfo,
) -> Booking | Refused:
    """Book a slot for the citizen ``identity`` proves; :class:`Refused` says why not.

    The identity is checked first (audited, counted when wrong); a wrong
    date of birth books nothing and says only that the pair is wrong.
    ``client`` is the caller's address (its wrong pairs are counted too).
    ``phone`` is the citizen's number for messages (the ``08…`` form of
    :func:`central.messages.phones.mobile`, else ``ValueError``: the page checks it
    first). The caller commits either way.
    """
    if phone is not None and phones.mobile(phone) != phone:
        raise ValueError("a phone is an Indonesian mobile number in its 08… form")
    citizen = _prove(conn, identity, client=client, audit_key=audit_key, now=now)
    if isinstance(citizen, Refused):
        return citizen
    settings = get_settings(conn, office_id, service_id)
    if settings is None or not settings.enabled or not _active(conn, office_id, service_id):
        return Refused(Refusal.NOT_BOOKABLE)
    slot = _slot_of(conn, office_id, day, starts_at, settings, now=now, zone=zone)
    if slot is None:
        return Refused(_why_no_slot(conn, office_id, day, starts_at, now=now, zone=zone))
    if _live_elsewhere(conn, citizen.id, service_id, day, now):
        return Refused(Refusal.ALREADY_BOOKED)
    if not _take_place(conn, office_id, service_id, day, starts_at, settings.bookable):
        return Refused(Refusal.FULL)
    slot_start, slot_end = slot
    row = {
        "office_id": office_id,
        "service_id": service_id,
        "day": day,
        "starts_at": starts_at,
        "ends_at": _hhmm(slot_end.astimezone(zone)),
        "slot_start": slot_start,
        "slot_end": slot_end,
        "no_show_after": slot_end + dt.timedelta(minutes=settings.grace_minutes),
        "citizen_id": citizen.id,
        "phone": phone,
        "language": language,
        "state": BookingState.BOOKED.value,
        "ticket_id": None,
        "created_at": now,
        "state_changed_at": now,
        "changed_by": "citizen",
    }
    try:
        code = _insert_with_fresh_code(conn, row)
    except _AlreadyBooked:  # the same citizen's other request won the race
        _release(conn, office_id, service_id, day, starts_at)
        return Refused(Refusal.ALREADY_BOOKED)
    record_event(
        conn,
        actor=f"booking-page:{client}"[:100],
        action="booking_made",
        subject=code,
        detail=f"{office_id}/{service_id} {day.isoformat()} {starts_at}",
    )
    found = _by_code(conn, code)
    assert found is not None  # noqa: S101 - inserted just now, in this transaction
    triggers.booking_confirmed(conn, found, now, zone)
    return found


def find(conn: Connection, code: str, *, now: dt.datetime) -> Booking | None:
    """The booking with ``code``, or ``None``; reads only (``no_show`` once due, marked or not)."""
    if not is_valid_code(code):
        return None
    return _by_code(conn, code, now)


def cancel(
    conn: Connection,
    code: str,
    birth_date: dt.date,
    *,
    client: str,
    audit_key: bytes,
    now: dt.datetime,
) -> Booking | Refused:
    """Cancel a ``booked`` booking; its holder proves it with their date of birth again."""
    proved = _prove_holder(conn, code, birth_date, client=client, audit_key=audit_key, now=now)
    if isinstance(proved, Refused):
        return proved
    if proved.source == SOURCE_MJKN:  # Mobile JKN's own: cancelled there (batal antrean)
        return Refused(Refusal.NOT_CHANGEABLE)
    done = conn.execute(
        update(bookings)
        .where(
            bookings.c.code == code,
            bookings.c.state == BookingState.BOOKED.value,
            bookings.c.no_show_after > now,
        )
        .values(state=BookingState.CANCELLED.value, state_changed_at=now, changed_by="citizen")
    )
    if done.rowcount != 1:
        return Refused(Refusal.NOT_CHANGEABLE)
    _give_place_back(conn, proved)
    record_event(
        conn,
        actor=f"booking-page:{client}"[:100],
        action="booking_cancelled",
        subject=code,
        detail=f"{proved.office_id}/{proved.service_id} {proved.day.isoformat()}",
    )
    found = _by_code(conn, code)
    assert found is not None  # noqa: S101 - it was there a moment ago, in this transaction
    return found


def change(
    conn: Connection,
    code: str,
    birth_date: dt.date,
    *,
    day: dt.date,
    starts_at: str,
    client: str,
    audit_key: bytes,
    now: dt.datetime,
    zone: ZoneInfo,
) -> Booking | Refused:
    """Move a ``booked`` booking to another slot of its service (same code); DOB again."""
    proved = _prove_holder(conn, code, birth_date, client=client, audit_key=audit_key, now=now)
    if isinstance(proved, Refused):
        return proved
    if proved.state is not BookingState.BOOKED or proved.source == SOURCE_MJKN:
        return Refused(Refusal.NOT_CHANGEABLE)
    settings = get_settings(conn, proved.office_id, proved.service_id)
    if settings is None or not settings.enabled:
        return Refused(Refusal.NOT_BOOKABLE)
    slot = _slot_of(conn, proved.office_id, day, starts_at, settings, now=now, zone=zone)
    if slot is None:
        why = _why_no_slot(conn, proved.office_id, day, starts_at, now=now, zone=zone)
        return Refused(why)
    if (day, starts_at) == (proved.day, proved.starts_at):
        return proved
    if day != proved.day and _live_elsewhere(
        conn, proved.citizen_id, proved.service_id, day, now, but=code
    ):
        return Refused(Refusal.ALREADY_BOOKED)
    if not _take_place(
        conn, proved.office_id, proved.service_id, day, starts_at, settings.bookable
    ):
        return Refused(Refusal.FULL)
    slot_start, slot_end = slot
    try:
        with conn.begin_nested():
            done = conn.execute(
                update(bookings)
                .where(
                    bookings.c.code == code,
                    bookings.c.state == BookingState.BOOKED.value,
                    bookings.c.no_show_after > now,
                )
                .values(
                    day=day,
                    starts_at=starts_at,
                    ends_at=_hhmm(slot_end.astimezone(zone)),
                    slot_start=slot_start,
                    slot_end=slot_end,
                    no_show_after=slot_end + dt.timedelta(minutes=settings.grace_minutes),
                    state_changed_at=now,
                    changed_by="citizen",
                    changes=bookings.c.changes + 1,
                )
            )
    except IntegrityError:  # the citizen booked that day meanwhile (the unique index)
        _release(conn, proved.office_id, proved.service_id, day, starts_at)
        return Refused(Refusal.ALREADY_BOOKED)
    if done.rowcount != 1:  # checked in or cancelled meanwhile: give the new place back
        _release(conn, proved.office_id, proved.service_id, day, starts_at)
        return Refused(Refusal.NOT_CHANGEABLE)
    _give_place_back(conn, proved)
    record_event(
        conn,
        actor=f"booking-page:{client}"[:100],
        action="booking_changed",
        subject=code,
        detail=f"{proved.day.isoformat()} {proved.starts_at} -> {day.isoformat()} {starts_at}",
    )
    found = _by_code(conn, code)
    assert found is not None  # noqa: S101 - updated just now, in this transaction
    triggers.booking_confirmed(conn, found, now, zone)
    return found


# -- Mobile JKN bookings (central/wsrs/service.py) -----------------------------------------


def book_mjkn(
    conn: Connection,
    *,
    office_id: str,
    service_id: str,
    day: dt.date,
    starts_at: str,
    ends_at: str,
    slot_start: dt.datetime,
    slot_end: dt.datetime,
    no_show_after: dt.datetime,
    citizen_id: int,
    now: dt.datetime,
) -> str | None:
    """A Mobile JKN booking (``source`` ``mjkn``) for the doctor's hours; its code, or ``None``.

    ``None``: the citizen already holds a live booking of the service that day.
    No slot place is taken: the doctor's JKN quota is the place
    (:mod:`central.hospital.quota`), taken by the caller in the same transaction.
    No phone: Mobile JKN's patients said no yes to the centre's messages.
    """
    if _live_elsewhere(conn, citizen_id, service_id, day, now):
        return None
    row: dict[str, object] = {
        "office_id": office_id,
        "service_id": service_id,
        "day": day,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "slot_start": slot_start,
        "slot_end": slot_end,
        "no_show_after": no_show_after,
        "citizen_id": citizen_id,
        "phone": None,
        "language": "id",
        "state": BookingState.BOOKED.value,
        "ticket_id": None,
        "created_at": now,
        "state_changed_at": now,
        "changed_by": "mjkn",
        "source": SOURCE_MJKN,
    }
    try:
        return _insert_with_fresh_code(conn, row)
    except _AlreadyBooked:
        return None


def lock_mjkn(conn: Connection, code: str) -> BookingState | None:
    """Hold the Mobile JKN booking ``code`` for this transaction; its state (``None``: none).

    **One lock order** for a Mobile JKN booking and its visit: the ``bookings`` row
    first, then the ``hospital_visits`` row. The kiosk's :func:`check_in` updates the
    booking before the visit; WS RS batal and check-in call this before touching the
    visit, so two of them on one booking wait for each other instead of deadlocking
    (PostgreSQL ``FOR UPDATE``; SQLite has one writer at a time).
    """
    state = conn.execute(
        select(bookings.c.state)
        .where(bookings.c.code == code, bookings.c.source == SOURCE_MJKN)
        .with_for_update()
    ).scalar_one_or_none()
    return None if state is None else BookingState(state)


def cancel_mjkn(conn: Connection, code: str, *, now: dt.datetime) -> bool:
    """Cancel the Mobile JKN booking ``code`` not yet checked in; whether it was."""
    done = conn.execute(
        update(bookings)
        .where(
            bookings.c.code == code,
            bookings.c.source == SOURCE_MJKN,
            bookings.c.state.in_([BookingState.BOOKED.value, BookingState.NO_SHOW.value]),
        )
        .values(state=BookingState.CANCELLED.value, state_changed_at=now, changed_by="mjkn")
    )
    return done.rowcount == 1


# -- the day's lists --------------------------------------------------------------------


def day_bookings(
    conn: Connection,
    office_id: str,
    day: dt.date,
    *,
    now: dt.datetime,
    service_ids: list[str] | None = None,
    actor: str | None = None,
) -> list[Booking]:
    """An office's bookings of a day (every state), by slot; for staff pages.

    Reads only, unless ``actor`` (a staff member viewing names) is given:
    then one audit row names who looked, the office, day and count; never a name.
    """
    query = _select().where(bookings.c.office_id == office_id, bookings.c.day == day)
    if service_ids is not None:
        query = query.where(bookings.c.service_id.in_(service_ids))
    rows = conn.execute(query.order_by(bookings.c.starts_at, bookings.c.service_id, bookings.c.id))
    found = [_booking(r, now) for r in rows]
    if actor is not None:
        record_event(
            conn,
            actor=actor,
            action="bookings_viewed",
            subject=office_id,
            detail=f"{day.isoformat()}: {len(found)} bookings",
        )
    return found


def kiosk_today(
    conn: Connection, kiosk_id: str, office_id: str, *, now: dt.datetime, zone: ZoneInfo
) -> tuple[dt.date, list[BookingToday]]:
    """The office's bookings of its local today, as a kiosk caches them; audited per fetch.

    At most :data:`KIOSK_TODAY_MAX`; every state, so the kiosk can tell a
    used or cancelled code. One audit row names the kiosk and the count.
    A Mobile JKN booking carries its doctor's name and hours (``doctor``,
    ``hours`` ``HH:MM-HH:MM``) for the greeting and the ticket.
    """
    today = now.astimezone(zone).date()
    mark_no_shows(conn, now)
    rows = conn.execute(
        select(
            bookings,
            citizens.c.nik,
            citizens.c.card_number,
            citizens.c.full_name,
            hospital_visits.c.doctor_name,
            hospital_visits.c.jampraktek,
        )
        .join(citizens, citizens.c.id == bookings.c.citizen_id)
        .outerjoin(
            hospital_visits,
            (hospital_visits.c.booking_code == bookings.c.code)
            & (bookings.c.source == SOURCE_MJKN),
        )
        .where(bookings.c.office_id == office_id, bookings.c.day == today)
        .order_by(bookings.c.starts_at, bookings.c.id)
        .limit(KIOSK_TODAY_MAX)
    ).all()
    result = [
        BookingToday(
            code=r.code,
            office_id=r.office_id,
            service_id=r.service_id,
            day=r.day,
            starts_at=dt.time.fromisoformat(r.starts_at),
            ends_at=dt.time.fromisoformat(r.ends_at),
            state=(
                BookingState.NO_SHOW
                if r.state == BookingState.BOOKED.value and r.no_show_after <= now
                else BookingState(r.state)
            ),
            nik=r.nik,
            card_number=r.card_number,
            first_name=first_name(r.full_name),
            doctor=r.doctor_name or "",
            hours=r.jampraktek or "",
        )
        for r in rows
    ]
    record_event(
        conn,
        actor=f"kiosk:{kiosk_id}",
        action="bookings_today_fetched",
        subject=office_id,
        detail=f"{today.isoformat()}: {len(result)} bookings",
    )
    return today, result


def mark_no_shows(conn: Connection, now: dt.datetime) -> int:
    """Mark every booking whose slot and grace are over without a check-in; how many.

    One idempotent statement: any number of server processes may run it
    at once; each booking is marked once. On PostgreSQL a row another
    transaction holds is skipped (``FOR UPDATE SKIP LOCKED``): two markers
    never wait on each other (nor deadlock), a check-in under way is not
    held up, and whatever is skipped is marked by the next look. A Mobile
    JKN booking's visit is closed with it (:func:`_close_mjkn_no_shows`).
    """
    due = (
        select(bookings.c.id)
        .where(
            bookings.c.state == BookingState.BOOKED.value,
            bookings.c.no_show_after <= now,
        )
        .with_for_update(skip_locked=True)
    )
    marked = conn.execute(
        update(bookings)
        .where(bookings.c.id.in_(due), bookings.c.state == BookingState.BOOKED.value)
        .values(state=BookingState.NO_SHOW.value, state_changed_at=now, changed_by="centre")
        .returning(bookings.c.code, bookings.c.source)
    ).all()
    if marked:
        log.info("%d bookings marked as no-shows", len(marked))
    _close_mjkn_no_shows(conn, [r.code for r in marked if r.source == SOURCE_MJKN], now)
    return len(marked)


#: A Mobile JKN visit's ``cancel_reason`` when the patient never came.
MJKN_NO_SHOW_REASON = "no-show"


def _close_mjkn_no_shows(conn: Connection, codes: list[str], now: dt.datetime) -> None:
    """The visits of Mobile JKN bookings just marked no-show: closed, the place given back,
    BPJS told (task 99): :func:`_close_mjkn_visits`, then :func:`give_back_lapsed`."""
    give_back_lapsed(conn, _close_mjkn_visits(conn, codes, now), now)


def _close_mjkn_visits(conn: Connection, codes: list[str], now: dt.datetime) -> list[str]:
    """Close the visits of the Mobile JKN bookings ``codes`` just marked no-show; the codes
    of those closed now, whose places are still to be given back (:func:`give_back_lapsed`).

    Called in the transaction that marked the bookings (the booking rows are held:
    the one lock order, bookings then visits), so each visit is closed once however
    many processes mark; the visit's conditional ``UPDATE`` and the outbox's dedupe
    key make a second look do nothing. The visit is ``cancelled`` with the reason
    :data:`MJKN_NO_SHOW_REASON`: no longer counted in the doctor's queue, and WS RS
    batal answers that it lapsed.
    """
    closed = []
    for code in codes:
        done = conn.execute(
            update(hospital_visits)
            .where(
                hospital_visits.c.booking_code == code,
                hospital_visits.c.source == SOURCE_MJKN,
                hospital_visits.c.ticket_id.is_(None),
                hospital_visits.c.state.in_(("booked", "checked_in")),
            )
            .values(state="cancelled", cancelled_at=now, cancel_reason=MJKN_NO_SHOW_REASON)
        )
        if done.rowcount == 1:
            closed.append(code)
    return closed


def give_back_lapsed(
    conn: Connection,
    codes: list[str],
    now: dt.datetime,
    taking: Iterable[tuple[Any, dt.date]] = (),
) -> None:
    """Give back the places of the Mobile JKN bookings ``codes`` whose visits were just
    closed as no-shows, and tell BPJS.

    Their doctors' days, and those of ``taking`` (the (schedule, day) the caller takes a
    place on next), are held in one order first (:func:`central.hospital.quota.hold`):
    given back one booking at a time, two doctors' days were held in the order the
    bookings came, and a kiosk's batch registering at the same doctors in the other order
    deadlocked with it on PostgreSQL. The days come after the bookings and their visits
    (the one lock order, central/hospital/visits.py).
    """
    quota.hold(conn, [f"booking:{code}" for code in codes], taking)
    for code in codes:
        quota.release(conn, f"booking:{code}", now)
        integration_triggers.visit_no_show(conn, code, now)


# -- check-in ---------------------------------------------------------------------------------


def check_in(
    conn: Connection,
    code: object,
    *,
    office_id: str,
    service_id: str,
    day: dt.date,
    ticket_id: str,
    checked_in_at: dt.datetime,
    now: dt.datetime,
) -> CheckIn:
    """Check the booking ``code`` in with the ticket ``ticket_id``; where the ticket stands.

    ``checked_in_at`` is the ticket's queue time (a time the centre can
    defend, :func:`central.office.submissions.queue_time`), so a check-in
    printed offline in time and delivered late is placed as on time, and a
    booking marked no-show meanwhile is checked in after all: the citizen
    came. The booking is taken with a conditional ``UPDATE``: two tickets
    checking one booking in at once, one of them wins, the other is a walk-in
    (``already_used``).
    """
    if not isinstance(code, str) or not is_valid_code(code):
        return CheckIn("invalid_code")
    found = _by_code(conn, code)
    if found is None:
        return CheckIn(Refusal.UNKNOWN.value)
    if found.office_id != office_id:
        return CheckIn("other_office")
    if found.day != day:
        return CheckIn("other_day")
    if found.service_id != service_id:
        return CheckIn("other_service")
    if found.state is BookingState.CANCELLED:
        return CheckIn("cancelled")
    if found.state is BookingState.CHECKED_IN:
        return CheckIn("checked_in" if found.ticket_id == ticket_id else "already_used")
    done = conn.execute(
        update(bookings)
        .where(
            bookings.c.code == code,
            bookings.c.state.in_([BookingState.BOOKED.value, BookingState.NO_SHOW.value]),
        )
        .values(
            state=BookingState.CHECKED_IN.value,
            ticket_id=ticket_id,
            state_changed_at=now,
            changed_by="kiosk",
        )
    )
    if done.rowcount != 1:
        # Taken or cancelled a moment ago (the row changed under the UPDATE): say which.
        now_found = _by_code(conn, code)
        if now_found is not None and now_found.state is BookingState.CANCELLED:
            return CheckIn("cancelled")
        if now_found is not None and now_found.ticket_id == ticket_id:
            return CheckIn("checked_in")
        return CheckIn("already_used")
    if found.source == SOURCE_MJKN:
        _check_in_visit(conn, code, ticket_id, checked_in_at)
    settings = get_settings(conn, office_id, service_id)
    policy = settings.policy if settings is not None else Policy.HEAD
    if policy is Policy.HEAD and (
        found.slot_start - EARLY_CHECK_IN <= checked_in_at <= found.slot_end
    ):
        return CheckIn(
            "checked_in",
            Policy.HEAD.value,
            BOOKED_PRIORITY,
            max(checked_in_at, found.slot_start),
            found.phone,
            found.language,
        )
    return CheckIn("checked_in", Policy.WALK_IN.value, 0, None, found.phone, found.language)


def _check_in_visit(
    conn: Connection, code: str, ticket_id: str, checked_in_at: dt.datetime
) -> None:
    """Bind the ticket to the Mobile JKN booking's visit and tell BPJS it has begun.

    The visit is ``checked_in`` with the ticket (its ``checked_in_at`` kept if
    BPJS's own check-in came first); then :func:`central.integrations.triggers.visit_checked_in`
    queues what BPJS and SATUSEHAT hear, in this transaction.
    """
    done = conn.execute(
        update(hospital_visits)
        .where(
            hospital_visits.c.booking_code == code,
            hospital_visits.c.source == SOURCE_MJKN,
            hospital_visits.c.ticket_id.is_(None),
            hospital_visits.c.state.in_(("booked", "checked_in")),
        )
        .values(
            state="checked_in",
            ticket_id=ticket_id,
            checked_in_at=func.coalesce(hospital_visits.c.checked_in_at, checked_in_at),
        )
    )
    if done.rowcount != 1:
        log.warning("booking %s of Mobile JKN has no visit to check in", shown_code(code))
        return
    integration_triggers.visit_checked_in(conn, ticket_id, checked_in_at)


def first_name(full_name: str) -> str:
    """The first word of a name, the one greeting and messages use."""
    parts = full_name.split()
    return parts[0] if parts else ""


# -- helpers ----------------------------------------------------------------------------------


def _settings(row: Row[Any]) -> ServiceSettings:
    return ServiceSettings(
        slot_minutes=row.slot_minutes,
        capacity=row.capacity,
        walk_in_percent=row.walk_in_percent,
        policy=Policy(row.policy),
        grace_minutes=row.grace_minutes,
        enabled=bool(row.enabled),
    )


def _active(conn: Connection, office_id: str, service_id: str) -> bool:
    return (
        conn.execute(
            select(services.c.id).where(
                services.c.id == service_id,
                services.c.office_id == office_id,
                services.c.active.is_(True),
            )
        ).first()
        is not None
    )


def _minutes(hhmm: str) -> int:
    parsed = dt.time.fromisoformat(hhmm)
    if len(hhmm) != 5:
        raise ValueError("a time is HH:MM")
    return parsed.hour * 60 + parsed.minute


def _hhmm(at: dt.datetime) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


def _grid(
    conn: Connection,
    office_id: str,
    day: dt.date,
    settings: ServiceSettings,
    *,
    now: dt.datetime,
    zone: ZoneInfo,
    week: dict[int, Hours] | None = None,
    closed: set[dt.date] | None = None,
) -> list[tuple[str, str]]:
    """The (start, end) local "HH:MM" of the day's slots not started by ``now``."""
    today = now.astimezone(zone).date()
    if not today <= day < today + dt.timedelta(days=DAYS_AHEAD):
        return []
    if closed is None:
        closed = {h.day for h in holidays(conn, office_id, day) if h.day == day}
    if day in closed:
        return []
    if week is None:
        week = {h.weekday: h for h in hours(conn, office_id)}
    open_hours = week.get(day.weekday())
    if open_hours is None:
        return []
    start, end = _minutes(open_hours.opens_at), _minutes(open_hours.closes_at)
    result = []
    minute = start
    while minute + settings.slot_minutes <= end:
        # Only today's slots can have started: a later day's are all to come, and
        # open_days asks for a month of days on every booking page.
        if day > today or (
            dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=zone).astimezone(
                dt.UTC
            )
            > now
        ):
            stop = minute + settings.slot_minutes
            result.append(
                (f"{minute // 60:02d}:{minute % 60:02d}", f"{stop // 60:02d}:{stop % 60:02d}")
            )
        minute += settings.slot_minutes
    return result


def _slot_of(
    conn: Connection,
    office_id: str,
    day: dt.date,
    starts_at: str,
    settings: ServiceSettings,
    *,
    now: dt.datetime,
    zone: ZoneInfo,
) -> tuple[dt.datetime, dt.datetime] | None:
    """The UTC start and end of the slot ``starts_at`` of ``day``, if it is one to come."""
    for start, end in _grid(conn, office_id, day, settings, now=now, zone=zone):
        if start == starts_at:
            begins = dt.datetime.combine(day, dt.time.fromisoformat(start), tzinfo=zone)
            ends = dt.datetime.combine(day, dt.time.fromisoformat(end), tzinfo=zone)
            return begins.astimezone(dt.UTC), ends.astimezone(dt.UTC)
    return None


def _why_no_slot(
    conn: Connection,
    office_id: str,
    day: dt.date,
    starts_at: str,
    *,
    now: dt.datetime,
    zone: ZoneInfo,
) -> Refusal:
    """Why ``starts_at`` of ``day`` is no slot to book, in the words the citizen needs."""
    today = now.astimezone(zone).date()
    if day < today:
        return Refusal.DAY_PAST
    if day >= today + dt.timedelta(days=DAYS_AHEAD):
        return Refusal.TOO_FAR
    if any(h.day == day for h in holidays(conn, office_id, day)):
        return Refusal.HOLIDAY
    week = {h.weekday: h for h in hours(conn, office_id)}
    open_hours = week.get(day.weekday())
    if open_hours is None:
        return Refusal.CLOSED_DAY
    try:
        minute = _minutes(starts_at)
    except ValueError:
        return Refusal.NO_SLOT
    if day == today and minute <= _minutes(_hhmm(now.astimezone(zone))):
        opens, closes = _minutes(open_hours.opens_at), _minutes(open_hours.closes_at)
        if opens <= minute < closes:
            return Refusal.SLOT_STARTED
    return Refusal.NO_SLOT


def _take_place(
    conn: Connection, office_id: str, service_id: str, day: dt.date, starts_at: str, bookable: int
) -> bool:
    """Take one place of a slot; ``False`` when none is left. The overbooking guard."""
    key = {"office_id": office_id, "service_id": service_id, "day": day, "starts_at": starts_at}
    conn.execute(
        dialect_insert(conn, booking_slots)
        .values(**key, capacity=bookable, booked=0)
        .on_conflict_do_nothing(
            index_elements=[
                booking_slots.c.office_id,
                booking_slots.c.service_id,
                booking_slots.c.day,
                booking_slots.c.starts_at,
            ]
        )
    )
    done = conn.execute(
        update(booking_slots)
        .where(
            booking_slots.c.office_id == office_id,
            booking_slots.c.service_id == service_id,
            booking_slots.c.day == day,
            booking_slots.c.starts_at == starts_at,
            booking_slots.c.booked < booking_slots.c.capacity,
        )
        .values(booked=booking_slots.c.booked + 1)
    )
    return done.rowcount == 1


def _release(conn: Connection, office_id: str, service_id: str, day: dt.date, start: str) -> None:
    conn.execute(
        update(booking_slots)
        .where(
            booking_slots.c.office_id == office_id,
            booking_slots.c.service_id == service_id,
            booking_slots.c.day == day,
            booking_slots.c.starts_at == start,
            booking_slots.c.booked > 0,
        )
        .values(booked=booking_slots.c.booked - 1)
    )


def _give_place_back(conn: Connection, booking: Booking) -> None:
    _release(conn, booking.office_id, booking.service_id, booking.day, booking.starts_at)


class _AlreadyBooked(Exception):
    """The citizen holds a live booking of the service that day (the database said so)."""


def _live_elsewhere(
    conn: Connection,
    citizen_id: object,
    service_id: object,
    day: object,
    now: dt.datetime,
    but: str | None = None,
) -> bool:
    """Whether the citizen holds a ``booked`` booking of the service that day (not ``but``).

    One past its grace is stored as a no-show first: it is one already, and
    the unique index counts stored states only.
    """
    same = (
        bookings.c.citizen_id == citizen_id,
        bookings.c.service_id == service_id,
        bookings.c.day == day,
        bookings.c.state == BookingState.BOOKED.value,
    )
    mark_lapsed(conn, citizen_id, service_id, day, now)
    query = select(bookings.c.id).where(*same)
    if but is not None:
        query = query.where(bookings.c.code != but)
    return conn.execute(query.limit(1)).first() is not None


def mark_lapsed(
    conn: Connection,
    citizen_id: object,
    service_id: object,
    day: object,
    now: dt.datetime,
    taking: Iterable[tuple[Any, dt.date]] = (),
) -> None:
    """Store the citizen's bookings of the service that day that are past their grace as
    no-shows now (a Mobile JKN one's visit closed with it, its place given back), not
    waiting for the tick: :func:`close_lapsed`, then :func:`give_back_lapsed` (with the
    doctor's day ``taking`` of a place the caller takes next, held in the same order)."""
    give_back_lapsed(conn, close_lapsed(conn, citizen_id, service_id, day, now), now, taking)


def close_lapsed(
    conn: Connection, citizen_id: object, service_id: object, day: object, now: dt.datetime
) -> list[str]:
    """Store the citizen's bookings of the service that day that are past their grace as
    no-shows now, a Mobile JKN one's visit closed with it (the booking, then its visit);
    the codes of those whose places are still to be given back (:func:`give_back_lapsed`),
    so a caller holding several doctors' days holds theirs in the same order first."""
    lapsed = conn.execute(
        update(bookings)
        .where(
            bookings.c.citizen_id == citizen_id,
            bookings.c.service_id == service_id,
            bookings.c.day == day,
            bookings.c.state == BookingState.BOOKED.value,
            bookings.c.no_show_after <= now,
        )
        .values(state=BookingState.NO_SHOW.value, state_changed_at=now, changed_by="centre")
        .returning(bookings.c.code, bookings.c.source)
    ).all()
    return _close_mjkn_visits(conn, [r.code for r in lapsed if r.source == SOURCE_MJKN], now)


def _insert_with_fresh_code(conn: Connection, row: dict[str, object]) -> str:
    """Insert the booking under a code nobody has (a collision: one in 10⁸ per booking).

    Raises :class:`_AlreadyBooked` when the unique index
    ``uq_bookings_citizen_service_day_booked`` refuses it: a racing request
    of the same citizen (by NIK and by card number at once) won.
    """
    for _ in range(10):
        code = new_code()
        try:
            with conn.begin_nested():
                conn.execute(insert(bookings).values(**row, code=code))
        except IntegrityError:
            if row["state"] == BookingState.BOOKED.value and _live_elsewhere(
                conn, row["citizen_id"], row["service_id"], row["day"], _as_now(row)
            ):
                raise _AlreadyBooked from None
            continue
        return code
    raise RuntimeError("no free booking code after 10 tries")


def _as_now(row: dict[str, object]) -> dt.datetime:
    now = row["created_at"]
    assert isinstance(now, dt.datetime)  # noqa: S101 - every booking row has one
    return now


def _select() -> Select[Any]:
    return select(bookings, citizens.c.full_name).join(
        citizens, citizens.c.id == bookings.c.citizen_id
    )


def _booking(r: Row[tuple[object, ...]], now: dt.datetime | None = None) -> Booking:
    """The booking of a row; with ``now``, one past its grace reads ``no_show``, marked or not."""
    m = r._mapping
    state = BookingState(m["state"])
    if state is BookingState.BOOKED and now is not None and m["no_show_after"] <= now:
        state = BookingState.NO_SHOW
    return Booking(
        code=m["code"],
        office_id=m["office_id"],
        service_id=m["service_id"],
        day=m["day"],
        starts_at=m["starts_at"],
        ends_at=m["ends_at"],
        state=state,
        slot_start=m["slot_start"],
        slot_end=m["slot_end"],
        created_at=m["created_at"],
        ticket_id=m["ticket_id"],
        language=m["language"],
        citizen_id=m["citizen_id"],
        first_name=first_name(m["full_name"]),
        phone=m["phone"],
        changes=m["changes"],
        source=m["source"],
    )


def _by_code(conn: Connection, code: str, now: dt.datetime | None = None) -> Booking | None:
    row = conn.execute(_select().where(bookings.c.code == code)).first()
    return _booking(row, now) if row is not None else None


def _born_on(citizen: Row[Any], birth_date: dt.date, today: dt.date) -> bool:
    """Whether ``birth_date`` is the citizen's, compared in full (day, month and year).

    Against the city's record of it (``citizens.birth_date``); a record
    without one, against the date the NIK carries with its century
    resolved: the latest such date not after ``today`` (a NIK ``…170879…``
    is 17 August 1979, never 2079 nor 1879).
    """
    if citizen.birth_date is not None:
        return bool(citizen.birth_date == birth_date)
    try:
        parsed = parse_nik(citizen.nik, reference=today)
    except NikError as exc:
        log.error("a registered citizen's NIK is unusable: %s", exc)  # never its digits
        return False
    return parsed.birth_date == birth_date


def _identity_subject(kind: str, key_hash: str) -> Subject:
    return Subject(
        f"booking:{kind}:{key_hash}"[:80], IDENTITY_LIMIT, audit_subject=f"booking:{kind}"
    )


def _address_subject(client: str) -> Subject:
    return Subject(f"booking-addr:{client}"[:80], ADDRESS_LIMIT)


def _prove(
    conn: Connection, identity: Identity, *, client: str, audit_key: bytes, now: dt.datetime
) -> Row[tuple[object, ...]] | Refused:
    """The citizen whose NIK or card number goes with the date of birth; audited, counted.

    Wrong pairs count against the citizen the key names (one count whether
    their NIK or their card number was typed: switching does not double the
    tries), or against the typed key when it names nobody; and against the
    address. The identity's row is locked first, then the address's: every
    transaction locks them in this order.
    """
    kind = KeyKind.NIK if identity.nik is not None else KeyKind.CARD_NUMBER
    value = identity.nik if identity.nik is not None else identity.card_number
    assert value is not None  # noqa: S101 - Identity holds one of the two
    key = normalise_key(kind, value)
    column = citizens.c.nik if kind is KeyKind.NIK else citizens.c.card_number
    row = conn.execute(select(citizens).where(column == key)).first()
    if row is not None:  # the citizen, however named: counted under their NIK
        counted_as = keyed_hash(audit_key, KeyKind.NIK.value, row.nik)
        who_is = _identity_subject(KeyKind.NIK.value, counted_as)
    else:
        who_is = _identity_subject(kind.value, keyed_hash(audit_key, kind.value, key))
    counted = (who_is, _address_subject(client))
    audit_kind = "booking_nik" if kind is KeyKind.NIK else "booking_card"
    who = f"booking-page:{client}"[:100]
    retry_after = limits.refused_for(conn, counted, now)
    if retry_after is not None:
        audit_lookup(
            conn,
            kind,
            key,
            staff_username=who,
            audit_key=audit_key,
            found=False,
            audit_kind="booking_refused",
            at=now,
        )
        return Refused(Refusal.LOCKED, retry_after)
    matched = row is not None and _born_on(row, identity.birth_date, now.date())
    audit_lookup(
        conn,
        kind,
        key,
        staff_username=who,
        audit_key=audit_key,
        found=matched,
        audit_kind=audit_kind,
        at=now,
    )
    if row is None or not matched:
        limits.count(conn, counted, now, actor=who)
        return Refused(Refusal.IDENTITY)
    limits.clear(conn, counted[0], now)
    return row


def _prove_holder(
    conn: Connection,
    code: str,
    birth_date: dt.date,
    *,
    client: str,
    audit_key: bytes,
    now: dt.datetime,
) -> Booking | Refused:
    """The booking ``code`` when ``birth_date`` is its holder's.

    Wrong dates count against the booking's code (:data:`HOLDER_LIMIT`: a
    short lock of that code's change and cancel only) and the address,
    never against the holder's NIK: whoever has the code must not be able
    to lock its holder out of booking. Audited as a lookup of the holder
    (``booking_holder``).
    """
    found = find(conn, code, now=now)
    if found is None:
        return Refused(Refusal.UNKNOWN)
    counted = (
        Subject(
            f"booking-code:{keyed_hash(audit_key, 'booking_code', code)}"[:80],
            HOLDER_LIMIT,
            audit_subject=f"booking-code:{shown_code(code)}",
        ),
        _address_subject(client),
    )
    who = f"booking-page:{client}"[:100]
    holder = conn.execute(select(citizens).where(citizens.c.id == found.citizen_id)).one()
    retry_after = limits.refused_for(conn, counted, now)
    if retry_after is not None:
        audit_lookup(
            conn,
            KeyKind.NIK,
            holder.nik,
            staff_username=who,
            audit_key=audit_key,
            found=False,
            audit_kind="booking_refused",
            at=now,
        )
        return Refused(Refusal.LOCKED, retry_after)
    matched = _born_on(holder, birth_date, now.date())
    audit_lookup(
        conn,
        KeyKind.NIK,
        holder.nik,
        staff_username=who,
        audit_key=audit_key,
        found=matched,
        audit_kind="booking_holder",
        at=now,
    )
    if not matched:
        limits.count(conn, counted, now, actor=who)
        return Refused(Refusal.IDENTITY)
    limits.clear(conn, counted[0], now)
    return found


def require_booking(conn: Connection, code: str, *, now: dt.datetime) -> Booking:
    """The booking with ``code``, or 404 ``unknown_booking``."""
    found = find(conn, code, now=now)
    if found is None:
        raise NotFound("no booking with this code", code=ErrorCode.UNKNOWN_BOOKING)
    return found


# -- the demo ---------------------------------------------------------------------------------

#: The demo office's bookable services: (service, slot minutes, capacity, walk-ins %).
DEMO_SERVICES = (
    ("ktp-cetak-ulang", 30, 4, 25),
    ("kk-perubahan", 30, 2, 0),
    ("izin-usaha-mikro", 60, 3, 0),
)
#: Generous in the demo, so a newcomer still finds the bookings open hours later.
DEMO_GRACE_MINUTES = 240
#: Monday to Friday 08:00–16:00, Saturday 08:00–12:00.
DEMO_HOURS = (*(Hours(d, "08:00", "16:00") for d in range(5)), Hours(5, "08:00", "12:00"))
#: The demo citizens with a booking today, by NIK: (service, slot offset from the current one).
DEMO_BOOKINGS = (
    ("1471015203850001", "ktp-cetak-ulang", 0),  # Siti Aminah: her slot is now
    ("1471011708790002", "kk-perubahan", 2),  # Budi Santoso: in an hour
)


def seed_demo(conn: Connection, office_id: str, *, now: dt.datetime, zone: ZoneInfo) -> int:
    """The demo office's booking settings and hours (unless set), and today's demo bookings.

    Each start of the demo centre books Siti Aminah (the slot of now) and
    Budi Santoso (an hour on) for the office's today, unless they have a
    booking of that service today already; so tapping Siti's card at a demo
    kiosk shows her appointment. Returns how many bookings were made.
    """
    if not hours(conn, office_id):
        put_hours(conn, office_id, list(DEMO_HOURS), actor="demo")
    for service_id, minutes, capacity, walk_ins in DEMO_SERVICES:
        if (
            _active(conn, office_id, service_id)
            and get_settings(conn, office_id, service_id) is None
        ):
            settings = ServiceSettings(minutes, capacity, walk_ins, Policy.HEAD, DEMO_GRACE_MINUTES)
            put_settings(conn, office_id, service_id, settings, actor="demo", now=now)
    local = now.astimezone(zone)
    today = local.date()
    current = (local.hour * 60 + local.minute) // 30 * 30
    made = 0
    for nik, service_id, offset in DEMO_BOOKINGS:
        citizen_id = conn.execute(
            select(citizens.c.id).where(citizens.c.nik == nik)
        ).scalar_one_or_none()
        if citizen_id is None or not _active(conn, office_id, service_id):
            continue
        has = conn.execute(
            select(bookings.c.id).where(
                bookings.c.citizen_id == citizen_id,
                bookings.c.office_id == office_id,
                bookings.c.service_id == service_id,
                bookings.c.day == today,
                bookings.c.state != BookingState.CANCELLED.value,
            )
        ).first()
        its = get_settings(conn, office_id, service_id)
        if has is not None or its is None:
            continue
        start = min(current + 30 * offset, 23 * 60 + 30)  # a slot of today
        begins = dt.datetime.combine(today, dt.time(start // 60, start % 60), tzinfo=zone)
        # Ending within today: a slot of 23:30 ends at 23:59, not at midnight, which a day's
        # time says "00:00", before its start (every kiosk refused the day's bookings).
        ends = min(
            begins + dt.timedelta(minutes=30),
            dt.datetime.combine(today, dt.time(23, 59), tzinfo=zone),
        )
        starts_at = f"{start // 60:02d}:{start % 60:02d}"
        if not _take_place(conn, office_id, service_id, today, starts_at, its.bookable):
            log.warning("demo: no place left at %s for %s today", starts_at, service_id)
            continue
        code = _insert_with_fresh_code(
            conn,
            {
                "office_id": office_id,
                "service_id": service_id,
                "day": today,
                "starts_at": starts_at,
                "ends_at": _hhmm(ends),
                "slot_start": begins.astimezone(dt.UTC),
                "slot_end": ends.astimezone(dt.UTC),
                "no_show_after": (ends + dt.timedelta(minutes=DEMO_GRACE_MINUTES)).astimezone(
                    dt.UTC
                ),
                "citizen_id": citizen_id,
                "phone": None,
                "language": "id",
                "state": BookingState.BOOKED.value,
                "ticket_id": None,
                "created_at": now,
                "state_changed_at": now,
                "changed_by": "demo",
            },
        )
        record_event(
            conn, actor="demo", action="booking_made", subject=code, detail=f"{service_id} demo"
        )
        made += 1
    return made
