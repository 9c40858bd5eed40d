"""Each counter step shows where the office and the citizen look: the board, the dashboard,
the public ticket page and the kiosk's queue figures.

One demo centre; a board open in one browser, the dashboard in another (logged
in as staff would), the ticket page and the kiosk's ``GET /api/v1/queue`` over
HTTP. Every step is taken through the staff API, as the counter page takes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from central.access import staff
from central.database import Database
from central.process import RunningCentral
from testkit.boards import played, register_board
from testkit.browser import TIMEOUT_MS, fresh_context, log_in
from testkit.centre_accounts import DEMO_OFFICE, bearer, new_kiosk, new_staff, new_staff_account
from testkit.centre_requests import allocate, free_counter, new_id

#: The queue the steps are taken in, and the one a transfer sends a ticket to.
QUEUE, OTHER = "kk-perubahan", "izin-usaha-mikro"
OTHER_NAME = "Izin Usaha Mikro"
#: Announcements queue and each takes seconds of clips: wait for those ahead too.
ANNOUNCING_MS = 4 * TIMEOUT_MS


@dataclass
class Office:
    url: str
    staff_token: str
    kiosk_token: str
    board: Page
    dashboard: Page

    def take(self, service_id: str = QUEUE) -> tuple[str, str]:
        """A ticket taken at the kiosk: (id, display)."""
        ticket_id = new_id()
        response = allocate(self.url, self.kiosk_token, service_id, ticket_id)
        assert response.status_code == 201, response.text
        return ticket_id, str(response.json()["display"])

    def staff(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = requests.post(
            f"{self.url}{path}", json=body, headers=bearer(self.staff_token), timeout=10
        )
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def call_next(self, counter: str = "2") -> str:
        """Call the next ticket at ``counter``, first served of any an earlier test left
        called there (a counter calls only while it has none called)."""
        free_counter(self.url, self.staff_token, counter)
        body = {"office_id": DEMO_OFFICE, "service_id": QUEUE, "counter": counter}
        ticket = self.staff("/api/v1/staff/queue/call-next", body)["ticket"]
        return str(ticket["ticket_id"])

    def step(self, ticket_id: str, action: str, body: dict[str, Any] | None = None) -> None:
        self.staff(f"/api/v1/staff/tickets/{ticket_id}/{action}", body)

    def ticket_page(self, ticket_id: str) -> str:
        return requests.get(f"{self.url}/t/{ticket_id}", timeout=5).text

    def kiosk_queue(self, service_id: str) -> dict[str, Any]:
        answer = requests.get(
            f"{self.url}/api/v1/queue", headers=bearer(self.kiosk_token), timeout=5
        ).json()
        found: dict[str, Any] = next(s for s in answer["services"] if s["service_id"] == service_id)
        return found

    def figures(self, service_id: str) -> dict[str, int]:
        self.dashboard.reload()
        row = self.dashboard.locator(f'tr[data-service="{service_id}"]')
        return {
            name: int(row.locator(f'[data-figure="{name}"]').inner_text())
            for name in ("issued", "served", "no_show", "waiting", "held")
        }

    def board_waiting(self, service_name: str) -> str:
        item = self.board.locator("#waiting li", has_text=service_name)
        return item.locator(".count").inner_text()


@pytest.fixture(scope="module")
def desk(browser: Browser, office: RunningCentral, office_db: Database) -> Iterator[Office]:
    admin = new_staff(office_db, office.url)
    _, kiosk = new_kiosk(office_db, office.url)
    board_url = register_board(office.url, admin)
    with fresh_context(browser) as tv, fresh_context(browser) as head:
        board = tv.new_page()
        board.goto(board_url)
        expect(board.locator("#link")).to_have_text("tersambung")
        dashboard = head.new_page()
        log_in(
            dashboard, office.url, new_staff_account(office_db, staff.Role.STAFF), then="/dashboard"
        )
        yield Office(office.url, admin, kiosk, board, dashboard)


def test_a_call_shows_on_the_board_the_ticket_page_the_kiosk_and_the_dashboard(
    desk: Office,
) -> None:
    before = desk.figures(QUEUE)
    ticket_id, display = desk.take()
    assert desk.call_next("2") == ticket_id
    expect(desk.board.locator("#now-number")).to_have_text(display)
    expect(desk.board.locator("#now-counter")).to_have_text("Loket 2")
    assert "Dipanggil: silakan ke loket 2" in desk.ticket_page(ticket_id)
    assert desk.kiosk_queue(QUEUE)["now_serving"] == display
    after = desk.figures(QUEUE)
    assert after["issued"] == before["issued"] + 1
    assert after["waiting"] == before["waiting"]  # taken, then called: no longer waiting


def test_a_recall_is_announced_again_and_changes_nothing_else(desk: Office) -> None:
    ticket_id, display = desk.take()
    desk.call_next("3")
    expect(desk.board.locator("#now-number")).to_have_text(display)
    expect(desk.board.locator("#announce-log")).to_have_attribute(
        "data-played",
        re.compile(rf"(^| )done:{re.escape(display)}( |$)"),
        timeout=ANNOUNCING_MS,
    )
    before = desk.figures(QUEUE)
    desk.step(ticket_id, "recall", {"counter": "3"})
    desk.board.wait_for_function(
        "d => (document.querySelector('#announce-log').dataset.played.match("
        "new RegExp('done:' + d + '( |$)', 'g')) || []).length === 2",
        arg=display,
        timeout=ANNOUNCING_MS,
    )
    assert played(desk.board).entries.count(f"done:{display}") == 2
    assert "Dipanggil: silakan ke loket 3" in desk.ticket_page(ticket_id)
    assert desk.figures(QUEUE) == before


def test_hold_sets_the_ticket_aside_everywhere_and_a_call_back_brings_it_again(
    desk: Office,
) -> None:
    ticket_id, display = desk.take()
    desk.call_next("4")
    before = desk.figures(QUEUE)
    desk.step(ticket_id, "hold")
    assert "Ditunda: tunggu dipanggil lagi ke loket 4" in desk.ticket_page(ticket_id)
    held = desk.figures(QUEUE)
    assert held["held"] == before["held"] + 1 and held["waiting"] == before["waiting"]
    desk.step(ticket_id, "call-back", {"counter": "4"})
    expect(desk.board.locator("#now-number")).to_have_text(display)
    assert "Dipanggil: silakan ke loket 4" in desk.ticket_page(ticket_id)
    assert desk.figures(QUEUE)["held"] == before["held"]


def test_a_transfer_keeps_the_number_and_moves_it_to_the_other_queue_everywhere(
    desk: Office,
) -> None:
    ticket_id, display = desk.take()
    desk.call_next("2")
    board_before = int(desk.board_waiting(OTHER_NAME))
    kiosk_before = desk.kiosk_queue(OTHER)["waiting"]
    dash_before = desk.figures(OTHER)
    desk.step(ticket_id, "transfer", {"service_id": OTHER})
    expect(desk.board.locator("#waiting li", has_text=OTHER_NAME).locator(".count")).to_have_text(
        str(board_before + 1)
    )
    assert desk.kiosk_queue(OTHER)["waiting"] == kiosk_before + 1
    assert desk.figures(OTHER)["waiting"] == dash_before["waiting"] + 1
    page = desk.ticket_page(ticket_id)
    assert display in page and OTHER_NAME in page and "Menunggu giliran" in page


@pytest.mark.parametrize(
    ("action", "figure", "words"),
    [("served", "served", "Sudah dilayani"), ("no-show", "no_show", "Tidak hadir saat dipanggil")],
)
def test_closing_a_called_ticket_shows_on_the_ticket_page_and_the_dashboard(
    desk: Office, action: str, figure: str, words: str
) -> None:
    ticket_id, display = desk.take()
    desk.call_next("5")
    expect(desk.board.locator("#now-number")).to_have_text(display)
    before = desk.figures(QUEUE)
    desk.step(ticket_id, action)
    assert words in desk.ticket_page(ticket_id)
    assert desk.figures(QUEUE)[figure] == before[figure] + 1
    # The board still names the last number called: a closed ticket is not called again.
    expect(desk.board.locator("#now-number")).to_have_text(display)
