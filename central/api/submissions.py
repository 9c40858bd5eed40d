"""``POST /api/v1/submissions``: the kiosk's outbox, in batches, idempotent by key.

What each status means and how a batch is stored: :mod:`central.office.submissions`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from central.access.audit import utc_now
from central.api.deps import Context, KioskAuth, kiosk_router
from central.office import submissions
from contract.wire import SubmissionStatus

router = kiosk_router(tags=["submissions"])


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")
    kind: str = Field(
        min_length=1,
        max_length=32,
        description="service_registration (a check-in: with booking_code; a hospital visit: "
        "with hospital), complaint or visit_cancel.",
    )
    body: dict[str, Any]


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[ItemIn] = Field(min_length=1, max_length=submissions.MAX_ITEMS)


class ItemResult(BaseModel):
    key: str
    status: SubmissionStatus = Field(description="accepted, replayed, conflict or invalid.")
    error: str | None
    detail: str | None
    result: dict[str, Any] | None


class BatchOut(BaseModel):
    results: list[ItemResult]


@router.post("/api/v1/submissions")
def submit(body: BatchIn, kiosk: KioskAuth, ctx: Context) -> BatchOut:
    """Store up to 500 items; one result per item, in the same order."""
    items = [submissions.Item(i.key, i.kind, i.body) for i in body.items]
    with ctx.db.begin() as conn:
        outcomes = submissions.submit(
            conn,
            kiosk,
            items,
            now=utc_now(),
            zone=ctx.settings.zone,
            fallback_max=ctx.settings.lease_max_numbers,
            notify_ahead=ctx.settings.message_ahead,
        )
    return BatchOut(
        results=[
            ItemResult(key=o.key, status=o.status, error=o.error, detail=o.detail, result=o.result)
            for o in outcomes
        ]
    )
