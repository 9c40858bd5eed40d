"""The counter page: staff pick a counter, call, recall, transfer, hold and close, as at a loket.

Driven as staff would: a real chromium on a real centre, tickets from a
kiosk over HTTP. Each test sits at a counter of its own and drains the
queues it uses first, so the module's tests never see each other's tickets.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect
from sqlalchemy import insert, select, update

from central.access import staff
from central.access.audit import audit_key
from central.access.credentials import keyed_hash
from central.database import Database
from central.process import RunningCentral
from central.tables import audit_log, citizen_lookups, services, tickets
from contract.bookings import damm_digit, format_code
from testkit.browser import log_in
from testkit.centre_accounts import (
    DEMO_OFFICE,
    PASSWORD,
    bearer,
    new_office,
    new_staff_account,
)
from testkit.centre_requests import allocate, drain, free_counter, new_id, registration, results
from testkit.counter_desks import events_of, issue, page_session, sit, ticket_row
from testkit.office_sessions import logged_in

pytestmark = pytest.mark.timeout(180)
CLINIC = "puskesmas-umum"  # A, counter 1
KTP = "ktp-cetak-ulang"  # B, counter 3
KK = "kk-perubahan"  # C, counter 3
NIK = "1471010101900001"
NAME = "Siti Rahmawati Tes"


def _kiosk_queue(office: RunningCentral, kiosk: str, service: str) -> dict[str, Any]:
    state = requests.get(f"{office.url}/api/v1/queue", headers=bearer(kiosk), timeout=5).json()
    found: dict[str, Any] = next(s for s in state["services"] if s["service_id"] == service)
    return found


def _current(page: Page) -> Any:
    return page.locator("#current-number")


def test_without_a_session_the_counter_page_shows_the_login_form(
    page: Page, office: RunningCentral
) -> None:
    page.goto(f"{office.url}/counter")
    expect(page.get_by_role("heading", name="Masuk petugas")).to_be_visible()
    expect(page.get_by_label("Nama pengguna")).to_be_visible()
    assert page.url.endswith("/login?next=%2Fcounter")
    refused = requests.post(f"{office.url}/counter/call-next", timeout=5, allow_redirects=False)
    assert refused.status_code == 401


def test_a_clerk_picks_a_counter_and_its_services_on_the_page(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, KTP)
    sit(page, office, office_db, "2", KTP)
    expect(page.get_by_text("Tidak ada yang menunggu.").first).to_be_visible()
    # Every numbered counter and the catalog's own are offered.
    options = page.locator("#desk-counter option").all_text_contents()
    assert options[:3] == ["Loket 1", "Loket 2", "Loket 3"] and "Informasi" in options
    # Nothing called yet: only "Panggil berikutnya" shows.
    expect(page.get_by_role("button", name="Panggil berikutnya")).to_be_visible()
    expect(page.get_by_role("button", name="Selesai")).to_be_hidden()
    # The waiting list follows the queue without a reload.
    number = allocate(office.url, kiosk, KTP).json()["display"]
    expect(page.locator("#waiting-table")).to_contain_text(number)
    expect(page.locator("#waiting-table")).to_contain_text("0 mnt")


def test_a_bad_desk_form_says_what_is_wrong(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    username = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    log_in(page, office.url, username, then="/counter")
    page.get_by_role("button", name="Simpan loket").click()  # no service chosen
    expect(page.get_by_role("alert")).to_contain_text("sedikitnya satu layanan")


def test_call_next_then_served_shows_on_the_page_and_in_the_kiosks_figures(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, CLINIC)
    first, second = issue(office, kiosk, CLINIC, 2)
    sit(page, office, office_db, "1", CLINIC)
    page.get_by_role("button", name="Panggil berikutnya").click()
    display = ticket_row(office_db, first).display
    expect(_current(page)).to_have_text(display)
    expect(page.get_by_role("button", name="Selesai")).to_be_visible()
    expect(page.get_by_role("button", name="Tidak hadir")).to_be_visible()
    expect(page.locator("#waiting-table")).to_contain_text(ticket_row(office_db, second).display)
    figures = _kiosk_queue(office, kiosk, CLINIC)
    assert (figures["now_serving"], figures["waiting"]) == (display, 1)

    page.get_by_role("button", name="Selesai").click()
    expect(page.locator("#current-none")).to_be_visible()
    expect(page.get_by_role("button", name="Selesai")).to_be_hidden()
    row = ticket_row(office_db, first)
    assert (row.status, row.counter) == ("served", "1")
    assert events_of(office_db, first) == ["call", "served"]
    assert ticket_row(office_db, second).status == "waiting"


def test_call_next_with_a_ticket_at_the_counter_closes_it_as_served(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, CLINIC)
    first, second = issue(office, kiosk, CLINIC, 2)
    sit(page, office, office_db, "4", CLINIC)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(_current(page)).to_have_text(ticket_row(office_db, first).display)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(_current(page)).to_have_text(ticket_row(office_db, second).display)
    assert ticket_row(office_db, first).status == "served"


def test_a_number_asked_ahead_shows_at_the_kiosk_and_is_called_once_registered(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """Its citizen still answers at the kiosk: listed as waiting, marked "sedang di
    anjungan", and "Panggil berikutnya" calls the one after her; once her registration
    arrives the mark goes by itself and she is called."""
    drain(office.url, clerk_token, KK)
    ahead, after = new_id(), new_id()
    body = {"ticket_id": ahead, "service_id": KK, "hold_s": 60}
    asked = requests.post(
        f"{office.url}/api/v1/tickets/allocate", json=body, headers=bearer(kiosk), timeout=10
    )
    assert asked.status_code == 201, asked.text
    assert allocate(office.url, kiosk, KK, after).status_code == 201
    sit(page, office, office_db, "6", KK)
    shown = asked.json()["display"]
    row = page.locator(f'#waiting-table tr[data-ticket="{ahead}"]')
    expect(row).to_contain_text(shown)
    expect(row.locator(".at-kiosk")).to_have_text("sedang di anjungan")
    expect(page.locator(f'#waiting-table tr[data-ticket="{after}"] .at-kiosk')).to_have_count(0)

    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(_current(page)).to_have_text(ticket_row(office_db, after).display)
    page.get_by_role("button", name="Selesai").click()
    expect(page.locator("#current-none")).to_be_visible()
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.locator("#counter-message")).to_contain_text("masih di anjungan")
    expect(page.locator("#current-none")).to_be_visible()
    assert ticket_row(office_db, ahead).status == "waiting"

    item = registration(ahead, KK, shown, "online")
    assert results(office.url, kiosk, [item])[0]["status"] == "accepted"
    expect(row.locator(".at-kiosk")).to_have_count(0)  # the page follows by itself
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(_current(page)).to_have_text(shown)
    page.get_by_role("button", name="Selesai").click()
    expect(page.locator("#current-none")).to_be_visible()


def test_recall_announces_again_and_no_show_closes(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, KK)
    (ticket,) = issue(office, kiosk, KK)
    sit(page, office, office_db, "5", KK)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(_current(page)).to_have_text(ticket_row(office_db, ticket).display)
    page.get_by_role("button", name="Panggil ulang").click()
    expect(page.get_by_role("status")).to_contain_text("dipanggil ulang")
    assert ticket_row(office_db, ticket).status == "called"
    page.get_by_role("button", name="Tidak hadir").click()
    expect(page.locator("#current-none")).to_be_visible()
    assert ticket_row(office_db, ticket).status == "no_show"
    assert events_of(office_db, ticket) == ["call", "recall", "no_show"]


def test_hold_sets_the_ticket_aside_and_it_can_be_called_back(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, KK)
    (ticket,) = issue(office, kiosk, KK)
    display = ticket_row(office_db, ticket).display
    sit(page, office, office_db, "6", KK)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(_current(page)).to_have_text(display)
    page.get_by_role("button", name="Tunda").click()
    expect(page.locator("#current-none")).to_be_visible()
    assert ticket_row(office_db, ticket).status == "held"
    page.get_by_role("button", name=f"Panggil lagi {display}").click()
    expect(_current(page)).to_have_text(display)
    assert ticket_row(office_db, ticket).status == "called"
    assert events_of(office_db, ticket) == ["call", "hold", "call"]


def test_transfer_keeps_the_number_and_puts_it_first_in_the_other_queue(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, CLINIC)
    drain(office.url, clerk_token, KTP)
    (moved,) = issue(office, kiosk, CLINIC)
    (already,) = issue(office, kiosk, KTP)
    display = ticket_row(office_db, moved).display
    before = _kiosk_queue(office, kiosk, KTP)["waiting"]
    sit(page, office, office_db, "7", CLINIC)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(_current(page)).to_have_text(display)
    page.get_by_role("button", name="Alihkan").click()
    page.get_by_label("Layanan tujuan").select_option(KTP)
    page.get_by_role("button", name="Pindahkan tiket").click()
    expect(page.locator("#current-none")).to_be_visible()
    row = ticket_row(office_db, moved)
    assert (row.status, row.queue_id, row.service_id, row.display) == (
        "waiting",
        KTP,
        CLINIC,
        display,
    )
    assert _kiosk_queue(office, kiosk, KTP)["waiting"] == before + 1
    # Priority 1: the KTP queue calls it before the one who waited there all along.
    call = requests.post(
        f"{office.url}/api/v1/staff/queue/call-next",
        json={"office_id": DEMO_OFFICE, "service_id": KTP, "counter": "3"},
        headers=bearer(clerk_token),
        timeout=5,
    ).json()["ticket"]
    assert (call["ticket_id"], call["display"]) == (moved, display)
    assert ticket_row(office_db, already).status == "waiting"
    assert events_of(office_db, moved) == ["call", "transfer", "call"]
    served = requests.post(
        f"{office.url}/api/v1/staff/tickets/{moved}/served",
        headers=bearer(clerk_token),
        timeout=5,
    )
    assert served.status_code == 200  # counter 3 is free again for the tests below


def test_a_ticket_transferred_to_a_counter_is_called_there_only(
    browser: Any,
    page: Page,
    office: RunningCentral,
    office_db: Database,
    kiosk: str,
    clerk_token: str,
) -> None:
    drain(office.url, clerk_token, CLINIC)
    (ticket,) = issue(office, kiosk, CLINIC)
    display = ticket_row(office_db, ticket).display
    sit(page, office, office_db, "8", CLINIC)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(_current(page)).to_have_text(display)
    page.keyboard.press("a")
    page.get_by_label("Loket tujuan").select_option(label="Informasi")
    page.get_by_role("button", name="Pindahkan tiket").click()
    expect(page.locator("#current-none")).to_be_visible()
    assert ticket_row(office_db, ticket).counter == "Informasi"
    # Counter 8 serves the clinic queue, yet the ticket is Informasi's now.
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.get_by_role("status")).to_have_text("Tidak ada yang menunggu.")
    call = requests.post(
        f"{office.url}/api/v1/staff/queue/call-next",
        json={"office_id": DEMO_OFFICE, "service_id": "status-berkas", "counter": "Informasi"},
        headers=bearer(clerk_token),
        timeout=5,
    ).json()["ticket"]
    assert call["ticket_id"] == ticket


def test_the_keyboard_keys_shown_on_the_buttons_work(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, KK)
    (ticket,) = issue(office, kiosk, KK)
    sit(page, office, office_db, "2", KK)
    keys = {
        name: page.get_by_role("button", name=name).locator("kbd").inner_text()
        for name in ("Panggil berikutnya",)
    }
    assert keys == {"Panggil berikutnya": "P"}
    page.locator("body").press("p")
    expect(_current(page)).to_have_text(ticket_row(office_db, ticket).display)
    shown = {
        name: page.get_by_role("button", name=name).locator("kbd").inner_text()
        for name in ("Panggil ulang", "Selesai", "Tidak hadir", "Alihkan", "Tunda")
    }
    assert shown == {
        "Panggil ulang": "U",
        "Selesai": "S",
        "Tidak hadir": "T",
        "Alihkan": "A",
        "Tunda": "D",
    }
    page.locator("body").press("d")
    expect(page.locator("#current-none")).to_be_visible()
    assert ticket_row(office_db, ticket).status == "held"


def _close_called_at(office: RunningCentral, token: str, counter: str) -> None:
    """Serve every ticket called at ``counter`` of the demo office, so it is free."""
    queue = requests.get(f"{office.url}/api/v1/staff/queue", headers=bearer(token), timeout=10)
    for service in queue.json()["services"]:
        for ticket in service["tickets"]:
            if (ticket["status"], ticket["counter"]) == ("called", counter):
                path = f"/api/v1/staff/tickets/{ticket['ticket_id']}/served"
                served = requests.post(office.url + path, headers=bearer(token), timeout=10)
                assert served.status_code == 200, served.text


#: The demo catalog's only service at counter "Informasi".
INFO = "status-berkas"


def _sit_at_informasi(
    page: Page, office: RunningCentral, db: Database, clerk_token: str, *services: str
) -> None:
    """A new clerk at "Informasi" serving ``services``, the counter cleared of a ticket an
    earlier test left called there."""
    _close_called_at(office, clerk_token, "Informasi")
    sit(page, office, db, "Informasi", *services)


def _posted_by_script_and_form(
    http: requests.Session, office: RunningCentral, step: str, ticket: str, headers: dict[str, str]
) -> tuple[requests.Response, requests.Response]:
    """The counter page's ``step`` on ``ticket`` as its script posts it (JSON) and as the
    browser's form does without the script (the page itself, not followed)."""
    script = http.post(
        f"{office.url}/counter/{step}", data={"ticket_id": ticket}, headers=headers, timeout=10
    )
    form = http.post(
        f"{office.url}/counter/{step}",
        data={"ticket_id": ticket, "csrf": headers["X-CSRF-Token"]},
        allow_redirects=False,
        timeout=10,
    )
    return script, form


def _transferred_to_loket_4(
    http: requests.Session, office: RunningCentral, ticket: str, headers: dict[str, str]
) -> requests.Response:
    """ "Alihkan" of ``ticket`` to Loket 4, as the page's script posts it."""
    return http.post(
        f"{office.url}/counter/transfer",
        data={"ticket_id": ticket, "to_counter": "4"},
        headers=headers,
        timeout=10,
    )


def _called_and_served_at_loket_4(
    office: RunningCentral, clerk_token: str, service: str, ticket: str
) -> None:
    """The ticket sent on to Loket 4 is the one Loket 4 calls next, and is served there."""
    at_four = {"office_id": DEMO_OFFICE, "service_id": service, "counter": "4"}
    free_counter(office.url, clerk_token, "4")  # Loket 4 calls only while it has none called
    again = requests.post(
        f"{office.url}/api/v1/staff/queue/call-next",
        json=at_four,
        headers=bearer(clerk_token),
        timeout=10,
    )
    assert again.json()["ticket"]["ticket_id"] == ticket, again.text
    served = requests.post(
        f"{office.url}/api/v1/staff/tickets/{ticket}/served",
        headers=bearer(clerk_token),
        timeout=10,
    )
    assert served.status_code == 200


@contextlib.contextmanager
def _informasi_sent_to_loket_4(db: Database) -> Iterator[None]:
    """Within it, the office has no "Informasi": as a new catalog sending its one service
    to Loket 4 publishes it."""
    with db.begin() as conn:
        conn.execute(update(services).where(services.c.id == INFO).values(counter="4"))
    try:
        yield
    finally:
        with db.begin() as conn:
            conn.execute(update(services).where(services.c.id == INFO).values(counter="Informasi"))


@contextlib.contextmanager
def _no_service_active(db: Database) -> Iterator[None]:
    """Within it, the demo office has no active service (nor "Informasi"): as a new catalog
    with none of the office's services publishes it."""
    with db.read() as conn:
        active = [
            r.id
            for r in conn.execute(
                select(services.c.id).where(
                    services.c.office_id == DEMO_OFFICE, services.c.active.is_(True)
                )
            )
        ]
    with db.begin() as conn:
        conn.execute(update(services).where(services.c.id.in_(active)).values(active=False))
    try:
        yield
    finally:
        with db.begin() as conn:
            conn.execute(update(services).where(services.c.id.in_(active)).values(active=True))


def _clerk_at_informasi(
    office: RunningCentral, office_db: Database, clerk_token: str
) -> tuple[requests.Session, str, dict[str, str]]:
    """A new clerk at "Informasi" over the page's JSON, with nothing waiting or called
    there: the session, its form token and the headers its script sends."""
    drain(office.url, clerk_token, INFO)
    _close_called_at(office, clerk_token, "Informasi")  # an earlier test's, left called there
    http, token = logged_in(
        office.url, new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    )
    headers = {"X-CSRF-Token": token, "Accept": "application/json"}
    desk = {"counter": "Informasi", "queues": INFO}
    chosen = http.post(f"{office.url}/counter/desk", data=desk, headers=headers, timeout=10)
    assert chosen.json() == {"ok": True, "message": "Anda di Informasi"}, chosen.text[:300]
    return http, token, headers


def test_a_desk_at_a_counter_the_office_no_longer_has_calls_nobody(
    office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """A clerk sat at "Informasi" while the catalog named it; a new catalog sends its one
    service to Loket 4, so the office has no "Informasi" any more.
    "Panggil berikutnya" there calls nobody, closes nothing, and says to choose a counter."""
    info = INFO
    http, token, headers = _clerk_at_informasi(office, office_db, clerk_token)
    with http:
        first, second = issue(office, kiosk, info, 2)
        shown = http.post(f"{office.url}/counter/call-next", headers=headers, timeout=10)
        assert shown.status_code == 200 and ticket_row(office_db, first).status == "called"
        with _informasi_sent_to_loket_4(office_db):
            step = {"ticket_id": first}
            script = http.post(
                f"{office.url}/counter/call-next", data=step, headers=headers, timeout=10
            )
            form = http.post(
                f"{office.url}/counter/call-next",
                data={**step, "csrf": token},
                allow_redirects=False,
                timeout=10,
            )
            api = requests.post(
                f"{office.url}/api/v1/staff/queue/call-next",
                json={"office_id": DEMO_OFFICE, "service_id": info, "counter": "Informasi"},
                headers=bearer(clerk_token),
                timeout=10,
            )
    gone = "Loket Anda tidak ada lagi di kantor ini."
    assert script.status_code == 422 and script.json()["message"].startswith(gone)
    assert form.status_code == 422 and gone in form.text
    assert (api.status_code, api.json()["error"]) == (422, "unknown_counter")
    # The shown ticket is not closed, the next is not called: nothing for a board to announce.
    assert [ticket_row(office_db, t).status for t in (first, second)] == ["called", "waiting"]
    assert (events_of(office_db, first), events_of(office_db, second)) == (["call"], [])
    served = requests.post(
        f"{office.url}/api/v1/staff/tickets/{first}/served", headers=bearer(clerk_token), timeout=10
    )
    assert served.status_code == 200


def test_a_recall_at_a_counter_the_office_no_longer_has_announces_nothing(
    office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """ "Panggil ulang" at a desk at "Informasi", after a new catalog sent its one service to
    Loket 4, announced the ticket again at "Informasi" on the boards. It announces nothing
    and says why; the ticket stays called there, and "Alihkan" sends it to Loket 4."""
    info = INFO
    http, _, headers = _clerk_at_informasi(office, office_db, clerk_token)
    with http:
        (ticket,) = issue(office, kiosk, info)
        called = http.post(f"{office.url}/counter/call-next", headers=headers, timeout=10)
        assert called.status_code == 200 and ticket_row(office_db, ticket).status == "called"
        with _informasi_sent_to_loket_4(office_db):
            script, form = _posted_by_script_and_form(http, office, "recall", ticket, headers)
            kept, announced = ticket_row(office_db, ticket), events_of(office_db, ticket)
            moved = _transferred_to_loket_4(http, office, ticket, headers)
    gone = "Loket Anda tidak ada lagi di kantor ini, jadi nomor ini tidak dipanggil ulang"
    assert script.status_code == 422 and script.json()["ok"] is False
    assert script.json()["message"].startswith(gone)
    assert form.status_code == 422 and gone in form.text
    assert (kept.status, kept.counter, announced) == ("called", "Informasi", ["call"])
    assert moved.status_code == 200, moved.text
    assert events_of(office_db, ticket) == ["call", "transfer"]
    _called_and_served_at_loket_4(office, clerk_token, info, ticket)


def test_a_hold_at_a_counter_the_office_no_longer_has_is_refused_and_changes_nothing(
    office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """ "Tunda" at a desk at "Informasi", after a new catalog sent its one service to Loket 4,
    set the ticket aside there: held at a counter nobody can call it back at (call back is
    refused there), announced and recorded as a hold. It is refused as a recall is, by the
    page (script and browser) and the staff API alike; the ticket stays called there as it
    was, no event; "Alihkan" still moves it."""
    http, _, headers = _clerk_at_informasi(office, office_db, clerk_token)
    with http:
        (ticket,) = issue(office, kiosk, INFO)
        called = http.post(f"{office.url}/counter/call-next", headers=headers, timeout=10)
        assert called.status_code == 200 and ticket_row(office_db, ticket).status == "called"
        before = ticket_row(office_db, ticket)
        with _informasi_sent_to_loket_4(office_db):
            script, form = _posted_by_script_and_form(http, office, "hold", ticket, headers)
            english = http.post(
                f"{office.url}/counter/hold?lang=en",
                data={"ticket_id": ticket},
                headers=headers,
                timeout=10,
            )
            api = requests.post(
                f"{office.url}/api/v1/staff/tickets/{ticket}/hold",
                headers=bearer(clerk_token),
                timeout=10,
            )
            kept, recorded = ticket_row(office_db, ticket), events_of(office_db, ticket)
            moved = _transferred_to_loket_4(http, office, ticket, headers)
    said = "Loket Anda tidak ada lagi di kantor ini, jadi nomor ini tidak ditunda"
    assert script.status_code == 422 and script.json()["ok"] is False
    assert script.json()["message"].startswith(said)
    assert form.status_code == 422 and said in form.text
    assert english.json()["message"].startswith("Your counter is no longer one of this office")
    assert (api.status_code, api.json()["error"]) == (422, "unknown_counter")
    assert kept._asdict() == before._asdict() and recorded == ["call"]
    assert moved.status_code == 200, moved.text
    assert events_of(office_db, ticket) == ["call", "transfer"]
    _called_and_served_at_loket_4(office, clerk_token, INFO, ticket)


def test_a_held_ticket_no_queue_can_take_is_closed_at_a_counter_the_office_no_longer_has(
    office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """A ticket held at "Informasi", then a new catalog drops every service of the office:
    "Panggil lagi" is refused (nobody sits at "Informasi"), and "Kembalikan ke antrean"
    offered no queue (none is active; a ticket waiting in a dropped one is called by no
    desk), so the page refused it as incomplete and the desk, which may not leave a held
    ticket, was stuck with it. The page now says so and offers to close it, served or not
    come; that closes it (recorded), and the staff member is free to choose a counter.
    A ticket held at a counter the office has is still not closed without a call back."""
    http, _, headers = _clerk_at_informasi(office, office_db, clerk_token)
    with http:
        (ticket,) = issue(office, kiosk, INFO)
        display = ticket_row(office_db, ticket).display
        step = {"ticket_id": ticket}
        for action, data in (("call-next", {}), ("hold", step)):
            done = http.post(
                f"{office.url}/counter/{action}", data=data, headers=headers, timeout=10
            )
            assert done.status_code == 200, done.text
        early = http.post(f"{office.url}/counter/no-show", data=step, headers=headers, timeout=10)
        assert early.status_code == 409 and ticket_row(office_db, ticket).status == "held"
        with _no_service_active(office_db):
            shown = http.get(f"{office.url}/counter", timeout=10)
            closed = http.post(
                f"{office.url}/counter/no-show", data=step, headers=headers, timeout=10
            )
            after = http.get(f"{office.url}/counter", timeout=10)
    assert shown.status_code == 200
    assert "tidak lagi membuka layanan yang dapat menerima nomor yang ditunda" in shown.text
    assert f"Tidak hadir {display}" in shown.text and f"Selesai {display}" in shown.text
    assert "Kembalikan ke antrean" not in shown.text
    assert closed.json() == {"ok": True, "message": f"Nomor {display} tidak hadir."}
    row = ticket_row(office_db, ticket)
    assert (row.status, row.counter) == ("no_show", "Informasi")
    assert events_of(office_db, ticket) == ["call", "hold", "no_show"]
    assert "Loket — Informasi" not in after.text  # no desk left: choose a counter


def test_the_staff_api_closes_a_ticket_held_at_a_counter_the_office_no_longer_has(
    office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """A ticket held at "Informasi", then a new catalog drops "Informasi" and every other
    service of the office: nobody can call it back there, nor send it back to a queue, nor
    sit down there to close it on the page (a desk is chosen only at a counter the office
    has). The staff API's "served" and "no-show" close it as the page's do (one event, the
    counter it was held at), where they refused it as not called; a ticket held at a
    counter the office has is still refused (409), nothing recorded."""
    http, _, headers = _clerk_at_informasi(office, office_db, clerk_token)
    with http:
        first, second = issue(office, kiosk, INFO, 2)
        for ticket in (first, second):
            for action in ("call-next", "hold"):
                data = {} if action == "call-next" else {"ticket_id": ticket}
                done = http.post(
                    f"{office.url}/counter/{action}", data=data, headers=headers, timeout=10
                )
                assert done.status_code == 200, done.text

    def api(ticket: str, action: str) -> requests.Response:
        return requests.post(
            f"{office.url}/api/v1/staff/tickets/{ticket}/{action}",
            headers=bearer(clerk_token),
            timeout=10,
        )

    early = api(first, "served")
    assert (early.status_code, early.json()["error"]) == (409, "invalid_transition")
    assert events_of(office_db, first) == ["call", "hold"]
    with _no_service_active(office_db):
        served, no_show = api(first, "served"), api(second, "no-show")
        again = api(first, "no-show")
    assert served.status_code == 200, served.text
    assert no_show.status_code == 200, no_show.text
    assert (served.json()["status"], no_show.json()["status"]) == ("served", "no_show")
    assert again.status_code == 409
    for ticket, closed in ((first, "served"), (second, "no_show")):
        row = ticket_row(office_db, ticket)
        assert (row.status, row.counter) == (closed, "Informasi")
        assert row.finished_at is not None
        assert events_of(office_db, ticket) == ["call", "hold", closed]


def test_a_held_ticket_a_queue_can_take_back_is_not_closed_at_a_dropped_counter(
    office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """A ticket held at "Informasi", then a new catalog sends its one service to Loket 4:
    the page offered "Kembalikan ke antrean" for it, but the staff API's "served" and
    "no-show", and the page's own steps posted by a stale page or a script, closed it all
    the same, the citizen never called at Loket 4. Closing it is refused while a queue can
    take it back (409, saying to send it back to the queue), by the page and the API alike,
    nothing changed or recorded; the page offers exactly what the step allows (no
    "Selesai"/"Tidak hadir" for it); sent back, Loket 4 calls and serves it."""
    http, _, headers = _clerk_at_informasi(office, office_db, clerk_token)
    with http:
        (ticket,) = issue(office, kiosk, INFO)
        display = ticket_row(office_db, ticket).display
        for action, data in (("call-next", {}), ("hold", {"ticket_id": ticket})):
            done = http.post(
                f"{office.url}/counter/{action}", data=data, headers=headers, timeout=10
            )
            assert done.status_code == 200, done.text
        before = ticket_row(office_db, ticket)
        with _informasi_sent_to_loket_4(office_db):
            shown = http.get(f"{office.url}/counter", timeout=10)
            refused = {
                step: _posted_by_script_and_form(http, office, step, ticket, headers)
                for step in ("served", "no-show")
            }
            english = http.post(
                f"{office.url}/counter/served?lang=en",
                data={"ticket_id": ticket},
                headers=headers,
                timeout=10,
            )
            api = {
                step: requests.post(
                    f"{office.url}/api/v1/staff/tickets/{ticket}/{step}",
                    headers=bearer(clerk_token),
                    timeout=10,
                )
                for step in ("served", "no-show")
            }
            kept, recorded = ticket_row(office_db, ticket), events_of(office_db, ticket)
            moved = http.post(
                f"{office.url}/counter/transfer",
                data={"ticket_id": ticket, "to_queue": INFO},
                headers=headers,
                timeout=10,
            )
            _called_and_served_at_loket_4(office, clerk_token, INFO, ticket)
    assert f"Kembalikan ke antrean {display}" in shown.text
    assert f"Selesai {display}" not in shown.text and f"Tidak hadir {display}" not in shown.text
    said = "Loket Anda tidak ada lagi di kantor ini, tetapi nomor yang ditunda di sini masih"
    for script, form in refused.values():
        assert script.status_code == 409 and script.json()["ok"] is False
        assert script.json()["message"].startswith(said)
        assert "Kembalikan ke antrean" in script.json()["message"]
        assert form.status_code == 409 and said in form.text
    assert english.json()["message"].startswith("Your counter is no longer one of this office")
    assert "Back to the queue" in english.json()["message"]
    for answer in api.values():
        assert (answer.status_code, answer.json()["error"]) == (409, "invalid_transition")
        detail = answer.json()["detail"]
        assert detail.startswith("Nomor ini ditunda di loket yang tidak ada lagi di kantor ini")
        assert "send it back to a queue" in detail
    assert kept._asdict() == before._asdict() and recorded == ["call", "hold"]
    assert moved.status_code == 200, moved.text
    assert events_of(office_db, ticket) == ["call", "hold", "transfer", "call", "served"]


def _of_yesterday(db: Database, ticket: str) -> None:
    """As if the ticket had been called (or held) before midnight: it is of the day before."""
    with db.begin() as conn:
        day = conn.execute(select(tickets.c.day).where(tickets.c.id == ticket)).scalar_one()
        conn.execute(
            update(tickets).where(tickets.c.id == ticket).values(day=day - dt.timedelta(days=1))
        )


def test_a_ticket_held_before_today_at_a_dropped_counter_is_closed_not_sent_back(
    office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """A ticket held at "Informasi" before midnight (the page keeps it in sight the next
    day), then a new catalog sends "Informasi"'s service to Loket 4. Closing it was
    refused ("send it back to a queue"), and sent back it waited under yesterday's date,
    which no counter calls and no page lists: nothing could ever close it. A queue is a
    day's and its number is its day's: the page offers to close it, "Selesai" or "Tidak
    hadir", not "Kembalikan ke antrean", and says why; a transfer (the page's or the
    API's) is refused saying to close it, nothing changed; the page's "Selesai" closes it."""
    http, _, headers = _clerk_at_informasi(office, office_db, clerk_token)
    with http:
        (ticket,) = issue(office, kiosk, INFO)
        display = ticket_row(office_db, ticket).display
        for action, data in (("call-next", {}), ("hold", {"ticket_id": ticket})):
            done = http.post(
                f"{office.url}/counter/{action}", data=data, headers=headers, timeout=10
            )
            assert done.status_code == 200, done.text
        _of_yesterday(office_db, ticket)
        before = ticket_row(office_db, ticket)
        with _informasi_sent_to_loket_4(office_db):
            shown = http.get(f"{office.url}/counter", timeout=10)
            moved = http.post(
                f"{office.url}/counter/transfer",
                data={"ticket_id": ticket, "to_queue": INFO},
                headers=headers,
                timeout=10,
            )
            api = requests.post(
                f"{office.url}/api/v1/staff/tickets/{ticket}/transfer",
                json={"service_id": INFO},
                headers=bearer(clerk_token),
                timeout=10,
            )
            kept, recorded = ticket_row(office_db, ticket), events_of(office_db, ticket)
            served = http.post(
                f"{office.url}/counter/served",
                data={"ticket_id": ticket},
                headers=headers,
                timeout=10,
            )
    assert served.json() == {"ok": True, "message": f"Nomor {display} selesai."}, served.text
    assert moved.status_code == 409 and moved.json()["ok"] is False
    assert moved.json()["message"].startswith("Nomor ini dari hari sebelumnya, jadi tidak")
    assert (api.status_code, api.json()["error"]) == (409, "invalid_transition")
    assert api.json()["detail"].startswith(f"Nomor {display} dari tanggal {before.day}")
    assert "Close it" in api.json()["detail"]
    assert kept._asdict() == before._asdict() and recorded == ["call", "hold"]
    assert f"Selesai {display}" in shown.text and f"Tidak hadir {display}" in shown.text
    assert f"Kembalikan ke antrean {display}" not in shown.text
    assert "Nomor yang ditunda sebelum hari ini tidak dapat kembali ke antrean" in shown.text
    row = ticket_row(office_db, ticket)
    assert (row.status, row.counter, row.day) == ("served", "Informasi", before.day)
    assert events_of(office_db, ticket) == ["call", "hold", "served"]


def test_a_ticket_called_before_today_is_closed_not_transferred_into_a_queue(
    office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """A ticket called at "Informasi" before midnight, still called the next day:
    "Alihkan" sent it to waiting under yesterday's date, in no list and called by no
    counter, never closed. The page shows no "Alihkan" for it and says to close it here;
    a transfer (to a queue or to a counter, by the page or the API, or by a stale page
    that still shows the button) is refused saying to close it, nothing changed; "Selesai"
    closes it. A ticket of today is transferred as before."""
    http, _, headers = _clerk_at_informasi(office, office_db, clerk_token)
    with http:
        (ticket,) = issue(office, kiosk, INFO)
        display = ticket_row(office_db, ticket).display
        called = http.post(f"{office.url}/counter/call-next", headers=headers, timeout=10)
        assert called.status_code == 200, called.text
        today_page = http.get(f"{office.url}/counter", timeout=10)
        _of_yesterday(office_db, ticket)
        before = ticket_row(office_db, ticket)
        shown = http.get(f"{office.url}/counter", timeout=10)
        panel = http.get(f"{office.url}/counter/panel", timeout=30)
        refused = [
            http.post(
                f"{office.url}/counter/transfer",
                data={"ticket_id": ticket, **target},
                headers=headers,
                timeout=10,
            )
            for target in ({"to_queue": INFO}, {"to_counter": "4"}, {"to_queue": KTP})
        ]
        english = http.post(
            f"{office.url}/counter/transfer?lang=en",
            data={"ticket_id": ticket, "to_queue": INFO},
            headers=headers,
            timeout=10,
        )
        api = requests.post(
            f"{office.url}/api/v1/staff/tickets/{ticket}/transfer",
            json={"to_counter": "4"},
            headers=bearer(clerk_token),
            timeout=10,
        )
        kept, recorded = ticket_row(office_db, ticket), events_of(office_db, ticket)
        served = http.post(
            f"{office.url}/counter/served", data={"ticket_id": ticket}, headers=headers, timeout=10
        )

    def transfer_button(page: str) -> str:
        found = re.search(r'<button type="button" id="action-transfer"[^>]*>', page)
        assert found is not None, page[:500]
        return found.group(0)

    for answer in refused:
        assert answer.status_code == 409 and answer.json()["ok"] is False, answer.text
        assert answer.json()["message"].startswith("Nomor ini dari hari sebelumnya")
    assert english.json()["message"].startswith("This number is from an earlier day")
    assert (api.status_code, api.json()["error"]) == (409, "invalid_transition")
    assert kept._asdict() == before._asdict() and recorded == ["call"]
    assert " hidden" not in transfer_button(today_page.text)
    assert 'data-current-past=""' in today_page.text
    assert " hidden" in transfer_button(shown.text)
    assert _action_buttons(shown.text)["served"] and _action_buttons(shown.text)["no-show"]
    past = f"Nomor ini dari tanggal {before.day}, bukan hari ini"
    assert past in shown.text and 'data-current-past="1"' in panel.text and past in panel.text
    assert served.json() == {"ok": True, "message": f"Nomor {display} selesai."}, served.text
    assert events_of(office_db, ticket) == ["call", "served"]
    # closed now: a transfer is refused for what the ticket is, not for its day
    late = requests.post(
        f"{office.url}/api/v1/staff/tickets/{ticket}/transfer",
        json={"to_counter": "4"},
        headers=bearer(clerk_token),
        timeout=10,
    )
    assert late.status_code == 409 and "served" in late.text and "hari ini" not in late.text


def test_an_open_counter_page_hides_alihkan_once_its_called_ticket_is_of_a_day_before(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """A page left open over midnight with a ticket called: at the panel's next news (here
    a ticket issued to the desk's queue) its script hides "Alihkan" (and its key), which
    the centre refuses for a ticket of a day before, says to close it, and keeps "Selesai";
    "Selesai" closes it."""
    drain(office.url, clerk_token, INFO)
    _sit_at_informasi(page, office, office_db, clerk_token, INFO)
    (ticket,) = issue(office, kiosk, INFO)
    display = ticket_row(office_db, ticket).display
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(_current(page)).to_have_text(display)
    expect(page.get_by_role("button", name="Alihkan")).to_be_visible()
    _of_yesterday(office_db, ticket)
    (news,) = issue(office, kiosk, INFO)
    expect(page.locator("#current-past")).to_be_visible()
    expect(page.get_by_role("button", name="Alihkan")).to_be_hidden()
    page.keyboard.press("a")  # "Alihkan"'s key: its button is hidden, nothing opens
    expect(page.locator("#transfer-form")).to_be_hidden()
    page.get_by_role("button", name="Selesai").click()
    expect(page.locator("#counter-message")).to_have_text(f"Nomor {display} selesai.")
    assert events_of(office_db, ticket) == ["call", "served"]
    drain(office.url, clerk_token, INFO)
    assert ticket_row(office_db, news).status == "served"


def _action_buttons(html: str) -> dict[str, bool]:
    """The counter page's action forms (``/counter/<action>``) in its row of buttons, and
    whether each is shown (not ``hidden``)."""
    row = html[html.index('<section class="counter-actions') : html.index("</section>")]
    forms = re.findall(r'<form method="post" action="/counter/([a-z-]+)"([^>]*)>', row)
    return {action: " hidden" not in attributes for action, attributes in forms}


def test_a_desk_at_a_dropped_counter_shows_no_button_its_counter_cannot_take(
    office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """A clerk at "Informasi" with a ticket called there, then a new catalog sends its one
    service to Loket 4: the page still showed "Panggil ulang", "Tunda" and "Panggil
    berikutnya", each refused when pressed (the counter is gone). It shows only what the
    counter can still do with the ticket ("Selesai", "Tidak hadir", "Alihkan") and says
    why; the live panel tells the page's script so too. The refusals stay for a stale
    page or a client of the API."""
    http, _, headers = _clerk_at_informasi(office, office_db, clerk_token)
    with http:
        (ticket,) = issue(office, kiosk, INFO)
        called = http.post(f"{office.url}/counter/call-next", headers=headers, timeout=10)
        assert called.status_code == 200, called.text
        there = http.get(f"{office.url}/counter", timeout=10)
        with _informasi_sent_to_loket_4(office_db):
            gone = http.get(f"{office.url}/counter", timeout=10)
            panel = http.get(f"{office.url}/counter/panel", timeout=30)
            stale = _posted_by_script_and_form(http, office, "recall", ticket, headers)[0]
            moved = _transferred_to_loket_4(http, office, ticket, headers)
    everything = {
        "call-next": True,
        "recall": True,
        "served": True,
        "no-show": True,
        "hold": True,
    }
    assert _action_buttons(there.text) == everything
    assert _action_buttons(gone.text) == {
        **everything,
        "call-next": False,
        "recall": False,
        "hold": False,
    }
    notice = "Loket Anda tidak ada lagi di kantor ini: di sini tidak ada yang dipanggil"
    assert notice not in there.text and notice in gone.text
    assert 'data-counter-gone="1"' in panel.text and notice in panel.text
    assert 'data-counter-gone=""' in there.text
    assert stale.status_code == 422
    assert moved.status_code == 200, moved.text
    _called_and_served_at_loket_4(office, clerk_token, INFO, ticket)


def test_an_open_counter_page_hides_the_buttons_once_its_counter_is_dropped(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """The page's script shows the buttons as the live panel says: a page open at
    "Informasi" with a ticket called, when a new catalog sends "Informasi"'s one service to
    Loket 4, hides "Panggil ulang", "Tunda" and "Panggil berikutnya" (their keys too) at the
    panel's next news (here a ticket issued to the desk's queue), keeping "Selesai",
    "Tidak hadir" and "Alihkan"."""
    drain(office.url, clerk_token, INFO)
    _sit_at_informasi(page, office, office_db, clerk_token, INFO)
    (ticket,) = issue(office, kiosk, INFO)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(_current(page)).to_have_text(ticket_row(office_db, ticket).display)
    expect(page.get_by_role("button", name="Tunda")).to_be_visible()
    with _informasi_sent_to_loket_4(office_db):
        (news,) = issue(office, kiosk, INFO)
        expect(page.locator("#counter-gone")).to_be_visible()
        for gone in ("Panggil ulang", "Tunda", "Panggil berikutnya"):
            expect(page.get_by_role("button", name=gone)).to_be_hidden()
        for kept in ("Selesai", "Tidak hadir", "Alihkan"):
            expect(page.get_by_role("button", name=kept)).to_be_visible()
        page.keyboard.press("d")  # "Tunda"'s key: its button is hidden, nothing is sent
        page.get_by_role("button", name="Alihkan").click()
        page.locator("#transfer-counter").select_option(label="Loket 4")
        page.get_by_role("button", name="Pindahkan tiket").click()
        expect(page.locator("#counter-message")).to_contain_text("dialihkan")
    assert events_of(office_db, ticket) == ["call", "transfer"]
    _called_and_served_at_loket_4(office, clerk_token, INFO, ticket)
    drain(office.url, clerk_token, INFO)
    assert ticket_row(office_db, news).status == "served"


def test_a_ticket_held_at_a_dropped_counter_is_closed_only_at_that_counter_while_dropped(
    office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """Held at "Informasi", dropped by a new catalog: a clerk of the office at Loket 2 may
    not close it from that clerk's page (409): it is Informasi's desk's, whose clerk knows.
    When a newer catalog brings "Informasi" back, it is to be called back there: closing it
    held is refused again (409), and "Tunda" is allowed there again."""
    http, _, headers = _clerk_at_informasi(office, office_db, clerk_token)
    other, other_token = logged_in(
        office.url, new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    )
    other_headers = {"X-CSRF-Token": other_token, "Accept": "application/json"}
    with http, other:
        (ticket,) = issue(office, kiosk, INFO)
        step = {"ticket_id": ticket}
        for action, data in (("call-next", {}), ("hold", step)):
            done = http.post(
                f"{office.url}/counter/{action}", data=data, headers=headers, timeout=10
            )
            assert done.status_code == 200, done.text
        desk = {"counter": "2", "queues": KTP}
        sat = other.post(f"{office.url}/counter/desk", data=desk, headers=other_headers, timeout=10)
        assert sat.status_code == 200, sat.text
        with _informasi_sent_to_loket_4(office_db):
            elsewhere = other.post(
                f"{office.url}/counter/served", data=step, headers=other_headers, timeout=10
            )
            kept = ticket_row(office_db, ticket)
        back = http.post(f"{office.url}/counter/served", data=step, headers=headers, timeout=10)
        called = http.post(
            f"{office.url}/counter/call-back", data=step, headers=headers, timeout=10
        )
        held = http.post(f"{office.url}/counter/hold", data=step, headers=headers, timeout=10)
        recorded = events_of(office_db, ticket)
        recalled = http.post(
            f"{office.url}/counter/call-back", data=step, headers=headers, timeout=10
        )
        closed = http.post(f"{office.url}/counter/served", data=step, headers=headers, timeout=10)
    assert elsewhere.status_code == 409 and (kept.status, kept.counter) == ("held", "Informasi")
    assert back.status_code == 409, back.text
    assert called.status_code == 200 and held.status_code == 200, held.text
    assert recorded == ["call", "hold", "call", "hold"]
    assert recalled.status_code == 200, recalled.text
    assert closed.status_code == 200 and ticket_row(office_db, ticket).status == "served"


def test_a_ticket_held_at_a_counter_the_office_no_longer_has_goes_back_to_its_queue(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """A ticket held at "Informasi", then a new catalog sends its service to Loket 4: "Panggil
    lagi" is refused there (nobody sits at "Informasi"), the page had no other button for a
    held ticket, and leaving the counter is refused while a ticket is held at it, so the
    staff member was stuck at a counter the office no longer has and the citizen's number
    with them. The held ticket now goes back to its queue, first in line, and the staff
    member chooses another counter."""
    info = "status-berkas"  # the demo catalog's only service at counter "Informasi"
    drain(office.url, clerk_token, info)
    _sit_at_informasi(page, office, office_db, clerk_token, info)
    (ticket,) = issue(office, kiosk, info)
    display = ticket_row(office_db, ticket).display
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(_current(page)).to_have_text(display)
    page.get_by_role("button", name="Tunda").click()
    expect(page.get_by_role("button", name=f"Panggil lagi {display}")).to_be_visible()
    with _informasi_sent_to_loket_4(office_db):
        http, headers = page_session(page)
        with http:
            call_back = http.post(
                f"{office.url}/counter/call-back",
                data={"ticket_id": ticket},
                headers=headers,
                timeout=10,
            )
        page.reload()
        expect(page.get_by_role("button", name=f"Panggil lagi {display}")).to_have_count(0)
        page.get_by_role("button", name=f"Kembalikan ke antrean {display}").click()
        expect(page.locator("#counter-message")).to_have_text(f"Nomor {display} dialihkan.")
        expect(page.locator("section.held")).to_be_hidden()
        back = ticket_row(office_db, ticket)
        page.get_by_text("Ganti loket atau layanan").click()
        page.locator("#desk-counter").select_option(label="Loket 4")
        page.get_by_role("button", name="Simpan loket").click()
        expect(page.get_by_role("heading", name="Loket — Loket 4")).to_be_visible()
        page.get_by_role("button", name="Panggil berikutnya").click()
        expect(_current(page)).to_have_text(display)
    gone = "Loket Anda tidak ada lagi di kantor ini, jadi nomor yang ditunda tidak dapat"
    assert call_back.status_code == 422 and call_back.json()["message"].startswith(gone)
    assert (back.status, back.queue_id, back.counter, back.priority) == ("waiting", info, None, 1)
    assert events_of(office_db, ticket) == ["call", "hold", "transfer", "call"]
    page.get_by_role("button", name="Selesai").click()
    expect(page.locator("#current-none")).to_be_visible()


def test_a_desk_whose_services_the_catalog_dropped_shows_what_is_left_at_its_counter(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """A new catalog drops the one service of a desk at "Informasi", and with it the counter,
    while one ticket is called there and another held. The page hid the desk (none of its
    services is active), so neither ticket was shown, every step said "choose your counter
    first", and choosing one was refused while tickets stood at the old counter: stuck. The
    desk now stays, calling from no queue, while tickets are left at its counter: the called
    one is closed, the held one sent to a queue the office still has, and the staff member
    then chooses another counter, where it is called first."""
    info = "status-berkas"  # the demo catalog's only service at counter "Informasi"
    drain(office.url, clerk_token, info)
    drain(office.url, clerk_token, KTP)
    _sit_at_informasi(page, office, office_db, clerk_token, info)
    held, called = issue(office, kiosk, info, 2)
    held_number, called_number = (ticket_row(office_db, t).display for t in (held, called))
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(_current(page)).to_have_text(held_number)
    page.get_by_role("button", name="Tunda").click()
    expect(page.get_by_role("button", name=f"Panggil lagi {held_number}")).to_be_visible()
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(_current(page)).to_have_text(called_number)
    with office_db.begin() as conn:  # as a new catalog without the service publishes it
        conn.execute(update(services).where(services.c.id == info).values(active=False))
    try:
        page.reload()
        expect(page.get_by_role("heading", name="Loket — Informasi")).to_be_visible()
        expect(_current(page)).to_have_text(called_number)
        page.get_by_role("button", name="Selesai").click()
        expect(page.locator("#current-none")).to_be_visible()
        page.locator(f"#return-queue-{held}").select_option(KTP)
        page.get_by_role("button", name=f"Kembalikan ke antrean {held_number}").click()
        expect(page.locator("#counter-message")).to_have_text(f"Nomor {held_number} dialihkan.")
        page.get_by_text("Ganti loket atau layanan").click()
        page.locator("#desk-counter").select_option(label="Loket 3")
        page.locator(f'input[name="queues"][value="{KTP}"]').check()
        page.get_by_role("button", name="Simpan loket").click()
        expect(page.get_by_role("heading", name="Loket — Loket 3")).to_be_visible()
        page.get_by_role("button", name="Panggil berikutnya").click()
        expect(_current(page)).to_have_text(held_number)
    finally:
        with office_db.begin() as conn:
            conn.execute(update(services).where(services.c.id == info).values(active=True))
    assert ticket_row(office_db, called).status == "served"
    row = ticket_row(office_db, held)
    assert (row.status, row.queue_id, row.counter) == ("called", KTP, "3")
    assert events_of(office_db, held) == ["call", "hold", "transfer", "call"]
    page.get_by_role("button", name="Selesai").click()
    expect(page.locator("#current-none")).to_be_visible()


def test_a_counter_the_office_does_not_have_is_refused_as_json_to_a_script_and_as_a_page(
    office: RunningCentral, office_db: Database
) -> None:
    """Choosing a counter the office does not have answered a 400 page even to a script that
    asked for JSON, where every other refusal of the page (and the staff API's
    ``unknown_counter``) is a 422. Now: 422, the page's JSON message to a script, the page
    with the same message to a browser; the staff member sits nowhere."""
    username = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    http, token = logged_in(office.url, username)
    script = {"X-CSRF-Token": token, "Accept": "application/json"}
    browser = {"X-CSRF-Token": token, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    said = "Loket itu tidak ada di kantor ini. Pilih loket dari daftar."
    url = f"{office.url}/counter/desk"
    with http:
        for counter in ("99", "Loket 3", "informasi", "<b>1</b>"):
            desk = {"counter": counter, "queues": KTP}
            fetched = http.post(url, data=desk, headers=script, timeout=10)
            assert fetched.status_code == 422, (counter, fetched.text[:300])
            assert fetched.headers["content-type"] == "application/json"
            assert fetched.json() == {"ok": False, "message": said}
            shown = http.post(url, data=desk, headers=browser, timeout=10)
            assert shown.status_code == 422 and shown.headers["content-type"].startswith(
                "text/html"
            )
            assert said in shown.text and "<b>1</b>" not in shown.text
        english = http.post(
            f"{url}?lang=en", data={"counter": "99", "queues": KTP}, headers=script, timeout=10
        )
        assert english.json()["message"].startswith("The office has no such counter.")
        sits = http.get(f"{office.url}/counter", timeout=10)
        assert "Loket —" not in sits.text  # no desk was chosen
        sat = http.post(url, data={"counter": "3", "queues": KTP}, headers=script, timeout=10)
    assert sat.status_code == 200 and sat.json() == {"ok": True, "message": "Anda di Loket 3"}


def test_a_desk_of_another_office_is_refused_saying_so(
    office: RunningCentral, office_db: Database
) -> None:
    """A clerk of one office posting a desk of another (a stale form, an edited request)
    was refused 403 with "choose a counter and a service of this office", as if the form
    were incomplete. It now says the counter and services are another office's and what to
    do, to a script as JSON and to a browser as the page, still 403; nobody sits anywhere."""
    other = new_office(office_db)
    username = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    http, token = logged_in(office.url, username)
    script = {"X-CSRF-Token": token, "Accept": "application/json"}
    browser = {"X-CSRF-Token": token, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    desk = {"office_id": other, "counter": "3", "queues": KTP}
    url = f"{office.url}/counter/desk"
    with http:
        fetched = http.post(url, data=desk, headers=script, timeout=10)
        english = http.post(f"{url}?lang=en", data=desk, headers=script, timeout=10)
        shown = http.post(url, data=desk, headers=browser, timeout=10)
        sits = http.get(f"{office.url}/counter", timeout=10)
    said = "Loket dan layanan itu milik kantor lain; akun Anda hanya untuk kantor Anda."
    assert fetched.status_code == 403 and fetched.json()["ok"] is False
    assert fetched.json()["message"].startswith(said)
    assert english.json()["message"].startswith(
        "That counter and those services belong to another office"
    )
    assert shown.status_code == 403 and shown.headers["content-type"].startswith("text/html")
    assert said in shown.text and "Pilih satu loket dan sedikitnya" not in shown.text
    assert "Loket —" not in sits.text


#: What ``Accept`` says, and whether the answer is the page's JSON (else the page): JSON
#: when ``application/json`` is acceptable (its q above 0, the media type in any case) and
#: not less so than ``text/html``.
ACCEPTS = {
    "application/json": True,
    "Application/JSON": True,
    "application/json, text/plain, */*": True,
    "text/html, application/json": True,
    "application/json;q=0": False,
    "application/json; q=0.0, text/html": False,
    "text/html, application/json;q=0.5": False,
    "application/json;q=x": False,
    "text/html,application/xhtml+xml,*/*;q=0.8": False,
    "*/*": False,
}


def test_a_script_is_answered_in_json_only_when_it_takes_json(
    office: RunningCentral, office_db: Database
) -> None:
    """Whether to answer JSON was "application/json" found anywhere in ``Accept``: a client
    saying it takes no JSON (``q=0``), or prefers HTML, was sent JSON all the same, and
    one writing the media type in capitals (as HTTP allows) was sent the page."""
    username = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    http, token = logged_in(office.url, username)
    url = f"{office.url}/counter/desk"
    answered = {}
    with http:
        for accept in ACCEPTS:
            headers = {"X-CSRF-Token": token, "Accept": accept}
            refused = http.post(
                url, data={"counter": "99", "queues": KTP}, headers=headers, timeout=10
            )
            answered[accept] = (refused.status_code, refused.headers["content-type"])
    assert answered == {
        accept: (422, "application/json" if takes else "text/html; charset=utf-8")
        for accept, takes in ACCEPTS.items()
    }


def test_an_action_without_the_pages_csrf_token_is_refused(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, KK)
    (ticket,) = issue(office, kiosk, KK)
    sit(page, office, office_db, "3", KK)
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    with page_session(page)[0] as http:
        bare = http.post(f"{office.url}/counter/call-next", timeout=5, allow_redirects=False)
        forged = http.post(
            f"{office.url}/counter/call-next",
            headers={"X-CSRF-Token": "x" * 64},
            timeout=5,
            allow_redirects=False,
        )
        assert (bare.status_code, forged.status_code) == (403, 403)
        assert ticket_row(office_db, ticket).status == "waiting"
        good = http.post(
            f"{office.url}/counter/call-next",
            headers={"X-CSRF-Token": token, "Accept": "application/json"},
            timeout=5,
        )
    assert good.status_code == 200 and good.json()["ok"] is True
    assert ticket_row(office_db, ticket).status == "called"


def test_a_refused_session_is_said_on_the_counter_page_not_taken_for_no_connection(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """The page's buttons ask for JSON, and every refusal of a step answers them so, but the
    session's own refusals (no session: logged out in another tab, the token revoked; a
    form token that no longer matches) answered with their HTML page: the script could not
    read it and the page said "Tidak terhubung ke server", sending staff to look for a
    network fault. They are now the page's JSON with what to do, in the page's language."""
    drain(office.url, clerk_token, KK)
    (ticket,) = issue(office, kiosk, KK)
    sit(page, office, office_db, "3", KK)
    http, headers = page_session(page)
    with http:
        stale = http.post(
            f"{office.url}/counter/call-next?lang=en",
            headers={**headers, "X-CSRF-Token": "x" * 64},
            timeout=10,
        )
    with requests.Session() as http:  # no session: logged out in another tab
        gone = http.post(
            f"{office.url}/counter/call-next",
            headers={"X-CSRF-Token": headers["X-CSRF-Token"], "Accept": "application/json"},
            timeout=10,
        )
    assert (gone.status_code, gone.json()) == (
        401,
        {"ok": False, "message": "Silakan masuk terlebih dahulu."},
    )
    assert (stale.status_code, stale.headers["content-type"]) == (403, "application/json")
    assert stale.json() == {
        "ok": False,
        "message": "This form has expired or did not come from this page. Reload the page "
        "and try again.",
    }
    assert ticket_row(office_db, ticket).status == "waiting"


def test_a_counter_page_whose_session_ended_goes_to_the_login_and_back(
    page: Page, office: RunningCentral, office_db: Database, clerk_token: str
) -> None:
    """The panel's poll and the called ticket's registration are fetched as fragments.
    Once the session had ended (logged out in another tab), each was sent to the login
    page, and the panel pasted the whole login form into itself, polling on. The page
    now goes to the login itself, and back to the counter after it."""
    drain(office.url, clerk_token, KK)
    clerk = sit(page, office, office_db, "3", KK)
    page.context.clear_cookies()
    # The call's answer polls again. Its key, not a click on its button: the panel's held
    # poll may come back first and take the page to the login, where a click would wait
    # for a button that is gone, and a key does nothing that the login's fill keeps.
    page.keyboard.press("P")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fcounter$"))
    expect(page.locator("#live")).to_have_count(0)
    page.get_by_label("Nama pengguna").fill(clerk)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r"/counter$"))
    expect(page.get_by_role("heading", name="Loket — Loket 3")).to_be_visible()


def test_a_clerk_of_another_office_cannot_touch_or_read_this_offices_tickets(
    browser: Any,
    page: Page,
    office: RunningCentral,
    office_db: Database,
    kiosk: str,
    clerk_token: str,
) -> None:
    drain(office.url, clerk_token, KK)
    (ticket,) = issue(office, kiosk, KK)
    sit(page, office, office_db, "1", KK)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(_current(page)).to_have_text(ticket_row(office_db, ticket).display)

    elsewhere = new_office(office_db)
    their_service = f"{elsewhere}-loket"
    with office_db.begin() as conn:
        conn.execute(
            insert(services).values(
                id=their_service,
                office_id=elsewhere,
                category="umum",
                name="Layanan kantor lain",
                ticket_prefix="Z",
                counter="1",
                active=True,
            )
        )
    stranger = new_staff_account(office_db, staff.Role.STAFF, office_id=elsewhere)
    with browser.new_context() as context:
        other = context.new_page()
        log_in(other, office.url, stranger, then="/counter")
        # Only their own office's services are offered.
        assert other.locator(f'input[value="{KK}"]').count() == 0
        token = other.locator('meta[name="csrf-token"]').get_attribute("content")
        assert token
        with page_session(other)[0] as http:
            headers = {"X-CSRF-Token": token, "Accept": "application/json"}
            intrude = http.post(
                f"{office.url}/counter/desk",
                data={"office_id": DEMO_OFFICE, "counter": "1", "queues": KK},
                headers={"X-CSRF-Token": token},
                timeout=5,
            )
            own = http.post(
                f"{office.url}/counter/desk",
                data={"office_id": elsewhere, "counter": "1", "queues": their_service},
                headers={"X-CSRF-Token": token},
                timeout=5,
            )
            actions = [
                http.post(
                    f"{office.url}/counter/{action}",
                    data={"ticket_id": ticket, "to_queue": their_service},
                    headers=headers,
                    timeout=5,
                )
                for action in ("served", "no-show", "recall", "hold", "transfer")
            ]
            peek = http.get(f"{office.url}/counter/registration/{ticket}", timeout=5)
    assert intrude.status_code == 403 and "milik kantor lain" in intrude.text
    assert own.status_code == 200 and "Loket — Loket 1" in own.text
    assert [a.status_code for a in actions] == [404] * 5
    assert peek.status_code == 404 and NAME not in peek.text
    row = ticket_row(office_db, ticket)
    assert (row.status, row.queue_id, row.counter) == ("called", KK, "1")


def test_the_called_tickets_registration_is_shown_audited_and_nowhere_else(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    drain(office.url, clerk_token, KTP)
    ticket = new_id()
    display = allocate(office.url, kiosk, KTP, ticket).json()["display"]
    values = {"full_name": NAME, "nik": NIK, "phone": "081234567890", "reason": "Rusak"}
    item = registration(ticket, KTP, display, "online", values=values)
    assert results(office.url, kiosk, [item])[0]["status"] == "accepted"
    username = sit(page, office, office_db, "5", KTP)

    # Not yet called: the page shows no personal data, nor may it be asked for.
    assert NAME not in page.content()
    with page_session(page)[0] as http:
        early = http.get(f"{office.url}/counter/registration/{ticket}", timeout=5)
    assert early.status_code == 409 and NAME not in early.text

    page.get_by_role("button", name="Panggil berikutnya").click()
    table = page.locator("#registration-table")
    expect(table).to_contain_text(NAME)
    expect(table.get_by_role("row", name=re.compile("NIK"))).to_contain_text("kartu")
    expect(table.get_by_role("row", name=re.compile("Alasan|reason", re.I))).to_contain_text(
        "diketik warga"
    )
    with office_db.read() as conn:
        views = conn.execute(
            select(citizen_lookups).where(citizen_lookups.c.staff_username == username)
        ).all()
        events = conn.execute(
            select(audit_log).where(
                audit_log.c.action == "registration_view", audit_log.c.subject == ticket
            )
        ).all()
    assert len(views) == 1 and views[0].key_kind == "registration"
    assert NIK not in views[0].key_hash and NIK not in str(tuple(views[0]))
    assert len(events) == 1 and NIK not in events[0].detail and NAME not in events[0].detail
    # An auditor holding the audit key finds the view by the NIK; the table alone shows nothing.
    assert views[0].key_hash == keyed_hash(audit_key(office_db, None), "nik", NIK)

    # Nowhere else: the live panel, the staff API, the public ticket page, the home page.
    with page_session(page)[0] as http:
        elsewhere = [
            http.get(f"{office.url}/counter/panel", timeout=30).text,
            http.get(f"{office.url}/", timeout=5).text,
        ]
    elsewhere.append(requests.get(f"{office.url}/t/{ticket}", timeout=5).text)
    elsewhere.append(
        requests.get(
            f"{office.url}/api/v1/staff/queue", headers=bearer(clerk_token), timeout=5
        ).text
    )
    for text in elsewhere:
        assert NAME not in text and NIK not in text


def test_a_check_in_s_registration_says_so_and_what_the_counter_must_ask(
    page: Page, office: RunningCentral, office_db: Database, kiosk: str, clerk_token: str
) -> None:
    """A one-tap check-in sends only what the card and the record fill in: the counter
    sees the booking's code, and the required fields it still has to ask for."""
    drain(office.url, clerk_token, KTP)
    ticket = new_id()
    display = allocate(office.url, kiosk, KTP, ticket).json()["display"]
    item = registration(ticket, KTP, display, "online", values={"full_name": NAME, "nik": NIK})
    body = f"{int(ticket.replace('-', ''), 16) % 10**8:08d}"
    code = body + str(damm_digit(body))
    item["body"]["booking_code"] = code  # a code the centre cannot honour: still a walk-in
    assert results(office.url, kiosk, [item])[0]["status"] == "accepted"
    sit(page, office, office_db, "6", KTP)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.locator("#registration-table")).to_contain_text(NAME)
    expect(page.locator("#registration-booking")).to_contain_text(format_code(code))
    missing = page.locator("#registration-missing")
    expect(missing).to_contain_text("Alasan")
    expect(missing).not_to_contain_text("NIK")
