"""A queue's day of numbers: citizens' numbers count up from 001, leased blocks come down from 999.

A queue is (office, service, day). Its numbers are one row of
``ticket_counters`` and two ranges of one space, 1 to :data:`TOP_NUMBER`:

* ``last_number`` counts up: online tickets (:func:`take_numbers`), and
  fallback tickets when they reach the centre. The first citizen of the
  day is 001 whatever the kiosks hold for offline use;
* ``lease_floor`` counts down: a lease (:func:`take_lease_block`) is the
  block just under the lowest one leased before (999 down to 980, then
  979 down to 960, …). A leased number never pushes a citizen's number up,
  and one that is never used is never anyone's place in the queue.

When the ranges meet (a very busy day: the next online number would be
a leased one, or a new block no longer fits between them), the queue
goes on above the space: online tickets and leases take 1000, 1001, …
in turn from ``last_number``, as every number did before the split.
The numbers left between the ranges are never handed out. Nothing is
handed out twice, nothing is refused: ``A-1000`` is a longer number, not
an error. A row from before the split (``lease_floor`` left at
``TOP_NUMBER + 1``, its old leases at or under ``last_number``) goes on
the same way: its online numbers after them, its new leases from the top.

Each take is one ``INSERT … ON CONFLICT DO UPDATE … RETURNING``: on
PostgreSQL the row lock makes concurrent transactions take turns (a
rolled-back one hands back nothing), on SQLite ``BEGIN IMMEDIATE``
already serialises writers; the unique constraints of ``tickets`` are
the last guard.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import Connection, Date, Integer, Table, bindparam, case, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import ReturningInsert

from central.tables import UtcDateTime, ticket_counters
from central.upsert import dialect_insert

Insert = postgresql.Insert | sqlite.Insert

#: The highest number of a queue's day before the ranges meet (three digits on the ticket).
TOP_NUMBER = 999

_counter = ticket_counters.c
#: The highest number handed out above the space, or the top of it (both ranges continue there).
_above = case((_counter.last_number > TOP_NUMBER, _counter.last_number), else_=TOP_NUMBER)


def take_numbers(
    conn: Connection, office_id: str, service_id: str, day: dt.date, count: int, now: dt.datetime
) -> int:
    """Take ``count`` consecutive numbers counting up (citizens' numbers); returns the first."""
    return take_counted(conn, office_id, service_id, day, count, now)[0]


def take_counted(
    conn: Connection, office_id: str, service_id: str, day: dt.date, count: int, now: dt.datetime
) -> tuple[int, dt.datetime]:
    """:func:`take_numbers`, and the time they were taken.

    The time never goes back within a queue (``now``, or the latest take's
    if that is later): two requests racing for the counter get their
    numbers and their issue times in the same order, so a queue called
    by issue time calls 001 before 002.
    """
    row = conn.execute(
        _take_counted(conn.dialect.name),
        {
            "p_office": office_id,
            "p_service": service_id,
            "p_day": day,
            "p_count": count,
            "p_now": now,
        },
    ).one()
    return int(row.last_number) - count + 1, row.updated_at


@functools.cache
def _take_counted(dialect: str) -> ReturningInsert[Any]:
    """:func:`take_counted`'s statement for ``dialect``, made once (a citizen's number
    takes it: building it each time cost more than the database's work)."""
    count = bindparam("p_count", type_=Integer)
    now = bindparam("p_now", type_=UtcDateTime)
    fits = _counter.last_number + count < _counter.lease_floor
    return (
        _dialect_insert(dialect, ticket_counters)
        .values(
            office_id=bindparam("p_office"),
            service_id=bindparam("p_service"),
            day=bindparam("p_day", type_=Date),
            last_number=count,
            lease_floor=TOP_NUMBER + 1,
            updated_at=now,
        )
        .on_conflict_do_update(
            index_elements=[_counter.office_id, _counter.service_id, _counter.day],
            set_={
                "last_number": case((fits, _counter.last_number + count), else_=_above + count),
                "updated_at": case((_counter.updated_at > now, _counter.updated_at), else_=now),
            },
        )
        .returning(_counter.last_number, _counter.updated_at)
    )


def hold_queue(
    conn: Connection, office_id: str, service_id: str, day: dt.date, now: dt.datetime
) -> None:
    """Hold the queue's counter for the caller's transaction before any booking, visit or
    doctor's day, as a kiosk's batch takes them (counters first: the one lock order,
    central/hospital/visits.py); made, numbering nothing, if the queue has none yet.

    An online poli ticket's allocate checks its patient (closing a lapsed Mobile JKN
    booking of theirs, its place given back) and takes its doctor's place before its
    number (a refused patient or a full quota uses no number): held only when its number
    came, the counter was waited for with a doctor's day held, while a batch numbering
    an offline ticket of the queue held the counter and waited for that doctor's day: a
    deadlock on PostgreSQL. On SQLite, one writer at a time: nothing done.
    """
    if conn.dialect.name != "postgresql":
        return
    conn.execute(
        postgresql.insert(ticket_counters)
        .values(
            office_id=office_id,
            service_id=service_id,
            day=day,
            last_number=0,
            lease_floor=TOP_NUMBER + 1,
            updated_at=now,
        )
        .on_conflict_do_update(
            index_elements=[_counter.office_id, _counter.service_id, _counter.day],
            set_={"last_number": _counter.last_number},  # nothing changed: the row held
        )
    )


def take_lease_block(
    conn: Connection, office_id: str, service_id: str, day: dt.date, size: int, now: dt.datetime
) -> int:
    """Take a block of ``size`` numbers for a lease, from the top down; returns its first."""
    below_top = _counter.last_number < TOP_NUMBER
    fits = below_top & (_counter.lease_floor - size > _counter.last_number)
    if size <= TOP_NUMBER:
        first_row = {"last_number": 0, "lease_floor": TOP_NUMBER + 1 - size}
    else:  # pragma: no cover - a lease is at most a few hundred numbers
        first_row = {"last_number": TOP_NUMBER + size, "lease_floor": TOP_NUMBER + 1}
    statement = (
        dialect_insert(conn, ticket_counters)
        .values(office_id=office_id, service_id=service_id, day=day, updated_at=now, **first_row)
        .on_conflict_do_update(
            index_elements=[_counter.office_id, _counter.service_id, _counter.day],
            set_={
                "lease_floor": case(
                    (fits, _counter.lease_floor - size), else_=_counter.lease_floor
                ),
                "last_number": case((fits, _counter.last_number), else_=_above + size),
                "updated_at": _latest(now),
            },
        )
        .returning(_counter.last_number, _counter.lease_floor)
    )
    row = conn.execute(statement).one()
    # Under the top the block is the new floor's; above it, the block ends at last_number.
    if row.last_number > TOP_NUMBER:
        return int(row.last_number) - size + 1
    return int(row.lease_floor)


def _latest(now: dt.datetime) -> object:
    at = literal(now, UtcDateTime)
    return case((_counter.updated_at > at, _counter.updated_at), else_=at)


def _dialect_insert(dialect: str, table: Table) -> Insert:
    """:func:`central.upsert.dialect_insert` for a dialect's name (no connection at hand)."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
