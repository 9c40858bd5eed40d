"""Today's bookings from the real centre into the kiosk's sealed cache: fetched on the
engine's step, kept current (a cancel at the centre reaches the kiosk), checked in by
a ticket's registration, and never taken for another office's or day's list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from central.database import Database
from central.process import RunningCentral
from central.tables import bookings, tickets
from contract.bookings import BookingState
from contract.ticket_ids import new_ticket_id
from testkit.centre_bookings import add_booking, new_citizen
from testkit.sync_kiosk import OFFICE, Kiosk, payload

pytestmark = pytest.mark.timeout(60)
SERVICE = "ktp-cetak-ulang"


@pytest.fixture
def db(central: RunningCentral) -> Iterator[Database]:
    database = Database(central.db_url)
    yield database
    database.dispose()


def next_bookings_run(kiosk: Kiosk) -> None:
    kiosk.clock.advance(kiosk.config.sync.bookings_interval_s + 1)
    report = kiosk.engine.run_once()
    assert "bookings" in report.ran and "bookings" not in report.failed, report


def test_todays_bookings_are_cached_and_follow_the_centre(kiosk: Kiosk, db: Database) -> None:
    nik, card = new_citizen(db, "Rina Uji")
    code = add_booking(db, nik, SERVICE, kiosk.clock())
    report = kiosk.engine.run_once()
    assert "bookings" in report.ran and "bookings" not in report.failed, report
    day = kiosk.clock().date()
    (by_nik,) = [b for b in kiosk.store.bookings_of_holder(day, nik=nik) if b.code == code]
    assert (by_nik.state, by_nik.service_id, by_nik.first_name) == (
        BookingState.BOOKED,
        SERVICE,
        "Rina",
    )
    assert code in {b.code for b in kiosk.store.bookings_of_holder(day, card_number=card)}
    with db.begin() as conn:  # cancelled at the centre (staff, or the citizen's page)
        conn.execute(update(bookings).where(bookings.c.code == code).values(state="cancelled"))
    next_bookings_run(kiosk)
    cached = kiosk.store.booking_by_code(code, day)
    assert cached is not None and cached.state is BookingState.CANCELLED


def test_a_registration_with_the_code_checks_the_booking_in_at_the_centre(
    kiosk: Kiosk, db: Database
) -> None:
    nik, _ = new_citizen(db)
    code = add_booking(db, nik, SERVICE, kiosk.clock())
    kiosk.engine.run_once()
    day = kiosk.clock().date()
    assert kiosk.store.booking_by_code(code, day) is not None
    ticket_id = new_ticket_id(kiosk.store.kiosk_code())
    kiosk.store.issue_ticket(  # as kiosk.tickets.issue stores a check-in, offline
        office_id=OFFICE,
        service_id=SERVICE,
        prefix="B",
        counter="3",
        payload={**payload(SERVICE), "booking_code": code},
        now=kiosk.clock(),
        ticket_id=ticket_id,
        booking=kiosk.store.booking_by_code(code, day),
    )
    local = kiosk.store.booking_by_code(code, day)
    assert local is not None and local.state is BookingState.CHECKED_IN
    kiosk.engine.wake()
    kiosk.engine.run_once()
    with db.begin() as conn:
        row = conn.execute(select(bookings).where(bookings.c.code == code)).one()
        ticket = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()
    assert (row.state, row.ticket_id) == ("checked_in", ticket_id)
    assert ticket.display.startswith("B-")
    next_bookings_run(kiosk)
    fetched = kiosk.store.booking_by_code(code, day)
    assert fetched is not None and fetched.state is BookingState.CHECKED_IN


def test_another_days_cache_is_purged_at_the_step_even_offline(kiosk: Kiosk, db: Database) -> None:
    nik, _ = new_citizen(db)
    code = add_booking(db, nik, SERVICE, kiosk.clock())
    kiosk.engine.run_once()
    day = kiosk.clock().date()
    assert kiosk.store.booking_by_code(code, day) is not None
    kiosk.proxy.down()
    kiosk.clock.advance(24 * 3600.0)  # the next day, the centre away
    kiosk.engine.run_once(force=True)
    assert kiosk.store.booking_by_code(code, day) is None
    assert kiosk.store.purge_bookings(kiosk.clock().date()) == 0  # nothing of yesterday left
