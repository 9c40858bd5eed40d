"""Kiosks: enrolment codes, trading a code for a token, revocation, authentication.

Used by the API (``POST /api/v1/enrol``, the staff endpoints) and by the
operator commands (``kiosk server enrol-code``, ``kiosks``, ``revoke-kiosk``)
alike; every function works inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from central.access.audit import record_event, utc_now
from central.access.credentials import (
    TokenKind,
    code_hash,
    new_enrolment_code,
    new_token,
    sha256_hex,
)
from central.errors import EnrolmentRefused, NotFound
from central.tables import enrolment_codes, kiosk_tokens, kiosks, offices
from contract.wire import Enrolment, ErrorCode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KioskPrincipal:
    """An authenticated kiosk: what every kiosk endpoint receives."""

    kiosk_id: str
    office_id: str
    #: Its short code (``K07``), read with the token: a kiosk's code never changes once
    #: given, so a request need not read it again. None: not read (ask :func:`kiosk_code_of`).
    kiosk_code: str | None = None
    #: A hospital's registration desk, as staff made it (the code that enrolled or last
    #: re-keyed it): only a desk searches patients by name and is told their phone and
    #: address. Never what a request's body says (``"desk": true``).
    desk: bool = False


def said_desk(kiosk: KioskPrincipal, said: bool, refused: str) -> None:
    """Log, once per request, a kiosk that asks as the registration desk (``said``) but was
    not enrolled as one, and what it is refused (``refused``): the admin's list of the
    kiosks to give a desk code (docs/operations.md). Never the request's personal data."""
    if said and not kiosk.desk:
        log.warning(
            "kiosk %s asks as the registration desk but was not enrolled as one: %s",
            kiosk.kiosk_id,
            refused,
        )


@dataclass(frozen=True)
class KioskInfo:
    kiosk_id: str
    office_id: str
    name: str
    enrolled_at: dt.datetime
    active_tokens: int
    desk: bool = False


def require_office(conn: Connection, office_id: str) -> None:
    found = conn.execute(select(offices.c.id).where(offices.c.id == office_id)).first()
    if found is None:
        raise NotFound(f"no office {office_id!r}", code=ErrorCode.UNKNOWN_OFFICE)


def create_enrolment_code(
    conn: Connection,
    office_id: str,
    *,
    ttl_s: int,
    actor: str,
    note: str = "",
    kiosk_id: str | None = None,
    desk: bool = False,
) -> tuple[str, dt.datetime]:
    """A new single-use code for ``office_id``; returns it (shown once) and its expiry.

    With ``kiosk_id`` (an enrolled kiosk of that office) the code re-keys that
    kiosk: trading it gives the kiosk a new token and revokes its others, and
    the kiosk stays itself (its id, kiosk code, leases and submission keys), so
    the tickets it printed before still reach the queue.

    With ``desk`` the kiosk that trades the code is a registration desk; without, it
    is none (a re-key code sets the role anew either way: the admin who makes it says
    what the kiosk is). The audit row says which.
    """
    require_office(conn, office_id)
    if kiosk_id is not None and kiosk_office(conn, kiosk_id) != office_id:
        raise NotFound(
            f"no kiosk {kiosk_id!r} at office {office_id!r}", code=ErrorCode.UNKNOWN_KIOSK
        )
    code = new_enrolment_code()
    now = utc_now()
    expires = now + dt.timedelta(seconds=ttl_s)
    conn.execute(
        insert(enrolment_codes).values(
            code_hash=code_hash(code),
            office_id=office_id,
            created_at=now,
            expires_at=expires,
            used_at=None,
            reusable=False,
            note=note[:200],
            kiosk_id=kiosk_id,
            desk=desk,
        )
    )
    action = "enrolment_code.created" if kiosk_id is None else "enrolment_code.created_rekey"
    record_event(
        conn,
        actor=actor,
        action=action,
        subject=kiosk_id or office_id,
        detail="registration desk" if desk else "",
    )
    return code, expires


def ensure_reusable_code(
    conn: Connection, code: str, office_id: str, note: str, *, desk: bool = False
) -> None:
    """Demo seeding only: a code that never expires and can be used again (``desk``: its
    kiosks are registration desks)."""
    hashed = code_hash(code)
    if conn.execute(
        select(enrolment_codes.c.id).where(enrolment_codes.c.code_hash == hashed)
    ).first():
        return
    conn.execute(
        insert(enrolment_codes).values(
            code_hash=hashed,
            office_id=office_id,
            created_at=utc_now(),
            expires_at=None,
            used_at=None,
            reusable=True,
            note=note,
            desk=desk,
        )
    )


def enrol(conn: Connection, code: str, name: str) -> Enrolment:
    """Trade ``code`` for a new kiosk and its bearer token; refuse a used or expired one."""
    now = utc_now()
    # FOR UPDATE: two kiosks racing with one code on PostgreSQL; SQLite's
    # BEGIN IMMEDIATE already serialises the transactions.
    row = conn.execute(
        select(enrolment_codes)
        .where(enrolment_codes.c.code_hash == code_hash(code))
        .with_for_update()
    ).first()
    if row is None:
        raise EnrolmentRefused(
            "this enrolment code is not valid", code=ErrorCode.ENROLMENT_CODE_UNKNOWN
        )
    if not row.reusable:
        if row.used_at is not None:
            raise EnrolmentRefused(
                "this enrolment code was already used", code=ErrorCode.ENROLMENT_CODE_USED
            )
        if row.expires_at is not None and row.expires_at <= now:
            raise EnrolmentRefused(
                "this enrolment code has expired", code=ErrorCode.ENROLMENT_CODE_EXPIRED
            )
        conn.execute(
            update(enrolment_codes).where(enrolment_codes.c.id == row.id).values(used_at=now)
        )
    if row.kiosk_id is not None:
        return _rekey(conn, row.kiosk_id, now, desk=row.desk)
    kiosk_id = str(uuid.uuid4())
    kiosk_code = next_kiosk_code(conn)
    conn.execute(
        insert(kiosks).values(
            id=kiosk_id,
            office_id=row.office_id,
            name=name[:100],
            enrolled_at=now,
            enrolment_code_id=row.id,
            kiosk_code=kiosk_code,
            desk=row.desk,
        )
    )
    token = new_token(TokenKind.KIOSK)
    conn.execute(
        insert(kiosk_tokens).values(
            token_hash=sha256_hex(token), kiosk_id=kiosk_id, created_at=now, revoked_at=None
        )
    )
    record_event(
        conn,
        actor=f"kiosk:{kiosk_id}",
        action="kiosk.enrolled",
        subject=row.office_id,
        detail="registration desk" if row.desk else "",
    )
    return Enrolment(kiosk_id=kiosk_id, office_id=row.office_id, token=token, kiosk_code=kiosk_code)


def _rekey(conn: Connection, kiosk_id: str, now: dt.datetime, *, desk: bool) -> Enrolment:
    """A new token for the enrolled kiosk ``kiosk_id``; every other token of it is revoked.
    It is a registration desk if ``desk`` (the code's), and none otherwise."""
    kiosk = _lock_kiosk(conn, kiosk_id)
    conn.execute(update(kiosks).where(kiosks.c.id == kiosk_id).values(desk=desk))
    conn.execute(
        update(kiosk_tokens)
        .where(kiosk_tokens.c.kiosk_id == kiosk_id, kiosk_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    token = new_token(TokenKind.KIOSK)
    conn.execute(
        insert(kiosk_tokens).values(
            token_hash=sha256_hex(token), kiosk_id=kiosk_id, created_at=now, revoked_at=None
        )
    )
    record_event(
        conn,
        actor=f"kiosk:{kiosk_id}",
        action="kiosk.rekeyed",
        subject=kiosk.office_id,
        detail="registration desk" if desk else "",
    )
    return Enrolment(
        kiosk_id=kiosk_id, office_id=kiosk.office_id, token=token, kiosk_code=kiosk.kiosk_code
    )


#: Any constant: the key of PostgreSQL's advisory lock around choosing a kiosk code.
_KIOSK_CODE_LOCK = 0x4B434F44  # "KCOD"


def next_kiosk_code(conn: Connection) -> str:
    """The next unused kiosk code: K01, K02, ..., K99, K100, ... (never reused).

    Kiosk rows are never deleted (a revoked kiosk keeps its row), so the
    highest code so far plus one was never given out. Two enrolments at once
    take turns: SQLite's BEGIN IMMEDIATE serialises them, on PostgreSQL a
    transaction-scoped advisory lock does; the unique index is the last guard.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_KIOSK_CODE_LOCK)))
    highest = conn.execute(
        select(kiosks.c.kiosk_code)
        .where(kiosks.c.kiosk_code.is_not(None))
        .order_by(func.length(kiosks.c.kiosk_code).desc(), kiosks.c.kiosk_code.desc())
        .limit(1)
    ).scalar_one_or_none()
    number = int(highest[1:]) + 1 if highest and highest[1:].isdigit() else 1
    return f"K{number:02d}"


def kiosk_code_of(conn: Connection, kiosk_id: str) -> str:
    """The code of an enrolled kiosk."""
    code = conn.execute(
        select(kiosks.c.kiosk_code).where(kiosks.c.id == kiosk_id)
    ).scalar_one_or_none()
    if code is None:  # pragma: no cover - 0002_queue gave every kiosk a code
        raise NotFound(f"no kiosk {kiosk_id!r}", code=ErrorCode.UNKNOWN_KIOSK)
    return str(code)


def authenticate_kiosk(conn: Connection, token: str) -> KioskPrincipal | None:
    """The kiosk whose live token this is, or ``None``."""
    row = conn.execute(_AUTHENTICATE, {"token_hash": sha256_hex(token)}).first()
    if row is None:
        return None
    return KioskPrincipal(
        kiosk_id=row.id, office_id=row.office_id, kiosk_code=row.kiosk_code, desk=bool(row.desk)
    )


#: Made once: every kiosk request runs it (building a statement costs more than SQLite's
#: answer to it).
_AUTHENTICATE = (
    select(kiosks.c.id, kiosks.c.office_id, kiosks.c.kiosk_code, kiosks.c.desk)
    .join(kiosk_tokens, kiosk_tokens.c.kiosk_id == kiosks.c.id)
    .where(
        kiosk_tokens.c.token_hash == bindparam("token_hash"),
        kiosk_tokens.c.revoked_at.is_(None),
    )
)


def kiosk_office(conn: Connection, kiosk_id: str) -> str:
    """The office a kiosk belongs to; 404 ``unknown_kiosk`` if there is no such kiosk."""
    office_id = conn.execute(
        select(kiosks.c.office_id).where(kiosks.c.id == kiosk_id)
    ).scalar_one_or_none()
    if office_id is None:
        raise unknown_kiosk(kiosk_id)
    return str(office_id)


def _lock_kiosk(conn: Connection, kiosk_id: str) -> Any:
    """The kiosk's row, locked until the transaction ends (404 if there is none).

    Every change to one kiosk's tokens (a re-key, a revocation) takes this lock
    first, so they take turns: on PostgreSQL, under READ COMMITTED, a revocation
    racing a re-key would otherwise miss the token the re-key is inserting, and
    two re-keys would leave two live tokens. (SQLite's BEGIN IMMEDIATE already
    serialises every write.)
    """
    row = conn.execute(
        select(kiosks.c.office_id, kiosks.c.kiosk_code)
        .where(kiosks.c.id == kiosk_id)
        .with_for_update()
    ).first()
    if row is None:
        raise unknown_kiosk(kiosk_id)
    return row


def unknown_kiosk(kiosk_id: str) -> NotFound:
    """The answer for a kiosk id that does not exist (or that the caller may not reach)."""
    return NotFound(f"no kiosk {kiosk_id!r}", code=ErrorCode.UNKNOWN_KIOSK)


def revoke_kiosk(conn: Connection, kiosk_id: str, *, actor: str) -> int:
    """Revoke every live token of a kiosk; returns how many. The kiosk must enrol again."""
    _lock_kiosk(conn, kiosk_id)
    result = conn.execute(
        update(kiosk_tokens)
        .where(kiosk_tokens.c.kiosk_id == kiosk_id, kiosk_tokens.c.revoked_at.is_(None))
        .values(revoked_at=utc_now())
    )
    record_event(conn, actor=actor, action="kiosk.revoked", subject=kiosk_id)
    return int(result.rowcount)


def list_kiosks(conn: Connection, office_id: str | None = None) -> list[KioskInfo]:
    """Every enrolled kiosk, or only those of ``office_id``."""
    live = (
        select(kiosk_tokens.c.kiosk_id, func.count().label("n"))
        .where(kiosk_tokens.c.revoked_at.is_(None))
        .group_by(kiosk_tokens.c.kiosk_id)
        .subquery()
    )
    query = select(kiosks, func.coalesce(live.c.n, 0).label("active")).outerjoin(
        live, live.c.kiosk_id == kiosks.c.id
    )
    if office_id is not None:
        query = query.where(kiosks.c.office_id == office_id)
    rows = conn.execute(query.order_by(kiosks.c.enrolled_at, kiosks.c.id))
    return [
        KioskInfo(r.id, r.office_id, r.name, r.enrolled_at, int(r.active), bool(r.desk))
        for r in rows
    ]
