"""Staff: log in for a bearer token; admins enrol and revoke kiosks.

``public``: the login. ``router``: any staff role. ``admin``: the admin role.
An admin limited to an office makes codes for, lists and revokes only that
office's kiosks (:mod:`central.api.scope`).
The counter's endpoints (queues, health information, statuses) go on
``staff_router()``s in their own modules.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from central.access import kiosks, staff
from central.api.deps import AdminAuth, Context, StaffAuth, admin_router, bearer_token, limit_auth
from central.api.deps import staff_router as _staff_router
from central.api.enrolment import PRINTABLE
from central.api.scope import office_filter, require_office_access
from central.api.shown import ShownModel
from central.errors import LoginLocked, Unauthorized
from contract.shown import shape

public = APIRouter(tags=["staff"])
router = _staff_router(tags=["staff"])
admin = admin_router(tags=["staff"])

OFFICE_ID = r"^[a-z0-9][a-z0-9-]{0,63}$"
KIOSK_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class LoginRequest(ShownModel, shown={"password": shape}):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
    password: str = Field(min_length=1, max_length=200)


class Me(BaseModel):
    username: str
    role: staff.Role
    office_id: str | None


class LoginResponse(ShownModel, shown={"token": shape}):
    token: str = Field(description="Send as `Authorization: Bearer`; shown once.")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme, not a secret
    expires_at: dt.datetime
    staff: Me


@public.post(
    "/api/v1/staff/login",
    responses={
        401: {"description": "Wrong username or password."},
        429: {"description": "`rate_limited` (this address) or `login_locked` (this username)."},
    },
)
def login(body: LoginRequest, request: Request, ctx: Context) -> LoginResponse:
    """Trade a staff username and password for a bearer token (12 h by default)."""
    limit_auth(ctx, request)
    with ctx.db.begin() as conn:
        done = staff.login(
            conn,
            body.username,
            body.password,
            ttl_s=ctx.settings.staff_token_ttl_s,
            policy=ctx.settings.lockout_policy,
        )
    if done is None:
        raise Unauthorized("wrong username or password")
    if isinstance(done, staff.LoginLocked):
        raise LoginLocked(done.retry_after_s)
    who = done.principal
    return LoginResponse(
        token=done.token,
        expires_at=done.expires_at,
        staff=Me(username=who.username, role=who.role, office_id=who.office_id),
    )


@router.post("/api/v1/staff/logout", status_code=204)
def logout(request: Request, ctx: Context, _staff: StaffAuth) -> None:
    """End this staff token now."""
    token = bearer_token(request)
    if token is not None:
        with ctx.db.begin() as conn:
            staff.logout(conn, token)


@router.get("/api/v1/staff/me")
def me(who: StaffAuth) -> Me:
    """Who this token belongs to."""
    return Me(username=who.username, role=who.role, office_id=who.office_id)


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    office_id: str = Field(pattern=OFFICE_ID)
    note: str = Field(default="", max_length=200, pattern=PRINTABLE)
    kiosk_id: str | None = Field(
        default=None,
        pattern=KIOSK_ID,
        description="An enrolled kiosk of the office to re-key: it gets a new token and "
        "stays itself (its kiosk code, leases and tickets). Without it, a new kiosk.",
    )
    desk: bool = Field(
        default=False,
        description="The kiosk that trades the code is a hospital's registration desk "
        "(`kiosk run --desk`): it may search patients by name and is told their phone and "
        "address. A re-key code sets the role anew: without `desk`, the kiosk is no desk.",
    )


class CodeResponse(ShownModel, shown={"code": shape}):  # a credential
    code: str = Field(description="Type it on the kiosk (central.enrolment_code); shown once.")
    office_id: str
    expires_at: dt.datetime
    kiosk_id: str | None = None
    desk: bool = False


@admin.post("/api/v1/staff/enrolment-codes", status_code=201, responses={403: {}, 404: {}})
def create_code(body: CodeRequest, who: AdminAuth, ctx: Context) -> CodeResponse:
    """A one-time enrolment code for a kiosk of ``office_id`` (an office the admin may act for)."""
    require_office_access(who, body.office_id)
    with ctx.db.begin() as conn:
        code, expires = kiosks.create_enrolment_code(
            conn,
            body.office_id,
            ttl_s=ctx.settings.enrolment_code_ttl_s,
            actor=who.actor,
            note=body.note,
            kiosk_id=body.kiosk_id,
            desk=body.desk,
        )
    return CodeResponse(
        code=code,
        office_id=body.office_id,
        expires_at=expires,
        kiosk_id=body.kiosk_id,
        desk=body.desk,
    )


class KioskOut(BaseModel):
    kiosk_id: str
    office_id: str
    name: str
    enrolled_at: dt.datetime
    active_tokens: int
    desk: bool = Field(default=False, description="A registration desk, as its code made it.")


@admin.get("/api/v1/staff/kiosks", responses={403: {}})
def list_kiosks(
    ctx: Context,
    who: AdminAuth,
    office_id: Annotated[str | None, Query(pattern=OFFICE_ID)] = None,
) -> list[KioskOut]:
    """Kiosks of the admin's office (or ``office_id``) and their live tokens (0: revoked)."""
    scope = office_filter(who, office_id)
    with ctx.db.read() as conn:
        rows = kiosks.list_kiosks(conn, office_id=scope)
    return [
        KioskOut(
            kiosk_id=k.kiosk_id,
            office_id=k.office_id,
            name=k.name,
            enrolled_at=k.enrolled_at,
            active_tokens=k.active_tokens,
            desk=k.desk,
        )
        for k in rows
    ]


class Revoked(BaseModel):
    kiosk_id: str
    tokens_revoked: int


KioskId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]


@admin.post("/api/v1/staff/kiosks/{kiosk_id}/revoke", responses={403: {}, 404: {}})
def revoke(kiosk_id: KioskId, who: AdminAuth, ctx: Context) -> Revoked:
    """Revoke every token of a kiosk at once; it must enrol again with a new code."""
    with ctx.db.begin() as conn:
        office_id = kiosks.kiosk_office(conn, kiosk_id)  # 404 unknown_kiosk if none
        staff.require_reach(who.office_id, office_id, kiosks.unknown_kiosk(kiosk_id))
        count = kiosks.revoke_kiosk(conn, kiosk_id, actor=who.actor)
    return Revoked(kiosk_id=kiosk_id, tokens_revoked=count)
