"""Every office page passes axe-core with no serious or critical violation, in chromium.

axe-core is vendored from npm at a pinned version (testkit/vendor/axe-core);
the pages are opened as their users open them: the public ones without a
session, the staff ones logged in, a board with its token. The list below
names every GET page of ``central.web``: a test fails when a page is added
without a place in it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Browser, Page

from central.access import staff
from central.access.audit import utc_now
from central.database import Database
from central.office import bookings
from central.process import RunningCentral
from testkit.accessibility import axe_is_intact, serious_violations
from testkit.boards import register_board
from testkit.booking_office import new_citizens, open_for_bookings
from testkit.browser import fresh_context, log_in
from testkit.centre_accounts import new_kiosk, new_staff, new_staff_account
from testkit.centre_requests import allocate, complaint, new_id, results
from testkit.centre_routes import pages

#: A service of the demo office.
DEMO_SERVICE = "ktp-cetak-ulang"
#: Each GET page and the address it is checked at ("{board}": a board's own URL).
PUBLIC = {
    "/": "/",
    "/login": "/login",
    "/stats": "/stats",
    "/t/{ticket_id}": "{ticket}",
    "/c/{reference}": "{complaint}",
    "/board/{token}": "{board}",
    "/booking": "{booking-form}",
    "/b/{code}": "{booking}",
}
STAFF: dict[str, str] = {
    "/dashboard": "/dashboard",
    "/counter": "/counter",
    "/office/boards": "/office/boards",
    "/office/complaints": "/office/complaints",
    "/office/complaints/{reference}": "{staff-complaint}",
    "/office/applications": "/office/applications",
    "/office/applications/{reference}": "/office/applications/BRK-DEMO0001",
    "/office/bookings": "/office/bookings",
    "/office/messages": "/office/messages",
    "/office/schedules": "/office/schedules",
}
#: GET routes that answer something other than a page.
NOT_PAGES = {
    "/dashboard/export.csv",
    "/counter/panel",
    "/counter/registration/{ticket_id}",
    "/board/{token}/events",
    "/voice/{name}.wav",
}


@pytest.fixture(scope="module")
def staff_page(browser: Browser, office: RunningCentral, office_db: Database) -> Iterator[Page]:
    with fresh_context(browser, bypass_csp=True) as context:
        page = context.new_page()
        log_in(page, office.url, new_staff_account(office_db, staff.Role.ADMIN))
        yield page


def test_the_vendored_axe_core_is_the_pinned_one() -> None:
    assert axe_is_intact()


def test_the_check_finds_a_button_without_a_name(page: Page) -> None:
    page.set_content('<html lang="id"><title>x</title><main><button></button></main></html>')
    assert [v.split(" ")[0] for v in serious_violations(page)] == ["button-name"]


def test_every_page_has_a_place_in_the_check() -> None:
    get_pages = {path for method, path, _ in pages() if method == "GET"}
    assert get_pages == set(PUBLIC) | set(STAFF) | NOT_PAGES


@pytest.fixture(scope="module")
def addresses(office: RunningCentral, office_db: Database) -> dict[str, str]:
    """What each placeholder of an address stands for on this centre."""
    _, kiosk = new_kiosk(office_db, office.url)
    ticket = new_id()
    assert allocate(office.url, kiosk, DEMO_SERVICE, ticket).status_code == 201
    filed = complaint(new_id())
    assert results(office.url, kiosk, [filed])[0]["status"] == "accepted"
    reference = filed["body"]["reference"]
    board = register_board(office.url, new_staff(office_db, office.url))
    open_for_bookings(office_db, DEMO_SERVICE)
    someone = new_citizens(office_db, 1, seed=5)[0]
    form = requests.get(f"{office.url}/booking?service={DEMO_SERVICE}", timeout=10).text
    day = re.findall(r'<option value="(\d{4}-\d{2}-\d{2})"', form)[1]
    with office_db.begin() as conn:
        booked = bookings.book(
            conn, office_id="pku-mpp", service_id=DEMO_SERVICE, day=dt.date.fromisoformat(day),
            starts_at="09:00", identity=bookings.Identity(someone.born, nik=someone.nik),
            phone=None, language="id", client="test", audit_key=b"k" * 32, now=utc_now(),
            zone=ZoneInfo("Asia/Jakarta"),
        )  # fmt: skip
    assert isinstance(booked, bookings.Booking)
    return {
        "{booking-form}": f"/booking?service={DEMO_SERVICE}&day={day}",
        "{booking}": f"/b/{booked.code}",
        "{ticket}": f"/t/{ticket}",
        "{complaint}": f"/c/{reference}",
        "{staff-complaint}": f"/office/complaints/{reference}",
        "{board}": board.removeprefix(office.url),
    }


@pytest.mark.parametrize("path", sorted(PUBLIC.values()))
@pytest.mark.parametrize("lang", ["id", "en"])
def test_public_pages_have_no_serious_violation(
    browser: Browser, office: RunningCentral, addresses: dict[str, str], path: str, lang: str
) -> None:
    path = addresses.get(path, path)
    with fresh_context(browser, bypass_csp=True) as context:
        page = context.new_page()
        page.goto(f"{office.url}{path}{'&' if '?' in path else '?'}lang={lang}")
        assert serious_violations(page) == []


@pytest.mark.parametrize("path", sorted(STAFF.values()))
def test_staff_pages_have_no_serious_violation(
    staff_page: Page, office: RunningCentral, addresses: dict[str, str], path: str
) -> None:
    staff_page.goto(f"{office.url}{addresses.get(path, path)}")
    assert staff_page.url.startswith(f"{office.url}{addresses.get(path, path)}")
    assert serious_violations(staff_page) == []
