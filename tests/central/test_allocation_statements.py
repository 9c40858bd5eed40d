"""An online number asks the database little: a citizen waits for it at the kiosk.

The centre's work for ``POST /api/v1/tickets/allocate`` is one transaction: the
ticket (none yet), the active service, the queue's counter, the new row written and
read back in one ``INSERT … RETURNING``, then the ticket's place (people ahead and
the ticket called last in one query, today's service times in another). The kiosk's
code comes with its token. Each test runs on SQLite and PostgreSQL, on the database
of a real centre, with every statement sent to the database counted. The request
goes to a worker thread twice, not four times: the token checked, then the number
(FastAPI hands every plain-function dependency, endpoint and answer check to a thread
of its pool and back).
"""

from __future__ import annotations

import datetime as dt
import inspect
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import event

from central.access import staff
from central.access.audit import utc_now
from central.access.kiosks import KioskPrincipal, authenticate_kiosk, kiosk_code_of
from central.api import ROUTERS
from central.api.deps import require_kiosk
from central.database import Database
from central.documents.versioned import DocumentCache
from central.errors import Conflict
from central.office import numbering, queue
from central.process import RunningCentral
from contract.ticket_ids import new_ticket_id
from testkit.centre_accounts import DEMO_OFFICE, fresh_queue, new_kiosk, new_staff
from testkit.centre_requests import (
    ZONE,
    allocate,
    call_next_at_a_freed_counter,
    free_counter,
    staff_post,
)

pytestmark = pytest.mark.timeout(120)


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    """Every statement the database is sent meanwhile, its first words."""
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(" ".join(statement.split()[:3]))

    # the readers' engine and, on SQLite, the one kept for writes
    engines = {id(engine): engine for engine in (db.engine, db.write_engine)}.values()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", note)


def principal(db: Database, token: str) -> KioskPrincipal:
    with db.read() as conn:
        found = authenticate_kiosk(conn, token)
    assert found is not None
    return found


def test_the_token_brings_the_kiosk_code_and_a_number_is_four_statements(
    central_server: RunningCentral, operator: Database
) -> None:
    service, _ = fresh_queue(operator)
    kiosk_id, token = new_kiosk(operator, central_server.url)
    kiosk = principal(operator, token)
    with operator.read() as conn:
        assert kiosk.kiosk_code == kiosk_code_of(conn, kiosk_id) and kiosk.kiosk_code
    assert kiosk.kiosk_code is not None
    ticket_id = new_ticket_id(kiosk.kiosk_code)

    with operator.begin() as conn, counted(operator) as sent:
        allocated = numbering.allocate(conn, kiosk, ticket_id, service, utc_now(), ZONE)
    assert sent == [
        "SELECT tickets.id, tickets.office_id,",  # this ticket id numbered before?
        "SELECT services.id, services.office_id,",  # the service, active, of this office
        "INSERT INTO ticket_counters",  # the queue's next number
        "INSERT INTO tickets",  # the ticket, read back by RETURNING
    ]
    assert allocated.created and allocated.row.number == 1
    assert allocated.service == numbering.ServiceInfo(
        service, DEMO_OFFICE, allocated.service.ticket_prefix, "1", "Layanan uji"
    )
    with operator.read() as conn:
        stored = numbering.find_ticket(conn, ticket_id)
    # what RETURNING gave is the row as stored, the columns' defaults too
    assert stored is not None and stored._asdict() == allocated.row._asdict()
    assert (stored.queue_id, stored.priority, stored.queued_at) == (service, 0, stored.issued_at)

    with operator.begin() as conn, counted(operator) as sent:
        again = numbering.allocate(conn, kiosk, ticket_id, service, utc_now(), ZONE)
    assert len(sent) == 2, sent  # the ticket found, its service named
    assert not again.created and again.row._asdict() == stored._asdict()
    assert again.service == allocated.service


def test_an_id_bound_to_another_kiosk_is_refused_by_the_code_the_token_brought(
    central_server: RunningCentral, operator: Database
) -> None:
    service, _ = fresh_queue(operator)
    kiosk = principal(operator, new_kiosk(operator, central_server.url)[1])
    other = principal(operator, new_kiosk(operator, central_server.url)[1])
    assert other.kiosk_code is not None and other.kiosk_code != kiosk.kiosk_code
    with pytest.raises(Conflict), operator.begin() as conn, counted(operator) as sent:
        numbering.allocate(conn, kiosk, new_ticket_id(other.kiosk_code), service, utc_now(), ZONE)
    assert sent == []  # refused on the code the token brought, before any statement


def test_a_ticket_s_place_is_two_statements_and_the_same_as_each_figure_asked_alone(
    central_server: RunningCentral, operator: Database
) -> None:
    """A queue with one served, one called and three waiting tickets: each ticket's
    place, asked the short way, is what the separate queries say."""
    url = central_server.url
    service, _ = fresh_queue(operator)
    _, token = new_kiosk(operator, url)
    ids = [str(uuid.uuid4()) for _ in range(5)]
    for ticket_id in ids:
        assert allocate(url, token, service, ticket_id).status_code == 201
    clerk = new_staff(operator, url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    free_counter(url, clerk, "1")
    body = {"office_id": DEMO_OFFICE, "service_id": service, "counter": "1"}
    assert call_next_at_a_freed_counter(url, clerk, body).status_code == 200
    assert staff_post(url, clerk, f"/api/v1/staff/tickets/{ids[0]}/served").status_code == 200
    assert staff_post(url, clerk, "/api/v1/staff/queue/call-next", body).status_code == 200

    documents = DocumentCache()
    for ticket_id in ids:
        with operator.read() as conn:
            row = numbering.find_ticket(conn, ticket_id)
            assert row is not None
            facts = queue.catalog_facts(conn, documents)
            with counted(operator) as sent:
                short = queue.place(conn, row, facts)
            minutes = queue.minutes_per_person(conn, [row.queue_id], row.day, facts)
            alone = queue.Place(
                people_ahead=queue.people_ahead(conn, row),
                estimated_wait_minutes=queue.estimate(
                    queue.people_ahead(conn, row), minutes[row.queue_id]
                ),
                now_serving=queue.now_serving(conn, row.queue_id, row.day),
            )
        assert len(sent) == 2, sent
        assert short == alone
    with operator.read() as conn:
        last = numbering.find_ticket(conn, ids[-1])
        assert last is not None
        assert queue.place(conn, last, facts).people_ahead == 2  # ids[2] and ids[3]
        assert queue.place(conn, last, facts).now_serving is not None


def test_the_answer_of_a_number_carries_its_place(
    central_server: RunningCentral, operator: Database
) -> None:
    """Through the route: the second ticket of a fresh queue has one person ahead."""
    url = central_server.url
    service, _ = fresh_queue(operator)
    _, token = new_kiosk(operator, url)
    first = allocate(url, token, service).json()
    second = allocate(url, token, service).json()
    assert (first["number"], second["number"]) == (1, 2)
    assert (first["people_ahead"], second["people_ahead"]) == (0, 1)
    assert second["counter"] == "1" and second["now_serving"] is None
    assert dt.date.fromisoformat(second["day"]) == dt.datetime.now(ZONE).date()


def sync_calls(dependant: Dependant) -> list[Callable[..., object]]:
    """The plain functions FastAPI runs in its thread pool for a route, each once."""
    found: list[Callable[..., object]] = []
    for sub in dependant.dependencies:
        for inner in sync_calls(sub):
            if inner not in found:
                found.append(inner)
    own = dependant.call
    if own is not None and not inspect.iscoroutinefunction(own) and own not in found:
        found.append(own)
    return found


def test_a_number_goes_to_a_worker_thread_once_after_the_token(app: FastAPI) -> None:
    candidates = [*app.routes, *(r for router in ROUTERS for r in router.routes)]
    routes = {r.path: r for r in candidates if isinstance(r, APIRoute)}
    allocate_route = routes["/api/v1/tickets/allocate"]
    # the endpoint is a coroutine (its answer is checked on the event loop, no thread
    # hop), the context is one, and the token's check is the only other thread hop
    assert sync_calls(allocate_route.dependant) == [require_kiosk]
    me = routes["/api/v1/kiosks/me"]  # a plain route: the context costs it no hop either
    assert [c.__name__ for c in sync_calls(me.dependant)] == ["require_kiosk", "me"]
