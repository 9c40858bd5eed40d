"""A typed booking code, found as the kiosk finds it: today's cache first, else the real
centre's answer by code (today here, another day, another office, nobody's), and a
centre that cannot be asked is said as such, never a crash."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.database import Database
from central.process import RunningCentral
from contract.bookings import BookingState, BookingToday, damm_digit
from kiosk.lookups.bookings import Bookings
from kiosk.lookups.centre import CentreAccess
from kiosk.session.events import BookingLookup, FindBooking
from testkit.centre_bookings import add_booking, new_citizen
from testkit.sync_kiosk import OFFICE, Kiosk, payload
from testkit.todays_bookings import booking

pytestmark = pytest.mark.timeout(60)
SERVICE = "ktp-cetak-ulang"


@pytest.fixture
def db(central: RunningCentral) -> Iterator[Database]:
    database = Database(central.db_url)
    yield database
    database.dispose()


def lookups(kiosk: Kiosk, tmp_path: Path, office: str = OFFICE) -> Bookings:
    kiosk.engine.run_once()  # enrolled: the client holds the kiosk's token
    centre = CentreAccess(kiosk.client, tmp_path / "no-token-file", lambda: True)
    return Bookings(centre, kiosk.store, office_id=office, deadline_s=1.5, now=kiosk.clock)


def find(found: Bookings, code: str) -> tuple[BookingLookup, object]:
    answer = found.find(FindBooking(7, code, asked=3))
    assert (answer.session, answer.asked) == (7, 3)  # the question it answers
    return answer.lookup, answer.booking


def test_a_cached_booking_is_found_without_asking(kiosk: Kiosk, tmp_path: Path) -> None:
    found = lookups(kiosk, tmp_path)
    cached = booking(kiosk.clock().date(), body="31415926")
    kiosk.store.save_bookings(OFFICE, cached.day, [cached], etag=None, now=kiosk.clock())
    kiosk.proxy.down()  # offline: the cache answers
    assert find(found, cached.code) == (BookingLookup.TODAY, cached)


def test_the_centre_places_a_code_the_cache_lacks(
    kiosk: Kiosk, tmp_path: Path, db: Database
) -> None:
    found = lookups(kiosk, tmp_path)
    nik, _ = new_citizen(db)
    now = kiosk.clock()
    today = add_booking(db, nik, SERVICE, now)  # booked since the kiosk's last fetch
    lookup, answer = find(found, today)
    assert lookup is BookingLookup.TODAY
    assert answer.state is BookingState.BOOKED and answer.nik is None  # type: ignore[attr-defined]
    later = add_booking(db, nik, SERVICE, now + dt.timedelta(days=2))
    lookup, answer = find(found, later)
    assert lookup is BookingLookup.OTHER_DAY
    assert answer.day == (now + dt.timedelta(days=2)).date()  # type: ignore[attr-defined]
    elsewhere = lookups(kiosk, tmp_path, office="another-office")
    assert find(elsewhere, today)[0] is BookingLookup.OTHER_OFFICE
    nobody = "1234567" + "0"
    nobody += str(damm_digit(nobody))
    assert find(found, nobody) == (BookingLookup.UNKNOWN, None)


def test_a_centre_away_is_unavailable_not_unknown(kiosk: Kiosk, tmp_path: Path) -> None:
    found = lookups(kiosk, tmp_path)
    kiosk.proxy.down()
    code = "2718281" + "8"
    code += str(damm_digit(code))
    assert find(found, code) == (BookingLookup.UNAVAILABLE, None)
    kiosk.proxy.up()
    kiosk.proxy.set("hang")  # answers nothing: the citizen's deadline, then unavailable
    assert find(found, code) == (BookingLookup.UNAVAILABLE, None)


def test_a_code_the_centre_away_could_not_check_is_logged_without_the_code(
    kiosk: Kiosk, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The code opens the booking's page (/b/{code}: see it, move it, cancel it): the
    kiosk's journal says the check failed, as the centre's does, without the whole code."""
    found = lookups(kiosk, tmp_path)
    kiosk.proxy.down()
    code = "4829135" + "0"
    code += str(damm_digit(code))
    with caplog.at_level(logging.INFO):
        assert find(found, code) == (BookingLookup.UNAVAILABLE, None)
    assert "booking code not checked" in caplog.text  # the line is there
    assert code not in caplog.text


def test_a_code_checked_in_through_the_centres_answer_is_used_here_at_once(
    kiosk: Kiosk, tmp_path: Path, db: Database
) -> None:
    """The cache lacked the booking and the centre has not had the registration yet:
    the kiosk's own check-in still answers, so a second typing cannot print again."""
    found = lookups(kiosk, tmp_path)
    nik, _ = new_citizen(db)
    code = add_booking(db, nik, SERVICE, kiosk.clock())  # booked since the last fetch
    lookup, answer = find(found, code)
    assert lookup is BookingLookup.TODAY and isinstance(answer, BookingToday)
    assert kiosk.store.booking_by_code(code, answer.day) is None
    kiosk.store.issue_ticket(  # as kiosk.tickets.issue stores the check-in
        office_id=OFFICE,
        service_id=SERVICE,
        prefix="B",
        counter="3",
        payload={**payload(SERVICE), "booking_code": code},
        now=kiosk.clock(),
        booking=answer,
    )
    again, used = find(found, code)  # the centre would still say "booked"
    assert again is BookingLookup.TODAY and isinstance(used, BookingToday)
    assert used.state is BookingState.CHECKED_IN
