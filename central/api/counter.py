"""The counter's side of the queue (staff): see the queues, call the next ticket, close it.

A staff account limited to an office works only on that office's queues
(403 otherwise); an account for every office names the office.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from central.access.audit import utc_now
from central.access.staff import StaffPrincipal
from central.api.deps import Context, StaffAuth, staff_router
from central.api.enrolment import PRINTABLE
from central.api.queue import (
    SERVICE_ID,
    NumberedTicket,
    QueueOut,
    TicketId,
    numbered,
    queue_state,
)
from central.api.scope import office_filter
from central.api.staff import OFFICE_ID
from central.errors import ApiError
from central.office import numbering, queue, steps
from contract.wire import ErrorCode, ServiceQueue

router = staff_router(tags=["counter"])


class TicketOut(NumberedTicket):
    """A ticket as the counter sees it (no personal data: that stays with the registration)."""

    number_source: str
    status: str
    queue_id: str = Field(description="The queue it stands in now (a transfer moves it).")
    priority: int = Field(description="Higher is called first (1: transferred).")
    counter: str | None
    issued_at: dt.datetime
    called_at: dt.datetime | None
    finished_at: dt.datetime | None
    registered: bool = Field(description="Whether the kiosk's registration has arrived.")
    at_kiosk_until: dt.datetime | None = Field(
        default=None,
        description="A waiting number asked ahead while its citizen is still at the kiosk: "
        "call-next passes it by until then, or until its registration arrives (null: "
        "callable).",
    )


def ticket_out(row: queue.TicketRow, now: dt.datetime | None = None) -> TicketOut:
    """``row`` as the staff API shows it at ``now`` (default: the clock's): its wait at the
    kiosk only while it lasts, so null means callable, as the field says."""
    at_kiosk = queue.at_kiosk(row, now or utc_now())
    return TicketOut(
        **numbered(row),
        number_source=row.number_source,
        status=row.status,
        queue_id=row.queue_id,
        priority=row.priority,
        counter=row.counter,
        issued_at=row.issued_at,
        called_at=row.called_at,
        finished_at=row.finished_at,
        registered=row.registered_at is not None,
        at_kiosk_until=row.at_kiosk_until if at_kiosk else None,
    )


def _office_for(staff: StaffPrincipal, office_id: str | None) -> str:
    chosen = office_filter(staff, office_id)
    if chosen is None:
        raise ApiError("name the office: ?office_id=…", code=ErrorCode.OFFICE_REQUIRED)
    return chosen


@dataclass(frozen=True)
class StaffServiceQueue(ServiceQueue):
    """A queue as kiosks see it, with its open tickets for staff."""

    tickets: Annotated[
        list[TicketOut], Field(description="Waiting and called tickets, in queue order.")
    ]


class StaffQueueOut(QueueOut):
    services: list[StaffServiceQueue]  # type: ignore[assignment]


@router.get("/api/v1/staff/queue")
def staff_queue(
    staff: StaffAuth,
    ctx: Context,
    office_id: Annotated[str | None, Query(pattern=OFFICE_ID)] = None,
) -> StaffQueueOut:
    """Today's queues of an office (default: the account's own), with their open tickets."""
    out, rows = queue_state(ctx, _office_for(staff, office_id))
    per: dict[str, list[TicketOut]] = {}
    for row in rows:
        per.setdefault(row.queue_id, []).append(ticket_out(row))
    return StaffQueueOut(
        office_id=out.office_id,
        day=out.day,
        services=[
            StaffServiceQueue(**asdict(s), tickets=per.get(s.service_id, [])) for s in out.services
        ],
    )


Counter = Annotated[str, Field(min_length=1, max_length=100, pattern=PRINTABLE)]
ServiceId = Annotated[str, Field(pattern=SERVICE_ID)]


class CallRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    office_id: str = Field(pattern=OFFICE_ID)
    service_id: ServiceId | None = None
    service_ids: list[ServiceId] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="Several queues: the highest priority, then the ticket issued first.",
    )
    counter: Counter

    def queues(self) -> list[str]:
        chosen = [*([self.service_id] if self.service_id else []), *(self.service_ids or [])]
        if not chosen:
            raise ApiError("name service_id or service_ids")
        return list(dict.fromkeys(chosen))


class CallOut(BaseModel):
    ticket: TicketOut | None = Field(description="The ticket called; null when nobody waits.")


_UNKNOWN_COUNTER: dict[int | str, dict[str, str]] = {
    422: {"description": "`unknown_counter`: a counter the office does not have."}
}


@router.post(
    "/api/v1/staff/queue/call-next",
    responses={
        404: {"description": "`unknown_service`."},
        409: {
            "description": "`counter_busy`: the counter still has a ticket called (close, hold "
            "or transfer it first); nobody was called. A held ticket does not count."
        },
        **_UNKNOWN_COUNTER,
    },
)
def call_next(body: CallRequest, staff: StaffAuth, ctx: Context) -> CallOut:
    """Call the next waiting ticket of today's queue (or queues) to ``counter``, as the
    counter page does (:func:`central.office.steps.call_next`): one at a time per counter,
    and only while the counter has no ticket called (else 409 ``counter_busy``)."""
    office_id = _office_for(staff, body.office_id)
    now = utc_now()
    day = numbering.local_day(now, ctx.settings.zone)
    with ctx.db.begin() as conn:
        _, row = steps.call_next(conn, staff, office_id, body.queues(), body.counter, day, now)
    if row is not None:
        ctx.live.wake(office_id)
    return CallOut(ticket=ticket_out(row) if row is not None else None)


def _finish(ticket_id: str, staff: StaffPrincipal, ctx: Context, status: str) -> TicketOut:
    """Close the ticket as the counter page does (:func:`central.office.steps.close`): a
    called one, or one held at a counter the office no longer has when no service of the
    office could take it back (else 409: it goes back to a queue)."""
    now = utc_now()
    day = numbering.local_day(now, ctx.settings.zone)
    with ctx.db.begin() as conn:
        row = steps.close(conn, staff, ticket_id, status, None, now, day)
    ctx.live.wake(row.office_id)
    return ticket_out(row)


_FINISH_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "`unknown_ticket`."},
    409: {
        "description": "`invalid_transition`: the ticket is not `called` (nor `held` at a "
        "counter the office no longer has, with no active service of the office to take it "
        "back, or held there on a day before today: else it is sent back to a queue, not "
        "closed)."
    },
}


@router.post("/api/v1/staff/tickets/{ticket_id}/served", responses=_FINISH_RESPONSES)
def served(ticket_id: TicketId, staff: StaffAuth, ctx: Context) -> TicketOut:
    """A called ticket was served (or one held at a counter the office no longer has, that
    no queue of the office can take back)."""
    return _finish(ticket_id, staff, ctx, queue.SERVED)


@router.post("/api/v1/staff/tickets/{ticket_id}/no-show", responses=_FINISH_RESPONSES)
def no_show(ticket_id: TicketId, staff: StaffAuth, ctx: Context) -> TicketOut:
    """A called ticket's holder did not come (or one held at a counter the office no longer
    has, that no queue of the office can take back)."""
    return _finish(ticket_id, staff, ctx, queue.NO_SHOW)


class StepRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    counter: Counter | None = Field(
        default=None, description="When given, the ticket must be at this counter (else 409)."
    )


class TransferRequest(StepRequest):
    service_id: ServiceId | None = Field(default=None, description="The queue to wait in.")
    to_counter: Counter | None = Field(default=None, description="The only counter to call it.")


_STEP_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "`unknown_ticket` (also another office's ticket)."},
    409: {"description": "`invalid_transition`: the ticket is not in the state (or counter)."},
}


def _after_step(row: queue.TicketRow, ctx: Context) -> TicketOut:
    ctx.live.wake(row.office_id)
    return ticket_out(row)


@router.post(
    "/api/v1/staff/tickets/{ticket_id}/recall",
    responses={**_STEP_RESPONSES, **_UNKNOWN_COUNTER},
)
def recall(
    ticket_id: TicketId, staff: StaffAuth, ctx: Context, body: StepRequest | None = None
) -> TicketOut:
    """Announce a called ticket again, at its counter; it does not change.

    422 ``unknown_counter`` when the office no longer has that counter (a new
    catalog dropped it): nothing is announced, the ticket stays called there.
    """
    with ctx.db.begin() as conn:
        row = steps.recall(conn, staff, ticket_id, body.counter if body else None, utc_now())
    return _after_step(row, ctx)


@router.post(
    "/api/v1/staff/tickets/{ticket_id}/hold",
    responses={**_STEP_RESPONSES, **_UNKNOWN_COUNTER},
)
def hold(
    ticket_id: TicketId, staff: StaffAuth, ctx: Context, body: StepRequest | None = None
) -> TicketOut:
    """Set a called ticket aside (tunda): `held`.

    422 ``unknown_counter`` when the office no longer has its counter (nobody could
    call it back there): nothing is recorded, the ticket stays called there.
    """
    with ctx.db.begin() as conn:
        row = steps.hold(conn, staff, ticket_id, body.counter if body else None, utc_now())
    return _after_step(row, ctx)


class CallBackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    counter: Counter


@router.post(
    "/api/v1/staff/tickets/{ticket_id}/call-back",
    responses={
        **_STEP_RESPONSES,
        409: {
            "description": "`invalid_transition`: the ticket is not held at the counter; "
            "`counter_busy`: the counter has another ticket called (named in the detail: "
            "number, day, id)."
        },
        **_UNKNOWN_COUNTER,
    },
)
def call_back(
    ticket_id: TicketId, body: CallBackRequest, staff: StaffAuth, ctx: Context
) -> TicketOut:
    """Call a held ticket again at ``counter``, the one that held it, if none is called there."""
    now = utc_now()
    day = numbering.local_day(now, ctx.settings.zone)
    with ctx.db.begin() as conn:
        row = steps.call_back(conn, staff, ticket_id, body.counter, now, day)
    return _after_step(row, ctx)


@router.post(
    "/api/v1/staff/tickets/{ticket_id}/transfer",
    responses={
        **_STEP_RESPONSES,
        400: {"description": "Neither a queue nor a counter named."},
        **_UNKNOWN_COUNTER,
    },
)
def transfer(
    ticket_id: TicketId, body: TransferRequest, staff: StaffAuth, ctx: Context
) -> TicketOut:
    """Send a called or held ticket back to `waiting`, in another queue and/or for a counter.

    Only one of today: a ticket of a day before (called or held before midnight) is 409
    ``invalid_transition``, unchanged; its number is its day's, and it is closed instead.
    """
    now = utc_now()
    with ctx.db.begin() as conn:
        row = steps.transfer(
            conn,
            staff,
            ticket_id,
            from_counter=body.counter,
            queue_id=body.service_id,
            to_counter=body.to_counter,
            now=now,
            day=numbering.local_day(now, ctx.settings.zone),
        )
    return _after_step(row, ctx)
