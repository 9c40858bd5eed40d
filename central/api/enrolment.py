"""``POST /api/v1/enrol``: a kiosk trades a one-time enrolment code for its bearer token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import ConfigDict, Field

from central.access import kiosks
from central.access.audit import record_event
from central.api.deps import Context, client_address, limit_auth
from central.api.shown import ShownModel
from central.errors import EnrolmentRefused
from contract.shown import shape
from contract.wire import Enrolment

router = APIRouter(tags=["enrolment"])

#: Printable text without control characters (PostgreSQL refuses NUL in text).
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


class EnrolRequest(ShownModel, shown={"code": shape}):  # a credential
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


@router.post(
    "/api/v1/enrol",
    status_code=201,
    responses={
        403: {"description": "The code is unknown, already used or expired (see `error`)."},
        429: {"description": "Too many attempts from this address; see Retry-After."},
    },
)
def enrol(body: EnrolRequest, request: Request, ctx: Context) -> Enrolment:
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
    return enrolment
