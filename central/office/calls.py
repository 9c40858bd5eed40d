"""What the counters did, in order: the events boards announce and catch up from.

Every step a counter takes on a ticket is one row of ``call_events``, written
in the same transaction as the step itself, so an event exists exactly when
the step happened. ``id`` orders them: a board that was away asks for the
events after the last id it saw (:func:`after`). Writing one also tells every
server process that the office has news (:func:`central.live.notify`); the
caller wakes its own process's followers after commit
(``ctx.live.wake(office_id)``).

Kinds: ``call`` and ``recall`` (announced), ``transfer``, ``hold``,
``served``, ``no_show`` (shown, not announced). No personal data: a ticket's
number, queue and counter only, and the service whose counter that was when the step
was made (``counter_service_id``): a catalog published since may rename or drop it,
and whether a poli sent a patient on (central.hospital.seen) is what happened then.

Every step is also where the citizens' messages about the queue are written
(:func:`central.messages.triggers.after_counter_step`): "called", and "N
ahead" for the tickets it moved forward. A hospital visit's ticket served makes
the visit ``done``, marked ``no_show`` closes it (cancelled, its place given back:
:func:`central.hospital.visits.after_counter_step`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from central.hospital import visits
from central.integrations import triggers as integration_triggers
from central.live import notify
from central.messages import triggers
from central.office.counters import whose
from central.tables import call_events

CALL, RECALL, TRANSFER, HOLD, SERVED, NO_SHOW = (
    "call",
    "recall",
    "transfer",
    "hold",
    "served",
    "no_show",
)
#: The kinds a board announces aloud.
ANNOUNCED = frozenset({CALL, RECALL})
EventRow = Row[tuple[Any, ...]]


def record(
    conn: Connection,
    ticket: Any,
    kind: str,
    *,
    counter: str | None,
    actor: str,
    at: dt.datetime,
) -> int:
    """Write the event ``kind`` of ``ticket`` (a ticket row, as it is after the step), with
    the service whose counter ``counter`` is now (:func:`central.office.counters.whose`)."""
    result = conn.execute(
        insert(call_events).values(
            office_id=ticket.office_id,
            at=at,
            day=ticket.day,
            kind=kind,
            ticket_id=ticket.id,
            display=ticket.display,
            queue_id=ticket.queue_id,
            counter=counter,
            counter_service_id=whose(conn, ticket.office_id, ticket.service_id, counter),
            actor=actor,
        )
    )
    notify(conn, ticket.office_id)
    triggers.after_counter_step(conn, ticket, kind, at)
    integration_triggers.after_counter_step(conn, getattr(ticket, "_mapping", ticket), kind, at)
    visits.after_counter_step(conn, ticket.id, kind, at)
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every insert here has a primary key
        raise RuntimeError("no id for the new call event")
    return int(key[0])


def after(conn: Connection, office_id: str, after_id: int, limit: int = 200) -> list[EventRow]:
    """The office's events after ``after_id``, oldest first (at most ``limit``)."""
    return list(
        conn.execute(
            select(call_events)
            .where(call_events.c.office_id == office_id, call_events.c.id > after_id)
            .order_by(call_events.c.id)
            .limit(limit)
        )
    )


def recent_calls(conn: Connection, office_id: str, day: dt.date, limit: int = 10) -> list[EventRow]:
    """The office's last announced events of ``day``, newest first."""
    return list(
        conn.execute(
            select(call_events)
            .where(
                call_events.c.office_id == office_id,
                call_events.c.day == day,
                call_events.c.kind.in_(ANNOUNCED),
            )
            .order_by(call_events.c.id.desc())
            .limit(limit)
        )
    )


def last_id(conn: Connection, office_id: str) -> int:
    """The id of the office's newest event (0 when none)."""
    found = conn.execute(
        select(call_events.c.id)
        .where(call_events.c.office_id == office_id)
        .order_by(call_events.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return int(found or 0)
