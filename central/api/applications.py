"""Citizens' applications: kiosks ask "is my document ready?", staff record and move them.

The kiosk's question is a POST with the key in the body (never in a URL) and
is audited and budgeted like ``POST /api/v1/citizens/lookup``
(:mod:`central.office.applications`): 429 ``too_many_lookups`` beyond the budget.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Self, TypeVar

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from central.access.kiosks import KioskPrincipal
from central.api.citizens import CardNumber, Nik
from central.api.deps import AppContext, Context, KioskAuth, StaffAuth, kiosk_router, staff_router
from central.api.enrolment import PRINTABLE
from central.api.queue import SERVICE_ID
from central.api.shown import ShownModel
from central.errors import NotFound, TooManyLookups
from central.office import applications
from central.office.applications import State
from central.office.citizens import KeyKind, Refused
from central.times import ApiDateTime
from contract.shown import shape, shown_reference
from contract.wire import ErrorCode

router = kiosk_router(tags=["applications"])
staff = staff_router(tags=["applications"])

REFERENCE = r"^[A-Z0-9][A-Z0-9-]{2,39}$"
Reference = Annotated[str, Path(pattern=REFERENCE)]
Note = Annotated[str, Field(max_length=500, pattern=PRINTABLE)]


class CitizenKey(ShownModel, shown={"card_number": shape, "nik": shape}):
    """Exactly one verified key: ``card_number`` or ``nik`` (no UID: it proves nothing)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"minProperties": 1, "maxProperties": 1}
    )

    card_number: CardNumber | SkipJsonSchema[None] = Field(
        default=None, description="From a verified city card.", examples=["PKU-000001"]
    )
    nik: Nik | SkipJsonSchema[None] = Field(default=None, description="From a verified card.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.card_number is None) == (self.nik is None):
            raise ValueError("give exactly one of card_number, nik")
        return self

    def key(self) -> tuple[KeyKind, str]:
        if self.card_number is not None:
            return KeyKind.CARD_NUMBER, self.card_number
        assert self.nik is not None  # noqa: S101 - validated: exactly one
        return KeyKind.NIK, self.nik


_Found = TypeVar("_Found")


def kiosk_asks(
    body: CitizenKey,
    kiosk: KioskPrincipal,
    ctx: AppContext,
    find: Callable[..., list[_Found] | Refused],
) -> list[_Found]:
    """What ``find`` answers for the citizen of ``body``, as a kiosk asks it: audited and
    budgeted (:func:`central.office.citizens.kiosk_find`); 429 when the budget is spent."""
    kind, value = body.key()
    with ctx.db.begin() as conn:
        found = find(
            conn,
            kind,
            value,
            kiosk_id=kiosk.kiosk_id,
            audit_key=ctx.audit_key,
            budget=ctx.settings.lookup_budget,
        )
    if isinstance(found, Refused):  # after the commit: the attempt stays audited
        raise TooManyLookups(found.retry_after_s)
    return found


class Title(BaseModel):
    id: str = Field(min_length=1, max_length=200, pattern=PRINTABLE)
    en: str = Field(min_length=1, max_length=200, pattern=PRINTABLE)


class ApplicationOut(BaseModel):
    reference: str
    office_id: str
    service_id: str
    title: Title
    submitted_at: dt.datetime
    state: State
    state_changed_at: dt.datetime
    note: str | None = Field(
        description="From staff, in Bahasa Indonesia; shown as written on an Indonesian screen."
    )
    note_en: str | None = Field(
        default=None,
        description="From staff, in English; shown as written on an English screen only.",
    )


class ApplicationsResponse(BaseModel):
    applications: list[ApplicationOut] = Field(
        description=f"Newest first, at most {applications.MAX_LISTED}; empty if none or unknown."
    )


def _out(app: applications.Application) -> ApplicationOut:
    return ApplicationOut(
        reference=app.reference,
        office_id=app.office_id,
        service_id=app.service_id,
        title=Title(id=app.title_id, en=app.title_en),
        submitted_at=app.submitted_at,
        state=app.state,
        state_changed_at=app.state_changed_at,
        note=app.note,
        note_en=app.note_en,
    )


@router.post(
    "/api/v1/citizens/applications",
    responses={429: {"description": "too_many_lookups: the kiosk's hourly budget is used up."}},
)
def citizen_applications(body: CitizenKey, kiosk: KioskAuth, ctx: Context) -> ApplicationsResponse:
    """A citizen's applications and their state, by a verified card number or NIK.

    Audited and counted against the kiosk's lookup budget like ``/citizens/lookup``.
    """
    found = kiosk_asks(body, kiosk, ctx, applications.for_citizen)
    return ApplicationsResponse(applications=[_out(a) for a in found])


class CreateApplication(CitizenKey, shown={"reference": shown_reference}):
    """Whose (one key), for which service; the office is the service's."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"oneOf": [{"required": ["card_number"]}, {"required": ["nik"]}]},
    )

    service_id: str = Field(pattern=SERVICE_ID, examples=["ktp-cetak-ulang"])
    reference: str | None = Field(
        default=None,
        pattern=REFERENCE,
        description="The office's own file number; the server makes one (BRK-…) if absent.",
    )
    title: Title | None = Field(default=None, description="Default: the service's name.")
    state: State = State.RECEIVED
    note: Note | None = None
    note_en: Note | None = None
    submitted_at: ApiDateTime | None = Field(default=None, description="Default: now.")


@staff.post("/api/v1/staff/applications", status_code=201, responses={403: {}, 404: {}, 409: {}})
def create_application(body: CreateApplication, who: StaffAuth, ctx: Context) -> ApplicationOut:
    """Record a citizen's application (staff of the service's office); the lookup is audited."""
    kind, value = body.key()
    with ctx.db.begin() as conn:  # committed first: the audit outlives any refusal below
        citizen_id = applications.staff_lookup(
            conn,
            kind,
            value,
            service_id=body.service_id,
            username=who.username,
            allowed_office=who.office_id,
            audit_key=ctx.audit_key,
        )
    if citizen_id is None:
        raise NotFound("the city has no citizen with this key", code=ErrorCode.UNKNOWN_CITIZEN)
    with ctx.db.begin() as conn:
        created = applications.create(
            conn,
            citizen_id=citizen_id,
            service_id=body.service_id,
            reference=body.reference,
            title=(body.title.id, body.title.en) if body.title else None,
            state=body.state,
            note=body.note,
            note_en=body.note_en,
            submitted_at=body.submitted_at,
            actor=who.actor,
            allowed_office=who.office_id,
        )
    return _out(created)


class ChangeApplication(BaseModel):
    """What to change: the state, a note (``null`` clears it), or several."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    state: State | SkipJsonSchema[None] = None
    note: Note | None = None
    note_en: Note | None = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("give state, note, note_en or several")
        return self


@staff.patch("/api/v1/staff/applications/{reference}", responses={403: {}, 404: {}, 409: {}})
def change_application(
    reference: Reference, body: ChangeApplication, who: StaffAuth, ctx: Context
) -> ApplicationOut:
    """Move an application along (409 ``invalid_transition`` if it cannot go there)."""
    with ctx.db.begin() as conn:
        changed = applications.change(
            conn,
            reference,
            state=body.state,
            note=body.note,
            set_note="note" in body.model_fields_set,
            note_en=body.note_en,
            set_note_en="note_en" in body.model_fields_set,
            actor=who.actor,
            allowed_office=who.office_id,
        )
    return _out(changed)
