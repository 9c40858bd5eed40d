"""Display boards (admin): register one and get the URL a TV opens.

The same step as the "Daftarkan papan" button of ``/office/boards``
(:mod:`central.office.boards`); an admin limited to an office registers
boards only for it (403 otherwise).
"""

from __future__ import annotations

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from central.access.audit import utc_now
from central.api.deps import AdminAuth, Context, admin_router, public_base
from central.api.enrolment import PRINTABLE
from central.api.scope import require_office_access
from central.api.staff import OFFICE_ID
from central.office import boards

router = admin_router(tags=["boards"])


class BoardRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    office_id: str = Field(pattern=OFFICE_ID)
    name: str = Field(default="TV ruang tunggu", min_length=1, max_length=100, pattern=PRINTABLE)


class BoardOut(BaseModel):
    board_id: str
    office_id: str
    name: str
    url: str = Field(description="What the TV opens; carries the board's token, shown only now.")


@router.post(
    "/api/v1/staff/boards", status_code=201, responses={404: {"description": "`not_found`."}}
)
def register_board(
    body: BoardRequest, staff: AdminAuth, ctx: Context, request: Request
) -> BoardOut:
    """Register a display board for an office; the answer's URL is shown only once."""
    require_office_access(staff, body.office_id)
    with ctx.db.begin() as conn:
        made = boards.register(conn, staff, body.office_id, body.name.strip(), utc_now())
    base = public_base(request)
    return BoardOut(
        board_id=made.board.id,
        office_id=made.board.office_id,
        name=made.board.name,
        url=f"{base}/board/{made.token}",
    )
