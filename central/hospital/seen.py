"""Whether the doctor has seen a poli ticket's holder: the one answer, from what happened.

A poli's counter serves a ticket, or sends it on (transfer) to a later queue such as the
pharmacy: either way the doctor saw the patient and the visit happened. A ticket can be
sent back to its poli afterwards (a prescription to correct) and then waits there as it
did before the doctor's call; where a ticket stands now therefore cannot tell whether the
doctor saw its holder. Its counter steps (``call_events``, written with each step) can:
one ``served``, or one ``transfer`` into a queue that is not its poli's (an event's
``queue_id`` is where the step left the ticket).

Every path that asks is answered here: a kiosk's or desk's cancel (``done`` once the
doctor saw them: :func:`central.hospital.visits.cancel`), a no-show (the visit closed
and its place given back only if they were not seen:
:func:`central.hospital.visits.after_counter_step`), and what BPJS and SATUSEHAT hear
of that no-show (:func:`central.integrations.triggers.after_counter_step`). WS RS's
``batal antrean`` asks nothing of it: it cancels only a booking no ticket was taken for.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, or_, select

from central.tables import call_events

#: The counter steps (central.office.calls) that tell the doctor saw the patient.
SERVED, TRANSFER = "served", "transfer"


def by_the_doctor(conn: Connection, ticket_id: str, poli: str) -> bool:
    """Whether ``ticket_id``'s holder was seen by the doctor of ``poli`` (its poli: the
    ticket's service, its visit's): the ticket was served, or ever sent on from ``poli``
    (``transfer`` into another queue), sent back since or not."""
    seen = conn.execute(
        select(call_events.c.id)
        .where(
            call_events.c.ticket_id == ticket_id,
            or_(
                call_events.c.kind == SERVED,
                and_(call_events.c.kind == TRANSFER, call_events.c.queue_id != poli),
            ),
        )
        .limit(1)
    ).first()
    return seen is not None
