"""``POST /api/v1/enrol``: a kiosk trades a one-time enrolment code for its bearer token."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from central import kiosks
from central.audit import record_event
from central.deps import Context, client_address, limit_auth
from central.errors import EnrolmentRefused

router = APIRouter(tags=["enrolment"])

#: Printable text without control characters (PostgreSQL refuses NUL in text).
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


class EnrolRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        min_length=4,
        max_length=64,
        pattern=r"^[A-Za-z0-9 -]+$",
        description="The enrolment code an operator made (kiosk server enrol-code).",
        examples=["7KQ2-M9XD-4T1B-ZR6P"],
    )
    name: str = Field(
        default="",
        max_length=100,
        pattern=PRINTABLE,
        description="A name for the kiosk, for the fleet view (e.g. its place).",
    )


class EnrolResponse(BaseModel):
    kiosk_id: str
    office_id: str
    token: str = Field(description="The kiosk's bearer token; shown this once, keep it secret.")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme, not a secret
    kiosk_code: str = Field(
        description="The kiosk's short code (e.g. K07), unique and never reused; "
        "fallback ticket numbers carry it (A-K07-001).",
        examples=["K07"],
    )


@router.post(
    "/api/v1/enrol",
    status_code=201,
    responses={
        403: {"description": "The code is unknown, already used or expired (see `error`)."},
        429: {"description": "Too many attempts from this address; see Retry-After."},
    },
)
def enrol(body: EnrolRequest, request: Request, ctx: Context) -> EnrolResponse:
    """Enrol a kiosk: the code is used up and the kiosk gets a new bearer token."""
    limit_auth(ctx, request)
    try:
        with ctx.db.begin() as conn:
            enrolment = kiosks.enrol(conn, body.code, body.name)
    except EnrolmentRefused as refused:
        with ctx.db.begin() as conn:
            record_event(
                conn,
                actor=f"addr:{client_address(request)}",
                action="enrolment.refused",
                subject=refused.code,
            )
        raise
    return EnrolResponse(
        kiosk_id=enrolment.kiosk_id,
        office_id=enrolment.office_id,
        token=enrolment.token,
        kiosk_code=enrolment.kiosk_code,
    )
