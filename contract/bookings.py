"""Appointments: the booking code, and what a kiosk is told of today's bookings.

A citizen books a time on the centre's booking page (docs/appointments.md) and
gets a **booking code**: nine digits, eight random and a check digit by H. Michael
Damm's algorithm (a quasigroup of order 10), shown in threes (``482 913 075``).
Digits only, so the kiosk's keypad is a telephone's; the check digit catches
every single wrong digit and every swap of two neighbours, so a slip of the
finger is told at once ("periksa lagi kodenya") without asking anyone, and
never counts as a guess against the centre's limits.

The kiosk keeps today's bookings of its office (:class:`BookingToday`, from
``GET /api/v1/bookings/today``), sealed in its store like a citizen's record,
to greet a card's holder with their appointment and to check in offline.
A check-in is the ticket's own registration: its outbox body carries the
``booking_code`` (docs/central-api.md), so it reaches the centre exactly once,
with the ticket.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from enum import StrEnum

from contract.shown import shown_code, shown_repr

__all__ = [
    "BOOKING_CODE_DIGITS",
    "BookingState",
    "BookingToday",
    "damm_digit",
    "format_code",
    "is_valid_code",
    "new_code",
    "normalise_code",
]

#: A booking code's length: eight random digits and the check digit.
BOOKING_CODE_DIGITS = 9

# Damm's totally anti-symmetric quasigroup of order 10 (Damm 2004, table 5.2).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def damm_digit(digits: str) -> int:
    """The interim digit of Damm's algorithm over ``digits`` (0 for a valid whole)."""
    interim = 0
    for ch in digits:
        if not ("0" <= ch <= "9"):
            raise ValueError("digits only")
        interim = _DAMM[interim][ord(ch) - 48]
    return interim


def new_code() -> str:
    """A fresh booking code: eight random digits and their check digit."""
    body = f"{secrets.randbelow(10**8):08d}"
    return body + str(damm_digit(body))


def normalise_code(typed: str) -> str | None:
    """The code in ``typed`` (spaces and dashes between digits allowed), or ``None``.

    ``None`` for anything that is not nine ASCII digits once the separators
    are gone; the check digit is not judged here (:func:`is_valid_code`).
    """
    if len(typed) > 4 * BOOKING_CODE_DIGITS:
        return None
    digits = "".join(ch for ch in typed if ch not in " -")
    if len(digits) != BOOKING_CODE_DIGITS or not all("0" <= ch <= "9" for ch in digits):
        return None
    return digits


def is_valid_code(code: str) -> bool:
    """Whether ``code`` is nine digits whose check digit is right."""
    return normalise_code(code) == code and damm_digit(code) == 0


def format_code(code: str) -> str:
    """The code as people read it: ``482 913 075``."""
    return " ".join(code[i : i + 3] for i in range(0, len(code), 3))


class BookingState(StrEnum):
    """Where a booking stands."""

    #: Made, its time not yet come or the citizen not yet here.
    BOOKED = "booked"
    #: The citizen checked in: a ticket was printed for it.
    CHECKED_IN = "checked_in"
    #: Cancelled by the citizen (or staff).
    CANCELLED = "cancelled"
    #: The slot and its grace period passed without a check-in.
    NO_SHOW = "no_show"


@shown_repr(code=shown_code)
@dataclass(frozen=True)
class BookingToday:
    """One of today's bookings at a kiosk's office, as the kiosk caches it.

    ``nik`` and ``card_number`` are how the kiosk knows the holder of a tapped
    card (the card's NIK or number); ``first_name`` greets them. The kiosk
    seals all of it in its store and purges it at the end of the day.
    """

    code: str
    office_id: str
    service_id: str
    day: dt.date
    starts_at: dt.time
    ends_at: dt.time
    state: BookingState
    nik: str | None = field(repr=False)
    card_number: str | None = field(repr=False)
    first_name: str = field(repr=False)
    #: A Mobile JKN booking's doctor and hours (``HH:MM-HH:MM``), for the
    #: greeting and the ticket; ``""`` for any other booking.
    doctor: str = ""
    hours: str = ""
