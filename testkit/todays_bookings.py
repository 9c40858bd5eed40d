"""Today's bookings of an office, as a kiosk caches them: for the tests of the store,
the client, the session and the screens (a real code with its check digit, a holder
whose NIK and card number a demo card carries)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from contract.bookings import BookingState, BookingToday, damm_digit

OFFICE = "pku-mpp"
SERVICE = "ktp-cetak-ulang"
NIK = "1471015203850001"
CARD_NUMBER = "PKU-000001"
FIRST_NAME = "Siti"


def code(body: str) -> str:
    """A booking code from eight digits: their Damm check digit appended."""
    return body + str(damm_digit(body))


def booking(
    day: dt.date,
    *,
    body: str = "48291307",
    starts: str = "10:30",
    state: BookingState = BookingState.BOOKED,
    nik: str | None = NIK,
    card_number: str | None = CARD_NUMBER,
    office_id: str = OFFICE,
    service_id: str = SERVICE,
    first_name: str = FIRST_NAME,
    doctor: str = "",
    hours: str = "",
) -> BookingToday:
    """One booking of ``day`` (30 minutes from ``starts``)."""
    start = dt.time.fromisoformat(starts)
    end = (dt.datetime.combine(day, start) + dt.timedelta(minutes=30)).time()
    return BookingToday(
        code=code(body),
        office_id=office_id,
        service_id=service_id,
        day=day,
        starts_at=start,
        ends_at=end,
        state=state,
        nik=nik,
        card_number=card_number,
        first_name=first_name,
        doctor=doctor,
        hours=hours,
    )


def with_state(found: BookingToday, state: BookingState) -> BookingToday:
    return dataclasses.replace(found, state=state)


def wire(found: BookingToday) -> dict[str, Any]:
    """The booking as ``GET /api/v1/bookings/today`` sends it."""
    return {
        "code": found.code,
        "office_id": found.office_id,
        "service_id": found.service_id,
        "day": found.day.isoformat(),
        "starts_at": found.starts_at.strftime("%H:%M"),
        "ends_at": found.ends_at.strftime("%H:%M"),
        "state": found.state.value,
        "nik": found.nik,
        "card_number": found.card_number,
        "first_name": found.first_name,
        "doctor": found.doctor,
        "hours": found.hours,
    }
