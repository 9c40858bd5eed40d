"""Whether the doctor has seen a poli ticket's holder: the one answer, from what happened.

A poli's counter serves a ticket, or sends it on (transfer) to a later queue such as the
pharmacy: either way the doctor saw the patient and the visit happened. A ticket can be
sent back to its poli afterwards (a prescription to correct) and then waits there as it
did before the doctor's call; where a ticket stands now therefore cannot tell whether the
doctor saw its holder. Its counter steps (``call_events``, written with each step) can:
one ``served``, or one ``transfer`` that left it away from its poli (:func:`away_clause`):
in a queue that is not its poli's (an event's ``queue_id`` is where the step left the
ticket), or waiting for a counter another service of the office named as its own (the
pharmacy's ``Farmasi``: the transfer form may name the counter and leave the queue as it
is; a transfer's event records the counter it was sent to, and whose counter it was
then: ``counter_service_id``, so a catalog published since that renames or drops the
pharmacy's counter changes nothing that happened).

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

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from central.tables import call_events

#: The counter steps (central.office.calls) that tell the doctor saw the patient, and the
#: one that called the ticket.
SERVED, TRANSFER, CALL = "served", "transfer", "call"


def away_clause(poli: str, queue_id: Any, counter_service: Any) -> ColumnElement[bool]:
    """Whether a step that left a ticket in ``queue_id`` at a counter of ``counter_service``
    (``call_events`` columns) left it away from ``poli``: in another queue, or at a counter
    another service named as its own when the step was made (the event records it:
    :func:`central.office.counters.whose`, which gives a counter the poli names itself,
    shared or not, to the poli)."""
    return or_(queue_id != poli, and_(counter_service.is_not(None), counter_service != poli))


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
                    away_clause(poli, call_events.c.queue_id, call_events.c.counter_service_id),
                ),
            ),
        )
        .limit(1)
    ).first()
    return seen is not None


def at_the_poli(
    conn: Connection, ticket_id: str, poli: str, queue_id: str, upto: int | None = None
) -> bool:
    """Whether ``ticket_id``, a ticket of ``poli`` in ``queue_id`` after its step ``upto``
    (a ``call_events`` id; None: its latest), stood at its poli: in its queue, and not
    sent by its last transfer up to that step to a counter another service named (the
    pharmacy's, the queue left as it is). Where it is called does not move it: a poli's
    tickets may be called at any counter of the office, numbered ones shared. A step
    replayed later (a registration that came after the poli called the ticket) is placed
    by the transfers before it, never by one made since."""
    if queue_id != poli:
        return False
    transfers = select(
        away_clause(poli, call_events.c.queue_id, call_events.c.counter_service_id)
    ).where(call_events.c.ticket_id == ticket_id, call_events.c.kind == TRANSFER)
    if upto is not None:
        transfers = transfers.where(call_events.c.id <= upto)
    away = conn.execute(transfers.order_by(call_events.c.id.desc()).limit(1)).scalar()
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


def last_call_by(poli: str, ticket_id: Any) -> Any:
    """The id of the last call of ticket ``ticket_id`` (a column) made by ``poli``, as a
    scalar subquery (None: never called there): a call in its queue at no counter another
    service named then. The pharmacy calling a patient the poli sent to its counter (the queue
    left as it is) is the pharmacy's call, not the poli's. Found by the ticket's index,
    so a doctor's day reads its own tickets' steps, never the centre's whole history."""
    return (
        select(func.max(call_events.c.id))
        .where(
            call_events.c.ticket_id == ticket_id,
            call_events.c.kind == CALL,
            ~away_clause(poli, call_events.c.queue_id, call_events.c.counter_service_id),
        )
        .scalar_subquery()
    )
