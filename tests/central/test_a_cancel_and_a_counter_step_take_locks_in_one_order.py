"""A kiosk's cancel and a counter's step on one ticket take its rows in one order.

A counter's step (served, no-show) updates the ticket, then its visit
(central/hospital/visits.py ``after_counter_step``). A kiosk's ``visit_cancel`` holds
the ticket first too (``own_ticket``), then the visit, and decides on both as they are
once held. So on PostgreSQL the two wait for each other, never deadlock, and a cancel
that waited on a counter serving the ticket answers ``done`` and changes nothing,
never ``cancelled`` from a read made before the ticket was served.

Deterministic, not timed: one side holds the ticket in its open transaction, the other
starts in a thread, the test waits (bounded) until PostgreSQL shows it waiting on a
lock, then the first side finishes and commits. SQLite has one writer at a time: the
cancel's own tests cover it there (test_a_kiosk_cancels_only_its_own_tickets.py).
A real centre makes the tickets and their visits over HTTP.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import Connection, select, text, update
from sqlalchemy.exc import DBAPIError

from central.access.audit import utc_now
from central.access.staff import Role, StaffPrincipal
from central.errors import InvalidTicketTransition
from central.hospital import visits
from central.office import steps
from central.office.counters import offered
from central.office.queue import CALLED, NO_SHOW, SERVED
from central.tables import hospital_visits, tickets
from testkit.centre_hospital import (
    HOSPITAL,
    new_hospital_patient,
    new_schedule,
    own_hospital_centre,
    visit_cancel,
)
from testkit.centre_hospital import (
    HospitalCentre as Centre,
)
from testkit.centre_requests import new_id, submit
from testkit.row_locks import WAIT_S, keys, locks_awaited, registration_of

pytestmark = pytest.mark.timeout(300)

#: The counter's staff member, as the staff API's principal names them.
STAFF = StaffPrincipal(staff_id=0, username="loket-poli", role=Role.STAFF, office_id=HOSPITAL)


@pytest.fixture(scope="module", params=["postgresql"])
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Centre]:
    yield from own_hospital_centre(request, tmp_path_factory, "lock-order")


def call_at_a_counter(conn: Connection, ticket_id: str) -> None:
    """``ticket_id`` called at a counter of the hospital, as a counter's call leaves it."""
    conn.execute(
        update(tickets)
        .where(tickets.c.id == ticket_id)
        .values(status=CALLED, counter=offered(conn, HOSPITAL)[0], called_at=utc_now())
    )


def called(c: Centre, values: dict[str, str]) -> tuple[str, str]:
    """A JKN ticket of the centre's kiosk, registered for ``values`` and called at a
    counter of the hospital: (its id, the kiosk's id)."""
    ticket_id = registration_of(c, new_schedule(c.url, c.staff, quota_jkn=20), values)
    with c.db.begin() as conn:
        call_at_a_counter(conn, ticket_id)
        kiosk_id: str = conn.execute(
            select(tickets.c.kiosk_id).where(tickets.c.id == ticket_id)
        ).scalar_one()
    return ticket_id, kiosk_id


def state(c: Centre, ticket_id: str) -> tuple[str, str | None]:
    """The ticket's status and its visit's state (None: no visit)."""
    with c.db.read() as conn:
        status = conn.execute(
            select(tickets.c.status).where(tickets.c.id == ticket_id)
        ).scalar_one()
        visit = conn.execute(
            select(hospital_visits.c.state).where(hospital_visits.c.ticket_id == ticket_id)
        ).scalar_one_or_none()
    return status, visit


class Side(threading.Thread):
    """One side of the race in a transaction of its own: ``work`` run, then committed; its
    answer or its error kept, and its backend's pid told before it starts."""

    def __init__(self, c: Centre, work: Callable[[Connection], Any]) -> None:
        super().__init__(daemon=True)
        self.c, self.work = c, work
        self.pid: int | None = None
        self.started_work = threading.Event()
        self.answer: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.c.db.engine.begin() as conn:
                conn.execute(text(f"SET LOCAL lock_timeout = '{WAIT_S}s'"))
                self.pid = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
                self.started_work.set()
                self.answer = self.work(conn)
        except BaseException as exc:  # kept for the test to assert on
            self.error = exc
        finally:
            self.started_work.set()


def waits_on_a_lock(c: Centre, side: Side) -> None:
    """Return once ``side``'s transaction waits on a row lock; fail if it ends first or
    does not wait within :data:`WAIT_S`."""
    assert side.started_work.wait(WAIT_S), "the other side never began"
    deadline = time.monotonic() + WAIT_S
    while True:
        with c.db.read() as conn:
            waiting = conn.execute(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": side.pid},
            ).scalar_one_or_none()
        if waiting == "Lock":
            return
        assert side.is_alive(), f"it never waited: {side.answer!r} {side.error!r}"
        assert time.monotonic() < deadline, "it did not wait on a lock in time"
        time.sleep(0.02)


def cancel_of(kiosk_id: str, ticket_id: str) -> Callable[[Connection], str]:
    """The kiosk's ``visit_cancel`` of ``ticket_id``, as the centre runs it for a batch."""

    def run(conn: Connection) -> str:
        return visits.cancel(conn, kiosk_id, HOSPITAL, ticket_id, "Pasien batal", utc_now())

    return run


def counter_step(
    conn: Connection, counter: Any, ticket_id: str, outcome: str
) -> BaseException | None:
    """A counter closes ``ticket_id`` with ``outcome`` in the transaction ``counter``, which
    already holds the ticket, and commits: the error if PostgreSQL ended it (a deadlock)."""
    try:
        steps.close(conn, STAFF, ticket_id, outcome, None, utc_now(), utc_now().date())
    except DBAPIError as exc:
        counter.rollback()
        return exc
    counter.commit()
    return None


def served_while_the_cancel_waits(c: Centre, ticket_id: str, kiosk_id: str) -> Side:
    """The counter holds the ticket (as its step's update does) and a cancel starts; once
    the cancel waits, the counter's step serves the ticket (its visit ``done``) and
    commits. The cancel's side, ended."""
    with c.db.engine.connect() as conn:
        counter = conn.begin()
        conn.execute(text(f"SET LOCAL lock_timeout = '{WAIT_S}s'"))
        conn.execute(select(tickets.c.id).where(tickets.c.id == ticket_id).with_for_update())
        cancel = Side(c, cancel_of(kiosk_id, ticket_id))
        cancel.start()
        try:
            waits_on_a_lock(c, cancel)
            step_error = counter_step(conn, counter, ticket_id, SERVED)
        finally:
            if counter.is_active:
                counter.rollback()
            cancel.join(2 * WAIT_S)
    assert not cancel.is_alive(), "the cancel never ended"
    assert step_error is None, f"the counter's step failed: {step_error}"
    assert cancel.error is None, f"the cancel failed: {cancel.error}"
    return cancel


def test_a_cancel_that_waited_on_the_counter_serving_its_visit_is_done(centre: Centre) -> None:
    """The counter serves a ticket whose visit was made while its kiosk's cancel of it
    waits: no deadlock; the cancel answers ``done``, and the ticket stays served, its visit
    done."""
    ticket_id, kiosk_id = called(centre, keys(new_hospital_patient(centre.db)))
    assert state(centre, ticket_id) == (CALLED, "registered")
    cancel = served_while_the_cancel_waits(centre, ticket_id, kiosk_id)
    assert cancel.answer == "done"
    assert state(centre, ticket_id) == (SERVED, "done")


def test_a_cancel_of_an_unmade_visit_that_waited_on_the_counter_serving_it_is_done(
    centre: Centre,
) -> None:
    """The same for a ticket whose registration asked for a visit the centre did not make
    (its patient refused): the cancel answers ``done`` as it would for a visit served,
    never ``cancelled`` for a ticket the counter served."""
    refused = keys(new_hospital_patient(centre.db), birth_date="1971-01-01")
    ticket_id, kiosk_id = called(centre, refused)
    assert state(centre, ticket_id) == (CALLED, None)
    cancel = served_while_the_cancel_waits(centre, ticket_id, kiosk_id)
    assert cancel.answer == "done"
    assert state(centre, ticket_id) == (SERVED, None)


def test_a_counter_step_that_waited_on_a_cancel_finds_the_ticket_closed(
    centre: Centre,
) -> None:
    """The cancel goes first and holds the ticket and its visit; the counter's served
    waits for it, then is refused (the ticket is void): the visit stays cancelled, never
    done, and nothing deadlocks."""
    ticket_id, kiosk_id = called(centre, keys(new_hospital_patient(centre.db)))
    with centre.db.engine.connect() as conn:
        kiosk_side = conn.begin()
        conn.execute(text(f"SET LOCAL lock_timeout = '{WAIT_S}s'"))

        def serve(step: Connection) -> Any:
            return steps.close(step, STAFF, ticket_id, SERVED, None, utc_now(), utc_now().date())

        counter = Side(centre, serve)
        try:
            assert cancel_of(kiosk_id, ticket_id)(conn) == "cancelled"
            counter.start()
            waits_on_a_lock(centre, counter)
            kiosk_side.commit()
        finally:
            if kiosk_side.is_active:
                kiosk_side.rollback()
            if counter.ident is not None:
                counter.join(2 * WAIT_S)
    assert not counter.is_alive(), "the counter's step never ended"
    assert isinstance(counter.error, InvalidTicketTransition), counter.error
    assert state(centre, ticket_id) == ("void", "cancelled")


def registered(c: Centre, sid: str) -> str:
    """A JKN ticket of the centre's kiosk at the doctor ``sid``, its visit made."""
    ticket_id = registration_of(c, sid, keys(new_hospital_patient(c.db)))
    assert state(c, ticket_id) == ("waiting", "registered")
    return ticket_id


def test_a_batch_cancelling_two_visits_of_one_doctor_waits_on_a_counters_no_show(
    centre: Centre,
) -> None:
    """A kiosk's batch cancels two visits of one doctor's day while the counter marks the
    second ticket not come: the batch waits for the counter's step before it gives any
    place back, so nothing deadlocks (the first cancel's place given back held the
    doctor's day the no-show gives its place back to); both visits end cancelled."""
    sid = new_schedule(centre.url, centre.staff, quota_jkn=20)
    first, second = registered(centre, sid), registered(centre, sid)
    with centre.db.begin() as conn:
        call_at_a_counter(conn, second)
    batch = [visit_cancel(f"cancel-{new_id()}", first), visit_cancel(f"cancel-{new_id()}", second)]
    answered: list[requests.Response] = []

    def send() -> None:
        answered.append(submit(centre.url, centre.kiosk, batch))

    sender = threading.Thread(target=send, daemon=True)
    step_error: BaseException | None = None
    with centre.db.engine.connect() as conn:
        counter = conn.begin()
        conn.execute(text(f"SET LOCAL lock_timeout = '{WAIT_S}s'"))
        ours = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        # the counter holds the ticket, as its step's update does
        conn.execute(select(tickets.c.id).where(tickets.c.id == second).with_for_update())
        sender.start()
        try:
            locks_awaited(centre.db, [sender], ours, 1)
            step_error = counter_step(conn, counter, second, NO_SHOW)
        finally:
            if counter.is_active:
                counter.rollback()
            sender.join(2 * WAIT_S)
    assert not sender.is_alive(), "the batch was never answered"
    assert step_error is None, f"the counter's step failed: {step_error}"
    [response] = answered
    assert response.status_code == 200, response.text  # 503 when PostgreSQL ended the batch
    answers = response.json()["results"]
    assert [a["status"] for a in answers] == ["accepted", "accepted"], answers
    assert [a["result"]["cancel"] for a in answers] == ["cancelled", "cancelled"], answers
    assert state(centre, first) == ("void", "cancelled")
    assert state(centre, second) == (NO_SHOW, "cancelled")
