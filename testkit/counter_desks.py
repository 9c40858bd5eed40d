"""The counter page as its tests drive it: a clerk at a desk, tickets in a queue, what was written.

A clerk is seated through the page itself (log in, pick the counter and its
services), as staff do; what a step wrote is read back from the centre's
database; the page's own session is reused over plain HTTP where a test
must send what a hostile or stale page would.
"""

from __future__ import annotations

from typing import Any

import requests
from playwright.sync_api import Page, expect
from sqlalchemy import select

from central.access import staff
from central.database import Database
from central.process import RunningCentral
from central.tables import call_events, tickets
from testkit.browser import log_in
from testkit.centre_accounts import DEMO_OFFICE, new_staff_account
from testkit.centre_requests import allocate, new_id

#: What the page's script asks for: an answer it reads, not a page.
JSON = {"Accept": "application/json"}


def issue(office: RunningCentral, kiosk: str, service: str, count: int = 1) -> list[str]:
    """``count`` tickets of ``service`` taken at the kiosk: their ids, in order."""
    ids = [new_id() for _ in range(count)]
    for ticket_id in ids:
        answer = allocate(office.url, kiosk, service, ticket_id)
        assert answer.status_code == 201, answer.text
    return ids


def ticket_row(db: Database, ticket_id: str) -> Any:
    with db.read() as conn:
        return conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()


def events_of(db: Database, ticket_id: str) -> list[str]:
    """The kinds of the ticket's call events, in order."""
    with db.read() as conn:
        rows = conn.execute(
            select(call_events.c.kind)
            .where(call_events.c.ticket_id == ticket_id)
            .order_by(call_events.c.id)
        )
        return [r.kind for r in rows]


def sit(page: Page, office: RunningCentral, db: Database, counter: str, *services: str) -> str:
    """A new clerk of the demo office, logged in, at ``counter`` serving ``services``: a
    numbered counter (``"3"``, shown as "Loket 3") or a named one (``"Informasi"``)."""
    shown = f"Loket {counter}" if counter.isdigit() else counter
    username = new_staff_account(db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    log_in(page, office.url, username, then="/counter")
    expect(page.get_by_role("heading", name="Loket", exact=True)).to_be_visible()
    page.get_by_label("Loket", exact=True).select_option(label=shown)
    for service in services:
        page.locator(f'input[name="queues"][value="{service}"]').check()
    page.get_by_role("button", name="Simpan loket").click()
    expect(page.get_by_role("heading", name=f"Loket — {shown}")).to_be_visible()
    # The heading is shown as the page is parsed, before its deferred script has run: a key
    # pressed then would reach no handler, and a key meant to do nothing would prove nothing.
    page.wait_for_load_state("domcontentloaded")
    return username


def page_session(page: Page) -> tuple[requests.Session, dict[str, str]]:
    """The page's own session over plain HTTP, and the headers its script sends."""
    http = requests.Session()
    for cookie in page.context.cookies():
        http.cookies.set(cookie["name"], cookie["value"])
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    return http, {"X-CSRF-Token": token, **JSON}
