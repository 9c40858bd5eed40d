"""``/stats``: today's public figures, open to anyone, named as the catalog names them.

A real chromium on a real centre: tickets taken at a kiosk and served at a
counter over the API appear in the counts; a citizen's name and NIK never do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from central.access import staff
from central.database import Database
from central.process import RunningCentral, start_central
from central.web import PUBLIC_PAGES
from testkit.browser import fresh_context
from testkit.centre_accounts import DEMO_OFFICE, new_kiosk, new_staff
from testkit.centre_requests import allocate, registration, results, staff_post
from testkit.centres import DEMO_CATALOG, TEST_SERVER_ARGS

pytestmark = pytest.mark.timeout(120)
POLI = "puskesmas-umum"
NIK = "1471019988770001"
NAME = "Rahmat Hidayat Sitompul"


@pytest.fixture(scope="module")
def office() -> Iterator[RunningCentral]:
    """This module's centre counts the figures at every request (``--stats-cache 0``), so a
    test sees at once what it changed; the cache has a test of its own below."""
    args = (*TEST_SERVER_ARGS, "--stats-cache", "0")
    with start_central(seed_demo=True, extra_args=args) as server:
        yield server


def count(page: Page, service_id: str, figure: str) -> int:
    cell = page.locator(f'tr[data-service="{service_id}"] td[data-figure="{figure}"]')
    return int(cell.inner_text())


def test_anyone_sees_each_service_by_its_catalog_name_with_its_count(
    page: Page, office: RunningCentral
) -> None:
    response = page.goto(f"{office.url}/stats")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", name="Angka layanan hari ini")).to_be_visible()
    catalog = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    for service in catalog["services"]:
        row = page.locator(f'tr[data-service="{service["id"]}"]')
        expect(row.locator("th")).to_have_text(service["name"]["id"])
        expect(row.locator('td[data-figure="issued"]')).to_have_text(re.compile(r"^\d+$"))
    row = page.get_by_role("row", name="Pendaftaran Poli Umum Puskesmas")
    expect(row).to_have_count(1)
    assert ("GET", "/stats") in PUBLIC_PAGES


def test_todays_counts_follow_the_kiosk_and_the_counter(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    _kiosk, token = new_kiosk(office_db, office.url)
    clerk = new_staff(office_db, office.url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    page.goto(f"{office.url}/stats")
    before = {f: count(page, POLI, f) for f in ("issued", "served", "waiting")}

    for _ in range(3):
        assert allocate(office.url, token, POLI).status_code == 201
    call = {"office_id": DEMO_OFFICE, "service_id": POLI, "counter": "1"}
    called = staff_post(office.url, clerk, "/api/v1/staff/queue/call-next", call).json()
    done = staff_post(
        office.url, clerk, f"/api/v1/staff/tickets/{called['ticket']['ticket_id']}/served"
    )
    assert done.status_code == 200, done.text

    page.reload()
    after = {f: count(page, POLI, f) for f in ("issued", "served", "waiting")}
    assert {f: after[f] - before[f] for f in after} == {"issued": 3, "served": 1, "waiting": 2}
    sentence = page.locator(f'ul.sentences li[data-service="{POLI}"]')
    expect(sentence).to_have_text(
        f"Pendaftaran Poli Umum Puskesmas hari ini: {after['served']} dilayani"
    )
    page.goto(f"{office.url}/stats?lang=en")
    expect(page.locator(f'tr[data-service="{POLI}"] th')).to_have_text(
        "Puskesmas general clinic registration"
    )


def test_no_name_or_nik_reaches_the_public_page(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    _kiosk, token = new_kiosk(office_db, office.url)
    ticket = allocate(office.url, token, POLI).json()
    values = {"full_name": NAME, "nik": NIK, "phone": "081299990000"}
    found = results(
        office.url,
        token,
        [registration(ticket["ticket_id"], POLI, ticket["display"], "online", values=values)],
    )
    assert found[0]["status"] == "accepted", found
    page.goto(f"{office.url}/stats")
    html = page.content()
    assert ticket["display"] not in html and ticket["ticket_id"] not in html
    for personal in (NAME, NIK, "081299990000", "Rahmat"):
        assert personal not in html
    expect(page.locator(f'tr[data-service="{POLI}"]')).to_have_count(1)


def test_the_figures_fit_a_phone(browser: Browser, office: RunningCentral) -> None:
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    with fresh_context(browser, **phone) as context:
        page = context.new_page()
        page.goto(f"{office.url}/stats")
        name = page.locator(f'tr[data-service="{POLI}"] th')
        expect(name).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        label = page.evaluate(
            "getComputedStyle(document.querySelector('td[data-figure=issued]'), '::before').content"
        )
        assert label == '"Antrean diambil hari ini"'


@pytest.fixture(scope="module")
def strict_centre() -> Iterator[RunningCentral]:
    """A centre allowing 5 requests a minute per client, in a burst of 5."""
    with start_central(
        seed_demo=True, extra_args=(*TEST_SERVER_ARGS, "--rate", "5", "--burst", "5")
    ) as server:
        yield server


def test_the_page_is_limited_per_client_address(strict_centre: RunningCentral) -> None:
    statuses = [
        requests.get(f"{strict_centre.url}/stats", timeout=10).status_code for _ in range(8)
    ]
    assert statuses[:5] == [200] * 5 and 429 in statuses[5:]
    refused = requests.get(f"{strict_centre.url}/stats", timeout=10)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["content-type"].startswith("text/html")
    assert "Terlalu banyak permintaan dari alamat ini" in refused.text


def test_the_figures_are_counted_once_for_every_visitor_within_the_cache_time(
    page: Page,
) -> None:
    with start_central(
        seed_demo=True, extra_args=(*TEST_SERVER_ARGS, "--stats-cache", "600")
    ) as centre:
        db = Database(centre.db_url)
        try:
            _kiosk, token = new_kiosk(db, centre.url)
        finally:
            db.dispose()
        page.goto(f"{centre.url}/stats")
        before = count(page, POLI, "issued")
        assert allocate(centre.url, token, POLI).status_code == 201
        page.reload()
        assert count(page, POLI, "issued") == before  # the same count, not counted again
