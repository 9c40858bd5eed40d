"""Whether the doctor has seen a poli ticket's holder: the one answer, from what happened.

A poli's counter serves a ticket, or sends it on (transfer) to a later queue such as the
pharmacy: either way the doctor saw the patient and the visit happened. A ticket can be
sent back to its poli afterwards (a prescription to correct) and then waits there as it
did before the doctor's call; where a ticket stands now therefore cannot tell whether the
doctor saw its holder. Its counter steps (``call_events``, written with each step) can:
one ``served``, or one ``transfer`` that left it away from its poli (:func:`away_clause`):
in a queue that is not its poli's (an event's ``queue_id`` is where the step left the
ticket), or waiting for a counter another service of the office names as its own (the
pharmacy's ``Farmasi``: the transfer form may name the counter and leave the queue as it
is; a transfer's event records the counter it was sent to).

Every path that asks is answered here: a kiosk's or desk's cancel (``done`` once the
doctor saw them: :func:`central.hospital.visits.cancel`), a no-show (the visit closed
and its place given back only if they were not seen:
:func:`central.hospital.visits.after_counter_step`), and what BPJS and SATUSEHAT hear
of each step (:func:`central.integrations.triggers.after_counter_step`, which asks
:func:`at_the_poli` whether a step found the ticket at its poli or sent on). WS RS's
``batal antrean`` asks nothing of it: it cancels only a booking no ticket was taken for.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, or_, select

from central.tables import call_events, services

#: The counter steps (central.office.calls) that tell the doctor saw the patient, and the
#: one that called the ticket.
SERVED, TRANSFER, CALL = "served", "transfer", "call"


def _others_counters(poli: str) -> Any:
    """The counters the other services of ``poli``'s office name as their own, less any
    the poli names itself (a numbered counter two services share stays the poli's)."""
    own = select(services.c.counter).where(services.c.id == poli)
    office = select(services.c.office_id).where(services.c.id == poli).scalar_subquery()
    return select(services.c.counter).where(
        services.c.office_id == office,
        services.c.id != poli,
        services.c.counter.not_in(own),
    )


def away_clause(poli: str, queue_id: Any, counter: Any) -> ColumnElement[bool]:
    """Whether a ticket standing in ``queue_id`` for ``counter`` (columns or values) is away
    from ``poli``: in another queue, or sent to a counter another service names."""
    return or_(queue_id != poli, and_(counter.is_not(None), counter.in_(_others_counters(poli))))


def by_the_doctor(conn: Connection, ticket_id: str, poli: str) -> bool:
    """Whether ``ticket_id``'s holder was seen by the doctor of ``poli`` (its poli: the
    ticket's service, its visit's): the ticket was served, or ever sent on away from
    ``poli`` (:func:`away_clause`), sent back since or not."""
    seen = conn.execute(
        select(call_events.c.id)
        .where(
            call_events.c.ticket_id == ticket_id,
            or_(
                call_events.c.kind == SERVED,
                and_(
                    call_events.c.kind == TRANSFER,
                    away_clause(poli, call_events.c.queue_id, call_events.c.counter),
                ),
            ),
        )
        .limit(1)
    ).first()
    return seen is not None


def at_the_poli(conn: Connection, ticket_id: str, poli: str, queue_id: str) -> bool:
    """Whether ``ticket_id``, a ticket of ``poli`` now in ``queue_id``, stands at its poli:
    in its queue, and not sent by its last transfer to a counter another service names
    (the pharmacy's, the queue left as it is). Where it is called does not move it: a
    poli's tickets may be called at any counter of the office, numbered ones shared."""
    if queue_id != poli:
        return False
    away = conn.execute(
        select(away_clause(poli, call_events.c.queue_id, call_events.c.counter))
        .where(call_events.c.ticket_id == ticket_id, call_events.c.kind == TRANSFER)
        .order_by(call_events.c.id.desc())
        .limit(1)
    ).scalar()
    return not away


def called_in(poli: Any, ticket_id: Any) -> ColumnElement[bool]:
    """Whether ticket ``ticket_id`` was ever called in the queue ``poli`` (columns or
    values): the doctor's queue reached it, though a send-on since has cleared its
    ``called_at`` and it waits elsewhere (Mobile JKN's sisa antrean counts it no more)."""
    return (
        select(call_events.c.id)
        .where(
            call_events.c.ticket_id == ticket_id,
            call_events.c.kind == CALL,
            call_events.c.queue_id == poli,
        )
        .exists()
    )
