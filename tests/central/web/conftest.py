"""Fixtures for the office pages: a real chromium and a real centre of the module's own.

``browser`` is one headless chromium for the session (testkit/browser.py);
each test opens its pages in a context of its own, as another device would.
``office`` is a demo centre on SQLite for one test module, so what a module
calls or answers never reaches another's figures; its boards speak with short
clips given as the city's recordings (``quick_voice``), so an announcement
takes under a second.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from central.access import staff
from central.database import Database
from central.process import RunningCentral, start_central
from testkit.browser import fresh_context
from testkit.centre_accounts import DEMO_OFFICE, new_kiosk, new_staff
from testkit.centres import TEST_SERVER_ARGS
from testkit.voices import short_recordings


@pytest.fixture(scope="session")
def quick_voice(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, ...]:
    """Server options giving the boards short clips as the city's recordings (testkit/voices.py)."""
    return ("--voice-dir", str(short_recordings(tmp_path_factory.mktemp("voice"))))


@pytest.fixture(scope="module")
def office(quick_voice: tuple[str, ...]) -> Iterator[RunningCentral]:
    with start_central(seed_demo=True, extra_args=(*TEST_SERVER_ARGS, *quick_voice)) as server:
        yield server


@pytest.fixture(scope="module")
def office_db(office: RunningCentral) -> Iterator[Database]:
    db = Database(office.db_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with fresh_context(browser) as context:
        yield context.new_page()


@pytest.fixture(scope="module")
def kiosk(office: RunningCentral, office_db: Database) -> str:
    """A kiosk of the demo office on the module's centre: its token."""
    return new_kiosk(office_db, office.url)[1]


@pytest.fixture(scope="module")
def clerk_token(office: RunningCentral, office_db: Database) -> str:
    """A staff account of the demo office, logged in through the API: its token."""
    return new_staff(office_db, office.url, staff.Role.STAFF, office_id=DEMO_OFFICE)
