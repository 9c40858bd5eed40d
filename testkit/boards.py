"""A display board as the tests use it: register one, put a ticket in a queue and call it."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from playwright.sync_api import Page

from testkit.centre_accounts import DEMO_OFFICE, bearer
from testkit.centre_requests import allocate

#: The demo office's Poli Umum queue (prefix A).
SERVICE = "puskesmas-umum"


def register_board(url: str, admin_token: str, office_id: str = DEMO_OFFICE) -> str:
    """A new board of ``office_id`` through the API: the URL its TV opens."""
    response = requests.post(
        f"{url}/api/v1/staff/boards",
        json={"office_id": office_id, "name": "TV uji"},
        headers=bearer(admin_token),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    board_url: str = response.json()["url"]
    return board_url


def issue(url: str, kiosk_token: str, service_id: str = SERVICE) -> str:
    """A ticket taken at the kiosk: its display (``A-001``)."""
    response = allocate(url, kiosk_token, service_id)
    assert response.status_code in (200, 201), response.text
    display: str = response.json()["display"]
    return display


def call_next(
    url: str,
    staff_token: str,
    counter: str,
    service_id: str = SERVICE,
    office_id: str = DEMO_OFFICE,
) -> str:
    """The counter calls next: the display of the ticket called."""
    response = requests.post(
        f"{url}/api/v1/staff/queue/call-next",
        json={"office_id": office_id, "service_id": service_id, "counter": counter},
        headers=bearer(staff_token),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    ticket = response.json()["ticket"]
    assert ticket is not None, "nobody was waiting"
    display: str = ticket["display"]
    return display


@dataclass(frozen=True)
class Played:
    """What a board's script recorded of its announcements, in order."""

    entries: list[str]
    overlaps: int

    def clips_of(self, display: str) -> list[str]:
        """The clips played to their end for the announcement of ``display``."""
        start = self.entries.index(f"start:{display}")
        end = self.entries.index(f"done:{display}")
        return self.entries[start + 1 : end]


def played(page: Page) -> Played:
    log = page.locator("#announce-log")
    entries = (log.get_attribute("data-played") or "").split()
    return Played(entries=entries, overlaps=int(log.get_attribute("data-overlap") or "0"))
