"""Requests a kiosk and a counter send about queues, for the queue and submission tests."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import requests

from testkit.centre_accounts import DEMO_OFFICE, bearer

ZONE = ZoneInfo("Asia/Jakarta")  # the server's default --timezone


def today() -> dt.date:
    return dt.datetime.now(ZONE).date()


def now_iso() -> str:
    return dt.datetime.now(ZONE).isoformat()


def new_id() -> str:
    return str(uuid.uuid4())


def allocate(
    url: str,
    token: str,
    service_id: str,
    ticket_id: str | None = None,
    session: requests.Session | None = None,
) -> requests.Response:
    body = {"ticket_id": ticket_id or new_id(), "service_id": service_id}
    sender = session or requests
    return sender.post(
        f"{url}/api/v1/tickets/allocate", json=body, headers=bearer(token), timeout=30
    )


def lease(
    url: str,
    token: str,
    service_id: str,
    size: int,
    day: dt.date | None = None,
    session: requests.Session | None = None,
) -> requests.Response:
    body = {"service_id": service_id, "day": (day or today()).isoformat(), "size": size}
    sender = session or requests
    return sender.post(f"{url}/api/v1/leases", json=body, headers=bearer(token), timeout=30)


def return_lease(url: str, token: str, lease_id: str, first_unused: int) -> requests.Response:
    return requests.post(
        f"{url}/api/v1/leases/{lease_id}/return",
        json={"first_unused": first_unused},
        headers=bearer(token),
        timeout=10,
    )


def submit(url: str, token: str, items: list[dict[str, Any]]) -> requests.Response:
    return requests.post(
        f"{url}/api/v1/submissions", json={"items": items}, headers=bearer(token), timeout=60
    )


def results(url: str, token: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = submit(url, token, items)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["results"]
    assert [r["key"] for r in found] == [i["key"] for i in items]
    return found


def registration(
    key: str,
    service_id: str,
    number: str,
    source: str,
    values: dict[str, str] | None = None,
    office_id: str = DEMO_OFFICE,
    notify: str | None = None,
) -> dict[str, Any]:
    """A service_registration outbox item as the kiosk sends it (``notify``: the
    number the citizen said yes to messages on)."""
    item: dict[str, Any] = {
        "key": key,
        "kind": "service_registration",
        "body": {
            "office_id": office_id,
            "service_id": service_id,
            "language": "id",
            "assurance": "signed",
            "card_uid": None,
            "card_number": "PKU-000001",
            "values": values or {"full_name": "Budi Santoso"},
            "ticket": {"number": number, "issued_at": now_iso(), "number_source": source},
        },
    }
    if notify is not None:
        item["body"]["notify"] = {"phone": notify}
    return item


def consenting_tickets(
    url: str, token: str, service_id: str, phones: list[str]
) -> list[tuple[str, str]]:
    """One online ticket per number, registered with the citizen's yes to messages on it:
    (ticket id, display), in the order they were taken."""
    made: list[tuple[str, str]] = []
    for phone in phones:
        answer = allocate(url, token, service_id)
        assert answer.status_code == 201, answer.text
        ticket = answer.json()
        item = registration(
            ticket["ticket_id"], service_id, ticket["display"], "online", notify=phone
        )
        (result,) = results(url, token, [item])
        assert result["status"] == "accepted", result
        made.append((ticket["ticket_id"], ticket["display"]))
    return made


def complaint(key: str, text: str = "AC di ruang tunggu mati.") -> dict[str, Any]:
    return {
        "key": key,
        "kind": "complaint",
        "body": {
            "office_id": DEMO_OFFICE,
            "reference": f"ADU-{key[:8]}",
            "category": "fasilitas",
            "text": text,
            "language": "id",
            "card_number": None,
            "created_at": now_iso(),
        },
    }


def staff_post(url: str, token: str, path: str, body: Any = None) -> requests.Response:
    return requests.post(f"{url}{path}", json=body, headers=bearer(token), timeout=10)


def free_counter(url: str, staff_token: str, counter: str, office_id: str = DEMO_OFFICE) -> None:
    """Serve every ticket of today called at ``counter``: a counter calls the next citizen
    only while it has none called (409 ``counter_busy``)."""
    queue = requests.get(
        f"{url}/api/v1/staff/queue",
        params={"office_id": office_id},
        headers=bearer(staff_token),
        timeout=10,
    )
    assert queue.status_code == 200, queue.text
    for service in queue.json()["services"]:
        for ticket in service["tickets"]:
            if ticket["status"] == "called" and ticket["counter"] == counter:
                path = f"/api/v1/staff/tickets/{ticket['ticket_id']}/served"
                done = staff_post(url, staff_token, path)
                assert done.status_code == 200, done.text


#: A ticket id, as a ``409 counter_busy`` names the ticket called at the counter.
_NAMED_TICKET = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def call_next_at_a_freed_counter(url: str, staff_token: str, body: Any) -> requests.Response:
    """The staff API's call-next with ``body``; refused as ``counter_busy`` by a ticket the
    queue API does not list (another test's, left called in a service since dropped, or
    before midnight, on a shared centre), the ticket the refusal names is served first,
    and the call made once more."""
    path = "/api/v1/staff/queue/call-next"
    answer = staff_post(url, staff_token, path, body)
    if answer.status_code == 409 and answer.json().get("error") == "counter_busy":
        named = _NAMED_TICKET.search(answer.json().get("detail", ""))
        assert named is not None, answer.text
        done = staff_post(url, staff_token, f"/api/v1/staff/tickets/{named.group()}/served")
        assert done.status_code == 200, done.text
        answer = staff_post(url, staff_token, path, body)
    return answer


def drain(url: str, staff_token: str, service_id: str) -> None:
    """Call and serve every waiting ticket of today's queue, so a test starts from an empty one
    (at Loket 8, served first of any ticket a test left called there)."""
    free_counter(url, staff_token, "8")
    while True:
        response = staff_post(
            url,
            staff_token,
            "/api/v1/staff/queue/call-next",
            {"office_id": DEMO_OFFICE, "service_id": service_id, "counter": "8"},
        )
        assert response.status_code == 200, response.text
        ticket = response.json()["ticket"]
        if ticket is None:
            return
        done = staff_post(url, staff_token, f"/api/v1/staff/tickets/{ticket['ticket_id']}/served")
        assert done.status_code == 200, done.text
