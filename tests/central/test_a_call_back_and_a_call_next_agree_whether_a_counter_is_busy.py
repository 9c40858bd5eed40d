"""A call-back and a call-next agree whether a counter is busy: the one rule, from today.

A ticket left called at a counter keeps it busy for :data:`OPEN_DAYS` days, counted back
from today (central.office.desks): older, it is in no list the counter page or the staff
API shows, and the counter calls the next citizen again. A ticket held (tunda) at that
counter before midnight is still on the page, to be called back there: nothing else
takes it off the counter (a ticket of a day before is never transferred, and one held at
a counter the office has is never closed held). So the call-back must judge the counter
free whenever the call-next does; judged from the held ticket's own day instead, a
ticket called one day further back blocks it, and the held ticket is stuck at the
counter, which its clerk cannot leave (central.office.desks.choose). A real centre over
HTTP, on SQLite and PostgreSQL.
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
from central.office.desks import OPEN_DAYS
from central.process import RunningCentral
from central.tables import tickets
from testkit.centre_accounts import DEMO_OFFICE, bearer, new_kiosk, new_staff
from testkit.centre_requests import allocate, new_id
from testkit.centres import BACKENDS, own_centre

pytestmark = pytest.mark.timeout(300)
SERVICE = "izin-usaha-mikro"
COUNTER = "5"


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningCentral]:
    yield from own_centre(request, tmp_path_factory, "busy-agree")


def _post(url: str, token: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return requests.post(f"{url}{path}", json=body, headers=bearer(token), timeout=30)


def test_a_ticket_held_before_midnight_is_called_back_where_a_call_next_would_call(
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
    held = _post(centre.url, token, "/api/v1/staff/queue/call-next", step).json()["ticket"]
    assert _post(centre.url, token, f"/api/v1/staff/tickets/{held['ticket_id']}/hold").ok
    old = _post(centre.url, token, "/api/v1/staff/queue/call-next", step).json()["ticket"]
    assert old is not None and old["ticket_id"] != held["ticket_id"]
    # The held one is of yesterday (set aside before midnight); the called one was left
    # called one day longer ago than a counter counts.
    today = dt.date.fromisoformat(held["day"])
    db = Database(centre.db_url)
    try:
        with db.begin() as conn:
            conn.execute(
                update(tickets)
                .where(tickets.c.id == held["ticket_id"])
                .values(day=today - dt.timedelta(days=1))
            )
            conn.execute(
                update(tickets)
                .where(tickets.c.id == old["ticket_id"])
                .values(day=today - dt.timedelta(days=OPEN_DAYS + 1))
            )
    finally:
        db.dispose()

    # The counter is free by the call-next's rule: it calls (nobody waits: null, 200).
    free = _post(centre.url, token, "/api/v1/staff/queue/call-next", step)
    assert free.status_code == 200 and free.json()["ticket"] is None, free.text

    back = _post(
        centre.url,
        token,
        f"/api/v1/staff/tickets/{held['ticket_id']}/call-back",
        {"counter": COUNTER},
    )
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "called"
