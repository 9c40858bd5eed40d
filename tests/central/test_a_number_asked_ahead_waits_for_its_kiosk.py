"""A number asked ahead (``POST /api/v1/tickets/allocate`` with ``hold_s``) is not called
while its citizen is still at the kiosk: call-next passes it by until its registration
arrives, it is voided, or its time runs out; it counts as waiting all along. An allocate
without ``hold_s`` (an older kiosk, or a ticket numbered at the last tap) is callable at
once. Over real HTTP to a real centre, on SQLite and PostgreSQL; the wait is the
database's, so it holds on every server process; tickets stored before its migration
(``0029_ticket_at_kiosk_until``) are called as they were.

Time is moved in the centre's database, as other tests move a ticket's day: the hold's
end is written into the past, as if a kiosk had lost power at the question.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests
from alembic import command
from sqlalchemy import inspect, select, update

from central.database import Database, alembic_config, migrate
from central.office.queue import AT_KIOSK_MAX_S
from central.process import RunningCentral, start_central
from central.tables import tickets
from testkit.centre_accounts import bearer
from testkit.centre_accounts import office_of_one_service as new_office_of_one_service
from testkit.centre_requests import lease, new_id, registration, results, staff_post
from testkit.centres import TEST_SERVER_ARGS

pytestmark = pytest.mark.timeout(120)
COUNTER = "Meja"
#: What a kiosk names at its question (its question's wait, then its issue's deadline).
HOLD_S = 60


class Office:
    """A new office of one service, its kiosk and its clerk, on the shared centre."""

    def __init__(self, url: str, operator: Database) -> None:
        self.url = url
        self.id, self.service, self.kiosk, self.clerk = new_office_of_one_service(
            url, operator, COUNTER
        )

    def allocate(self, ticket_id: str, **extra: Any) -> dict[str, Any]:
        body = {"ticket_id": ticket_id, "service_id": self.service, **extra}
        answer = requests.post(
            f"{self.url}/api/v1/tickets/allocate", json=body, headers=bearer(self.kiosk), timeout=10
        )
        assert answer.status_code == 201, answer.text
        found: dict[str, Any] = answer.json()
        return found

    def call_next(self, at: str | None = None) -> str | None:
        """Call the next citizen at the counter and serve them (through the server at
        ``at``, else the office's): their ticket id, or None."""
        url = at or self.url
        body = {"office_id": self.id, "service_id": self.service, "counter": COUNTER}
        called = staff_post(url, self.clerk, "/api/v1/staff/queue/call-next", body)
        assert called.status_code == 200, called.text
        ticket = called.json()["ticket"]
        if ticket is None:
            return None
        done = staff_post(url, self.clerk, f"/api/v1/staff/tickets/{ticket['ticket_id']}/served")
        assert done.status_code == 200, done.text
        ticket_id: str = ticket["ticket_id"]
        return ticket_id

    def register(self, ticket_id: str, number: str, source: str = "online") -> None:
        """The kiosk's registration of the ticket, as its outbox sends it once stored."""
        item = registration(ticket_id, self.service, number, source, office_id=self.id)
        [result] = results(self.url, self.kiosk, [item])
        assert result["status"] == "accepted", result

    def waiting(self) -> dict[str, Any]:
        """The staff's view of the queue: its waiting count and its open tickets by id."""
        answer = requests.get(
            f"{self.url}/api/v1/staff/queue",
            params={"office_id": self.id},
            headers=bearer(self.clerk),
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        [queue] = answer.json()["services"]
        return {
            "waiting": queue["waiting"],
            "tickets": {t["ticket_id"]: t for t in queue["tickets"]},
        }

    def people_ahead(self, ticket_id: str) -> int:
        found = requests.get(f"{self.url}/api/v1/public/tickets/{ticket_id}", timeout=10)
        assert found.status_code == 200, found.text
        ahead: int = found.json()["people_ahead"]
        return ahead


@pytest.fixture
def office(central_server: RunningCentral, operator: Database) -> Office:
    return Office(central_server.url, operator)


def at_kiosk_until(operator: Database, ticket_id: str) -> dt.datetime | None:
    with operator.read() as conn:
        until: dt.datetime | None = conn.execute(
            select(tickets.c.at_kiosk_until).where(tickets.c.id == ticket_id)
        ).scalar_one()
    return until


def test_a_number_asked_ahead_is_passed_by_until_its_registration_arrives(
    office: Office, operator: Database
) -> None:
    ahead, after = new_id(), new_id()
    number = office.allocate(ahead, hold_s=HOLD_S)["display"]
    assert office.allocate(after)["people_ahead"] == 1  # she is in the queue all along
    state = office.waiting()
    assert state["waiting"] == 2
    assert state["tickets"][ahead]["at_kiosk_until"] is not None
    assert state["tickets"][after]["at_kiosk_until"] is None

    assert office.call_next() == after  # she has not seen her number yet
    assert office.call_next() is None
    assert office.people_ahead(ahead) == 0 and office.waiting()["waiting"] == 1

    office.register(ahead, number)  # her ticket is stored at the kiosk: she has it
    assert at_kiosk_until(operator, ahead) is None
    assert office.call_next() == ahead


def test_a_number_asked_ahead_then_printed_with_a_lease_number_is_called_once_registered(
    office: Office,
) -> None:
    """The online answer came too late and the paper shows a lease number: the
    registration renumbers the ticket, and ends its wait at the kiosk all the same."""
    ahead = new_id()
    office.allocate(ahead, hold_s=HOLD_S)
    assert office.call_next() is None
    block = lease(office.url, office.kiosk, office.service, 1).json()
    office.register(ahead, f"H-{block['start']:03d}", "lease")
    assert office.call_next() == ahead


def test_a_number_whose_time_at_the_kiosk_ran_out_is_called(
    office: Office, operator: Database
) -> None:
    """Its kiosk lost power at the question: no registration ever comes, and the number is
    uncallable no longer than the centre's bound, whatever the kiosk asked."""
    ahead = new_id()
    before = dt.datetime.now(dt.UTC)
    office.allocate(ahead, hold_s=3600)
    until = at_kiosk_until(operator, ahead)
    assert until is not None
    assert until <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=AT_KIOSK_MAX_S)
    assert until >= before + dt.timedelta(seconds=AT_KIOSK_MAX_S)
    assert office.call_next() is None

    with operator.begin() as conn:  # its time runs out
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        conn.execute(update(tickets).where(tickets.c.id == ahead).values(at_kiosk_until=past))
    # The staff API's null means callable: a time gone by is no wait.
    assert office.waiting()["tickets"][ahead]["at_kiosk_until"] is None
    assert office.call_next() == ahead


def test_a_void_ends_the_wait_at_the_kiosk(office: Office, operator: Database) -> None:
    """Voided (she left the question), the number waits at the kiosk no more: should its
    registration come after all, it is called at once, as any void ticket revived."""
    ahead = new_id()
    number = office.allocate(ahead, hold_s=HOLD_S)["display"]
    voided = requests.post(
        f"{office.url}/api/v1/tickets/{ahead}/void", headers=bearer(office.kiosk), timeout=10
    )
    assert voided.status_code == 200, voided.text
    assert at_kiosk_until(operator, ahead) is None
    assert office.waiting()["waiting"] == 0
    office.register(ahead, number)
    assert office.call_next() == ahead


def test_an_allocate_without_a_hold_is_called_at_once(office: Office, operator: Database) -> None:
    """An older kiosk, or a ticket numbered at the last tap: callable as before."""
    plain = new_id()
    office.allocate(plain)
    assert at_kiosk_until(operator, plain) is None
    assert office.call_next() == plain


@pytest.mark.parametrize("hold_s", [0, -5, 3601, 1.5, True, "60", 60.0])
def test_a_hold_out_of_shape_is_refused_and_uses_no_number(office: Office, hold_s: Any) -> None:
    body = {"ticket_id": new_id(), "service_id": office.service, "hold_s": hold_s}
    answer = requests.post(
        f"{office.url}/api/v1/tickets/allocate", json=body, headers=bearer(office.kiosk), timeout=10
    )
    assert answer.status_code == 422, answer.text
    assert office.waiting()["waiting"] == 0


def test_the_wait_at_the_kiosk_holds_on_every_server_process(
    two_servers: tuple[RunningCentral, RunningCentral],
) -> None:
    """Asked of one process, passed by at a counter served by the other; registered
    through that one, called through the first."""
    first, second = two_servers
    operator = Database(first.db_url)
    try:
        office = Office(first.url, operator)
        ahead, after = new_id(), new_id()
        number = office.allocate(ahead, hold_s=HOLD_S)["display"]
        office.allocate(after)
        assert office.call_next(at=second.url) == after
        assert office.call_next(at=second.url) is None
        office.url = second.url
        office.register(ahead, number)
        assert office.call_next(at=first.url) == ahead
    finally:
        operator.dispose()


def test_tickets_stored_before_the_migration_are_called_as_they_were(db_url: str) -> None:
    """Come down to the release before (``0028``) and up again: the column is back, empty
    for every ticket, so each is called as before, however it was numbered."""
    with start_central(seed_demo=True, db_url=db_url, extra_args=TEST_SERVER_ARGS) as running:
        db = Database(db_url)
        try:
            office = Office(running.url, db)
            ahead = new_id()
            office.allocate(ahead, hold_s=HOLD_S)
            assert at_kiosk_until(db, ahead) is not None
        finally:
            db.dispose()
    db = Database(db_url)
    try:
        command.downgrade(alembic_config(db), "0028_tickets_called_at_a_counter")
        with db.read() as conn:
            assert "at_kiosk_until" not in {c["name"] for c in inspect(conn).get_columns("tickets")}
        migrate(db)
        assert at_kiosk_until(db, ahead) is None
    finally:
        db.dispose()
    with start_central(db_url=db_url, extra_args=TEST_SERVER_ARGS) as running:
        office.url = running.url
        assert office.call_next() == ahead
