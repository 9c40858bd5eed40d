"""The public ticket status: ``GET /api/v1/public/tickets/{id}`` (JSON; the page ``/t/{id}`` is
:mod:`central.web.ticket`).

Anyone holding a ticket may look at it: the ticket's QR code carries
``/t/<ticket id>``, a random UUID nobody can guess. The answer names the
queue, never the citizen: nothing of the registration (names, NIK, form
values) is read here. Limited per client address.

An id that two kiosks registered (one of them read it off the other's paper:
:mod:`central.office.submissions`) is *disputed*: the centre cannot tell which
ticket the paper is, so it shows neither (409 ``ticket_disputed``, and a
page sending the citizen to the counter with the paper).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import Connection, Row, func, select

from central.api.deps import AppContext, Context, client_address, limit
from central.api.queue import TicketId
from central.errors import Disputed, NotFound
from central.office import numbering, queue
from central.tables import tickets
from contract.wire import ErrorCode

router = APIRouter(tags=["public"])

REFRESH_S = 30


class ServiceName(BaseModel):
    id: str
    en: str


class PublicTicket(BaseModel):
    number: str
    service_id: str
    service_name: ServiceName
    office_name: str
    status: str
    counter: str
    people_ahead: int
    now_serving: str | None
    estimated_wait_minutes: int
    issued_at: dt.datetime
    called_at: dt.datetime | None


def _disputed(conn: Connection, row: Row[Any]) -> bool:
    """Whether another kiosk's ticket claims this id and the paper may be either.

    Decided on the centre's own times (``recorded_at``), never on a
    claimant's clock: a number allocated online was given before any claim
    the centre received after it, so such a claim is a copy of this paper
    and the page stays, whatever ``issued_at`` the claimant gives. Any
    second claim of an id first registered offline disputes it (the centre
    has no time of its own for when that paper was printed).
    """
    claims = tickets.c.kiosk_ticket_id == row.id
    if row.number_source != "online":
        return conn.execute(select(tickets.c.id).where(claims).limit(1)).first() is not None
    earliest = conn.execute(
        select(func.min(tickets.c.recorded_at)).where(claims)
    ).scalar_one_or_none()
    return earliest is not None and earliest < row.recorded_at


def ticket_status(ctx: AppContext, request: Request, ticket_id: str) -> PublicTicket | None:
    limit(ctx, f"addr:{client_address(request)}")
    with ctx.db.read() as conn:
        row = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
        if row is None:
            return None
        if _disputed(conn, row):
            raise Disputed("two kiosks registered this ticket id: ask at the counter")
        facts = queue.catalog_facts(conn, ctx.documents)
        # The queue the ticket stands in now: a counter may have transferred it.
        service = numbering.service_info(conn, row.queue_id)
        place = queue.place(conn, row, facts)
    names = facts.service_names.get(row.queue_id, {"id": service.name, "en": service.name})
    return PublicTicket(
        number=row.display,
        service_id=row.queue_id,
        service_name=ServiceName(id=names["id"], en=names["en"]),
        office_name=facts.office_names.get(row.office_id, row.office_id),
        status=row.status,
        counter=row.counter or service.counter,
        people_ahead=place.people_ahead,
        now_serving=place.now_serving,
        estimated_wait_minutes=place.estimated_wait_minutes,
        issued_at=row.issued_at,
        called_at=row.called_at,
    )


@router.get(
    "/api/v1/public/tickets/{ticket_id}",
    responses={
        404: {"description": "`unknown_ticket`."},
        409: {"description": "`ticket_disputed`: two kiosks registered this id."},
    },
)
def public_ticket(ticket_id: TicketId, request: Request, ctx: Context) -> PublicTicket:
    """A ticket's place in its queue, for anyone holding its id; no personal data."""
    found = ticket_status(ctx, request, ticket_id)
    if found is None:
        raise NotFound(
            "this ticket has not reached the centre (yet)", code=ErrorCode.UNKNOWN_TICKET
        )
    return found
