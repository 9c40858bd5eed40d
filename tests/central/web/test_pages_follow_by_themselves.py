"""Pages left open follow the office by themselves, without a reload: a ticket's page, the
public figures and today's dashboard (``static/refresh.js``).

The browser's clock is Playwright's (``page.clock``), moved past the refresh
interval, so the test waits for the page, never for wall time.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from central.access import staff
from central.database import Database
from central.process import RunningCentral
from testkit.boards import call_next
from testkit.browser import log_in
from testkit.centre_accounts import new_kiosk, new_staff, new_staff_account
from testkit.centre_requests import allocate, new_id

SERVICE = "izin-usaha-mikro"
PAST_ONE_INTERVAL_MS = 31_000


@pytest.fixture(scope="module")
def tokens(office: RunningCentral, office_db: Database) -> tuple[str, str]:
    _, kiosk = new_kiosk(office_db, office.url)
    return kiosk, new_staff(office_db, office.url)


def test_a_tickets_page_shows_its_call_without_a_reload(
    page: Page, office: RunningCentral, tokens: tuple[str, str]
) -> None:
    kiosk, clerk = tokens
    ticket = new_id()
    assert allocate(office.url, kiosk, SERVICE, ticket).status_code == 201
    page.clock.install()
    page.goto(f"{office.url}/t/{ticket}")
    expect(page.get_by_text("Menunggu giliran")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    call_next(office.url, clerk, "4", SERVICE)
    page.clock.fast_forward(PAST_ONE_INTERVAL_MS)
    expect(page.get_by_text("Dipanggil: silakan ke loket 4")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True  # swapped in place, not reloaded


def test_todays_dashboard_follows_the_office_and_another_day_stays_put(
    page: Page, office: RunningCentral, office_db: Database, tokens: tuple[str, str]
) -> None:
    kiosk, _ = tokens
    page.clock.install()
    log_in(page, office.url, new_staff_account(office_db, staff.Role.ADMIN), then="/dashboard")
    issued = page.locator(f'tr[data-service="{SERVICE}"] [data-figure="issued"]').first
    before = int(issued.inner_text())
    assert allocate(office.url, kiosk, SERVICE).status_code == 201
    page.clock.fast_forward(PAST_ONE_INTERVAL_MS)
    expect(issued).to_have_text(str(before + 1))
    page.goto(f"{office.url}/dashboard?day=2026-01-02")
    assert page.locator('meta[name="refresh-seconds"]').count() == 0
