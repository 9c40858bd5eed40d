"""The versioned documents a kiosk polls: catalog, trust list, revocation list.

Each answers 200 with the JSON and a strong ``ETag``, or 304 when
``If-None-Match`` still matches; ``Cache-Control: no-cache`` tells proxies
to revalidate. 404 ``not_published`` until the first version exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Header, Response
from sqlalchemy import Connection

from central.api.deps import AppContext, Context, kiosk_router
from central.documents.catalog import build_catalog, catalog_marker
from central.documents.trust_lists import (
    REVOCATIONS,
    TRUST,
    build_revocations,
    build_trust,
    list_version,
)
from central.documents.versioned import DOCUMENT_RESPONSES, Document, document_response
from central.errors import NotFound
from contract.wire import ErrorCode

router = kiosk_router(tags=["documents"])

IfNoneMatch = Annotated[str | None, Header(max_length=1000)]


def _serve(
    ctx: AppContext,
    name: str,
    marker: Callable[[Connection], object],
    build: Callable[[Connection], Document | None],
    if_none_match: str | None,
) -> Response:
    with ctx.db.read() as conn:
        document = ctx.documents.get(name, conn, marker, build)
    if document is None:
        raise NotFound(f"no {name} has been published yet", code=ErrorCode.NOT_PUBLISHED)
    return document_response(document, if_none_match)


@router.get("/api/v1/catalog", response_class=Response, responses=DOCUMENT_RESPONSES)
def catalog(ctx: Context, if_none_match: IfNoneMatch = None) -> Response:
    """The service catalog (shape: docs/architecture.md, "Data shapes")."""
    return _serve(ctx, "catalog", catalog_marker, build_catalog, if_none_match)


@router.get("/api/v1/trust", response_class=Response, responses=DOCUMENT_RESPONSES)
def trust(ctx: Context, if_none_match: IfNoneMatch = None) -> Response:
    """The trust list of issuer keys (``anjungan-trust-list/1``, docs/card-format.md)."""
    return _serve(ctx, TRUST, lambda c: list_version(c, TRUST), build_trust, if_none_match)


@router.get("/api/v1/revocations", response_class=Response, responses=DOCUMENT_RESPONSES)
def revocations(ctx: Context, if_none_match: IfNoneMatch = None) -> Response:
    """Revoked card numbers per issuer (``anjungan-revocation-list/1``)."""
    return _serve(
        ctx,
        REVOCATIONS,
        lambda c: list_version(c, REVOCATIONS),
        build_revocations,
        if_none_match,
    )
