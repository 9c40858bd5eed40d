"""Complaints answered: a kiosk asks, for the citizen whose card it read, which were answered.

A POST with the key in the body (never in a URL), audited and budgeted like
``POST /api/v1/citizens/applications`` (:mod:`central.office.complaints`):
429 ``too_many_lookups`` beyond the budget. The answer carries each
complaint's reference, state and staff answer, never its text nor the card.
Staff answer complaints on the office pages (``/office/complaints``).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from central.api.applications import CitizenKey, kiosk_asks
from central.api.deps import Context, KioskAuth, kiosk_router
from central.api.shown import ShownModel
from central.office import complaints
from contract.shown import shown_reference

router = kiosk_router(tags=["complaints"])


class AnsweredComplaint(ShownModel, shown={"reference": shown_reference}):
    reference: str = Field(examples=["ADU-7KQ2-M9XD-4TPR"])
    office_id: str
    category: str = Field(description="The code the kiosk filed it under (fasilitas, …).")
    created_at: dt.datetime
    state: complaints.State = Field(description="answered or closed.")
    answer: str = Field(description="From staff, plain text, shown as written.")
    answered_at: dt.datetime


class ComplaintsResponse(BaseModel):
    complaints: list[AnsweredComplaint] = Field(
        description=(
            f"Newest answer first, at most {complaints.MAX_FOR_CITIZEN}; "
            "empty if none was answered or the card is unknown."
        )
    )


@router.post(
    "/api/v1/citizens/complaints",
    responses={429: {"description": "too_many_lookups: the kiosk's hourly budget is used up."}},
)
def citizen_complaints(body: CitizenKey, kiosk: KioskAuth, ctx: Context) -> ComplaintsResponse:
    """The answered complaints filed with a verified card, by its card number (or NIK).

    Audited and counted against the kiosk's lookup budget like ``/citizens/applications``.
    """
    found = kiosk_asks(body, kiosk, ctx, complaints.for_citizen)
    return ComplaintsResponse(
        complaints=[
            AnsweredComplaint(
                reference=c.reference,
                office_id=c.office_id,
                category=c.category,
                created_at=c.created_at,
                state=c.state,
                answer=c.answer or "",
                answered_at=c.answered_at or c.created_at,
            )
            for c in found
            if c.answer
        ]
    )
