"""The kiosk's side of the queue: its code, online tickets, number leases, the queue's state.

Numbering rules (one sequence per queue, leases, voids, fallback numbers):
:mod:`central.office.numbering` and docs/central-api.md, "Ticket numbers".
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, TypedDict

from fastapi import Path, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from central.access.audit import utc_now
from central.access.kiosks import KioskPrincipal
from central.api.deps import AppContext, Context, KioskAuth, kiosk_router
from central.api.shown import ShownModel
from central.errors import ApiError
from central.hospital import allocate_lookups, quota, schedules, visits
from central.office import numbering, queue
from central.tables import kiosks
from central.times import ApiDate
from contract.errors import HospitalError
from contract.hospital import PATIENT_KEY_LIMITS, PatientKeys, Payer, PlaceRequest
from contract.shown import shape, shown_key, shown_kodebooking
from contract.ticket_ids import KIOSK_TICKET_ID
from contract.wire import KioskInfo, Lease, ServiceQueue

router = kiosk_router(tags=["queue"])

TICKET_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
SERVICE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
TicketId = Annotated[str, Path(pattern=TICKET_ID)]
#: A ticket id a kiosk names: only the versions kiosks make (4 and 8).
KioskTicketId = Annotated[str, Path(pattern=KIOSK_TICKET_ID)]
LeaseId = Annotated[str, Path(pattern=TICKET_ID)]


@router.get("/api/v1/kiosks/me")
def me(kiosk: KioskAuth, ctx: Context) -> KioskInfo:
    """This kiosk: its id, office, short code and name."""
    with ctx.db.read() as conn:
        row = conn.execute(
            select(kiosks.c.name, kiosks.c.kiosk_code).where(kiosks.c.id == kiosk.kiosk_id)
        ).one()
    return KioskInfo(
        kiosk_id=kiosk.kiosk_id, office_id=kiosk.office_id, kiosk_code=row.kiosk_code, name=row.name
    )


def _key(name: str, description: str) -> str:
    """An optional patient key of the allocate's ``hospital`` (contract.hospital.PatientKeys)."""
    return Field(default="", max_length=PATIENT_KEY_LIMITS[name], description=description)


class HospitalPlaceIn(
    ShownModel,
    shown=dict.fromkeys(
        ("norm", "nomorkartu", "nik", "card_number", "full_name", "birth_date"), shape
    ),
):
    """The allocate's ``hospital``: :class:`contract.hospital.PlaceRequest`, checked by it.

    The patient keys are the registration's (optional: a kiosk older than them sends
    none, and the patient is then checked when the registration arrives)."""

    model_config = ConfigDict(extra="forbid")

    schedule_id: str = Field(pattern=schedules.SCHEDULE_ID, examples=["rsud-dalam-andi-1"])
    payer: Payer
    norm: str = _key("norm", "The patient's No. RM at this hospital (the registration's).")
    nomorkartu: str = _key("nomorkartu", "The BPJS card number: 13 digits, or none.")
    nik: str = _key("nik", "The registration's `values.nik`.")
    card_number: str = _key("card_number", "The city card's number (`card_number`).")
    full_name: str = _key("full_name", "The registration's `values.full_name`.")
    birth_date: str = _key("birth_date", "The registration's date of birth, YYYY-MM-DD.")

    @model_validator(mode="after")
    def _contract(self) -> HospitalPlaceIn:
        try:  # the contract's rule, the one a kiosk builds it by
            PlaceRequest.from_json(self.model_dump(mode="json"))
        except HospitalError as exc:  # names the field, never its value
            raise ValueError(str(exc)) from None
        return self

    def patient(self) -> PatientKeys:
        return PatientKeys(
            norm=self.norm,
            nomorkartu=self.nomorkartu,
            nik=self.nik,
            card_number=self.card_number,
            full_name=self.full_name,
            birth_date=self.birth_date,
        )


class HospitalPlaceOut(ShownModel, shown={"kodebooking": shown_kodebooking}):
    kodebooking: str = Field(description="The visit's BPJS booking code.")
    angkaantrean: int = Field(description="The place's number in the doctor's day.")
    nomorantrean: str = Field(examples=["INT-007"])
    estimated_at: str = Field(description="Local HH:MM when the doctor likely sees them.")


class AllocateRequest(ShownModel, shown={"ticket_id": shown_key}):
    model_config = ConfigDict(extra="forbid")

    ticket_id: str = Field(
        pattern=KIOSK_TICKET_ID,
        description="The kiosk's ticket id: a lower-case UUID of version 8 (bound) or 4.",
    )
    service_id: str = Field(pattern=SERVICE_ID)
    hospital: HospitalPlaceIn | None = Field(
        default=None,
        description="A hospital's poli: take a place of this doctor's quota with the number "
        "(409 `quota_full` when none is left; no number is used). With the patient's keys, "
        "a patient the registration would refuse is refused first (409 "
        "`already_registered`, 409 `identity_conflict`, 422 `invalid_patient`).",
    )
    hold_s: int | None = Field(
        default=None,
        ge=1,
        le=queue.AT_KIOSK_LIMIT_S,
        strict=True,
        description="The number is asked ahead, while the citizen is still at the kiosk: "
        "call-next passes the new ticket by for this many seconds (at most "
        f"{queue.AT_KIOSK_MAX_S}: more is held that long), unless its registration arrives "
        'or it is voided first. Absent: callable at once. A JSON integer: `true`, `"60"` '
        "or `60.0` is refused (422), as a number of seconds no kiosk sends.",
    )

    def at_kiosk_until(self, now: dt.datetime) -> dt.datetime | None:
        """Until when a new ticket is passed by (``hold_s`` bounded by the centre)."""
        if self.hold_s is None:
            return None
        return now + dt.timedelta(seconds=min(self.hold_s, queue.AT_KIOSK_MAX_S))


class NumberedFields(TypedDict):
    """The fields of :class:`NumberedTicket`, read from a ticket's row by :func:`numbered`."""

    ticket_id: str
    office_id: str
    service_id: str
    day: dt.date
    number: int
    display: str


def numbered(row: queue.TicketRow) -> NumberedFields:
    """What every ticket answer starts with, from ``row``: ``Answer(**numbered(row), …)``."""
    return NumberedFields(
        ticket_id=row.id,
        office_id=row.office_id,
        service_id=row.service_id,
        day=row.day,
        number=row.number,
        display=row.display,
    )


class NumberedTicket(ShownModel, shown={"ticket_id": shown_key}):
    """A ticket by its number in its queue: what every ticket the API answers starts with."""

    ticket_id: str
    office_id: str
    service_id: str
    day: dt.date
    number: int
    display: str = Field(examples=["A-017"])


class AllocatedTicket(NumberedTicket):
    counter: str = Field(description="Where the service is given (the catalog's counter).")
    people_ahead: int
    estimated_wait_minutes: int
    now_serving: str | None
    hospital: HospitalPlaceOut | None = Field(
        default=None, description="With a `hospital` request only: the place taken."
    )


@router.post(
    "/api/v1/tickets/allocate",
    status_code=201,
    responses={
        200: {"description": "The same ticket id again: the ticket it already has."},
        404: {
            "description": "`unknown_service`: no active service of this kiosk's office; "
            "`unknown_schedule`: no such doctor's schedule."
        },
        409: {
            "description": "The ticket id was used with another service; `quota_full`: the "
            "doctor has no place left today for this payer (no number was used); "
            "`doctor_closed`: the doctor's hours today are over; `already_registered`: the "
            "patient has a visit at the poli today; `identity_conflict`: the patient's keys "
            "name different people (neither uses a number); `conflict`: the ticket was voided, "
            "or its registration reached the centre and its allocate took no place (one "
            "that took one is answered it, as it was, whatever the registration found)."
        },
        422: {
            "description": "`unknown_schedule`: the schedule is of another poli or day; "
            "`invalid_patient`: the patient's NIK cannot exist or the date of birth is not "
            "past (no number was used)."
        },
    },
)
async def allocate(
    body: AllocateRequest, kiosk: KioskAuth, ctx: Context, response: Response
) -> AllocatedTicket:
    """The next number of the queue for this ticket id; idempotent by ticket id."""
    # A citizen waits for it: its work goes to a worker thread once, and the answer is
    # checked and written on the event loop, not handed to a thread and back again.
    ticket, created = await run_in_threadpool(_allocate, body, kiosk, ctx)
    if not created:
        response.status_code = 200
    return ticket


def _allocate(
    body: AllocateRequest, kiosk: KioskPrincipal, ctx: AppContext
) -> tuple[AllocatedTicket, bool]:
    keys = body.hospital.patient() if body.hospital is not None else None
    placed: visits.Placed | None = None
    for attempt in range(3):
        refused: ApiError | None = None
        try:
            with ctx.db.begin() as conn:
                now = utc_now()
                # A refusal of the patient is a lookup all the same, though it leaves no
                # ticket: their budget held from here, it is counted and audited in this
                # transaction (central/hospital/allocate_lookups.py), the rest undone.
                checked = (
                    keys is not None
                    and keys.given()
                    and allocate_lookups.may_check(
                        conn, kiosk.kiosk_id, ctx.settings.lookup_budget, now
                    )
                )
                try:
                    placed = _place(body, kiosk, ctx, conn, now, keys if checked else None)
                except visits.PATIENT_REFUSED as exc:
                    assert keys is not None  # noqa: S101 - only a patient named is refused
                    allocate_lookups.refused(
                        conn,
                        keys,
                        kiosk_id=kiosk.kiosk_id,
                        audit_key=ctx.audit_key,
                        budget=ctx.settings.lookup_budget,
                        now=now,
                    )
                    refused = exc
                else:
                    allocated = numbering.allocate(
                        conn,
                        kiosk,
                        body.ticket_id,
                        body.service_id,
                        now,
                        ctx.settings.zone,
                        body.at_kiosk_until(now),
                    )
                    row, created, service = allocated.row, allocated.created, allocated.service
                    place = queue.place(conn, row, queue.catalog_facts(conn, ctx.documents))
            if refused is not None:
                raise refused
            break
        except IntegrityError:
            # PostgreSQL: a request with the same ticket id committed first.
            if attempt == 2:
                raise
    ticket = AllocatedTicket(
        **numbered(row),
        counter=service.counter,
        people_ahead=place.people_ahead,
        estimated_wait_minutes=place.estimated_wait_minutes,
        now_serving=place.now_serving,
        hospital=(
            HospitalPlaceOut(
                kodebooking=placed.kodebooking,
                angkaantrean=placed.angkaantrean,
                nomorantrean=placed.nomorantrean,
                estimated_at=placed.estimated_at,
            )
            if placed is not None
            else None
        ),
    )
    return ticket, created


def _place(
    body: AllocateRequest,
    kiosk: KioskPrincipal,
    ctx: AppContext,
    conn: Connection,
    now: dt.datetime,
    patient: PatientKeys | None,
) -> visits.Placed | None:
    """The doctor's place of a poli's ticket (``None``: no ``hospital``), its ``patient``
    checked first: none left, or the patient refused, raises with nothing taken (a
    savepoint: what the check wrote, a lapsed booking closed, is undone with it)."""
    if body.hospital is None:
        return None
    with conn.begin_nested():
        return visits.take_for_ticket(
            conn,
            kiosk.office_id,
            body.ticket_id,
            body.service_id,
            body.hospital.schedule_id,
            body.hospital.payer,
            numbering.local_day(now, ctx.settings.zone),
            now,
            now.astimezone(ctx.settings.zone).time(),
            patient=patient,
            audit_key=ctx.audit_key,
        )


class VoidedTicket(ShownModel, shown={"ticket_id": shown_key}):
    ticket_id: str
    status: Literal["void"]


@router.post(
    "/api/v1/tickets/{ticket_id}/void",
    responses={
        404: {"description": "`unknown_ticket`: no ticket of this kiosk with this id."},
        409: {
            "description": "`conflict`: a registration reached the centre, the ticket is no "
            "longer waiting, or its number is not an online one. Nothing changes."
        },
    },
)
def void_ticket(ticket_id: KioskTicketId, kiosk: KioskAuth, ctx: Context) -> VoidedTicket:
    """Void an online number the kiosk never kept (its ticket was not stored); idempotent.

    A hospital ticket's quota place is given back."""
    with ctx.db.begin() as conn:
        now = utc_now()
        row = queue.void_online(conn, kiosk, ticket_id, now)
        quota.release(conn, row.id, now)
    return VoidedTicket(ticket_id=row.id, status=row.status)


class LeaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_id: str = Field(pattern=SERVICE_ID)
    day: ApiDate = Field(description="The office's local date: today or tomorrow.")
    size: int = Field(ge=1, le=numbering.MAX_LEASE)


@router.post(
    "/api/v1/leases",
    status_code=201,
    responses={
        404: {"description": "`unknown_service`."},
        409: {"description": "`lease_limit`: the kiosk's leases of this queue and day."},
        422: {"description": "`invalid_day`: not today or tomorrow."},
    },
)
def create_lease(body: LeaseRequest, kiosk: KioskAuth, ctx: Context) -> Lease:
    """A block of numbers from the queue's sequence, for printing while offline."""
    limits = numbering.LeaseLimits(
        live=ctx.settings.lease_max_live, numbers=ctx.settings.lease_max_numbers
    )
    with ctx.db.begin() as conn:
        lease = numbering.create_lease(
            conn, kiosk, body.service_id, body.day, body.size, utc_now(), ctx.settings.zone, limits
        )
    return lease


class ReturnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_unused: int = Field(ge=0, description="The first number the kiosk did not print.")


class ReturnOut(BaseModel):
    lease_id: str
    returned: tuple[int, int] | None = Field(description="The void range [first, last].")


@router.post(
    "/api/v1/leases/{lease_id}/return",
    responses={404: {"description": "`unknown_lease`: not a lease of this kiosk."}},
)
def return_lease(
    lease_id: LeaseId, body: ReturnRequest, kiosk: KioskAuth, ctx: Context
) -> ReturnOut:
    """Give back the unused numbers of a lease: they are void (idempotent)."""
    with ctx.db.begin() as conn:
        returned = numbering.return_lease(conn, kiosk, lease_id, body.first_unused, utc_now())
    return ReturnOut(lease_id=lease_id, returned=returned)


class QueueOut(BaseModel):
    office_id: str
    day: dt.date
    services: list[ServiceQueue]


def queue_state(ctx: Context, office_id: str) -> tuple[QueueOut, list[queue.TicketRow]]:
    """The queues of an office today, and their waiting and called tickets."""
    day = numbering.local_day(utc_now(), ctx.settings.zone)
    with ctx.db.read() as conn:
        service_ids = list(numbering.office_services(conn, office_id))
        facts = queue.catalog_facts(conn, ctx.documents)
        states = queue.office_state(conn, service_ids, day, facts)
        open_tickets = queue.open_tickets(conn, service_ids, day)
    out = QueueOut(
        office_id=office_id,
        day=day,
        services=[
            ServiceQueue(
                service_id=s.service_id,
                now_serving=s.now_serving,
                waiting=s.waiting,
                estimated_wait_minutes=s.estimated_wait_minutes,
            )
            for s in states
        ],
    )
    return out, open_tickets


@router.get("/api/v1/queue")
def office_queue(kiosk: KioskAuth, ctx: Context) -> QueueOut:
    """Today's queues of this kiosk's office."""
    out, _ = queue_state(ctx, kiosk.office_id)
    return out
