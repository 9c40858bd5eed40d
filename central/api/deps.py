"""What every endpoint depends on: the app's context, who is calling, and the rate limit.

**Adding endpoints.** Make the router with :func:`kiosk_router` (kiosk
bearer tokens), :func:`staff_router` (staff bearer tokens) or
:func:`admin_router` (staff with the ``admin`` role): the credential check
and the rate limit are then on every route of that router, and the route
receives the caller by declaring a parameter ``kiosk: KioskAuth`` (or
``staff: StaffAuth``); FastAPI runs the check once per request. The
database, settings and caches come with ``ctx: Context``. Public routes are
few and named in :data:`PUBLIC_ROUTES`; a test sends every other route of
the app a request without credentials and expects 401.

Answers: no or unknown credential → 401; a valid credential of the other
kind, or a staff role too low → 403; too many requests → 429 + Retry-After.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar, cast

from fastapi import APIRouter, Depends, Request
from sqlalchemy import Connection

from central.access.credentials import TokenKind, token_kind
from central.access.kiosks import KioskPrincipal, authenticate_kiosk
from central.access.ratelimit import RateLimiter
from central.access.staff import Role, StaffPrincipal, authenticate_staff
from central.database import Database
from central.documents.versioned import DocumentCache
from central.errors import Forbidden, TooManyRequests, Unauthorized
from central.live import LiveFeed
from central.settings import CentralSettings
from central.voice import Voice

#: (method, path) of the routes anyone may call.
_P = TypeVar("_P")

PUBLIC_ROUTES = frozenset(
    {
        ("GET", "/health"),
        # Readiness for a load balancer: true/false and a fixed reason (central/readiness.py).
        ("GET", "/ready"),
        ("POST", "/api/v1/enrol"),
        ("POST", "/api/v1/staff/login"),
        ("GET", "/api/v1/public/tickets/{ticket_id}"),
        # BPJS's Mobile JKN: a token of their own (central/api/wsrs.py, docs/bpjs-wsrs.md).
        ("GET", "/api/v1/wsrs/token"),
        ("POST", "/api/v1/wsrs/antrean"),
        ("POST", "/api/v1/wsrs/antrean/status"),
        ("POST", "/api/v1/wsrs/antrean/sisa"),
        ("POST", "/api/v1/wsrs/antrean/batal"),
        ("POST", "/api/v1/wsrs/antrean/checkin"),
        ("POST", "/api/v1/wsrs/pasienbaru"),
    }
)


@dataclass
class AppContext:
    """Everything the app loaded at start, on ``app.state.central``."""

    settings: CentralSettings
    db: Database
    limiter: RateLimiter
    #: Per address, stricter: enrolment, staff login and refused credentials.
    auth_limiter: RateLimiter
    audit_key: bytes
    #: Wakes the pages that follow an office live (:mod:`central.live`).
    live: LiveFeed
    #: The boards' voice clips (:mod:`central.voice`).
    voice: Voice
    #: Caches of the versioned documents (catalog, trust, revocations).
    documents: DocumentCache = field(default_factory=DocumentCache)


def get_context(request: Request) -> AppContext:
    return cast(AppContext, request.app.state.central)


async def _context(request: Request) -> AppContext:
    """:func:`get_context` as every route's dependency: a coroutine, so FastAPI answers it
    on the event loop (a plain function it would hand to a worker thread and back,
    some 0.1 ms on a quiet machine and a wait for a core on a busy one, per request)."""
    return get_context(request)


Context = Annotated[AppContext, Depends(_context)]


def client_address(request: Request) -> str:
    """The caller's address: the connection's peer, or what a trusted proxy forwarded.

    uvicorn rewrites the peer from ``X-Forwarded-For`` only for the proxies in
    ``settings.trusted_proxies`` (none by default; :func:`central.server.serve`).
    """
    return request.client.host if request.client else "unknown"


def public_base(request: Request) -> str:
    """This centre's address as people use it: ``--public-url``, else as the request saw it."""
    configured = get_context(request).settings.public_url
    return configured.rstrip("/") if configured else str(request.base_url).rstrip("/")


def limit(ctx: AppContext, key: str) -> None:
    """Count one request against ``key``; raise 429 when its bucket is empty."""
    retry_after = ctx.limiter.hit(key)
    if retry_after is not None:
        raise TooManyRequests(retry_after)


def limit_auth(ctx: AppContext, request: Request) -> None:
    """Count one attempt to authenticate (enrol, log in, a refused token) from this address."""
    retry_after = ctx.auth_limiter.hit(f"addr:{client_address(request)}")
    if retry_after is not None:
        raise TooManyRequests(retry_after)


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    return token


def _refuse(ctx: AppContext, request: Request) -> Unauthorized:
    # Failed credentials count against the caller's address, so guessing is slow.
    limit_auth(ctx, request)
    return Unauthorized()


def _authenticate(
    request: Request,
    ctx: AppContext,
    kind: TokenKind,
    own: Callable[[Connection, str], _P | None],
    other: Callable[[Connection, str], object | None],
    wrong_kind: str,
) -> _P:
    """The principal of the request's ``kind`` of token; 403 ``wrong_kind`` for the other kind.

    A token of neither kind, or one nobody holds, is refused (401) and counts
    against the caller's address.
    """
    token = bearer_token(request)
    found = token_kind(token) if token else None
    principal: _P | None = None
    if token is not None and found is not None:
        with ctx.db.read() as conn:
            if found is kind:
                principal = own(conn, token)
            elif other(conn, token) is not None:
                raise Forbidden(wrong_kind)
    if principal is None:
        raise _refuse(ctx, request)
    return principal


def require_kiosk(request: Request, ctx: Context) -> KioskPrincipal:
    principal = _authenticate(
        request,
        ctx,
        TokenKind.KIOSK,
        authenticate_kiosk,
        authenticate_staff,
        "this endpoint is for kiosks; staff credentials do not apply",
    )
    limit(ctx, f"kiosk:{principal.kiosk_id}")
    return principal


def require_staff(request: Request, ctx: Context) -> StaffPrincipal:
    principal = _authenticate(
        request,
        ctx,
        TokenKind.STAFF,
        authenticate_staff,
        authenticate_kiosk,
        "this endpoint is for staff; kiosk credentials do not apply",
    )
    limit(ctx, f"staff:{principal.staff_id}")
    return principal


def require_admin(staff: Annotated[StaffPrincipal, Depends(require_staff)]) -> StaffPrincipal:
    if staff.role is not Role.ADMIN:
        raise Forbidden("this needs a staff account with the admin role")
    return staff


KioskAuth = Annotated[KioskPrincipal, Depends(require_kiosk)]
StaffAuth = Annotated[StaffPrincipal, Depends(require_staff)]
AdminAuth = Annotated[StaffPrincipal, Depends(require_admin)]

_AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid bearer token."},
    403: {"description": "A valid credential of the wrong kind or role."},
    429: {"description": "Too many requests; see Retry-After."},
}


def kiosk_router(**kwargs: Any) -> APIRouter:
    """A router whose every route needs a kiosk token."""
    return APIRouter(dependencies=[Depends(require_kiosk)], responses=_AUTH_RESPONSES, **kwargs)


def staff_router(**kwargs: Any) -> APIRouter:
    """A router whose every route needs a staff token (any role)."""
    return APIRouter(dependencies=[Depends(require_staff)], responses=_AUTH_RESPONSES, **kwargs)


def admin_router(**kwargs: Any) -> APIRouter:
    """A router whose every route needs a staff token with the admin role."""
    return APIRouter(dependencies=[Depends(require_admin)], responses=_AUTH_RESPONSES, **kwargs)
