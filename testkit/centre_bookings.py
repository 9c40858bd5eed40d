"""Bookings put straight into a centre's database, for tests that need one at a given time.

The booking page books only slots to come within the office's hours; a test
of check-in needs a booking whose slot is now, an hour ago or tomorrow,
whatever the clock says. :func:`add_booking` writes it as
:func:`central.office.bookings.book` would (citizen, slot place, code), so
every reader of bookings finds it as a real one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from central.access.audit import utc_now
from central.database import Database
from central.tables import bookings, citizens
from contract.bookings import BookingState, new_code
from testkit.centre_accounts import DEMO_OFFICE

ZONE = ZoneInfo("Asia/Jakarta")  # the server's default --timezone
_serial = itertools.count(1)


def new_citizen(db: Database, name: str = "Warga Uji") -> tuple[str, str]:
    """A citizen born 1 January 1990 with a fresh NIK and card number: (NIK, card number).

    The NIKs' serials are 5001 to 9999, one process's worth: past them the next
    would wrap to serial 0000 (no NIK) and then onto the first serials, which other
    tests' citizens take; so it stops there, and never makes a NIK that never
    exists (testkit/citizen_lookups.py).
    """
    serial = next(_serial)
    if serial > 4999:
        raise RuntimeError("new_citizen has made all the 4999 citizens it can in this process")
    nik = f"147101010190{serial + 5000:04d}"
    card = f"PKU-T{serial:06d}"
    with db.begin() as conn:
        known = conn.execute(select(citizens.c.id).where(citizens.c.nik == nik)).first()
        if known is None:
            conn.execute(
                insert(citizens).values(
                    nik=nik, full_name=name, card_number=card, updated_at=utc_now()
                )
            )
    return nik, card


def slot_in_its_day(slot_start: dt.datetime, minutes: int) -> tuple[dt.datetime, dt.datetime]:
    """The local start and end of a ``minutes`` slot starting ``slot_start``, within its day.

    An office's hours close by 23:59, so its slots never run past midnight, and a
    kiosk refuses a day's bookings with one that ends before it starts ("23:45" to
    "00:15"). A slot asked for late in the evening ends at 23:59 instead, starting that
    much earlier: it still holds ``slot_start``, on the same day.
    """
    local = slot_start.astimezone(ZONE)
    last = local.replace(hour=23, minute=59, second=0, microsecond=0)
    length = dt.timedelta(minutes=minutes)
    start = min(local, last - length)
    return start, start + length


def add_booking(
    db: Database,
    nik: str,
    service_id: str,
    slot_start: dt.datetime,
    *,
    office_id: str = DEMO_OFFICE,
    minutes: int = 30,
    grace_minutes: int = 15,
    state: BookingState = BookingState.BOOKED,
    phone: str | None = None,
    language: str = "id",
) -> str:
    """A booking of the citizen ``nik`` for the slot starting ``slot_start`` (moved earlier
    when it would run past its day's end: :func:`slot_in_its_day`); its code."""
    local, ends = slot_in_its_day(slot_start, minutes)
    code = new_code()
    now = utc_now()
    with db.begin() as conn:
        citizen_id = conn.execute(select(citizens.c.id).where(citizens.c.nik == nik)).scalar_one()
        conn.execute(
            insert(bookings).values(
                code=code,
                office_id=office_id,
                service_id=service_id,
                day=local.date(),
                starts_at=local.strftime("%H:%M"),
                ends_at=ends.strftime("%H:%M"),
                slot_start=local.astimezone(dt.UTC),
                slot_end=ends.astimezone(dt.UTC),
                no_show_after=(ends + dt.timedelta(minutes=grace_minutes)).astimezone(dt.UTC),
                citizen_id=citizen_id,
                phone=phone,
                language=language,
                state=state.value,
                ticket_id=None,
                created_at=now,
                state_changed_at=now,
                changed_by="test",
            )
        )
    return code
