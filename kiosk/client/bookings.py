"""Today's bookings and one booking by its code, as the centre sends them: plain data, no I/O.

``GET /api/v1/bookings/today`` (:func:`parse_bookings_today`) gives the kiosk's
office's bookings of the office's day, at most :data:`MAX_BOOKINGS`, each a
:class:`contract.bookings.BookingToday`; ``GET /api/v1/bookings/{code}``
(:func:`parse_booking_info`) one booking without any personal data, so the
kiosk can say "your booking is for 6 December" or "for another office". Both
parse strictly and raise :class:`~kiosk.client.errors.AnswerError` on anything
of the wrong shape (docs/central-api.md): a booking the kiosk cannot read is
never half cached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contract.bookings import BookingState, BookingToday, is_valid_code
from contract.shown import shown_code
from kiosk.client.errors import AnswerError
from kiosk.client.results import _day, _str
from kiosk.privacy import private_repr

#: The most bookings one answer may hold (the centre sends at most this many).
MAX_BOOKINGS = 5000
#: The longest identifier, name or number the kiosk keeps of a booking.
_MAX_TEXT = 200


@private_repr("bookings")
@dataclass(frozen=True)
class BookingsToday:
    """The office's bookings of ``day``; ``etag`` to ask "has it changed?" next time."""

    office_id: str
    day: dt.date
    bookings: tuple[BookingToday, ...]
    etag: str | None = None


@dataclass(frozen=True)
class BookingInfo:
    """One booking by its code: where and when, never whose."""

    code: str
    office_id: str
    service_id: str
    day: dt.date
    starts_at: dt.time
    ends_at: dt.time
    state: BookingState

    def __repr__(self) -> str:
        # The code opens the booking's page (/b/{code}): shown by its first three digits,
        # as the centre's lines and the client's requests show it.
        return (
            f"BookingInfo(code={shown_code(self.code)!r}, office_id={self.office_id!r}, "
            f"service_id={self.service_id!r}, day={self.day!r}, state={self.state.value})"
        )


def _text(data: Mapping[str, Any], key: str) -> str:
    value = _str(data, key)
    if len(value) > _MAX_TEXT:
        raise AnswerError(f"{key!r} is too long")
    return value


def _optional(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > _MAX_TEXT:
        raise AnswerError(f"{key!r} is not a string or null")
    return value or None


def _clock(data: Mapping[str, Any], key: str) -> dt.time:
    value = _str(data, key)
    if len(value) != 5 or value[2] != ":":
        raise AnswerError(f"{key!r} is not HH:MM")
    try:
        return dt.time.fromisoformat(value)
    except ValueError as exc:
        raise AnswerError(f"{key!r} is not HH:MM") from exc


def _code(data: Mapping[str, Any]) -> str:
    code = _str(data, "code")
    if not is_valid_code(code):
        raise AnswerError("'code' is not a booking code")
    return code


def _state(data: Mapping[str, Any]) -> BookingState:
    try:
        return BookingState(_str(data, "state"))
    except ValueError as exc:
        raise AnswerError("'state' is not a booking state") from exc


def parse_booking_info(data: Mapping[str, Any]) -> BookingInfo:
    """``GET /api/v1/bookings/{code}``."""
    starts, ends = _clock(data, "starts_at"), _clock(data, "ends_at")
    if ends <= starts:
        raise AnswerError("'ends_at' is not after 'starts_at'")
    return BookingInfo(
        code=_code(data),
        office_id=_text(data, "office_id"),
        service_id=_text(data, "service_id"),
        day=_day(data),
        starts_at=starts,
        ends_at=ends,
        state=_state(data),
    )


def _booking(data: Any, office_id: str, day: dt.date) -> BookingToday:
    if not isinstance(data, dict):
        raise AnswerError("a booking is not an object")
    info = parse_booking_info(data)
    if info.office_id != office_id or info.day != day:
        raise AnswerError("a booking of another office or day")
    first_name = data.get("first_name", "")
    if not isinstance(first_name, str) or len(first_name) > _MAX_TEXT:
        raise AnswerError("'first_name' is not a string")
    nik, card_number = _optional(data, "nik"), _optional(data, "card_number")
    doctor, hours = data.get("doctor", ""), data.get("hours", "")
    if not isinstance(doctor, str) or len(doctor) > _MAX_TEXT:
        raise AnswerError("'doctor' is not a string")
    if not isinstance(hours, str) or len(hours) > _MAX_TEXT:
        raise AnswerError("'hours' is not a string")
    return BookingToday(
        code=info.code,
        office_id=info.office_id,
        service_id=info.service_id,
        day=info.day,
        starts_at=info.starts_at,
        ends_at=info.ends_at,
        state=info.state,
        nik=nik,
        card_number=card_number,
        first_name=first_name,
        doctor=doctor,
        hours=hours,
    )


def parse_bookings_today(data: Mapping[str, Any], etag: str | None = None) -> BookingsToday:
    """``GET /api/v1/bookings/today``: every row checked, or none taken."""
    office_id, day = _text(data, "office_id"), _day(data)
    rows = data.get("bookings")
    if not isinstance(rows, list):
        raise AnswerError("'bookings' missing or not a list")
    if len(rows) > MAX_BOOKINGS:
        raise AnswerError(f"more than {MAX_BOOKINGS} bookings")
    bookings = tuple(_booking(row, office_id, day) for row in rows)
    if len({b.code for b in bookings}) != len(bookings):
        raise AnswerError("a booking code repeats")
    return BookingsToday(office_id, day, bookings, etag)
