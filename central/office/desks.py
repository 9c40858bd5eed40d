"""Desks: the counter (loket) a staff member works at and the queues it serves.

A staff member picks them on the counter page itself; nothing needs setting
up first. The counters offered are the office's own
(:func:`central.office.counters.offered`: ``Loket 1`` … ``Loket N`` and every
counter the office's services name in the catalog; ``"3"`` is ``Loket 3``, a
name such as ``Informasi`` is offered as it is). A counter is stored by its
catalog name (``"3"``), as the API and the ticket's paper name it;
:func:`label` gives its name on screen. One desk per staff member, in one
office (``staff_desks``); an account limited to an office sits only there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, case, exists, func, or_, select, text

from central.access.staff import StaffPrincipal
from central.errors import ApiError, CounterBusy, Forbidden
from central.office.counters import require_offered, waiting_for
from central.office.numbering import office_services
from central.office.queue import CALLED, HELD, WAITING, TicketRow, callable_at
from central.tables import staff_desks, tickets
from central.upsert import upsert


@dataclass(frozen=True)
class Desk:
    """Where a staff member works: an office, a counter and the queues it calls from."""

    office_id: str
    counter: str
    queues: tuple[str, ...]


def label(counter: str) -> str:
    """A counter's name on screen: ``"3"`` → ``Loket 3``; other names as they are."""
    return f"Loket {counter}" if counter.isdigit() else counter


def desk_of(conn: Connection, staff: StaffPrincipal, day: dt.date, now: dt.datetime) -> Desk | None:
    """The desk ``staff`` chose, or ``None`` (none yet, in an office it no longer reaches, or
    none of its services active any more).

    A desk whose services a new catalog all dropped stays, calling from no queue, while
    a ticket is still called or held at its counter (:func:`busy` at ``now``): the staff
    member may not leave those tickets (:func:`choose`), so the page must still show them
    to be closed, transferred or sent back to a queue.
    """
    row = conn.execute(select(staff_desks).where(staff_desks.c.staff_id == staff.staff_id)).first()
    if row is None or not staff.may_act_for(row.office_id):
        return None
    active = office_services(conn, row.office_id)
    queues = tuple(q for q in json.loads(row.queues) if q in active)
    if queues or busy(conn, row.office_id, row.counter, now, held_on=day):
        return Desk(row.office_id, row.counter, queues)
    return None


def choose(
    conn: Connection,
    staff: StaffPrincipal,
    office_id: str,
    counter: str,
    queues: list[str],
    now: dt.datetime,
    day: dt.date,
) -> Desk:
    """Sit ``staff`` at ``counter`` of ``office_id``, calling from ``queues``.

    403 for an office the account does not reach; 422 for a counter the
    office does not have (:class:`~central.errors.UnknownCounter`); 400 for a
    queue that is not one of its active services. 409 :class:`CounterBusy` for leaving a
    counter that has a ticket called or held: it would stand there with
    nobody to close or call it back (changing only the services is allowed).
    """
    if not staff.may_act_for(office_id):
        raise Forbidden("this account works for another office")
    require_offered(conn, office_id, counter)
    active = office_services(conn, office_id)
    chosen = tuple(dict.fromkeys(queues))
    if not chosen or any(q not in active for q in chosen):
        raise ApiError("choose one or more of the office's services")
    old = conn.execute(select(staff_desks).where(staff_desks.c.staff_id == staff.staff_id)).first()
    moving = old is not None and (old.office_id, old.counter) != (office_id, counter)
    if old is not None and moving:
        lock_counter(conn, old.office_id, old.counter)
        if busy(conn, old.office_id, old.counter, now, held_on=day):
            raise CounterBusy(f"counter {old.counter} still has a ticket called or held")
    upsert(
        conn,
        staff_desks,
        {"staff_id": staff.staff_id},
        {
            "office_id": office_id,
            "counter": counter,
            "queues": json.dumps(list(chosen)),
            "updated_at": now,
        },
    )
    return Desk(office_id, counter, chosen)


#: How many days a ticket left called or held at a counter still counts there: one
#: called before midnight and not yet closed must stay in sight (and keep its counter
#: busy) the next day, without every step scanning the office's whole history. A called
#: ticket counts for this long after its last call (``called_at``), whatever its own day:
#: one held longer and then called back is called there now. A held one counts by its
#: day, as the page lists it.
OPEN_DAYS = 7


def _recent(day: dt.date) -> Any:
    return tickets.c.day >= day - dt.timedelta(days=OPEN_DAYS)


def _called_since(now: dt.datetime) -> dt.datetime:
    """The earliest last call of a ticket that still keeps its counter busy at ``now``."""
    return now - dt.timedelta(days=OPEN_DAYS)


def _called_at(table: Any, office_id: str, counter: str, now: dt.datetime) -> list[Any]:
    """``table``'s (``tickets`` or an alias) tickets called at ``counter`` within
    :data:`OPEN_DAYS` of ``now`` by their last call, as conditions: found by the index on
    (office, counter, status, called_at), a counter's few, never the office's history."""
    return [
        table.c.office_id == office_id,
        table.c.counter == counter,
        table.c.status == CALLED,
        table.c.called_at >= _called_since(now),
    ]


def lock_counter(conn: Connection, office_id: str, counter: str) -> None:
    """Take ``counter``'s turn for the rest of the transaction: its steps go one at a time.

    "Is the counter free?" and "call a ticket to it" must be one step, or two
    pages (or two clerks at one counter) calling at once each see it free and
    each call a ticket. PostgreSQL: a transaction-scoped advisory lock named by
    the office and counter; SQLite already runs one writing transaction at a
    time (``BEGIN IMMEDIATE``).
    """
    if conn.dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"counter\0{office_id}\0{counter}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def busy_clause(
    office_id: str, counter: str, now: dt.datetime, *, held_on: dt.date | None = None
) -> Any:
    """Whether ``counter`` has a ticket called within :data:`OPEN_DAYS` of ``now`` (by its
    last call, whatever its day: one called back counts), as a condition (for a guarded
    update); with ``held_on`` (today), or one held there of the last :data:`OPEN_DAYS`
    days (by its day)."""
    called = tickets.alias("called_here")
    clause = exists().where(*_called_at(called, office_id, counter, now))
    if held_on is None:
        return clause
    held = tickets.alias("held_here")
    return or_(
        clause,
        exists().where(
            held.c.office_id == office_id,
            held.c.counter == counter,
            held.c.status == HELD,
            held.c.day >= held_on - dt.timedelta(days=OPEN_DAYS),
        ),
    )


def busy(
    conn: Connection,
    office_id: str,
    counter: str,
    now: dt.datetime,
    *,
    held_on: dt.date | None = None,
) -> bool:
    """Whether ``counter`` has a ticket called (or, with ``held_on``, held) to close, hold
    or transfer first (:func:`busy_clause`)."""
    clause = busy_clause(office_id, counter, now, held_on=held_on)
    return bool(conn.execute(select(clause)).scalar())


def called_here(conn: Connection, office_id: str, counter: str, now: dt.datetime) -> Any:
    """The ticket ``counter`` has called (the oldest by day, then by call, within
    :data:`OPEN_DAYS` of ``now`` by its last call, in any service), or ``None``: what
    :func:`busy` finds, named, so a staff client told the counter is busy can close it
    (one left called before midnight, called back after a long hold, or in a service the
    catalog has dropped since, is in no queue it lists)."""
    return conn.execute(
        select(tickets.c.id, tickets.c.display, tickets.c.day)
        .where(*_called_at(tickets, office_id, counter, now))
        .order_by(tickets.c.day, tickets.c.called_at)
        .limit(1)
    ).first()


def waiting_mark(conn: Connection, desk: Desk, day: dt.date, now: dt.datetime) -> str:
    """A cheap mark of the desk's waiting list: it changes when a kiosk issues a ticket to it.

    The waiting tickets of the desk's queues, counted on their index (a step
    at a counter writes a call event; a ticket issued at a kiosk does not), and those
    of them whose citizen is still at the kiosk at ``now`` (a registration, or the time
    running out, makes one callable: :func:`central.office.queue.callable_at`).
    """
    found = conn.execute(
        select(
            func.count(),
            func.count(case((~callable_at(now), 1))),
        ).where(
            tickets.c.queue_id.in_(desk.queues),
            tickets.c.day == day,
            tickets.c.status == WAITING,
        )
    ).one()
    return f"{day.isoformat()}.{int(found[0])}.{int(found[1])}"


@dataclass(frozen=True)
class DeskState:
    """What a desk sees: its called tickets, the tickets it would call (in order), its held ones.

    ``called`` is every ticket called at the counter, first called first
    (one: every call to a counter waits until it has none called,
    :func:`central.office.steps.call_next`; more only as an earlier centre,
    whose staff API called over a called ticket, left them): none is hidden.
    ``current``, the one the page's buttons act on, is the first of them.
    """

    called: tuple[TicketRow, ...]
    waiting: tuple[TicketRow, ...]
    held: tuple[TicketRow, ...]

    @property
    def current(self) -> TicketRow | None:
        return self.called[0] if self.called else None


def desk_state(conn: Connection, desk: Desk, day: dt.date, now: dt.datetime) -> DeskState:
    """The desk's called tickets, its waiting tickets in call order, its held ones.

    Waiting: today's. Held: of the last :data:`OPEN_DAYS` days too, so a ticket still
    open at midnight is there to be closed. Called: every one that keeps the counter busy
    (:func:`busy` at ``now``: last called within :data:`OPEN_DAYS`, whatever its day, so
    one called back after a long hold is on the page to be served).
    """
    called_rows = conn.execute(
        select(tickets).where(*_called_at(tickets, desk.office_id, desk.counter, now))
    ).all()
    rows = conn.execute(
        select(tickets).where(
            tickets.c.office_id == desk.office_id,
            _recent(day),
            tickets.c.day <= day,
            or_(
                and_(
                    tickets.c.day == day,
                    tickets.c.status == WAITING,
                    waiting_for(conn, desk.office_id, desk.queues, desk.counter),
                ),
                and_(tickets.c.status == HELD, tickets.c.counter == desk.counter),
            ),
        )
    ).all()
    called = sorted(called_rows, key=lambda r: r.called_at)
    waiting = sorted(  # as call_next calls them (CALL_ORDER)
        (r for r in rows if r.status == WAITING),
        key=lambda r: (-r.priority, r.queued_at, r.number),
    )
    held = sorted((r for r in rows if r.status == HELD), key=lambda r: r.called_at or r.queued_at)
    return DeskState(tuple(called), tuple(waiting), tuple(held))
