"""Staff accounts: added by an operator, logged in with a password, then a bearer token.

Staff log in once (``POST /api/v1/staff/login``) and send the returned
``as_…`` token as ``Authorization: Bearer`` on every staff endpoint, so the
slow password hash runs once per login, not once per request. Roles:
``admin`` (enrol and revoke kiosks, everything staff can) and ``staff``
(the counter's work: queues, health information, statuses). ``office_id``
limits a staff account to one office; ``None`` is every office. Wrong
passwords in a row lock the username for a while (:mod:`central.access.lockout`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from central.access import lockout
from central.access.audit import record_event, utc_now
from central.access.credentials import (
    TokenKind,
    hash_password,
    new_token,
    sha256_hex,
    verify_password,
)
from central.access.kiosks import require_office
from central.errors import ApiError, Conflict, NotFound
from central.tables import staff_tokens, staff_users
from contract.wire import ErrorCode

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD = 10


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"


@dataclass(frozen=True)
class StaffPrincipal:
    """An authenticated staff member: what every staff endpoint receives."""

    staff_id: int
    username: str
    role: Role
    office_id: str | None

    @property
    def actor(self) -> str:
        return f"staff:{self.username}"

    def may_act_for(self, office_id: str) -> bool:
        return self.office_id is None or self.office_id == office_id


def require_reach(allowed_office: str | None, office_id: str, unknown: NotFound) -> None:
    """Refuse a resource (ticket, application, kiosk) of an office the account may not reach.

    ``allowed_office``: the account's office (``None``: every office). The
    refusal is ``unknown``, the very answer the caller would get for an id
    that does not exist: an office-scoped account learns nothing of which
    ids another office has (no 403 against 404).
    """
    if allowed_office is not None and allowed_office != office_id:
        raise unknown


@dataclass(frozen=True)
class StaffLogin:
    token: str  # shown once
    expires_at: dt.datetime
    principal: StaffPrincipal


@dataclass(frozen=True)
class LoginLocked:
    """The username is locked after failed logins; the password was not checked."""

    retry_after_s: int


def add_staff(
    conn: Connection,
    username: str,
    password: str,
    *,
    role: Role,
    office_id: str | None,
    display_name: str = "",
    actor: str,
) -> int:
    if not USERNAME.fullmatch(username):
        raise ApiError("username: 2-64 of a-z, 0-9, '.', '_', '-'", code=ErrorCode.INVALID_USERNAME)
    if len(password) < MIN_PASSWORD:
        raise ApiError(
            f"password: at least {MIN_PASSWORD} characters", code=ErrorCode.WEAK_PASSWORD
        )
    return add_hashed_staff(
        conn,
        username,
        hash_password(password),
        role=role,
        office_id=office_id,
        display_name=display_name,
        actor=actor,
    )


def add_hashed_staff(
    conn: Connection,
    username: str,
    password_hash: str,
    *,
    role: Role,
    office_id: str | None,
    display_name: str = "",
    actor: str,
) -> int:
    """:func:`add_staff` with the password already hashed (:func:`hash_password`).

    For a password whose hash is known beforehand: the demo's published one
    (:data:`central.settings.DEMO_STAFF_PASSWORD_HASH`), so a seeded start does not
    spend a slow hash on it.
    """
    if not USERNAME.fullmatch(username):
        raise ApiError("username: 2-64 of a-z, 0-9, '.', '_', '-'", code=ErrorCode.INVALID_USERNAME)
    if office_id is not None:
        require_office(conn, office_id)
    try:
        with conn.begin_nested():
            result = conn.execute(
                insert(staff_users).values(
                    username=username,
                    display_name=display_name or username,
                    password_hash=password_hash,
                    role=role.value,
                    office_id=office_id,
                    created_at=utc_now(),
                    disabled_at=None,
                )
            )
    except IntegrityError:
        raise Conflict(f"staff user {username!r} exists", code=ErrorCode.STAFF_EXISTS) from None
    record_event(conn, actor=actor, action="staff.added", subject=username, detail=role.value)
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every insert here has a primary key
        raise RuntimeError("no primary key for the new staff user")
    return int(key[0])


def ensure_demo_staff(
    conn: Connection, username: str, password_hash: str, *, office_id: str
) -> bool:
    """Add the demo's admin account unless a staff user of that name exists; True if added.

    ``password_hash``: the hash of the demo's published password.
    """
    exists = conn.execute(
        select(staff_users.c.id).where(staff_users.c.username == username)
    ).first()
    if exists is not None:
        return False
    add_hashed_staff(
        conn, username, password_hash, role=Role.ADMIN, office_id=office_id, actor="demo"
    )
    return True


def login(
    conn: Connection,
    username: str,
    password: str,
    *,
    ttl_s: int,
    policy: lockout.LockoutPolicy,
    now: dt.datetime | None = None,
) -> StaffLogin | LoginLocked | None:
    """A new staff token, :class:`LoginLocked`, or ``None`` for a wrong username or password.

    Refusals are audited and counted towards the lock: let the transaction commit.
    """
    now = now or utc_now()
    wait_s = lockout.locked_for_s(conn, username, now)
    if wait_s is not None:
        record_event(
            conn, actor="anonymous", action="staff.login_failed", subject=username, detail="locked"
        )
        return LoginLocked(wait_s)
    row = conn.execute(
        select(staff_users).where(
            staff_users.c.username == username, staff_users.c.disabled_at.is_(None)
        )
    ).first()
    if not verify_password(password, row.password_hash if row else None) or row is None:
        record_event(conn, actor="anonymous", action="staff.login_failed", subject=username)
        lockout.record_failure(conn, username, now, policy)
        return None
    lockout.record_success(conn, username)
    token = new_token(TokenKind.STAFF)
    expires = now + dt.timedelta(seconds=ttl_s)
    conn.execute(
        insert(staff_tokens).values(
            token_hash=sha256_hex(token),
            staff_id=row.id,
            created_at=now,
            expires_at=expires,
            revoked_at=None,
        )
    )
    principal = StaffPrincipal(row.id, row.username, Role(row.role), row.office_id)
    record_event(conn, actor=principal.actor, action="staff.login", subject=username)
    return StaffLogin(token=token, expires_at=expires, principal=principal)


def authenticate_staff(conn: Connection, token: str) -> StaffPrincipal | None:
    row = conn.execute(
        select(
            staff_users.c.id, staff_users.c.username, staff_users.c.role, staff_users.c.office_id
        )
        .join(staff_tokens, staff_tokens.c.staff_id == staff_users.c.id)
        .where(
            staff_tokens.c.token_hash == sha256_hex(token),
            staff_tokens.c.revoked_at.is_(None),
            staff_tokens.c.expires_at > utc_now(),
            staff_users.c.disabled_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    return StaffPrincipal(row.id, row.username, Role(row.role), row.office_id)


def logout(conn: Connection, token: str) -> None:
    conn.execute(
        update(staff_tokens)
        .where(staff_tokens.c.token_hash == sha256_hex(token), staff_tokens.c.revoked_at.is_(None))
        .values(revoked_at=utc_now())
    )


def disable_staff(conn: Connection, username: str, *, actor: str) -> int:
    """Disable ``username`` and end every one of its sessions now; the tokens it held.

    A disabled account cannot log in and its tokens (the API's and the pages'
    cookies) are refused at once. 404 ``unknown_staff`` for no such account.
    """
    row = conn.execute(select(staff_users.c.id).where(staff_users.c.username == username)).first()
    if row is None:
        raise NotFound(f"no staff account {username!r}", code=ErrorCode.UNKNOWN_STAFF)
    now = utc_now()
    conn.execute(
        update(staff_users)
        .where(staff_users.c.id == row.id, staff_users.c.disabled_at.is_(None))
        .values(disabled_at=now)
    )
    ended = conn.execute(
        update(staff_tokens)
        .where(staff_tokens.c.staff_id == row.id, staff_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount
    record_event(conn, actor=actor, action="staff.disabled", subject=username, detail=str(ended))
    return int(ended)
