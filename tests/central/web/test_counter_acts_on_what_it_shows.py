"""The counter page acts only on the ticket it shows, and shows every ticket it must act on.

A stale page, a second tab, a colleague at the same counter: none closes a
ticket it did not show, none leaves a ticket called where no page shows it.
The live panel is a long poll that redraws only what changed and keeps the
focus. Real server, real HTTP, a real chromium, as staff would drive it.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import update

from central.access import staff
from central.database import Database
from central.process import RunningCentral
from central.tables import tickets
from testkit.browser import TIMEOUT_MS, fresh_context, log_in
from testkit.centre_accounts import (
    DEMO_OFFICE,
    bearer,
    enrol,
    new_code,
    new_staff,
    new_staff_account,
)
from testkit.centre_requests import allocate, drain, free_counter, staff_post
from testkit.counter_desks import events_of, issue, page_session, sit, ticket_row
from testkit.office_sessions import logged_in

pytestmark = pytest.mark.timeout(180)
CLINIC = "puskesmas-umum"
KTP = "ktp-cetak-ulang"
KK = "kk-perubahan"
BUSINESS = "izin-usaha-mikro"


def test_two_call_next_for_the_ticket_shown_close_it_once_and_call_one(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, CLINIC)
    first, second, third, fourth = issue(office, kiosk, CLINIC, 4)
    sit(page, office, office_db, "1", CLINIC)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.locator("#current-number")).to_have_text(ticket_row(office_db, first).display)

    http, headers = page_session(page)
    barrier = threading.Barrier(2, timeout=30)

    def next_citizen(_: int) -> requests.Response:
        barrier.wait()
        return http.post(
            f"{office.url}/counter/call-next",
            data={"ticket_id": first},
            headers=headers,
            timeout=30,
        )

    with http, ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(next_citizen, range(2)))
        # The same stale page again; and a page that showed nothing while one is called.
        stale = http.post(
            f"{office.url}/counter/call-next",
            data={"ticket_id": first},
            headers=headers,
            timeout=10,
        )
        blind = http.post(f"{office.url}/counter/call-next", data={}, headers=headers, timeout=10)
    assert sorted(a.status_code for a in answers) == [200, 409]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["ok"] is False and "Tidak ada yang diubah" in refused["message"]
    assert (stale.status_code, blind.status_code) == (409, 409)
    assert "Selesaikan, tunda, atau alihkan" in blind.json()["message"]
    statuses = [ticket_row(office_db, t).status for t in (first, second, third, fourth)]
    assert statuses == ["served", "called", "waiting", "waiting"]
    assert events_of(office_db, second) == ["call"]
    expect(page.locator("#current-number")).to_have_text(ticket_row(office_db, second).display)


def test_a_held_ticket_comes_back_only_to_its_counter_and_only_when_that_counter_is_free(
    browser: Browser,
    page: Page,
    office: RunningCentral,
    office_db: Database,
    kiosk: str,
    clerk_token: str,
) -> None:
    drain(office.url, clerk_token, KK)
    held, other = issue(office, kiosk, KK, 2)
    shown = ticket_row(office_db, held).display
    sit(page, office, office_db, "6", KK)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.locator("#current-number")).to_have_text(shown)
    page.get_by_role("button", name="Tunda").click()
    expect(page.get_by_role("button", name=f"Panggil lagi {shown}")).to_be_visible()
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.locator("#current-number")).to_have_text(ticket_row(office_db, other).display)

    # Calling the held one back now would leave the other called, unseen: refused.
    page.get_by_role("button", name=f"Panggil lagi {shown}").click()
    expect(page.get_by_role("status")).to_contain_text("Masih ada nomor yang dipanggil")
    assert ticket_row(office_db, held).status == "held"
    assert (ticket_row(office_db, other).status, ticket_row(office_db, other).counter) == (
        "called",
        "6",
    )

    # Another counter cannot take counter 6's held ticket, by the page or by the API.
    with fresh_context(browser) as context:
        elsewhere = context.new_page()
        sit(elsewhere, office, office_db, "7", KK)
        http, headers = page_session(elsewhere)
        with http:
            taken = http.post(
                f"{office.url}/counter/call-back",
                data={"ticket_id": held},
                headers=headers,
                timeout=10,
            )
    api = requests.post(
        f"{office.url}/api/v1/staff/tickets/{held}/call-back",
        json={"counter": "7"},
        headers=bearer(clerk_token),
        timeout=10,
    )
    assert (taken.status_code, api.status_code) == (409, 409)
    assert (ticket_row(office_db, held).status, ticket_row(office_db, held).counter) == (
        "held",
        "6",
    )

    page.get_by_role("button", name="Selesai").click()
    expect(page.locator("#current-none")).to_be_visible()
    page.get_by_role("button", name=f"Panggil lagi {shown}").click()
    expect(page.locator("#current-number")).to_have_text(shown)
    assert (ticket_row(office_db, held).status, ticket_row(office_db, held).counter) == (
        "called",
        "6",
    )
    assert events_of(office_db, held) == ["call", "hold", "call"]


def test_every_ticket_called_at_a_counter_shows_and_the_counter_cannot_be_left_with_one(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, KTP)
    first, second = issue(office, kiosk, KTP, 2)
    free_counter(office.url, clerk_token, "5")
    at_five = {"office_id": DEMO_OFFICE, "service_id": KTP, "counter": "5"}
    called = staff_post(office.url, clerk_token, "/api/v1/staff/queue/call-next", at_five)
    assert called.status_code == 200 and called.json()["ticket"]["ticket_id"] == first
    busy = staff_post(office.url, clerk_token, "/api/v1/staff/queue/call-next", at_five)
    assert (busy.status_code, busy.json()["error"]) == (409, "counter_busy")
    with office_db.begin() as conn:  # two called at counter 5, as an earlier centre left them
        conn.execute(
            update(tickets)
            .where(tickets.c.id == second)
            .values(status="called", counter="5", called_at=dt.datetime.now(dt.UTC))
        )
    sit(page, office, office_db, "5", KTP)
    expect(page.locator("#current-number")).to_have_text(ticket_row(office_db, first).display)
    expect(page.locator("#also-called")).to_contain_text(ticket_row(office_db, second).display)

    # Leaving counter 5 now would leave both called with nobody to close them.
    page.get_by_text("Ganti loket atau layanan").click()
    page.locator("#desk-counter").select_option(label="Loket 4")
    page.get_by_role("button", name="Simpan loket").click()
    expect(page.get_by_role("alert")).to_contain_text("sebelum berganti loket")
    expect(page.get_by_role("heading", name="Loket — Loket 5")).to_be_visible()

    page.get_by_role("button", name="Selesai").click()
    expect(page.locator("#current-number")).to_have_text(ticket_row(office_db, second).display)
    expect(page.locator("#also-called")).to_have_count(0)
    page.get_by_role("button", name="Selesai").click()
    expect(page.locator("#current-none")).to_be_visible()
    assert [ticket_row(office_db, t).status for t in (first, second)] == ["served", "served"]
    page.get_by_text("Ganti loket atau layanan").click()
    page.locator("#desk-counter").select_option(label="Loket 4")
    page.get_by_role("button", name="Simpan loket").click()
    expect(page.get_by_role("heading", name="Loket — Loket 4")).to_be_visible()


def test_a_transfer_to_a_counter_the_office_does_not_offer_is_refused(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, BUSINESS)
    (ticket,) = issue(office, kiosk, BUSINESS)
    sit(page, office, office_db, "8", BUSINESS)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.locator("#current-number")).to_have_text(ticket_row(office_db, ticket).display)
    http, headers = page_session(page)
    bad = {"ticket_id": ticket, "to_counter": "<b>Loket 99</b>"}
    with http:
        fetched = http.post(f"{office.url}/counter/transfer", data=bad, headers=headers, timeout=10)
        form = http.post(
            f"{office.url}/counter/transfer",
            data=bad,
            headers={"X-CSRF-Token": headers["X-CSRF-Token"]},
            timeout=10,
        )
    api = requests.post(
        f"{office.url}/api/v1/staff/tickets/{ticket}/transfer",
        json={"to_counter": "99"},
        headers=bearer(clerk_token),
        timeout=10,
    )
    assert fetched.status_code == 422
    assert fetched.json() == {
        "ok": False,
        "message": "Loket tujuan tidak ada di kantor ini. Pilih loket dari daftar.",
    }
    assert form.status_code == 422 and "Loket tujuan tidak ada di kantor ini" in form.text
    assert "<b>Loket 99</b>" not in form.text
    assert api.status_code == 422 and api.json()["error"] == "unknown_counter"
    row = ticket_row(office_db, ticket)
    assert (row.status, row.counter) == ("called", "8")
    assert events_of(office_db, ticket) == ["call"]


def test_an_action_before_choosing_a_counter_asks_for_one(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    username = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    log_in(page, office.url, username, then="/counter")
    http, headers = page_session(page)
    with http:
        fetched = http.post(f"{office.url}/counter/served", data={}, headers=headers, timeout=10)
        form = http.post(
            f"{office.url}/counter/call-next",
            data={},
            headers={"X-CSRF-Token": headers["X-CSRF-Token"]},
            timeout=10,
        )
    assert fetched.status_code == 409
    assert fetched.json()["message"] == "Pilih loket dan layanan terlebih dahulu."
    assert form.status_code == 409 and "Pilih loket dan layanan terlebih dahulu." in form.text


def _panel_marks(html: str) -> tuple[str, str]:
    event = re.search(r'data-last-event="(-?\d+)"', html)
    seen = re.search(r'data-seen="([^"]*)"', html)
    assert event and seen, html
    return event.group(1), seen.group(1)


def test_the_panel_is_held_until_the_desk_has_news(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, KTP)
    sit(page, office, office_db, "2", KTP)
    http, _ = page_session(page)
    page.goto("about:blank")  # the page's own long poll would only share the news
    answered = threading.Event()

    def follow(after: str, seen: str) -> requests.Response:
        try:
            return http.get(
                f"{office.url}/counter/panel",
                params={"after": after, "seen": seen},
                timeout=60,
            )
        finally:
            answered.set()

    with http, ThreadPoolExecutor(1) as pool:
        # A kiosk's ticket makes no call event: the waiting list's own mark moves.
        marks = _panel_marks(http.get(f"{office.url}/counter/panel", timeout=10).text)
        waiting = pool.submit(follow, *marks)
        time.sleep(1.5)  # longer than the database's poll interval: an idle panel is still held
        assert not answered.is_set()
        issued = allocate(office.url, kiosk, KTP).json()["display"]
        shown = waiting.result(timeout=30)
        assert shown.status_code == 200 and issued in shown.text
        assert 'id="current-none"' in shown.text

        # A call is an event: the panel answers with the number called at the counter.
        answered.clear()
        waiting = pool.submit(follow, *_panel_marks(shown.text))
        time.sleep(1.5)
        assert not answered.is_set()
        call = requests.post(
            f"{office.url}/api/v1/staff/queue/call-next",
            json={"office_id": DEMO_OFFICE, "service_id": KTP, "counter": "2"},
            headers=bearer(clerk_token),
            timeout=10,
        )
        assert call.json()["ticket"]["display"] == issued
        shown = waiting.result(timeout=30)
        assert re.search(rf'id="current-number">{re.escape(issued)}<', shown.text)


def test_the_focus_stays_on_a_held_tickets_button_while_the_panel_follows_the_queue(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, KK)
    (ticket,) = issue(office, kiosk, KK)
    shown = ticket_row(office_db, ticket).display
    sit(page, office, office_db, "3", KK)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.locator("#current-number")).to_have_text(shown)
    page.get_by_role("button", name="Tunda").click()
    button = page.get_by_role("button", name=f"Panggil lagi {shown}")
    expect(button).to_be_visible()
    expect(page.locator("#current-none")).to_be_visible()
    button.focus()
    page.evaluate("window.heldPart = document.querySelector('[data-part=held]')")

    # Tickets arrive from the kiosk: the waiting list grows on the page...
    for _ in range(2):
        newcomer = allocate(office.url, kiosk, KK).json()["display"]
        expect(page.locator("#waiting-table")).to_contain_text(newcomer, timeout=TIMEOUT_MS)
        # ... and the keyboard user is still on the held ticket's button, in the same list.
        expect(button).to_be_focused()
        assert page.evaluate("window.heldPart === document.querySelector('[data-part=held]')")
    page.keyboard.press("Enter")
    expect(page.locator("#current-number")).to_have_text(shown)


def test_a_counter_with_a_held_ticket_cannot_be_left_behind(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, BUSINESS)
    (ticket,) = issue(office, kiosk, BUSINESS)
    sit(page, office, office_db, "2", BUSINESS)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.locator("#current-number")).to_have_text(ticket_row(office_db, ticket).display)
    page.get_by_role("button", name="Tunda").click()
    expect(page.locator("#current-none")).to_be_visible()
    http, headers = page_session(page)
    with http:
        moved = http.post(
            f"{office.url}/counter/desk",
            data={"office_id": DEMO_OFFICE, "counter": "6", "queues": BUSINESS},
            headers={"X-CSRF-Token": headers["X-CSRF-Token"]},
            timeout=10,
        )
    assert moved.status_code == 409
    assert ticket_row(office_db, ticket).counter == "2"
    page.reload()
    expect(page.get_by_role("heading", name="Loket — Loket 2")).to_be_visible()


def test_a_ticket_still_called_at_midnight_stays_at_its_counter_to_be_closed(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, KK)
    (ticket,) = issue(office, kiosk, KK)
    sit(page, office, office_db, "4", KK)
    page.get_by_role("button", name="Panggil berikutnya").click()
    display = ticket_row(office_db, ticket).display
    expect(page.locator("#current-number")).to_have_text(display)
    with office_db.begin() as conn:  # the office's day turned while the citizen was served
        yesterday = ticket_row(office_db, ticket).day - dt.timedelta(days=1)
        conn.execute(update(tickets).where(tickets.c.id == ticket).values(day=yesterday))
    page.reload()
    expect(page.locator("#current-number")).to_have_text(display)
    page.get_by_role("button", name="Selesai").click()
    expect(page.locator("#current-none")).to_be_visible()
    assert ticket_row(office_db, ticket).status == "served"


def test_a_transfer_to_a_service_the_office_does_not_offer_says_so(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, KTP)
    (ticket,) = issue(office, kiosk, KTP)
    sit(page, office, office_db, "7", KTP)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.locator("#current-number")).to_have_text(ticket_row(office_db, ticket).display)
    http, headers = page_session(page)
    with http:
        moved = http.post(
            f"{office.url}/counter/transfer",
            data={"ticket_id": ticket, "to_queue": "layanan-tidak-ada"},
            headers=headers,
            timeout=10,
        )
    assert moved.status_code == 404
    assert moved.json()["message"].startswith("Layanan tujuan tidak ada di kantor ini.")
    assert ticket_row(office_db, ticket).status == "called"
    page.get_by_role("button", name="Selesai").click()
    expect(page.locator("#current-none")).to_be_visible()


def test_an_account_for_every_office_acts_only_on_its_desks_office(
    office: RunningCentral, office_db: Database
) -> None:
    """A counter is an office's: sitting at Loket 1 of one office, an account that reaches
    every office neither steps the ticket called to "Loket 1" of another office nor opens
    its registration (the patient's data) from the counter page: unknown there, as to an
    account of one office; the ticket stays as it was."""
    hospital = "rsud-pku"
    answer = enrol(office.url, new_code(office_db, hospital))
    assert answer.status_code == 201, answer.text
    (ticket,) = issue(office, answer.json()["token"], "farmasi")
    nurse = new_staff(office_db, office.url, staff.Role.STAFF, office_id=hospital)
    call = {"office_id": hospital, "service_id": "farmasi", "counter": "1"}
    while ticket_row(office_db, ticket).status != "called":  # the hospital's Loket 1 calls it
        called = staff_post(office.url, nurse, "/api/v1/staff/queue/call-next", call).json()
        assert called["ticket"] is not None
    events = events_of(office_db, ticket)

    http, token = logged_in(office.url, new_staff_account(office_db, staff.Role.ADMIN))
    headers = {"X-CSRF-Token": token, "Accept": "application/json"}
    with http:
        desk = http.post(
            f"{office.url}/counter/desk",
            data={"office_id": DEMO_OFFICE, "counter": "1", "queues": KTP},
            headers={"X-CSRF-Token": token},
            timeout=10,
            allow_redirects=False,
        )
        assert desk.status_code == 303, desk.text[:300]
        acted = {
            action: http.post(
                f"{office.url}/counter/{action}",
                data={"ticket_id": ticket, "to_queue": KTP},
                headers=headers,
                timeout=10,
            ).status_code
            for action in ("recall", "hold", "served", "no-show", "transfer")
        }
        shown = http.get(f"{office.url}/counter/registration/{ticket}", timeout=10)
    assert acted == dict.fromkeys(acted, 404)
    assert shown.status_code == 404
    row = ticket_row(office_db, ticket)
    assert (row.status, row.counter, row.office_id) == ("called", "1", hospital)
    assert events_of(office_db, ticket) == events
