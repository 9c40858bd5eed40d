"""``POST /api/v1/submissions``: the kiosk's outbox, in batches, idempotent by key.

What each status means and how a batch is stored: :mod:`central.office.submissions`.

A batch is up to 500 items, so reading it is a share of every drain: the
request's JSON is read straight into :class:`BatchIn` (pydantic's own parser,
one pass) instead of into dicts that are then validated. Only a body that
parser refuses is read again the way FastAPI reads any body (a text with a
lone surrogate, invalid JSON, a field out of bounds): whatever is wrong with
it is answered exactly as before, the same 422 or the same acceptance. The
answer is written as JSON at once, not built as 500 models first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from central.access.audit import utc_now
from central.api.deps import Context, KioskAuth, kiosk_router
from central.api.shown import ShownModel
from central.office import submissions
from contract.shown import shape, shown_key
from contract.wire import SubmissionStatus


class ItemIn(ShownModel, shown={"key": shown_key, "body": shape}):
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
    result: dict[str, Any] | None = Field(
        description="What the item did, as a kiosk may know it: nothing of a registration's "
        "patient (a poli visit made or refused is the same answer; only `hospital.error` "
        "`invalid_hospital` or `unknown_schedule` is answered). Staff see the rest."
    )


class BatchOut(BaseModel):
    results: list[ItemResult]


class _BatchRequest(Request):
    """A batch's request: its body read into :class:`BatchIn` in one pass."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            raw = await self.body()  # FastAPI read it already, under the size cap
            try:
                self._json: Any = BatchIn.model_validate_json(raw)
            except ValidationError:
                # read as FastAPI reads any body: its errors (422), word for word
                self._json = json.loads(raw)
        return self._json


class _BatchRoute(APIRoute):
    """The route that hands the handler a :class:`_BatchRequest` (FastAPI then takes
    the model as it is: an instance of the body's own model is not validated again)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def batch_handler(request: Request) -> Response:
            return await handler(_BatchRequest(request.scope, request.receive))

        return batch_handler


router = kiosk_router(tags=["submissions"], route_class=_BatchRoute)


@router.post("/api/v1/submissions", response_model=BatchOut)
def submit(body: BatchIn, kiosk: KioskAuth, ctx: Context) -> Response:
    """Store up to 500 items; one result per item, in the same order."""
    items = [submissions.Item(i.key, i.kind, i.body) for i in body.items]
    with ctx.db.begin() as conn:
        outcomes = submissions.submit(
            conn,
            kiosk,
            items,
            now=utc_now(),
            zone=ctx.settings.zone,
            audit_key=ctx.audit_key,
            fallback_max=ctx.settings.lease_max_numbers,
            notify_ahead=ctx.settings.message_ahead,
            lookup_budget=ctx.settings.lookup_budget,
        )
    # BatchOut's shape, written at once (``result`` is JSON: it is stored as such)
    return JSONResponse(
        {
            "results": [
                {
                    "key": o.key,
                    "status": o.status,
                    "error": o.error,
                    "detail": o.detail,
                    "result": o.result,
                }
                for o in outcomes
            ]
        }
    )
