"""Races on PostgreSQL's row locks, made deterministic: the lock-order tests' own helpers.

A test holds a row in a transaction of its own (``FOR UPDATE``), starts the sides it
races against the row in threads, waits (bounded, never timed) until PostgreSQL shows
them waiting on a lock (``pg_stat_activity``), then commits: the sides then take the
rows in the order the centre's code takes them, and a deadlock there (PostgreSQL ends
one side after ``deadlock_timeout``: a batch is answered 503) fails the test.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, text

from central.database import Database
from testkit.centre_hospital import HospitalCentre, allocate, hospital_registration
from testkit.centre_requests import results

#: The longest any side waits for a lock, or the test for the other side: bounded.
WAIT_S = 30


def keys(patient: Any, **changed: str) -> dict[str, str]:
    """A registration's ``values`` naming ``patient`` (a testkit ``Patient``), as changed."""
    return {
        "full_name": patient.full_name,
        "nik": patient.nik,
        "birth_date": patient.birth_date.isoformat(),
        **changed,
    }


def registration_of(
    c: HospitalCentre, sid: str, values: dict[str, str], token: str | None = None
) -> str:
    """A JKN ticket numbered online by the kiosk ``token`` (the centre's kiosk: ``None``)
    at the doctor ``sid``, its registration for ``values`` accepted (its visit made, or
    refused for its patient): its id."""
    token = token or c.kiosk
    made = allocate(c.url, token, sid)
    assert made.status_code == 201, made.text
    ticket_id: str = made.json()["ticket_id"]
    item = hospital_registration(
        ticket_id,
        made.json()["display"],
        "online",
        {"schedule_id": sid, "payer": "jkn"},
        values=values,
        card_number=None,
    )
    [done] = results(c.url, token, [item])
    assert done["status"] == "accepted", done
    return ticket_id


def locks_awaited(db: Database, sides: Sequence[threading.Thread], ours: int, count: int) -> None:
    """Return once ``count`` transactions other than ``ours`` (the test's backend) wait on
    a lock (the sides'); fail if a side ends first or they do not wait within
    :data:`WAIT_S`."""
    deadline = time.monotonic() + WAIT_S
    while True:
        with db.read() as conn:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND pid <> :ours"
                ),
                {"ours": ours},
            ).scalar_one()
        if waiting >= count:
            return
        assert all(side.is_alive() for side in sides), "a side ended without waiting"
        assert time.monotonic() < deadline, f"{waiting} of {count} did not wait on a lock in time"
        time.sleep(0.02)


def backend(conn: Connection) -> int:
    """The PostgreSQL backend of ``conn``, its lock wait bounded for its transaction."""
    conn.execute(text(f"SET LOCAL lock_timeout = '{WAIT_S}s'"))
    return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


class Running(threading.Thread):
    """``work`` run in a thread: its answer or its error kept."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.answer: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.answer = self.work()
        except BaseException as exc:  # kept for the test to assert on
            self.error = exc


def one_after_another(
    db: Database, hold: Callable[[Connection], None], *works: Callable[[], Any]
) -> list[Any]:
    """The test's transaction holds a row (``hold``); each of ``works`` starts in turn once
    the ones before it wait on a lock; then the test commits. Their answers, in order,
    once each has ended (an error of one fails the test)."""
    sides: list[Running] = []
    with db.engine.connect() as conn:
        holder = conn.begin()
        try:
            ours = backend(conn)
            hold(conn)
            for n, work in enumerate(works, start=1):
                sides.append(Running(work))
                sides[-1].start()
                locks_awaited(db, sides, ours, n)
            holder.commit()
        finally:
            if holder.is_active:
                holder.rollback()
            for side in sides:
                side.join(2 * WAIT_S)
    assert not any(side.is_alive() for side in sides), "a side never ended"
    errors = [side.error for side in sides if side.error is not None]
    assert not errors, errors
    return [side.answer for side in sides]
