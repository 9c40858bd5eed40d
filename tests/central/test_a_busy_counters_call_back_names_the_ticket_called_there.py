"""A call-back refused at a busy counter names the ticket called there, as call-next's does.

A ticket left called at a counter before midnight keeps that counter busy for days, yet
is in no queue the staff API lists. Call-next's 409 ``counter_busy`` names it (number,
day, id) so a staff client can close it; a call-back at the same counter is refused with
the same code for the same ticket, and must name it too, or the client holding a ticket
set aside (tunda) there has nothing to close and the held one is never called back. A
real centre over HTTP, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import update

from central.access import staff
from central.database import Database
from central.process import RunningCentral
from central.tables import tickets
from testkit.centre_accounts import DEMO_OFFICE, bearer, new_kiosk, new_staff
from testkit.centre_requests import allocate, new_id
from testkit.centres import BACKENDS, own_centre

pytestmark = pytest.mark.timeout(300)
SERVICE = "izin-usaha-mikro"
COUNTER = "4"


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningCentral]:
    yield from own_centre(request, tmp_path_factory, "call-back-names")


def _post(url: str, token: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return requests.post(f"{url}{path}", json=body, headers=bearer(token), timeout=30)


def test_a_call_back_refused_at_a_busy_counter_names_the_ticket_left_called_there(
    centre: RunningCentral,
) -> None:
    db = Database(centre.db_url)
    try:
        _, kiosk = new_kiosk(db, centre.url)
        token = new_staff(db, centre.url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    finally:
        db.dispose()
    for _ in range(2):
        assert allocate(centre.url, kiosk, SERVICE, new_id()).status_code == 201
    step = {"office_id": DEMO_OFFICE, "service_id": SERVICE, "counter": COUNTER}

    # The counter calls one citizen and sets them aside (tunda), then calls the next.
    held = _post(centre.url, token, "/api/v1/staff/queue/call-next", step).json()["ticket"]
    assert _post(centre.url, token, f"/api/v1/staff/tickets/{held['ticket_id']}/hold").ok
    left = _post(centre.url, token, "/api/v1/staff/queue/call-next", step).json()["ticket"]
    assert left is not None and left["ticket_id"] != held["ticket_id"]
    # ... and midnight passes with the second still called there.
    yesterday = dt.date.fromisoformat(left["day"]) - dt.timedelta(days=1)
    db = Database(centre.db_url)
    try:
        with db.begin() as conn:
            conn.execute(
                update(tickets).where(tickets.c.id == left["ticket_id"]).values(day=yesterday)
            )
    finally:
        db.dispose()
    queue = requests.get(
        f"{centre.url}/api/v1/staff/queue", headers=bearer(token), timeout=10
    ).json()
    listed = {t["ticket_id"] for s in queue["services"] for t in s["tickets"]}
    assert left["ticket_id"] not in listed  # the client cannot find it in the queue

    named = f"{left['display']} ({yesterday:%Y-%m-%d}, {left['ticket_id']})"
    refused_next = _post(centre.url, token, "/api/v1/staff/queue/call-next", step)
    assert (refused_next.status_code, refused_next.json()["error"]) == (409, "counter_busy")
    assert named in refused_next.json()["detail"]  # call-next names it

    refused_back = _post(
        centre.url,
        token,
        f"/api/v1/staff/tickets/{held['ticket_id']}/call-back",
        {"counter": COUNTER},
    )
    assert (refused_back.status_code, refused_back.json()["error"]) == (409, "counter_busy")
    assert named in refused_back.json()["detail"], refused_back.json()["detail"]
