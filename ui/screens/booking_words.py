"""A booking in words: its time, day, service and office, as the appointment screen
and the notices about a booking say them ("pukul 10.30", "6 Desember 2026")."""

from __future__ import annotations

import contextlib

from contract.bookings import BookingToday, format_code
from kiosk.session.machine import SessionState
from ui.problems import help_desk_values
from ui.screens.common import View, service_name
from ui.screens.dates import day_words, time_words

#: What a booking's words are when no booking is at hand (never expected: a notice
#: about a booking comes with it; but a missing word must never break a screen).
UNKNOWN_BOOKING = dict.fromkeys(("time", "end", "day", "service", "office", "code"), "…")


def booking_values(state: SessionState, view: View) -> dict[str, str]:
    """``{time}``, ``{end}``, ``{day}``, ``{service}``, ``{office}``, ``{code}`` of the
    session's booking ({} without one): what the booking texts are filled with."""
    booking = state.booking
    return {} if booking is None else words(booking, view)


def screen_values(state: SessionState | None, view: View) -> dict[str, str]:
    """What the screens' texts are filled with, on screen and aloud: the help desk
    (``{desk}``) and the session's booking (or "…" where a text names one and there is none)."""
    values = {**UNKNOWN_BOOKING, **help_desk_values(view.help_counter, view.t)}
    if state is not None:
        values.update(booking_values(state, view))
    return values


def words(booking: BookingToday, view: View) -> dict[str, str]:
    office = booking.office_id  # an office this kiosk's catalog does not list: its id
    if view.catalog is not None:
        with contextlib.suppress(KeyError):
            office = view.catalog.office(booking.office_id).name
    return {
        "time": time_words(booking.starts_at, view.lang),
        "end": time_words(booking.ends_at, view.lang),
        "day": day_words(booking.day, view.lang),
        "service": service_name(view.catalog, booking.service_id, view.lang),
        "office": office,
        "code": format_code(booking.code),
    }
