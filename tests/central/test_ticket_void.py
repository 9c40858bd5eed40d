"""Voiding an online number the kiosk never kept: ``POST /api/v1/tickets/{id}/void``."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import select

from central.access import staff
from central.database import Database
from central.process import RunningCentral
from central.tables import tickets
from testkit.centre_accounts import DEMO_OFFICE, bearer, new_kiosk, new_staff
from testkit.centre_requests import (
    allocate,
    drain,
    lease,
    new_id,
    registration,
    results,
    staff_post,
)

pytestmark = pytest.mark.timeout(120)
SERVICE = "status-berkas"  # prefix F, counter "Informasi" (test_counter.py drains it too)


@pytest.fixture
def clerk(central_server: RunningCentral, operator: Database) -> str:
    """A counter clerk's token, with the test's queue emptied first."""
    token = new_staff(operator, central_server.url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    drain(central_server.url, token, SERVICE)
    return token


def void(url: str, token: str, ticket_id: str, body: Any = None) -> requests.Response:
    return requests.post(
        f"{url}/api/v1/tickets/{ticket_id}/void", json=body, headers=bearer(token), timeout=10
    )


def call_next(url: str, clerk: str) -> dict[str, Any] | None:
    body = {"office_id": DEMO_OFFICE, "service_id": SERVICE, "counter": "2"}
    response = staff_post(url, clerk, "/api/v1/staff/queue/call-next", body)
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] | None = response.json()["ticket"]
    return ticket


def serve(url: str, clerk: str, ticket_id: str) -> None:
    """Close a called ticket, so no test leaves one open at the counter (test_counter.py)."""
    done = staff_post(url, clerk, f"/api/v1/staff/tickets/{ticket_id}/served")
    assert done.status_code == 200, done.text


def call_and_serve(url: str, clerk: str) -> str | None:
    """Call the next ticket and serve it: its id, or ``None`` if nobody waits."""
    ticket = call_next(url, clerk)
    if ticket is None:
        return None
    serve(url, clerk, ticket["ticket_id"])
    ticket_id: str = ticket["ticket_id"]
    return ticket_id


def public(url: str, ticket_id: str) -> dict[str, Any]:
    response = requests.get(f"{url}/api/v1/public/tickets/{ticket_id}", timeout=5)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def waiting(url: str, token: str) -> int:
    state = requests.get(f"{url}/api/v1/queue", headers=bearer(token), timeout=5).json()
    count: int = next(s for s in state["services"] if s["service_id"] == SERVICE)["waiting"]
    return count


def test_a_number_the_kiosk_never_kept_is_void_skipped_and_not_counted(
    central_server: RunningCentral, operator: Database, kiosk_token: str, clerk: str
) -> None:
    url = central_server.url
    kept, lost, later = new_id(), new_id(), new_id()
    for ticket_id in (kept, lost, later):
        assert allocate(url, kiosk_token, SERVICE, ticket_id).status_code == 201
    assert public(url, later)["people_ahead"] == 2
    assert waiting(url, kiosk_token) == 3

    voided = void(url, kiosk_token, lost)
    assert voided.status_code == 200, voided.text
    assert voided.json() == {"ticket_id": lost, "status": "void"}
    again = void(url, kiosk_token, lost, body={})  # an empty object is fine too
    assert again.status_code == 200, again.text
    assert again.json() == {"ticket_id": lost, "status": "void"}

    status = public(url, lost)
    assert status["status"] == "void" and status["people_ahead"] == 0
    page = requests.get(f"{url}/t/{lost}", timeout=5)
    assert page.status_code == 200
    assert page.text.index("Tiket batal") < page.text.index("Ticket void")
    assert public(url, later)["people_ahead"] == 1
    assert waiting(url, kiosk_token) == 2
    with operator.read() as conn:
        row = conn.execute(
            select(tickets.c.status, tickets.c.finished_at, tickets.c.called_at).where(
                tickets.c.id == lost
            )
        ).one()
    assert row.status == "void" and row.finished_at is not None and row.called_at is None

    assert [call_and_serve(url, clerk) for _ in range(3)] == [kept, later, None]
    assert public(url, lost)["status"] == "void"
    assert void(url, kiosk_token, lost).json() == {"ticket_id": lost, "status": "void"}


def test_void_refuses_unknown_others_registered_called_and_lease_tickets(
    central_server: RunningCentral, operator: Database, kiosk_token: str, clerk: str
) -> None:
    url = central_server.url

    # A called ticket: it is at the counter, someone holds it.
    called_id = new_id()
    allocate(url, kiosk_token, SERVICE, called_id)
    called = call_next(url, clerk)
    assert called is not None and called["ticket_id"] == called_id
    refused = void(url, kiosk_token, called_id)
    assert refused.status_code == 409 and refused.json()["error"] == "conflict", refused.text
    assert public(url, called_id)["status"] == "called"
    serve(url, clerk, called_id)
    refused = void(url, kiosk_token, called_id)
    assert refused.status_code == 409 and refused.json()["error"] == "conflict", refused.text
    assert public(url, called_id)["status"] == "served"

    # Another kiosk's ticket, and an id nobody allocated: 404 alike.
    mine = new_id()
    allocate(url, kiosk_token, SERVICE, mine)
    _, other_token = new_kiosk(operator, url)
    for token, ticket_id in ((other_token, mine), (kiosk_token, new_id())):
        missing = void(url, token, ticket_id)
        assert missing.status_code == 404, missing.text
        assert missing.json()["error"] == "unknown_ticket"
    assert public(url, mine)["status"] == "waiting"

    # A ticket a registration reached: the kiosk kept it after all.
    registered = new_id()
    number = allocate(url, kiosk_token, SERVICE, registered).json()["display"]
    item = registration(registered, SERVICE, number, "online")
    assert results(url, kiosk_token, [item])[0]["status"] == "accepted"
    refused = void(url, kiosk_token, registered)
    assert refused.status_code == 409 and refused.json()["error"] == "conflict", refused.text
    assert public(url, registered)["status"] == "waiting"

    # A lease number is not the centre's to void: the kiosk printed it itself.
    block = lease(url, kiosk_token, SERVICE, 1).json()
    leased = new_id()
    shown = f"F-{block['start']:03d}"
    item = registration(leased, SERVICE, shown, "lease")
    assert results(url, kiosk_token, [item])[0]["status"] == "accepted"
    refused = void(url, kiosk_token, leased)
    assert refused.status_code == 409 and refused.json()["error"] == "conflict", refused.text
    assert "online" in refused.json()["detail"]
    assert public(url, leased)["status"] == "waiting"

    # Nothing above left the queue: the waiting tickets are called in order.
    order = [call_and_serve(url, clerk) for _ in range(4)]
    assert order == [mine, registered, leased, None]
    assert void(url, kiosk_token, "not-a-uuid").status_code == 422


def test_a_registration_arriving_after_the_void_puts_the_ticket_back_in_the_queue(
    central_server: RunningCentral, kiosk_token: str, clerk: str
) -> None:
    # A registration proves the kiosk kept the ticket after all: a citizen holds
    # the number, so the void is undone rather than the citizen never called.
    url = central_server.url
    same, renumbered = new_id(), new_id()
    number = allocate(url, kiosk_token, SERVICE, same).json()["display"]
    assert allocate(url, kiosk_token, SERVICE, renumbered).status_code == 201
    for ticket_id in (same, renumbered):
        assert void(url, kiosk_token, ticket_id).status_code == 200
    block = lease(url, kiosk_token, SERVICE, 1).json()
    leased = f"F-{block['start']:03d}"  # the answer came late: the paper shows a lease number

    found = results(
        url,
        kiosk_token,
        [
            registration(same, SERVICE, number, "online"),
            registration(renumbered, SERVICE, leased, "lease"),
        ],
    )
    assert [r["status"] for r in found] == ["accepted", "accepted"], found
    assert found[0]["result"] == {"ticket_id": same, "number": number, "status": "waiting"}
    assert found[1]["result"] == {"ticket_id": renumbered, "number": leased, "status": "waiting"}
    assert public(url, same)["status"] == "waiting"
    assert public(url, renumbered)["number"] == leased
    assert [call_and_serve(url, clerk) for _ in range(3)] == [same, renumbered, None]
    refused = void(url, kiosk_token, same)  # registered now: no longer the kiosk's to void
    assert refused.status_code == 409
